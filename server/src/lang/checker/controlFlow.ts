/** Statements and control flow: calls into subprograms, return values, loops (widening, bounds, iteration caps), break/continue. */

import { appendAll } from '../arrays';
import type { Expr, Loc, Stmt } from '../ir';
import { Diagnostics } from '../diagnostics';
import { AbsValue, TOP, constant, offsetRange, scalar, widenValue, S64_MIN, U64_MAX } from './domain';
import { lookupHelper } from './helpers';
import { returnValueProblem } from './returnValue';
import { assignedInNestedLoop, counterCondition, counterSteps, hasExit, loopContains, countsEveryPass, loopExits, loopFills, loopInvariant, loopPointerFills, type LoopPointerFill, lostCounterFpOffset, nonConvergingIterCounters, slotEscapesInLoop, tripsToBound } from './loops';
import { forEachStmtChild } from '../irWalk';
import { PATH_SPLIT_MIN_PASSES, helperWritesSlot, pathSplittingTest } from './pathSplitLoops';
import { iterKindOfKfunc } from '../../kernel/openIters';
import { reachableFunctions } from './stack';
import { cloneState, type State, type ReturnSite, type Frame, type LoopCtx, initialState } from './abstractState';
import { markInitialized } from './uninit';
import { globalArgProblem, typedUnknown } from './globalCalls';
import { HelperCallChecker } from './helperCalls';
import { joinAlike, lastMention, MAX_SPLIT_DEPTH, splittingLocals } from './pathSplit';

const MAX_FRAMES = 8;

const WIDEN_AFTER = 3;

const MAX_LOOP_ITERATIONS = 12;

/** Widening passes that may stop at a threshold (a constant the loop compares with) before widening to the range's ends. */
const THRESHOLD_PASSES = 4;

/** Passes from the loop's fixpoint that may give its locals back narrower ranges. */
const NARROWING_PASSES = 2;

const MAX_TRIPS = 100_000n;

/** Statement visits before the analysis gives up (deeply nested loops multiply the fixpoint passes). */
const MAX_STEPS = 100_000;

/** Statement visits after which no more paths are walked apart (pathSplit.ts, unrolling.ts): the rest stays joined. */
const SPLIT_STEPS = MAX_STEPS / 4;

export class AnalysisBudgetExceeded extends Error {
  constructor(readonly steps: number) { super(`the analysis stopped after ${steps} statement visits`); }
}

export abstract class ControlFlowVerifier extends HelperCallChecker {
  protected checkReturn(v: AbsValue, loc: Loc): void {
    // mirrors check_return_code() with the BPF_TRACE_ITER range [0, 1]
    if (v.kind !== 'scalar') return;
    const problem = returnValueProblem(v.range);
    if (problem) this.report(Diagnostics.ReturnValueOutOfRange, loc, [problem.shown, problem.kernelText]);
  }

  /** Returns the states and values at each `return` of the callee (with their locs). */
  protected callFunction(index: number, args: AbsValue[], state: State, callLoc: Loc): ReturnSite[] {
    const fn = this.program.functions[index];
    if (!fn) return [{ state, value: TOP, loc: callLoc, final: this.reporting }];
    if (fn.globalSignature && this.frames.length > 0) return this.callGlobal(index, args, state, callLoc);
    if (this.frames.length >= MAX_FRAMES || this.frames.some((f) => f.index === index)) {
      this.report(Diagnostics.CallTooDeep, callLoc, [`the call stack of ${this.frames.length + 1} frames is too deep !`]);
      return [{ state, value: TOP, loc: callLoc, final: this.reporting }];
    }
    const frame: Frame = { index, fn, args, returns: [] };
    const depth = this.frames.length;
    this.frames.push(frame);
    const s = cloneState(state);
    // A new frame holds only its arguments (check_func_call() gives the callee fresh registers): what an earlier
    // call at this depth left in the state (its locals never assigned, its cached loads) is not this call's.
    const prefix = `${depth}:`;
    for (const k of s.unassigned) if (k.startsWith(prefix)) s.unassigned.delete(k);
    for (const k of s.locals.keys()) if (k.startsWith(prefix)) s.locals.delete(k);
    fn.params.forEach((id, i) => s.locals.set(`${depth}:${id}`, args[i] ?? TOP));
    for (const slot of fn.slots) s.stack.set(`${depth}:${slot.id}`, { init: new Uint8Array(slot.size), spills: new Map() });
    const savedLoops = this.loops;
    this.loops = [];
    const end = this.execStmt(fn.body, s);
    this.loops = savedLoops;
    this.frames.pop();
    const out = frame.returns.slice();
    if (end) out.push({ state: end, value: fn.returnType.kind === 'void' ? constant(0n) : TOP, loc: fn.loc, final: this.reporting });
    return out;
  }

  /** Global functions already verified on their own (once each, as the kernel does). */
  private readonly globalsVerified = new Set<number>();

