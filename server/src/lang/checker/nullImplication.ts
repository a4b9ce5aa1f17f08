/**
 * NULL checks a scalar remembers. The verifier walks the two sides of `if (!p) err = -ENOMEM;` (or of
 * `err = p ? work(p) : -ENOMEM;`) apart, so after `if (err) return 0;` it never sees p NULL. The checker joins the
 * sides; these functions keep, on the joined scalar, where it was on the side where p was NULL (a NullImplication),
 * and tell when a later test leaves it outside that range, which makes p non-NULL as mark_ptr_or_null_regs() would
 * on the path the verifier follows.
 */
import type { AbsValue, NullImplication } from './domain';
import { isLoadKey, type State } from './abstractState';

/**
 * The NULL-check ids of pointers NULL in one state and not NULL in the other, with the state where they are NULL:
 * a local that is the constant NULL on one side and a checked pointer on the other.
 */
export function nullSides(a: State, b: State): { nullId: number; nullSide: State }[] {
  const out: { nullId: number; nullSide: State }[] = [];
  for (const [k, v] of a.locals) {
    if (isLoadKey(k)) continue;
    const w = b.locals.get(k);
    if (!w) continue;
    if (v.kind === 'null' && w.kind === 'ptr' && !w.maybeNull && w.nullId !== 0) out.push({ nullId: w.nullId, nullSide: a });
    else if (w.kind === 'null' && v.kind === 'ptr' && !v.maybeNull && v.nullId !== 0) out.push({ nullId: v.nullId, nullSide: b });
  }
  return out;
}

/** `joined` (the join of a scalar's values) with where the scalar was on the NULL side, when that says more. */
export function withNullImplication(joined: AbsValue, onNullSide: AbsValue | undefined, nullId: number): AbsValue {
  if (joined.kind !== 'scalar' || joined.nullWhen || !onNullSide || onNullSide.kind !== 'scalar') return joined;
  const r = onNullSide.range;
  if (r.min <= joined.range.min && r.max >= joined.range.max) return joined;
  return { ...joined, nullWhen: { nullId, min: r.min, max: r.max } };
}

/** After a join of `a` and `b` into `out`: each scalar local remembers where it was on the side a pointer was NULL. */
export function rememberNullSides(out: State, a: State, b: State): void {
  const sides = nullSides(a, b);
  if (sides.length === 0) return;
  for (const [k, v] of out.locals) {
    if (v.kind !== 'scalar' || v.nullWhen) continue;
    for (const { nullId, nullSide } of sides) {
      const w = withNullImplication(v, nullSide.locals.get(k), nullId);
      if (w !== v) { out.locals.set(k, w); break; }
    }
  }
}

/** The NULL-check id a test proves non-NULL by leaving a scalar in [min, max], outside where it was when NULL. */
export function impliedNonNull(before: AbsValue | undefined, min: bigint, max: bigint): number | undefined {
  const n: NullImplication | undefined = before?.kind === 'scalar' ? before.nullWhen : undefined;
  if (!n) return undefined;
  return max < n.min || min > n.max ? n.nullId : undefined;
}

/**
 * After a join of `a` and `b` into `out`: a local assigned on one side only is unassigned after the join; each scalar
 * local whose range on that side is apart from its range on the other remembers where it was there
 * (UnassignedImplication), so a later test that leaves it elsewhere proves the local assigned, as the verifier, which
 * walks the sides apart, sees it (`if (ok) x = v; ... if (ok) use(x);`).
 */
export function rememberUnassignedSides(out: State, a: State, b: State): void {
  for (const [unset, set] of [[a, b], [b, a]] as const) {
    for (const k of unset.unassigned) {
      if (set.unassigned.has(k)) continue;
      for (const [f, v] of out.locals) {
        if (f === k || isLoadKey(f) || v.kind !== 'scalar') continue;
        const there = unset.locals.get(f), here = set.locals.get(f);
        if (there?.kind !== 'scalar' || here?.kind !== 'scalar') continue;
        if (!(there.range.max < here.range.min || there.range.min > here.range.max)) continue;
        const prior = v.unassignedWhen;
        if (prior && (prior.min !== there.range.min || prior.max !== there.range.max)) continue;
        const keys = prior ? (prior.keys.includes(k) ? prior.keys : [...prior.keys, k]) : [k];
        out.locals.set(f, { ...v, unassignedWhen: { keys, min: there.range.min, max: there.range.max } });
      }
    }
  }
}

/** The locals a test proves assigned by leaving a scalar in [min, max], outside where it was when they were not. */
export function impliedAssigned(before: AbsValue | undefined, min: bigint, max: bigint, nonZero: boolean): readonly string[] {
  const u = before?.kind === 'scalar' ? before.unassignedWhen : undefined;
  if (!u) return [];
  return max < u.min || min > u.max || (nonZero && u.min === 0n && u.max === 0n) ? u.keys : [];
}
