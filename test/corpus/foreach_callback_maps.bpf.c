// bpf_for_each_map_elem() over an array and a hash map of the object: the callback prints each element it visits
// (hash order: bucket by bucket, with BPF_F_ZERO_SEED so it is the same on every kernel) and stops at a key.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lab_vals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_ZERO_SEED);
	__type(key, __u32);
	__type(value, __u64);
} lab_pairs SEC(".maps");

struct walk {
	struct seq_file *seq;
	__u64 total;
	__u32 seen;
	__u32 stop_at;
};

static long fill_value(struct bpf_map *map, __u32 *key, __u64 *val, void *data)
{
	struct walk *w = data;

	*val = *key * 10 + 1;
	w->total += *val;
	w->seen++;
	return 0;
}

static long print_pair(struct bpf_map *map, __u32 *key, __u64 *val, void *data)
{
	struct walk *w = data;

	BPF_SEQ_PRINTF(w->seq, "  %u -> %llu\n", *key, *val);
	w->seen++;
	return *key == w->stop_at;
}

SEC("iter/bpf_map")
int walk_maps(struct bpf_iter__bpf_map *ctx)
{
	struct walk w = {};
	__u64 v;
	__u32 k;
	long n;

	if (ctx->meta->seq_num > 0 || !ctx->map)
		return 0;
	w.seq = ctx->meta->seq;
	n = bpf_for_each_map_elem(&lab_vals, fill_value, &w, 0);
	BPF_SEQ_PRINTF(w.seq, "array: visited=%ld seen=%u total=%llu\n", n, w.seen, w.total);
	k = 1; v = 100; bpf_map_update_elem(&lab_pairs, &k, &v, BPF_ANY);
	k = 2; v = 200; bpf_map_update_elem(&lab_pairs, &k, &v, BPF_ANY);
	k = 3; v = 300; bpf_map_update_elem(&lab_pairs, &k, &v, BPF_ANY);
	k = 4; v = 400; bpf_map_update_elem(&lab_pairs, &k, &v, BPF_ANY);
	k = 5; v = 500; bpf_map_update_elem(&lab_pairs, &k, &v, BPF_ANY);
	k = 6; v = 600; bpf_map_update_elem(&lab_pairs, &k, &v, BPF_ANY);
	w.seen = 0;
	w.stop_at = 2;
	n = bpf_for_each_map_elem(&lab_pairs, print_pair, &w, 0);
	BPF_SEQ_PRINTF(w.seq, "hash: visited=%ld seen=%u\n", n, w.seen);
	return 0;
}
