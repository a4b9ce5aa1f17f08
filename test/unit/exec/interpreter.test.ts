import * as assert from 'assert';
import { compileProgram, type ExecMode } from '../../../server/src/exec/jit';
import type { ExecEnv } from '../../../server/src/exec/memory';
import type { RunOutcome, RuntimeValue } from '../../../server/src/exec/values';
import type { Expr, IrFunction, Stmt } from '../../../server/src/lang/ir';
import { U16, U32, U64, U8, S8, S16, S32, S64 } from '../../../server/src/lang/ir';
import {
  TestMemory, addr, assign, bin, block, brk, c, call, cond, cont, conv, copy, decl, expr, fill, func, helper, iff, intToPtr,
  load, loadPtr, local, logical, loop, nul, param, program, ptrAdd, ptrCmp, ptrDiff, ptrT, ptrTo, ptrToInt, ret, seq, store, sw, testEnv, un,
} from './irBuilders';

const MODES: ExecMode[] = ['interpreter', 'jit'];

function runFns(mode: ExecMode, fns: IrFunction[], args: RuntimeValue[] = [], env?: ExecEnv): RunOutcome {
  const prog = compileProgram(program(...fns), { mode });
  assert.strictEqual(prog.mode, mode, prog.fallbackReason);
  return prog.run(0, args, env ?? testEnv(new TestMemory()));
}
const retOf = (e: Expr, type = U64) => func(0, { returnType: type, body: block(ret(e)) });
function value(o: RunOutcome): bigint {
  if (!o.ok) assert.fail(`run failed: ${o.error.kind}: ${o.error.message}`);
  return o.value;
}
function error(o: RunOutcome) {
  if (o.ok) assert.fail(`expected a failure, got ${o.value}`);
  return o.error;
}

