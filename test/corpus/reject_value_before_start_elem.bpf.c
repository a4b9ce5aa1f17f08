// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected at load: reading 4 bytes before ctx->value is a negative offset into the read-write buffer,
// which the verifier refuses ("invalid rdwr buffer access: off=-4, size=4").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct triple {
	int first;
	int second;
	int third;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 3);
	__type(key, struct triple);
	__type(value, __u64);
} wide SEC(".maps");

__u32 before_total = 0;

SEC("iter/bpf_map_elem")
int read_before_value(struct bpf_iter__bpf_map_elem *ctx)
{
	char *value = ctx->value;

	if (!value)
		return 0;
	before_total += *(__u32 *)(value - 4);
	return 0;
}
