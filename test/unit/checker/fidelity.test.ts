import * as assert from 'assert';
import { checkIterProgram, CheckOptions } from '../../../server/src/lang/checker';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import type { Expr, IrProgram, Loc } from '../../../server/src/lang/ir';
import { U8 } from '../../../server/src/lang/ir';
import {
  at, c, ctx, lp, ld, st, local, add, not, helper, block, if_, ret, decl, expr, program, loop, stackAddr, M, seq, U64, U32, bin, assign,
} from './irBuilders';

/** Checker rules whose verdicts were measured on Linux 6.18 (docs/fidelity.md), one test per rule. */
const mapTarget: CheckOptions = { target: 'bpf_map', cpus: 4, gplCompatible: true };

function diags(ir: IrProgram, options: CheckOptions = mapTarget) {
  return checkIterProgram(ir, 0, options).diagnostics;
}

function assertAt(d: { pos: number; end: number; file: number }, loc: Loc): void {
  assert.deepStrictEqual({ file: d.file, pos: d.pos, end: d.end }, loc);
}

const ptrToInt = (operand: Expr, loc = at()): Expr => ({ op: 'ptrToInt', operand, type: U64, loc });

describe('checker/fidelity: verdicts measured on the real kernel', () => {
  it('btf_ctx_access(): `if (!ctx->map) return 0;` does not cover a second ctx->map load (trusted_ptr_or_null_)', () => {
    const second = at();
    const ir = program({ target: 'bpf_map', body: [if_(not(M()), ret(c(0))), expr(ld(M(), 4, undefined, second)), ret(c(0))] });
    const ds = diags(ir);
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.NullDereference.code]);
    assertAt(ds[0], second);
    assert.ok(ds[0].message.includes("'trusted_ptr_or_null_'"), ds[0].message);
  });

  it('mark_ptr_or_null_regs(): copies of ONE ctx->map load through a local share its NULL check', () => {
    const ir = program({ target: 'bpf_map', locals: [{ id: 1 }, { id: 2 }], body: [decl(1, M()), decl(2, local(1)),
      if_(not(local(1)), ret(c(0))), expr(ld(local(2), 4)), expr(ld(local(1), 0)), ret(c(0))] });
    assert.deepStrictEqual(diags(ir), []);
  });

  it('adjust_ptr_min_max_vals(): ctx->map->name as a value (a %s argument) before the NULL check is pointer arithmetic', () => {
    const use = at();
    const ir = program({ target: 'bpf_map', slots: [{ id: 0, offset: 0, size: 8, align: 8 }], stackSize: 8,
      body: [expr(st(stackAddr(0), 0, 8, ptrToInt(add(M(), c(32)), use))), ret(c(0))] });
    const ds = diags(ir);
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.NullPointerArithmetic.code]);
    assertAt(ds[0], use);
    assert.ok(ds[0].message.includes('pointer arithmetic on trusted_ptr_or_null_ prohibited'), ds[0].message);
  });

  it('adjust_ptr_min_max_vals(): the same member address after the NULL check of its local is accepted', () => {
    const ir = program({ target: 'bpf_map', locals: [{ id: 1 }], slots: [{ id: 0, offset: 0, size: 8, align: 8 }], stackSize: 8,
      body: [decl(1, M()), if_(not(local(1)), ret(c(0))), expr(st(stackAddr(0), 0, 8, ptrToInt(add(local(1), c(32))))), ret(c(0))] });
    assert.deepStrictEqual(diags(ir), []);
  });

  it('a constant offset folded into the load itself stays a NULL dereference, not arithmetic (ctx->map->id)', () => {
    const loc = at();
    const ds = diags(program({ target: 'bpf_map', body: [expr(ld(add(M(), c(4)), 0, undefined, loc)), ret(c(0))] }));
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.NullDereference.code]);
  });

  it('btf_ctx_access(): a store into the context is "invalid bpf_context access off=8 size=8"', () => {
    const loc = at();
    const ds = diags(program({ target: 'bpf_map', body: [expr(st(ctx(), 8, 8, c(0), loc)), ret(c(0))] }));
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.CtxWrite.code]);
    assertAt(ds[0], loc);
    assert.ok(ds[0].message.includes('invalid bpf_context access off=8 size=8'), ds[0].message);
  });

  it('btf_ctx_access(): reading the context is still allowed', () => {
    assert.deepStrictEqual(diags(program({ target: 'bpf_map', body: [expr(lp(ctx(), 8)), ret(c(0))] })), []);
  });

  it('check_stack_range_initialized(): bpf_seq_write of 16 bytes from an 8-byte local is "invalid read from stack R2 off=-8 size=16"', () => {
    const arg = at();
    const ir = program({ target: 'bpf_map', slots: [{ id: 0, offset: 0, size: 8, align: 8 }], stackSize: 8, body: [
      expr(st(stackAddr(0), 0, 8, c(1))), expr(helper('bpf_seq_write', 127, [seq(), stackAddr(0, arg), c(16)])), ret(c(0))] });
    const ds = diags(ir);
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.HelperStackReadOutOfBounds.code]);
    assertAt(ds[0], arg);
    assert.ok(ds[0].message.includes('invalid read from stack R2 off=-8 size=16'), ds[0].message);
  });

  it('check_stack_range_initialized(): the same call with the object\'s size is accepted', () => {
    const ir = program({ target: 'bpf_map', slots: [{ id: 0, offset: 0, size: 8, align: 8 }], stackSize: 8, body: [
      expr(st(stackAddr(0), 0, 8, c(1))), expr(helper('bpf_seq_write', 127, [seq(), stackAddr(0), c(8)])), ret(c(0))] });
    assert.deepStrictEqual(diags(ir), []);
  });

  it('check_cfg(): `do { } while (0)` (an argument-less BPF_SEQ_PRINTF) has no back edge and needs no bound', () => {
    const never: Expr = { op: 'binary', kind: 'ne', left: c(0), right: c(0), type: U64, loc: at() } as Expr;
    const ir = program({ target: 'bpf_map', body: [loop({ body: block(), test: never, testFirst: false }), ret(c(0))] });
    assert.deepStrictEqual(diags(ir), []);
  });

  it('check_cfg(): `do { } while (1)` without a break is still an infinite loop', () => {
    const ir = program({ target: 'bpf_map', body: [loop({ body: block(), test: c(1), testFirst: false }), ret(c(0))] });
    assert.deepStrictEqual(diags(ir).map((d) => d.code), [Diagnostics.InfiniteLoop.code]);
  });
});

