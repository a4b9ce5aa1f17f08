import * as assert from 'assert';
import { StepController, localValue, type StepCommand, type StopEvent } from '../../../server/src/exec/debugHooks';
import { Interpreter } from '../../../server/src/exec/interpreter';
import { U64 } from '../../../server/src/lang/ir';
import type { Stmt } from '../../../server/src/lang/ir';
import { TestMemory, addr, assign, bin, block, c, call, decl, expr, func, local, param, program, ret, store, testEnv } from './irBuilders';

// f1(x) { y = x + 1; return y * 2; }      f0() { s = 3; *slot = 7; r = f1(s); return r + 1; }
function debuggee() {
  const f1Body = [expr(assign(1, bin('add', param(0, U64), c(1, U64)))), ret(bin('mul', local(1, U64), c(2, U64)))];
  const f1 = func(1, { name: 'helper_fn', params: [U64], locals: [{ type: U64, name: 'y' }], body: block(...f1Body) });
  const f0Body = [
    decl(0, c(3, U64)),
    expr(store(addr({ kind: 'stack', slot: 0 }), 0, 8, c(7, U64))),
    decl(1, call(1, [local(0, U64)], U64)),
    ret(bin('add', local(1, U64), c(1, U64))),
  ];
  const f0 = func(0, { name: 'dump', locals: [{ type: U64, name: 's' }, { type: U64, name: 'r' }, { slotSize: 8, name: 'buf' }], body: block(...f0Body) });
  return { ir: program(f0, f1), f0Body, f1Body };
}

function session(commands: StepCommand[], isBreakpoint?: (s: Stmt) => boolean, stopOnEntry = true) {
  const { ir, f0Body, f1Body } = debuggee();
  const stops: Array<{ reason: string; stmt: Stmt; depth: number; func: string }> = [];
  let interp!: Interpreter;
  const evaluated: bigint[] = [];
  const controller = new StepController((ev: StopEvent) => {
    stops.push({ reason: ev.reason, stmt: ev.stmt, depth: ev.frames.length, func: ev.frame.func.name });
    const v = interp.evaluate(bin('add', local(0, U64), c(100, U64)), ev.frame);
    if (v.ok && typeof v.value === 'bigint') evaluated.push(v.value);
    return commands.shift() ?? 'continue';
  }, isBreakpoint, stopOnEntry);
  interp = new Interpreter(ir, controller);
  const outcome = interp.run(0, [], testEnv(new TestMemory()));
  return { outcome, stops, f0Body, f1Body, evaluated };
}

describe('exec/interpreter: debugger stepping', () => {
  it('stops on entry at the first statement that is not a block', () => {
    const { stops, f0Body, outcome } = session(['continue']);
    assert.deepStrictEqual(stops.map((s) => [s.reason, s.stmt]), [['entry', f0Body[0]]]);
    assert.deepStrictEqual(outcome, { ok: true, value: 9n });
  });
  it('step over does not stop inside a called function', () => {
    const { stops, f0Body } = session(['stepOver', 'stepOver', 'stepOver', 'continue']);
    assert.deepStrictEqual(stops.map((s) => s.stmt), f0Body);
  });
  it('step into enters the callee and step out returns to the caller', () => {
    const { stops, f0Body, f1Body } = session(['stepOver', 'stepOver', 'stepIn', 'stepOut', 'continue']);
    assert.deepStrictEqual(stops.map((s) => [s.func, s.depth, s.stmt]), [
      ['dump', 1, f0Body[0]], ['dump', 1, f0Body[1]], ['dump', 1, f0Body[2]], ['helper_fn', 2, f1Body[0]], ['dump', 1, f0Body[3]],
    ]);
  });
  it('breakpoints stop where they are set, in any frame', () => {
    const { stops, f1Body } = session(['continue'], (s) => s.op === 'return' && s.value?.op === 'binary' && s.value.kind === 'mul', false);
    assert.deepStrictEqual(stops.map((s) => [s.reason, s.stmt]), [['breakpoint', f1Body[1]]]);
  });
  it('frames show scalar locals and stack-slot bytes at the stop; evaluate reads the frame', () => {
    const { ir, f0Body } = debuggee();
    let seen: unknown[] = [];
    const controller = new StepController((ev) => {
      if (ev.stmt === f0Body[3]) seen = ev.frame.func.locals.map((l) => localValue(ev.frame, l));
      return 'stepOver';
    }, undefined, true);
    const outcome = new Interpreter(ir, controller).run(0, [], testEnv(new TestMemory()));
    assert.deepStrictEqual(outcome, { ok: true, value: 9n });
    assert.deepStrictEqual(seen, [3n, 8n, new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0])]);
    const { evaluated } = session(['stepOver', 'continue']);
    assert.deepStrictEqual(evaluated, [100n, 103n]);
  });
  it('abort stops the run with a cancelled error at the statement', () => {
    const { outcome, f0Body } = session(['stepOver', 'abort']);
    assert.ok(!outcome.ok);
    assert.strictEqual(outcome.error.kind, 'cancelled');
    assert.deepStrictEqual(outcome.error.loc, f0Body[1].loc);
  });
});
