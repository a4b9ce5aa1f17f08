import * as assert from 'assert';
import { checkIterProgram, CheckOptions } from '../../../server/src/lang/checker';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import type { Expr, IntType, IrFunction, Stmt } from '../../../server/src/lang/ir';
import { at, c, helper, stackAddr, globalAddr, expr, ret, program, if_, bin, loop, local, assign, ld, notNull, block, add, U64, U32, U32P, VOIDP } from './irBuilders';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/** The verifier's callback rules (bpf_loop, bpf_for_each_map_elem) and the numbers iterator's rules on hand-built IR. */
const mapT: CheckOptions = { target: 'bpf_map', cpus: 4, gplCompatible: true };
const fnAddr = (func: number, loc = at()): Expr => ({ op: 'funcAddr', target: { kind: 'subprog', func }, type: VOIDP, loc });
const param = (index: number, type: Expr['type']): Expr => ({ op: 'param', index, type, loc: at() } as Expr);

function callback(body: Stmt[], global = false): IrFunction {
  return {
    index: 1, name: 'cb', params: [0, 1], returnType: { kind: 'int', bits: 64, signed: true },
    locals: [{ id: 0, name: 'i', cType: '__u32', type: U64, isParam: true, loc: at() }, { id: 1, name: 'data', cType: 'void *', type: VOIDP, isParam: true, loc: at() }],
    slots: [], stackSize: 0, body: { op: 'block', body, loc: at() }, loc: at(), ...(global ? { global: true } : {}),
  };
}
const slot = { id: 0, offset: 0, size: 8, align: 8 };
const loopCall = (ctxArg: Expr = stackAddr(0), fn: Expr = fnAddr(1)): Stmt => expr(helper('bpf_loop', 181, [c(4, U64), fn, ctxArg, c(0, U64)]));
const codes = (p: ReturnType<typeof program>): number[] => checkIterProgram(p, 0, mapT).diagnostics.map((d) => d.code);

describe('checker/callbacks: bpf_loop and bpf_for_each_map_elem (set_loop_callback_state, prepare_func_exit)', () => {
  it('accepts a static callback returning 0 or 1 with a stack context', () => {
    const cb = callback([if_(bin('gt', param(0, U64), c(2, U64)), ret(c(1, U64))), ret(c(0, U64))]);
    assert.deepStrictEqual(codes(program({ target: 'bpf_map', slots: [slot], stackSize: 8, extraFunctions: [cb], body: [loopCall(), ret(c(0))] })), []);
  });
  it('rejects a callback returning 2 at its return, in the kernel\'s words', () => {
    const where = at();
    const cb = callback([ret(c(2, U64, where))]);
    const ds = checkIterProgram(program({ target: 'bpf_map', slots: [slot], stackSize: 8, extraFunctions: [cb], body: [loopCall(), ret(c(0))] }), 0, mapT).diagnostics;
    assert.deepStrictEqual(ds.map((d) => [d.code, d.pos]), [[Diagnostics.CallbackReturnOutOfRange.code, where.pos]]);
    assert.ok(ds[0].message.includes('At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]'), ds[0].message);
  });
  it('rejects a context that is not on the stack (R3 type=map_value expected=fp), a non-function and a global callback', () => {
    const ok = callback([ret(c(0, U64))]);
    const bss = program({ target: 'bpf_map', extraFunctions: [ok], sections: [{ name: '.bss', size: 8, readonly: false }], body: [loopCall(globalAddr('g', '.bss')), ret(c(0))] });
    assert.deepStrictEqual(codes(bss), [Diagnostics.CallbackCtxNotStack.code]);
    const notFn = program({ target: 'bpf_map', slots: [slot], stackSize: 8, extraFunctions: [ok], body: [loopCall(stackAddr(0), c(7, U64)), ret(c(0))] });
    assert.deepStrictEqual(codes(notFn), [Diagnostics.CallbackNotFunction.code]);
    const global = program({ target: 'bpf_map', slots: [slot], stackSize: 8, extraFunctions: [callback([ret(c(0, U64))], true)], body: [loopCall(), ret(c(0))] });
    assert.deepStrictEqual(codes(global), [Diagnostics.CallbackNotStatic.code]);
  });
  it('checks the callback body with the context the caller passed (an uninitialised stack read is found inside it)', () => {
    const cb = callback([expr(ld(param(1, VOIDP), 0, U64)), ret(c(0, U64))]);
    const ds = codes(program({ target: 'bpf_map', slots: [slot], stackSize: 8, extraFunctions: [cb], body: [loopCall(), ret(c(0))] }));
    assert.deepStrictEqual(ds, [Diagnostics.UninitializedStackRead.code]);
  });
});

