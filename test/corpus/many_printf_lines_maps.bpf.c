// A report printing several lines per map with BPF_SEQ_PRINTF (each call's argument array lives in its own
// statement expression), plus a local buffer in each branch of an if: 7 calls of 12 arguments (96 bytes each) and
// two 160-byte buffers, more than 512 bytes if every block kept its own stack, which clang does not do (its frame
// here is 280 bytes: blocks that are not open together share their stack).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int report(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *m = ctx->map;
	__u32 k, v, n;

	if (!m || m->name[0] != 'l' || m->name[1] != 'a' || m->name[2] != 'b')
		return 0;
	k = m->key_size;
	v = m->value_size;
	n = m->max_entries;
	BPF_SEQ_PRINTF(seq, "%s: type %u key %u value %u max %u flags %x %u %u %u %u %u\n", m->name, m->map_type, k, v, n,
		       m->map_flags, 1, 2, 3, 4, 5);
	BPF_SEQ_PRINTF(seq, "  sizes %u %u %u %u %u %u %u %u %u %u %u %u\n", k, v, k + v, k * 2, v * 2, n, n * k, n * v,
		       k + 1, v + 1, n + 1, k + v + n);
	BPF_SEQ_PRINTF(seq, "  halves %u %u %u %u %u %u %u %u %u %u %u %u\n", k / 2, v / 2, n / 2, k / 4, v / 4, n / 4, k % 3,
		       v % 3, n % 3, k ^ v, v ^ n, k ^ n);
	if (n > 8) {
		char big[160];

		bpf_probe_read_kernel_str(big, sizeof(big), m->name);
		BPF_SEQ_PRINTF(seq, "  big %s %u %u %u %u %u %u %u %u %u %u %u\n", big, n, n - 1, n - 2, n - 3, n - 4, n - 5,
			       n - 6, n - 7, n - 8, n - 9, n >> 3);
	} else {
		char small[160];

		bpf_probe_read_kernel_str(small, sizeof(small), m->name);
		BPF_SEQ_PRINTF(seq, "  small %s %u %u %u %u %u %u %u %u %u %u %u\n", small, n, n + 1, n + 2, n + 3, n + 4,
			       n + 5, n + 6, n + 7, n + 8, n + 9, n << 3);
	}
	BPF_SEQ_PRINTF(seq, "  ids %u %u %u %u %u %u %u %u %u %u %u %u\n", m->id > 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89);
	BPF_SEQ_PRINTF(seq, "  end %u %u %u %u %u %u %u %u %u %u %u %u\n", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	return 0;
}
