// SPDX-License-Identifier: GPL-2.0 OR MIT
// Must be rejected at attach: the program reads a u32 just past a 12-byte key, so the verifier records a read-only
// buffer access of 16 bytes and bpf_iter_attach_map() refuses a map whose key_size is 12 (EACCES).
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

__u32 past_end_total = 0;

SEC("iter/bpf_map_elem")
int read_past_key(struct bpf_iter__bpf_map_elem *ctx)
{
	char *key = ctx->key;

	if (!key)
		return 0;
	past_end_total += *(__u32 *)(key + sizeof(struct triple));
	return 0;
}
