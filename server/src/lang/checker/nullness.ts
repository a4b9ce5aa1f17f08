/**
 * Pointer nullness as the verifier tracks it: maybe-NULL pointers carry an id shared by their copies
 * (mark_ptr_or_null_regs() turns all of them into non-NULL pointers or the scalar 0 at once after a check).
 */
import type { Expr } from '../ir';
import type { AbsValue, PtrValue } from './domain';

/** `NULL`, `0`, `(void *)0`. */
export function isNullExpr(e: Expr): boolean {
  if (e.op === 'null') return true;
  if (e.op === 'const') return e.value === 0n;
  if (e.op === 'ptrCast' || e.op === 'intToPtr' || e.op === 'convert') return isNullExpr(e.operand);
  return false;
}

/** mirrors mark_ptr_or_null_reg(): the checked pointer becomes non-NULL, or NULL (the scalar 0) on the other branch. */
export function markPtrOrNull(v: AbsValue, nullId: number, nonNull: boolean): AbsValue {
  if (v.kind !== 'ptr' || v.nullId !== nullId || !v.maybeNull) return v;
  if (nonNull) { const { derived: _derived, ...rest } = v; void _derived; return { ...rest, maybeNull: false }; }
  return { kind: 'null' };
}

/** The plain explanation beside the verifier's "invalid mem access '..._or_null'". */
export function nullReason(p: PtrValue): string {
  switch (p.region.kind) {
    case 'kmap': return 'the iterator calls the program one last time with map == NULL; check it first';
    case 'key': case 'value': return `the iterator calls the program one last time with ${p.desc} == NULL; check it first`;
    case 'mapValue': return 'the lookup returns NULL when the key is absent; check the result first';
    default: return 'check it against NULL first';
  }
}
