/**
 * Abstract interpretation of the structured IR, path-sensitive at branches (refinement on conditions, join at
 * merge points, widening at loop heads), reporting what do_check() in kernel/bpf/verifier.c would reject.
 * The rule families (nullness, access sizes, helpers, loops, return value, stack) hook in here.
 */
import { appendAll } from '../arrays';
import type { Expr, IrFunction, IrProgram, Loc, Stmt, IntType } from '../ir';
import { CORE_POISON_HELPER_ID } from '../ir';
import { Diagnostics, DiagnosticMessage, FrontEndDiagnostic, formatMessage } from '../diagnostics';
import {
  AbsValue, PtrValue, Range, Region, TOP, constant, formatTnum, joinValue, offsetRange, regTypeName, scalar,
  valueEqual, widenValue, S64_MIN, U64_MAX,
} from './domain';
import { lookupHelper } from './helpers';
import { mapTypeName } from '../../kernel/mapTypes';
import { iterCtxFieldAt, iterTargetInfo } from '../../kernel/iterTargets';
import { kernelBtf } from '../../kernel/btf';
import { AccessMax, AccessTracker, AttachMapInfo } from './accessSize';
import { isNullExpr, markPtrOrNull, nullReason } from './nullness';
import { returnValueProblem } from './returnValue';
import { firstUninitialized, fpOffset, markInitialized } from './uninit';

export type { AttachMapInfo, AccessMax } from './accessSize';
import { counterSteps, hasExit, loopContains, loopExits, lostCounterFpOffset, slotEscapesInLoop } from './loops';
import { reachableFunctions } from './stack';
import { checkBtfRead } from './btfAccess';


export interface AnalysisOptions {
  target: string;
  attachMap?: AttachMapInfo;
  cpus: number;
  gplCompatible: boolean;
  fieldNames?: Record<number, string>;
}


interface Slot { init: Uint8Array; spills: Map<number, AbsValue> }

export interface State {
  locals: Map<string, AbsValue>;
  unassigned: Set<string>;
  stack: Map<string, Slot>;
  /**
   * Active numbers iterators (STACK_ITER slots with a reference, as mark_stack_slots_iter() leaves them): the
   * slot's key -> where bpf_iter_num_new() acquired it.
   */
  iters: Map<string, { loc: Loc; name: string }>;
}

/** A `return` seen while analysing a frame; `final` when it was seen in a reporting pass (not a loop fixpoint step). */
interface ReturnSite { state: State; value: AbsValue; loc: Loc; final: boolean }
interface Frame { index: number; fn: IrFunction; args: AbsValue[]; returns: ReturnSite[] }
/** A loop or switch being analysed: the states its break/continue statements leave with; `label` for labeled ones. */
interface LoopCtx { breaks: State[]; continues: State[]; label?: number }

const MAX_FRAMES = 8;
const WIDEN_AFTER = 3;
const MAX_LOOP_ITERATIONS = 12;
const MAX_TRIPS = 100_000n;
/** Statement visits before the analysis gives up (deeply nested loops multiply the fixpoint passes). */
const MAX_STEPS = 100_000;

export class AnalysisBudgetExceeded extends Error {
  constructor(readonly steps: number) { super(`the analysis stopped after ${steps} statement visits`); }
}

function cloneState(s: State): State {
  const stack = new Map<string, Slot>();
  for (const [k, v] of s.stack) stack.set(k, { init: v.init.slice(), spills: new Map(v.spills) });
  return { locals: new Map(s.locals), unassigned: new Set(s.unassigned), stack, iters: new Map(s.iters) };
}

/** State keys of loads clang reuses (reusedLoadKey): `<local key>@<offset>`, beside the locals' `<depth>:<id>`. */
const LOAD_KEY = '@';
function isLoadKey(k: string): boolean { return k.includes(LOAD_KEY); }

function intRange(t: IntType): [bigint, bigint] {
  const b = BigInt(t.bits);
  return t.signed ? [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n] : [0n, (1n << b) - 1n];
}

function fitTo(t: IntType, r: Range): AbsValue {
  const [lo, hi] = intRange(t);
  if (r.min >= lo && r.max <= hi) return { kind: 'scalar', range: r };
  if (r.min === r.max) {
    const v = t.signed ? BigInt.asIntN(t.bits, r.min) : BigInt.asUintN(t.bits, r.min);
    return constant(v);
  }
  return scalar(lo, hi, r.pathConst);
}

export class Verifier {
  readonly diagnostics: FrontEndDiagnostic[] = [];
  private readonly seen = new Set<string>();
  private readonly tracker: AccessTracker;
  get maxRdonly(): AccessMax { return this.tracker.rdonly; }
  get maxRdwr(): AccessMax { return this.tracker.rdwr; }
  private reporting = true;
  private nextId = 1;
  private steps = 0;
  private frames: Frame[] = [];
  private loops: LoopCtx[] = [];

  constructor(private readonly program: IrProgram, private readonly options: AnalysisOptions) {
    this.tracker = new AccessTracker(options.attachMap);
  }

  private freshId = (): number => this.nextId++;

