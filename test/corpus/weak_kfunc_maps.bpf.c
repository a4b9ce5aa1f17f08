// A weak kfunc tested before use: libbpf resolves it to its BTF id when the kernel has it, to 0 when not.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline int is_lab_map(const char *name)
{
	return name[0] == 'l' && name[1] == 'a' && name[2] == 'b' && name[3] == '_';
}

extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym __weak;
extern s64 bpf_kfunc_this_kernel_lacks(const struct bpf_map *map) __ksym __weak;

SEC("iter/bpf_map")
int weak_counts(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	s64 n = -1, m = -1;

	if (!map || !is_lab_map(map->name))
		return 0;
	if (bpf_map_sum_elem_count)
		n = bpf_map_sum_elem_count(map);
	if (bpf_kfunc_this_kernel_lacks)
		m = bpf_kfunc_this_kernel_lacks(map);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %lld %lld\n", map->name, n, m);
	return 0;
}
