/**
 * The GCC/clang atomic builtins that BPF programs use (`__sync_fetch_and_add`, `__atomic_load_n`, ...): what each
 * does, for sema (its type) and the lowering (its effect and what clang 14 refuses to compile for BPF).
 * The simulated program runs on one CPU at a time, so an atomic read-modify-write is a load then a store.
 */

export type AtomicAlu = 'add' | 'sub' | 'and' | 'or' | 'xor' | 'nand';

export type AtomicBuiltin =
  /** `*p op= v`, yielding the old value (fetch_and_op) or the new one (op_and_fetch). */
  | { kind: 'rmw'; alu: AtomicAlu; returns: 'old' | 'new'; args: number }
  | { kind: 'load'; args: number }
  | { kind: 'store'; args: number }
  /** Exchange: `__sync_lock_test_and_set` (`sync` true) and `__atomic_exchange_n`. */
  | { kind: 'xchg'; sync: boolean; args: number }
  /** `__sync_val_compare_and_swap` (old value) and `__sync_bool_compare_and_swap` (whether it swapped). */
  | { kind: 'cas'; returns: 'old' | 'bool'; args: number }
  /** `__atomic_compare_exchange_n(p, expected *, desired, weak, success order, failure order)`. */
  | { kind: 'cmpxchg'; args: number }
  /** `__sync_lock_release(p)`: stores 0. */
  | { kind: 'release'; args: number };

const ALUS: AtomicAlu[] = ['add', 'sub', 'and', 'or', 'xor', 'nand'];

const TABLE = new Map<string, AtomicBuiltin>();
for (const alu of ALUS) {
  TABLE.set(`__sync_fetch_and_${alu}`, { kind: 'rmw', alu, returns: 'old', args: 2 });
  TABLE.set(`__sync_${alu}_and_fetch`, { kind: 'rmw', alu, returns: 'new', args: 2 });
  TABLE.set(`__atomic_fetch_${alu}`, { kind: 'rmw', alu, returns: 'old', args: 3 });
  TABLE.set(`__atomic_${alu}_fetch`, { kind: 'rmw', alu, returns: 'new', args: 3 });
}
TABLE.set('__atomic_load_n', { kind: 'load', args: 2 });
TABLE.set('__atomic_store_n', { kind: 'store', args: 3 });
TABLE.set('__atomic_exchange_n', { kind: 'xchg', sync: false, args: 3 });
TABLE.set('__sync_lock_test_and_set', { kind: 'xchg', sync: true, args: 2 });
TABLE.set('__sync_val_compare_and_swap', { kind: 'cas', returns: 'old', args: 3 });
TABLE.set('__sync_bool_compare_and_swap', { kind: 'cas', returns: 'bool', args: 3 });
TABLE.set('__atomic_compare_exchange_n', { kind: 'cmpxchg', args: 6 });
TABLE.set('__sync_lock_release', { kind: 'release', args: 1 });

export function atomicBuiltin(name: string): AtomicBuiltin | undefined {
  return TABLE.get(name);
}

/** What the result type of a call is, given the pointee type of its first argument. */
export function atomicResult(b: AtomicBuiltin): 'pointee' | 'bool' | 'void' {
  switch (b.kind) {
    case 'store': case 'release': return 'void';
    case 'cmpxchg': return 'bool';
    case 'cas': return b.returns === 'bool' ? 'bool' : 'pointee';
    default: return 'pointee';
  }
}

/**
 * Why clang 14 (`-target bpf`, the default -mcpu) refuses to compile the operation, or undefined when it compiles.
 * Measured with clang 14 on each builtin, operand size and whether the result is used: the BPF backend has
 * 32- and 64-bit atomic add (XADD, whose result a v1/v2 CPU cannot return for 32 bits) and 64-bit and/or/xor/
 * xchg/cmpxchg (the v3 "atomic_fetch_*" forms), nothing for 8/16 bits, no nand, and no 32-bit sub. It has no
 * atomic load or store at all: `__atomic_load_n`/`__atomic_store_n`/`__sync_lock_release` compile only when the
 * optimizer removes them, as it does on the address of a local variable (`onLocalVariable`).
 */
export function clangRejectsAtomic(b: AtomicBuiltin, size: number, resultUsed: boolean, onLocalVariable: boolean): string | undefined {
  const noSmall = 'Unsupported atomic operations, please use 32/64 bit version';
  const only64 = 'Unsupported atomic operations, please use 64 bit version';
  const cannotSelect = 'error in backend: Cannot select';
  switch (b.kind) {
    case 'rmw':
      if (size !== 4 && size !== 8) return noSmall;
      if (b.alu === 'nand') return cannotSelect;
      if (size === 8) return undefined;
      if (b.alu === 'sub') return cannotSelect;
      if (b.alu !== 'add') return only64;
      return resultUsed ? 'error in backend: Invalid usage of the XADD return value' : undefined;
    case 'xchg':
      if (size === 8) return undefined;
      return b.sync || resultUsed ? only64 : undefined;
    case 'cas': case 'cmpxchg':
      return size === 8 ? undefined : only64;
    default:
      return onLocalVariable ? undefined : cannotSelect;
  }
}
