// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "latmon.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} lm_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct latmon_hist);
} lm_hist SEC(".maps");

/* Prints the histogram when the map walk ends; the walk itself lists the monitor's own maps. */
SEC("iter/bpf_map")
int dump_hist(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	struct latmon_hist *h;
	__u32 zero = 0;
	int i;

	if (map) {
		if (map->name[0] == 'l' && map->name[1] == 'm' && map->name[2] == '_')
			BPF_SEQ_PRINTF(seq, "map %s (%u entries max)\n", map->name, map->max_entries);
		return 0;
	}
	h = bpf_map_lookup_elem(&lm_hist, &zero);
	if (!h)
		return 0;
	for (i = 0; i < LATMON_SLOTS; i++)
		BPF_SEQ_PRINTF(seq, "%4d-%-4d us: %llu\n", i ? 1 << (i - 1) : 0, (1 << i) - 1, h->slots[i]);
	return 0;
}

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(sleep_enter)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&lm_start, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("kretprobe/do_nanosleep")
int BPF_KRETPROBE(sleep_exit)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct latmon_hist *h;
	__u64 *tsp, delta;
	__u32 zero = 0, slot = 0;

	tsp = bpf_map_lookup_elem(&lm_start, &tid);
	if (!tsp)
		return 0;
	delta = (bpf_ktime_get_ns() - *tsp) / 1000;
	bpf_map_delete_elem(&lm_start, &tid);
	while (delta > 1 && slot < LATMON_SLOTS - 1) {
		delta >>= 1;
		slot++;
	}
	h = bpf_map_lookup_elem(&lm_hist, &zero);
	if (h)
		__sync_fetch_and_add(&h->slots[slot & (LATMON_SLOTS - 1)], 1);
	return 0;
}
