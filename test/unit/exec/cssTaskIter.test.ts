import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_css_task_new(struct bpf_iter_css_task *it, struct cgroup_subsys_state *css, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it) __weak __ksym;
extern void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it) __weak __ksym;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
`;

/** a python3 with a thread and a loader it forked in /app, a sleep in /app/a (the world measured on 6.18) */
const WORLD = {
  cgroups: [{ path: '/app' }, { path: '/app/a' }],
  processes: [
    { pid: 1, comm: 'systemd' },
    { pid: 100, comm: 'python3', cgroup: '/app' },
    { pid: 120, comm: 'sleep', cgroup: '/app/a' },
    { pid: 142, tgid: 100, comm: 'python3' },
    { pid: 150, ppid: 100, comm: 'loader', cgroup: '/app' },
  ],
  attach: { order: 'descendants_pre', cgroup: '/app' },
};

function service(world: object = WORLD) {
  const scenario = path.join(path.dirname(FIXTURE_PATH), 'css.bpfscenario.json');
  return { svc: serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify(world) }), scenario };
}
async function run(text: string, world?: object): Promise<string> {
  const { svc, scenario } = service(world);
  const r = await svc.run(FIXTURE_PATH, text, { scenario }) as unknown as { output: string | null; error?: { message: string } };
  assert.ok(!r.error, JSON.stringify(r.error));
  return r.output ?? '';
}
function diagnostics(text: string): Array<{ code: unknown; severity?: number; message: string }> {
  return service().svc.validate(FIXTURE_PATH, text).map((d) => ({ code: d.code, severity: d.severity, message: typeof d.message === 'string' ? d.message : d.message.value }));
}

// bpf_iter_css_task_new/next/destroy of Linux 6.18 (kernel/bpf/task_iter.c), measured in iter/cgroup and iter/task
describe('exec: the open-coded css_task iterator (bpf_iter_css_task_new/next/destroy)', () => {
  const CGROUP_WALK = HEAD + `SEC("iter/cgroup")
int csst(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cg = ctx->cgroup;
	struct bpf_iter_css_task it;
	struct task_struct *t;
	unsigned int flags;
	int r;
	if (!cg)
		return 0;
	for (flags = 0; flags < 4; flags++) {
		r = bpf_iter_css_task_new(&it, &cg->self, flags);
		BPF_SEQ_PRINTF(seq, "%s flags %u (%d):", (const char *)cg->kn->name, flags, r);
		while ((t = bpf_iter_css_task_next(&it)))
			BPF_SEQ_PRINTF(seq, " %s/%d/%d", t->comm, t->pid - t->tgid, t->pid == t->tgid);
		bpf_iter_css_task_destroy(&it);
		BPF_SEQ_PRINTF(seq, "\\n");
	}
	return 0;
}
`;

  it('from &ctx->cgroup->self: checked without a diagnostic; each cgroup\'s own tasks, threads with flags 0, -EINVAL for 2', async () => {
    assert.deepStrictEqual(diagnostics(CGROUP_WALK), []);
    // the kernel's output on that world (python3 moved in with its thread, then forked loader; sleep in a)
    assert.strictEqual(await run(CGROUP_WALK), [
      'app flags 0 (0): python3/0/1 python3/42/0 loader/0/1',
      'app flags 1 (0): python3/0/1 loader/0/1',
      'app flags 2 (-22):',
      'app flags 3 (0): python3/0/1 loader/0/1',
      'a flags 0 (0): sleep/0/1',
      'a flags 1 (0): sleep/0/1',
      'a flags 2 (-22):',
      'a flags 3 (0): sleep/0/1',
      ''].join('\n'));
  });

  it('task->cgroups->dfl_cgrp is the process\'s cgroup; an acquired cgroup\'s css is trusted (iter/task)', async () => {
    const text = HEAD + `SEC("iter/task")
int peers(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *t;
	struct bpf_iter_css_task it;
	struct cgroup *cg;
	int n = 0;
	if (!task || task->pid != task->tgid)
		return 0;
	cg = bpf_cgroup_from_id(task->cgroups->dfl_cgrp->kn->id);
	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, 0);
	while ((t = bpf_iter_css_task_next(&it)))
		n++;
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s [%s] %d\\n", task->comm, task->cgroups->dfl_cgrp->kn->name, n);
	return 0;
}
`;
    assert.deepStrictEqual(diagnostics(text), []);
    assert.strictEqual(await run(text), 'systemd [] 1\npython3 [app] 3\nsleep [a] 1\nloader [app] 3\n');
  });

  it('a css walked from the task (MEM_RCU, not trusted) is the kernel\'s refusal "R2 must be referenced or trusted"', () => {
    const text = HEAD + `SEC("iter/task")
int walked(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *t;
	struct bpf_iter_css_task it;
	int n = 0;
	if (!task)
		return 0;
	bpf_iter_css_task_new(&it, &task->cgroups->dfl_cgrp->self, 1);
	while ((t = bpf_iter_css_task_next(&it)))
		n++;
	bpf_iter_css_task_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d\\n", task->pid, n);
	return 0;
}
`;
    const errors = diagnostics(text).filter((d) => d.severity === 1);
    assert.strictEqual(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0].message, /R2 must be referenced or trusted/);
  });

  it('a loop over the iterator without destroy() leaks it, as for the other open-coded iterators', () => {
    const text = CGROUP_WALK.replace('\t\tbpf_iter_css_task_destroy(&it);\n', '');
    const errors = diagnostics(text).filter((d) => d.severity === 1);
    assert.ok(errors.length >= 1, 'no error for a leaked iterator');
  });
});
