/**
 * The abstract values the checker tracks, close to the verifier's bpf_reg_state: scalars as signed ranges
 * (with `pathConst` when the verifier would know the exact value on each path, e.g. constants and bounded loop
 * counters it unrolls), pointers as a region + fixed offset + optional variable offset + maybe-NULL flag with an
 * id shared by copies (the verifier's reg->id used by mark_ptr_or_null_regs()).
 */

import { btfRegTypeName } from '../../kernel/iterTargets';

export const S64_MIN = -(1n << 63n);
export const U64_MAX = (1n << 64n) - 1n;

export interface Range { min: bigint; max: bigint; pathConst: boolean }

export type Region =
  | { kind: 'ctx' }
  | { kind: 'meta' }
  | { kind: 'seq' }
  | { kind: 'kmap' }
  /**
   * A PTR_TO_BTF_ID from a ctx field of a target other than the map ones (task, file, vma, prog...), or a kfunc's
   * result; `rcu`: MEM_RCU (an open-coded task iterator's next()): neither trusted nor untrusted.
   */
  | { kind: 'btf'; struct: string; trusted: boolean; rcu?: boolean }
  | { kind: 'key' }
  | { kind: 'value' }
  | { kind: 'stack'; frame: number; slot: number; size: number }
  | { kind: 'global'; section: string; size: number; readonly: boolean; name: string }
  /** a string literal of .rodata.str1.1 (`index` into IrProgram.strings) */
  | { kind: 'string'; index?: number }
  | { kind: 'mapValue'; map: string; valueSize: number }
  | { kind: 'mapDef'; name: string }
  /** A function's address: PTR_TO_FUNC for a static function of the object (`func` set), or a kfunc's. */
  | { kind: 'func'; func?: number; name: string }
  /** PTR_TO_MEM of `size` bytes: a pointer argument of a global function, as the verifier checks the function alone. */
  | { kind: 'mem'; size: number }
  | { kind: 'other' };

export interface PtrValue {
  kind: 'ptr';
  region: Region;
  /** Constant part of the offset (reg->off). */
  off: bigint;
  /** Variable part (reg->var_off), null when none. */
  varOff: Range | null;
  maybeNull: boolean;
  nullId: number;
  /** How the user wrote it, for messages ("ctx->key"). */
  desc: string;
  /** base + constant of a maybe-NULL base: clang folds it into the access; checking it directly proves nothing. */
  derived?: boolean;
}

/**
 * What a scalar says of a pointer's NULL check: on the paths where the pointers of NULL-check id `nullId` are NULL,
 * the scalar lies in [min, max] (`err = p ? work(p) : -ENOMEM;`, `if (!p) err = -1;`). The verifier walks those
 * paths apart, so once a test leaves the scalar outside that range the pointer is not NULL there (nullImplication.ts).
 */
export interface NullImplication { nullId: number; min: bigint; max: bigint }

/**
 * What a scalar says of locals assigned on some paths only: on the paths where the scalar lies in [min, max], the
 * locals `keys` (State.unassigned keys) may be unassigned; elsewhere they are assigned. `if (ok) x = v; ... if (ok)
 * use(x);`: the verifier walks the two sides of the first test apart and never reads x where ok is 0.
 */
export interface UnassignedImplication { keys: readonly string[]; min: bigint; max: bigint }

export type AbsValue =
  | { kind: 'scalar'; range: Range; nullWhen?: NullImplication; unassignedWhen?: UnassignedImplication }
  | PtrValue
  | { kind: 'null' }
  /**
   * Nothing known. `walked`: a pointer the program loaded from a kernel struct (`task->mm`), which the verifier marks
   * PTR_UNTRUSTED (check_ptr_to_btf_access()); how the program wrote it, for messages. `rcu`: the field is one the
   * verifier keeps as MEM_RCU when walked from a trusted pointer in a non-sleepable program (`task->group_leader`,
   * `cgroup->kn`): "rcu_ptr_", which bpf_d_path() takes and helpers reading memory do not.
   */
  | { kind: 'top'; walked?: string; rcu?: boolean };

export const TOP: AbsValue = { kind: 'top' };

export function scalar(min: bigint, max: bigint, pathConst: boolean): AbsValue {
  return { kind: 'scalar', range: { min, max, pathConst } };
}

