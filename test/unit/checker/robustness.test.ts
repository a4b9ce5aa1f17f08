import * as assert from 'assert';
import * as fc from 'fast-check';
import { checkIterProgram } from '../../../server/src/lang/checker';
import type { Expr, Stmt } from '../../../server/src/lang/ir';
import { S32, U64, U8 } from '../../../server/src/lang/ir';
import { program, VOIDP } from './irBuilders';

const loc = { file: 1, pos: 0, end: 1 };
const intT = fc.constantFrom(S32, U64, U8);

/** Random IR expressions over locals 1..4, slot 0, ctx fields, helpers known and unknown. */
const exprArb: fc.Memo<Expr> = fc.memo((depth) => {
  const leaf = fc.oneof(
    fc.record({ op: fc.constant('const' as const), type: intT, value: fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('local' as const), id: fc.integer({ min: 0, max: 5 }), type: fc.constant(VOIDP), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('param' as const), index: fc.integer({ min: 0, max: 1 }), type: fc.constant(VOIDP), loc: fc.constant(loc) }),
    fc.constant<Expr>({ op: 'null', type: VOIDP, loc }),
    fc.constant<Expr>({ op: 'addr', base: { kind: 'stack', slot: 0 }, type: VOIDP, loc }),
    fc.constant<Expr>({ op: 'addr', base: { kind: 'global', section: '.rodata', offset: 0, name: 'g' }, type: VOIDP, loc }),
  );
  if (depth <= 1) return leaf;
  const sub = exprArb(depth - 1);
  return fc.oneof(leaf,
    fc.record({ op: fc.constant('loadPtr' as const), ptr: sub, offset: fc.constantFrom(0, 8, 16, 24, 3, -8), type: fc.constant(VOIDP), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('load' as const), ptr: sub, offset: fc.integer({ min: -8, max: 40 }), type: intT, loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('store' as const), ptr: sub, offset: fc.integer({ min: -8, max: 40 }), size: fc.constantFrom(1 as const, 4 as const, 8 as const), value: sub, type: fc.constant(U64), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('assign' as const), id: fc.integer({ min: 1, max: 5 }), value: sub, type: fc.constant(VOIDP), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('binary' as const), kind: fc.constantFrom('add', 'sub', 'mul', 'div', 'rem', 'and', 'or', 'xor', 'shl', 'shr', 'eq', 'ne', 'lt', 'le', 'gt', 'ge') as fc.Arbitrary<Extract<Expr, { op: 'binary' }>['kind']>, left: sub, right: sub, type: intT, loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('unary' as const), kind: fc.constantFrom('neg', 'not', 'lnot') as fc.Arbitrary<'neg' | 'not' | 'lnot'>, operand: sub, type: intT, loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('ptrAdd' as const), ptr: sub, index: sub, scale: fc.constantFrom(1, 4, 8), type: fc.constant(VOIDP), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('ptrCompare' as const), kind: fc.constantFrom('eq', 'ne', 'lt') as fc.Arbitrary<'eq' | 'ne' | 'lt'>, left: sub, right: sub, type: fc.constant(S32), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('logical' as const), kind: fc.constantFrom('and', 'or') as fc.Arbitrary<'and' | 'or'>, left: sub, right: sub, type: fc.constant(S32), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('conditional' as const), test: sub, then: sub, else: sub, type: fc.constant(S32), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('copy' as const), dst: sub, src: sub, size: fc.integer({ min: 0, max: 32 }), type: fc.constant({ kind: 'void' as const }), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('callHelper' as const), name: fc.constantFrom('bpf_seq_write', 'bpf_map_lookup_elem', 'bpf_nope', 'bpf_redirect', 'bpf_map_sum_elem_count'), helperId: fc.integer({ min: 0, max: 300 }), args: fc.array(sub, { maxLength: 5 }), type: fc.constant(U64), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('call' as const), func: fc.integer({ min: 0, max: 2 }), args: fc.array(sub, { maxLength: 2 }), type: fc.constant(S32), loc: fc.constant(loc) }),
  );
});

