/**
 * Loop bounds as the verifier sees them: it unrolls bounded loops path by path (is_state_visited() sees the
 * counter change each time) and rejects a loop with no exit ("infinite loop detected") or whose bound it cannot
 * reach within BPF_COMPLEXITY_LIMIT_INSNS. Here: a loop is provably bounded when one of its exit conditions
 * compares a counter local, stepped only by a constant toward the bound, with an expression of finite range.
 */
import type { Expr, IrFunction, Stmt } from '../ir';
import { forEachChild, forEachNode, forEachStmtChild } from '../irWalk';

export interface CounterExit {
  /** The counter: a scalar local's id, or -1 when it lives in a stack slot (`slot`). */
  counter: number;
  /** The stack slot of an address-taken counter (read and written through memory at offset 0). */
  slot?: number;
  /** The other side of the comparison (the bound). */
  bound: Expr;
  /**
   * A pointer counter compared through its distance from a base, `(c - buf) < n`: that distance (`c - buf`), and the
   * base's local, which must not change in the loop. clang folds it into an index the verifier bounds.
   */
  distance?: { expr: Extract<Expr, { op: 'ptrDiff' }>; base?: number };
  /** The counter must increase (true) or decrease (false) to leave. */
  increasing: boolean;
  /** `<=`/`>=` stay conditions allow one more iteration. */
  inclusive: boolean;
  notEqual: boolean;
}

function localId(e: Expr): number | undefined {
  if (e.op === 'local') return e.id;
  if (e.op === 'convert') return localId(e.operand);
  return undefined;
}

/**
 * `c - base` (possibly converted) of a pointer local `c` and a base that is a local (`base` then names it) or an
 * address (an array's, which cannot change): the distance a pointer counter `c` is bounded by.
 */
function pointerDistance(e: Expr): { counter: number; expr: Extract<Expr, { op: 'ptrDiff' }>; base?: number } | undefined {
  if (e.op === 'convert') return pointerDistance(e.operand);
  if (e.op !== 'ptrDiff' || e.left.op !== 'local') return undefined;
  const base = e.right.op === 'ptrCast' ? e.right.operand : e.right;
  if (base.op === 'addr') return { counter: e.left.id, expr: e };
  if (e.right.op !== 'local' || e.left.id === e.right.id) return undefined;
  return { counter: e.left.id, expr: e, base: e.right.id };
}

/** The stack slot a counter read `*(&slot + 0)` (possibly converted) names. */
function slotId(e: Expr): number | undefined {
  if (e.op === 'convert') return slotId(e.operand);
  if (e.op === 'load' && e.offset === 0 && e.ptr.op === 'addr' && e.ptr.base.kind === 'stack') return e.ptr.base.slot;
  return undefined;
}

const flip: Record<string, string> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' };
const negate: Record<string, string> = { lt: 'ge', le: 'gt', gt: 'le', ge: 'lt', eq: 'ne', ne: 'eq' };

/** Reads `stay` (the condition under which the loop continues) as a counter comparison. */
export function counterCondition(stay: Expr, negated: boolean): CounterExit | undefined {
  if (stay.op === 'unary' && stay.kind === 'lnot') return counterCondition(stay.operand, !negated);
  if (stay.op !== 'binary') return undefined;
  let kind: string = stay.kind;
  if (!(kind in flip)) return undefined;
  if (negated) kind = negate[kind];
  let counter = localId(stay.left);
  let slot = counter === undefined ? slotId(stay.left) : undefined;
  let distance = counter === undefined && slot === undefined ? pointerDistance(stay.left) : undefined;
  let bound = stay.right;
  if (counter === undefined && slot === undefined && !distance) {
    counter = localId(stay.right);
    slot = counter === undefined ? slotId(stay.right) : undefined;
    distance = counter === undefined && slot === undefined ? pointerDistance(stay.right) : undefined;
    bound = stay.left;
    kind = flip[kind];
  }
  if (distance) counter = distance.counter;
  if (counter === undefined && slot === undefined) return undefined;
  const ref = slot !== undefined ? { counter: -1, slot }
    : distance ? { counter: counter!, distance: { expr: distance.expr, ...(distance.base !== undefined ? { base: distance.base } : {}) } } : { counter: counter! };
  switch (kind) {
    case 'lt': return { ...ref, bound, increasing: true, inclusive: false, notEqual: false };
    case 'le': return { ...ref, bound, increasing: true, inclusive: true, notEqual: false };
    case 'gt': return { ...ref, bound, increasing: false, inclusive: false, notEqual: false };
    case 'ge': return { ...ref, bound, increasing: false, inclusive: true, notEqual: false };
    case 'ne': return { ...ref, bound, increasing: true, inclusive: false, notEqual: true };
    default: return undefined;
  }
}