  report(m: DiagnosticMessage, loc: Loc, args: Array<string | number | bigint>, related?: FrontEndDiagnostic['related']): void {
    if (!this.reporting) return;
    const message = formatMessage(m.message, args);
    const key = `${m.code}:${loc.file}:${loc.pos}:${loc.end}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push({ code: m.code, category: m.category, message, file: loc.file, pos: loc.pos, end: loc.end, ...(related ? { related } : {}) });
  }

  run(entry: number): void {
    const fn = this.program.functions[entry];
    if (!fn) return;
    const state: State = { locals: new Map(), unassigned: new Set(), stack: new Map(), iters: new Map() };
    const ctx: AbsValue = { kind: 'ptr', region: { kind: 'ctx' }, off: 0n, varOff: null, maybeNull: false, nullId: 0, desc: 'ctx' };
    const args: AbsValue[] = [ctx, ...fn.params.slice(1).map((): AbsValue => TOP)];
    const results = this.callFunction(entry, args, state, fn.loc);
    for (const r of results) {
      if (!r.final) continue;
      this.checkReturn(r.value, r.loc);
      // mirrors check_reference_leak() at the main program's BPF_EXIT
      for (const it of r.state.iters.values()) {
        this.report(Diagnostics.IterNotDestroyed, r.loc, [it.name, 'BPF_EXIT instruction in main prog would lead to reference leak'], [{ message: 'bpf_iter_num_new() acquires it here', ...it.loc }]);
      }
    }
  }

  private checkReturn(v: AbsValue, loc: Loc): void {
    // mirrors check_return_code() with the BPF_TRACE_ITER range [0, 1]
    if (v.kind !== 'scalar') return;
    const problem = returnValueProblem(v.range);
    if (problem) this.report(Diagnostics.ReturnValueOutOfRange, loc, [problem.shown, problem.kernelText]);
  }

  /** Returns the states and values at each `return` of the callee (with their locs). */
  private callFunction(index: number, args: AbsValue[], state: State, callLoc: Loc): ReturnSite[] {
    const fn = this.program.functions[index];
    if (!fn) return [{ state, value: TOP, loc: callLoc, final: this.reporting }];
    if (this.frames.length >= MAX_FRAMES || this.frames.some((f) => f.index === index)) {
      this.report(Diagnostics.CallTooDeep, callLoc, [`the call stack of ${this.frames.length + 1} frames is too deep !`]);
      return [{ state, value: TOP, loc: callLoc, final: this.reporting }];
    }
    const frame: Frame = { index, fn, args, returns: [] };
    const depth = this.frames.length;
    this.frames.push(frame);
    const s = cloneState(state);
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

  private key(id: number): string { return `${this.frames.length - 1}:${id}`; }

  joinStates(a: State | null, b: State | null): State | null {
    if (!a) return b;
    if (!b) return a;
    const out = cloneState(a);
    for (const [k, v] of a.locals) {
      const w = b.locals.get(k);
      out.locals.set(k, w === undefined ? v : joinValue(v, w, this.freshId));
    }
    for (const [k, v] of b.locals) if (!a.locals.has(k)) out.locals.set(k, v);
    // a load clang reuses must have been made on every path to here
    for (const k of [...out.locals.keys()]) if (isLoadKey(k) && !(a.locals.has(k) && b.locals.has(k))) out.locals.delete(k);
    for (const k of b.unassigned) out.unassigned.add(k);
    // an iterator active on either path is active after the merge (the path that leaks it is reported)
    for (const [k, v] of b.iters) if (!out.iters.has(k)) out.iters.set(k, v);
    for (const [k, slot] of a.stack) {
      const other = b.stack.get(k);
      if (!other) continue;
      const o = out.stack.get(k)!;
      for (let i = 0; i < o.init.length; i++) o.init[i] = slot.init[i] & (other.init[i] ?? 0);
      for (const [off, v] of slot.spills) {
        const w = other.spills.get(off);
        if (w === undefined) o.spills.delete(off); else o.spills.set(off, joinValue(v, w, this.freshId));
      }
    }
    return out;
  }

  private statesEqual(a: State, b: State): boolean {
    if (a.locals.size !== b.locals.size || a.unassigned.size !== b.unassigned.size || a.iters.size !== b.iters.size) return false;
    for (const [k, v] of a.locals) { const w = b.locals.get(k); if (!w || !valueEqual(v, w)) return false; }
    for (const [k, v] of a.stack) {
      const w = b.stack.get(k);
      if (!w) return false;
      for (let i = 0; i < v.init.length; i++) if (v.init[i] !== w.init[i]) return false;
      if (v.spills.size !== w.spills.size) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- statements

  execStmt(s: Stmt, state: State | null): State | null {
    if (!state) return null;
    if (++this.steps > MAX_STEPS) throw new AnalysisBudgetExceeded(MAX_STEPS);
    switch (s.op) {
      case 'expr': this.eval(s.expr, state); return state;
      case 'block': {
        let cur: State | null = state;
        for (const b of s.body) cur = this.execStmt(b, cur);
        return cur;
      }
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
        this.eval(s.test, state);
        const t = this.refine(s.test, cloneState(state), true);
        const f = this.refine(s.test, cloneState(state), false);
        const a = this.execStmt(s.then, t);
        const b = s.else ? this.execStmt(s.else, f) : f;
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
        this.eval(s.test, state);
        let out: State | null = null;
        let fall: State | null = null;
        const ctx: LoopCtx = { breaks: [], continues: [], label: s.label };
        const outer = this.loops[this.loops.length - 1];
        this.loops.push(ctx);
        let hasDefault = false;
        for (const c of s.cases) {
          if (c.values === 'default') hasDefault = true;
          let cur: State | null = this.joinStates(cloneState(state), fall);
          for (const b of c.body) cur = this.execStmt(b, cur);
          fall = cur;
        }
        this.loops.pop();
        if (outer) appendAll(outer.continues, ctx.continues);
        out = fall;
        for (const b of ctx.breaks) out = this.joinStates(out, b);
        if (!hasDefault) out = this.joinStates(out, state);
        return out;
      }
      case 'loop': return this.execLoop(s, state);
    }
  }

  /** The loop or switch a break/continue leaves: the innermost, or the one of its label (a lowered goto). */
  private jumpTarget(label: number | undefined): LoopCtx | undefined {
    if (label === undefined) return this.loops[this.loops.length - 1];
    for (let i = this.loops.length - 1; i >= 0; i--) if (this.loops[i].label === label) return this.loops[i];
    return undefined;
  }

  private execLoop(loop: Extract<Stmt, { op: 'loop' }>, state: State): State | null {
    const pre = loop.init ? this.execStmt(loop.init, state) : state;
    if (!pre) return null;
    // `do { ... } while (0)` (also a forward goto's region) has no back edge: one pass is the whole analysis
    if (runsOnce(loop)) return this.loopIteration(loop, cloneState(pre)).exit;
    const outerReporting = this.reporting;
    this.reporting = false;
    let head = cloneState(pre);
    for (let i = 0; i < MAX_LOOP_ITERATIONS; i++) {
      const { back } = this.loopIteration(loop, cloneState(head));
      const joined = this.joinStates(cloneState(head), back);
      if (!joined) break;
      let next = joined;
      if (i >= WIDEN_AFTER) {
        next = cloneState(joined);
        for (const [k, v] of joined.locals) { const old = head.locals.get(k); if (old) next.locals.set(k, widenValue(old, v)); }
      }
      if (this.statesEqual(head, next)) break;
      head = next;
      if (i === MAX_LOOP_ITERATIONS - 1) {
        for (const [k, v] of head.locals) if (v.kind === 'scalar') head.locals.set(k, scalar(S64_MIN, U64_MAX, false));
      }
    }
    this.reporting = outerReporting;
    this.checkLoopBound(loop, pre, head);
    const { exit } = this.loopIteration(loop, cloneState(head));
    return exit;
  }

  /** One pass over test + body + update from the head state: the back-edge state and the exit state. */
  private loopIteration(loop: Extract<Stmt, { op: 'loop' }>, head: State): { back: State | null; exit: State | null } {
    let entry: State | null = head;
    let exit: State | null = null;
    if (loop.test && loop.testFirst) {
      this.eval(loop.test, head);
      entry = this.refine(loop.test, cloneState(head), true);
      exit = this.refine(loop.test, cloneState(head), false);
    }
    const ctx: LoopCtx = { breaks: [], continues: [], label: loop.label };
    this.loops.push(ctx);
    let end = this.execStmt(loop.body, entry);
    this.loops.pop();
    for (const c of ctx.continues) end = this.joinStates(end, c);
    if (end && loop.update) this.eval(loop.update, end);
    let back = end;
    if (end && loop.test && !loop.testFirst) {
      this.eval(loop.test, end);
      back = this.refine(loop.test, cloneState(end), true);
      exit = this.joinStates(exit, this.refine(loop.test, cloneState(end), false));
    }
    for (const b of ctx.breaks) exit = this.joinStates(exit, b);
    return { back, exit };
  }

  private checkLoopBound(loop: Extract<Stmt, { op: 'loop' }>, pre: State, head: State): void {
    // mirrors check_cfg()/is_state_visited(): no exit at all, or a bound the verifier cannot reach
    // `do { ... } while (0)` (libbpf's ___bpf_fill0 in an argument-less BPF_SEQ_PRINTF) has no back edge at all
    if (runsOnce(loop)) return;
    // mirrors process_iter_next_call(): a loop driven by an iterator's next() is verified by state convergence,
    // whatever its trip count (bpf_for()/bpf_repeat() loops)
    if (hasExit(loop) && callsIterNext(loop)) return;
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
      const steps = counterSteps(loop, e.counter);
      if (!steps || steps.length === 0) { reason = 'the loop counter does not change by a constant step'; continue; }
      if (!steps.every((st) => (e.notEqual ? st === 1n || st === -1n : e.increasing ? st > 0n : st < 0n))) { reason = 'the loop counter moves away from its bound'; certain = true; continue; }
      const start = this.peek(e.counter, pre);
      const bound = this.peekExpr(e.bound, head);
      if (!start || !bound) continue;
      const span = e.increasing ? bound.max - start.min : start.max - bound.min;
      const step = steps.reduce((m, st) => (st < 0n ? -st : st) < m ? (st < 0n ? -st : st) : m, U64_MAX);
      if (span / step <= MAX_TRIPS) return;
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

  /** An address-taken counter of at most 4 bytes at an fp offset that is not a multiple of 8 (lostCounterFpOffset). */
  private lostStackCounter(loop: Extract<Stmt, { op: 'loop' }>, slot: number): { name: string; fp: number } | undefined {
    const frame = this.frames[this.frames.length - 1];
    if (!frame || !slotEscapesInLoop(loop, slot)) return undefined;
    const callees = reachableFunctions(this.program, frame.index, false).filter((f) => f !== frame.index).map((f) => this.program.functions[f]);
    const fp = lostCounterFpOffset(frame.fn, slot, callees);
    if (fp === undefined) return undefined;
    const name = frame.fn.locals.find((l) => l.slot === slot)?.name ?? `stack slot ${slot}`;
    return { name, fp };
  }

  private peek(id: number, s: State): Range | undefined {
    const v = s.locals.get(this.key(id));
    return v && v.kind === 'scalar' ? v.range : undefined;
  }

  /** Range of an expression without side effects or diagnostics. */
  private peekExpr(e: Expr, s: State): Range | undefined {
    const saved = this.reporting;
    this.reporting = false;
    const v = this.eval(e, cloneState(s));
    this.reporting = saved;
    return v.kind === 'scalar' ? v.range : undefined;
  }

  // ---------------------------------------------------------------- conditions (nullness.ts refines)

  refine(test: Expr, state: State | null, truth: boolean): State | null {
    if (!state) return null;
    switch (test.op) {
      case 'const': return (test.value !== 0n) === truth ? state : null;
      case 'unary': return test.kind === 'lnot' ? this.refine(test.operand, state, !truth) : state;
      case 'sequence': return this.refine(test.second, state, truth);
      case 'logical': {
        const isAnd = test.kind === 'and';
        if (isAnd === truth) return this.refine(test.right, this.refine(test.left, state, truth), truth);
        const shortCut = this.refine(test.left, cloneState(state), !isAnd);
        const other = this.refine(test.right, this.refine(test.left, cloneState(state), isAnd), !isAnd);
        return this.joinStates(shortCut, other);
      }
      case 'ptrCompare': case 'binary': {
        if (test.kind !== 'eq' && test.kind !== 'ne' && test.op === 'ptrCompare') return state;
        const kind = test.kind as string;
        if (kind === 'eq' || kind === 'ne') {
          const ptrSide = isNullExpr(test.right) ? test.left : isNullExpr(test.left) ? test.right : undefined;
          if (ptrSide && this.pointerOf(ptrSide, state)) {
            const nonNull = (kind === 'ne') === truth;
            return this.refinePointer(ptrSide, state, nonNull);
          }
        }
        if (test.op === 'binary') return this.refineCompare(test, state, truth);
        return state;
      }
      default: {
        const p = this.pointerOf(test, state);
        if (p) return this.refinePointer(test, state, truth);
        const id = localOf(test);
        if (id !== undefined) {
          const v = state.locals.get(this.key(id));
          if (v && v.kind === 'scalar') {
            const r = v.range;
            if (truth) {
              if (r.min === 0n && r.max === 0n) return null;
              if (r.min === 0n) state.locals.set(this.key(id), scalar(1n, r.max, r.pathConst));
              else if (r.max === 0n) state.locals.set(this.key(id), scalar(r.min, -1n, r.pathConst));
            } else {
              if (r.min > 0n || r.max < 0n) return null;
              state.locals.set(this.key(id), constant(0n));
            }
          }
        }
        return state;
      }
    }
  }

  /**
   * The pointer value an expression denotes without evaluating it (locals and casts of them). A ctx field load
   * denotes the value clang reuses for it (reusedLoadKey); a CO-RE load (vmlinux.h's types carry
   * preserve_access_index) denotes nothing: clang emits a new load at each use and a NULL check of one load says
   * nothing about the next (measured on Linux 6.18).
   */
  private pointerOf(e: Expr, state: State): PtrValue | { kind: 'null' } | undefined {
    switch (e.op) {
      case 'local': case 'assign': {
        const v = state.locals.get(this.key(e.id));
        return v && (v.kind === 'ptr' || v.kind === 'null') ? v : undefined;
      }
      case 'ptrCast': case 'ptrToInt': case 'convert': return this.pointerOf(e.operand, state);
      // a function's address is never NULL; an unresolved weak kfunc is the constant NULL (the branch is dead)
      case 'null': return { kind: 'null' };
      case 'funcAddr': return this.funcValue(e);
      case 'loadPtr': {
        const reused = this.reusedLoadKey(e);
        const v = reused === undefined ? undefined : state.locals.get(reused);
        return v && (v.kind === 'ptr' || v.kind === 'null') ? v : undefined;
      }
      default: return undefined;
    }
  }

  private refinePointer(e: Expr, state: State, nonNull: boolean): State | null {
    const p = this.pointerOf(e, state);
    if (!p) return state;
    if (p.kind === 'null') return nonNull ? null : state;
    if (p.derived) return state;
    if (!p.maybeNull) return nonNull ? state : null;
    // mirrors mark_ptr_or_null_regs(): every copy with the same id becomes non-NULL (or NULL)
    const replace = (v: AbsValue): AbsValue => markPtrOrNull(v, p.nullId, nonNull);
    for (const [k, v] of state.locals) state.locals.set(k, replace(v));
    for (const slot of state.stack.values()) for (const [o, v] of slot.spills) slot.spills.set(o, replace(v));
    return state;
  }

  private refineCompare(test: Extract<Expr, { op: 'binary' }>, state: State, truth: boolean): State | null {
    // mirrors reg_set_min_max(): narrow a local's range by a comparison with a known range
    const kinds: Record<string, string> = { lt: 'ge', le: 'gt', gt: 'le', ge: 'lt', eq: 'ne', ne: 'eq' };
    const flips: Record<string, string> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' };
    if (!(test.kind in kinds)) return state;
    let kind = truth ? test.kind : kinds[test.kind];
    let id = localOf(test.left);
    let otherExpr = test.right;
    if (id === undefined) { id = localOf(test.right); otherExpr = test.left; kind = flips[kind]; }
    const left = this.peekExpr(test.left, state);
    const right = this.peekExpr(test.right, state);
    if (left && right && left.min === left.max && right.min === right.max) {
      const a = left.min, b = right.min;
      const holds = test.kind === 'lt' ? a < b : test.kind === 'le' ? a <= b : test.kind === 'gt' ? a > b : test.kind === 'ge' ? a >= b : test.kind === 'eq' ? a === b : a !== b;
      if (holds !== truth) return null;
    }
    if (id === undefined) return state;
    const k = this.key(id);
    const v = state.locals.get(k);
    const o = this.peekExpr(otherExpr, state);
    if (!v || v.kind !== 'scalar' || !o) return state;
    let { min, max } = v.range;
    switch (kind) {
      case 'lt': if (max > o.max - 1n) max = o.max - 1n; break;
      case 'le': if (max > o.max) max = o.max; break;
      case 'gt': if (min < o.min + 1n) min = o.min + 1n; break;
      case 'ge': if (min < o.min) min = o.min; break;
      case 'eq': if (min < o.min) min = o.min; if (max > o.max) max = o.max; break;
      case 'ne': if (o.min === o.max) { if (min === o.min) min++; else if (max === o.max) max--; } break;
    }
    if (min > max) return null;
    state.locals.set(k, scalar(min, max, v.range.pathConst));
    return state;
  }

  // ---------------------------------------------------------------- expressions

  eval(e: Expr, state: State): AbsValue {
    switch (e.op) {
      case 'const': return constant(e.value);
      case 'null': return { kind: 'null' };
      case 'param': return this.frames[this.frames.length - 1]?.args[e.index] ?? TOP;
      case 'local': {
        const k = this.key(e.id);
        if (state.unassigned.has(k)) {
          const name = this.localName(e.id);
          this.report(Diagnostics.UninitializedLocal, e.loc, [name, 'R? !read_ok']);
        }
        return state.locals.get(k) ?? TOP;
      }
      case 'assign': {
        const v = this.eval(e.value, state);
        const k = this.key(e.id);
        this.forgetLoads(state, k);
        const stored = v.kind === 'scalar' && e.type.kind === 'int' ? fitTo(e.type, v.range) : v;
        state.locals.set(k, stored);
        state.unassigned.delete(k);
        return stored;
      }
      case 'addr': return this.addressOf(e.base);
      case 'load': {
        const p = this.eval(e.ptr, state);
        this.access(p, e.offset, e.type.bits / 8, 'read', e.loc, state);
        if (p.kind === 'ptr' && p.region.kind === 'stack' && !p.varOff) {
          const spilled = state.stack.get(this.slotKey(p))?.spills.get(Number(p.off) + e.offset);
          if (spilled && spilled.kind === 'scalar') return fitTo(e.type, spilled.range);
        }
        if (p.kind === 'ptr' && p.region.kind === 'global' && p.region.readonly && !p.varOff) {
          const known = this.readFrozen(p.region.section, Number(p.off) + e.offset, e.type);
          if (known !== undefined) return constant(known);
        }
        const [lo, hi] = intRange(e.type);
        return scalar(lo, hi, false);
      }
      case 'loadPtr': return this.evalLoadPtr(e, state);
      case 'store': {
        const p = this.eval(e.ptr, state);
        const v = this.escapes(this.eval(e.value, state), e.value.loc);
        this.access(p, e.offset, e.size, 'write', e.loc, state);
        if (p.kind === 'ptr' && p.region.kind === 'stack' && !p.varOff) {
          const slot = state.stack.get(this.slotKey(p));
          if (slot) slot.spills.set(Number(p.off) + e.offset, v);
        } else this.forgetLoads(state);
        return v;
      }
      case 'copy': {
        const dst = this.eval(e.dst, state);
        const src = this.eval(e.src, state);
        this.access(src, 0, e.size, 'read', e.loc, state);
        this.access(dst, 0, e.size, 'write', e.loc, state);
        if (!(dst.kind === 'ptr' && dst.region.kind === 'stack')) this.forgetLoads(state);
        return TOP;
      }
      case 'fill': {
        const dst = this.eval(e.dst, state);
        this.access(dst, 0, e.size, 'write', e.loc, state);
        if (!(dst.kind === 'ptr' && dst.region.kind === 'stack')) this.forgetLoads(state);
        return TOP;
      }
      case 'binary': return this.evalBinary(e, state);
      case 'unary': {
        const v = this.eval(e.operand, state);
        if (v.kind !== 'scalar') return e.kind === 'lnot' ? scalar(0n, 1n, false) : fitTo(e.type, { min: S64_MIN, max: U64_MAX, pathConst: false });
        const r = v.range;
        if (e.kind === 'neg') return fitTo(e.type, { min: -r.max, max: -r.min, pathConst: r.pathConst });
        if (e.kind === 'lnot') return r.min === r.max ? constant(r.min === 0n ? 1n : 0n) : r.min > 0n || r.max < 0n ? constant(0n) : scalar(0n, 1n, r.pathConst);
        return r.min === r.max ? fitTo(e.type, { min: ~r.min, max: ~r.min, pathConst: r.pathConst }) : fitTo(e.type, { min: S64_MIN, max: U64_MAX, pathConst: r.pathConst });
      }
      case 'convert': {
        const v = this.eval(e.operand, state);
        if (v.kind !== 'scalar') { const [lo, hi] = intRange(e.type); return scalar(lo, hi, false); }
        return fitTo(e.type, v.range);
      }
      case 'ptrAdd': return this.evalPtrAdd(e, state);
      case 'ptrDiff': this.eval(e.left, state); this.eval(e.right, state); return scalar(S64_MIN, (1n << 63n) - 1n, false);
      case 'ptrCompare': {
        const a = this.eval(e.left, state), b = this.eval(e.right, state);
        if ((e.kind === 'eq' || e.kind === 'ne') && (a.kind === 'null' || b.kind === 'null')) {
          const other = a.kind === 'null' ? b : a;
          if (other.kind === 'null') return constant(e.kind === 'eq' ? 1n : 0n);
          if (other.kind === 'ptr' && !other.maybeNull) return constant(e.kind === 'eq' ? 0n : 1n);
        }
        return scalar(0n, 1n, false);
      }
      case 'ptrToInt': {
        const v = this.escapes(this.eval(e.operand, state), e.loc);
        if (v.kind === 'null') return constant(0n);
        if (v.kind === 'scalar') return v;
        return v.kind === 'ptr' && !v.maybeNull ? scalar(1n, U64_MAX, false) : scalar(0n, U64_MAX, false);
      }
      case 'intToPtr': {
        const v = this.eval(e.operand, state);
        if (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n) return { kind: 'null' };
        return v.kind === 'ptr' || v.kind === 'null' ? v : TOP;
      }
      case 'ptrCast': return this.eval(e.operand, state);
      case 'logical': {
        this.eval(e.left, state);
        const rightState = this.refine(e.left, cloneState(state), e.kind === 'and');
        if (rightState) this.eval(e.right, rightState);
        const t = this.refine(e, cloneState(state), true);
        const f = this.refine(e, cloneState(state), false);
        const merged = this.joinStates(this.joinStates(rightState, state), null);
        if (merged) copyInto(state, merged);
        return t && f ? scalar(0n, 1n, false) : t ? constant(1n) : constant(0n);
      }
      case 'conditional': {
        this.eval(e.test, state);
        const t = this.refine(e.test, cloneState(state), true);
        const f = this.refine(e.test, cloneState(state), false);
        const a = t ? this.eval(e.then, t) : undefined;
        const b = f ? this.eval(e.else, f) : undefined;
        const merged = this.joinStates(t, f);
        if (merged) copyInto(state, merged);
        if (a && b) return joinValue(a, b, this.freshId);
        return a ?? b ?? TOP;
      }
      case 'sequence': this.eval(e.first, state); return this.eval(e.second, state);
      case 'funcAddr': return this.funcValue(e);
      case 'callHelper': {
        const value = this.evalHelper(e, state);
        this.forgetLoads(state);
        return value;
      }
      case 'call': {
        // an __always_inline callee folds a derived pointer into its own accesses, which check it there
        const args = e.args.map((a) => this.eval(a, state));
        this.forgetLoads(state);
        const results = this.callFunction(e.func, args, state, e.loc);
        let value: AbsValue | undefined;
        let merged: State | null = null;
        for (const r of results) {
          value = value ? joinValue(value, r.value, this.freshId) : r.value;
          merged = this.joinStates(merged, r.state);
        }
        if (merged) {
          // the callee's frame is gone: keep only the caller's locals and slots
          const depth = `${this.frames.length}:`;
          for (const k of [...merged.locals.keys()]) if (k.startsWith(depth)) merged.locals.delete(k);
          for (const k of [...merged.stack.keys()]) if (k.startsWith(depth)) merged.stack.delete(k);
          copyInto(state, merged);
        }
        return value ?? TOP;
      }
      case 'stmtExpr': {
        // GNU statement expression: its statements run in the current state, then its value is read.
        const after = this.execStmt(e.body, state);
        if (!after) return TOP;
        if (after !== state) copyInto(state, after);
        return e.value ? this.eval(e.value, state) : TOP;
      }
    }
  }

  /**
   * mirrors bpf_map_direct_read(): .rodata is frozen before verification, so the verifier reads its bytes as
   * constants (e.g. a `const volatile u32 num_cpus` loop bound set before load). The caller puts the values the
   * program is loaded with into IrGlobal.init.
   */
  private readFrozen(section: string, offset: number, type: IntType): bigint | undefined {
    const size = type.bits / 8;
    const g = this.program.globals.find((x) => x.section === section && offset >= x.offset && offset + size <= x.offset + x.size);
    if (!g || !g.init) return undefined;
    const at = offset - g.offset;
    if (at + size > g.init.length) return undefined;
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(g.init[at + i]);
    return type.signed ? BigInt.asIntN(type.bits, v) : v;
  }

  private localName(id: number): string {
    const fn = this.frames[this.frames.length - 1]?.fn;
    return fn?.locals.find((l) => l.id === id)?.name ?? `local #${id}`;
  }

