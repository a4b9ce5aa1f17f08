/** Branch conditions: the state on each side of a test, NULL checks on pointers and ranges from comparisons (mirrors reg_set_min_max(), mark_ptr_or_null_regs()). */

import type { Expr } from '../ir';
import type { AbsValue, PtrValue } from './domain';
import { isNullExpr, markPtrOrNull } from './nullness';
import { impliedAssigned, impliedNonNull } from './nullImplication';
import { cloneState, type State } from './abstractState';
import { MemoryAccessChecker } from './memoryAccess';

export abstract class ConditionRefiner extends MemoryAccessChecker {
  // ---------------------------------------------------------------- conditions (nullness.ts refines)

  refine(test: Expr, state: State | null, truth: boolean): State | null {
    if (!state) return null;
    switch (test.op) {
      case 'const': return (test.value !== 0n) === truth ? state : null;
      case 'unary': return test.kind === 'lnot' ? this.refine(test.operand, state, !truth) : state;
      case 'sequence': return this.refine(test.second, state, truth);
      // `if (!({ tp = bpf_skc_to_tcp_sock(skc); tp; }))`: the statement expression's value is the register its last
      // expression left, a copy of tp with the same id; the body ran before the test
      case 'stmtExpr': return test.value ? this.refine(test.value, state, truth) : state;
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
              if (r.min === 0n) this.narrowScalar(state, this.key(id), v, 1n, r.max, r.pathConst);
              else if (r.max === 0n) this.narrowScalar(state, this.key(id), v, r.min, -1n, r.pathConst);
              else if (v.nullWhen || v.unassignedWhen) this.narrowScalar(state, this.key(id), v, r.min, r.max, r.pathConst, true);
            } else {
              if (r.min > 0n || r.max < 0n) return null;
              this.narrowScalar(state, this.key(id), v, 0n, 0n, true);
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
  protected pointerOf(e: Expr, state: State): PtrValue | { kind: 'null' } | undefined {
    switch (e.op) {
      case 'local': case 'assign': {
        const v = state.locals.get(this.key(e.id));
        return v && (v.kind === 'ptr' || v.kind === 'null') ? v : undefined;
      }
      case 'ptrCast': case 'ptrToInt': case 'convert': return this.pointerOf(e.operand, state);
      // the value of `({ ...; tp; })` and of `(a, tp)` is the register tp is in: the same pointer, the same id
      case 'stmtExpr': return e.value ? this.pointerOf(e.value, state) : undefined;
      case 'sequence': return this.pointerOf(e.second, state);
      // a function's address is never NULL; an unresolved weak kfunc is the constant NULL (the branch is dead)
      case 'null': return { kind: 'null' };
      case 'funcAddr': return this.funcValue(e);
      case 'loadPtr': {
        // a pointer kept in a stack slot (its address was taken): the test is of the spilled value itself, and
        // mark_ptr_or_null_regs() marks the spilled copies too
        if (e.ptr.op === 'addr' && e.ptr.base.kind === 'stack') {
          const slot = this.eval(e.ptr, state);
          if (slot.kind === 'ptr' && slot.region.kind === 'stack' && !slot.varOff) {
            const spilled = state.stack.get(this.slotKey(slot))?.spills.get(Number(slot.off) + e.offset);
            if (spilled && (spilled.kind === 'ptr' || spilled.kind === 'null')) return spilled;
          }
        }
        const reused = this.reusedLoadKey(e);
        const v = reused === undefined ? undefined : state.locals.get(reused);
        return v && (v.kind === 'ptr' || v.kind === 'null') ? v : undefined;
      }
      default: return undefined;
    }
  }

  protected refinePointer(e: Expr, state: State, nonNull: boolean): State | null {
    const p = this.pointerOf(e, state);
    if (!p) return state;
    if (p.kind === 'null') return nonNull ? null : state;
    if (p.derived) return state;
    if (!p.maybeNull) return nonNull ? state : null;
    // mirrors mark_ptr_or_null_regs(): every copy with the same id becomes non-NULL (or NULL); on the NULL branch a
    // kfunc's reference is released (release_reference_state())
    if (!nonNull) state.refs.delete(p.nullId);
    this.markAll(state, p.nullId, nonNull);
    return state;
  }

  protected refineCompare(test: Extract<Expr, { op: 'binary' }>, state: State, truth: boolean): State | null {
    // mirrors reg_set_min_max(): narrow a local's range by a comparison with a known range
    const kinds: Record<string, string> = { lt: 'ge', le: 'gt', gt: 'le', ge: 'lt', eq: 'ne', ne: 'eq' };
    const flips: Record<string, string> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' };
    if (!(test.kind in kinds)) return state;
    let kind = truth ? test.kind : kinds[test.kind];
    let k = this.stateKeyOf(test.left, state);
    let otherExpr = test.right;
    if (k === undefined) { k = this.stateKeyOf(test.right, state); otherExpr = test.left; kind = flips[kind]; }
    const left = this.peekExpr(test.left, state);
    const right = this.peekExpr(test.right, state);
    if (left && right && left.min === left.max && right.min === right.max) {
      const a = left.min, b = right.min;
      const holds = test.kind === 'lt' ? a < b : test.kind === 'le' ? a <= b : test.kind === 'gt' ? a > b : test.kind === 'ge' ? a >= b : test.kind === 'eq' ? a === b : a !== b;
      if (holds !== truth) return null;
    }
    if (k === undefined) return state;
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
    this.narrowScalar(state, k, v, min, max, v.range.pathConst);
    return state;
  }

  /**
   * Sets a scalar's narrowed range; when that leaves it outside where it was on the paths a pointer was NULL
   * (nullImplication.ts), the pointer is not NULL here. `nonZero`: the test was `x != 0` on a range holding 0 inside
   * (the range stays, but a NULL side where x was exactly 0 is excluded).
   */
  protected narrowScalar(state: State, k: string, before: Extract<AbsValue, { kind: 'scalar' }>, min: bigint, max: bigint, pathConst: boolean, nonZero = false): void {
    const range = { min, max, pathConst };
    state.locals.set(k, {
      kind: 'scalar', range,
      ...(before.nullWhen ? { nullWhen: before.nullWhen } : {}),
      ...(before.unassignedWhen ? { unassignedWhen: before.unassignedWhen } : {}),
    });
    for (const assigned of impliedAssigned(before, min, max, nonZero)) state.unassigned.delete(assigned);
    const n = before.nullWhen;
    const nullId = nonZero ? (n && n.min === 0n && n.max === 0n ? n.nullId : undefined) : impliedNonNull(before, min, max);
    if (nullId !== undefined) this.markAll(state, nullId, true);
  }

  /** mirrors mark_ptr_or_null_regs(): every copy with the NULL-check id becomes non-NULL (or NULL). */
  protected markAll(state: State, nullId: number, nonNull: boolean): void {
    const replace = (v: AbsValue): AbsValue => markPtrOrNull(v, nullId, nonNull);
    for (const [k, v] of state.locals) state.locals.set(k, replace(v));
    for (const slot of state.stack.values()) for (const [o, v] of slot.spills) slot.spills.set(o, replace(v));
  }

  /** Where the state keeps the value `e` denotes: a local, or an integer load clang reuses (reusedScalarLoadKey). */
  protected stateKeyOf(e: Expr, state: State): string | undefined {
    const id = localOf(e);
    if (id !== undefined) return this.key(id);
    let inner = e;
    while (inner.op === 'convert') inner = inner.operand;
    if (inner.op !== 'load') return undefined;
    const k = this.reusedScalarLoadKey(inner);
    return k !== undefined && state.locals.has(k) ? k : undefined;
  }
}

function localOf(e: Expr): number | undefined {
  if (e.op === 'local' || e.op === 'assign') return e.id;
  if (e.op === 'convert' || e.op === 'ptrCast') return localOf(e.operand);
  return undefined;
}
