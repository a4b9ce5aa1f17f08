// Kernel selftest bpf_iter_test_kern6.c re-typed: a negative offset from ctx->value fails verification.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct key_t {
	int a;
	int b;
	int c;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 3);
	__type(key, struct key_t);
	__type(value, __u64);
} hashmap1 SEC(".maps");

__u32 value_sum = 0;

SEC("iter/bpf_map_elem")
int dump_bpf_hash_map(struct bpf_iter__bpf_map_elem *ctx)
{
	void *value = ctx->value;

	if (value == (void *)0)
		return 0;

	/* negative offset, verifier failure. */
	value_sum += *(__u32 *)(value - 4);
	return 0;
}