  /**
   * A call of a global function: mirrors btf_check_subprog_call() at the call (each argument against the
   * prototype's type, "Caller passes invalid args into func#N"), then do_check_common() of the function alone with
   * the arguments btf_prepare_func_args() gives it; the caller gets an unknown R0, and the memory it passed may have
   * been written.
   */
  private callGlobal(index: number, args: AbsValue[], state: State, callLoc: Loc): ReturnSite[] {
    const fn = this.program.functions[index];
    const sig = fn.globalSignature!;
    const invalid = `Caller passes invalid args into func#? ('${fn.name}')`;
    if (!sig.returnsScalar) this.report(Diagnostics.GlobalFuncReturnNotScalar, callLoc, [fn.name, `Global function ${fn.name}() doesn't return scalar. Only those are supported.`]);
    sig.args.forEach((arg, i) => {
      const problem = globalArgProblem(arg, args[i] ?? TOP, state);
      if (problem) this.report(Diagnostics.GlobalFuncArgInvalid, callLoc, [fn.name, i + 1, problem.why, [problem.kernel(i), invalid].filter((x) => x).join('; ')]);
    });
    if (this.reporting && !this.globalsVerified.has(index)) {
      this.globalsVerified.add(index);
      const saved = { frames: this.frames, loops: this.loops };
      this.frames = [];
      const params = sig.args.map((arg, i): AbsValue => {
        const local = fn.locals.find((l) => l.id === fn.params[i]);
        const name = local?.name ?? `arg${i + 1}`;
        if (arg.kind === 'mem') return { kind: 'ptr', region: { kind: 'mem', size: arg.size }, off: 0n, varOff: null, maybeNull: true, nullId: this.freshId(), desc: name };
        return local?.type?.kind === 'int' ? typedUnknown(local.type) : scalar(S64_MIN, U64_MAX, false);
      });
      try {
        this.callFunction(index, params, initialState(), fn.loc);
      } finally {
        this.frames = saved.frames;
        this.loops = saved.loops;
      }
    }
    // the callee may have written what the caller passed (check_mem_reg() checks the memory for BPF_WRITE too)
    sig.args.forEach((arg, i) => {
      const v = args[i];
      if (arg.kind !== 'mem' || !v || v.kind !== 'ptr' || v.region.kind !== 'stack') return;
      const slot = state.stack.get(this.slotKey(v));
      if (!slot) return;
      if (v.varOff) { slot.spills.clear(); return; }
      const start = Number(v.off), end = start + arg.size;
      markInitialized(slot.init, start, end);
      for (const off of [...slot.spills.keys()]) if (off < end && off + 8 > start) slot.spills.delete(off);
    });
    const value = fn.returnType.kind === 'int' ? typedUnknown(fn.returnType) : TOP;
    return [{ state, value, loc: callLoc, final: this.reporting }];
  }

  // ---------------------------------------------------------------- statements


