// What clang keeps and reuses: a 600-byte name buffer of which 8 bytes are used (SROA: the frame stays small),
// an index bounded through `*i` of the open-coded numbers iterator, a `__type(value, char[32])` scratch map;
// output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[32]);
} sr_scratch SEC(".maps");

static __always_inline int ours(const char *n)
{
	return n[0] == 's' && n[1] == 'r' && n[2] == '_';
}

SEC("iter/bpf_map")
int vowels(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct bpf_iter_num it;
	char name[600];
	char copy[16];
	__u32 zero = 0;
	int *i, n = 0;
	char *buf;

	if (!map)
		return 0;
	__builtin_memcpy(name, map->name, 8);
	if (!ours(name))
		return 0;
	__builtin_memcpy(copy, map->name, sizeof(copy));
	bpf_iter_num_new(&it, 0, 16);
	while ((i = bpf_iter_num_next(&it))) {
		if (*i < 0 || *i >= 16)
			break;
		if (copy[*i] == 'a' || copy[*i] == 'e' || copy[*i] == 'i' || copy[*i] == 'o' || copy[*i] == 'u')
			n++;
	}
	bpf_iter_num_destroy(&it);
	buf = bpf_map_lookup_elem(&sr_scratch, &zero);
	if (!buf)
		return 0;
	__builtin_memcpy(buf, copy, 16);
	buf[31] = 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %d vowels\n", buf, n);
	return 0;
}
