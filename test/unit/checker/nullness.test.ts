import * as assert from 'assert';
import { checkIterProgram, CheckOptions } from '../../../server/src/lang/checker';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import type { IrProgram, Loc } from '../../../server/src/lang/ir';
import {
  at, c, ctx, lp, ld, st, local, assign, add, not, isNull, notNull, or, and, cond, cast, helper, mapAddr, block, if_, ret, decl,
  expr, program, K, V, M, seq, U64, VOIDP,
} from './irBuilders';

const elem: CheckOptions = { target: 'bpf_map_elem', cpus: 4, gplCompatible: true };
const mapTarget: CheckOptions = { target: 'bpf_map', cpus: 4, gplCompatible: true };

export function codes(ir: IrProgram, options: CheckOptions = elem): number[] {
  return checkIterProgram(ir, 0, options).diagnostics.map((d) => d.code);
}

export function only(ir: IrProgram, options: CheckOptions = elem) {
  const ds = checkIterProgram(ir, 0, options).diagnostics;
  assert.strictEqual(ds.length, 1, JSON.stringify(ds, null, 1));
  return ds[0];
}

export function assertAt(d: { pos: number; end: number; file: number }, loc: Loc): void {
  assert.deepStrictEqual({ file: d.file, pos: d.pos, end: d.end }, loc);
}

