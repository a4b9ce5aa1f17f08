// A map lister that prints struct bpf_map fields bpftool does not show: numa_node (NUMA_NO_NODE unless
// BPF_F_NUMA_NODE), bypass_spec_v1 (set by array_map_alloc() only) and frozen, for the scenario's maps and for the
// object's own .rodata/.kconfig (read-only to programs and frozen by libbpf once filled) and .data/.bss.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
const volatile __u32 min_entries = 1;
__u32 listed = 0;
__u64 flags_seen;

SEC("iter/bpf_map")
int numa_frozen(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(seq, "listed %u, kernel version known: %d\n", listed, LINUX_KERNEL_VERSION > 0);
		return 0;
	}
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->max_entries < min_entries)
		return 0;
	listed++;
	flags_seen |= map->map_flags;
	BPF_SEQ_PRINTF(seq, "%-16s type %2u flags %4x numa %d bypass_spec_v1 %d frozen %d\n", map->name, map->map_type,
		       map->map_flags, map->numa_node, map->bypass_spec_v1, map->frozen);
	return 0;
}
