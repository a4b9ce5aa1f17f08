// Must be rejected: bpf_snprintf's format is checked by the verifier when the program loads
// (check_bpf_snprintf_call() runs bpf_bprintf_prepare() on it), unlike bpf_seq_printf's, which is read only when the
// call runs. "%s %u (%u entries)" has three conversions and BPF_SNPRINTF passes two arguments: "Invalid format
// string", and the whole program is refused.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

char line[64];

SEC("iter/bpf_map")
int describe_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	long n;

	if (!map)
		return 0;
	n = BPF_SNPRINTF(line, sizeof(line), "%s %u (%u entries)", map->name, map->id);
	if (n > 0)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", line);
	return 0;
}
