import * as assert from 'assert';
import { checkIterProgram, CheckOptions } from '../../../server/src/lang/checker';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import type { IrFunction } from '../../../server/src/lang/ir';
import type { Expr, IntType, Stmt } from '../../../server/src/lang/ir';
import { S32 } from '../../../server/src/lang/ir';

const U8: IntType = { kind: 'int', bits: 8, signed: false };
import {
  at, c, ctx, lp, ld, st, local, assign, add, not, helper, mapAddr, if_, ret, decl, expr, program, K, V, M, seq, U64, U32,
  bin, loop, stackAddr, globalAddr, block, brk, cond, VOIDP,
} from './irBuilders';
import { codes, only, assertAt } from './nullness.test';

const elem: CheckOptions = { target: 'bpf_map_elem', cpus: 4, gplCompatible: true };
const mapT: CheckOptions = { target: 'bpf_map', cpus: 4, gplCompatible: true };
const I32 = S32;

describe('checker/returnValue: R0 must be in [0, 1] (check_return_code)', () => {
  it('accepts return 0 and return 1', () => {
    assert.deepStrictEqual(codes(program({ body: [if_(bin('gt', helper('bpf_get_prandom_u32', 7, []), c(3)), ret(c(1))), ret(c(0))] })), []);
  });
  it('rejects return 2 with "smin=2 smax=2" at the returned expression', () => {
    const loc = at();
    const d = only(program({ body: [ret(c(2, S32, loc))] }));
    assert.strictEqual(d.code, Diagnostics.ReturnValueOutOfRange.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]'), d.message);
  });
  it('rejects return -1', () => {
    const d = only(program({ body: [ret(c(-1))] }));
    assert.ok(d.message.includes('smin=-1 smax=-1'), d.message);
  });
  it('rejects returning a u32 read from the value with its known bounds (zero-extending load)', () => {
    const ir = program({ locals: [{ id: 2 }], body: [decl(2, V()), if_(not(local(2)), ret(c(0))), ret(ld(local(2), 0, U32))] });
    const d = only(ir);
    assert.ok(d.message.includes('has smin=0 smax=4294967295 should'), d.message);
  });
  it('rejects returning a helper result as "unknown scalar value" (measured: return bpf_get_prandom_u32())', () => {
    const d = only(program({ body: [ret({ op: 'convert', operand: helper('bpf_get_prandom_u32', 7, []), type: S32, loc: at() })] }));
    assert.ok(d.message.includes('R0 has unknown scalar value should have been in [0, 1]'), d.message);
  });
  it('accepts a masked value: return x & 1', () => {
    assert.deepStrictEqual(codes(program({ body: [ret(bin('and', helper('bpf_get_prandom_u32', 7, []), c(1), U32))] })), []);
  });
  it('accepts a comparison result: return a < b', () => {
    assert.deepStrictEqual(codes(program({ body: [ret(bin('lt', helper('bpf_get_prandom_u32', 7, []), c(10)))] })), []);
  });
  it('checks each return separately: the one returning 3 is reported, at its loc', () => {
    const loc = at();
    const d = only(program({ body: [if_(bin('gt', helper('bpf_get_prandom_u32', 7, []), c(3)), ret(c(3, S32, loc))), ret(c(0))] }));
    assertAt(d, loc);
  });
  it('reports a return inside a loop once, with the range over all iterations', () => {
    const loc = at();
    const ir = program({ locals: [{ id: 3, type: I32 }], body: [loop({ init: decl(3, c(0)), test: bin('lt', local(3, I32), c(4)),
      update: assign(3, bin('add', local(3, I32), c(1)), I32),
      body: if_(bin('gt', helper('bpf_get_prandom_u32', 7, []), c(9)), ret(local(3, I32, loc))) }), ret(c(0))] });
    const d = only(ir);
    assertAt(d, loc);
    assert.ok(d.message.includes('has smin=0 smax=3 should'), d.message);
  });
  it('prog-ret-1: returning a rodata-controlled 1 or 0 is accepted', () => {
    const ir = program({ body: [ret(cond(ld(globalAddr('ret1', '.rodata'), 0, U32), c(1), c(0)))],
      sections: [{ name: '.rodata', size: 8, readonly: true }] });
    assert.deepStrictEqual(codes(ir, mapT), []);
  });
});