export function constant(v: bigint): AbsValue { return scalar(v, v, true); }

export function sameRegion(a: Region, b: Region): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'stack' && b.kind === 'stack') return a.frame === b.frame && a.slot === b.slot;
  if (a.kind === 'global' && b.kind === 'global') return a.section === b.section;
  if (a.kind === 'mapValue' && b.kind === 'mapValue') return a.map === b.map;
  if (a.kind === 'mapDef' && b.kind === 'mapDef') return a.name === b.name;
  if (a.kind === 'mem' && b.kind === 'mem') return a.size === b.size;
  if (a.kind === 'btf' && b.kind === 'btf') return a.struct === b.struct && a.trusted === b.trusted && !a.rcu === !b.rcu;
  return true;
}

export function joinRange(a: Range, b: Range): Range {
  return { min: a.min < b.min ? a.min : b.min, max: a.max > b.max ? a.max : b.max, pathConst: a.pathConst && b.pathConst };
}

export function rangeEqual(a: Range | null, b: Range | null): boolean {
  if (a === null || b === null) return a === b;
  return a.min === b.min && a.max === b.max && a.pathConst === b.pathConst;
}

export function valueEqual(a: AbsValue, b: AbsValue): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'scalar' && b.kind === 'scalar') return rangeEqual(a.range, b.range);
  if (a.kind === 'ptr' && b.kind === 'ptr') {
    return sameRegion(a.region, b.region) && a.off === b.off && rangeEqual(a.varOff, b.varOff) && a.maybeNull === b.maybeNull && a.nullId === b.nullId;
  }
  return true;
}

/**
 * valueEqual up to a consistent renaming of NULL-check ids, as the verifier compares states (regsafe() with its idmap,
 * check_ids()): two states that pair their maybe-NULL copies alike are the same state, whatever numbers the ids got.
 * `ids` and `back` hold the renaming found so far, both ways.
 */
export function valueEqualUpToIds(a: AbsValue, b: AbsValue, ids: Map<number, number>, back: Map<number, number>): boolean {
  if (a.kind !== 'ptr' || b.kind !== 'ptr') return valueEqual(a, b);
  if (!sameRegion(a.region, b.region) || a.off !== b.off || !rangeEqual(a.varOff, b.varOff) || a.maybeNull !== b.maybeNull) return false;
  if (a.nullId === 0 || b.nullId === 0) return a.nullId === b.nullId;
  const mapped = ids.get(a.nullId), mappedBack = back.get(b.nullId);
  if (mapped === undefined && mappedBack === undefined) { ids.set(a.nullId, b.nullId); back.set(b.nullId, a.nullId); return true; }
  return mapped === b.nullId && mappedBack === a.nullId;
}

/** Total offset range of a pointer: off + var_off. */
export function offsetRange(p: PtrValue): Range {
  if (!p.varOff) return { min: p.off, max: p.off, pathConst: true };
  return { min: p.off + p.varOff.min, max: p.off + p.varOff.max, pathConst: p.varOff.pathConst };
}