  /**
   * The states on each side of a branch test. `a || b` is false only where both ran and were false, `a && b` true only
   * where both ran and were true: the side where the right operand ran keeps what it did (a helper's writes to the
   * stack in `if (read(&x) || read(&y)) return;`), as the verifier walks each path.
   */
  protected branches(test: Expr, state: State): { t: State | null; f: State | null } {
    if (test.op === 'unary' && test.kind === 'lnot') {
      const inner = this.branches(test.operand, state);
      return { t: inner.f, f: inner.t };
    }
    if (test.op === 'logical') {
      const left = this.branches(test.left, state);
      if (test.kind === 'or') {
        const right = left.f ? this.branches(test.right, left.f) : { t: null, f: null };
        return { t: this.joinStates(left.t, right.t), f: right.f };
      }
      const right = left.t ? this.branches(test.right, left.t) : { t: null, f: null };
      return { t: right.t, f: this.joinStates(left.f, right.f) };
    }
    // `({ int *t = next(&it); t && (i = *t, i < end); })` (libbpf's bpf_for()) and `(i = *t, i < end)`: what runs
    // before the value is on both sides, and the value branches as a test of its own, so an assignment in the right
    // operand of `&&` holds where the test is true
    // C's truth conversion of such a test, `(...) != 0` (lowering writes it out), branches as the test itself
    if (test.op === 'binary' && (test.kind === 'ne' || test.kind === 'eq') && test.right.op === 'const' && test.right.value === 0n
      && (test.left.op === 'stmtExpr' || test.left.op === 'sequence' || test.left.op === 'logical')) {
      const inner = this.branches(test.left, state);
      return test.kind === 'ne' ? inner : { t: inner.f, f: inner.t };
    }
    if (test.op === 'stmtExpr' && test.value) {
      const after = this.execStmt(test.body, state);
      return after ? this.branches(test.value, after) : { t: null, f: null };
    }
    if (test.op === 'sequence') {
      this.eval(test.first, state);
      return this.branches(test.second, state);
    }
    this.eval(test, state);
    return { t: this.refine(test, cloneState(state), true), f: this.refine(test, cloneState(state), false) };
  }
  execStmt(s: Stmt, state: State | null): State | null {
    if (!state) return null;
    if (++this.steps > MAX_STEPS) throw new AnalysisBudgetExceeded(MAX_STEPS);
    switch (s.op) {
      case 'expr': this.eval(s.expr, state); return state;
      case 'block': return this.execStatements(s.body, 0, state);
      case 'declare': {
        const k = this.key(s.id);
        if (s.init) {
          const v = this.eval(s.init, state);
          state.locals.set(k, v);
          state.unassigned.delete(k);
        } else {
          const local = this.frames[this.frames.length - 1].fn.locals.find((l) => l.id === s.id);
          if (local && local.slot !== undefined) {
            const slot = state.stack.get(`${this.frames.length - 1}:${local.slot}`);
            if (slot) { slot.init.fill(0); slot.spills.clear(); }
          } else {
            state.locals.set(k, TOP);
            state.unassigned.add(k);
          }
        }
        return state;
      }
      case 'if': {
        const { a, b } = this.ifSides(s, state);
        return this.joinStates(a, b);
      }
      case 'return': {
        const value = s.value ? this.eval(s.value, state) : constant(0n);
        const frame = this.frames[this.frames.length - 1];
        frame.returns.push({ state, value, loc: s.value?.loc ?? s.loc, final: this.reporting });
        return null;
      }
      case 'break': this.jumpTarget(s.label)?.breaks.push(state); return null;
      case 'continue': this.jumpTarget(s.label)?.continues.push(state); return null;
      case 'switch': {
        const test = this.eval(s.test, state);
        // a known value enters at its case only (clang folds a constant switch, as libbpf's BPF_CORE_READ_BITFIELD's
        // switch on a field's size; the verifier never sees the other cases)
        const known = test.kind === 'scalar' && test.range.min === test.range.max ? test.range.min : undefined;
        const matches = known !== undefined && s.cases.some((c) => c.values !== 'default' && c.values.includes(known));
        const enters = (c: typeof s.cases[number]): boolean => known === undefined
          || (c.values === 'default' ? !matches : c.values.includes(known));
        let out: State | null = null;
        let fall: State | null = null;
        const ctx: LoopCtx = { breaks: [], continues: [], label: s.label };
        const outer = this.loops[this.loops.length - 1];
        this.loops.push(ctx);
        let hasDefault = false;
        for (const c of s.cases) {
          if (c.values === 'default') hasDefault = true;
          let cur: State | null = this.joinStates(enters(c) ? cloneState(state) : null, fall);
          for (const b of c.body) cur = this.execStmt(b, cur);
          fall = cur;
        }
        this.loops.pop();
        if (outer) appendAll(outer.continues, ctx.continues);
        out = fall;
        for (const b of ctx.breaks) out = this.joinStates(out, b);
        if (!hasDefault && !matches) out = this.joinStates(out, state);
        return out;
      }
      case 'loop': return this.execLoop(s, state);
    }
  }

  /** The states the two sides of an `if` leave (null for a side that does not reach its end). */
  protected ifSides(s: Extract<Stmt, { op: 'if' }>, state: State): { a: State | null; b: State | null } {
    const { t, f } = this.branches(s.test, state);
    return { a: this.execStmt(s.then, t), b: s.else ? this.execStmt(s.else, f) : f };
  }

  /**
   * The statements of a block from `from` on. At an `if` whose sides leave a local that the rest of the block needs
   * exact (splittingLocals()), the statements up to the last one that uses such a local are walked once from each
   * side, as the verifier walks the two paths apart; then the sides are joined, unless they still differ so. A loop
   * walked pass by pass (unrolledExits()) gives one exit per value of its counters, walked apart the same way.
   */
  protected execStatements(body: readonly Stmt[], from: number, state: State | null): State | null {
    let cur: State | null = state;
    const prefix = `${this.frames.length - 1}:`;
    for (let i = from; i < body.length; i++) {
      const s = body[i];
      let sides: State[] | undefined;
      if (s.op === 'loop' && cur && this.splitDepth < MAX_SPLIT_DEPTH && this.steps < SPLIT_STEPS) {
        sides = this.unrolledExits(s, cur, body.slice(i + 1));
        if (sides && sides.length <= 1) { cur = sides[0] ?? null; continue; }
      } else if (s.op === 'if' && cur && this.splitDepth < MAX_SPLIT_DEPTH && this.steps < SPLIT_STEPS && i < body.length - 1) {
        if (++this.steps > MAX_STEPS) throw new AnalysisBudgetExceeded(MAX_STEPS);
        const { a, b } = this.ifSides(s, cur);
        if (!a || !b || splittingLocals(a, b, body.slice(i + 1), prefix).length === 0) { cur = this.joinStates(a, b); continue; }
        sides = [a, b];
      }
      if (!sides) { cur = this.execStmt(s, cur); continue; }
      const next = this.walkApart(body, i + 1, sides, prefix);
      if (next.end) return next.state;
      cur = next.state;
      i = next.resume - 1;
    }
    return cur;
  }

