/**
 * A counted loop walked pass by pass, as the verifier walks it, where the fixpoint would lose what the code after the
 * loop needs: a counter stepped under a test (`for (i = 0; i < 6; i++) if (ok(name[i])) buf[n++] = name[i];`) and
 * then used as an index or a helper's argument (`buf[n++] = '\n'; bpf_seq_write(seq, buf, n);`). The verifier keeps n
 * exact on each path (it is marked precise where it indexes the stack), so it walks one state per value of n, each
 * with exactly the bytes [0, n) written; the fixpoint joins the passes into a range and knows no byte written.
 *
 * Here: the states at the loop's head are kept apart where they differ in such a counter (the sides of an `if` in
 * the loop's body are not joined then) and merged where they agree on what lives across the back edge, as
 * is_state_visited() prunes; the loop's exits come back one per value, for the rest of the block to walk apart
 * (controlFlow.ts execStatements()). A loop that does not end within MAX_UNROLL_PASSES passes, or keeps more than
 * MAX_UNROLL_STATES states apart, is left to the fixpoint.
 */

import type { Expr, Stmt } from '../ir';
import { forEachNode } from '../irWalk';
import { valueEqual } from './domain';
import { cloneState, type LoopCtx, type State } from './abstractState';
import { ControlFlowVerifier } from './controlFlow';
import { assignedInNestedLoop, counterSteps } from './loops';
import { indexesWith } from './pathSplit';

const MAX_UNROLL_PASSES = 16;
const MAX_UNROLL_STATES = 32;
/** Statements in the loop's body, at most: passes x states x statements stays well inside the analysis's budget. */
const MAX_UNROLL_BODY = 40;

type Loop = Extract<Stmt, { op: 'loop' }>;

export abstract class LoopUnrollingVerifier extends ControlFlowVerifier {
  protected override unrolledExits(loop: Loop, state: State, rest: readonly Stmt[]): State[] | undefined {
    if (!loop.test || !loop.testFirst || loop.label !== undefined || rest.length === 0) return undefined;
    let statements = 0;
    forEachNode(loop.body, () => { statements++; });
    if (statements > MAX_UNROLL_BODY) return undefined;
    const frame = this.frames[this.frames.length - 1];
    if (!frame) return undefined;
    const prefix = `${this.frames.length - 1}:`;
    const counters = new Set<string>();
    for (const [k, v] of state.locals) {
      if (v.kind !== 'scalar' || !k.startsWith(prefix)) continue;
      const id = Number(k.slice(prefix.length));
      if (!Number.isInteger(id)) continue;
      const steps = counterSteps(loop, id);
      if (!steps || steps.length === 0 || assignedInNestedLoop(loop, id) || !indexesWith(rest, id)) continue;
      counters.add(k);
    }
    if (counters.size === 0) return undefined;
    const live = liveAcrossBackEdge(frame.fn.body, loop, prefix);
    const liveAfter = liveAcrossBackEdge(frame.fn.body, loop, prefix, false);
    const reporting = this.reporting;
    // a dry walk first: a loop left to the fixpoint must not have reported what its passes saw
    this.reporting = false;
    let exits: State[] | undefined;
    try {
      exits = this.unroll(loop, cloneState(state), counters, live, liveAfter);
    } finally {
      this.reporting = reporting;
    }
    if (!exits || !reporting) return exits;
    return this.unroll(loop, cloneState(state), counters, live, liveAfter);
  }

  /** The loop's exit states, one per value of the counters, or undefined when it is not walked pass by pass. */
  private unroll(loop: Loop, state: State, counters: ReadonlySet<string>, live: ReadonlySet<string>, liveAfter: ReadonlySet<string>): State[] | undefined {
    const pre = loop.init ? this.execStmt(loop.init, state) : state;
    if (!pre) return [];
    let heads: State[] = [pre];
    const exits: State[] = [];
    for (let pass = 0; pass <= MAX_UNROLL_PASSES && heads.length > 0; pass++) {
      const next: State[] = [];
      for (const head of heads) {
        const { t, f } = this.branches(loop.test!, head);
        if (f) exits.push(f);
        if (!t) continue;
        const ctx: LoopCtx = { breaks: [], continues: [], label: loop.label };
        this.loops.push(ctx);
        let ends: State[];
        try {
          ends = this.execApart(statementsOf(loop.body), t, counters);
        } finally {
          this.loops.pop();
        }
        ends.push(...ctx.continues);
        exits.push(...ctx.breaks);
        for (const end of ends) {
          if (loop.update) this.eval(loop.update, end);
          next.push(end);
        }
      }
      heads = this.mergeAlike(next, live);
      if (heads.length > MAX_UNROLL_STATES) return undefined;
    }
    if (heads.length > 0) return undefined;
    const out = this.mergeAlike(exits, liveAfter);
    return out.length > MAX_UNROLL_STATES ? undefined : out;
  }