for (const mode of MODES) {
  describe(`executor (${mode})`, () => {
    const run = (fns: IrFunction[], args?: RuntimeValue[], env?: ExecEnv) => runFns(mode, fns, args, env);
    const evalExpr = (e: Expr, type = U64) => value(run([retOf(e, type)]));

    describe('integer arithmetic wraps to the width of its type', () => {
      it('u8/u16/u32/u64 add wrap', () => {
        assert.strictEqual(evalExpr(bin('add', c(255, U8), c(1, U8))), 0n);
        assert.strictEqual(evalExpr(bin('add', c(0xffff, U16), c(2, U16))), 1n);
        assert.strictEqual(evalExpr(bin('add', c(0xffffffffn, U32), c(1, U32))), 0n);
        assert.strictEqual(evalExpr(bin('add', c(0xffffffffffffffffn, U64), c(1, U64))), 0n);
        assert.strictEqual(evalExpr(bin('sub', c(0, U32), c(1, U32))), 0xffffffffn);
      });
      it('signed types wrap to negative values', () => {
        assert.strictEqual(evalExpr(bin('add', c(127, S8), c(1, S8)), S64), -128n);
        assert.strictEqual(evalExpr(bin('add', c(0x7fff, S16), c(1, S16)), S64), -32768n);
        assert.strictEqual(evalExpr(bin('mul', c(0x10000, S32), c(0x10000, S32)), S64), 0n);
        assert.strictEqual(evalExpr(bin('add', c(0x7fffffffffffffffn, S64), c(1, S64)), S64), -(2n ** 63n));
      });
      it('the R0 of a function is normalised to its return type', () => {
        assert.strictEqual(value(run([retOf(c(-1, S64), S32)])), -1n);
        assert.strictEqual(value(run([retOf(c(0x1ffn, U64), U8)])), 0xffn);
      });
      it('conversions sign-extend from signed and zero-extend from unsigned sources', () => {
        assert.strictEqual(evalExpr(conv(c(-1, S8), U64)), 0xffffffffffffffffn);
        assert.strictEqual(evalExpr(conv(c(-1, S32), S64), S64), -1n);
        assert.strictEqual(evalExpr(conv(c(0xff, U8), S64), S64), 255n);
        assert.strictEqual(evalExpr(conv(c(0x1234, U16), S8), S64), 0x34n);
        assert.strictEqual(evalExpr(conv(c(0x80, U16), S8), S64), -128n);
      });
      it('signed division truncates toward zero; remainder takes the dividend sign', () => {
        assert.strictEqual(evalExpr(bin('div', c(-7, S32), c(2, S32)), S64), -3n);
        assert.strictEqual(evalExpr(bin('rem', c(-7, S32), c(2, S32)), S64), -1n);
        assert.strictEqual(evalExpr(bin('div', c(-(2n ** 31n), S32), c(-1, S32)), S64), -(2n ** 31n));
      });
      it('division by zero yields 0 and modulo by zero yields the dividend (BPF ISA)', () => {
        assert.strictEqual(evalExpr(bin('div', c(42, U64), c(0, U64))), 0n);
        assert.strictEqual(evalExpr(bin('rem', c(42, U64), c(0, U64))), 42n);
        assert.strictEqual(evalExpr(bin('rem', c(-5, S32), c(0, S32)), S64), -5n);
      });
      it('shift counts are masked to the ALU width (63 for 64-bit, 31 otherwise)', () => {
        assert.strictEqual(evalExpr(bin('shl', c(1, U64), c(65, U64))), 2n);
        assert.strictEqual(evalExpr(bin('shl', c(1, U32), c(33, U32))), 2n);
        assert.strictEqual(evalExpr(bin('shl', c(1, U32), c(31, U32))), 0x80000000n);
        assert.strictEqual(evalExpr(bin('shr', c(0x80000000n, U32), c(31, U32))), 1n);
        assert.strictEqual(evalExpr(bin('shr', c(0x80000000n, U32), c(33, U32))), 0x40000000n);
        assert.strictEqual(evalExpr(bin('shr', c(-(2n ** 31n), S32), c(63, S32)), S64), -1n);
      });
      it('shr is arithmetic for signed and logical for unsigned', () => {
        assert.strictEqual(evalExpr(bin('shr', c(-16, S32), c(2, S32)), S64), -4n);
        assert.strictEqual(evalExpr(bin('shr', c(0xfffffff0n, U32), c(2, U32))), 0x3ffffffcn);
      });
      it('bitwise ops and unary ops on signed and unsigned values', () => {
        assert.strictEqual(evalExpr(un('not', c(0, U8))), 0xffn);
        assert.strictEqual(evalExpr(un('neg', c(1, U32))), 0xffffffffn);
        assert.strictEqual(evalExpr(un('neg', c(-128, S8)), S64), -128n);
        assert.strictEqual(evalExpr(un('lnot', c(5, U32))), 0n);
        assert.strictEqual(evalExpr(bin('xor', c(-1, S16), c(0xff, S16)), S64), -256n);
      });
      it('comparisons respect signedness of the operands', () => {
        assert.strictEqual(evalExpr(bin('lt', c(-1, S32), c(1, S32), S32)), 1n);
        assert.strictEqual(evalExpr(bin('lt', c(0xffffffffn, U32), c(1, U32), S32)), 0n);
      });
    });

    describe('memory', () => {
      function withRegion(size = 64, readonly = false) {
        const mem = new TestMemory();
        const r = mem.alloc(size, 'buf', readonly);
        return { mem, r, env: testEnv(mem) };
      }
      it('loads of all sizes are little-endian and sign-extend signed types', () => {
        const { r, env } = withRegion();
        r.bytes.set([0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x92]);
        const p = param(0, ptrT());
        const cases: Array<[Expr, bigint]> = [
          [load(p, 0, U8), 0xf0n], [load(p, 0, S8), -16n], [load(p, 0, U16), 0xdef0n], [load(p, 0, S16), -8464n],
          [load(p, 0, U32), 0x9abcdef0n], [load(p, 0, S32), -1698898192n], [load(p, 0, U64), 0x923456789abcdef0n],
          [load(p, 0, S64), BigInt.asIntN(64, 0x923456789abcdef0n)],
        ];
        for (const [e, want] of cases) {
          assert.strictEqual(value(run([func(0, { params: [ptrT()], returnType: S64, body: block(ret(conv(e, S64))) })], [ptrTo(r)], env)), BigInt.asIntN(64, want));
        }
      });
      it('stores truncate to their size and yield the stored value', () => {
        const { r, env } = withRegion();
        const body = block(ret(store(param(0, ptrT()), 4, 2, c(0x12345, U32))));
        assert.strictEqual(value(run([func(0, { params: [ptrT()], body })], [ptrTo(r)], env)), 0x12345n);
        assert.deepStrictEqual([...r.bytes.slice(4, 7)], [0x45, 0x23, 0]);
      });
      it('a load past the end faults with the load\'s loc', () => {
        const { r, env } = withRegion(16);
        const bad = load(param(0, ptrT()), 12, U64);
        const e = error(run([func(0, { params: [ptrT()], body: block(ret(bad)) })], [ptrTo(r)], env));
        assert.strictEqual(e.kind, 'fault');
        assert.deepStrictEqual(e.loc, bad.loc);
        assert.match(e.message, /out-of-bounds read of 8 bytes at offset 12 of buf/);
      });
      it('a negative offset faults', () => {
        const { r, env } = withRegion(16);
        const bad = load(ptrAdd(param(0, ptrT()), c(-1, S64), 1), 0, U8);
        assert.deepStrictEqual(error(run([func(0, { params: [ptrT()], body: block(ret(bad)) })], [ptrTo(r)], env)).loc, bad.loc);
      });
      it('NULL dereference faults', () => {
        const bad = load(nul(), 0, U32);
        const e = error(run([retOf(bad)]));
        assert.match(e.message, /NULL pointer dereference/);
        assert.deepStrictEqual(e.loc, bad.loc);
      });
      it('a CO-RE load (BPF_PROBE_MEM) through NULL or an unmapped address reads 0; a plain load still faults', () => {
        const { r, env } = withRegion(32);
        r.view.setBigUint64(0, 0xdead0000n, true);
        const p = param(0, ptrT());
        const fns = (e: Expr) => [func(0, { params: [ptrT()], body: block(ret(e)) })];
        const probe = (e: Expr): Expr => ({ ...e, core: true }) as Expr;
        assert.strictEqual(value(run(fns(probe(load(nul(), 16, U64))), [ptrTo(r)], env)), 0n);
        assert.strictEqual(value(run(fns(probe(load(loadPtr(p, 0), 8, U32))), [ptrTo(r)], env)), 0n);
        assert.strictEqual(value(run(fns(ptrToInt(probe(loadPtr(nul(), 8)))), [ptrTo(r)], env)), 0n);
        assert.match(error(run(fns(load(nul(), 16, U64)), [ptrTo(r)], env)).message, /NULL pointer dereference/);
        // out of bounds of a real object is not a probe miss here (the kernel would read the neighbouring memory)
        assert.match(error(run(fns(probe(load(p, 40, U64))), [ptrTo(r)], env)).message, /out-of-bounds/);
      });
      it('a store into a read-only region faults', () => {
        const { r, env } = withRegion(16, true);
        const bad = store(param(0, ptrT()), 0, 4, c(1, U32));
        const e = error(run([func(0, { params: [ptrT()], body: block(expr(bad), ret(c(0, U64))) })], [ptrTo(r)], env));
        assert.match(e.message, /read-only memory \(buf\)/);
        assert.deepStrictEqual(e.loc, bad.loc);
        assert.strictEqual(r.bytes[0], 0);
      });
      it('loadPtr resolves stored addresses; 0 is NULL; unknown addresses fault only when dereferenced', () => {
        const { mem, r, env } = withRegion(32);
        const target = mem.alloc(8, 'target');
        target.view.setBigUint64(0, 77n, true);
        r.view.setBigUint64(0, target.addr, true);
        r.view.setBigUint64(8, 0n, true);
        r.view.setBigUint64(16, 0xdead0000n, true);
        const p = param(0, ptrT());
        const fns = (e: Expr) => [func(0, { params: [ptrT()], body: block(ret(e)) })];
        assert.strictEqual(value(run(fns(load(loadPtr(p, 0), 0, U64)), [ptrTo(r)], env)), 77n);
        assert.strictEqual(value(run(fns(ptrCmp('eq', loadPtr(p, 8), nul())), [ptrTo(r)], env)), 1n);
        assert.strictEqual(value(run(fns(ptrToInt(loadPtr(p, 16))), [ptrTo(r)], env)), 0xdead0000n);
        const bad = load(loadPtr(p, 16), 0, U8);
        const e = error(run(fns(bad), [ptrTo(r)], env));
        assert.match(e.message, /unmapped address 0xdead0000/);
        assert.deepStrictEqual(e.loc, bad.loc);
      });
      it('pointer arithmetic scales by the element size and ptrDiff divides by it', () => {
        const { r, env } = withRegion(64);
        r.view.setUint32(12, 99, true);
        const p = param(0, ptrT(4, 'u32 *'));
        const fns = (e: Expr) => [func(0, { params: [ptrT(4)], body: block(ret(e)) })];
        assert.strictEqual(value(run(fns(load(ptrAdd(p, c(3, S64), 4), 0, U32)), [ptrTo(r)], env)), 99n);
        assert.strictEqual(value(run(fns(ptrDiff(ptrAdd(p, c(5, S64), 4), p, 4)), [ptrTo(r)], env)), 5n);
        assert.strictEqual(value(run(fns(ptrToInt(ptrAdd(p, c(2, S64), 4))), [ptrTo(r)], env)), r.addr + 8n);
      });
      it('pointer arithmetic far outside a region keeps the exact address and faults on access', () => {
        const { r, env } = withRegion(8);
        const fns = (e: Expr) => [func(0, { params: [ptrT()], body: block(ret(e)) })];
        const far = ptrAdd(param(0, ptrT()), c(2n ** 52n + 3n, S64), 8);
        assert.strictEqual(value(run(fns(ptrToInt(far)), [ptrTo(r)], env)), BigInt.asUintN(64, r.addr + (2n ** 52n + 3n) * 8n));
        const nullPlus = load(ptrAdd(nul(), c(8, S64), 1), 0, U8);
        const e = error(run(fns(nullPlus), [ptrTo(r)], env));
        assert.match(e.message, /unmapped address 0x8\b/);
        assert.deepStrictEqual(e.loc, nullPlus.loc);
      });
      it('NULL compares equal to NULL and below any real pointer', () => {
        const { r, env } = withRegion(8);
        const fns = (e: Expr) => [func(0, { params: [ptrT()], body: block(ret(e)) })];
        assert.strictEqual(value(run(fns(ptrCmp('ne', param(0, ptrT()), nul())), [ptrTo(r)], env)), 1n);
        assert.strictEqual(value(run(fns(ptrCmp('lt', nul(), param(0, ptrT()))), [ptrTo(r)], env)), 1n);
        assert.strictEqual(value(run(fns(ptrToInt(nul())), [ptrTo(r)], env)), 0n);
        assert.strictEqual(value(run(fns(ptrCmp('eq', intToPtr(c(0, U64)), nul())), [ptrTo(r)], env)), 1n);
      });
      it('copy and fill move bytes, with bounds checks', () => {
        const { r, env } = withRegion(32);
        r.bytes.set([1, 2, 3, 4], 0);
        const p = param(0, ptrT());
        const body = block(expr(copy(ptrAdd(p, c(8, S64), 1), p, 4)), expr(fill(ptrAdd(p, c(12, S64), 1), 0xab, 2)), ret(load(p, 8, U64)));
        assert.strictEqual(value(run([func(0, { params: [ptrT()], body })], [ptrTo(r)], env)), 0xabab04030201n);
        const bad = copy(ptrAdd(p, c(30, S64), 1), p, 4);
        assert.deepStrictEqual(error(run([func(0, { params: [ptrT()], body: block(expr(bad), ret(c(0, U64))) })], [ptrTo(r)], env)).loc, bad.loc);
      });
      it('globals, strings and maps resolve through the env; a missing section is a fault', () => {
        const mem = new TestMemory();
        const bss = mem.alloc(16, '.bss');
        const str = mem.alloc(6, '.rodata.str1.1', true);
        const mapStruct = mem.alloc(256, 'struct bpf_map');
        mapStruct.view.setUint32(24, 1, true);
        const env = testEnv(mem, { sections: new Map([['.bss', bss]]), strings: [ptrTo(str)], maps: new Map([['__proto__', ptrTo(mapStruct)]]) });
        const body = block(
          expr(store(addr({ kind: 'global', section: '.bss', offset: 8, name: 'total' }), 0, 8, c(5, U64))),
          ret(bin('add', load(addr({ kind: 'map', name: '__proto__' }), 24, U64), ptrToInt(addr({ kind: 'string', index: 0 })))),
        );
        assert.strictEqual(value(run([func(0, { body })], [], env)), 1n + str.addr);
        assert.strictEqual(bss.view.getBigUint64(8, true), 5n);
        const bad = addr({ kind: 'global', section: '.data', offset: 0, name: 'x' });
        assert.match(error(run([retOf(ptrToInt(bad))], [], env)).message, /no memory for section \.data/);
      });
    });

    describe('control flow', () => {
      it('logical and/or never evaluate the right side when the left decides', () => {
        let calls = 0;
        const env = testEnv(new TestMemory(), { helpers: () => { calls++; return 1n; } });
        assert.strictEqual(value(run([retOf(logical('and', c(0, U32), helper('bpf_x', [])))], [], env)), 0n);
        assert.strictEqual(value(run([retOf(logical('or', c(2, U32), helper('bpf_x', [])))], [], env)), 1n);
        assert.strictEqual(calls, 0);
        assert.strictEqual(value(run([retOf(logical('and', c(1, U32), helper('bpf_x', [])))], [], env)), 1n);
        assert.strictEqual(calls, 1);
      });
      it('conditional and sequence evaluate only what C evaluates', () => {
        const fn = func(0, { locals: [{ type: U64 }], body: block(
          expr(cond(c(0, U32), assign(0, c(1, U64)), assign(0, c(2, U64)))),
          ret(seq(assign(0, bin('mul', local(0, U64), c(10, U64))), local(0, U64)))) });
        assert.strictEqual(value(run([fn])), 20n);
      });
      it('switch falls through until break and picks default when no case matches', () => {
        const mk = (x: number) => func(0, { locals: [{ type: U64 }], body: block(
          decl(0, c(0, U64)),
          sw(c(x, U32), [
            { values: [1], body: [expr(assign(0, bin('add', local(0, U64), c(1, U64))))] },
            { values: [2, 3], body: [expr(assign(0, bin('add', local(0, U64), c(10, U64)))), brk()] },
            { values: 'default', body: [expr(assign(0, c(100, U64)))] },
            { values: [4], body: [expr(assign(0, bin('add', local(0, U64), c(1000, U64))))] },
          ]),
          ret(local(0, U64))) });
        assert.strictEqual(value(run([mk(1)])), 11n);
        assert.strictEqual(value(run([mk(3)])), 10n);
        assert.strictEqual(value(run([mk(9)])), 1100n);
        assert.strictEqual(value(run([mk(4)])), 1000n);
      });
      it('break and continue act on the innermost loop in nested loops', () => {
        // for i in 0..5: for j in 0..5: if j==2 continue; if j==4 break; sum += 10*i + j
        const I = 0, J = 1, SUM = 2;
        const inc = (id: number) => assign(id, bin('add', local(id, U64), c(1, U64)));
        const fn = func(0, { locals: [{ type: U64 }, { type: U64 }, { type: U64 }], body: block(
          decl(SUM, c(0, U64)),
          loop({ init: decl(I, c(0, U64)), test: bin('lt', local(I, U64), c(5, U64), U32), update: inc(I), body: block(
            loop({ init: decl(J, c(0, U64)), test: bin('lt', local(J, U64), c(5, U64), U32), update: inc(J), body: block(
              iff(bin('eq', local(J, U64), c(2, U64), U32), cont()),
              iff(bin('eq', local(J, U64), c(4, U64), U32), brk()),
              expr(assign(SUM, bin('add', local(SUM, U64), bin('add', bin('mul', local(I, U64), c(10, U64)), local(J, U64))))),
            ) }),
          ) }),
          ret(local(SUM, U64))) });
        let want = 0;
        for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) { if (j === 2) continue; if (j === 4) break; want += 10 * i + j; }
        assert.strictEqual(value(run([fn])), BigInt(want));
      });
      it('labeled break and continue (a lowered goto) leave the loop or switch of their label, through inner ones', () => {
        // loop 1 over i, with a switch (label 2) that continues or breaks loop 1, and an inner loop over j that
        // continues loop 1 (skipping the += 1000); then a do-while(0) region (label 3) left by its labeled break
        const I = 0, J = 1, SUM = 2;
        const inc = (id: number) => assign(id, bin('add', local(id, U64), c(1, U64)));
        const add = (e: Expr) => expr(assign(SUM, bin('add', local(SUM, U64), e)));
        const fn = func(0, { locals: [{ type: U64 }, { type: U64 }, { type: U64 }], body: block(
          decl(SUM, c(0, U64)),
          loop({ label: 1, init: decl(I, c(0, U64)), test: bin('lt', local(I, U64), c(6, U64), U32), update: inc(I), body: block(
            { ...sw(local(I, U64), [{ values: [1], body: [cont(1)] }, { values: [4], body: [brk(1)] }, { values: [2], body: [brk(2)] }]), label: 2 } as Stmt,
            loop({ init: decl(J, c(0, U64)), test: bin('lt', local(J, U64), c(5, U64), U32), update: inc(J), body: block(
              iff(bin('eq', local(J, U64), c(3, U64), U32), cont(1)),
              add(bin('add', bin('mul', local(I, U64), c(10, U64)), local(J, U64))),
            ) }),
            add(c(1000, U64)),
          ) }),
          // a forward goto's region: do { ...; break 3; ... } while (0)
          loop({ label: 3, testFirst: false, test: c(0, U32), body: block(add(c(5, U64)), iff(bin('ne', local(SUM, U64), c(0, U64), U32), brk(3)), add(c(100000, U64))) }),
          ret(local(SUM, U64))) });
        let want = 0;
        outer: for (let i = 0; i < 6; i++) {
          if (i === 1) continue outer;
          if (i === 4) break outer;
          for (let j = 0; j < 5; j++) { if (j === 3) continue outer; want += 10 * i + j; }
          want += 1000;
        }
        want += 5;
        assert.strictEqual(value(run([fn])), BigInt(want));
      });
      it('do-while runs its body before the first test and continue goes to the test', () => {
        const fn = func(0, { locals: [{ type: U64 }], body: block(
          decl(0, c(0, U64)),
          loop({ testFirst: false, test: bin('lt', local(0, U64), c(3, U64), U32), body: block(expr(assign(0, bin('add', local(0, U64), c(1, U64)))), cont()) }),
          ret(local(0, U64))) });
        assert.strictEqual(value(run([fn])), 3n);
        const once = func(0, { locals: [{ type: U64 }], body: block(
          decl(0, c(7, U64)), loop({ testFirst: false, test: c(0, U32), body: expr(assign(0, c(8, U64))) }), ret(local(0, U64))) });
        assert.strictEqual(value(run([once])), 8n);
      });
      it('calls pass arguments, return values and give each frame its own stack slots', () => {
        // f1(x, p): *(u64*)slot = x * 2; return *(u64*)slot + *p
        const f1 = func(1, { params: [U64, ptrT(8)], locals: [{ slotSize: 8 }], body: block(
          expr(store(addr({ kind: 'stack', slot: 0 }), 0, 8, bin('mul', param(0, U64), c(2, U64)))),
          ret(bin('add', load(addr({ kind: 'stack', slot: 0 }), 0, U64), load(param(1, ptrT(8)), 0, U64)))) });
        const f0 = func(0, { locals: [{ slotSize: 8 }], body: block(
          expr(store(addr({ kind: 'stack', slot: 0 }), 0, 8, c(5, U64))),
          ret(bin('add', call(1, [c(20, U64), addr({ kind: 'stack', slot: 0 })], U64), load(addr({ kind: 'stack', slot: 0 }), 0, U64)))) });
        assert.strictEqual(value(run([f0, f1])), 40n + 5n + 5n);
      });
      it('recursion is stopped by the call-depth guard with the call\'s loc', () => {
        const rec = call(0, [], U64);
        const e = error(run([retOf(rec)]));
        assert.strictEqual(e.kind, 'fault');
        assert.match(e.message, /call depth exceeds 8 frames/);
        assert.deepStrictEqual(e.loc, rec.loc);
      });
      it('combined stack over 512 bytes faults', () => {
        const big = call(1, [], U64);
        const f0 = func(0, { locals: [{ slotSize: 300 }], body: block(ret(big)) });
        const f1 = func(1, { locals: [{ slotSize: 300 }], body: block(ret(c(1, U64))) });
        assert.match(error(run([f0, f1])).message, /combined stack depth 608 bytes exceeds 512/);
      });
    });

    describe('helpers', () => {
      it('pointer args arrive as addresses, ints as u64, and R0 is converted to the call type', () => {
        const mem = new TestMemory();
        const r = mem.alloc(8, 'buf');
        let seen: bigint[] = [];
        const env = testEnv(mem, { helpers: (name, args) => { seen = [...args]; return name === 'bpf_ret_ptr' ? r.addr + 4n : -1n; } });
        const fn = func(0, { params: [ptrT()], body: block(ret(helper('bpf_f', [param(0, ptrT()), c(-1, S32), c(7, U8)], S32))) });
        assert.strictEqual(value(run([fn], [ptrTo(r, 2)], env)), 0xffffffffffffffffn);
        assert.deepStrictEqual(seen, [r.addr + 2n, 0xffffffffffffffffn, 7n]);
        const fp = func(0, { body: block(ret(ptrDiff(helper('bpf_ret_ptr', [], ptrT()), intToPtr(c(r.addr, U64)), 1))) });
        assert.strictEqual(value(run([fp], [], env)), 4n);
      });
      it('a throwing helper is a helper error at the call\'s loc', () => {
        const h = helper('bpf_boom', []);
        const e = error(run([retOf(h)], [], testEnv(new TestMemory(), { helpers: () => { throw new Error('kaboom'); } })));
        assert.strictEqual(e.kind, 'helper');
        assert.match(e.message, /bpf_boom failed: kaboom/);
        assert.deepStrictEqual(e.loc, h.loc);
      });
    });

    describe('budget and cancellation', () => {
      const forever = (): Stmt => loop({ body: block() });
      it('an infinite loop stops at the budget with a message naming the setting', () => {
        const fn = func(0, { body: block(forever(), ret(c(0, U64))) });
        const env = testEnv(new TestMemory(), { instructionBudget: 5000 });
        const e = error(run([fn], [], env));
        assert.strictEqual(e.kind, 'budget');
        assert.match(e.message, /instruction budget of 5000 statements exhausted/);
        assert.match(e.message, /bpfIter\.instructionBudget/);
        assert.match(e.message, /--budget/);
      });
      it('exactly `budget` statements may run', () => {
        const fn = func(0, { body: block(expr(c(1, U64)), ret(c(3, U64))) });   // block + expr + return = 3
        assert.strictEqual(value(run([fn], [], testEnv(new TestMemory(), { instructionBudget: 3 }))), 3n);
        assert.strictEqual(error(run([fn], [], testEnv(new TestMemory(), { instructionBudget: 2 }))).kind, 'budget');
      });
      it('the default budget is the verifier\'s 1,000,000', () => {
        const fn = func(0, { body: block(forever(), ret(c(0, U64))) });
        assert.match(error(run([fn])).message, /budget of 1000000 statements/);
      });
      it('cancellation is polled and stops the run', () => {
        let polls = 0;
        const fn = func(0, { body: block(forever(), ret(c(0, U64))) });
        const env = testEnv(new TestMemory(), { cancelCheckInterval: 100, isCancelled: () => ++polls >= 3 });
        const e = error(run([fn], [], env));
        assert.strictEqual(e.kind, 'cancelled');
        assert.strictEqual(polls, 3);
      });
    });
  });
}