  private slotKey(p: PtrValue): string {
    const r = p.region as Extract<Region, { kind: 'stack' }>;
    return `${r.frame}:${r.slot}`;
  }

  private addressOf(base: Extract<Expr, { op: 'addr' }>['base']): AbsValue {
    const mk = (region: Region, off: bigint, desc: string): PtrValue => ({ kind: 'ptr', region, off, varOff: null, maybeNull: false, nullId: 0, desc });
    switch (base.kind) {
      case 'stack': {
        const fn = this.frames[this.frames.length - 1].fn;
        const slot = fn.slots.find((s) => s.id === base.slot);
        const local = fn.locals.find((l) => l.slot === base.slot);
        return mk({ kind: 'stack', frame: this.frames.length - 1, slot: base.slot, size: slot?.size ?? 0 }, 0n, local?.name ?? `stack slot ${base.slot}`);
      }
      case 'global': {
        const sec = this.program.sections.find((s) => s.name === base.section);
        const g = this.program.globals.find((x) => x.name === base.name);
        return mk({ kind: 'global', section: base.section, size: sec?.size ?? (g ? g.offset + g.size : -1), readonly: sec?.readonly ?? g?.readonly ?? false, name: base.name }, BigInt(base.offset), base.name);
      }
      case 'string': return mk({ kind: 'string' }, 0n, 'a string literal');
      case 'map': return mk({ kind: 'mapDef', name: base.name }, 0n, `&${base.name}`);
    }
    return TOP;
  }

