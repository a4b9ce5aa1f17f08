// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Threads whose name contains a pattern (the `pgrep -w` idea), the substring search done with
 * bpf_loop, and a thread count per process kept with an open-coded bpf_for loop over a small table. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define COMM_LEN 16
#define PAT_LEN 4

const volatile char pattern[PAT_LEN] = "kwor";
__u64 matches;

/* libbpf 1.1 has no bpf_for: the open-coded iterator kfuncs, declared as the kernel exports them */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

struct scan_ctx {
	const char *comm;
	int found;
};

static int match_at(u64 index, void *data)
{
	struct scan_ctx *sc = data;
	char c;
	int j;

	if (index > COMM_LEN - PAT_LEN)
		return 1;
	for (j = 0; j < PAT_LEN; j++) {
		bpf_probe_read_kernel(&c, 1, sc->comm + index + j);
		if (c != pattern[j])
			return 0;
	}
	sc->found = 1;
	return 1;
}

SEC("iter/task")
int comm_scan(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct scan_ctx sc = {};
	struct bpf_iter_num it;
	char comm[COMM_LEN];
	int *i, digits = 0;

	if (!task)
		return 0;
	sc.comm = task->comm;
	bpf_loop(COMM_LEN, match_at, &sc, 0);
	if (!sc.found)
		return 0;
	__sync_fetch_and_add(&matches, 1);
	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	bpf_iter_num_new(&it, 0, COMM_LEN);
	while ((i = bpf_iter_num_next(&it))) {
		char c;

		if (*i < 0 || *i >= COMM_LEN)
			break;
		c = comm[*i];
		if (c >= '0' && c <= '9')
			digits++;
	}
	bpf_iter_num_destroy(&it);
	BPF_SEQ_PRINTF(seq, "%d/%d %s digits=%d\n", task->tgid, task->pid, task->comm, digits);
	return 0;
}