describe('checker/btfAccess: loads through kernel struct pointers (check_ptr_to_btf_access, btf_struct_walk), measured on 6.18', () => {
  const mapKept = (body: Parameters<typeof program>[0]['body']) => program({ target: 'bpf_map', locals: [{ id: 1 }, { id: 2, type: U64 }],
    body: [decl(1, M()), if_(not(local(1)), ret(c(0))), ...body, ret(c(0))] });
  const one = (ir: IrProgram) => { const ds = diags(ir); assert.strictEqual(ds.length, 1, JSON.stringify(ds.map((d) => d.message))); return ds[0]; };
  it('refuses a load past the 296 bytes of struct bpf_map through a cast or arithmetic: "access beyond struct bpf_map at off 296 size 8"', () => {
    const where = at();
    const d = one(mapKept([expr(ld(add(local(1), c(296, U64)), 0, U64, where))]));
    assert.strictEqual(d.code, Diagnostics.BtfAccessBeyondStruct.code);
    assertAt(d, where);
    assert.ok(d.message.includes('"access beyond struct bpf_map at off 296 size 8"'), d.message);
    // the same through a cast: the instruction offset of a field of the program's own struct (measured: off 300 size 4)
    assert.ok(one(mapKept([expr(ld(local(1), 300))])).message.includes('access beyond struct bpf_map at off 300 size 4'));
  });
  it('accepts the last bytes inside the struct, through arithmetic too', () => {
    assert.deepStrictEqual(diags(mapKept([expr(ld(add(local(1), c(288, U64)), 0, U64)), expr(ld(local(1), 292))])), []);
  });
  it('refuses a negative offset: "R? is ptr_bpf_map invalid negative access: off=-8"', () => {
    const d = one(mapKept([expr(ld(add(local(1), c(-8, U64)), 0, U64))]));
    assert.strictEqual(d.code, Diagnostics.BtfNegativeAccess.code);
    assert.ok(d.message.includes('"R? is ptr_bpf_map invalid negative access: off=-8"'), d.message);
  });
  it('refuses an index known only as a range: "invalid variable offset: off=136, var_off=(0x0; 0x7)", and a write is still "only read"', () => {
    const idx = bin('and', helper('bpf_get_prandom_u32', 7, []), c(7, U64), U64);
    const d = one(mapKept([expr(ld(add(local(1), idx), 136, U32))]));
    assert.strictEqual(d.code, Diagnostics.BtfVariableOffset.code);
    assert.ok(d.message.includes('"R? is ptr_bpf_map invalid variable offset: off=136, var_off=(0x0; 0x7)"'), d.message);
    assert.strictEqual(one(mapKept([expr(st(local(1), 0, 4, c(1)))])).code, Diagnostics.WriteIntoKernelStruct.code);
  });
  it('accepts the counter of a bounded loop as the index (constant on each path the verifier walks)', () => {
    const ir = mapKept([loop({ init: expr(assign(2, c(0, U64), U64)), test: bin('lt', local(2, U64), c(8, U64), U64),
      update: assign(2, bin('add', local(2, U64), c(1, U64), U64), U64), body: expr(ld(add(local(1), local(2, U64)), 136, U32)) })]);
    assert.deepStrictEqual(diags(ir).map((d) => d.message), []);
  });
  it('leaves bpf_probe_read_kernel() of bytes past the struct alone (a helper, not a load)', () => {
    const ir = program({ target: 'bpf_map', locals: [{ id: 1 }], slots: [{ id: 0, offset: 0, size: 8, align: 8 }], stackSize: 8,
      body: [decl(1, M()), if_(not(local(1)), ret(c(0))), expr(helper('bpf_probe_read_kernel', 113, [stackAddr(0), c(8, U64), add(local(1), c(296, U64))])), ret(c(0))] });
    assert.deepStrictEqual(diags(ir).map((d) => d.message), []);
  });
});