  /**
   * The statements, each side of an `if` (nested ones too) walked on its own: the states they leave are kept apart
   * where a counter has another value, and joined where it has the same.
   */
  private execApart(stmts: readonly Stmt[], state: State, counters: ReadonlySet<string>): State[] {
    let cur: State[] = [state];
    for (const s of stmts) {
      const next: State[] = [];
      for (const c of cur) {
        if (s.op !== 'if') {
          const r = this.execStmt(s, c);
          if (r) next.push(r);
          continue;
        }
        const { t, f } = this.branches(s.test, c);
        if (t) next.push(...this.execApart(statementsOf(s.then), t, counters));
        if (f) next.push(...(s.else ? this.execApart(statementsOf(s.else), f, counters) : [f]));
      }
      cur = this.joinByCounters(next, counters);
    }
    return cur;
  }

  /** One state per value of the counters (joined); the states where a counter is not a constant are one state. */
  private joinByCounters(states: State[], counters: ReadonlySet<string>): State[] {
    const groups = new Map<string, State>();
    for (const st of states) {
      let key = '';
      for (const k of counters) {
        const v = st.locals.get(k);
        key += v?.kind === 'scalar' && v.range.min === v.range.max ? `${v.range.min},` : '*,';
      }
      const mine = groups.get(key);
      groups.set(key, mine ? this.joinStates(mine, st)! : st);
    }
    return [...groups.values()];
  }

  /** States that agree on the locals live across the loop's back edge and on the stack are one state (joined). */
  private mergeAlike(states: State[], live: ReadonlySet<string>): State[] {
    const out: State[] = [];
    for (const s of states) {
      const i = out.findIndex((o) => alike(o, s, live));
      if (i < 0) out.push(s);
      else out[i] = this.joinStates(out[i], s)!;
    }
    return out;
  }
}

function statementsOf(s: Stmt): readonly Stmt[] {
  return s.op === 'block' ? s.body : [s];
}

function alike(a: State, b: State, live: ReadonlySet<string>): boolean {
  for (const k of live) {
    const v = a.locals.get(k), w = b.locals.get(k);
    if (!v || !w ? v !== w : !valueEqual(v, w)) return false;
  }
  for (const [k, slot] of a.stack) {
    const other = b.stack.get(k);
    if (!other) return false;
    for (let i = 0; i < slot.init.length; i++) if (slot.init[i] !== other.init[i]) return false;
  }
  return true;
}

/**
 * The locals (state keys) the function reads outside the loop's body, or in its test and update: what the states
 * at the loop's head may differ in. A local only the body mentions (declared there, or a temporary of its lowering)
 * is dead at the head, as liveness tells the verifier. Without the `header`, the locals read outside the loop
 * statement: what its exits may differ in (its counter `i` is dead once it is left).
 */
function liveAcrossBackEdge(fnBody: Stmt, loop: Loop, prefix: string, header = true): Set<string> {
  const live = new Set<string>();
  // a read makes a local live; an assignment alone (`i = 0` before the loop, a declaration) does not
  const note = (e: Expr): void => { if (e.op === 'local') live.add(`${prefix}${e.id}`); };
  const expr = (e: Expr | undefined): void => { if (e) forEachNode({ op: 'expr', expr: e, loc: e.loc }, () => undefined, note); };
  // every statement but the loop's body
  const walk = (s: Stmt): void => {
    switch (s.op) {
      case 'expr': expr(s.expr); return;
      case 'declare': expr(s.init); return;
      case 'return': expr(s.value); return;
      case 'block': s.body.forEach(walk); return;
      case 'if': expr(s.test); walk(s.then); if (s.else) walk(s.else); return;
      case 'loop':
        if (s === loop && !header) return;
        if (s.init) walk(s.init);
        expr(s.test);
        expr(s.update);
        if (s !== loop) walk(s.body);
        return;
      case 'switch': expr(s.test); s.cases.forEach((c) => c.body.forEach(walk)); return;
      default: return;
    }
  };
  walk(fnBody);
  return live;
}