  private funcValue(e: Extract<Expr, { op: 'funcAddr' }>): PtrValue {
    const t = e.target;
    const name = t.kind === 'kfunc' ? t.name : this.program.functions[t.func]?.name ?? `function #${t.func}`;
    const region: Region = t.kind === 'kfunc' ? { kind: 'func', name } : { kind: 'func', func: t.func, name };
    return { kind: 'ptr', region, off: 0n, varOff: null, maybeNull: false, nullId: 0, desc: name };
  }

  /**
   * Where clang (-O2) reuses an earlier load instead of loading again: a pointer field read through the same local
   * with no store to memory, call or assignment of the local in between, on every path. A CO-RE relocated load
   * (a preserve_access_index struct) is never reused: clang emits each one afresh, and the verifier gives each a
   * new id, so a NULL check of one says nothing about the next.
   */
  private reusedLoadKey(e: Extract<Expr, { op: 'loadPtr' }>): string | undefined {
    return !e.core && e.ptr.op === 'local' ? `${this.key(e.ptr.id)}${LOAD_KEY}${e.offset}` : undefined;
  }

  /** Loads clang could reuse are gone after memory may have changed (every one), or the local was assigned. */
  private forgetLoads(state: State, local?: string): void {
    for (const k of [...state.locals.keys()]) {
      if (isLoadKey(k) && (local === undefined || k.startsWith(local + LOAD_KEY))) state.locals.delete(k);
    }
  }

  private evalLoadPtr(e: Extract<Expr, { op: 'loadPtr' }>, state: State): AbsValue {
    const reused = this.reusedLoadKey(e);
    const known = reused === undefined ? undefined : state.locals.get(reused);
    if (known) { this.eval(e.ptr, state); return known; }
    const value = this.loadPtrValue(e, state);
    if (reused !== undefined && (value.kind === 'ptr' || value.kind === 'null')) state.locals.set(reused, value);
    return value;
  }

  private loadPtrValue(e: Extract<Expr, { op: 'loadPtr' }>, state: State): AbsValue {
    const p = this.eval(e.ptr, state);
    this.access(p, e.offset, 8, 'read', e.loc, state);
    if (p.kind !== 'ptr') return TOP;
    const mk = (region: Region, maybeNull: boolean, desc: string): PtrValue => ({ kind: 'ptr', region, off: 0n, varOff: null, maybeNull, nullId: maybeNull ? this.freshId() : 0, desc });
    if (p.region.kind === 'ctx' && !p.varOff) {
      // mirrors btf_ctx_access(): every load of a PTR_TO_BTF_ID_OR_NULL / PTR_TO_BUF_OR_NULL field gets a new reg->id
      // mirrors btf_ctx_access() with the target's ctx_arg_info (kernel/iterTargets.ts)
      // a constant offset added to ctx counts in the field's offset, as the verifier sees the folded access
      const field = iterCtxFieldAt(this.options.target, Number(p.off) + e.offset);
      if (!field) return TOP;
      const desc = `ctx->${field.name}`;
      const t = field.type;
      switch (t.kind) {
        case 'meta': return mk({ kind: 'meta' }, false, desc);
        case 'buf': return mk({ kind: t.readonly ? 'key' : 'value' }, true, desc);
        case 'btf':
          // the map targets' bpf_map keeps its own region (the attach map's sizes, field names in messages)
          if (t.struct === 'bpf_map') return mk({ kind: 'kmap' }, t.nullable, desc);
          return mk({ kind: 'btf', struct: t.struct, trusted: t.trusted }, t.nullable, desc);
        default: return TOP;
      }
    }
    if (p.region.kind === 'meta' && p.off + BigInt(e.offset) === 0n) return mk({ kind: 'seq' }, false, 'meta->seq');
    if (p.region.kind === 'stack' && !p.varOff) {
      const spilled = state.stack.get(this.slotKey(p))?.spills.get(Number(p.off) + e.offset);
      if (spilled) return spilled;
    }
    return TOP;
  }

