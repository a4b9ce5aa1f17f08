/**
 * The stack a function keeps after clang's SROA (scalar replacement of aggregates) at -O2: an array or struct
 * local whose address never escapes, only read and written at constant offsets (directly, by
 * `__builtin_memcpy`/`memset` of a constant size, or through a parameter of a function the program calls that
 * does the same), keeps only the bytes those accesses reach; the rest of its declared size is gone before the
 * verifier sees the frame. Measured with clang 14 on 6.18: `char name[600]` of which 8 bytes are copied in and
 * read gives a frame of 8 bytes, and the program loads; the same array handed to a helper keeps its 600 bytes
 * (clang then refuses the file itself: "Looks like the BPF stack limit of 512 bytes is exceeded").
 * The result is an upper bound of what clang keeps: the stack check uses it only for a frame whose declared
 * size is over the limit, so a program within the limit is judged as before.
 */
import type { Expr, IrFunction, IrProgram, StackSlot, Stmt } from '../ir';
import { forEachChild, forEachStmtChild } from '../irWalk';

/** Depth of calls followed when a slot's address is passed as an argument (always_inline helpers nest shallowly). */
const MAX_CALL_DEPTH = 4;

interface PointerInto { base: Expr; offset: number }

/** `&slot + c`, `(T *)&slot`: the leaf and the constant byte offset, or undefined when the offset is not constant. */
function constantPointer(e: Expr): PointerInto | undefined {
  let offset = 0;
  for (let cur = e; ;) {
    if (cur.op === 'ptrCast') { cur = cur.operand; continue; }
    if (cur.op === 'ptrAdd') {
      if (cur.index.op !== 'const') return undefined;
      offset += Number(cur.index.value) * cur.scale;
      cur = cur.ptr;
      continue;
    }
    return { base: cur, offset };
  }
}

function byteSize(e: Expr): number {
  if (e.op === 'load') return e.type.bits / 8;
  if (e.op === 'loadPtr') return 8;
  if (e.op === 'store') return e.size;
  return 0;
}

/**
 * For every leaf `isLeaf` accepts (a slot's address, or a parameter), the highest byte reached through it at a
 * constant offset, or `'escapes'` when its value is used in any other way.
 */
function reachOf(program: IrProgram, fn: IrFunction, key: (leaf: Expr) => number | undefined, depth: number): Map<number, number | 'escapes'> {
  const reach = new Map<number, number | 'escapes'>();
  const note = (k: number, end: number | 'escapes'): void => {
    const prev = reach.get(k);
    if (prev === 'escapes') return;
    reach.set(k, end === 'escapes' ? end : Math.max(prev ?? 0, end));
  };
  /** A pointer operand consumed at `extra` bytes past it for `size` bytes; false when it is not one of ours. */
  const consume = (ptr: Expr, extra: number, size: number): boolean => {
    const p = constantPointer(ptr);
    const k = p ? key(p.base) : undefined;
    if (p === undefined || k === undefined) return false;
    note(k, p.offset + extra + size);
    return true;
  };
  const visit = (e: Expr): void => {
    const k = key(e);
    if (k !== undefined) { note(k, 'escapes'); return; }
    switch (e.op) {
      case 'load': case 'loadPtr':
        if (!consume(e.ptr, e.offset, byteSize(e))) visit(e.ptr);
        return;
      case 'store':
        if (!consume(e.ptr, e.offset, byteSize(e))) visit(e.ptr);
        visit(e.value);
        return;
      case 'copy':
        // a run-time length covers bytes no constant names: the slots it touches escape
        if (e.length || !consume(e.dst, 0, e.size)) visit(e.dst);
        if (e.length || !consume(e.src, 0, e.size)) visit(e.src);
        if (e.length) visit(e.length);
        return;
      case 'fill':
        if (e.length || !consume(e.dst, 0, e.size)) visit(e.dst);
        if (e.length) visit(e.length);
        return;
      case 'call': {
        const callee = program.functions[e.func];
        e.args.forEach((arg, index) => {
          const p = constantPointer(arg);
          const k2 = p ? key(p.base) : undefined;
          if (p === undefined || k2 === undefined) { visit(arg); return; }
          const through = callee && depth < MAX_CALL_DEPTH ? paramReach(program, callee, index, depth + 1) : 'escapes';
          note(k2, through === 'escapes' ? 'escapes' : p.offset + through);
        });
        return;
      }
      case 'stmtExpr':
        visitStmt(e.body);
        if (e.value) visit(e.value);
        return;
      default:
        forEachChild(e, visit);
    }
  };
  const visitStmt = (s: Stmt): void => forEachStmtChild(s, visitStmt, visit);
  visitStmt(fn.body);
  return reach;
}

/** How far past parameter `index` of `fn` the function reads or writes, or `'escapes'`. */
function paramReach(program: IrProgram, fn: IrFunction, index: number, depth: number): number | 'escapes' {
  const id = fn.params[index];
  if (id === undefined || fn.locals[id]?.slot !== undefined) return 'escapes';
  let assigned = false;
  const findAssign = (e: Expr): void => {
    if (e.op === 'assign' && e.id === id) assigned = true;
    if (e.op === 'stmtExpr') { scan(e.body); if (e.value) findAssign(e.value); return; }
    forEachChild(e, findAssign);
  };
  const scan = (s: Stmt): void => forEachStmtChild(s, scan, findAssign);
  scan(fn.body);
  if (assigned) return 'escapes';
  const reach = reachOf(program, fn, (leaf) => (leaf.op === 'local' && leaf.id === id ? 0 : undefined), depth);
  return reach.get(0) ?? 0;
}

/**
 * The bytes of `fn`'s frame clang keeps: each slot whose address does not escape shrinks to the bytes up to the last
 * one used, and the slots are laid out again on those sizes, each above the one live under it (`StackSlot.below`);
 * the frame shrinks by what that layout saves (stack the slots do not account for is kept).
 */
export function keptStackSize(program: IrProgram, fn: IrFunction): number {
  const reach = reachOf(program, fn, (leaf) => (leaf.op === 'addr' && leaf.base.kind === 'stack' ? leaf.base.slot : undefined), 0);
  const layout = (sizeOf: (slot: StackSlot) => number): number => {
    const ends: number[] = [];
    let high = 0;
    for (const slot of fn.slots) {
      const base = slot.below !== undefined ? ends[slot.below] ?? 0 : 0;
      ends[slot.id] = Math.ceil(base / slot.align) * slot.align + sizeOf(slot);
      high = Math.max(high, ends[slot.id]);
    }
    return high;
  };
  const kept = (slot: StackSlot): number => {
    const used = reach.get(slot.id);
    // a slot nothing names is kept whole: it stands for stack the IR does not show (and an unused local is rare)
    return used !== undefined && used !== 'escapes' ? Math.min(slot.size, Math.ceil(used / 8) * 8) : slot.size;
  };
  return Math.max(0, fn.stackSize - (layout((slot) => slot.size) - layout(kept)));
}
