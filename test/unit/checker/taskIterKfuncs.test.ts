import * as assert from 'assert';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/**
 * A task iterator program with the open-coded task iterator's kfuncs declared as users write them. It reads a task
 * field: without one, clang emits task_struct as a BTF forward declaration and libbpf refuses the kfuncs' prototypes
 * before the verifier runs (BPF2066, measured on 6.18 with the release program below).
 */
function program(body: string, section = 'iter/task'): string {
  return `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
SEC("${section}")
int prog(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *t, *ref;
	struct bpf_iter_task it, it2;
	int n = 0;
	if (!task)
		return 0;
	n = task->pid & 1;
${body}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", n);
	return 0;
}
`;
}

const LOOP = '\twhile ((t = bpf_iter_task_next(&it)))\n\t\tn += t->pid & 1;';
const WALK = `\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n${LOOP}\n\tbpf_iter_task_destroy(&it);`;

/** Errors and warnings, as `code: message`. */
function problems(text: string): string[] {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1 || d.severity === 2).map((d) => `${d.code}: ${d.message}`);
}

// Each verdict and verifier line below was measured on Linux 6.18 by loading the same program (clang 14 -O2,
// bpftool prog loadall): the errno in each comment is the load's.
describe('checker: the open-coded task iterator (bpf_iter_task_new/next/destroy, KF_RCU_PROTECTED)', () => {
  it('a walk in a non-sleepable program, with or without bpf_rcu_read_lock(): no warning (known kfuncs, a loop bounded by next())', () => {
    assert.deepStrictEqual(problems(program(WALK)), []);
    assert.deepStrictEqual(problems(program(`\tbpf_rcu_read_lock();\n${WALK}\n\tbpf_rcu_read_unlock();`)), []);
    assert.deepStrictEqual(problems(program(`\tbpf_rcu_read_lock();\n${WALK}\n\tbpf_rcu_read_unlock();`, 'iter.s/task')), []);
    // the task argument is __nullable: NULL loads (the kfunc answers -EINVAL only for PROC_THREADS)
    assert.deepStrictEqual(problems(program(WALK.replace('&it, task,', '&it, NULL,'))), []);
  });

  it('next() gives an RCU task (rcu_ptr_task_struct): bpf_task_acquire() takes it, bpf_task_release() and another new() do not', () => {
    const acquire = '\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n\twhile ((t = bpf_iter_task_next(&it))) {\n\t\tref = bpf_task_acquire(t);\n\t\tif (ref) {\n\t\t\tn += ref->pid & 1;\n\t\t\tbpf_task_release(ref);\n\t\t}\n\t}\n\tbpf_iter_task_destroy(&it);';
    assert.deepStrictEqual(problems(program(acquire)), []);
    const release = problems(program('\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n\twhile ((t = bpf_iter_task_next(&it)))\n\t\tbpf_task_release(t);\n\tbpf_iter_task_destroy(&it);'));
    assert.strictEqual(release.length, 1, release.join('\n'));
    assert.match(release[0], /^BPF2115: .*"R1 must be referenced or trusted"/); // EINVAL
    const nested = problems(program('\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n\twhile ((t = bpf_iter_task_next(&it))) {\n\t\tbpf_iter_task_new(&it2, t, BPF_TASK_ITER_PROC_THREADS);\n\t\twhile ((ref = bpf_iter_task_next(&it2)))\n\t\t\tn++;\n\t\tbpf_iter_task_destroy(&it2);\n\t}\n\tbpf_iter_task_destroy(&it);'));
    assert.strictEqual(nested.length, 1, nested.join('\n'));
    assert.match(nested[0], /^BPF2115: .*bpf_iter_task_new.*"R2 must be referenced or trusted"/); // EINVAL
  });

  it('the task passed to new(): an unchecked ctx->task or task->real_parent is not trusted', () => {
    for (const arg of ['ctx->task', 'task->real_parent']) {
      const p = problems(program(WALK.replace('&it, task,', `&it, ${arg},`)));
      assert.strictEqual(p.length, 1, p.join('\n'));
      assert.match(p[0], /^BPF2115: .*"R2 must be referenced or trusted"/); // EINVAL
    }
  });

  it('next() unchecked: the NULL the drained iterator gives is dereferenced', () => {
    const p = problems(program('\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n\tt = bpf_iter_task_next(&it);\n\tn = t->pid;\n\tbpf_iter_task_destroy(&it);'));
    assert.strictEqual(p.length, 1, p.join('\n'));
    assert.match(p[0], /^BPF2001: the result of bpf_iter_task_next may be NULL/); // EACCES ("R0 invalid mem access 'scalar'": the drained path first)
  });

  it('the slot rules of process_iter_arg(): not initialised, initialised twice, still active at the exit (one error each)', () => {
    const noinit = problems(program(`${LOOP}\n\tbpf_iter_task_destroy(&it);`));
    assert.deepStrictEqual(noinit.map((p) => p.slice(0, 7)), ['BPF2483']);
    assert.match(noinit[0], /it is not an initialised task iterator here: call bpf_iter_task_new\(\) .*"expected an initialized iter_task as arg #0"/); // EINVAL
    const twice = problems(program(WALK.replace('\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);', '\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);')));
    assert.deepStrictEqual(twice.map((p) => p.slice(0, 7)), ['BPF2484']);
    assert.match(twice[0], /"expected uninitialized iter_task as arg #0"/); // EINVAL
    // a store into the slot leaves no iterator there
    const overwritten = problems(program('\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n\tit.__opaque[0] = 0;\n\tbpf_iter_task_destroy(&it);'));
    assert.deepStrictEqual(overwritten.map((p) => p.slice(0, 7)), ['BPF2483']); // EINVAL, at the destroy
    const leak = problems(program(`\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n${LOOP}`));
    assert.deepStrictEqual(leak.map((p) => p.slice(0, 7)), ['BPF2485']);
    assert.match(leak[0], /The task iterator it is still active when the program exits: call bpf_iter_task_destroy\(\) on every path\. Verifier: "BPF_EXIT instruction in main prog would lead to reference leak"/); // EINVAL
  });

  it('KF_RCU_PROTECTED: new() outside bpf_rcu_read_lock() in a sleepable program; next()/destroy() after an unlock, in any program', () => {
    const sleepable = problems(program(WALK, 'iter.s/task'));
    assert.deepStrictEqual(sleepable.map((p) => p.slice(0, 7)), ['BPF2488']);
    assert.match(sleepable[0], /"kernel func bpf_iter_task_new requires RCU critical section protection"/); // EACCES
    const unlockMid = `\tbpf_rcu_read_lock();\n\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n\tbpf_rcu_read_unlock();\n${LOOP}\n\tbpf_iter_task_destroy(&it);`;
    for (const section of ['iter/task', 'iter.s/task']) {
      const p = problems(program(unlockMid, section));
      assert.deepStrictEqual(p.map((x) => x.slice(0, 7)), ['BPF2489'], section);
      assert.match(p[0], /"expected an RCU CS when using bpf_iter_task_next"/); // EPROTO
    }
    // made before the section in a non-sleepable program (always in RCU): the unlock still ends it
    const lockAfter = `\tbpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_PROCS);\n\tbpf_rcu_read_lock();\n${LOOP}\n\tbpf_rcu_read_unlock();\n\tbpf_iter_task_destroy(&it);`;
    const p = problems(program(lockAfter));
    assert.deepStrictEqual(p.map((x) => x.slice(0, 7)), ['BPF2489']);
    assert.match(p[0], /"expected an RCU CS when using bpf_iter_task_destroy"/); // EPROTO
  });

  it('hover and completion describe the iterator kfuncs from their row: signature, the walk, the RCU rule, flags', () => {
    const text = program(WALK);
    const lines = text.split('\n');
    const at = (name: string) => { const line = lines.findIndex((l) => l.includes(`${name}(`) && !l.startsWith('extern')); return { line, character: lines[line].indexOf(name) + 2 }; };
    const service = serviceFor(TARGET_FILES);
    const hoverText = (name: string) => JSON.stringify(service.hover(FIXTURE_PATH, text, at(name))?.contents ?? '');
    assert.match(hoverText('bpf_iter_task_new'), /int bpf_iter_task_new\(struct bpf_iter_task \*it, struct task_struct \*task, unsigned int flags\).*init_task.*BPF_TASK_ITER_PROC_THREADS.*requires RCU critical section protection.*KF_ITER_NEW \| KF_TRUSTED_ARGS \| KF_RCU_PROTECTED/s);
    assert.match(hoverText('bpf_iter_task_next'), /struct task_struct \*bpf_iter_task_next\(struct bpf_iter_task \*it\).*rcu_ptr_.*KF_ITER_NEXT \| KF_RET_NULL/s);
    assert.match(hoverText('bpf_iter_task_destroy'), /void bpf_iter_task_destroy\(struct bpf_iter_task \*it\).*KF_ITER_DESTROY/s);
    const line = lines.findIndex((l) => l.startsWith('\tbpf_iter_task_destroy'));
    const items = service.complete(FIXTURE_PATH, text.replace('\tbpf_iter_task_destroy(&it);', '\tbpf_iter_'), { line, character: 11 });
    for (const name of ['bpf_iter_task_new', 'bpf_iter_task_next', 'bpf_iter_task_destroy', 'bpf_iter_num_new']) assert.ok(items.some((i) => i.label === name), `${name} in ${items.map((i) => i.label).join(' ')}`);
  });
});