/**
 * The parts of a test that each decide alone: the conjuncts of `a && b` (the loop stays only while both hold, so it
 * leaves when either fails: `k < 4 && p != end` is bounded by k), the disjuncts of `a || b` for `if (a || b) break;`.
 */
function operands(e: Expr, kind: 'and' | 'or'): Expr[] {
  return e.op === 'logical' && e.kind === kind ? [...operands(e.left, kind), ...operands(e.right, kind)] : [e];
}

/** Exit conditions of a loop: its test, and `if (c) break;` / `if (c) return ...;` at the top of its body. */
export function loopExits(loop: Extract<Stmt, { op: 'loop' }>): CounterExit[] {
  const exits: CounterExit[] = [];
  if (loop.test) {
    for (const stay of operands(loop.test, 'and')) {
      const c = counterCondition(stay, false);
      if (c) exits.push(c);
    }
  }
  const body = loop.body.op === 'block' ? loop.body.body : [loop.body];
  // a backward goto's region (lower/statements.ts) ends `if (c) goto label; <end of region>`: c is its stay condition
  const [jump, end] = body.slice(-2);
  if (loop.label !== undefined && jump?.op === 'if' && !jump.else && end?.op === 'break' && end.label === loop.label) {
    const then = jump.then.op === 'block' && jump.then.body.length === 1 ? jump.then.body[0] : jump.then;
    if (then.op === 'continue' && then.label === loop.label) {
      const c = counterCondition(jump.test, false);
      if (c) exits.push(c);
    }
  }
  for (const s of body) {
    if (s.op !== 'if' || s.else) continue;
    // `if (c) { ...; return; }` leaves as surely as `if (c) return;` when nothing before the jump can jump elsewhere
    const leading = s.then.op === 'block' ? s.then.body.slice(0, -1) : [];
    if (leading.some(mayJump)) continue;
    const then = s.then.op === 'block' && s.then.body.length >= 1 ? s.then.body[s.then.body.length - 1] : s.then;
    if ((then.op === 'break' && (then.label === undefined || then.label === loop.label)) || then.op === 'return') {
      for (const leave of operands(s.test, 'or')) {
        const c = counterCondition(leave, true);
        if (c) exits.push(c);
      }
    }
  }
  return exits;
}

/** Whether a statement holds a jump (`break`, `continue`, `return`) or a loop or switch, whose jumps would be its own. */
function mayJump(s: Stmt): boolean {
  let found = false;
  forEachNode(s, (st) => { if (st.op === 'break' || st.op === 'continue' || st.op === 'return' || st.op === 'loop' || st.op === 'switch') found = true; });
  return found;
}

/** Steps applied to `counter` inside the loop: constants, or undefined when it is changed in another way. */
export function counterSteps(loop: Extract<Stmt, { op: 'loop' }>, counter: number): bigint[] | undefined {
  const steps: bigint[] = [];
  let other = false;
  const copies = counterCopies(loop, counter);
  const isCounter = (e: Expr): boolean => { const id = localId(e); return id === counter || (id !== undefined && copies.has(id)); };
  const visitExpr = (e: Expr): void => {
    if (e.op === 'assign' && e.id === counter) {
      const v = e.value.op === 'convert' ? e.value.operand : e.value;
      if (v.op === 'binary' && (v.kind === 'add' || v.kind === 'sub') && isCounter(v.left) && v.right.op === 'const') {
        steps.push(v.kind === 'add' ? v.right.value : -v.right.value);
      } else if (v.op === 'ptrAdd' && isCounter(v.ptr) && v.index.op === 'const') {
        // a pointer counter (++c): its step in bytes
        steps.push(v.index.value * BigInt(v.scale));
      } else other = true;
    }
    forEachChild(e, visitExpr);
  };
  const visitStmt = (s: Stmt): void => {
    forEachStmtChild(s, visitStmt, visitExpr);
    if (s.op === 'declare' && s.id === counter) other = true;
  };
  visitStmt(loop.body);
  if (loop.update) visitExpr(loop.update);
  return other ? undefined : steps;
}