export function joinValue(a: AbsValue, b: AbsValue, freshId: () => number): AbsValue {
  if (a.kind === 'scalar' && b.kind === 'scalar') {
    const range = joinRange(a.range, b.range);
    const x = a.nullWhen, y = b.nullWhen;
    // both paths say where the scalar is when that pointer is NULL: it is in one of the two places
    const u = a.unassignedWhen, w = b.unassignedWhen;
    // both paths say where the scalar is on the paths those locals are unassigned: it is in one of the two places
    const unassignedWhen = u && w && u.keys.length === w.keys.length && u.keys.every((k, i) => w.keys[i] === k)
      ? { unassignedWhen: { keys: u.keys, min: u.min < w.min ? u.min : w.min, max: u.max > w.max ? u.max : w.max } } : {};
    if (x && y && x.nullId === y.nullId) return { kind: 'scalar', range, nullWhen: { nullId: x.nullId, min: x.min < y.min ? x.min : y.min, max: x.max > y.max ? x.max : y.max }, ...unassignedWhen };
    return { kind: 'scalar', range, ...unassignedWhen };
  }
  if (a.kind === 'null' && b.kind === 'null') return a;
  if (a.kind === 'null' && b.kind === 'ptr') return { ...b, maybeNull: true, nullId: b.nullId };
  if (a.kind === 'ptr' && b.kind === 'null') return { ...a, maybeNull: true, nullId: a.nullId };
  if (a.kind === 'ptr' && b.kind === 'ptr' && sameRegion(a.region, b.region)) {
    const ra = offsetRange(a), rb = offsetRange(b);
    const same = a.off === b.off && rangeEqual(a.varOff, b.varOff);
    const joined = joinRange(ra, rb);
    return {
      kind: 'ptr', region: a.region, desc: a.desc,
      off: same ? a.off : 0n,
      varOff: same ? a.varOff : joined,
      maybeNull: a.maybeNull || b.maybeNull,
      nullId: a.nullId === b.nullId ? a.nullId : freshId(),
    };
  }
  // a pointer loaded from a kernel struct on every path (or NULL on one, which its check prunes) stays untrusted:
  // the verifier walks each path, so a join of the branches of `c ? x : y` elsewhere must not make it trusted
  const walkedA = a.kind === 'top' ? a.walked : undefined, walkedB = b.kind === 'top' ? b.walked : undefined;
  if (walkedA !== undefined && (walkedB !== undefined || b.kind === 'null')) return { kind: 'top', walked: walkedA, ...(a.kind === 'top' && a.rcu && (b.kind === 'null' || (b.kind === 'top' && b.rcu)) ? { rcu: true } : {}) };
  if (walkedB !== undefined && a.kind === 'null') return b;
  return TOP;
}

/** Widening for loop heads: bounds that still move jump to the extremes so the fixpoint ends. */
export function widenValue(old: AbsValue, next: AbsValue, thresholds: readonly bigint[] = []): AbsValue {
  if (old.kind === 'scalar' && next.kind === 'scalar') {
    // a bound that grows jumps to the nearest threshold beyond it (the constants the loop compares with), else to the
    // end of the range: `for (i = 1; i < 108 && i < len; i++)` keeps i in [1, 108] after the loop
    let max = U64_MAX, min = S64_MIN;
    for (const t of thresholds) {
      if (t >= next.range.max && t < max) max = t;
      if (t <= next.range.min && t > min) min = t;
    }
    return { kind: 'scalar', range: {
      min: next.range.min < old.range.min ? min : next.range.min,
      max: next.range.max > old.range.max ? max : next.range.max,
      pathConst: next.range.pathConst,
    } };
  }
  if (old.kind === 'ptr' && next.kind === 'ptr' && next.varOff && old.varOff) {
    return { ...next, varOff: {
      min: next.varOff.min < old.varOff.min ? S64_MIN : next.varOff.min,
      max: next.varOff.max > old.varOff.max ? U64_MAX : next.varOff.max,
      pathConst: next.varOff.pathConst,
    } };
  }
  return next;
}

/** tnum of a range as the verifier prints var_off: "(0x<value>; 0x<mask>)". */
export function formatTnum(r: Range): string {
  if (r.min < 0n || r.max > U64_MAX) return '(0x0; 0xffffffffffffffff)';
  const diff = r.min ^ r.max;
  let mask = 0n;
  while (mask < diff) mask = (mask << 1n) | 1n;
  const value = r.min & ~mask;
  return `(0x${value.toString(16)}; 0x${mask.toString(16)})`;
}

/** The verifier's reg_type_str() for a pointer (print_verifier_state names). */
export function regTypeName(p: PtrValue): string {
  const n = p.maybeNull;
  switch (p.region.kind) {
    case 'key': return n ? 'rdonly_buf_or_null' : 'rdonly_buf';
    case 'value': return n ? 'buf_or_null' : 'buf';
    case 'kmap': return n ? 'trusted_ptr_or_null_' : 'trusted_ptr_';
    case 'btf': return btfRegTypeName(p.region, n);
    case 'meta': case 'seq': return 'trusted_ptr_';
    case 'mapValue': return n ? 'map_value_or_null' : 'map_value';
    case 'global': return 'map_value';
    case 'mem': return n ? 'mem_or_null' : 'mem';
    case 'stack': return 'fp';
    case 'ctx': return 'ctx';
    case 'mapDef': return 'map_ptr';
    case 'func': return 'func';
    case 'string': return 'map_value';
    default: return n ? 'ptr_or_null_' : 'ptr_';
  }
}