  private evalBinary(e: Extract<Expr, { op: 'binary' }>, state: State): AbsValue {
    const a = this.eval(e.left, state);
    const b = this.eval(e.right, state);
    const full = (pc: boolean) => fitTo(e.type, { min: S64_MIN, max: U64_MAX, pathConst: pc });
    if (a.kind !== 'scalar' || b.kind !== 'scalar') return ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(e.kind) ? scalar(0n, 1n, false) : full(false);
    const x = a.range, y = b.range;
    const pc = x.pathConst && y.pathConst;
    const both = x.min === x.max && y.min === y.max;
    const r = (min: bigint, max: bigint, p = pc) => fitTo(e.type, { min, max, pathConst: p });
    switch (e.kind) {
      case 'add': return r(x.min + y.min, x.max + y.max);
      case 'sub': return r(x.min - y.max, x.max - y.min);
      case 'mul': {
        const c = [x.min * y.min, x.min * y.max, x.max * y.min, x.max * y.max];
        return r(c.reduce((m, v) => (v < m ? v : m)), c.reduce((m, v) => (v > m ? v : m)));
      }
      case 'div': case 'rem': {
        if (both && y.min !== 0n) return r(e.kind === 'div' ? x.min / y.min : x.min % y.min, e.kind === 'div' ? x.min / y.min : x.min % y.min);
        if (y.min > 0n && x.min >= 0n) return e.kind === 'div' ? r(x.min / y.max, x.max / y.min) : r(0n, y.max - 1n);
        return full(pc);
      }
      case 'and': {
        if (both) return r(x.min & y.min, x.min & y.min);
        if (y.min === y.max && y.min >= 0n) return r(0n, x.min >= 0n && x.max < y.min ? x.max : y.min);
        if (x.min === x.max && x.min >= 0n) return r(0n, x.min);
        return full(pc);
      }
      case 'or': case 'xor': case 'shl': case 'shr': {
        if (both) {
          const v = e.kind === 'or' ? x.min | y.min : e.kind === 'xor' ? x.min ^ y.min : e.kind === 'shl' ? x.min << (y.min & 63n) : x.min >> (y.min & 63n);
          return r(v, v);
        }
        if (e.kind === 'shr' && y.min === y.max && x.min >= 0n) return r(x.min >> y.min, x.max >> y.min);
        if (e.kind === 'shl' && y.min === y.max && x.min >= 0n && y.min < 64n) return r(x.min << y.min, x.max << y.min);
        return full(pc);
      }
      default: {
        if (both) {
          const p = x.min, q = y.min;
          const holds = e.kind === 'eq' ? p === q : e.kind === 'ne' ? p !== q : e.kind === 'lt' ? p < q : e.kind === 'le' ? p <= q : e.kind === 'gt' ? p > q : p >= q;
          return constant(holds ? 1n : 0n);
        }
        return scalar(0n, 1n, pc);
      }
    }
  }

  /**
   * A maybe-NULL base plus a constant is folded into the access instruction only when it is dereferenced at once;
   * as a value (stored, converted to an integer, passed to a call) clang materialises it with an ALU add, which
   * adjust_ptr_min_max_vals() refuses (measured: `BPF_SEQ_PRINTF(seq, "%s", ctx->map->name)`).
   */
  private escapes(v: AbsValue, loc: Loc): AbsValue {
    if (v.kind !== 'ptr' || !v.derived || !v.maybeNull) return v;
    this.report(Diagnostics.NullPointerArithmetic, loc, [v.desc, `R? pointer arithmetic on ${regTypeName(v)} prohibited, null-check it first`]);
    return { ...v, maybeNull: false, derived: false };
  }

  private evalPtrAdd(e: Extract<Expr, { op: 'ptrAdd' }>, state: State): AbsValue {
    const p = this.eval(e.ptr, state);
    const i = this.eval(e.index, state);
    if (p.kind === 'null') return p;
    if (p.kind !== 'ptr') return TOP;
    const literal = constantIndex(e.index);
    if (p.maybeNull && literal !== undefined) {
      // clang folds a constant offset into the load/store instruction (r1 = *(u32 *)(r1 + 8)), so the verifier
      // sees the access through the maybe-NULL register itself; a NULL check of the derived pointer is removed by
      // clang (arithmetic on NULL is undefined), a check of the base still covers it (measured on Linux 6.18)
      return { ...p, off: p.off + literal * BigInt(e.scale), derived: true };
    }
    if (p.maybeNull) {
      // mirrors adjust_ptr_min_max_vals(): arithmetic on a PTR_MAYBE_NULL register
      const t = regTypeName(p);
      this.report(Diagnostics.NullPointerArithmetic, e.loc, [p.desc, `R? pointer arithmetic on ${t} prohibited, null-check it first`]);
    }
    const scale = BigInt(e.scale);
    if (i.kind !== 'scalar') return { ...p, varOff: { min: S64_MIN, max: U64_MAX, pathConst: false }, maybeNull: false };
    const r = i.range;
    if (r.min === r.max && r.pathConst) return { ...p, off: p.off + r.min * scale, maybeNull: false };
    const lo = r.min * scale, hi = r.max * scale;
    const add: Range = { min: lo < hi ? lo : hi, max: lo < hi ? hi : lo, pathConst: r.pathConst };
    const varOff = p.varOff ? { min: p.varOff.min + add.min, max: p.varOff.max + add.max, pathConst: p.varOff.pathConst && add.pathConst } : add;
    return { ...p, varOff, maybeNull: false };
  }

  // ---------------------------------------------------------------- memory accesses (accessSize / uninit rules)

  access(p: AbsValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc, state: State): void {
    if (p.kind === 'top') return;
    if (p.kind === 'null' || p.kind === 'scalar') {
      const what = p.kind === 'null' ? 'NULL' : 'This integer';
      this.report(Diagnostics.ScalarDereference, loc, [what, "R? invalid mem access 'scalar'"]);
      return;
    }
    if (p.maybeNull) {
      // mirrors check_mem_access() on a PTR_MAYBE_NULL register (fix b0db1accbc73 for PTR_TO_BUF)
      this.report(Diagnostics.NullDereference, loc, [p.desc, nullReason(p), `R? invalid mem access '${regTypeName(p)}'`]);
      return;
    }
    const r = offsetRange(p);
    const lo = r.min + BigInt(insnOff), hi = r.max + BigInt(insnOff) + BigInt(size);
    switch (p.region.kind) {
      case 'ctx':
        // mirrors btf_ctx_access(): tracing programs read their context, never write it
        if (kind === 'write') { this.report(Diagnostics.CtxWrite, loc, [`invalid bpf_context access off=${lo} size=${size}`]); return; }
        // mirrors check_mem_access() for PTR_TO_CTX: a variable offset is refused before btf_ctx_access() runs
        if (p.varOff) { this.report(Diagnostics.CtxVariableAccess, loc, [`variable ctx access var_off=${formatTnum(p.varOff)} disallowed`]); return; }
        {
          // clang folds a constant added to ctx into the load (r1 = *(u64 *)(r1 + 32)): the verifier checks the sum
          const off = p.off + BigInt(insnOff);
          // the ctx is the target's arguments, one 8-byte slot each (kernel/iterTargets.ts: bpf_iter__<target>)
          const target = iterTargetInfo(this.options.target);
          // an unknown target is refused at load already (BPF1392): its ctx layout is unknown, so nothing to add
          if (!target) return;
          const ctxSize = BigInt(target.ctxSize);
          const field = off >= 0n && off < ctxSize ? iterCtxFieldAt(this.options.target, Number(off)) : undefined;
          if (off % 8n !== 0n) this.report(Diagnostics.CtxAccessMisaligned, loc, [`func 'bpf_iter_${this.options.target}' offset ${off} is not multiple of 8`]);
          else if (!field || (field.type.kind !== 'scalar' && size !== 8) || size > 8) {
            // mirrors btf_ctx_access(): pointer arguments are read whole; scalar ones (task_file's fd) at their width
            const why = !field ? `struct bpf_iter__${this.options.target} is ${ctxSize} bytes` : 'each field is an 8-byte pointer and must be read whole';
            this.report(Diagnostics.CtxAccessOutOfRange, loc, [size, off, why, `invalid bpf_context access off=${off} size=${size}`]);
          }
        }
        return;
      case 'key': case 'value': this.bufferAccess(p, insnOff, size, kind, loc); return;
      case 'meta': case 'seq': case 'kmap': case 'btf': {
        // mirrors check_ptr_to_btf_access(): GPL only, and read only
        if (!this.options.gplCompatible) {
          const struct = p.region.kind === 'kmap' ? 'bpf_map' : p.region.kind === 'seq' ? 'seq_file' : p.region.kind === 'btf' ? p.region.struct : 'bpf_iter_meta';
          this.report(Diagnostics.NonGplKernelStructAccess, loc, [p.desc, `Cannot access kernel 'struct ${struct}' from non-GPL compatible program`]);
          return;
        }
        // mirrors check_ptr_to_btf_access(): negative and variable offsets come before the write check, the struct's end after
        const offIssue = checkBtfRead(p, insnOff, size);
        if (offIssue && offIssue.message !== Diagnostics.BtfAccessBeyondStruct) { this.report(offIssue.message, loc, offIssue.args); return; }
        if (kind === 'write') { this.report(Diagnostics.WriteIntoKernelStruct, loc, [this.kernelStructName(p, lo), 'only read is supported']); return; }
        if (offIssue) this.report(offIssue.message, loc, offIssue.args);
        return;
      }
      case 'global': {
        const g = p.region;
        if (kind === 'write' && g.readonly) { this.report(Diagnostics.WriteIntoReadonlyMap, loc, [g.name, `write into map forbidden, value_size=${g.size} off=${lo} size=${size}`]); return; }
        if (g.size >= 0 && (lo < 0n || hi > BigInt(g.size))) this.report(Diagnostics.MapValueOutOfBounds, loc, [`${g.section} (${g.size} bytes)`, `invalid access to map value, value_size=${g.size} off=${lo} size=${size}`]);
        return;
      }
      case 'string':
        if (kind === 'write') this.report(Diagnostics.WriteIntoReadonlyMap, loc, ['A string literal', `write into map forbidden, value_size=0 off=${lo} size=${size}`]);
        return;
      case 'mapValue': {
        const m = p.region;
        if (lo < 0n || hi > BigInt(m.valueSize)) this.report(Diagnostics.MapValueOutOfBounds, loc, [`the value of ${m.map} (${m.valueSize} bytes)`, `invalid access to map value, value_size=${m.valueSize} off=${lo} size=${size}`]);
        return;
      }
      case 'stack': this.stackAccess(p, insnOff, size, kind, loc, state); return;
      default: return;
    }
  }

