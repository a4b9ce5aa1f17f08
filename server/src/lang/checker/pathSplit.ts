/**
 * When the two sides of an `if` should be walked apart through the rest of the block that holds it (up to the last
 * statement that uses what they differ in; controlFlow.ts execStatements()), as the verifier walks
 * every path (do_check() pushes the other branch and verifies it on its own; states are only merged where they are
 * equal). Joining them at the `if` turns a constant that differs between the sides into a range, and the code after
 * it then loses what each path knows:
 *
 * - `char *p = buf; if (neg) *p++ = '-'; *p++ = c; ...`: on each path every store is at a constant offset and
 *   marks its byte written; the joined pointer has a variable offset, which marks nothing;
 * - `int n = 0; if (x) buf[n++] = '-'; buf[n++] = c; write(buf, n)`: on each path n is a constant, the stores fill
 *   [0, n) and the helper reads exactly those bytes.
 *
 * Only such locals split: a stack pointer at two constant offsets, or a scalar with two constant values that the
 * rest of the block indexes memory with or passes to a helper. Anything else is joined at the `if`, as before.
 */

import type { Expr, Stmt } from '../ir';
import { forEachNode, someExpr } from '../irWalk';
import type { State } from './abstractState';

/**
 * Levels of paths walked apart at once, at most: an `if` gives two, a loop walked pass by pass (unrolling.ts) one per
 * value of its counters; each level walks the statements up to the last use of what its paths differ in.
 */
export const MAX_SPLIT_DEPTH = 3;

/** Whether the rest of the block uses local `id` as an index into memory or as a helper's argument. */
export function indexesWith(rest: readonly Stmt[], id: number): boolean {
  const readsLocal = (e: Expr): boolean => someExpr(e, (x) => (x.op === 'local' || x.op === 'assign') && x.id === id);
  let found = false;
  for (const s of rest) {
    forEachNode(s, () => undefined, (e) => {
      if (found) return;
      if (e.op === 'ptrAdd' && readsLocal(e.index)) found = true;
      else if (e.op === 'callHelper' && e.args.some(readsLocal)) found = true;
    });
    if (found) return true;
  }
  return false;
}

/** Whether the rest of the block reads or writes local `id` at all. */
function mentions(rest: readonly Stmt[], id: number): boolean {
  let found = false;
  for (const s of rest) {
    forEachNode(s, () => undefined, (e) => { if (!found && (e.op === 'local' || e.op === 'assign') && e.id === id) found = true; });
    if (found) return true;
  }
  return false;
}

/**
 * The locals (ids) in which the states two sides of an `if` leave differ so that the statements after it (`rest`, the
 * rest of the block) would lose precision once they are joined; empty when they may be joined. `prefix` is the
 * current frame's key prefix (`<depth>:`).
 */
export function splittingLocals(a: State, b: State, rest: readonly Stmt[], prefix: string): number[] {
  const out: number[] = [];
  if (rest.length === 0) return out;
  for (const [k, v] of a.locals) {
    if (!k.startsWith(prefix)) continue;
    const w = b.locals.get(k);
    if (!w) continue;
    const id = Number(k.slice(prefix.length));
    if (!Number.isInteger(id)) continue;
    if (v.kind === 'ptr' && w.kind === 'ptr') {
      if (v.region.kind !== 'stack' || w.region.kind !== 'stack' || v.region.slot !== w.region.slot || v.region.frame !== w.region.frame) continue;
      if (v.varOff || w.varOff || v.off === w.off) continue;
      if (mentions(rest, id)) out.push(id);
    } else if (v.kind === 'scalar' && w.kind === 'scalar') {
      const r = v.range, q = w.range;
      if (r.min !== r.max || q.min !== q.max || r.min === q.min) continue;
      if (indexesWith(rest, id)) out.push(id);
    }
  }
  return out;
}

/** The index in `stmts` of the last statement from `from` on that reads or writes one of `ids` (from - 1 if none). */
export function lastMention(stmts: readonly Stmt[], from: number, ids: readonly number[]): number {
  for (let i = stmts.length - 1; i >= from; i--) if (ids.some((id) => mentions([stmts[i]], id))) return i;
  return from - 1;
}

/** States walked apart in step at most (controlFlow.ts walkApart()); more are joined into one. */
const MAX_PATHS_APART = 32;

/**
 * One state per value of the locals `keys` (a constant, or a stack pointer's constant offset), the states with the
 * same values joined (`join`); past MAX_PATHS_APART states, all joined.
 */
export function joinAlike(states: State[], keys: ReadonlySet<number>, prefix: string, join: (a: State, b: State) => State | null): State[] {
  const groups = new Map<string, State>();
  for (const st of states) {
    let key = '';
    for (const id of keys) {
      const v = st.locals.get(`${prefix}${id}`);
      key += v?.kind === 'scalar' && v.range.min === v.range.max ? `${v.range.min},` : v?.kind === 'ptr' && !v.varOff ? `p${v.off},` : '*,';
    }
    const mine = groups.get(key);
    groups.set(key, mine ? join(mine, st)! : st);
  }
  const out = [...groups.values()];
  if (out.length <= MAX_PATHS_APART) return out;
  let all: State | null = out[0];
  for (const st of out.slice(1)) all = all ? join(all, st) : st;
  return all ? [all] : [];
}