  /**
   * Walks `body` from `from` from each of `sides`, in step, up to the last statement that uses a local they differ
   * in: an `if` there whose sides differ so too adds its two (`if (a) *p++ = 'a'; if (b) *p++ = 'b';`), and the states
   * that agree on those locals are joined after each statement, so a run of such `if`s keeps one state per value, as
   * the verifier's pruning does. Then the states are joined (`resume` is where the block goes on), or, when they still
   * differ in a local the rest needs, the rest is walked from each to the block's end (`end`).
   */
  private walkApart(body: readonly Stmt[], from: number, sides: State[], prefix: string): { state: State | null; resume: number; end: boolean } {
    this.splitDepth++;
    try {
      const keys = new Set<number>();
      for (let j = 1; j < sides.length; j++) for (const id of splittingLocals(sides[0], sides[j], body.slice(from), prefix)) keys.add(id);
      let until = keys.size > 0 ? lastMention(body, from, [...keys]) + 1 : from;
      let states = joinAlike(sides, keys, prefix, (x, y) => this.joinStates(x, y));
      for (let i = from; i < until && states.length > 0; i++) {
        const s = body[i];
        const next: State[] = [];
        for (const st of states) {
          const exits = s.op === 'loop' && this.steps < SPLIT_STEPS ? this.unrolledExits(s, st, body.slice(i + 1)) : undefined;
          if (exits) {
            // a loop walked pass by pass: its exits, one per value of its counters, go on in step
            for (const e of exits.slice(1)) for (const id of splittingLocals(exits[0], e, body.slice(i + 1), prefix)) keys.add(id);
            until = Math.max(until, lastMention(body, i + 1, [...keys]) + 1);
            next.push(...exits);
            continue;
          }
          if (s.op !== 'if') {
            const r = this.execStmt(s, st);
            if (r) next.push(r);
            continue;
          }
          if (++this.steps > MAX_STEPS) throw new AnalysisBudgetExceeded(MAX_STEPS);
          const { a, b } = this.ifSides(s, st);
          const ids = a && b && this.steps < SPLIT_STEPS ? splittingLocals(a, b, body.slice(i + 1), prefix) : [];
          if (ids.length === 0) {
            const j = this.joinStates(a, b);
            if (j) next.push(j);
            continue;
          }
          for (const id of ids) keys.add(id);
          until = Math.max(until, lastMention(body, i + 1, ids) + 1);
          next.push(a!, b!);
        }
        states = joinAlike(next, keys, prefix, (x, y) => this.joinStates(x, y));
      }
      const rest = body.slice(until);
      const stillApart = states.length > 1 && states.some((e, j) => j > 0 && splittingLocals(states[0], e, rest, prefix).length > 0);
      if (until < body.length && stillApart) {
        let out: State | null = null;
        for (const e of states) out = this.joinStates(out, this.execStatements(body, until, e));
        return { state: out, resume: body.length, end: true };
      }
      let joined: State | null = null;
      for (const e of states) joined = this.joinStates(joined, e);
      return { state: joined, resume: until, end: until >= body.length || joined === null };
    } finally {
      this.splitDepth--;
    }
  }

  /**
   * The exit states of a loop walked pass by pass, one per value of a counter the rest of the block (`rest`) needs
   * exact, or undefined when the loop is left to the fixpoint (unrolling.ts).
   */
  protected unrolledExits(_loop: Extract<Stmt, { op: 'loop' }>, _state: State, _rest: readonly Stmt[]): State[] | undefined { return undefined; }

  /** The loop or switch a break/continue leaves: the innermost, or the one of its label (a lowered goto). */
  protected jumpTarget(label: number | undefined): LoopCtx | undefined {
    if (label === undefined) return this.loops[this.loops.length - 1];
    for (let i = this.loops.length - 1; i >= 0; i--) if (this.loops[i].label === label) return this.loops[i];
    return undefined;
  }

