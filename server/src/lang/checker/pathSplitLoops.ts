/**
 * A counted loop whose passes split the verifier's paths more and more, measured on Linux 6.18 (clang 14 -O2, a
 * 64-byte buffer filled by bpf_copy_from_user_task(), `len` its unknown length): each pass tests a byte of the
 * buffer at the counter first, and only then compares the counter with `len`, and a store runs when both hold:
 *
 *     for (i = 0; i < 47; i++)
 *         if (args[i] == 0 && i + 1 < len)
 *             args[i] = ' ';
 *
 * The comparison narrows `len` (precise, since a branch depends on it) to another range on each path that reached it
 * at another pass, and the byte test decides on which passes it was reached, so no two paths reach the loop head
 * with ranges one contains: is_state_visited() never prunes, and the states grow about 1.6 times a pass (a loop
 * clang keeps: 22 passes 1M instructions, 21 passes 270K). Refused ("BPF program is too large") at 24, 32, 47 and 63
 * passes: with the store in the buffer or another array, in a `while` loop, with a third condition, `i < len - 1`
 * (24 passes: 860K instructions, loaded; 32: refused). Loaded at every count: the comparison first
 * (`i + 1 < len && args[i] == 0`: its false side fixes `len` for the passes after), a scalar assigned instead of a
 * store (clang makes a select, no branch), a `break` on the comparison, a constant instead of `len`, no byte test;
 * and at 16 passes, which clang unrolls. So only loops of 32 passes or more are judged, the measured shape.
 */
import type { Expr, Stmt } from '../ir';
import { forEachNode } from '../irWalk';
import { counterSteps } from './loops';

/** the fewest passes at which every measured loop of this shape was refused */
export const PATH_SPLIT_MIN_PASSES = 32n;

export interface PathSplit {
  /** the conjunct read from memory at the counter, tested first */
  byteTest: Expr;
  /** the stack slot of the buffer it reads */
  buffer: number;
  /** the loop-invariant value the counter is compared with after it */
  invariant: Expr;
  /** the `if` statement */
  at: Extract<Stmt, { op: 'if' }>;
}

function conjuncts(e: Expr): Expr[] {
  return e.op === 'logical' && e.kind === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

/** the counter itself, converted or offset by a constant (`i`, `i + 1`, `(long)i - 2`) */
function isCounterTerm(e: Expr, counter: number): boolean {
  if (e.op === 'local') return e.id === counter;
  if (e.op === 'convert') return isCounterTerm(e.operand, counter);
  if (e.op === 'binary' && (e.kind === 'add' || e.kind === 'sub')) {
    return (isCounterTerm(e.left, counter) && e.right.op === 'const') || (e.kind === 'add' && e.left.op === 'const' && isCounterTerm(e.right, counter));
  }
  return false;
}

/** a local the loop never assigns, converted or offset by a constant (`len`, `len - 1`) */
function invariantLocal(loop: Extract<Stmt, { op: 'loop' }>, e: Expr): boolean {
  if (e.op === 'local') return counterSteps(loop, e.id)?.length === 0;
  if (e.op === 'convert') return invariantLocal(loop, e.operand);
  if (e.op === 'binary' && (e.kind === 'add' || e.kind === 'sub')) return invariantLocal(loop, e.left) && e.right.op === 'const';
  return false;
}

/**
 * The stack slot of the buffer `e` reads a byte of at the counter (`args[i]`, `args[i + 1]`), when it reads one: a
 * buffer the verifier knows nothing of splits paths; one it knows (zero-filled, never written by a helper) does not
 * (measured: the same loop over `char args[64] = {}` alone loads, 186K instructions at 47 passes).
 */
function bufferReadAtCounter(e: Expr, counter: number): number | undefined {
  let slot: number | undefined;
  forEachNode({ op: 'expr', expr: e, loc: e.loc }, () => undefined, (x) => {
    if (slot !== undefined || x.op !== 'load') return;
    forEachNode({ op: 'expr', expr: x.ptr, loc: x.loc }, () => undefined, (p) => {
      if (p.op !== 'ptrAdd' || !isCounterTerm(p.index, counter)) return;
      const base = p.ptr.op === 'ptrCast' ? p.ptr.operand : p.ptr;
      if (base.op === 'addr' && base.base.kind === 'stack') slot = base.base.slot;
    });
  });
  return slot;
}

/** whether a helper or kfunc call of `body` is given the address of stack slot `slot` (it may write it) */
export function helperWritesSlot(body: Stmt, slot: number): boolean {
  let found = false;
  forEachNode(body, () => undefined, (e) => {
    if (found || e.op !== 'callHelper') return;
    for (const a of e.args) {
      forEachNode({ op: 'expr', expr: a, loc: a.loc }, () => undefined, (x) => {
        if (x.op === 'addr' && x.base.kind === 'stack' && x.base.slot === slot) found = true;
      });
    }
  });
  return found;
}

function storesWithoutJumps(s: Stmt): boolean {
  let stores = false, jumps = false;
  forEachNode(s, (st) => {
    if (st.op === 'break' || st.op === 'continue' || st.op === 'return' || st.op === 'loop' || st.op === 'switch') jumps = true;
  }, (e) => {
    if (e.op === 'store' || e.op === 'copy' || e.op === 'fill') stores = true;
    if (e.op === 'call' || e.op === 'callHelper') jumps = true;
  });
  return stores && !jumps;
}

/**
 * The `if` of the loop's body (a statement of the body itself) that has the measured shape: no else, a store and
 * no jump under it, its test `A && ... && C ...` with A a load at the counter and C, after it, an ordered comparison
 * of the counter with a loop-invariant local; A reads a stack buffer. The caller checks that a helper writes that
 * buffer and that the local is not a known value.
 */
export function pathSplittingTest(loop: Extract<Stmt, { op: 'loop' }>, counter: number): PathSplit | undefined {
  const body = loop.body.op === 'block' ? loop.body.body : [loop.body];
  for (const s of body) {
    if (s.op !== 'if' || s.else || !storesWithoutJumps(s.then)) continue;
    const parts = conjuncts(s.test);
    for (let j = 1; j < parts.length; j++) {
      const c = parts[j];
      if (c.op !== 'binary' || !['lt', 'le', 'gt', 'ge'].includes(c.kind)) continue;
      const invariant = isCounterTerm(c.left, counter) && invariantLocal(loop, c.right) ? c.right
        : isCounterTerm(c.right, counter) && invariantLocal(loop, c.left) ? c.left : undefined;
      if (!invariant) continue;
      for (const byteTest of parts.slice(0, j)) {
        const buffer = bufferReadAtCounter(byteTest, counter);
        if (buffer !== undefined) return { byteTest, buffer, invariant, at: s };
      }
    }
  }
  return undefined;
}