const stmtArb: fc.Memo<Stmt> = fc.memo((depth) => {
  const e = exprArb(2);
  const leaf = fc.oneof(
    fc.record({ op: fc.constant('expr' as const), expr: e, loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('return' as const), value: e, loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('declare' as const), id: fc.integer({ min: 1, max: 5 }), init: e, loc: fc.constant(loc) }),
    fc.constant<Stmt>({ op: 'break', loc }), fc.constant<Stmt>({ op: 'continue', loc }),
  );
  if (depth <= 1) return leaf;
  const sub = stmtArb(depth - 1);
  return fc.oneof(leaf,
    fc.record({ op: fc.constant('block' as const), body: fc.array(sub, { maxLength: 4 }), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('if' as const), test: e, then: sub, else: sub, loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('loop' as const), test: fc.option(e, { nil: undefined }), update: fc.option(e, { nil: undefined }), body: sub, testFirst: fc.boolean(), loc: fc.constant(loc) }),
    fc.record({ op: fc.constant('switch' as const), test: e, cases: fc.array(fc.record({ values: fc.constantFrom<bigint[] | 'default'>([0n], [1n, 2n], 'default'), body: fc.array(sub, { maxLength: 2 }), loc: fc.constant(loc) }), { maxLength: 3 }), loc: fc.constant(loc) }),
  );
});

describe('checker/robustness: never throws or hangs on any IR shape', () => {
  it('returns a result for random programs (fast-check)', () => {
    fc.assert(fc.property(fc.array(stmtArb(4), { maxLength: 5 }), fc.constantFrom('bpf_map', 'bpf_map_elem'), (body, target) => {
      const ir = program({ target, body, locals: [1, 2, 3, 4, 5].map((id) => ({ id })), slots: [{ id: 0, offset: 0, size: 16, align: 8 }], stackSize: 16 });
      ir.functions.push({ ...ir.functions[0], index: 1, params: [1] });
      const r = checkIterProgram(ir, 0, { target, cpus: 2, gplCompatible: false, attachMap: { key_size: 4, value_size: 4, percpu: true, cpus: 2, name: 'm' } });
      assert.ok(Array.isArray(r.diagnostics));
      assert.ok(!r.diagnostics.some((d) => d.code === 2999), JSON.stringify(r.diagnostics.find((d) => d.code === 2999)));
      assert.ok(r.maxRdonlyAccess >= 0 && r.maxRdwrAccess >= 0);
    }), { numRuns: 300 });
  });
  it('a shift by a negative constant count is no error of its own (fast-check seed -125766440 found it: "Maximum BigInt size exceeded")', () => {
    const shifted = (kind: 'shl' | 'shr'): Stmt => ({ op: 'return', value: { op: 'binary', kind: 'and', left: { op: 'binary', kind, left: { op: 'convert', operand: { op: 'callHelper', name: 'bpf_get_prandom_u32', helperId: 7, args: [], type: U64, loc }, type: U8, loc },
      right: { op: 'const', type: S32, value: -1073741820n, loc }, type: S32, loc }, right: { op: 'const', type: S32, value: 0n, loc }, type: S32, loc }, loc });
    for (const kind of ['shl', 'shr'] as const) {
      const ir = program({ target: 'bpf_map', body: [shifted(kind)] });
      const r = checkIterProgram(ir, 0, { target: 'bpf_map', cpus: 2, gplCompatible: true });
      assert.ok(!r.diagnostics.some((d) => d.code === 2999), JSON.stringify(r.diagnostics));
    }
  });
  it('states that differ only in the numbers of their NULL-check ids are one state: nested endless loops with a map lookup end within the budget (fast-check seed -884367876)', () => {
    // each pass gave bpf_map_lookup_elem's result a new id, so no loop reached its fixpoint: three nested loops, each
    // with a call, took 92,595 calls and ran out of the checker's 100,000 statement visits (BPF2999)
    const lookup: Expr = { op: 'callHelper', name: 'bpf_map_lookup_elem', helperId: 1, args: [], type: U64, loc };
    const inner: Stmt = { op: 'loop', test: { op: 'unary', kind: 'neg', operand: { op: 'const', type: S32, value: 0n, loc }, type: S32, loc },
      update: { op: 'call', func: 1, args: [], type: S32, loc }, body: { op: 'declare', id: 2, init: lookup, loc }, testFirst: false, loc };
    const nested: Stmt = { op: 'loop', body: { op: 'loop', body: inner, testFirst: false, loc }, testFirst: false, loc };
    const ir = program({ target: 'bpf_map', body: [nested], locals: [1, 2, 3, 4, 5].map((id) => ({ id })), slots: [{ id: 0, offset: 0, size: 16, align: 8 }], stackSize: 16 });
    ir.functions.push({ ...ir.functions[0], index: 1, params: [1] });
    const r = checkIterProgram(ir, 0, { target: 'bpf_map', cpus: 2, gplCompatible: false });
    assert.ok(!r.diagnostics.some((d) => d.code === 2999), JSON.stringify(r.diagnostics.find((d) => d.code === 2999)));
  });

  it('tolerates an entry index that does not exist and an empty program', () => {
    const ir = program({ body: [] });
    assert.deepStrictEqual(checkIterProgram(ir, 7, { target: 'bpf_map', cpus: 1, gplCompatible: true }).diagnostics, []);
  });
});