  protected execLoop(loop: Extract<Stmt, { op: 'loop' }>, state: State): State | null {
    const pre = loop.init ? this.execStmt(loop.init, state) : state;
    if (!pre) return null;
    // `do { ... } while (0)` (also a forward goto's region) has no back edge: one pass is the whole analysis
    if (runsOnce(loop)) return this.loopIteration(loop, cloneState(pre)).exit;
    const outerReporting = this.reporting;
    this.reporting = false;
    let head = cloneState(pre);
    let thresholds: bigint[] | undefined;
    let limits: Map<string, { min: bigint; max: bigint }> | undefined;
    for (let i = 0; i < MAX_LOOP_ITERATIONS; i++) {
      const { back } = this.loopIteration(loop, cloneState(head));
      const joined = this.joinStates(cloneState(head), back);
      if (!joined) break;
      let next = joined;
      if (i >= WIDEN_AFTER) {
        // thresholds first (a few passes), then the ends of the range, so the fixpoint is reached within the cap
        const steps = i < WIDEN_AFTER + THRESHOLD_PASSES ? (thresholds ??= loopThresholds(loop)) : [];
        next = cloneState(joined);
        for (const [k, v] of joined.locals) {
          const old = head.locals.get(k);
          if (!old) continue;
          const w = widenValue(old, v, steps);
          // a pointer or counter the loop steps by constants moves at most trips x steps: widen it that far, not to the ends
          const limit = (w.kind === 'ptr' && w.varOff) || w.kind === 'scalar' ? (limits ??= this.loopPointerLimits(loop, pre)).get(k) : undefined;
          if (limit && w.kind === 'ptr' && w.varOff) {
            const min = limit.min - w.off, max = limit.max - w.off;
            next.locals.set(k, { ...w, varOff: { ...w.varOff, min: w.varOff.min < min ? min : w.varOff.min, max: w.varOff.max > max ? max : w.varOff.max } });
          } else if (limit && w.kind === 'scalar') {
            next.locals.set(k, { ...w, range: { ...w.range, min: w.range.min < limit.min ? limit.min : w.range.min, max: w.range.max > limit.max ? limit.max : w.range.max } });
          } else next.locals.set(k, w);
        }
      }
      if (this.statesEqual(head, next)) break;
      head = next;
      if (i === MAX_LOOP_ITERATIONS - 1) {
        for (const [k, v] of head.locals) {
          if (v.kind !== 'scalar') continue;
          const limit = (limits ??= this.loopPointerLimits(loop, pre)).get(k);
          head.locals.set(k, limit ? scalar(limit.min, limit.max, false) : scalar(S64_MIN, U64_MAX, false));
        }
      }
    }
    // narrowing: one more pass from the fixpoint gives back a bound the widening dropped (`i <= 100; i += 4` leaves
    // at 104, where the verifier, walking each iteration, sees it); only a local's range that shrinks is taken
    for (let n = 0; n < NARROWING_PASSES; n++) {
      const { back } = this.loopIteration(loop, cloneState(head));
      const again = this.joinStates(cloneState(pre), back);
      if (!again || !this.narrowLocals(head, again)) break;
    }
    this.reporting = outerReporting;
    this.checkLoopBound(loop, pre, head);
    const { exit } = this.loopIteration(loop, cloneState(head));
    if (exit) this.markLoopFills(loop, pre, exit);
    return exit;
  }

  /**
   * After a counted loop that writes a stack array element by element on every pass (loopFills()), the elements it
   * went over are written: the verifier walks each pass and sees each store; the fixpoint here, which joins the passes,
   * cannot tell which element a variable index wrote.
   */
  protected markLoopFills(loop: Extract<Stmt, { op: 'loop' }>, pre: State, exit: State): void {
    const fills = loopFills(loop);
    const pointerFills = loopPointerFills(loop);
    if ((fills.length === 0 && pointerFills.length === 0) || !loop.test) return;
    const e = counterCondition(loop.test, false);
    if (!e || e.counter < 0 || e.distance || !e.increasing || e.bound.op !== 'const') return;
    const steps = counterSteps(loop, e.counter);
    if (!steps || steps.length !== 1 || steps[0] !== 1n) return;
    const start = this.peek(e.counter, pre);
    if (!start || start.min !== start.max || start.min < 0n) return;
    const end = e.bound.value + (e.inclusive ? 1n : 0n);
    if (end <= start.min || end - start.min > 4096n) return;
    const frame = this.frames.length - 1;
    this.markPointerFills(pointerFills, end - start.min, pre, exit, countsEveryPass(loop, e.counter));
    for (const f of fills) {
      if (f.counter !== e.counter) continue;
      const slot = exit.stack.get(`${frame}:${f.slot}`);
      if (!slot) continue;
      for (let i = Number(start.min); i < Number(end); i++) markInitialized(slot.init, f.offset + i * f.scale, f.offset + i * f.scale + f.size);
    }
  }

  /**
   * After `trips` passes of a counted loop that stores through a pointer it steps on every pass (loopPointerFills()),
   * from a constant place in a stack object: the bytes each pass wrote are written, and the pointer is where the last
   * pass left it. The verifier walks the passes with a constant offset each (`*p++ = c;` into a local buffer, then
   * the buffer passed to a helper); the fixpoint joins them into a range that initialises nothing for sure.
   */
  protected markPointerFills(fills: readonly LoopPointerFill[], trips: bigint, pre: State, exit: State, exact: boolean): void {
    for (const f of fills) {
      const k = this.key(f.ptr);
      const v = pre.locals.get(k);
      // the object may be a caller's (`put_hex(buf, v)` of a static function filling the buffer it is given)
      if (!v || v.kind !== 'ptr' || v.varOff || v.region.kind !== 'stack') continue;
      const slot = exit.stack.get(`${v.region.frame}:${v.region.slot}`);
      if (!slot || trips * BigInt(f.writes.length) > 4096n) continue;
      for (let j = 0n; j < trips; j++) {
        const at = v.off + j * f.step;
        for (const w of f.writes) markInitialized(slot.init, Number(at + w.from), Number(at + w.to));
      }
      // with a counter some passes do not step, the loop makes more passes: its first `trips` wrote those bytes still
      if (exact) exit.locals.set(k, { ...v, off: v.off + trips * f.step });
    }
  }