describe('checker/iterators: bpf_iter_num_new/next/destroy (process_iter_arg, check_reference_leak)', () => {
  const it8 = { id: 0, offset: 0, size: 8, align: 8 };
  const newIt = (): Stmt => expr(helper('bpf_iter_num_new', -1, [stackAddr(0), c(0), c(3)]));
  const next = (): Expr => ({ op: 'callHelper', name: 'bpf_iter_num_next', helperId: -1, args: [stackAddr(0)], type: U32P, loc: at() });
  const destroy = (): Stmt => expr(helper('bpf_iter_num_destroy', -1, [stackAddr(0)]));
  const whileNext = (): Stmt => loop({ test: notNull(assign(1, next(), U32P)), body: block(expr(ld(local(1, U32P), 0))) });
  const prog = (body: Stmt[]) => program({ target: 'bpf_map', slots: [it8], stackSize: 8, locals: [{ id: 1, type: U32P }], body });

  it('accepts new, a loop on next() with its NULL check, destroy: the loop is bounded by the iterator', () => {
    assert.deepStrictEqual(codes(prog([newIt(), whileNext(), destroy(), ret(c(0))])), []);
  });
  it('rejects a missing destroy at the exit, next() before new, and a second new', () => {
    assert.deepStrictEqual(codes(prog([newIt(), whileNext(), ret(c(0))])), [Diagnostics.IterNotDestroyed.code]);
    assert.deepStrictEqual(codes(prog([whileNext(), ret(c(0))])), [Diagnostics.IterNotInitialized.code]);
    assert.deepStrictEqual(codes(prog([newIt(), newIt(), destroy(), ret(c(0))])), [Diagnostics.IterAlreadyInitialized.code]);
  });
  it('bounds an index by a test of *i: clang loads *i once for the test and the use (measured: loads); a store in between reloads it', () => {
    const buf = { id: 1, offset: 8, size: 16, align: 8 };
    const star = (): Expr => ld(local(1, U32P), 0, U32);
    const U8: IntType = { kind: 'int', bits: 8, signed: false };
    const body = (between: Stmt[]): Stmt[] => [newIt(), expr({ op: 'fill', dst: stackAddr(1), byte: 0, size: 16, type: { kind: 'void' }, loc: at() }),
      loop({ test: notNull(assign(1, next(), U32P)), body: block(
        if_(bin('ge', star(), c(16, U32), U32), { op: 'break', loc: at() }),
        ...between,
        expr(ld(add(stackAddr(1), star()), 0, U8))) }),
      destroy(), ret(c(0))];
    const withBuf = (b: Stmt[]) => program({ target: 'bpf_map', slots: [it8, buf], stackSize: 24, locals: [{ id: 1, type: U32P }],
      sections: [{ name: '.bss', size: 8, readonly: false }], body: b });
    assert.deepStrictEqual(codes(withBuf(body([]))), []);
    const stored = codes(withBuf(body([expr({ op: 'store', ptr: globalAddr('g', '.bss'), offset: 0, size: 4, value: c(1), type: U32, loc: at() })])));
    assert.ok(stored.length > 0, 'a store between the test and the use: clang reloads *i, the bound is lost');
  });
  it('rejects reading next()\'s result without the NULL check', () => {
    assert.deepStrictEqual(codes(prog([newIt(), expr(ld(next(), 0)), destroy(), ret(c(0))])), [Diagnostics.NullDereference.code]);
  });
});

