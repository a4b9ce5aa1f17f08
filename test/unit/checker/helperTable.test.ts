import * as assert from 'assert';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';
import { lookupHelper, helperNameById, LAST_HELPER_ID } from '../../../server/src/lang/checker/helpers';

function program(target: string, body: string, section = 'iter'): string {
  return `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, 24 /* BPF_MAP_TYPE_SK_STORAGE */); __uint(map_flags, 1 /* BPF_F_NO_PREALLOC */); __type(key, int); __type(value, long); } sk_store SEC(".maps");
SEC("${section}/${target}")
int prog(struct bpf_iter__${target} *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
${body}
	return 0;
}
`;
}

function diagnostics(text: string, severity: 1 | 2): string[] {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === severity).map((d) => `${d.code}: ${d.message}`);
}
const errors = (text: string) => diagnostics(text, 1);

describe('checker: the helper table measured on Linux 6.18 (which helpers iterator programs may call)', () => {
  it('every id up to the last helper has a kernel name and a verdict; past it, none', () => {
    for (let id = 1; id <= LAST_HELPER_ID; id++) {
      const name = helperNameById(id);
      assert.ok(name, `helper #${id} has no name`);
      assert.notStrictEqual(lookupHelper(name, { target: 'bpf_map' }).status, 'unknown', `${name}#${id}`);
    }
    assert.strictEqual(helperNameById(LAST_HELPER_ID + 1), undefined);
  });

  it('helpers the kernel gives iterators are not refused: strtol/strtoul, sk_storage, sock_from_file, get_stack, socket cookies, cgroup ids', () => {
    assert.deepStrictEqual(errors(program('bpf_map', '\tchar buf[8] = "42";\n\tlong v = 0;\n\tif (bpf_strtol(buf, sizeof(buf), 0, &v) > 0) BPF_SEQ_PRINTF(seq, "%ld", v);')), []);
    assert.deepStrictEqual(errors(program('bpf_map', '\tchar buf[8] = "42";\n\tunsigned long v = 0;\n\tbpf_strtoul(buf, sizeof(buf), 10, &v);')), []);
    assert.deepStrictEqual(errors(program('tcp', '\tstruct sock_common *sk = ctx->sk_common;\n\tif (!sk) return 0;\n\tlong *v = bpf_sk_storage_get(&sk_store, sk, 0, 0);\n\tif (v) *v += 1;\n\tbpf_sk_storage_delete(&sk_store, sk);')), []);
    assert.deepStrictEqual(errors(program('task_file', '\tstruct file *f = ctx->file;\n\tif (!f) return 0;\n\tstruct socket *s = bpf_sock_from_file(f);\n\tif (s) BPF_SEQ_PRINTF(seq, "%d", s->type);')), []);
    assert.deepStrictEqual(errors(program('bpf_map', '\tunsigned long long c = bpf_get_current_cgroup_id() + bpf_get_current_ancestor_cgroup_id(1);\n\tBPF_SEQ_PRINTF(seq, "%llu", c);')), []);
  });

  it('the stack and _str helpers return at most the size they were given (do_refine_retval_range()): the result bounds a later write', () => {
    const body = '\tstruct task_struct *t = ctx->task;\n\tstatic __u64 stack[16];\n\tif (!t) return 0;\n\tlong n = bpf_get_task_stack(t, stack, sizeof(stack), 0);\n\tif (n <= 0) return 0;\n\tbpf_seq_write(seq, stack, n);';
    assert.deepStrictEqual(errors(program('task', body)), []);
  });

  it('bpf_ktime_get_coarse_ns is not given to iterators; getsockopt/setsockopt only to the tcp and unix iterators', () => {
    assert.match(errors(program('bpf_map', '\tBPF_SEQ_PRINTF(seq, "%llu", bpf_ktime_get_coarse_ns());'))[0] ?? '', /^BPF2012: .*cannot use helper bpf_ktime_get_coarse_ns#160/);
    const sockopt = '\tint v = 0;\n\tbpf_getsockopt(SOCK, 1, 7, &v, sizeof(v));';
    assert.deepStrictEqual(errors(program('unix', sockopt.replace('SOCK', 'ctx->unix_sk'))), []);
    assert.deepStrictEqual(errors(program('tcp', sockopt.replace('SOCK', 'ctx->sk_common'))), []);
    assert.match(errors(program('udp', sockopt.replace('SOCK', 'ctx->udp_sk')))[0] ?? '', /^BPF2012: .*bpf_getsockopt#57/);
  });

  it('a might_sleep helper needs iter.s: "helper call might sleep in a non-sleepable prog"', () => {
    const body = '\tchar buf[8];\n\tbpf_copy_from_user(buf, sizeof(buf), (void *)0x1000);';
    assert.match(errors(program('task', body))[0] ?? '', /^BPF2040: .*helper call might sleep in a non-sleepable prog/);
    assert.deepStrictEqual(errors(program('task', body, 'iter.s')), []);
  });

  it('the sleepable kfunc bpf_copy_from_user_task_str() needs iter.s (EACCES), a trusted task that is not NULL and not walked (measured on 6.18)', () => {
    const decl = 'extern int bpf_copy_from_user_task_str(void *dst, __u32 dst__sz, const void *unsafe_ptr__ign, struct task_struct *tsk, __u64 flags) __weak __ksym;\n';
    const text = (body: string, section = 'iter') => program('task', body, section).replace(`SEC("${section}/task")`, `${decl}SEC("${section}/task")`);
    const ok = '\tstruct task_struct *t = ctx->task;\n\tchar a[16];\n\tif (!t || !t->mm) return 0;\n\tint r = bpf_copy_from_user_task_str(a, sizeof(a), (void *)t->mm->arg_start, t, 1);\n\tBPF_SEQ_PRINTF(seq, "%d %s", r, a);';
    assert.deepStrictEqual(errors(text(ok, 'iter.s')), []);
    assert.match(errors(text(ok))[0] ?? '', /^BPF2091: .*program must be sleepable to call sleepable kfunc bpf_copy_from_user_task_str/);
    // measured: "Possibly NULL pointer passed to trusted arg3", "R4 must be referenced or trusted"
    // (each program reads a task field: without one clang emits task_struct as a BTF forward declaration and libbpf refuses
    // the kfunc's prototype before the verifier runs, BPF2066)
    assert.strictEqual(errors(text('\tchar a[8] = {};\n\tstruct task_struct *c = ctx->task;\n\tif (c) BPF_SEQ_PRINTF(seq, "%d", c->pid);\n\tbpf_copy_from_user_task_str(a, sizeof(a), (void *)0, ctx->task, 0);', 'iter.s')).length, 1);
    assert.strictEqual(errors(text('\tchar a[8] = {};\n\tstruct task_struct *t = ctx->task;\n\tif (!t) return 0;\n\tbpf_copy_from_user_task_str(a, sizeof(a), (void *)0, t->real_parent, 0);', 'iter.s')).length, 1);
    // a size past the buffer is refused as for a helper's memory argument
    assert.strictEqual(errors(text('\tchar a[8] = {};\n\tstruct task_struct *t = ctx->task;\n\tif (!t) return 0;\n\tbpf_copy_from_user_task_str(a, 16, (void *)0, t, 0);\n\tBPF_SEQ_PRINTF(seq, "%d", t->pid);', 'iter.s')).length, 1);
  });

  it('the LSM-only file kfuncs are refused in iterators: "calling kernel function %s is not allowed" (measured on 6.18)', () => {
    const decls = 'extern struct file *bpf_get_task_exe_file(struct task_struct *task) __ksym;\nextern void bpf_put_file(struct file *file) __ksym;\n';
    const body = '\tstruct task_struct *t = ctx->task;\n\tif (!t || t->pid != 1) return 0;\n\tstruct file *f = bpf_get_task_exe_file(t);\n\tif (!f) return 0;\n\tBPF_SEQ_PRINTF(seq, "%s", f->f_path.dentry->d_name.name);\n\tbpf_put_file(f);';
    const errs = errors(program('task', body).replace('SEC("iter/task")', `${decls}SEC("iter/task")`));
    assert.match(errs[0] ?? '', /^BPF2092: .*calling kernel function bpf_get_task_exe_file is not allowed/);
    // a kfunc this table does not know stays the warning BPF2042
    const other = program('task', '\tstruct task_struct *t = ctx->task;\n\tif (!t || t->pid != 1) return 0;\n\tbpf_some_kfunc(t);').replace('SEC("iter/task")', 'extern void bpf_some_kfunc(struct task_struct *t) __ksym;\nSEC("iter/task")');
    assert.deepStrictEqual(errors(other), []);
  });

  it('a helper the checker does not model is a warning on the call, never an error (bpf_per_cpu_ptr, bpf_ringbuf_reserve)', () => {
    const text = program('bpf_map', '\tlong *p = bpf_per_cpu_ptr(&sk_store, 0);\n\tif (p) BPF_SEQ_PRINTF(seq, "%ld", *p);');
    assert.deepStrictEqual(errors(text), []);
    assert.ok(diagnostics(text, 2).some((d) => /^BPF2041: bpf-iter-lab does not model bpf_per_cpu_ptr/.test(d)), diagnostics(text, 2).join('\n'));
  });

  it('bpf_get_current_task_btf() is a trusted task pointer, never NULL: its fields are read without a check', () => {
    assert.deepStrictEqual(errors(program('bpf_map', '\tstruct task_struct *t = bpf_get_current_task_btf();\n\tBPF_SEQ_PRINTF(seq, "%d", t->pid);')), []);
  });

  it('a kfunc the checker does not model (bpf_cpumask_create, bpf_cpumask_release) is a warning, never "unknown func"', () => {
    const text = program('task', '\tstruct task_struct *t = ctx->task;\n\tif (!t) return 0;\n\tstruct bpf_cpumask *m = bpf_cpumask_create();\n\tif (m) bpf_cpumask_release(m);')
      .replace('SEC("iter/task")', 'struct bpf_cpumask *bpf_cpumask_create(void) __ksym;\nvoid bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;\nSEC("iter/task")');
    assert.deepStrictEqual(errors(text), []);
    assert.strictEqual(diagnostics(text, 2).filter((d) => d.startsWith('BPF2042: bpf-iter-lab does not model the kfunc')).length, 2, diagnostics(text, 2).join('\n'));
  });

  it('the cgroup kfuncs it models (bpf_cgroup_from_id, bpf_cgroup_acquire, bpf_cgroup_release) need no warning; a leak is refused', () => {
    const decls = 'struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;\nstruct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;\nvoid bpf_cgroup_release(struct cgroup *cgrp) __ksym;\nSEC("iter/task")';
    const body = '\tstruct task_struct *t = ctx->task;\n\tif (!t) return 0;\n\tstruct cgroup *cg = bpf_cgroup_from_id(1);\n\tif (!cg) return 0;\n\tstruct cgroup *again = bpf_cgroup_acquire(cg);\n\tif (again) bpf_cgroup_release(again);';
    const text = program('task', `${body}\n\tbpf_cgroup_release(cg);`).replace('SEC("iter/task")', decls);
    assert.deepStrictEqual(errors(text), []);
    assert.deepStrictEqual(diagnostics(text, 2), []);
    assert.ok(errors(program('task', body).replace('SEC("iter/task")', decls)).some((d) => /bpf_cgroup_from_id\(\) returned is still held/.test(d)));
  });

  it('the task kfuncs it models (bpf_task_acquire/release, bpf_rcu_read_lock/unlock) need no warning', () => {
    const text = program('task', '\tstruct task_struct *t = ctx->task;\n\tif (!t || t->pid != 1) return 0;\n\tbpf_rcu_read_lock();\n\tstruct task_struct *held = bpf_task_acquire(t);\n\tif (held) bpf_task_release(held);\n\tbpf_rcu_read_unlock();')
      .replace('SEC("iter/task")', 'struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;\nvoid bpf_task_release(struct task_struct *p) __ksym;\nvoid bpf_rcu_read_lock(void) __ksym;\nvoid bpf_rcu_read_unlock(void) __ksym;\nSEC("iter/task")');
    assert.deepStrictEqual(errors(text), []);
    assert.deepStrictEqual(diagnostics(text, 2), []);
  });

  it('__builtin_btf_type_id (bpf_core_type_id_kernel) is a relocation, not a call: a warning that it is not simulated, no error', () => {
    const text = program('bpf_map', '\tunsigned long long id = __builtin_btf_type_id(*(struct bpf_map *)0, 1);\n\tBPF_SEQ_PRINTF(seq, "%llu", id);');
    assert.deepStrictEqual(errors(text), []);
    assert.ok(diagnostics(text, 2).some((d) => /^BPF1390: .*__builtin_btf_type_id/.test(d)), diagnostics(text, 2).join('\n'));
  });

  it('the warning is said only of code a run can reach: not in a tc program, nor in a helper only it calls', () => {
    const typeId = '__builtin_btf_type_id(*(struct bpf_map *)0, 1)';
    const helper = `static __always_inline unsigned long long map_type_id(void) { return ${typeId}; }\n`;
    const tc = `SEC("tc")\nint classify(struct __sk_buff *skb) { return (int)map_type_id() + (int)${typeId}; }\n`;
    const warnings = (text: string) => diagnostics(text, 2).filter((d) => d.startsWith('BPF1390'));
    // the iterator never calls the helper, the tc program does: nothing a run meets
    const beside = program('bpf_map', '	BPF_SEQ_PRINTF(seq, "%d", 1);').replace('SEC("iter/', `${helper}${tc}SEC("iter/`);
    assert.deepStrictEqual(errors(beside), []);
    assert.deepStrictEqual(warnings(beside), []);
    // the iterator calls the helper too: the warning is back, in the helper
    const shared = program('bpf_map', '	BPF_SEQ_PRINTF(seq, "%llu", map_type_id());').replace('SEC("iter/', `${helper}${tc}SEC("iter/`);
    assert.strictEqual(warnings(shared).length, 1, warnings(shared).join('\n'));
    // a file without any program keeps it: its functions may be one being written
    const noProgram = `#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n${helper.replace('static __always_inline ', '')}`;
    assert.strictEqual(warnings(noProgram).length, 1, warnings(noProgram).join('\n'));
  });

  it('so is BPF1399, a CO-RE access to a kernel struct the simulated kernel does not describe (a tracepoint\'s ___x flavor)', () => {
    const flavor = 'struct trace_event_raw_sys_enter___x { long id; } __attribute__((preserve_access_index));\n';
    const reader = 'int on_enter(struct trace_event_raw_sys_enter___x *ctx) { return ctx->id == 1; }\n';
    const coreWarnings = (text: string) => diagnostics(text, 2).filter((d) => d.startsWith('BPF1399'));
    const withTracepoint = program('bpf_map', '\tBPF_SEQ_PRINTF(seq, "%d", 1);').replace('SEC("iter/', `${flavor}SEC("tp/raw_syscalls/sys_enter")\n${reader}SEC("iter/`);
    assert.deepStrictEqual(errors(withTracepoint), []);
    assert.deepStrictEqual(coreWarnings(withTracepoint), []);
    const noProgram = `#include "vmlinux.h"\n${flavor}${reader}`;
    assert.strictEqual(coreWarnings(noProgram).length, 1, diagnostics(noProgram, 2).join('\n'));
  });
});

describe('lowering: __attribute__((cleanup(fn))) runs fn(&var) where the variable\'s scope is left (libbpf\'s bpf_for())', () => {
  // The shape of bpf_for() in libbpf's bpf_helpers.h: the iterator is declared in the for statement with a cleanup.
  const FOR_MACRO = `extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
#define num_for(i, start, end) for ( \\
	struct bpf_iter_num ___it __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))), \\
	*___p __attribute__((unused)) = (bpf_iter_num_new(&___it, (start), (end)), (void)bpf_iter_num_destroy, (void *)0); \\
	({ int *___t = bpf_iter_num_next(&___it); (___t && ((i) = *___t, 1)); }); )
`;
  const text = (body: string) => program('bpf_map', body).replace('SEC("iter/bpf_map")', `${FOR_MACRO}SEC("iter/bpf_map")`);
  it('the iterator of a for statement is destroyed when the loop ends, is broken out of, or the function returns inside it', () => {
    assert.deepStrictEqual(errors(text('\tint i = 0;\n\tlong sum = 0;\n\tnum_for(i, 0, 5) sum += i;\n\tBPF_SEQ_PRINTF(seq, "%ld", sum);')), []);
    assert.deepStrictEqual(errors(text('\tint i = 0;\n\tnum_for(i, 0, 5) { if (i == 2) break; }')), []);
    assert.deepStrictEqual(errors(text('\tint i = 0;\n\tnum_for(i, 0, 5) { if (i == 3) return 0; }')), []);
  });
  it('without the cleanup the iterator still leaks: the rule itself is kept', () => {
    const leaking = text('\tint i = 0;\n\tnum_for(i, 0, 5) {}').replace('cleanup(bpf_iter_num_destroy)', 'unused');
    assert.match(errors(leaking)[0] ?? '', /^BPF2485: /);
  });
  it('a run gets the sum the loop makes', async () => {
    const service = serviceFor(TARGET_FILES);
    const outcome = await service.run(FIXTURE_PATH, text('\tstruct bpf_map *m = ctx->map;\n\tint i = 0;\n\tlong sum = 0;\n\tif (!m) return 0;\n\tnum_for(i, 0, 5) sum += i;\n\tBPF_SEQ_PRINTF(seq, "%ld\\n", sum);'), {});
    assert.strictEqual(outcome.error, null, JSON.stringify(outcome.error));
    assert.match(Buffer.from(outcome.outputBytes).toString('utf8'), /^(10\n)+$/);
  });
});

describe('checker: each side of a short-circuit test is its own path', () => {
  const warnings = (text: string) => diagnostics(text, 2).filter((d) => d.startsWith('BPF2014'));
  const body = (test: string) => `\tstruct bpf_map *m = ctx->map;\n\tlong a, b;\n\tif (!m) return 0;\n\t${test}\n\tBPF_SEQ_PRINTF(seq, "%ld %ld", a, b);`;
  it('after `if (read(&a) || read(&b)) return`, both were written on the path that goes on', () => {
    assert.deepStrictEqual(warnings(program('bpf_map', body('if (bpf_probe_read_kernel(&a, 8, m) || bpf_probe_read_kernel(&b, 8, m)) return 0;'))), []);
  });
  it('after `if (read(&a) && read(&b)) return`, b may be unwritten where the first read failed', () => {
    assert.strictEqual(warnings(program('bpf_map', body('if (bpf_probe_read_kernel(&a, 8, m) && bpf_probe_read_kernel(&b, 8, m)) return 0;'))).length, 1);
  });
});

