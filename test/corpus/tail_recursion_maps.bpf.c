// source: recursive helpers written as tail calls (accumulator style: fact, sum, digit counts), which clang -O2 turns into loops before the BPF backend sees them (LLVM's TailCallElim); the verifier sees no recursion.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

/* a tail call with an accumulator parameter */
static __u64 factorial(__u64 n, __u64 acc)
{
	if (n <= 1)
		return acc;
	return factorial(n - 1, acc * n);
}

/* LLVM's accumulator form: 1 + f(...) */
static int digit_count(__u32 v)
{
	if (v < 10)
		return 1;
	return 1 + digit_count(v / 10);
}

/* bounded by the caller's mask: the verifier walks at most 16 rounds */
static __u32 sum_down(__u32 i, __u32 acc)
{
	if (i == 0)
		return acc;
	return sum_down(i - 1, acc + i);
}

/* a void tail call: the parameters swap roles, so the next values are computed before they are assigned */
static void walk_pair(__u32 a, __u32 b, __u32 steps, __u64 *out)
{
	if (steps == 0) {
		*out = ((__u64)a << 32) | b;
		return;
	}
	walk_pair(b, a + b, steps - 1, out);
}

SEC("iter/bpf_map")
int recurse(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u64 pair = 0;

	if (!map)
		return 0;
	if (map->name[0] != 't' || map->name[1] != 'r' || map->name[2] != '_')
		return 0;
	walk_pair(0, 1, 10, &pair);
	BPF_SEQ_PRINTF(seq, "%s fact=%llu digits=%d sum=%u pair=%llx\n", map->name,
		       factorial(10, 1), digit_count(1234567), sum_down(map->max_entries & 15, 0), pair);
	return 0;
}
