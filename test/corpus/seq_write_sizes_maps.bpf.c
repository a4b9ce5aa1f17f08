// bpf_seq_write of a stack struct with key and value sizes, as raw bytes.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Only maps whose name starts with "lab_" are shown, so other processes' maps never reach the output. */
static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

struct sizes {
	__u32 key;
	__u32 value;
};

SEC("iter/bpf_map")
int sizes(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct sizes s;

	if (!map || !is_lab_map(map->name))
		return 0;
	s.key = map->key_size;
	s.value = map->value_size;
	bpf_seq_write(ctx->meta->seq, &s, sizeof(s));
	return 0;
}