  private kernelStructName(p: PtrValue, off: bigint): string {
    if (p.region.kind === 'kmap') {
      const field = this.options.fieldNames?.[Number(off)];
      return field ? `map->${field}` : 'struct bpf_map';
    }
    if (p.region.kind === 'btf') return `struct ${p.region.struct}`;
    return p.region.kind === 'seq' ? 'struct seq_file' : 'struct bpf_iter_meta';
  }

  private stackAccess(p: PtrValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc, state: State, helper?: { name: string; regno: number }): void {
    const region = p.region as Extract<Region, { kind: 'stack' }>;
    const slot = state.stack.get(`${region.frame}:${region.slot}`);
    if (!slot) return;
    const r = offsetRange(p);
    const start = Number(r.min) + insnOff, end = Number(r.max) + insnOff + size;
    if (helper && (start < 0 || end > region.size)) {
      // mirrors check_stack_range_initialized(): the helper reads bytes outside the object. clang places the object
      // itself, so past its end lies either another (maybe uninitialised) object or the top of the frame
      const fn = this.frames[region.frame]?.fn ?? this.frames[this.frames.length - 1].fn;
      const fpOff = fpOffset(fn, region.slot, start);
      const verb = kind === 'read' ? 'read from' : 'write to';
      const kernel = fpOff + size > 0 || kind === 'write' ? `invalid ${verb} stack R${helper.regno} off=${fpOff} size=${size}` : `invalid read from stack R${helper.regno} off ${fpOff}+${region.size - start} size ${size}`;
      this.report(Diagnostics.HelperStackReadOutOfBounds, loc, [p.desc, region.size, size, helper.name, kernel]);
      return;
    }
    if (!helper && r.min === r.max && (start < 0 || end > region.size)) {
      // A constant access past the object: from valid C, a CO-RE relocated field of a local copy of a
      // preserve_access_index struct (the kernel's offset used on the local object). mirrors
      // check_stack_access_within_bounds() when it leaves the frame; inside the frame it reads whatever clang
      // placed there, which this layout does not know.
      const fn = this.frames[region.frame]?.fn ?? this.frames[this.frames.length - 1].fn;
      const fpOff = fpOffset(fn, region.slot, start);
      if (fpOff + size > 0) {
        this.report(Diagnostics.StackAccessOutsideFrame, loc, [kind === 'read' ? 'reads' : 'writes', size, start, p.desc, region.size,
          `invalid ${kind === 'read' ? 'read from' : 'write to'} stack R? off=${fpOff} size=${size}`]);
      }
      return;
    }
    if (!helper && p.varOff && !p.varOff.pathConst && this.stackVarOffOutOfBounds(p, insnOff, size, kind, loc)) return;
    if (kind === 'write') {
      // a write at a variable offset initialises nothing for sure
      if (r.min === r.max) markInitialized(slot.init, start, end);
      return;
    }
    const i = firstUninitialized(slot.init, start, end);
    if (i < 0) return;
    const fn = this.frames[region.frame]?.fn ?? this.frames[this.frames.length - 1].fn;
    const fpOff = fpOffset(fn, region.slot, start);
    if (helper) this.report(Diagnostics.UninitializedStackHelperRead, loc, [p.desc, helper.name, size, `invalid read from stack R${helper.regno} off ${fpOff}+${i - start} size ${size}`]);
    else this.report(Diagnostics.UninitializedStackRead, loc, [p.desc, `invalid read from stack off ${fpOff}+${i - start} size ${size}`]);
  }

  /**
   * mirrors check_stack_access_within_bounds() for a load or store at a variable offset: bounds past 2^29
   * (BPF_MAX_VAR_OFF) are refused with EACCES, a range whose end lies above the frame pointer with EINVAL. Our frame
   * layout is not clang's, so the end is taken as if the object were the deepest of the frame: reported only when
   * the access leaves the frame wherever clang puts the object.
   */
  private stackVarOffOutOfBounds(p: PtrValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc): boolean {
    const varOff = p.varOff!;
    const verb = kind === 'read' ? 'read from' : 'write to', does = kind === 'read' ? 'reads' : 'writes';
    const MAX_VAR_OFF = 1n << 29n;
    // a range widened to the extremes at a loop head is this analysis losing track, not the verifier's bounds
    if (varOff.max === U64_MAX || varOff.min === S64_MIN) return false;
    if (varOff.max >= MAX_VAR_OFF || varOff.min <= -MAX_VAR_OFF) {
      this.report(Diagnostics.StackUnboundedVariableOffset, loc, [does, p.desc, `invalid unbounded variable-offset ${verb} stack R?`]);
      return true;
    }
    const region = p.region as Extract<Region, { kind: 'stack' }>;
    const fn = this.frames[region.frame]?.fn ?? this.frames[this.frames.length - 1].fn;
    const fixed = Number(p.off) + insnOff;
    if (fixed + Number(varOff.max) + size <= fn.stackSize) return false;
    const range = `${varOff.min}..${varOff.max}`;
    this.report(Diagnostics.StackVariableOffsetOutsideFrame, loc, [does, size, p.desc, range,
      `invalid variable-offset ${verb} stack R? var_off=${formatTnum(varOff)} off=${fpOffset(fn, region.slot, fixed)} size=${size}`]);
    return true;
  }

  private bufferAccess(p: PtrValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc): void {
    for (const issue of this.tracker.check(p, insnOff, size, kind, loc, this.reporting)) this.report(issue.message, loc, issue.args, issue.related);
  }

  // ---------------------------------------------------------------- helpers