/**
 * The temporaries a postfix step used as an expression copies the counter into (`buf[n++]` is lowered as
 * `old = n, n = old + 1, old`): each is assigned only the counter, right before the step reads it.
 */
function counterCopies(loop: Extract<Stmt, { op: 'loop' }>, counter: number): Set<number> {
  const copies = new Set<number>(), others = new Set<number>();
  const visit = (e: Expr): void => {
    if (e.op === 'assign' && e.id !== counter) (localId(e.value) === counter ? copies : others).add(e.id);
  };
  forEachNode(loop.body, (s) => { if (s.op === 'declare') others.add(s.id); }, visit);
  if (loop.update) forEachNode({ op: 'expr', expr: loop.update, loc: loop.update.loc }, () => undefined, visit);
  for (const id of others) copies.delete(id);
  return copies;
}

/** Whether the body can leave the loop at all (break not inside a nested loop/switch, or return). */
export function hasExit(loop: Extract<Stmt, { op: 'loop' }>): boolean {
  const test = loop.test;
  if (test && !(test.op === 'const' && test.value !== 0n)) return true;
  let found = false;
  // Labels of the loops and switches nested in this loop's body around the statement being visited.
  const inner: number[] = [];
  const leaves = (s: Extract<Stmt, { op: 'break' | 'continue' }>, inNested: boolean): boolean => {
    if (s.label === undefined) return s.op === 'break' && !inNested;
    // a labeled jump (a lowered goto) leaves this loop when it targets this loop's end or anything outside it
    if (s.label === loop.label) return s.op === 'break';
    return !inner.includes(s.label);
  };
  const visit = (s: Stmt, inNested: boolean): void => {
    if (found) return;
    if (s.op === 'return' || ((s.op === 'break' || s.op === 'continue') && leaves(s, inNested))) { found = true; return; }
    if (s.op === 'loop' || s.op === 'switch') {
      if (s.label !== undefined) inner.push(s.label);
      if (s.op === 'loop') visit(s.body, true);
      else for (const c of s.cases) c.body.forEach((b) => visit(b, true));
      if (s.label !== undefined) inner.pop();
      return;
    }
    forEachStmtChild(s, (c) => visit(c, inNested), () => undefined);
  };
  visit(loop.body, false);
  return found;
}

/**
 * The frame-pointer offset clang 14 gives an address-taken counter of at most 4 bytes whose value the verifier
 * cannot keep, or undefined when it can (or when that cannot be known for sure). Mirrors
 * check_stack_write_fixed_off(): a scalar register is kept as a spill only at an offset that is a multiple of 8;
 * elsewhere the bytes become STACK_MISC and every reload is an unknown number, so a loop bounded by that counter
 * never provably ends (measured on 6.18: `__u32 i` at fp-4 whose address goes to bpf_map_lookup_elem() gives "The
 * sequence of 8193 jumps is too complex"; the same loop with a `__u64 i` loads).
 * clang places a function's stack objects downwards from fp in declaration order, each aligned to its type; the
 * answer is certain only when every object placed before the counter is a multiple of 8 bytes (then the counter
 * lands at -4 modulo 8 whatever clang merges) and no callee's objects are inlined in front of them.
 */
export function lostCounterFpOffset(fn: IrFunction, slotId: number, callees: IrFunction[]): number | undefined {
  if (callees.some((f) => f.slots.length > 0)) return undefined;
  let fp = 0;
  for (const s of [...fn.slots].sort((a, b) => a.id - b.id)) {
    fp -= s.size;
    const align = Math.max(1, s.align);
    fp = -Math.ceil(-fp / align) * align;
    if (s.id === slotId) return s.size <= 4 && ((fp % 8) + 8) % 8 !== 0 ? fp : undefined;
    if (s.size % 8 !== 0) return undefined;
  }
  return undefined;
}

