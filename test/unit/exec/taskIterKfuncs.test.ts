import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
`;

/** At the first task: each flag's walk as pids; for every task, its threads from it on (PROC_THREADS). */
const WALKS = HEAD + `SEC("iter/task")
int walks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task, *t;
	struct bpf_iter_task it;
	unsigned int flags;
	int r;

	if (!task)
		return 0;
	if (ctx->meta->seq_num == 0) {
		for (flags = 0; flags < 4; flags++) {
			r = bpf_iter_task_new(&it, task, flags);
			BPF_SEQ_PRINTF(seq, "flags %u (%d):", flags, r);
			while ((t = bpf_iter_task_next(&it)))
				BPF_SEQ_PRINTF(seq, " %d", t->pid);
			bpf_iter_task_destroy(&it);
			BPF_SEQ_PRINTF(seq, "\\n");
		}
		r = bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_PROC_THREADS);
		BPF_SEQ_PRINTF(seq, "PROC_THREADS of NULL: %d, first %d\\n", r, bpf_iter_task_next(&it) != 0);
		bpf_iter_task_destroy(&it);
	}
	BPF_SEQ_PRINTF(seq, "%d:", task->pid);
	bpf_iter_task_new(&it, task, BPF_TASK_ITER_PROC_THREADS);
	while ((t = bpf_iter_task_next(&it)))
		BPF_SEQ_PRINTF(seq, " %d", t->pid);
	bpf_iter_task_destroy(&it);
	BPF_SEQ_PRINTF(seq, "\\n");
	return 0;
}
`;

/** A machine where fork order is not pid order: pid 7 was forked after pid 30 (pids wrapped), thread 31 before 32. */
const WORLD = { processes: [
  { pid: 1, ppid: 0, comm: 'init' },
  { pid: 2, ppid: 0, comm: 'kthreadd', kthread: true },
  { pid: 30, comm: 'server', start_time_ns: 5_000_000_000 },
  { pid: 31, tgid: 30, comm: 'server', start_time_ns: 6_000_000_000 },
  { pid: 32, tgid: 30, comm: 'server', start_time_ns: 7_000_000_000 },
  { pid: 7, ppid: 30, comm: 'child', start_time_ns: 8_000_000_000 },
] };

async function run(text: string, world: unknown = WORLD): Promise<string> {
  const scenario = path.join(path.dirname(FIXTURE_PATH), 'tasks.bpfscenario.json');
  const service = serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify(world) });
  const r = await service.run(FIXTURE_PATH, text, { scenario }) as unknown as { output: string | null; error?: { message: string } };
  assert.ok(!r.error, JSON.stringify(r.error));
  return r.output ?? '';
}

// The orders mirror bpf_iter_task_next() of Linux 6.18 (kernel/bpf/task_iter.c): init_task first, then next_task()
// over init_task.tasks (fork order) for ALL_PROCS, each group's thread_head (leader first) for the thread walks; the
// first task, PROC_THREADS from a thread and the -EINVAL cases were compared with the kernel's output in a pid
// namespace (test/oracle/kernel.taskIter.test.ts).
describe('exec: the open-coded task iterator runs (bpf_iter_task_new/next/destroy)', () => {
  it('each flag walks the machine as the kernel does: init_task first, processes in fork order, threads leader first', async () => {
    const out = await run(WALKS);
    assert.strictEqual(out, [
      'flags 0 (0): 0 1 2 30 7',
      'flags 1 (0): 0 1 2 30 31 32 7',
      'flags 2 (0): 1',
      'flags 3 (-22):',
      'PROC_THREADS of NULL: -22, first 0',
      '1: 1', '2: 2', '7: 7', '30: 30 31 32', '31: 31 32', '32: 32', '',
    ].join('\n'));
  });

  it('a loop in the shape of libbpf\'s bpf_for_each(): cleanup(destroy) ends the iterator; checked without a warning and run', async () => {
    const text = HEAD + `#define for_each_iter(kind, cur, args...) for (				\\
	struct bpf_iter_##kind __it __attribute__((aligned(8), cleanup(bpf_iter_##kind##_destroy))),	\\
	*__once __attribute__((unused)) = (bpf_iter_##kind##_new(&__it, ##args), (void)bpf_iter_##kind##_destroy, (void *)0); \\
	(((cur) = bpf_iter_##kind##_next(&__it))); )
SEC("iter/task")
int threads(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *t;
	int n = 0;

	if (!task || task->pid != task->tgid)
		return 0;
	for_each_iter(task, t, task, BPF_TASK_ITER_PROC_THREADS)
		n++;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d\\n", task->pid, n);
	return 0;
}
`;
    const problems = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1 || d.severity === 2).map((d) => `${d.code}: ${d.message}`);
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(await run(text), '1 1\n2 1\n7 1\n30 3\n');
  });
});
