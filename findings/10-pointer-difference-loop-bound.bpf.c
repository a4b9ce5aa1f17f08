/* Finding 10 (false WARNING, low priority): a loop bounded by a pointer
 * difference `(c - buf) < N` is said to have no bounded exit condition.
 *
 * Construct: for (char *c = buf; (size_t)(c - buf) < size && *c; ++c) ...
 *   (pattern of selftests dmabuf_iter.c sanitize_string)
 * Ours:   warning BPF2027 "bpf-iter-lab cannot see what bounds this loop (no exit
 *         condition compares a loop counter with a bounded value); the verifier
 *         accepts it only if it reaches the exit within 1 million instructions".
 * clang 14: compiles.  Kernel 6.18 (this host): LOADED.
 * Why ours is wrong: the exit compares c - buf (a stack-pointer offset the
 * verifier tracks exactly) with a constant; the claim "no exit condition
 * compares a loop counter with a bounded value" is false for this form.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static void blank_newlines(char *buf, __u64 size)
{
	for (char *c = buf; (__u64)(c - buf) < size && *c; ++c)
		if (*c == '\n')
			*c = ' ';
}

SEC("iter/bpf_map")
int map_names(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char name[16];

	if (!map)
		return 0;
	__builtin_memcpy(name, map->name, sizeof(name));
	blank_newlines(name, sizeof(name));
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\n", name);
	return 0;
}