  private evalHelper(e: Extract<Expr, { op: 'callHelper' }>, state: State): AbsValue {
    const args = e.args.map((a, i) => this.escapes(this.eval(a, state), e.args[i].loc));
    if (e.helperId === CORE_POISON_HELPER_ID) {
      // mirrors libbpf's fixup of the verifier's "invalid func unknown#195896080" for a poisoned CO-RE access
      this.report(Diagnostics.CoreRelocationUnresolved, e.loc, [e.name, `failed to resolve CO-RE relocation <byte_off> ${e.name}`]);
      return TOP;
    }
    const found = lookupHelper(e.name);
    if (found.status === 'unknown') { this.report(Diagnostics.UnknownHelper, e.loc, [e.name, `unknown func ${e.name}#${e.helperId}`]); return TOP; }
    if (found.status === 'notAllowed') { this.report(Diagnostics.HelperNotAllowed, e.loc, [e.name, `program of this type cannot use helper ${e.name}#${found.id}`]); return TOP; }
    const info = found.info;
    if (info.gplOnly && !this.options.gplCompatible) this.report(Diagnostics.GplOnlyHelper, e.loc, [e.name, 'cannot call GPL-restricted function from non-GPL compatible program']);
    info.args.forEach((kind, i) => {
      const v = args[i];
      const argLoc = e.args[i]?.loc ?? e.loc;
      if (!v) return;
      const sizeOf = (j: number): number | undefined => { const s = args[j]; return s && s.kind === 'scalar' ? Number(s.range.max > 1n << 30n ? 1n << 30n : s.range.max) : undefined; };
      switch (kind.kind) {
        case 'mapKey': case 'mapValue': {
          const m = args[kind.mapArg];
          const def = m && m.kind === 'ptr' && m.region.kind === 'mapDef' ? this.program.maps.find((x) => x.name === (m.region as { name: string }).name) : undefined;
          if (v.kind === 'ptr' && v.region.kind === 'key') {
            this.report(Diagnostics.RdonlyBufAsHelperArg, argLoc, [i + 1, e.name, `R${i + 1} type=${regTypeName(v)} expected=fp, pkt, pkt_meta, map_key, map_value`]);
            return;
          }
          const size = def ? (kind.kind === 'mapKey' ? def.key_size : def.value_size) : 0;
          this.helperMem(v, size, 'read', argLoc, state, e.name, i, false);
          return;
        }
        case 'memRead': case 'memWrite': {
          const size = sizeOf(kind.sizeArg) ?? 0;
          const nullable = kind.kind === 'memRead' && kind.nullable === true;
          if (nullable && v.kind === 'null') return;
          if (nullable && v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n) return;
          if (this.sizeMayBeNegative(e.args[kind.sizeArg], args[kind.sizeArg], state, kind.sizeArg, e.name)) return;
          this.helperMem(v, size, kind.kind === 'memRead' ? 'read' : 'write', argLoc, state, e.name, i, nullable);
          return;
        }
        case 'memWriteFixed': this.helperMem(v, kind.size, 'write', argLoc, state, e.name, i, false); return;
        case 'seq': this.seqArg(v, i, argLoc, e.name); return;
        case 'trusted':
          if ((v.kind === 'ptr' && v.maybeNull) || v.kind === 'null' || (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n)) {
            this.report(Diagnostics.NullPassedToTrustedKfuncArg, argLoc, [v.kind === 'ptr' ? v.desc : 'NULL', e.name, `Possibly NULL pointer passed to trusted arg${i}`]);
          } else this.kfuncBtfArg(v, kind.btf, i, argLoc, e.name);
          return;
        case 'func':
          // mirrors check_func_arg() for ARG_PTR_TO_FUNC: only a subprogram's address (PTR_TO_FUNC) matches
          if (v.kind === 'top') return;
          if (v.kind !== 'ptr' || v.region.kind !== 'func' || v.region.func === undefined) {
            this.report(Diagnostics.CallbackNotFunction, argLoc, [i + 1, e.name, `R${i + 1} type=${v.kind === 'ptr' ? regTypeName(v) : 'scalar'} expected=func`]);
          } else if (this.program.functions[v.region.func]?.global) {
            // mirrors check_ld_imm() for BPF_PSEUDO_FUNC: only a static subprogram may be called back
            this.report(Diagnostics.CallbackNotStatic, argLoc, [v.desc, e.name, 'callback function not static']);
          }
          return;
        case 'stackOrNull':
          // ARG_PTR_TO_STACK_OR_NULL: a stack pointer or the constant 0
          if (v.kind === 'top' || v.kind === 'null' || (v.kind === 'ptr' && v.region.kind === 'stack')) return;
          if (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n) return;
          this.report(Diagnostics.CallbackCtxNotStack, argLoc, [v.kind === 'ptr' ? v.desc : 'this integer', e.name, `R${i + 1} type=${v.kind === 'ptr' ? regTypeName(v) : 'scalar'} expected=fp`]);
          return;
        case 'iterNum': this.iterNumArg(v, kind.op, i, e, state); return;
        default: return;
      }
    });
    if (info.args.some((k) => k.kind === 'func')) this.analyseCallback(e, args, state);
    switch (info.returns) {
      case 'mapValueOrNull': {
        const m = args[0];
        const def = m && m.kind === 'ptr' && m.region.kind === 'mapDef' ? this.program.maps.find((x) => x.name === (m.region as { name: string }).name) : undefined;
        // without the map's definition the value's size is unknown: track nullness only
        const region: Region = def ? { kind: 'mapValue', map: def.name, valueSize: def.value_size } : { kind: 'other' };
        return { kind: 'ptr', region, off: 0n, varOff: null, maybeNull: true, nullId: this.freshId(), desc: `the result of ${e.name}` };
      }
      // RET_INTEGER: the verifier knows nothing of a helper's result (mark_reg_unknown()), even of a u32 one;
      // do_refine_retval_range() bounds bpf_get_smp_processor_id() by nr_cpu_ids
      case 'cpu': return scalar(0n, BigInt(Math.max(1, this.options.cpus) - 1), false);
      // KF_RET_NULL: a read-only pointer to the iterator's current int, or NULL once the range is exhausted
      case 'iterNumNext': return { kind: 'ptr', region: { kind: 'other' }, off: 0n, varOff: null, maybeNull: true, nullId: this.freshId(), desc: `the result of ${e.name}` };
      // RET_PTR_TO_BTF_ID_OR_NULL: the socket casts give NULL for a socket of another kind
      case 'btfOrNull': return { kind: 'ptr', region: { kind: 'btf', struct: info.returnStruct ?? '', trusted: false }, off: 0n, varOff: null, maybeNull: true, nullId: this.freshId(), desc: `the result of ${e.name}` };
      default: return scalar(S64_MIN, U64_MAX, false);
    }
  }

  /**
   * mirrors check_func_arg() for ARG_PTR_TO_BTF_ID of struct seq_file: check_reg_type() wants a trusted BTF pointer
   * (anything else: "R1 type=scalar expected=ptr_, trusted_ptr_, rcu_ptr_"), then btf_struct_ids_match() at
   * offset 0 ("R1 is of type bpf_map but seq_file is expected"). Measured on 6.18 for NULL, a number, a value
   * copied by bpf_probe_read_kernel(), &local, ctx, ctx->meta, ctx->map and meta->seq + 8.
   */
  private seqArg(v: AbsValue, argIndex: number, loc: Loc, helper: string): void {
    const reg = `R${argIndex + 1}`;
    const expected = 'expected=ptr_, trusted_ptr_, rcu_ptr_';
    let kernel: string | undefined;
    let shown = 'this value';
    if (v.kind === 'null' || v.kind === 'scalar') {
      kernel = `${reg} type=scalar ${expected}`;
      shown = v.kind === 'null' ? 'NULL' : 'this number';
    } else if (v.kind === 'ptr') {
      shown = v.desc;
      const btfName = v.region.kind === 'seq' ? 'seq_file' : v.region.kind === 'kmap' ? 'bpf_map' : v.region.kind === 'meta' ? 'bpf_iter_meta' : undefined;
      if (v.region.kind === 'other') return;
      if (v.maybeNull || btfName === undefined) kernel = `${reg} type=${regTypeName(v)} ${expected}`;
      else if (v.region.kind !== 'seq' || v.off !== 0n || v.varOff) kernel = `${reg} is of type ${btfName} but seq_file is expected`;
    }
    if (kernel) this.report(Diagnostics.SeqArgNotSeqFile, loc, [shown, argIndex + 1, helper, kernel]);
  }

  /**
   * mirrors check_mem_size_reg(): the size register's signed minimum must not be below 0. Only a known negative
   * bound is reported (a C `int` that may be negative); an unknown or widened value (min S64_MIN) is not, since this
   * analysis joins paths the verifier keeps apart.
   */
  private sizeMayBeNegative(expr: Expr | undefined, value: AbsValue | undefined, state: State, argIndex: number, helper: string): boolean {
    if (!expr || !value) return false;
    // a signed variable converted to the helper's u32 size: clang passes the register as it is (no zero extension),
    // so the verifier sees the variable's signed range
    let inner = expr;
    while (inner.op === 'convert' && inner.operand.type.kind === 'int' && inner.operand.type.signed) inner = inner.operand;
    const local = inner !== expr && inner.op === 'local' ? state.locals.get(this.key(inner.id)) : undefined;
    const v = local ?? value;
    if (v.kind !== 'scalar' || v.range.min >= 0n || v.range.min <= S64_MIN || v.range.min < -(1n << 32n)) return false;
    const name = inner.op === 'local' ? this.localName(inner.id) : 'this value';
    this.report(Diagnostics.HelperSizeMayBeNegative, expr.loc, [name, argIndex + 1, helper, v.range.min.toString(),
      `R${argIndex + 1} min value is negative, either use unsigned or 'var &= const'`]);
    return true;
  }

  /**
   * mirrors check_kfunc_args() for KF_ARG_PTR_TO_BTF_ID: a kernel pointer must be of the argument's struct at offset
   * 0 ("args#0 expected pointer to STRUCT bpf_map but R1 has a pointer to STRUCT bpf_iter_meta"); a pointer that is
   * not a kernel object (stack, ctx, a number) is taken as memory and refused for a struct with pointers ("arg#0
   * pointer type STRUCT bpf_map must point to scalar, or struct with scalar"). Measured on 6.18.
   */
  private kfuncBtfArg(v: AbsValue, btf: string, argIndex: number, loc: Loc, kfunc: string): void {
    const structOf: Partial<Record<Region['kind'], string>> = { kmap: 'bpf_map', meta: 'bpf_iter_meta', seq: 'seq_file' };
    let kernel: string | undefined;
    let shown = 'this number';
    if (v.kind === 'scalar') kernel = `arg#${argIndex} pointer type STRUCT ${btf} must point to scalar, or struct with scalar`;
    else if (v.kind === 'ptr') {
      shown = v.desc;
      const has = structOf[v.region.kind];
      if (v.region.kind === 'btf') {
        // KF_TRUSTED_ARGS: an untrusted PTR_TO_BTF_ID is refused before its type is looked at (measured on 6.18:
        // iter/unix's unix_sk passed to bpf_sock_destroy); then btf_struct_ids_match() walks first members
        // (udp_sock -> inet_sock -> sock -> sock_common), a task_struct is refused
        if (!v.region.trusted) {
          this.report(Diagnostics.KfuncArgNotTrusted, loc, [shown, argIndex + 1, kfunc, `R${argIndex + 1} must be referenced or trusted`]);
          return;
        }
        if (v.off !== 0n || v.varOff || !structStartsWith(v.region.struct, btf)) {
          kernel = `kernel function ${kfunc} args#${argIndex} expected pointer to STRUCT ${btf} but R${argIndex + 1} has a pointer to STRUCT ${v.region.struct}`;
        }
      } else if (has !== undefined) {
        if (has !== btf || v.off !== 0n || v.varOff) kernel = `kernel function ${kfunc} args#${argIndex} expected pointer to STRUCT ${btf} but R${argIndex + 1} has a pointer to STRUCT ${has}`;
      } else if (v.region.kind === 'stack' || v.region.kind === 'ctx' || v.region.kind === 'mapValue' || v.region.kind === 'global') {
        kernel = `arg#${argIndex} pointer type STRUCT ${btf} must point to scalar, or struct with scalar`;
      }
    }
    if (kernel) this.report(Diagnostics.KfuncArgWrongType, loc, [shown, argIndex + 1, kfunc, btf, kernel]);
  }

