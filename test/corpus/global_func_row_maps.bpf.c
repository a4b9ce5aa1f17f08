// A global __noinline function fills a row struct on the caller's stack: the verifier checks it once, on its own,
// with the row as maybe-NULL memory of sizeof(struct row) and the integers unknown; the caller reads the row back.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct row {
	__u32 id;
	__u32 max;
	char size_class;
	char kind[7];
};

__noinline int fill_row(struct row *r, __u32 id, __u32 max, __u32 type)
{
	if (!r)
		return -1;
	r->id = id;
	r->max = max;
	r->size_class = max > 64 ? 'L' : max > 4 ? 'M' : 'S';
	__builtin_memcpy(r->kind, type == BPF_MAP_TYPE_HASH ? "hash" : "other", 6);
	r->kind[6] = 0;
	return 0;
}

SEC("iter/bpf_map")
int rows(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct row r = {};

	if (!map || map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	if (fill_row(&r, 0, map->max_entries, map->map_type))
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %c %u %s\n", map->name, r.size_class, r.max, r.kind);
	return 0;
}