describe('checker/stack: combined stack along call chains, callbacks and statement expressions (check_max_stack_depth_subprog)', () => {
  const big = (size: number) => ({ id: 0, offset: 0, size, align: 8 });
  const withStack = (f: IrFunction, size: number): IrFunction => ({ ...f, slots: [big(size)], stackSize: size });
  const stackCodes = (mainSize: number, cbSize: number, body: Stmt[]) => checkIterProgram(program({ target: 'bpf_map', slots: [big(mainSize)],
    stackSize: mainSize, extraFunctions: [withStack(callback([ret(c(0, U64))]), cbSize)], body }), 0, mapT).diagnostics
    .filter((d) => d.code === Diagnostics.StackTooLarge.code);
  it('counts a bpf_loop callback as a call from the frame that passes it (measured: 320 + 224 is "combined stack size of 2 calls is 544")', () => {
    const where = at();
    const ds = stackCodes(320, 224, [loopCall(stackAddr(0), fnAddr(1, where)), ret(c(0))]);
    assert.deepStrictEqual(ds.map((d) => [d.pos, d.end]), [[where.pos, where.end]]);
    assert.ok(ds[0].message.includes('combined stack size of 2 calls is 544. Too large'), ds[0].message);
  });
  it('rounds each frame up to 16 bytes, not 32 (measured: 200 + 296 loads, 208 + 304 = 512)', () => {
    assert.deepStrictEqual(stackCodes(200, 296, [loopCall(), ret(c(0))]), []);
    assert.strictEqual(stackCodes(200, 312, [loopCall(), ret(c(0))]).length, 1);
  });
  it('finds a call inside a statement expression', () => {
    const where = at();
    const call: Expr = { op: 'call', func: 1, args: [c(0, U64), stackAddr(0)], type: U64, loc: where };
    const inStmtExpr: Expr = { op: 'stmtExpr', body: block(expr(call)), value: c(0, U64), type: U64, loc: at() };
    const ds = stackCodes(320, 224, [expr(inStmtExpr), ret(c(0))]);
    assert.deepStrictEqual(ds.map((d) => d.pos), [where.pos]);
    assert.ok(ds[0].message.includes('combined stack size of 2 calls is 544'), ds[0].message);
  });
  it('does not count a timer callback, which runs on a stack of its own (is_async_cb)', () => {
    const timer = expr(helper('bpf_timer_set_callback', 170, [stackAddr(0), fnAddr(1)]));
    assert.deepStrictEqual(stackCodes(320, 224, [timer, ret(c(0))]), []);
  });
});

describe('checker/iterators: bpf_for() assigns its variable in the loop test (libbpf bpf_helpers.h)', () => {
  // libbpf's bpf_for(): the test is `({ int *t = bpf_iter_num_next(&it); t && ((i) = *t, i >= start && i < end); })`,
  // so the body runs only where `i` was assigned; clang and the kernel (6.18) load it
  const text = [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    'extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;',
    'extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;',
    'extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;',
    '#define for_num(i, start, end) for (struct bpf_iter_num ___it __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))), \\',
    '  *___p __attribute__((unused)) = (bpf_iter_num_new(&___it, (start), (end)), (void)bpf_iter_num_destroy, (void *)0); \\',
    '  ({ int *___t = bpf_iter_num_next(&___it); (___t && ((i) = *___t, (i) >= (start) && (i) < (end))); }); )',
    'SEC("iter/task") int p(struct bpf_iter__task *ctx) {',
    '  struct task_struct *t = ctx->task; char comm[16]; int i, n = 0;',
    '  if (!t) return 0;',
    '  __builtin_memcpy(comm, t->comm, sizeof(comm));',
    '  for_num(i, 0, 16) { if (comm[i] == 0) break; n++; }',
    '  BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d\\n", t->pid, n);',
    '  return 0;',
    '}',
    '',
  ].join('\n');
  it('reports no use of `i` before assignment, and nothing else', () => {
    const diagnostics = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text);
    assert.deepStrictEqual(diagnostics.map((d) => `${d.code} ${d.message}`), []);
  });
  it('still warns when the assignment is in the left operand of || (the body may run without it)', () => {
    const bad = text.replace('(___t && ((i) = *___t, (i) >= (start) && (i) < (end)))', '(!___t || ((i) = *___t, 0))');
    const diagnostics = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, bad);
    assert.ok(diagnostics.some((d) => d.code === `BPF${Diagnostics.UninitializedLocal.code}`), JSON.stringify(diagnostics));
  });
});

