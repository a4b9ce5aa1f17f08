import * as assert from 'assert';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/** A task iterator with the task kfuncs declared as programs declare them; `body` runs once the task is known. */
function program(body: string): string {
  return `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
SEC("iter/task")
int prog(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *ref;
	if (!task)
		return 0;
${body}
	return 0;
}
`;
}

/** Every diagnostic but the ones that say the file needs nothing (errors and warnings), as `code: message`. */
function problems(text: string): string[] {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1 || d.severity === 2).map((d) => `${d.code}: ${d.message}`);
}

// Each verdict below was measured on Linux 6.18 by loading the same program (clang 14 -O2, bpftool prog loadall); the
// two release errors with a read of task->pid added, without which clang 14 emits struct task_struct as a forward
// declaration and libbpf refuses the kfunc's prototype before the verifier runs.
describe('checker: kfunc references and the RCU section (bpf_task_acquire/release, bpf_rcu_read_lock/unlock)', () => {
  it('accepts an acquired task checked for NULL, used and released, on both shapes of the check; no "not modelled" warning', () => {
    assert.deepStrictEqual(problems(program('\tref = bpf_task_acquire(task);\n\tif (!ref)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", ref->pid);\n\tbpf_task_release(ref);')), []);
    assert.deepStrictEqual(problems(program('\tref = bpf_task_acquire(task);\n\tif (ref) {\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", ref->pid);\n\t\tbpf_task_release(ref);\n\t}')), []);
  });

  it('accepts the RCU parent walk: lock, task->real_parent (an RCU pointer) acquired, unlock on both paths', () => {
    const walk = '\tbpf_rcu_read_lock();\n\tref = task->real_parent;\n\tif (!ref) {\n\t\tbpf_rcu_read_unlock();\n\t\treturn 0;\n\t}\n\tref = bpf_task_acquire(ref);\n\tbpf_rcu_read_unlock();\n\tif (!ref)\n\t\treturn 0;\n\tbpf_task_release(ref);';
    assert.deepStrictEqual(problems(program(walk)), []);
  });

  it('a reference still held at an exit: "Unreleased reference", at each exit that holds it, with where it was acquired', () => {
    const leak = problems(program('\tref = bpf_task_acquire(task);\n\tif (!ref)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", ref->pid);'));
    assert.strictEqual(leak.length, 1);
    assert.match(leak[0], /^BPF2051: the reference bpf_task_acquire\(\) returned is still held .*\(bpf_task_release\(\)\).*Unreleased reference/);
  });

  it('releasing what holds no reference, or what may be NULL (one error, no leak after it)', () => {
    // each reads a task field: without one, clang emits task_struct as a BTF forward declaration and libbpf refuses the
    // kfunc prototypes before the verifier runs (BPF2066, measured on 6.18)
    const release = '\tbpf_task_release(task);\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", task->pid);';
    assert.deepStrictEqual(problems(program(release)).map((p) => p.slice(0, 7)), ['BPF2052'], 'ctx->task is trusted, not referenced');
    assert.match(problems(program(release))[0], /release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID/);
    const maybeNull = problems(program('\tref = bpf_task_acquire(task);\n\tbpf_task_release(ref);\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", task->pid);'));
    assert.strictEqual(maybeNull.length, 1);
    assert.match(maybeNull[0], /^BPF2025: .*Possibly NULL pointer passed to trusted arg0/);
  });

  it('RCU sections: nested, unmatched, still open at the exit', () => {
    assert.match(problems(program('\tbpf_rcu_read_lock();\n\tbpf_rcu_read_lock();\n\tbpf_rcu_read_unlock();'))[0] ?? '', /^BPF2053: .*nested rcu read lock \(kernel function bpf_rcu_read_lock\)/);
    assert.match(problems(program('\tbpf_rcu_read_unlock();'))[0] ?? '', /^BPF2054: .*unmatched rcu read unlock \(kernel function bpf_rcu_read_unlock\)/);
    const open = problems(program('\tbpf_rcu_read_lock();\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", task->pid);'));
    assert.strictEqual(open.length, 1);
    assert.match(open[0], /^BPF2055: .*cannot be used inside bpf_rcu_read_lock-ed region/);
  });

  it('paths that disagree on the section and join: nothing said after the join (the verifier walks them apart)', () => {
    const correlated = '\tint k = task->pid & 1;\n\tif (k)\n\t\tbpf_rcu_read_lock();\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", task->pid);\n\tif (k)\n\t\tbpf_rcu_read_unlock();';
    assert.deepStrictEqual(problems(program(correlated)), []);
  });

  it('hover and completion describe the four kfuncs: signature, rule, flags', () => {
    const text = program('\tref = bpf_task_acquire(task);\n\tif (!ref)\n\t\treturn 0;\n\tbpf_task_release(ref);');
    const lines = text.split('\n');
    const at = (name: string) => { const line = lines.findIndex((l) => l.includes(`${name}(`) && !l.startsWith('extern')); return { line, character: lines[line].indexOf(name) + 2 }; };
    const service = serviceFor(TARGET_FILES);
    const hoverText = (name: string) => JSON.stringify(service.hover(FIXTURE_PATH, text, at(name))?.contents ?? '');
    assert.match(hoverText('bpf_task_acquire'), /kfunc.*struct task_struct \*bpf_task_acquire\(struct task_struct \*p\).*Unreleased reference.*KF_ACQUIRE \| KF_RCU \| KF_RET_NULL/s);
    assert.match(hoverText('bpf_task_release'), /Gives back a reference.*KF_RELEASE/s);
    const items = service.complete(FIXTURE_PATH, text.replace('\tbpf_task_release(ref);', '\tbpf_rcu_'), { line: lines.findIndex((l) => l.includes('bpf_task_release(ref);')), character: 9 });
    const lock = items.find((i) => i.label === 'bpf_rcu_read_lock');
    assert.ok(lock, items.map((i) => i.label).join(' '));
    assert.strictEqual(lock.insertText, 'bpf_rcu_read_lock()', 'a (void) kfunc takes no argument placeholders');
  });
});

describe('checker: bpf_cgroup_ancestor() is an acquiring kfunc (KF_ACQUIRE | KF_RCU | KF_RET_NULL; measured on 6.18)', () => {
  const cgroupProgram = (body: string): string => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
SEC("iter/cgroup")
int prog(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cgrp = ctx->cgroup, *root;
	if (!cgrp)
		return 0;
${body}
	return 0;
}
`;
  it('released after its NULL check: loads, no "not modelled" warning', () => {
    assert.deepStrictEqual(problems(cgroupProgram('\troot = bpf_cgroup_ancestor(cgrp, 0);\n\tif (!root)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", root->level);\n\tbpf_cgroup_release(root);')), []);
  });
  it('still held at the exit: "Unreleased reference" (the kernel: BPF_EXIT instruction in main prog would lead to reference leak)', () => {
    const leak = problems(cgroupProgram('\troot = bpf_cgroup_ancestor(cgrp, 0);\n\tif (!root)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", root->level);'));
    assert.strictEqual(leak.length, 1, JSON.stringify(leak));
    assert.match(leak[0], /^BPF2051: the reference bpf_cgroup_ancestor\(\) returned is still held .*\(bpf_cgroup_release\(\)\)/);
  });
});