describe('checker/loops: bounded loops only (check_cfg, is_state_visited)', () => {
  const counted = (bound: ReturnType<typeof c>, step = 1, kind: 'lt' | 'gt' = 'lt', start = 0) => loop({
    init: decl(3, c(start)), test: bin(kind, local(3, I32), bound), update: assign(3, bin('add', local(3, I32), c(step)), I32),
    body: expr(helper('bpf_ktime_get_ns', 5, [])) });
  const L = [{ id: 3, type: I32 }, { id: 4, type: I32 }];

  it('accepts for (i = 0; i < 16; i++)', () => {
    assert.deepStrictEqual(codes(program({ locals: L, body: [counted(c(16)), ret(c(0))] })), []);
  });
  it('accepts a counting-down loop for (i = 10; i > 0; i--)', () => {
    assert.deepStrictEqual(codes(program({ locals: L, body: [counted(c(0), -1, 'gt', 10), ret(c(0))] })), []);
  });
  it('rejects while (1) {} as "infinite loop detected" at the loop', () => {
    const loc = at();
    const d = only(program({ body: [loop({ test: c(1), body: expr(helper('bpf_ktime_get_ns', 5, [])) }, loc), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.InfiniteLoop.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('infinite loop detected'));
  });
  it('rejects a loop whose counter moves away from the bound', () => {
    const d = only(program({ locals: L, body: [counted(c(16), -1), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.UnboundedLoop.code);
    assert.ok(d.message.includes('moves away'), d.message);
  });
  it('rejects a loop bounded by an unknown u32 (measured on 6.18: "BPF program is too large. Processed 1000001 insn")', () => {
    const d = only(program({ locals: L, body: [decl(4, helper('bpf_get_prandom_u32', 7, [])), counted(local(4, I32) as ReturnType<typeof c>), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.UnboundedLoop.code);
    assert.ok(d.message.includes('BPF program is too large. Processed 1000001 insn'));
  });
  it('accepts a loop bounded by an unknown value clamped to 64', () => {
    const ir = program({ locals: L, body: [decl(4, bin('and', helper('bpf_get_prandom_u32', 7, []), c(63), U32)), counted(local(4, I32) as ReturnType<typeof c>), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });
  it('accepts while (1) { if (i >= 8) break; i++; }', () => {
    const ir = program({ locals: L, body: [decl(3, c(0)), loop({ test: c(1), body: block(if_(bin('ge', local(3, I32), c(8)), brk()), expr(assign(3, bin('add', local(3, I32), c(1)), I32))) }), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });
  it('warns (cannot prove, does not claim a rejection) on a loop that changes its counter by a non-constant amount', () => {
    const loc = at();
    const ir = program({ locals: L, body: [loop({ init: decl(3, c(0)), test: bin('lt', local(3, I32), c(8)),
      body: expr(assign(3, helper('bpf_get_prandom_u32', 7, []), I32)) }, loc), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.LoopBoundNotProven.code);
    assert.strictEqual(d.category, 'warning');
    assertAt(d, loc);
    assert.ok(d.message.includes('the loop counter does not change by a constant step'), d.message);
  });
  it('accepts a do-while with a counter', () => {
    const ir = program({ locals: L, body: [decl(3, c(0)), loop({ test: bin('lt', local(3, I32), c(4)), testFirst: false,
      body: expr(assign(3, bin('add', local(3, I32), c(1)), I32)) }), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });
});

describe('checker/stack: 512 bytes combined (check_max_stack_depth_subprog)', () => {
  const callee = (index: number, stackSize: number, body = ret(c(0))): IrFunction => ({
    index, name: `f${index}`, params: [], returnType: S32, locals: [], slots: [], stackSize, body: block(body), loc: at() });
  // measured with clang 14 -O2 -target bpf: `char buf[504]` builds, buf[505], buf[508], buf[511] and buf[512] stop the
  // backend ("Looks like the BPF stack limit of 512 bytes is exceeded")
  it('accepts a 504-byte frame; clang refuses 505 and 512 bytes (a slot 512 bytes below the frame pointer)', () => {
    assert.deepStrictEqual(codes(program({ stackSize: 504, body: [ret(c(0))] })), []);
    assert.deepStrictEqual(codes(program({ stackSize: 505, body: [ret(c(0))] })), [Diagnostics.FrameTooLargeForClang.code]);
    assert.deepStrictEqual(codes(program({ stackSize: 512, body: [ret(c(0))] })), [Diagnostics.FrameTooLargeForClang.code]);
  });
  it('a 520-byte frame is clang\'s error at the function: its BPF backend stops the build before any verifier', () => {
    const ir = program({ stackSize: 520, body: [ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.FrameTooLargeForClang.code);
    assertAt(d, ir.functions[0].loc);
    assert.ok(d.message.includes('520 bytes') && d.message.includes('Looks like the BPF stack limit of 512 bytes is exceeded'), d.message);
  });
  describe('the frame clang keeps (stackSlices.ts: SROA drops the bytes of a non-escaping array nothing reaches)', () => {
    // char name[600]: 8 bytes set, read through an inlined helper's parameter (measured: loads)
    const big = { id: 0, offset: 0, size: 600, align: 1, local: 1 };
    const reader = (): IrFunction => ({ index: 1, name: 'first', params: [0], returnType: S32, slots: [], stackSize: 0,
      locals: [{ id: 0, name: 'n', cType: 'const char *', type: VOIDP, isParam: true, loc: at() }],
      body: block(ret(ld(add(local(0), c(1)), 0, U8))), loc: at() });
    const copyIn = (): Stmt => expr({ op: 'fill', dst: stackAddr(0), byte: 0x62, size: 8, type: { kind: 'void' }, loc: at() });
    const callReader = (arg: Expr): Stmt => expr({ op: 'call', func: 1, args: [arg], type: S32, loc: at() });
    it('accepts 600 declared bytes of which 8 are used at constant offsets, through a called function too', () => {
      const ir = program({ stackSize: 600, slots: [big], body: [copyIn(), callReader(stackAddr(0)),
        expr(ld(stackAddr(0), 5, U8)), ret(c(0))], extraFunctions: [reader()] });
      assert.deepStrictEqual(codes(ir), []);
    });
    it('still rejects the same array handed to a helper (it escapes: clang keeps all 600 bytes)', () => {
      const ir = program({ stackSize: 600, slots: [big], body: [copyIn(),
        expr(helper('bpf_probe_read_kernel_str', 115, [stackAddr(0), c(600), c(0, U64)])), ret(c(0))] });
      assert.deepStrictEqual(codes(ir), [Diagnostics.FrameTooLargeForClang.code]);
    });
    it('still rejects it read at a variable index, or at an offset a called function does not keep constant', () => {
      const variable = program({ stackSize: 600, slots: [big], locals: [{ id: 2, type: S32 }], body: [copyIn(),
        decl(2, bin('and', helper('bpf_get_prandom_u32', 7, []), c(7, U64), S32)), expr(ld(add(stackAddr(0), local(2, S32)), 0, U8)), ret(c(0))] });
      assert.deepStrictEqual(codes(variable), [Diagnostics.FrameTooLargeForClang.code]);
      const stored = reader();
      stored.body = block(expr(assign(0, add(local(0), c(1)))), ret(c(0)));
      const escapesInCallee = program({ stackSize: 600, slots: [big], body: [copyIn(), callReader(stackAddr(0)), ret(c(0))],
        extraFunctions: [stored] });
      assert.deepStrictEqual(codes(escapesInCallee), [Diagnostics.FrameTooLargeForClang.code]);
    });
  });
  it('rejects 300 + 300 bytes along a call, at the call', () => {
    const callLoc = at();
    const ir = program({ stackSize: 300, body: [expr({ op: 'call', func: 1, args: [], type: S32, loc: callLoc }), ret(c(0))], extraFunctions: [callee(1, 300)] });
    const d = only(ir);
    assertAt(d, callLoc);
    assert.ok(d.message.includes('combined stack size of 2 calls is 608'), d.message);
  });
  it('rejects recursion as too deep a call chain', () => {
    const ir = program({ body: [expr({ op: 'call', func: 0, args: [ctx()], type: S32, loc: at() }), ret(c(0))] });
    assert.ok(codes(ir).includes(Diagnostics.CallTooDeep.code));
  });
  it('analyses callees with the caller\'s arguments: a checked key passed to a subprogram is fine', () => {
    const fn: IrFunction = { index: 1, name: 'read_key', params: [7], returnType: S32, slots: [], stackSize: 0, loc: at(),
      locals: [{ id: 7, name: 'k', cType: 'void *', type: VOIDP, isParam: true, loc: at() }],
      body: block(expr(ld(local(7), 0)), ret(c(0))) };
    const ir = program({ locals: [{ id: 1 }], body: [decl(1, K()), if_(not(local(1)), ret(c(0))),
      expr({ op: 'call', func: 1, args: [local(1)], type: S32, loc: at() }), ret(c(0))], extraFunctions: [fn] });
    const r = checkIterProgram(ir, 0, elem);
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdonlyAccess, 4);
  });
  it('and reports an unchecked key dereferenced in the callee at the callee\'s load', () => {
    const loc = at();
    const fn: IrFunction = { index: 1, name: 'read_key', params: [7], returnType: S32, slots: [], stackSize: 0, loc: at(),
      locals: [{ id: 7, name: 'k', cType: 'void *', type: VOIDP, isParam: true, loc: at() }],
      body: block(expr(ld(local(7), 0, U32, loc)), ret(c(0))) };
    const ir = program({ body: [expr({ op: 'call', func: 1, args: [K()], type: S32, loc: at() }), ret(c(0))], extraFunctions: [fn] });
    assertAt(only(ir), loc);
  });
});

describe('checker/attach: sleepable programs on map targets', () => {
  it('a sleepable elem dump: iter.s/bpf_map_elem attaches with EINVAL', () => {
    const ir = program({ body: [ret(c(0))] });
    ir.entries[0].sleepable = true;
    const r = checkIterProgram(ir, 0, elem);
    assert.deepStrictEqual(r.diagnostics.map((d) => d.code), [Diagnostics.AttachSleepableNotSupported.code]);
    assert.strictEqual(r.attachError?.errno, 'EINVAL');
    assert.deepStrictEqual(r.attachError?.loc, ir.functions[0].loc);
  });
});

describe('checker/robust defaults: missing facts never invent errors', () => {
  it('a lookup in a map the IR does not define tracks nullness but no bounds', () => {
    const loc = at();
    const ir = program({ locals: [{ id: 1 }], slots: [{ id: 0, offset: 0, size: 8, align: 8 }], stackSize: 8, body: [
      expr(st(stackAddr(0), 0, 8, c(0))), decl(1, helper('bpf_map_lookup_elem', 1, [mapAddr('elsewhere'), stackAddr(0)])),
      expr(ld(local(1), 64, U64, loc)), if_(not(local(1)), ret(c(0))), expr(ld(local(1), 64, U64)), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
  });
  it('a global whose section is unknown has no bounds check', () => {
    assert.deepStrictEqual(codes(program({ body: [expr(ld(globalAddr('x', '.data.custom', 100), 0, U64)), ret(c(0))] })), []);
  });
  it('a subprogram that receives ctx through `param` reads ctx fields like the entry', () => {
    const loc = at();
    const fn: IrFunction = { index: 1, name: 'sub', params: [7], returnType: S32, slots: [], stackSize: 0, loc: at(),
      locals: [{ id: 7, name: 'c', cType: 'void *', type: VOIDP, isParam: true, loc: at() }],
      body: block(expr(ld(lp({ op: 'param', index: 0, type: VOIDP, loc: at() }, 16), 0, U32, loc)), ret(c(0))) };
    const ir = program({ body: [expr({ op: 'call', func: 1, args: [ctx()], type: S32, loc: at() }), ret(c(0))], extraFunctions: [fn] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
  });
  it('a switch joins its cases: the key is checked only in case 1, so the read after it is rejected', () => {
    const loc = at();
    const ir = program({ locals: [{ id: 1 }], body: [decl(1, K()),
      { op: 'switch', test: helper('bpf_get_prandom_u32', 7, []), loc: at(), cases: [
        { values: [1n], body: [if_(not(local(1)), ret(c(0))), brk()], loc: at() },
        { values: 'default', body: [brk()], loc: at() }] },
      expr(ld(local(1), 0, U32, loc)), ret(c(0))] });
    const d = only(ir);
    assertAt(d, loc);
  });
});

describe('checker/helpers: helpers allowed for BPF_TRACE_ITER (tracing_prog_func_proto)', () => {
  it('rejects a helper id past the last one with the kernel\'s "invalid func unknown#%d" (measured on 6.18)', () => {
    const loc = at();
    const d = only(program({ body: [expr(helper('bpf_made_up', 999, [], loc)), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.UnknownHelper.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('invalid func unknown#999'), d.message);
  });
  it('rejects a networking helper with "program of this type cannot use helper"', () => {
    const d = only(program({ body: [expr(helper('bpf_skb_store_bytes', 9, [])), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.HelperNotAllowed.code);
    assert.ok(d.message.includes('program of this type cannot use helper bpf_skb_store_bytes#9'));
  });
  it('rejects GPL-only bpf_get_current_task in a non-GPL program', () => {
    const loc = at();
    const ir = program({ body: [expr(helper('bpf_get_current_task', 35, [], loc)), ret(c(0))] });
    const d = only(ir, { ...elem, gplCompatible: false });
    assert.strictEqual(d.code, Diagnostics.GplOnlyHelper.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('cannot call GPL-restricted function from non-GPL compatible program'));
  });
  it('rejects reading ctx->meta->seq in a non-GPL program before any helper, as Linux 6.18 does', () => {
    // measured: bpftool prog load of a "Proprietary" iter/bpf_map program calling bpf_seq_write(ctx->meta->seq, ...)
    const loc = at();
    const ir = program({ body: [expr(helper('bpf_seq_write', 127, [lp(lp(ctx(), 0), 0, loc), globalAddr('x', '.bss'), c(0)])), ret(c(0))] });
    const ds = checkIterProgram(ir, 0, { ...elem, gplCompatible: false }).diagnostics;
    assert.strictEqual(ds[0].code, Diagnostics.NonGplKernelStructAccess.code);
    assertAt(ds[0], loc);
    assert.ok(ds[0].message.includes("Cannot access kernel 'struct bpf_iter_meta' from non-GPL compatible program"), ds[0].message);
  });
  it('accepts bpf_ktime_get_ns in a non-GPL program', () => {
    assert.deepStrictEqual(codes(program({ body: [expr(helper('bpf_ktime_get_ns', 5, [])), ret(c(0))] }), { ...elem, gplCompatible: false }), []);
  });
  it('map_percpu_stats: bpf_map_sum_elem_count(map) after a NULL check is fine, before it is not', () => {
    const ok = program({ target: 'bpf_map', locals: [{ id: 1 }], body: [decl(1, M()), if_(not(local(1)), ret(c(0))),
      expr(helper('bpf_map_sum_elem_count', -1, [local(1)])), ret(c(0))] });
    assert.deepStrictEqual(codes(ok, mapT), []);
    const loc = at();
    const bad = program({ target: 'bpf_map', body: [expr(helper('bpf_map_sum_elem_count', -1, [lp(ctx(), 8, loc)])), ret(c(0))] });
    const d = only(bad, mapT);
    assert.strictEqual(d.code, Diagnostics.NullPassedToTrustedKfuncArg.code);
    assertAt(d, loc);
  });
});

describe('checker/uninit and read-only memory', () => {
  const slot = [{ id: 0, offset: 0, size: 16, align: 8 }];
  const sLocals = [{ id: 9, slot: 0, name: 'buf' }];
  it('warns (privileged loaders may read uninitialised stack) on a slot never written: "invalid read from stack off"', () => {
    const loc = at();
    const d = only(program({ slots: slot, stackSize: 16, locals: sLocals, body: [decl(9), expr(ld(stackAddr(0), 8, U64, loc)), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.UninitializedStackRead.code);
    assert.strictEqual(d.category, 'warning');
    assertAt(d, loc);
    assert.ok(d.message.includes('invalid read from stack off -8+0 size 8'), d.message);
  });
  it('accepts reading it after a store', () => {
    assert.deepStrictEqual(codes(program({ slots: slot, stackSize: 16, locals: sLocals, body: [decl(9), expr(st(stackAddr(0), 8, 8, c(1))), expr(ld(stackAddr(0), 8, U64)), ret(c(0))] })), []);
  });
  it('warns on a read initialised on only one path', () => {
    const ir = program({ slots: slot, stackSize: 16, locals: sLocals, body: [decl(9),
      if_(bin('gt', helper('bpf_get_prandom_u32', 7, []), c(1)), expr(st(stackAddr(0), 0, 4, c(1)))), expr(ld(stackAddr(0), 0, U32)), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), [Diagnostics.UninitializedStackRead.code]);
  });
  it('warns on BPF_SEQ_PRINTF data with an unwritten argument (root loads it; unprivileged: "invalid read from stack R4")', () => {
    const loc = at();
    const ir = program({ slots: slot, stackSize: 16, locals: sLocals, body: [decl(9), expr(st(stackAddr(0), 0, 8, c(1))),
      expr(helper('bpf_seq_printf', 126, [seq(), globalAddr('fmt', '.rodata'), c(4), { ...stackAddr(0), loc }, c(16)])), ret(c(0))],
      sections: [{ name: '.rodata', size: 4, readonly: true }] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.UninitializedStackHelperRead.code);
    assertAt(d, loc);
    assert.strictEqual(d.category, 'warning');
    assert.strictEqual(d.message, 'buf is passed to bpf_seq_printf, which reads it, before all of its 16 bytes are written; the helper sees stack garbage. An unprivileged verifier says: "invalid read from stack R4 off -16+8 size 16"');
  });
  it('accepts BPF_SEQ_PRINTF with all arguments stored and data NULL with zero length', () => {
    const ir = program({ slots: slot, stackSize: 16, locals: sLocals, body: [decl(9), expr(st(stackAddr(0), 0, 8, c(1))), expr(st(stackAddr(0), 8, 8, c(2))),
      expr(helper('bpf_seq_printf', 126, [seq(), globalAddr('fmt', '.rodata'), c(4), stackAddr(0), c(16)])),
      expr(helper('bpf_seq_printf', 126, [seq(), globalAddr('fmt', '.rodata'), c(4), { op: 'null', type: VOIDP, loc: at() }, c(0)])), ret(c(0))],
      sections: [{ name: '.rodata', size: 4, readonly: true }] });
    assert.deepStrictEqual(codes(ir), []);
  });
  it('warns on a scalar local read before assignment: "!read_ok"', () => {
    const loc = at();
    const d = only(program({ locals: [{ id: 3, type: I32 }], body: [decl(3), expr(bin('add', local(3, I32, loc), c(1))), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.UninitializedLocal.code);
    assert.strictEqual(d.category, 'warning');
    assertAt(d, loc);
  });
  it('rejects a write into .rodata: "write into map forbidden"', () => {
    const loc = at();
    const d = only(program({ sections: [{ name: '.rodata', size: 8, readonly: true }], body: [expr(st(globalAddr('num_cpus', '.rodata', 4), 0, 4, c(1), loc)), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.WriteIntoReadonlyMap.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('write into map forbidden, value_size=8 off=4 size=4'), d.message);
  });
  it('accepts writes into .bss and rejects reads past its end', () => {
    const loc = at();
    const ir = program({ sections: [{ name: '.bss', size: 8, readonly: false }], body: [expr(st(globalAddr('key_sum', '.bss'), 0, 8, c(1))), expr(ld(globalAddr('x', '.bss', 8), 0, U32, loc)), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.MapValueOutOfBounds.code);
    assert.ok(d.message.includes('value_size=8 off=8 size=4'));
  });
  it('rejects writing a struct bpf_map field, naming it from fieldNames', () => {
    const loc = at();
    const d = only(program({ body: [expr(st(M(), 64, 4, c(1), loc)), ret(c(0))] }), { ...elem, fieldNames: { 64: 'max_entries' } });
    assert.strictEqual(d.code, Diagnostics.WriteIntoKernelStruct.code);
    assertAt(d, loc);
    assert.ok(d.message.startsWith('map->max_entries is a kernel object'), d.message);
    assert.ok(d.message.includes('only read is supported'));
  });
  it('reads ctx + 8 as ctx->map: clang folds the constant into the load (measured on 6.18: *(struct bpf_map **)((char *)ctx + 8) loads)', () => {
    assert.deepStrictEqual(codes(program({ body: [expr(lp(add(ctx(), c(8)), 0)), ret(c(0))] }), mapT), []);
  });
  it('rejects a ctx read past struct bpf_iter__bpf_map through an offset (btf_ctx_access: "invalid bpf_context access off=16 size=8")', () => {
    const loc = at();
    const d = only(program({ body: [expr(lp(add(ctx(), c(8)), 8, loc)), ret(c(0))] }), mapT);
    assert.strictEqual(d.code, Diagnostics.CtxAccessOutOfRange.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('invalid bpf_context access off=16 size=8'), d.message);
    // the same offset is ctx->key for bpf_map_elem
    assert.deepStrictEqual(codes(program({ body: [expr(lp(add(ctx(), c(8)), 8)), ret(c(0))] }), elem).filter((x) => x === Diagnostics.CtxAccessOutOfRange.code), []);
  });
  it('rejects a 4-byte ctx read ("invalid bpf_context access off=8 size=4") and a variable ctx offset', () => {
    assert.ok(only(program({ body: [expr(ld(ctx(), 8, U32)), ret(c(0))] }), mapT).message.includes('invalid bpf_context access off=8 size=4'));
    const idx = bin('and', helper('bpf_get_prandom_u32', 7, []), c(1));
    const d = only(program({ body: [expr(lp(add(ctx(), idx, 8), 0)), ret(c(0))] }), mapT);
    assert.strictEqual(d.code, Diagnostics.CtxVariableAccess.code);
    assert.ok(d.message.includes('variable ctx access var_off='), d.message);
  });
  it('rejects a misaligned ctx load', () => {
    const d = only(program({ body: [expr(ld(ctx(), 4, U32)), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.CtxAccessMisaligned.code);
    assert.ok(d.message.includes("func 'bpf_iter_bpf_map_elem' offset 4 is not multiple of 8"));
  });
  it('a bpf_map dump reading meta->seq_num, checked map fields, seq_printf: accepted', () => {
    const L = [{ id: 1 }, { id: 2 }];
    const ir = program({ target: 'bpf_map', locals: L, slots: [{ id: 0, offset: 0, size: 32, align: 8 }], stackSize: 32, body: [
      decl(1, M()), decl(2, lp(lp(ctx(), 0), 0)),
      if_(not(local(1)), block(expr(helper('bpf_seq_printf', 126, [local(2), globalAddr('fmt1', '.rodata'), c(20), { op: 'null', type: VOIDP, loc: at() }, c(0)])), ret(c(0)))),
      if_(bin('eq', ld(lp(ctx(), 0), 16, U64), c(0, U64)), expr(helper('bpf_seq_printf', 126, [local(2), globalAddr('fmt2', '.rodata', 20), c(40), { op: 'null', type: VOIDP, loc: at() }, c(0)]))),
      expr(st(stackAddr(0), 0, 8, ld(local(1), 48, U32))), expr(st(stackAddr(0), 8, 8, ld(local(1), 56, U64))),
      expr(st(stackAddr(0), 16, 8, ld(local(1), 64, U64))), expr(st(stackAddr(0), 24, 8, c(0, U64))),
      expr(helper('bpf_seq_printf', 126, [local(2), globalAddr('fmt3', '.rodata', 60), c(20), stackAddr(0), c(32)])),
      ret(c(0))], sections: [{ name: '.rodata', size: 80, readonly: true }] });
    assert.deepStrictEqual(checkIterProgram(ir, 0, mapT).diagnostics, []);
  });
});
