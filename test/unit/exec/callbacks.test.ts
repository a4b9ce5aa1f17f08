import * as assert from 'assert';
import type { Expr, FuncAddrTarget, IrProgram } from '../../../server/src/lang/ir';
import { compileProgram } from '../../../server/src/exec/jit';
import type { HelperTable } from '../../../server/src/exec/memory';
import {
  TestMemory, addr, bin, c, expr, func, helper, iff, int, load, loc, param, ptrT, program, ret, block, store, testEnv, cond, ptrCmp, nul,
} from './irBuilders';

const U64 = int(64, false);
const funcAddr = (target: FuncAddrTarget): Expr => ({ op: 'funcAddr', target, type: ptrT(), loc: loc() });

/** A bpf_loop() as the kernel runs it: calls the callback with (i, ctx) until it returns non-zero. */
const loopHelpers: HelperTable = (name, args, callback) => {
  if (name !== 'bpf_loop') throw new Error(`no helper ${name}`);
  for (let i = 0n; i < args[0]; i++) if (callback(args[1], [i, args[2], 0n, 0n, 0n]) !== 0n) return i + 1n;
  return args[0];
};

/** entry: u64 acc = 0; return bpf_loop(nr, add_index, &acc, 0) * 1000 + acc. callback: acc += i; stop at `stopAt`. */
function loopProgram(nr: number, stopAt: number, callbackBody?: Expr): IrProgram {
  const acc = addr({ kind: 'stack', slot: 0 }, ptrT(8));
  const entry = func(0, {
    locals: [{ slotSize: 8, name: 'acc' }],
    body: block(
      expr(store(acc, 0, 8, c(0, U64))),
      ret(bin('add',
        bin('mul', helper('bpf_loop', [c(nr, U64), funcAddr({ kind: 'subprog', func: 1 }), addr({ kind: 'stack', slot: 0 }, ptrT(8)), c(0, U64)]), c(1000, U64)),
        load(addr({ kind: 'stack', slot: 0 }, ptrT(8)), 0, U64))),
    ),
  });
  const callback = func(1, {
    name: 'add_index', params: [U64, ptrT(8)],
    body: block(
      expr(callbackBody ?? store(param(1, ptrT(8)), 0, 8, bin('add', load(param(1, ptrT(8)), 0, U64), param(0, U64)))),
      iff(bin('eq', param(0, U64), c(stopAt, U64)), ret(c(1, U64))),
      ret(c(0, U64)),
    ),
  });
  return program(entry, callback);
}

function runBoth(ir: IrProgram, helpers: HelperTable = loopHelpers) {
  return (['interpreter', 'jit'] as const).map((mode) => {
    const prog = compileProgram(ir, { mode });
    assert.strictEqual(prog.mode, mode, prog.fallbackReason);
    return prog.run(0, [], testEnv(new TestMemory(), { helpers }));
  });
}

describe('exec: callbacks and function values (interpreter and JIT agree)', () => {
  it('bpf_loop calls the program back with its index and the stack context; the callback writes the caller\'s stack', () => {
    const [interp, jit] = runBoth(loopProgram(10, 3));
    assert.deepStrictEqual(interp, { ok: true, value: 4006n });   // 0+1+2+3, stopped after 4 calls
    assert.deepStrictEqual(jit, interp);
  });

  it('a callback that never stops runs nr times', () => {
    const [interp, jit] = runBoth(loopProgram(5, 99));
    assert.deepStrictEqual(interp, { ok: true, value: 5010n });
    assert.deepStrictEqual(jit, interp);
  });

  it('a fault inside the callback is reported at the callback\'s node in both executors', () => {
    const bad = store(nul(ptrT(8)), 0, 8, c(1, U64));
    const [interp, jit] = runBoth(loopProgram(3, 99, bad));
    assert.strictEqual(interp.ok, false);
    assert.deepStrictEqual(jit, interp);
    assert.deepStrictEqual(!interp.ok && interp.error.loc, bad.loc);
  });

  it('a function\'s address is a non-NULL pointer; a helper calling back an address that is no function faults', () => {
    const test = (target: Expr): IrProgram => program(func(0, { body: ret(cond(ptrCmp('ne', target, nul()), c(1, U64), c(0, U64))) }));
    for (const r of runBoth(test(funcAddr({ kind: 'kfunc', name: 'bpf_map_sum_elem_count' })))) assert.deepStrictEqual(r, { ok: true, value: 1n });
    for (const r of runBoth(test(nul()))) assert.deepStrictEqual(r, { ok: true, value: 0n });
    const wild: HelperTable = (_name, args, callback) => callback(args[0] + 8n, []);
    const ir = program(func(0, { body: ret(helper('bpf_loop', [funcAddr({ kind: 'subprog', func: 0 })])) }));
    const [interp, jit] = runBoth(ir, wild);
    assert.ok(!interp.ok && /no function of the program/.test(interp.error.message), JSON.stringify(interp));
    assert.deepStrictEqual(jit, interp);
  });
});
