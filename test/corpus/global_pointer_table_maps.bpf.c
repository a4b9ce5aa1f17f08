// SPDX-License-Identifier: GPL-2.0 OR MIT
// Loads, with a warning: a table of names in global data. libbpf skips the relocations of .rodata ("skipping relo
// section .rel.rodata"), so a name read at a run-time index is an offset and %s prints nothing; clang folds a read
// at a constant index into the instruction, which libbpf relocates, and the integers beside the names are plain data.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct state_name {
	int code;
	const char *name;
};

static const struct state_name states[] = {
	{ 1, "ESTABLISHED" },
	{ 2, "SYN_SENT" },
	{ 10, "LISTEN" },
};

static const char *kinds[] = { "hash", "array" };

/* set by the loader before load: clang cannot fold reads of it */
const volatile __u32 pick = 1;

SEC("iter/bpf_map")
int state_table(struct bpf_iter__bpf_map *ctx)
{
	__u32 i = pick & 1;

	if (ctx->map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d [%s] %d [%s]\n", states[i].code, states[i].name, states[2].code, states[2].name);
	BPF_SEQ_PRINTF(ctx->meta->seq, "[%s] [%s]\n", kinds[1], kinds[i]);
	return 0;
}
