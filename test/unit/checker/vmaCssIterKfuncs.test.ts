import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

const VMA_HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task, __u64 addr) __weak __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __weak __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __weak __ksym;
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
`;

function vmaProgram(body: string, section = 'iter/task'): string {
  return `${VMA_HEAD}SEC("${section}")
int prog(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *t;
	struct vm_area_struct *v;
	struct bpf_iter_task_vma it;
	struct bpf_iter_task tit;
	long n = 0;
	if (!task)
		return 0;
${body}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %ld\\n", task->pid, n);
	return 0;
}
`;
}

const CSS_HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_css_new(struct bpf_iter_css *it, struct cgroup_subsys_state *start, unsigned int flags) __weak __ksym;
extern struct cgroup_subsys_state *bpf_iter_css_next(struct bpf_iter_css *it) __weak __ksym;
extern void bpf_iter_css_destroy(struct bpf_iter_css *it) __weak __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
`;

function cssProgram(body: string, section = 'iter/cgroup'): string {
  return `${CSS_HEAD}SEC("${section}")
int prog(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cg = ctx->cgroup;
	struct cgroup_subsys_state *pos, *p2;
	struct bpf_iter_css it, it2;
	long n = 0;
	if (!cg)
		return 0;
${body}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %ld\\n", cg->level, n);
	return 0;
}
`;
}

function problems(text: string): string[] {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1 || d.severity === 2).map((d) => `${d.code}: ${d.message}`);
}

async function run(text: string, scenario: unknown): Promise<string> {
  const file = path.join(path.dirname(FIXTURE_PATH), 'iters.bpfscenario.json');
  const service = serviceFor({ ...TARGET_FILES, [file]: JSON.stringify(scenario) });
  const r = await service.run(FIXTURE_PATH, text, { scenario: file }) as unknown as { output: string | null; error?: { message: string } };
  assert.ok(!r.error, JSON.stringify(r.error));
  return r.output ?? '';
}

const VMA_WALK = '\tbpf_iter_task_vma_new(&it, task, 0);\n\twhile ((v = bpf_iter_task_vma_next(&it)))\n\t\tn += v->vm_end - v->vm_start;\n\tbpf_iter_task_vma_destroy(&it);';
const CSS_WALK = '\tbpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_PRE);\n\twhile ((pos = bpf_iter_css_next(&it)))\n\t\tn += pos->cgroup->level;\n\tbpf_iter_css_destroy(&it);';

