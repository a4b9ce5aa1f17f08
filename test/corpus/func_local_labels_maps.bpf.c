// source: sched-ext/scx scheds/include/bpf_arena_common.bpf.h (can_loop: a statement expression with __label__ labels, used many times in one function), bpf_arena_spin_lock.h (__func__ in a message), scx_layered intf.h (enumerators wider than int in a _Static_assert)

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

/* a check in a statement expression with labels of its own: each use is a new pair of labels */
#define below(v, lim) ({ __label__ over, done; int ok_ = 1; if ((v) >= (lim)) goto over; goto done; over: ok_ = 0; done:; ok_; })

/* 0xc0000000 is unsigned int while the list is open (~HI_BASE is 0x3fffffff), and the enum's type once closed */
enum { HI_BASE = 0xc0000000, LOW_BITS = ~HI_BASE, SIZE_IN_LIST = sizeof(HI_BASE), AFTER_HI };
enum { SHIFT = 16, LOW_MASK = (1ULL << SHIFT) - 1, MID_MASK = ~LOW_MASK & ~HI_BASE };
_Static_assert(16 <= (MID_MASK >> SHIFT) + 1, "MID_MASK as clang computes it");

static __u64 seen;

SEC("iter/bpf_map")
int dump_labels(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	int n = 0;

	if (!map) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s: seen=%llu low=%x mid=%llx sizes=%d/%d/%d\n", __func__, seen,
			       LOW_BITS, (__u64)MID_MASK, SIZE_IN_LIST, (int)sizeof(HI_BASE), (int)sizeof(AFTER_HI));
		return 0;
	}
	if (map->name[0] != 'f' || map->name[1] != 'l')
		return 0;
	seen++;
	while (n < 8 && below(n, map->max_entries))
		n++;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %s max=%u steps=%d small=%d\n", __func__, map->name, map->max_entries, n,
		       below(map->key_size, 5));
	return 0;
}
