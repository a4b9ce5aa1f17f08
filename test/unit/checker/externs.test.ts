import * as assert from 'assert';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/** Calls of functions without a body: what libbpf's bpf_object__open() resolves (measured with clang 14 and 6.18). */
describe('checker/externs: a call libbpf cannot resolve fails the open', () => {
  const program = (decls: string, call: string): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    decls,
    `SEC("iter/task") int p(struct bpf_iter__task *ctx) { struct task_struct *t = ctx->task; if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", ${call}); return 0; }`,
    '',
  ].join('\n');
  const found = (text: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text);
  const code = `BPF${Diagnostics.ExternNotResolved.code}`;
  it('an implicitly declared function: "failed to find BTF for extern" (ENOENT), not an indirect call', () => {
    const d = found(program('', 'foo_helper(t->pid)'));
    const e = d.filter((x) => x.code === code);
    assert.strictEqual(e.length, 1, JSON.stringify(d));
    assert.match(String(e[0].message), /failed to find BTF for extern 'foo_helper': -2/);
    assert.ok(!d.some((x) => /indirect call/.test(String(x.message))), JSON.stringify(d));
  });
  it('an extern function declared without __ksym: its extern is outside .ksyms', () => {
    const e = found(program('extern int foo_helper(int x);', 'foo_helper(t->pid)')).filter((x) => x.code === code);
    assert.strictEqual(e.length, 1);
    assert.match(String(e[0].message), /section: -2/);
  });
  it('a __ksym kfunc (even one the kernel lacks, which fails later, at load), a weak one, a defined function: not this error', () => {
    for (const [decls, call] of [
      ['extern int bpf_no_such_kfunc(int x) __ksym;', 'bpf_no_such_kfunc(t->pid)'],
      ['extern int bpf_no_such_kfunc(int x) __weak __ksym;', 'bpf_no_such_kfunc ? bpf_no_such_kfunc(t->pid) : 0'],
      ['int twice(int x);\nint twice(int x) { return 2 * x; }', 'twice(t->pid)'],
      ['static int twice(int x);\nstatic int twice(int x) { return 2 * x; }', 'twice(t->pid)'],
    ]) {
      const d = found(program(decls, call));
      assert.ok(!d.some((x) => x.code === code), `${decls}: ${JSON.stringify(d)}`);
    }
  });
  it('the same call outside the iterator (a tracepoint program, a global function) fails the open too; an uncalled static one is not emitted', () => {
    // measured: a raw_tp program beside the iterator calling an undeclared BPF_CORE_READ fails bpf_object__open()
    const around = (fn: string): string => program(fn, 't->pid');
    const tp = found(around('SEC("tracepoint/sched/sched_switch") int tp(void *c) { return foo_helper(1); }')).filter((x) => x.code === code);
    assert.strictEqual(tp.length, 1, JSON.stringify(tp));
    assert.match(String(tp[0].message), /failed to find BTF for extern 'foo_helper': -2/);
    assert.strictEqual(found(around('int unused_global(int x) { return foo_helper(x); }')).filter((x) => x.code === code).length, 1);
    assert.strictEqual(found(around('static int unused_static(int x) { return foo_helper(x); }')).filter((x) => x.code === code).length, 0);
    // reached from the iterator and from a tracepoint: reported once, by the iterator's check
    const both = 'static __noinline int h(int x) { return foo_helper(x); }\nSEC("tracepoint/x/y") int tp(void *c) { return h(1); }';
    assert.strictEqual(found(program(both, 'h(t->pid)')).filter((x) => x.code === code).length, 1);
  });
  it('a function with clang\'s error attribute (a compile-time assertion) is never in a built object: not this error, in or outside the iterator', () => {
    // tetragon's errmetrics: `if (!__builtin_constant_p(id) || !id) compile_error(...)`, where clang folds the id
    const assertion = 'extern void assertion_failed(void) __attribute__((__error__("add the file to the table")));\nstatic __always_inline int id_of(const char *s) { return s[0] == \'m\' ? 4 : 0; }';
    const folded = found(program(assertion, '({ int id = id_of("maps.c"); if (!__builtin_constant_p(id) || !id) assertion_failed(); id; })'));
    assert.deepStrictEqual(folded.filter((x) => x.severity === 1 || x.severity === 2), [], 'clang folds the condition: the call is gone');
    // a condition the checker cannot fold (a run-time value): clang fails the build unless it can; a warning, no error
    const open = found(program(assertion, '({ if (!__builtin_constant_p(t->pid)) assertion_failed(); 1; })'));
    assert.ok(!open.some((x) => x.code === code), JSON.stringify(open));
    const reached = open.filter((x) => x.code === `BPF${Diagnostics.CompileTimeErrorReached.code}`);
    assert.strictEqual(reached.length, 1, JSON.stringify(open));
    assert.strictEqual(reached[0].severity, 2, 'a warning');
    assert.match(String(reached[0].message), /assertion_failed\(\) carries clang's error attribute \("add the file to the table"\)/);
    // outside the iterators (nothing checks the path there): never reported
    const tp = found(program(`${assertion}\nSEC("tracepoint/x/y") int tp(void *c) { int n = ((long)c) & 3; if (!__builtin_constant_p(n)) assertion_failed(); return 0; }`, 't->pid'));
    assert.ok(!tp.some((x) => x.code === code || x.code === `BPF${Diagnostics.CompileTimeErrorReached.code}`), JSON.stringify(tp));
  });
  it('outside the iterators, only a call that certainly runs: clang folds away a case an inline helper never takes (Falco\'s syscall argument reader)', () => {
    const reader = 'static __always_inline long arg_of(int idx) { long a; switch (idx) { case 0: a = 1; break; case 5: a = PT_REGS_PARM6_UNDEFINED(0); break; default: a = 0; } return a; }';
    const tp = (body: string): string => program(`${reader}\nSEC("tracepoint/x/y") int tp(void *c) { ${body} }`, 't->pid');
    assert.deepStrictEqual(found(tp('return arg_of(0);')).filter((x) => x.code === code), []);
    // what certainly runs: in a do-while (0) body, before a return, in a helper called at the top
    for (const body of ['do { foo_helper(1); } while (0); return 0;', 'foo_helper(1); if (c) return 1; return 0;', 'return arg_of(0) + more();']) {
      const helper = body.includes('more()') ? 'static __always_inline long more(void) { return foo_helper(2); }\n' : '';
      const d = found(program(`${reader}\n${helper}SEC("tracepoint/x/y") int tp(void *c) { ${body} }`, 't->pid')).filter((x) => x.code === code);
      assert.strictEqual(d.length, 1, `${body}: ${JSON.stringify(d)}`);
    }
    // after a return that may happen, behind && or ?:: what clang may fold away is not said
    for (const body of ['if (c) return 1; foo_helper(1); return 0;', 'return c && foo_helper(1);', 'return c ? foo_helper(1) : 0;']) {
      assert.deepStrictEqual(found(tp(body)).filter((x) => x.code === code), [], body);
    }
  });
});