  /**
   * The offsets each pointer local a counted loop steps by constants can reach, keyed as `State.locals`: its range
   * before the loop moved by at most the loop's trip count times the sum of its steps in one pass. The verifier walks
   * the passes one by one, each with a constant offset (`if (*src) src++;` copying task->comm); the fixpoint joins
   * them, and without this bound widening sends the offset to the end of the address space (a false "access beyond
   * struct"). A pointer assigned otherwise, or in a nested loop, is left to the plain widening.
   */
  protected loopPointerLimits(loop: Extract<Stmt, { op: 'loop' }>, pre: State): Map<string, { min: bigint; max: bigint }> {
    const limits = new Map<string, { min: bigint; max: bigint }>();
    let trips: bigint | undefined;
    // passes whose body runs whole: bounded by the test a `for`/`while` loop makes before each pass
    let wholePasses: bigint | undefined;
    const testExits = loop.test && loop.testFirst ? new Set(loopExits({ ...loop, body: { op: 'block', body: [], loc: loop.loc } })) : undefined;
    for (const e of loopExits(loop)) {
      if (e.slot !== undefined || e.distance || e.counter < 0 || !loopInvariant(loop, e.bound)) continue;
      const steps = counterSteps(loop, e.counter);
      const start = this.peek(e.counter, pre), bound = this.peekExpr(e.bound, pre);
      if (!steps || !start || !bound) continue;
      const t = tripsToBound(e, steps, start, bound);
      if (t === undefined || t > MAX_TRIPS) continue;
      if (trips === undefined || t < trips) trips = t;
      if (testExits && [...testExits].some((x) => x.counter === e.counter && x.bound === e.bound) && (wholePasses === undefined || t < wholePasses)) wholePasses = t;
    }
    if (trips === undefined) return limits;
    const prefix = `${this.frames.length - 1}:`;
    for (const [k, v] of pre.locals) {
      if ((v.kind !== 'ptr' && v.kind !== 'scalar') || !k.startsWith(prefix)) continue;
      const id = Number(k.slice(prefix.length));
      const steps = counterSteps(loop, id);
      if (!steps || steps.length === 0 || assignedInNestedLoop(loop, id)) continue;
      let up = 0n, down = 0n;
      for (const st of steps) if (st > 0n) up += st; else down += st;
      if (v.kind === 'ptr') {
        const r = offsetRange(v);
        limits.set(k, { min: r.min + trips * down, max: r.max + trips * up });
      } else if (wholePasses !== undefined) {
        // a counter stepped on some passes only (`if (c) buf[n++] = c;`): the verifier walks each pass with n exact,
        // at most one step of each assignment a pass; a pass that a `break` or `continue` cuts short steps less
        limits.set(k, { min: v.range.min + wholePasses * down, max: v.range.max + wholePasses * up });
      }
    }
    return limits;
  }

  /** Takes into `head` each scalar local whose range in `again` lies inside its range in `head`; whether any shrank. */
  protected narrowLocals(head: State, again: State): boolean {
    let shrank = false;
    for (const [k, v] of head.locals) {
      const w = again.locals.get(k);
      if (v.kind !== 'scalar' || !w || w.kind !== 'scalar') continue;
      if (w.range.min < v.range.min || w.range.max > v.range.max) continue;
      if (w.range.min === v.range.min && w.range.max === v.range.max) continue;
      head.locals.set(k, { kind: 'scalar', range: { ...w.range, pathConst: v.range.pathConst && w.range.pathConst } });
      shrank = true;
    }
    return shrank;
  }

  /** One pass over test + body + update from the head state: the back-edge state and the exit state. */
  protected loopIteration(loop: Extract<Stmt, { op: 'loop' }>, head: State): { back: State | null; exit: State | null } {
    let entry: State | null = head;
    let exit: State | null = null;
    if (loop.test && loop.testFirst) ({ t: entry, f: exit } = this.branches(loop.test, head));
    const ctx: LoopCtx = { breaks: [], continues: [], label: loop.label };
    this.loops.push(ctx);
    let end = this.execStmt(loop.body, entry);
    this.loops.pop();
    for (const c of ctx.continues) end = this.joinStates(end, c);
    if (end && loop.update) this.eval(loop.update, end);
    let back = end;
    if (end && loop.test && !loop.testFirst) {
      const after = this.branches(loop.test, end);
      back = after.t;
      exit = this.joinStates(exit, after.f);
    }
    for (const b of ctx.breaks) exit = this.joinStates(exit, b);
    return { back, exit };
  }