/** Whether an expression anywhere in the loop's test, update or body (statement expressions included) matches. */
export function loopContains(loop: Extract<Stmt, { op: 'loop' }>, matches: (e: Expr) => boolean): boolean {
  let found = false;
  const visitExpr = (e: Expr): void => {
    if (found) return;
    if (matches(e)) { found = true; return; }
    if (e.op === 'stmtExpr') { forEachStmtChild(e.body, visitStmt, visitExpr); if (e.value) visitExpr(e.value); }
    forEachChild(e, visitExpr);
  };
  const visitStmt = (st: Stmt): void => forEachStmtChild(st, visitStmt, visitExpr);
  if (loop.test) visitExpr(loop.test);
  if (loop.update) visitExpr(loop.update);
  visitStmt(loop.body);
  return found;
}

/** Whether the loop passes `&slot` to a helper or function (the object then stays in memory at -O2). */
export function slotEscapesInLoop(loop: Extract<Stmt, { op: 'loop' }>, slot: number): boolean {
  const isSlotAddr = (e: Expr): boolean => (e.op === 'ptrCast' || e.op === 'convert' ? isSlotAddr(e.operand)
    : e.op === 'addr' && e.base.kind === 'stack' && e.base.slot === slot);
  return loopContains(loop, (e) => (e.op === 'callHelper' || e.op === 'call') && e.args.some(isSlotAddr));
}

/**
 * A store through the counter into a stack array, `a[i] = v` as the first statements of a loop's body run it on
 * every pass: the slot, where element 0 is, the element's scale and the bytes each store writes.
 */
export interface LoopFill { counter: number; slot: number; offset: number; scale: number; size: number }

/**
 * The stack arrays a counted loop writes element by element on every pass (`for (i = 0; i < N; i++) a[i] = ...;`):
 * stores at the top of the body, before any statement that could skip them, in a body nothing leaves early (no
 * break or continue of this loop, no jump of a lowered goto). clang unrolls such a loop or keeps it, and either way
 * the verifier, walking each pass, sees every element written.
 */
export function loopFills(loop: Extract<Stmt, { op: 'loop' }>): LoopFill[] {
  if (!loop.testFirst || !loop.test || loop.test.op === 'logical') return [];
  if (leavesEarly(loop.body)) return [];
  const body = loop.body.op === 'block' ? loop.body.body : [loop.body];
  const fills: LoopFill[] = [];
  for (const s of body) {
    if (s.op !== 'expr') break;
    const e = s.expr;
    if (e.op !== 'store') {
      // a statement before the store that cannot jump (an assignment, a call) keeps it on every pass
      if (e.op === 'stmtExpr') break;
      continue;
    }
    let ptr = e.ptr;
    while (ptr.op === 'ptrCast') ptr = ptr.operand;
    if (ptr.op !== 'ptrAdd') continue;
    let base = ptr.ptr;
    while (base.op === 'ptrCast') base = base.operand;
    const counter = localId(ptr.index);
    if (base.op !== 'addr' || base.base.kind !== 'stack' || counter === undefined) continue;
    fills.push({ counter, slot: base.base.slot, offset: e.offset, scale: ptr.scale, size: e.size });
  }
  return fills;
}

/**
 * A pointer local a counted loop moves by a constant on every pass and stores through (`*p++ = c;`, `*p = c; p += 2;`):
 * the bytes one pass writes, relative to where the pointer is when the pass begins, and how far one pass moves it.
 */
export interface LoopPointerFill { ptr: number; step: bigint; writes: Array<{ from: bigint; to: bigint }> }

const stripCasts = (e: Expr): Expr => (e.op === 'ptrCast' ? stripCasts(e.operand) : e);

/**
 * The pointer locals a counted loop fills a buffer through (`for (i = 0; i < N; i++) *p++ = hex[i];`): every
 * assignment of the pointer in the loop is a constant step of itself at the top of the body (a post-increment in a
 * store's address counts), and the stores through it before any statement that could skip them are the pass's
 * writes. The verifier walks each pass with a constant offset and sees each byte written; the fixpoint, which joins
 * the passes, cannot. Same conditions on the body as loopFills().
 */