describe('checker/callbacks: bpf_find_vma (set_find_vma_callback_state), measured on 6.18', () => {
  const program = (cb: string, call: string): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    'char path[64];',
    `static long cb(struct task_struct *task, struct vm_area_struct *vma, void *data) { ${cb} return 0; }`,
    `SEC("iter/task") int p(struct bpf_iter__task *ctx) { struct task_struct *t = ctx->task; __u64 size = 0; if (!t || t->pid != t->tgid || !t->mm) return 0; ${call} return 0; }`,
    '',
  ].join('\n');
  const errors = (text: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1).map((d) => d.code);
  it('loads: the callback reads the vma and writes its context on the stack', () => {
    assert.deepStrictEqual(errors(program('__u64 *out = data; *out = vma->vm_end - vma->vm_start;', 'if (bpf_find_vma(t, t->mm->start_stack, cb, &size, 0)) return 0;')), []);
  });
  it('refused: bpf_d_path of the vma\'s file (vma is a plain PTR_TO_BTF_ID, vm_file loaded from it untrusted)', () => {
    assert.deepStrictEqual(errors(program('struct file *f = vma->vm_file; if (!f) return 0; bpf_d_path(&f->f_path, path, sizeof(path));', 'bpf_find_vma(t, t->mm->start_code, cb, &size, 0);')),
      [`BPF${Diagnostics.HelperArgUntrusted.code}`]);
  });
  it('refused: a context that is not on the stack ("R4 type=trusted_ptr_ expected=fp")', () => {
    const codes = errors(program('', 'bpf_find_vma(t, t->mm->start_code, cb, ctx->meta->seq, 0);'));
    assert.deepStrictEqual(codes, [`BPF${Diagnostics.CallbackCtxNotStack.code}`]);
  });
  it('refused: ctx->task named again after the check of the local (clang loads it again: "R1 type=trusted_ptr_or_null_ expected=ptr_, trusted_ptr_, rcu_ptr_"); the checked local loads', () => {
    assert.deepStrictEqual(errors(program('', 'bpf_find_vma(ctx->task, t->mm->start_code, cb, &size, 0);')), [`BPF${Diagnostics.HelperBtfArgMaybeNull.code}`]);
    assert.deepStrictEqual(errors(program('', 'if (!ctx->task) return 0; bpf_find_vma(ctx->task, t->mm->start_code, cb, &size, 0);')), [`BPF${Diagnostics.HelperBtfArgMaybeNull.code}`]);
    assert.deepStrictEqual(errors(program('', 'bpf_find_vma(t, t->mm->start_code, cb, &size, 0);')), []);
  });
});

describe('checker/helpers: ARG_PTR_TO_BTF_ID takes no maybe-NULL pointer, ARG_PTR_TO_BTF_ID_OR_NULL does (check_reg_type()), measured on 6.18', () => {
  const program = (sec: string, call: string): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    'struct { __uint(type, 29 /* BPF_MAP_TYPE_TASK_STORAGE */); __uint(map_flags, 1 /* BPF_F_NO_PREALLOC */); __type(key, int); __type(value, __u64); } st SEC(".maps");',
    `SEC("${sec}") int p(struct bpf_iter__task *ctx) { if (!ctx->task) return 0; ${call} return 0; }`,
    '',
  ].join('\n');
  const errors = (text: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1).map((d) => [d.code, String(d.message).replace(/.*Verifier: /, '')]);
  const refused = (reg: number) => [[`BPF${Diagnostics.HelperBtfArgMaybeNull.code}`, `"R${reg} type=trusted_ptr_or_null_ expected=ptr_, trusted_ptr_, rcu_ptr_"`]];
  it('refused: bpf_get_task_stack(), bpf_task_pt_regs(), bpf_copy_from_user_task() of ctx->task loaded again', () => {
    assert.deepStrictEqual(errors(program('iter/task', '__u64 b[4]; bpf_get_task_stack(ctx->task, b, sizeof(b), 0);')), refused(1));
    assert.deepStrictEqual(errors(program('iter/task', 'bpf_task_pt_regs(ctx->task);')), refused(1));
    assert.deepStrictEqual(errors(program('iter.s/task', 'char b[4]; bpf_copy_from_user_task(b, 4, 0, ctx->task, 0);')), refused(4));
  });
  it('loads: bpf_task_storage_get() and bpf_task_storage_delete() of ctx->task loaded again, or of NULL', () => {
    assert.deepStrictEqual(errors(program('iter/task', 'bpf_task_storage_get(&st, ctx->task, 0, 0);')), []);
    assert.deepStrictEqual(errors(program('iter/task', 'bpf_task_storage_delete(&st, ctx->task);')), []);
    assert.deepStrictEqual(errors(program('iter/task', 'bpf_task_storage_get(&st, 0, 0, 0);')), []);
  });
});