describe('compileProgram', () => {
  it('uses the interpreter when debug hooks are given and calls them before each statement', () => {
    const seen: number[] = [];
    const fn = func(0, { body: block(expr(c(1, U64)), ret(c(2, U64))) });
    const prog = compileProgram(program(fn), { hooks: { onStatement: (frame, stmt, frames) => { seen.push(frames.length); void frame; void stmt; } } });
    assert.strictEqual(prog.mode, 'interpreter');
    assert.strictEqual(value(prog.run(0, [], testEnv(new TestMemory()))), 2n);
    assert.deepStrictEqual(seen, [1, 1, 1]);
  });
  it('reports malformed IR as a fault at its loc instead of throwing', () => {
    const bad = { op: 'goto', loc: { file: 0, pos: 5, end: 6 } } as unknown as Stmt;
    for (const mode of MODES) {
      const prog = compileProgram(program(func(0, { body: block(bad) })), { mode });
      const e = error(prog.run(0, [], testEnv(new TestMemory())));
      assert.match(e.message, /malformed IR: unknown statement "goto"/);
      assert.deepStrictEqual(e.loc, bad.loc);
    }
  });
  it('falls back to the interpreter, with a reason, when the JIT cannot compile the IR', () => {
    const fn = func(0, { body: block(expr({ op: 'binary', kind: 'pow' as never, left: c(1, U64), right: c(1, U64), type: U64, loc: { file: 0, pos: 0, end: 0 } })) });
    const prog = compileProgram(program(fn));
    assert.strictEqual(prog.mode, 'interpreter');
    assert.match(prog.fallbackReason ?? '', /JIT compilation failed/);
  });
});
