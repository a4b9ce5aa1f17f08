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
 * The BPF CPU a build targets (`-mcpu=`): v1 (clang's default, `generic`) and v2 compile atomics alike; v3 adds the
 * 32-bit forms (the ALU32 atomics); v4 (clang 18+) changes nothing here. `probe` is taken as v3, the most the
 * clang of a host with a 6.18 kernel finds.
 */
export type BpfCpu = 'v1' | 'v2' | 'v3' | 'v4';

/** `-mcpu=` as clang reads it, or undefined for a value that is not a BPF CPU (clang refuses those itself). */
export function bpfCpuOf(mcpu: string | undefined): BpfCpu | undefined {
  switch (mcpu) {
    case undefined: case 'generic': case 'v1': return 'v1';
    case 'v2': return 'v2';
    case 'v3': case 'probe': return 'v3';
    case 'v4': return 'v4';
    default: return undefined;
  }
}

const SMALL = 'Unsupported atomic operations, please use 32/64 bit version';
const ONLY_64 = 'Unsupported atomic operations, please use 64 bit version';
const CANNOT_SELECT = 'error in backend: Cannot select';
const XADD_RESULT = 'error in backend: Invalid usage of the XADD return value';

/**
 * Why clang (`-target bpf -O2`, CPU `cpu`) refuses to compile the operation, or undefined when it compiles. Measured
 * with clang 14 on every builtin, operand size (1, 2, 4, 8) and whether the result is used, for the default CPU, v2
 * and v3 (v2 compiles as the default does):
 * - default/v2: 64-bit add/sub/and/or/xor/xchg/cmpxchg; 32-bit add only without its result (XADD); nothing else;
 * - v3: every 32- and 64-bit form but nand;
 * - never: nand, 8/16-bit sub ("Cannot select"), and atomic loads and stores: `__atomic_load_n`/`__atomic_store_n`/
 *   `__sync_lock_release` compile only when the optimizer removes them, as it does on the address of a local
 *   variable (`onLocalVariable`).
 */
export function clangRejectsAtomic(b: AtomicBuiltin, size: number, resultUsed: boolean, onLocalVariable: boolean, cpu: BpfCpu = 'v1'): string | undefined {
  const alu32 = cpu === 'v3' || cpu === 'v4';
  const wide = size === 8 || (alu32 && size === 4);
  switch (b.kind) {
    case 'rmw':
      if (b.alu === 'nand') return CANNOT_SELECT;
      if (wide) return undefined;
      if (b.alu === 'sub') return CANNOT_SELECT;
      if (alu32 || b.alu === 'add') {
        if (size !== 4) return SMALL;
        return resultUsed ? XADD_RESULT : undefined;
      }
      return ONLY_64;
    case 'xchg': case 'cas': case 'cmpxchg':
      if (wide) return undefined;
      return alu32 ? SMALL : ONLY_64;
    default:
      return onLocalVariable ? undefined : CANNOT_SELECT;
  }
}