describe('checker/nullness: maybe-NULL ctx pointers (check_mem_access, mark_ptr_or_null_regs)', () => {
  it('rejects reading ctx->key before a NULL check, with rdonly_buf_or_null at the load', () => {
    const loc = at();
    const d = only(program({ body: [expr(ld(K(), 0, undefined, loc)), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
    assert.ok(d.message.includes("R? invalid mem access 'rdonly_buf_or_null'"), d.message);
    assert.ok(d.message.includes('one last time'), d.message);
  });

  it('rejects reading ctx->value before a NULL check with buf_or_null', () => {
    const loc = at();
    const d = only(program({ body: [expr(ld(V(), 0, undefined, loc)), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
    assert.ok(d.message.includes("'buf_or_null'"));
  });

  it('rejects dereferencing ctx->map of the bpf_map target (btf_id_or_null) with trusted_ptr_or_null_', () => {
    const loc = at();
    const d = only(program({ target: 'bpf_map', body: [expr(ld(M(), 0, undefined, loc)), ret(c(0))] }), mapTarget);
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
    assert.ok(d.message.includes("'trusted_ptr_or_null_'"));
  });

  it('accepts ctx->map of bpf_map_elem without a check (plain trusted PTR_TO_BTF_ID)', () => {
    assert.deepStrictEqual(codes(program({ body: [expr(ld(M(), 0)), ret(c(0))] })), []);
  });

  it('accepts `if (!p) return 0;` through a local copy', () => {
    const ir = program({ locals: [{ id: 1 }], body: [decl(1, K()), if_(not(local(1)), ret(c(0))), expr(ld(local(1), 0)), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });

  it('accepts `if (p == NULL) return 0;`', () => {
    const ir = program({ locals: [{ id: 1 }], body: [decl(1, V()), if_(isNull(local(1)), ret(c(0))), expr(ld(local(1), 0)), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });

  it('accepts `if (key == NULL || val == NULL) return 0;`', () => {
    const ir = program({ locals: [{ id: 1 }, { id: 2 }], body: [decl(1, K()), decl(2, V()),
      if_(or(isNull(local(1)), isNull(local(2))), ret(c(0))), expr(ld(local(1), 0)), expr(ld(local(2), 0)), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });

  it('rejects the value after checking only the key in an || chain with one side missing', () => {
    const loc = at();
    const ir = program({ locals: [{ id: 1 }, { id: 2 }], body: [decl(1, K()), decl(2, V()),
      if_(isNull(local(1)), ret(c(0))), expr(ld(local(2), 0, undefined, loc)), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
  });

  it('accepts accesses inside `if (key && val) { ... }`', () => {
    const ir = program({ locals: [{ id: 1 }, { id: 2 }], body: [decl(1, K()), decl(2, V()),
      if_(and(local(1), local(2)), block(expr(ld(local(1), 0)), expr(ld(local(2), 0)))), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });

  it('rejects the else branch of `if (p) ... else *p`: there p is the scalar 0, as the verifier marks it', () => {
    const loc = at();
    const ir = program({ locals: [{ id: 1 }], body: [decl(1, K()), if_(local(1), expr(ld(local(1), 0)), expr(ld(local(1), 0, undefined, loc))), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.ScalarDereference.code);
    assert.ok(d.message.includes("R? invalid mem access 'scalar'"));
    assertAt(d, loc);
  });

  it('marks both copies non-NULL when one is checked (same id)', () => {
    const ir = program({ locals: [{ id: 1 }, { id: 2 }], body: [decl(1, K()), decl(2, local(1)),
      if_(not(local(1)), ret(c(0))), expr(ld(local(2), 0)), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });

  it('tracks a check through a cast copy: `u32 *k = (u32 *)ctx->key; if (!k) return 0; *k`', () => {
    const ir = program({ locals: [{ id: 1 }], body: [decl(1, cast(K())), if_(not(local(1)), ret(c(0))), expr(ld(local(1), 0)), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });

  it('accepts a ternary `p ? *p : 0`', () => {
    const ir = program({ locals: [{ id: 1 }], body: [decl(1, K()), ret(cond(local(1), bin0(ld(local(1), 0)), c(0)))] });
    assert.deepStrictEqual(codes(ir).filter((x) => x !== Diagnostics.ReturnValueOutOfRange.code), []);
  });

  it('rejects the NULL arm of a ternary `p ? 0 : *p`', () => {
    const loc = at();
    const ir = program({ locals: [{ id: 1 }], body: [decl(1, K()), expr(cond(local(1), c(0), ld(local(1), 0, undefined, loc))), ret(c(0))] });
    const d = only(ir);
    assertAt(d, loc);
  });

  it('accepts the check through nested ifs', () => {
    const ir = program({ locals: [{ id: 1 }, { id: 2 }], body: [decl(1, K()), decl(2, V()),
      if_(local(1), if_(notNull(local(2)), block(expr(ld(local(1), 0)), expr(ld(local(2), 4))))), ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });

  it('rejects `if (!ctx->key) return 0;` then a second ctx->key read: each CO-RE load is a new maybe-NULL (btf_ctx_access, measured with ctx->map on 6.18)', () => {
    const loc = at();
    const ir = program({ body: [if_(not(K()), ret(c(0))), expr(ld(K(), 0, undefined, loc)), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
  });

  it('rejects a re-load of ctx->key after a helper call (clang must reload it, the verifier sees a new maybe-NULL)', () => {
    const loc = at();
    const ir = program({ body: [if_(not(K()), ret(c(0))), expr(helper('bpf_ktime_get_ns', 5, [])), expr(ld(K(), 0, undefined, loc)), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
  });

  it('rejects pointer arithmetic with a variable index before the NULL check with the verifier words', () => {
    const loc = at();
    const ir = program({ locals: [{ id: 1 }, { id: 3, type: U64 }], body: [decl(3, helper('bpf_get_prandom_u32', 7, [])),
      decl(1, add(K(), bin('and', local(3, U64), c(3, U64), U64), 1, loc)), if_(not(local(1)), ret(c(0))), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.NullPointerArithmetic.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('R? pointer arithmetic on rdonly_buf_or_null prohibited, null-check it first'));
  });

  it('a constant offset before the check is folded by clang: checking the base covers it', () => {
    const ir = program({ locals: [{ id: 1 }, { id: 2 }], body: [decl(2, K()), decl(1, add(local(2), c(4), 1)),
      if_(not(local(2)), ret(c(0))), expr(ld(local(1), 0)), ret(c(0))] });
    const r = checkIterProgram(ir, 0, elem);
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdonlyAccess, 8);
  });

  it('checking only the derived pointer proves nothing (measured: `p = (char *)ctx->map + 8; if (!p) ...; *p` fails)', () => {
    const loc = at();
    const ir = program({ target: 'bpf_map', locals: [{ id: 1 }], body: [decl(1, add(M(), c(8), 1)),
      if_(not(local(1)), ret(c(0))), expr(ld(local(1), 0, undefined, loc)), ret(c(0))] });
    const d = only(ir, mapTarget);
    assert.strictEqual(d.code, Diagnostics.NullDereference.code);
    assertAt(d, loc);
    assert.ok(d.message.includes("R? invalid mem access 'trusted_ptr_or_null_'"));
  });

  it('rejects passing a maybe-NULL key to bpf_seq_write', () => {
    const argLoc = at();
    const ir = program({ body: [expr(helper('bpf_seq_write', 127, [seq(), lp(ctx(), 16, argLoc), c(4)])), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.NullPassedToHelper.code);
    assertAt(d, argLoc);
    assert.ok(d.message.includes('R2 type=rdonly_buf_or_null expected='), d.message);
  });

  it('rejects dereferencing the bpf_map_lookup_elem result unchecked, accepts it checked', () => {
    const maps = [{ name: 'm', type: 'hash', key_size: 4, value_size: 8, max_entries: 4, map_flags: 0, loc: at() }];
    const loc = at();
    const bad = program({ maps, locals: [{ id: 1 }], slots: [{ id: 0, offset: 0, size: 4, align: 4 }], stackSize: 8, body: [
      expr(st({ op: 'addr', base: { kind: 'stack', slot: 0 }, type: VOIDP, loc: at() }, 0, 4, c(1))),
      decl(1, helper('bpf_map_lookup_elem', 1, [mapAddr('m'), { op: 'addr', base: { kind: 'stack', slot: 0 }, type: VOIDP, loc: at() }])),
      expr(ld(local(1), 0, U64, loc)), ret(c(0))] });
    const d = only(bad);
    assert.ok(d.message.includes("'map_value_or_null'"));
    assertAt(d, loc);
    const good = program({ maps, locals: [{ id: 1 }], slots: [{ id: 0, offset: 0, size: 4, align: 4 }], stackSize: 8, body: [
      expr(st({ op: 'addr', base: { kind: 'stack', slot: 0 }, type: VOIDP, loc: at() }, 0, 4, c(1))),
      decl(1, helper('bpf_map_lookup_elem', 1, [mapAddr('m'), { op: 'addr', base: { kind: 'stack', slot: 0 }, type: VOIDP, loc: at() }])),
      if_(not(local(1)), ret(c(0))), expr(ld(local(1), 0, U64)), ret(c(0))] });
    assert.deepStrictEqual(codes(good), []);
  });

  it('accepts checks done by `if (p != NULL)` inside a loop body', () => {
    const ir = program({ locals: [{ id: 1 }, { id: 2, type: { kind: 'int', bits: 32, signed: true } }], body: [decl(1, V()),
      { op: 'loop', init: decl(2, c(0)), test: bin0lt(local(2), c(4)), update: assign(2, bin0add(local(2), c(1))),
        body: if_(notNull(local(1)), expr(ld(local(1), 0))), testFirst: true, loc: at() }, ret(c(0))] });
    assert.deepStrictEqual(codes(ir), []);
  });
});

import { bin } from './irBuilders';
function bin0(e: ReturnType<typeof ld>) { return bin('and', e, c(1)); }
function bin0lt(a: ReturnType<typeof ld>, b: ReturnType<typeof ld>) { return bin('lt', a, b); }
function bin0add(a: ReturnType<typeof ld>, b: ReturnType<typeof ld>) { return bin('add', a, b); }