describe('checker/stack: reads at a variable stack offset (check_stack_access_within_bounds, check_stack_read_var_off), measured on 6.18', () => {
  const digits = { id: 0, offset: 0, size: 16, align: 1 };
  const readAt = (index: Expr, where = at()) => program({ target: 'bpf_map', slots: [digits], stackSize: 16,
    body: [expr({ op: 'fill', dst: stackAddr(0), byte: 7, size: 16, type: { kind: 'void' }, loc: at() }), expr(ld(add(stackAddr(0), index), 0, U8, where)), ret(c(0))] });
  const rand = () => helper('bpf_get_prandom_u32', 7, []);
  it('accepts an index known as [0, 15] into a 16-byte array (root reads the stack at a variable offset)', () => {
    assert.deepStrictEqual(diags(readAt(bin('and', rand(), c(15, U64), U64))).map((d) => d.message), []);
  });
  it('refuses [0, 31] when the end leaves the frame: EINVAL, "invalid variable-offset read from stack R? var_off=(0x0; 0x1f) off=-16 size=1"', () => {
    const where = at();
    const ds = diags(readAt(bin('and', rand(), c(31, U64), U64), where));
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.StackVariableOffsetOutsideFrame.code]);
    assertAt(ds[0], where);
    assert.ok(ds[0].message.includes('"invalid variable-offset read from stack R? var_off=(0x0; 0x1f) off=-16 size=1"'), ds[0].message);
    assert.strictEqual(Diagnostics.StackVariableOffsetOutsideFrame.loadErrno, 'EINVAL');
  });
  it('refuses an index bounded only by its 32 bits: "invalid unbounded variable-offset read from stack R?"', () => {
    const ds = diags(readAt({ op: 'convert', operand: rand(), type: U32, loc: at() }));
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.StackUnboundedVariableOffset.code]);
    assert.ok(ds[0].message.includes('"invalid unbounded variable-offset read from stack R?"'), ds[0].message);
  });
});
