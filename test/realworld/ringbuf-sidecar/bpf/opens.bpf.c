// SPDX-License-Identifier: GPL-2.0 OR MIT
/* An openat tracer that streams events through a ring buffer; the iterator reports the ring's size. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct open_event {
	__u32 pid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} rb_events SEC(".maps");

SEC("iter/bpf_map")
int ring_info(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map || map->name[0] != 'r' || map->name[1] != 'b' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s: type %u, %u bytes\n", map->name, map->map_type, map->max_entries);
	return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int trace_openat(void *ctx)
{
	struct open_event *e;

	e = bpf_ringbuf_reserve(&rb_events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