export function loopPointerFills(loop: Extract<Stmt, { op: 'loop' }>): LoopPointerFill[] {
  if (!loop.testFirst || !loop.test || loop.test.op === 'logical') return [];
  if (leavesEarly(loop.body)) return [];
  const body = loop.body.op === 'block' ? loop.body.body : [loop.body];
  const delta = new Map<number, bigint>();
  const writes = new Map<number, Array<{ from: bigint; to: bigint }>>();
  const seen = new Map<number, number>(); // recognized assignments of each pointer
  const stepOf = (e: Expr, id: number, via?: number): bigint | undefined => {
    // `p = p + k` (or `p = t + k` where t holds p's old value: a post-increment)
    if (e.op !== 'assign' || e.id !== id) return undefined;
    const v = stripCasts(e.value);
    if (v.op !== 'ptrAdd' || v.index.op !== 'const') return undefined;
    const from = stripCasts(v.ptr);
    if (from.op !== 'local' || (from.id !== id && from.id !== via)) return undefined;
    return v.index.value * BigInt(v.scale);
  };
  // a post-increment's address: `(t = p, p = t + k, t)`: the pointer, its old value's temp and the step
  const postIncrement = (e: Expr): { id: number; step: bigint } | undefined => {
    if (e.op !== 'sequence' || e.first.op !== 'assign' || e.second.op !== 'sequence') return undefined;
    const old = stripCasts(e.first.value);
    if (old.op !== 'local') return undefined;
    const step = stepOf(e.second.first, old.id, e.first.id);
    const last = e.second.second;
    if (step === undefined || last.op !== 'local' || last.id !== e.first.id) return undefined;
    return { id: old.id, step };
  };
  const advance = (id: number, step: bigint): void => {
    delta.set(id, (delta.get(id) ?? 0n) + step);
    seen.set(id, (seen.get(id) ?? 0) + 1);
  };
  for (const s of body) {
    // a declaration cannot skip the stores after it
    if (s.op === 'declare') continue;
    if (s.op !== 'expr') break;
    const e = s.expr;
    if (e.op === 'stmtExpr') break;
    if (e.op === 'assign') {
      const step = stepOf(e, e.id);
      if (step !== undefined) advance(e.id, step);
      continue;
    }
    const bare = postIncrement(e);
    if (bare) { advance(bare.id, bare.step); continue; }
    if (e.op !== 'store') continue;
    const ptr = stripCasts(e.ptr);
    const inc = postIncrement(ptr);
    const id = inc ? inc.id : ptr.op === 'local' ? ptr.id : undefined;
    if (id === undefined) continue;
    const at = delta.get(id) ?? 0n;
    const list = writes.get(id) ?? [];
    list.push({ from: at + BigInt(e.offset), to: at + BigInt(e.offset + e.size) });
    writes.set(id, list);
    if (inc) advance(id, inc.step);
  }
  const fills: LoopPointerFill[] = [];
  for (const [id, list] of writes) {
    const step = delta.get(id) ?? 0n;
    // every assignment of the pointer anywhere in the loop must be one of those walked here
    let all = 0;
    const count = (e: Expr): void => { if (e.op === 'assign' && e.id === id) all++; forEachChild(e, count); };
    const visit = (st: Stmt): void => { forEachStmtChild(st, visit, count); if (st.op === 'declare' && st.id === id) all += 2; };
    visit(loop.body);
    if (loop.update) count(loop.update);
    count(loop.test);
    if (step <= 0n || all !== seen.get(id)) continue;
    fills.push({ ptr: id, step, writes: list });
  }
  return fills;
}

/**
 * Whether every pass steps the counter: its assignments are the loop's update or top-level statements of the body
 * (not inside an `if`, which some passes skip and then the loop makes more passes than its bound says).
 */
export function countsEveryPass(loop: Extract<Stmt, { op: 'loop' }>, counter: number): boolean {
  const body = loop.body.op === 'block' ? loop.body.body : [loop.body];
  let elsewhere = 0;
  const count = (e: Expr): void => { if (e.op === 'assign' && e.id === counter) elsewhere++; };
  for (const st of body) {
    // `i++;` as a statement of its own runs on every pass; its operand cannot assign the counter again
    if (st.op === 'expr' && st.expr.op === 'assign' && st.expr.id === counter) { forEachNode({ op: 'expr', expr: st.expr.value, loc: st.loc }, () => undefined, count); continue; }
    forEachNode(st, () => undefined, count);
  }
  return elsewhere === 0;
}