// Each verdict and verifier line was measured on Linux 6.18 by loading the same program (clang 14 -O2, bpftool prog
// loadall); the errno in each comment is the load's.
describe('checker: the VMA and css iterators (bpf_iter_task_vma_*, bpf_iter_css_*)', () => {
  it('VMA iterator: a walk needs no RCU section, even sleepable; the task may be an RCU one (KF_RCU); vm_area_struct is trusted, read-only', () => {
    assert.deepStrictEqual(problems(vmaProgram(VMA_WALK)), []);
    assert.deepStrictEqual(problems(vmaProgram(VMA_WALK, 'iter.s/task')), []);
    assert.deepStrictEqual(problems(vmaProgram(VMA_WALK.replace('&it, task,', '&it, task->real_parent,'))), []);
    const nested = `\tbpf_iter_task_new(&tit, task, BPF_TASK_ITER_ALL_PROCS);\n\twhile ((t = bpf_iter_task_next(&tit))) {\n${VMA_WALK.replace('&it, task,', '&it, t,').replace(/^/gm, '\t')}\n\t}\n\tbpf_iter_task_destroy(&tit);`;
    assert.deepStrictEqual(problems(vmaProgram(nested)), []);
    const unchecked = problems(vmaProgram(VMA_WALK.replace('&it, task,', '&it, ctx->task,')));
    assert.strictEqual(unchecked.length, 1, unchecked.join('\n'));
    assert.match(unchecked[0], /^BPF2025: .*"Possibly NULL pointer passed to trusted arg1"/); // EACCES
    const write = problems(vmaProgram(VMA_WALK.replace('n += v->vm_end - v->vm_start;', 'v->vm_start = 0;')));
    assert.strictEqual(write.length, 1, write.join('\n'));
    assert.match(write[0], /^BPF2019: .*"only read is supported"/); // EACCES
    const leak = problems(vmaProgram(VMA_WALK.replace('\n\tbpf_iter_task_vma_destroy(&it);', '')));
    assert.deepStrictEqual(leak.map((p) => p.slice(0, 7)), ['BPF2485']);
    assert.match(leak[0], /The VMA iterator it is still active .*bpf_iter_task_vma_destroy\(\)/); // EINVAL
  });

  it('css iterator: KF_RCU_PROTECTED (iter.s needs bpf_rcu_read_lock(), an unlock ends it); start must be trusted', () => {
    assert.deepStrictEqual(problems(cssProgram(CSS_WALK)), []);
    assert.deepStrictEqual(problems(cssProgram(`\tbpf_rcu_read_lock();\n${CSS_WALK}\n\tbpf_rcu_read_unlock();`, 'iter.s/cgroup')), []);
    const sleepable = problems(cssProgram(CSS_WALK, 'iter.s/cgroup'));
    assert.deepStrictEqual(sleepable.map((p) => p.slice(0, 7)), ['BPF2488']);
    assert.match(sleepable[0], /"kernel func bpf_iter_css_new requires RCU critical section protection"/); // EACCES
    const unlock = problems(cssProgram(CSS_WALK.replace('\twhile', '\tbpf_rcu_read_lock();\n\tbpf_rcu_read_unlock();\n\twhile')));
    assert.deepStrictEqual(unlock.map((p) => p.slice(0, 7)), ['BPF2489']);
    assert.match(unlock[0], /"expected an RCU CS when using bpf_iter_css_next"/); // EPROTO
    // cgrp->self.parent is walked (untrusted), next()'s css is MEM_RCU: neither is trusted
    const parent = problems(cssProgram(CSS_WALK.replace('&cg->self,', 'cg->self.parent,')));
    assert.strictEqual(parent.length, 1, parent.join('\n'));
    assert.match(parent[0], /^BPF2115: .*"R2 must be referenced or trusted"/); // EINVAL
    const nested = problems(cssProgram('\tbpf_iter_css_new(&it, &cg->self, BPF_CGROUP_ITER_DESCENDANTS_PRE);\n\twhile ((pos = bpf_iter_css_next(&it))) {\n\t\tbpf_iter_css_new(&it2, pos, BPF_CGROUP_ITER_ANCESTORS_UP);\n\t\twhile ((p2 = bpf_iter_css_next(&it2)))\n\t\t\tn++;\n\t\tbpf_iter_css_destroy(&it2);\n\t}\n\tbpf_iter_css_destroy(&it);'));
    assert.strictEqual(nested.length, 1, nested.join('\n'));
    assert.match(nested[0], /^BPF2115: .*bpf_iter_css_next.*"R2 must be referenced or trusted"/); // EINVAL
  });

  it('runs: VMAs from an address (-ENOENT for a kernel thread), css walks in each order', async () => {
    const vmas = vmaProgram('\tunsigned long second = 0;\n\tint r = bpf_iter_task_vma_new(&it, task, 0);\n\twhile ((v = bpf_iter_task_vma_next(&it))) {\n\t\tif (n++ == 1)\n\t\t\tsecond = v->vm_start + 1;\n\t}\n\tbpf_iter_task_vma_destroy(&it);\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "r=%d ", r);\n\tbpf_iter_task_vma_new(&it, task, second);\n\twhile ((v = bpf_iter_task_vma_next(&it)))\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%lx ", v->vm_start);\n\tbpf_iter_task_vma_destroy(&it);');
    const world = { processes: [
      { pid: 2, ppid: 0, comm: 'kthreadd', kthread: true },
      { pid: 10, comm: 'app', vmas: [
        { start: '0x400000', end: '0x401000', perms: 'r-xp', path: '/bin/app' },
        { start: '0x600000', end: '0x602000', perms: 'rw-p', path: '/bin/app' },
        { start: '0x7ffd0000', end: '0x7ffd2000', perms: 'rw-p', path: '[stack]' },
      ] },
    ] };
    assert.strictEqual(await run(vmas, world), 'r=-2 2 0\nr=0 600000 7ffd0000 10 3\n');
    const css = `${CSS_HEAD}SEC("iter/cgroup")
int prog(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cg = ctx->cgroup;
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	unsigned int order;
	int r;

	if (!cg || cg->level != 1)
		return 0;
	for (order = 1; order <= 4; order++) {
		r = bpf_iter_css_new(&it, &cg->self, order);
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u (%d):", order, r);
		while ((pos = bpf_iter_css_next(&it)))
			BPF_SEQ_PRINTF(ctx->meta->seq, " %s", pos->cgroup->level ? (const char *)pos->cgroup->kn->name : "/");
		bpf_iter_css_destroy(&it);
		BPF_SEQ_PRINTF(ctx->meta->seq, "\\n");
	}
	return 0;
}
`;
    assert.deepStrictEqual(problems(css), []);
    const tree = { cgroups: [{ path: '/a' }, { path: '/a/x' }, { path: '/a/y' }, { path: '/a/x/deep' }], attach: { order: 'descendants_pre', cgroup: '/a' } };
    assert.strictEqual(await run(css, tree), '1 (-22):\n2 (0): a x deep y\n3 (0): deep x y a\n4 (0): a /\n');
  });
});
