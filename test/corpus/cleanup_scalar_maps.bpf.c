// source: sched-ext/scx scheds/include/lib/cleanup.bpf.h (DEFINE_FREE/__free: a cleanup attribute on a pointer or scalar local, run with the local's address where its scope ends)

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

static __u64 settled, released, seen;

/* what DEFINE_FREE expands to: a function of the variable's address that looks at the value */
static __always_inline void settle(__u32 *pending) { settled += *pending; }
static __always_inline void let_go(struct bpf_map **held) { if (*held) released++; }

#define __settle __attribute__((cleanup(settle)))
#define __let_go __attribute__((cleanup(let_go)))

static int weigh(struct bpf_map *map)
{
	__u32 pending __settle = map->max_entries;
	struct bpf_map *held __let_go = NULL;

	if (map->key_size > 4)
		return 1;
	held = map;
	pending *= 2;
	return 0;
}

SEC("iter/bpf_map")
int dump_cleanups(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "seen=%llu settled=%llu released=%llu\n", seen, settled, released);
		return 0;
	}
	if (map->name[0] != 'c' || map->name[1] != 'u')
		return 0;
	seen++;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s wide=%d settled=%llu\n", map->name, weigh(map), settled);
	return 0;
}