/** Whether a loop body has a break or continue of the loop itself, or any labeled jump (a lowered goto). */
function leavesEarly(body: Stmt): boolean {
  let found = false;
  const visit = (s: Stmt, nested: boolean): void => {
    if (found) return;
    if (s.op === 'break' || s.op === 'continue') { if (s.label !== undefined || !nested) found = true; return; }
    if (s.op === 'loop') { visit(s.body, true); return; }
    if (s.op === 'switch') { for (const c of s.cases) c.body.forEach((b) => visit(b, true)); return; }
    forEachStmtChild(s, (c) => visit(c, nested), () => undefined);
  };
  visit(body, false);
  return found;
}

/**
 * Whether `id` keeps its value over the loop: a constant, or a local the loop never assigns (a trip count computed
 * before the loop from such a bound stays true inside it).
 */
export function loopInvariant(loop: Extract<Stmt, { op: 'loop' }>, e: Expr): boolean {
  if (e.op === 'const') return true;
  if (e.op === 'convert') return loopInvariant(loop, e.operand);
  return e.op === 'local' && counterSteps(loop, e.id)?.length === 0;
}

/** Whether a loop nested in `loop` assigns `id`: an assignment there may run many times per pass of `loop`. */
export function assignedInNestedLoop(loop: Extract<Stmt, { op: 'loop' }>, id: number): boolean {
  let found = false;
  forEachNode(loop.body, (s) => {
    if (!found && s.op === 'loop' && counterSteps(s, id)?.length !== 0) found = true;
  });
  return found;
}

/**
 * The most passes a counted loop can make from a counter range `start` toward an invariant bound range `bound`,
 * each pass stepping the counter by one of `steps`; undefined when they do not all lead to the bound.
 */
export function tripsToBound(e: CounterExit, steps: readonly bigint[], start: { min: bigint; max: bigint }, bound: { min: bigint; max: bigint }): bigint | undefined {
  if (steps.length === 0) return undefined;
  let trips: bigint;
  if (e.notEqual) {
    // `i != n` ends only if one step of one lands on n exactly
    if (steps.length !== 1) return undefined;
    if (steps[0] === 1n && start.max <= bound.min) trips = bound.max - start.min;
    else if (steps[0] === -1n && start.min >= bound.max) trips = start.max - bound.min;
    else return undefined;
  } else {
    if (!steps.every((st) => (e.increasing ? st > 0n : st < 0n))) return undefined;
    const step = steps.reduce((m, st) => (st < 0n ? -st : st) < m ? (st < 0n ? -st : st) : m, steps[0] < 0n ? -steps[0] : steps[0]);
    const span = (e.increasing ? bound.max - start.min : start.max - bound.min) + (e.inclusive ? 1n : 0n);
    trips = span <= 0n ? 0n : (span + step - 1n) / step;
  }
  return trips < 0n ? 0n : trips;
}

/**
 * The counters of an open-coded iterator loop that the verifier never converges on (measured on Linux 6.18 with
 * bpf_iter_num, bpf_iter_task_vma and bpf_iter_kmem_cache loops: "BPF program is too large. Processed 1000001 insn").
 * mirrors process_iter_next_call() + is_state_visited(): a loop over next() is verified by walking passes until a
 * pass's state equals one seen before; widen_imprecise_scalars() forgets the value of a scalar no later instruction
 * needs exactly, but a scalar marked precise keeps its value, and one the loop steps by a constant on every pass is
 * then different on each pass. It is marked precise when, after the loop, a branch on it is decided on the path that
 * left at once (it is the constant it started as): a comparison with a constant; or when it sizes a helper's memory
 * or indexes the stack. Measured: `n++` on every pass then `if (n > 10)`, `return n > 10`, `buf[n & 15]` or a read of
 * `n & 15` bytes are refused; `n` only printed, compared with a value the verifier does not know, tested with `if (n)`,
 * stepped only on some passes (`if (*v & 1) n++`), or stepped by an unknown amount load. Only those refused shapes are
 * reported: a counter stepped once, at the top level of the loop's body, by a constant, and read after the loop in
 * one of them before it is written again.
 */