  /** mirrors process_iter_arg(): the STACK_ITER slot's state before and after new/next/destroy */
  private iterNumArg(v: AbsValue, op: 'new' | 'next' | 'destroy', argIndex: number, e: Extract<Expr, { op: 'callHelper' }>, state: State): void {
    if (v.kind !== 'ptr' || v.region.kind !== 'stack' || v.varOff || v.off !== 0n) {
      if (v.kind === 'top') return;
      this.report(Diagnostics.IterNotInitialized, e.args[argIndex]?.loc ?? e.loc, [v.kind === 'ptr' ? v.desc : 'this value', `arg#${argIndex} expected pointer to an iterator on stack`]);
      return;
    }
    const key = this.slotKey(v);
    const active = state.iters.get(key);
    if (op === 'new') {
      if (active) { this.report(Diagnostics.IterAlreadyInitialized, e.args[argIndex].loc, [v.desc, `expected uninitialized iter_num as arg #${argIndex}`]); return; }
      state.iters.set(key, { loc: e.loc, name: v.desc });
      const slot = state.stack.get(key);
      if (slot) markInitialized(slot.init, 0, slot.init.length);
      return;
    }
    if (!active) { this.report(Diagnostics.IterNotInitialized, e.args[argIndex].loc, [v.desc, `expected an initialized iter_num as arg #${argIndex}`]); return; }
    if (op === 'destroy') state.iters.delete(key);
  }

  /**
   * mirrors push_callback_call() with set_loop_callback_state() / set_map_elem_callback_state(): the callback is
   * analysed as a subprogram with the registers the helper passes, and its R0 must be in [0, 1]. The helper may
   * call it any number of times (zero included), so the caller goes on from the join of before and after.
   */
  private analyseCallback(e: Extract<Expr, { op: 'callHelper' }>, args: AbsValue[], state: State): void {
    const fnArg = e.name === 'bpf_loop' || e.name === 'bpf_for_each_map_elem' ? args[1] : undefined;
    if (!fnArg || fnArg.kind !== 'ptr' || fnArg.region.kind !== 'func' || fnArg.region.func === undefined) return;
    const ctxArg = args[2] ?? TOP;
    if (this.program.functions[fnArg.region.func]?.global) return;
    let calleeArgs: AbsValue[];
    if (e.name === 'bpf_loop') {
      // R1 = the loop index (an unknown scalar to the verifier, a u32 in C), R2 = the context
      calleeArgs = [scalar(0n, (1n << 32n) - 1n, false), ctxArg];
    } else {
      const m = args[0];
      const def = m && m.kind === 'ptr' && m.region.kind === 'mapDef' ? this.program.maps.find((x) => x.name === (m.region as { name: string }).name) : undefined;
      if (def && !FOR_EACH_MAP_TYPES.has(Number(def.type))) {
        // mirrors check_map_func_compatibility(): map->ops->map_for_each_callback is NULL
        this.report(Diagnostics.CallbackMapNotAllowed, e.args[0].loc, [def.name, mapTypeName(Number(def.type)), 'callback function not allowed for map']);
        return;
      }
      const mk = (region: Region, desc: string): PtrValue => ({ kind: 'ptr', region, off: 0n, varOff: null, maybeNull: false, nullId: 0, desc });
      // R1 = CONST_PTR_TO_MAP, R2 = PTR_TO_MAP_KEY, R3 = PTR_TO_MAP_VALUE of that map, R4 = the context
      calleeArgs = [
        m ?? TOP,
        def ? mk({ kind: 'mapValue', map: def.name, valueSize: def.key_size }, `the key of ${def.name}`) : TOP,
        def ? mk({ kind: 'mapValue', map: def.name, valueSize: def.value_size }, `the value of ${def.name}`) : TOP,
        ctxArg,
      ];
    }
    const results = this.callFunction(fnArg.region.func, calleeArgs, state, e.loc);
    let merged: State | null = null;
    for (const r of results) {
      if (r.final && r.value.kind === 'scalar') {
        // mirrors prepare_func_exit(): retval_range_within(callee->callback_ret_range, r0)
        const problem = returnValueProblem(r.value.range, 'At callback return');
        if (problem) this.report(Diagnostics.CallbackReturnOutOfRange, r.loc, [e.name, problem.shown, problem.kernelText]);
      }
      merged = this.joinStates(merged, r.state);
    }
    if (!merged) return;
    const depth = `${this.frames.length}:`;
    for (const k of [...merged.locals.keys()]) if (k.startsWith(depth)) merged.locals.delete(k);
    for (const k of [...merged.stack.keys()]) if (k.startsWith(depth)) merged.stack.delete(k);
    const after = this.joinStates(cloneState(state), merged);
    if (after) copyInto(state, after);
  }

  /**
   * mirrors check_helper_mem_access() -> check_stack_range_initialized() for a helper that writes memory: the bytes
   * become STACK_MISC, so what is read back is a number, never a pointer (a pointer copied by bpf_probe_read_kernel(),
   * as BPF_CORE_READ() does, is a scalar to the verifier).
   */
  private helperWroteStack(v: PtrValue, size: number, state: State): void {
    const slot = state.stack.get(this.slotKey(v));
    if (!slot) return;
    if (v.varOff) { slot.spills.clear(); return; }
    const start = Number(v.off), end = start + size;
    for (const off of [...slot.spills.keys()]) if (off < end && off + 8 > start) slot.spills.delete(off);
    for (let off = start; off + 8 <= end; off += 8) slot.spills.set(off, scalar(S64_MIN, U64_MAX, false));
  }

  private helperMem(v: AbsValue, size: number, kind: 'read' | 'write', loc: Loc, state: State, helper: string, argIndex: number, nullable: boolean): void {
    if (v.kind === 'ptr' && v.maybeNull && !nullable) {
      // mirrors check_reg_type(): a maybe-NULL register does not match ARG_PTR_TO_MEM
      this.report(Diagnostics.NullPassedToHelper, loc, [v.desc, argIndex + 1, helper, `R${argIndex + 1} type=${regTypeName(v)} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`]);
      return;
    }
    if (v.kind !== 'ptr') return;
    if (v.region.kind === 'stack') {
      this.stackAccess(v, 0, size, kind, loc, state, { name: helper, regno: argIndex + 1 });
      if (kind === 'write') this.helperWroteStack(v, size, state);
      return;
    }
    this.access({ ...v, maybeNull: false }, 0, size, kind, loc, state);
  }
}

/** mirrors btf_struct_ids_match() without strict matching: `have` is `want`, or its first member (recursively) is. */
function structStartsWith(have: string, want: string): boolean {
  for (let s: string | undefined = have, depth = 0; s && depth < 8; depth++) {
    if (s === want) return true;
    const first: { typeName: string } | undefined = kernelBtf[s]?.fields.find((f) => f.offset === 0);
    const m: RegExpExecArray | null | undefined = first && /^(?:struct )?(\w+)$/.exec(first.typeName.replace(/^(const |volatile )+/, ''));
    s = m ? m[1] : undefined;
  }
  return false;
}

/**
 * Map types whose ops have map_for_each_callback in 6.18: hash, array, percpu_hash, percpu_array, lru_hash,
 * lru_percpu_hash, sk_storage, inode_storage, task_storage, cgrp_storage (enum bpf_map_type values).
 */
const FOR_EACH_MAP_TYPES = new Set([1, 2, 5, 6, 9, 10, 24, 28, 29, 32]);

/** Whether a loop calls an open-coded iterator's next kfunc in its test or body. */
function callsIterNext(loop: Extract<Stmt, { op: 'loop' }>): boolean {
  return loopContains(loop, (e) => {
    if (e.op !== 'callHelper') return false;
    const helper = lookupHelper(e.name);
    return helper.status === 'allowed' && (helper as { info: { returns: string } }).info.returns === 'iterNumNext';
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

function constantIndex(e: Expr): bigint | undefined {
  if (e.op === 'const') return e.value;
  if (e.op === 'convert') return constantIndex(e.operand);
  return undefined;
}

function localOf(e: Expr): number | undefined {
  if (e.op === 'local' || e.op === 'assign') return e.id;
  if (e.op === 'convert' || e.op === 'ptrCast') return localOf(e.operand);
  return undefined;
}

function copyInto(target: State, source: State): void {
  target.iters = source.iters;
  target.locals = source.locals;
  target.unassigned = source.unassigned;
  target.stack = source.stack;
}
