// __sync_* and __atomic_* builtins on .bss globals and stack locals (64-bit, and 32-bit add without result); output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

static __u64 maps_seen, entries_total, flags_or, last_id, cas_hits;
static __u32 small_count;

SEC("iter/bpf_map")
int count(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 before, now, expected;
	__u64 stack_counter = 10, scratch = 5;

	if (!map) {
		expected = 3;
		__atomic_compare_exchange_n(&cas_hits, &expected, 100, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		BPF_SEQ_PRINTF(ctx->meta->seq, "maps=%llu entries=%llu flags=%llx last=%llu small=%u cas=%llu expected=%llu\n",
			       maps_seen, entries_total, flags_or, last_id,
			       small_count, cas_hits, expected);
		return 0;
	}
	if (map->name[0] != 'a' || map->name[1] != 't' || map->name[2] != '_')
		return 0;
	before = __sync_fetch_and_add(&maps_seen, 1);
	now = __sync_add_and_fetch(&entries_total, map->max_entries);
	__sync_fetch_and_or(&flags_or, 1ULL << (map->max_entries & 63));
	__atomic_store_n(&scratch, __atomic_load_n(&scratch, __ATOMIC_RELAXED) + map->key_size, __ATOMIC_RELAXED);
	last_id = __atomic_exchange_n(&entries_total, now, __ATOMIC_SEQ_CST);
	__sync_fetch_and_add(&small_count, 2);
	if (__sync_bool_compare_and_swap(&cas_hits, before, before + 1))
		__sync_fetch_and_xor(&stack_counter, 3);
	__sync_fetch_and_sub(&stack_counter, 1);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s before=%llu now=%llu xchg=%llu stack=%llu scratch=%llu\n", map->name, before, now,
		       __sync_lock_test_and_set(&last_id, now), stack_counter, scratch);
	return 0;
}
