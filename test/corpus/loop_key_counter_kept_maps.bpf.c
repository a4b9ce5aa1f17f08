// SPDX-License-Identifier: GPL-2.0 OR MIT
// Loads: three shapes of a loop whose counter's address is a lookup key that the verifier can follow.
// 1. a __u64 counter: clang gives it an 8-byte aligned slot, where the verifier keeps the spilled value;
// 2. a __u32 counter copied into a key: the counter itself stays in a register;
// 3. a __u32 counter declared after another __u32 whose address is taken: it lands at fp-8, aligned.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, __u64);
} lab_kept_wide SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} lab_kept_slots SEC(".maps");

static __u64 sum_wide(void)
{
	__u64 key, total = 0, *v;

	for (key = 0; key < 4; key++) {
		v = bpf_map_lookup_elem(&lab_kept_wide, &key);
		if (v)
			total += *v;
	}
	return total;
}

SEC("iter/bpf_map")
int kept(struct bpf_iter__bpf_map *ctx)
{
	__u64 total = 0, found = 0, *v;
	__u32 first = 1, i;

	if (ctx->map)
		return 0;
	total += sum_wide();
	for (__u32 n = 0; n < 8; n++) {
		__u32 key = n;

		v = bpf_map_lookup_elem(&lab_kept_slots, &key);
		if (v)
			found++;
	}
	v = bpf_map_lookup_elem(&lab_kept_slots, &first);
	if (v)
		found++;
	for (i = 2; i < 6; i++) {
		v = bpf_map_lookup_elem(&lab_kept_slots, &i);
		if (v)
			found++;
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "total %llu found %llu\n", total, found);
	return 0;
}
