// bpf_strtol/bpf_strtoul (bpf_base_func_proto(), given to iterators): bases by prefix and by flag, signs, spaces,
// stop characters and the errors; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

static void parse(struct seq_file *seq, const char *text, __u32 len, __u64 flags)
{
	long sv = 0;
	unsigned long uv = 0;
	long sn = bpf_strtol(text, len, flags, &sv);
	long un = bpf_strtoul(text, len, flags, &uv);

	BPF_SEQ_PRINTF(seq, "[%s] flags=%llu: strtol %ld -> %ld, ", text, flags, sn, sv);
	BPF_SEQ_PRINTF(seq, "strtoul %ld -> %lu\n", un, uv);
}

SEC("iter/bpf_map")
int parse_numbers(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	char dec[8] = "  42xy";
	char neg[8] = "-17";
	char hex[8] = "0x1fz";
	char oct[8] = "0755";
	char bad[8] = "zz";
	char big[24] = "99999999999999999999";

	if (!map)
		return 0;
	if (map->name[0] != 's' || map->name[1] != 't' || map->name[2] != '_')
		return 0;
	parse(seq, dec, sizeof(dec), 0);
	parse(seq, neg, sizeof(neg), 10);
	parse(seq, hex, sizeof(hex), 0);
	parse(seq, hex, sizeof(hex), 16);
	parse(seq, oct, sizeof(oct), 0);
	parse(seq, oct, sizeof(oct), 8);
	parse(seq, dec, 3, 0);
	parse(seq, bad, sizeof(bad), 0);
	parse(seq, dec, sizeof(dec), 7);
	parse(seq, big, sizeof(big), 0);
	return 0;
}