  protected checkLoopBound(loop: Extract<Stmt, { op: 'loop' }>, pre: State, head: State): void {
    // mirrors check_cfg()/is_state_visited(): no exit at all, or a bound the verifier cannot reach
    // `do { ... } while (0)` (libbpf's ___bpf_fill0 in an argument-less BPF_SEQ_PRINTF) has no back edge at all
    if (runsOnce(loop)) return;
    // mirrors process_iter_next_call(): a loop driven by an iterator's next() is verified by state convergence,
    // whatever its trip count (bpf_for()/bpf_repeat() loops)
    if (hasExit(loop) && callsIterNext(loop)) { this.checkIterCounters(loop); return; }
    if (!hasExit(loop)) {
      this.report(Diagnostics.InfiniteLoop, loop.loc, ['infinite loop detected at insn ?']);
      return;
    }
    const exits = loopExits(loop);
    let reason = 'no exit condition compares a loop counter with a bounded value';
    let certain = false;
    let lost: { name: string; fp: number } | undefined;
    for (const e of exits) {
      if (e.slot !== undefined) {
        lost ??= this.lostStackCounter(loop, e.slot);
        continue;
      }
      const byteSteps = counterSteps(loop, e.counter);
      // a pointer counter's distance from its base moves by its byte steps over the difference's scale
      const scale = BigInt(e.distance?.expr.scale ?? 1);
      const steps = byteSteps?.every((st) => st % scale === 0n) ? byteSteps.map((st) => st / scale) : undefined;
      if (!steps || steps.length === 0) { reason = 'the loop counter does not change by a constant step'; continue; }
      // the base must stay put; a distance moving away is left uncertain (a cast to unsigned may still end it)
      if (e.distance && ((e.distance.base !== undefined && counterSteps(loop, e.distance.base)?.length !== 0) || !steps.every((st) => (e.increasing ? st > 0n : st < 0n)))) continue;
      if (!steps.every((st) => (e.notEqual ? st === 1n || st === -1n : e.increasing ? st > 0n : st < 0n))) { reason = 'the loop counter moves away from its bound'; certain = true; continue; }
      const start = e.distance ? this.peekExpr(e.distance.expr, pre) : this.peek(e.counter, pre);
      const bound = this.peekExpr(e.bound, head);
      if (!start || !bound) continue;
      const span = e.increasing ? bound.max - start.min : start.max - bound.min;
      const step = steps.reduce((m, st) => (st < 0n ? -st : st) < m ? (st < 0n ? -st : st) : m, U64_MAX);
      if (span / step <= MAX_TRIPS) {
        if (e.counter >= 0 && !e.distance) this.checkPathSplitting(loop, e.counter, span / step, pre);
        return;
      }
      reason = `its bound may be as large as ${e.increasing ? bound.max : bound.min}`;
      certain = true;
    }
    if (lost) {
      this.report(Diagnostics.LoopCounterLostOnStack, loop.loc, [lost.name, lost.fp, 'The sequence of 8193 jumps is too complex / infinite loop detected']);
      return;
    }
    if (certain) this.report(Diagnostics.UnboundedLoop, loop.loc, [reason, 'BPF program is too large. Processed 1000001 insn']);
    else this.report(Diagnostics.LoopBoundNotProven, loop.loc, [reason]);
  }

  /**
   * mirrors is_state_visited() on a counted loop whose passes narrow an unknown bound on paths a byte test chose
   * (pathSplitLoops.ts): no state ever covers another, and the verifier stops at its instruction limit
   */
  protected checkPathSplitting(loop: Extract<Stmt, { op: 'loop' }>, counter: number, passes: bigint, pre: State): void {
    if (passes < PATH_SPLIT_MIN_PASSES) return;
    const split = pathSplittingTest(loop, counter);
    if (!split) return;
    // a known bound or known bytes split nothing: the comparison or the test goes one way on every path
    const bound = this.peekExpr(split.invariant, pre);
    const frame = this.frames[this.frames.length - 1];
    if (!bound || bound.min === bound.max || !frame || !helperWritesSlot(frame.fn.body, split.buffer)) return;
    const local = (e: Expr): Expr => (e.op === 'convert' ? local(e.operand) : e.op === 'binary' ? local(e.left) : e);
    const inv = local(split.invariant);
    const name = (id: number): string => frame?.fn.locals.find((l) => l.id === id)?.name ?? 'a local';
    this.report(Diagnostics.PathSplittingLoop, split.at.loc, [passes.toString(), name(counter), inv.op === 'local' ? name(inv.id) : 'its bound', 'BPF program is too large. Processed 1000001 insn']);
  }