export function nonConvergingIterCounters(loop: Extract<Stmt, { op: 'loop' }>, after: readonly Stmt[]): Array<{ id: number; use: Expr }> {
  if (loop.update) return [];
  const top = loop.body.op === 'block' ? loop.body.body : [loop.body];
  // the counters: `n = n + C` once at the body's top level (before anything that may leave the pass early)
  const candidates: number[] = [];
  for (const s of top) {
    if (s.op === 'if' || s.op === 'switch' || s.op === 'break' || s.op === 'continue' || s.op === 'return' || s.op === 'loop' || s.op === 'block') break;
    if (s.op !== 'expr' || s.expr.op !== 'assign') continue;
    const steps = counterSteps(loop, s.expr.id);
    if (steps && steps.length === 1 && steps[0] !== 0n) {
      const v = s.expr.value.op === 'convert' ? s.expr.value.operand : s.expr.value;
      if (v.op === 'binary') candidates.push(s.expr.id);
    }
  }
  const out: Array<{ id: number; use: Expr }> = [];
  const isCounter = (e: Expr, id: number): boolean => localId(e) === id;
  const masked = (e: Expr, id: number): boolean => isCounter(e, id)
    || (e.op === 'binary' && e.kind === 'and' && (isCounter(e.left, id) || isCounter(e.right, id)))
    || (e.op === 'convert' && masked(e.operand, id));
  const constant = (e: Expr): boolean => e.op === 'const' || (e.op === 'convert' && constant(e.operand));
  for (const id of candidates) {
    // read inside the loop other than by its own step (a test that ends the loop at a bound, a use): left alone
    let reads = 0;
    const countReads = (e: Expr): void => { if (e.op === 'local' && e.id === id) reads++; forEachChild(e, countReads); };
    forEachNode(loop.body, () => undefined, (e) => { if (e.op === 'local' && e.id === id) reads++; });
    if (loop.test) countReads(loop.test);
    if (reads !== 1) continue;
    let use: Expr | undefined;
    let written = false;
    const onExpr = (e: Expr): void => {
      if (use || written) return;
      if (e.op === 'binary' && (e.kind === 'lt' || e.kind === 'le' || e.kind === 'gt' || e.kind === 'ge')
        && ((isCounter(e.left, id) && constant(e.right)) || (isCounter(e.right, id) && constant(e.left)))) { use = e; return; }
      if (e.op === 'ptrAdd' && masked(e.index, id)) { if (onStack(e.ptr)) use = e; return; }
      if (e.op === 'callHelper' && SIZED_READS.has(e.name) && e.args[1] && masked(e.args[1], id)) { use = e; return; }
      forEachChild(e, onExpr);
      if (e.op === 'assign' && e.id === id) written = true;
    };
    const onStmt = (s: Stmt): void => { if (!use && !written) forEachStmtChild(s, onStmt, onExpr); };
    for (const s of after) {
      if (use || written) break;
      if (s.op === 'return' && s.value) onExpr(s.value);
      else if (s.op === 'expr') onExpr(s.expr);
      else if (s.op === 'if') onExpr(s.test);
      else if (s.op === 'declare') { if (s.init) onExpr(s.init); if (s.id === id) written = true; }
      else break; // another loop, a switch, a block: not followed
    }
    if (use) out.push({ id, use });
  }
  return out;
}

/** an address of the function's stack (a local array), possibly cast */
function onStack(e: Expr): boolean {
  if (e.op === 'ptrCast') return onStack(e.operand);
  return e.op === 'addr' && e.base.kind === 'stack';
}

/** helpers whose second argument sizes the memory they write (ARG_CONST_SIZE: check_mem_size_reg() marks it precise) */
const SIZED_READS = new Set(['bpf_probe_read_kernel', 'bpf_probe_read_user', 'bpf_probe_read', 'bpf_probe_read_kernel_str',
  'bpf_probe_read_user_str', 'bpf_copy_from_user', 'bpf_get_current_comm']);