  /** mirrors is_state_visited() on an open-coded iterator loop: a precise counter that no pass repeats (loops.ts) */
  protected checkIterCounters(loop: Extract<Stmt, { op: 'loop' }>): void {
    const frame = this.frames[this.frames.length - 1];
    if (!frame) return;
    const after = statementsAfter(frame.fn.body, loop);
    if (!after) return;
    const kind = iterKindOfLoop(loop);
    for (const { id, use } of nonConvergingIterCounters(loop, after)) {
      const name = frame.fn.locals.find((l) => l.id === id)?.name ?? 'a counter';
      const what = use.op === 'binary' ? 'compared with a constant' : use.op === 'ptrAdd' ? 'an index into the stack' : `the size of ${use.op === 'callHelper' ? use.name : 'a helper'}()`;
      this.report(Diagnostics.IterCounterNeverConverges, loop.loc, [name, kind, what, 'BPF program is too large. Processed 1000001 insn']);
    }
  }

  /** An address-taken counter of at most 4 bytes at an fp offset that is not a multiple of 8 (lostCounterFpOffset). */
  protected lostStackCounter(loop: Extract<Stmt, { op: 'loop' }>, slot: number): { name: string; fp: number } | undefined {
    const frame = this.frames[this.frames.length - 1];
    if (!frame || !slotEscapesInLoop(loop, slot)) return undefined;
    const callees = reachableFunctions(this.program, frame.index, false).filter((f) => f !== frame.index).map((f) => this.program.functions[f]);
    const fp = lostCounterFpOffset(frame.fn, slot, callees);
    if (fp === undefined) return undefined;
    const name = frame.fn.locals.find((l) => l.slot === slot)?.name ?? `stack slot ${slot}`;
    return { name, fp };
  }
}

/**
 * The widening thresholds of a loop: each constant its test and body compare with, and its neighbours (a counter
 * leaves `i < N` at N and `i <= N` at N + 1). The verifier walks a bounded loop's iterations one by one, so a counter
 * never loses its bound there; widening to these values instead of the range's ends keeps it here.
 */
function loopThresholds(loop: Extract<Stmt, { op: 'loop' }>): bigint[] {
  const found = new Set<bigint>();
  const constantOf = (e: Expr): bigint | undefined => (e.op === 'const' ? e.value : e.op === 'convert' ? constantOf(e.operand) : undefined);
  loopContains(loop, (e) => {
    if (e.op === 'binary' && ['lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(e.kind)) {
      for (const side of [e.left, e.right]) {
        const c = constantOf(side);
        if (c !== undefined) { found.add(c - 1n); found.add(c); found.add(c + 1n); }
      }
    }
    return false;
  });
  return [...found];
}

/** The statements after `loop` in the block that holds it, or undefined when it is not found in a block. */
function statementsAfter(body: Stmt, loop: Stmt): Stmt[] | undefined {
  let found: Stmt[] | undefined;
  const visit = (s: Stmt): void => {
    if (found) return;
    if (s.op === 'block') {
      const i = s.body.indexOf(loop);
      if (i >= 0) { found = s.body.slice(i + 1); return; }
    }
    forEachStmtChild(s, visit, () => undefined);
  };
  visit(body);
  return found;
}

/** What the loop's next() walks, for the message: "loop over bpf_iter_num_next()". */
function iterKindOfLoop(loop: Extract<Stmt, { op: 'loop' }>): string {
  let name = '';
  loopContains(loop, (e) => { if (e.op === 'callHelper' && iterKindOfKfunc(e.name)?.op === 'next') { name = e.name; return true; } return false; });
  return name ? `loop over ${name}()` : 'iterator loop';
}

/** Whether a loop calls an open-coded iterator's next kfunc in its test or body. */
function callsIterNext(loop: Extract<Stmt, { op: 'loop' }>): boolean {
  return loopContains(loop, (e) => {
    if (e.op !== 'callHelper') return false;
    // as a sleepable program sees it: a KF_SLEEPABLE next (the kmem_cache iterator's) is an iterator's next too
    const helper = lookupHelper(e.name, { sleepable: true });
    return helper.status === 'allowed' && (helper as { info: { returns: string } }).info.returns === 'iterNext';
  });
}

/** `do { ... } while (0)`: a `continue` jumps to the test too, so there is no back edge at all. */
function runsOnce(loop: Extract<Stmt, { op: 'loop' }>): boolean {
  return !!loop.test && !loop.testFirst && constantValue(loop.test) === 0n;
}

/** The value of a condition made of literals only (the lowering writes `while (0)` as `0 != 0`). */
function constantValue(e: Expr): bigint | undefined {
  if (e.op === 'const') return e.value;
  if (e.op === 'convert') return constantValue(e.operand);
  if (e.op === 'binary' && (e.kind === 'ne' || e.kind === 'eq')) {
    const a = constantValue(e.left), b = constantValue(e.right);
    if (a === undefined || b === undefined) return undefined;
    return (a === b) === (e.kind === 'eq') ? 1n : 0n;
  }
  return undefined;
}
