/**
 * What a run needs from its caller (`ExecEnv`) and the per-run state both executors share (`RunRuntime`):
 * the stack region and its frame bookkeeping, the address resolver, the regions behind `addr` leaves,
 * helper calls, and the budget. Everything that must behave identically in the interpreter and the
 * generated JS (error wording, helper argument conversion) lives here once.
 */
import type { AddressBase, FuncAddrTarget, IrFunction, IrType, Loc } from '../lang/ir';
import type { CallbackInvoker } from '../kernel/kernel';
import { MAX_BPF_STACK } from '../kernel/mapTypes';
import { Budget, type BudgetOptions } from './budget';
import {
  AddressResolver, ExecError, NULL_POINTER, addressOf, normalise,
  type ExecMemory, type ExecRegion, type Pointer, type RuntimeValue,
} from './values';

/** The verifier's bound on nested BPF-to-BPF calls (MAX_CALL_FRAMES). */
export const MAX_CALL_FRAMES = 8;

/** How a helper calls back into the program (bpf_loop(), bpf_for_each_map_elem()); the kernel defines it. */
export type { CallbackInvoker };

/** A helper table: pointer arguments arrive as u64 addresses, integers as u64; the result is R0. */
export type HelperTable = (name: string, args: bigint[], callback: CallbackInvoker) => bigint | number;

/** The program's functions live in the BPF JIT image area of the simulated kernel; kfuncs in its text. */
const PROGRAM_TEXT_ADDR = 0xffffffffc0000000n;
const PROGRAM_FUNC_STRIDE = 0x1000n;
const KERNEL_TEXT_ADDR = 0xffffffff81000000n;

/** The address a function designator evaluates to: a subprogram's start, or the kfunc's kallsyms address. */
export function functionAddress(target: FuncAddrTarget): bigint {
  if (target.kind === 'subprog') return PROGRAM_TEXT_ADDR + BigInt(target.func) * PROGRAM_FUNC_STRIDE;
  let h = 0x811c9dc5;   // FNV-1a of the name: a stable, distinct address per kfunc
  for (let i = 0; i < target.name.length; i++) h = Math.imul(h ^ target.name.charCodeAt(i), 0x01000193) >>> 0;
  return KERNEL_TEXT_ADDR + BigInt(h & 0xffffff) * 16n;
}

/** The index of the program function at `addr`, or undefined when no function starts there. */
export function functionAt(addr: bigint, functionCount: number): number | undefined {
  const off = BigInt.asUintN(64, addr) - PROGRAM_TEXT_ADDR;
  if (off < 0n || off % PROGRAM_FUNC_STRIDE !== 0n) return undefined;
  const index = off / PROGRAM_FUNC_STRIDE;
  return index < BigInt(functionCount) ? Number(index) : undefined;
}

/**
 * Helpers the JIT may call with its pointers as (region, offset) and its size arguments as numbers (their low 32
 * bits): each returns exactly what `helpers` returns for the same call with the addresses, with the same effects, or
 * undefined having done nothing, and then the JIT calls `helpers`. Only an env whose `helpers` is the same kernel's
 * gives them; the interpreter (the reference) never uses them.
 */
export interface DirectHelpers {
  bpf_seq_printf(seqRegion: ExecRegion | null, seqOffset: number, fmtRegion: ExecRegion | null, fmtOffset: number, fmtSize: number,
    dataRegion: ExecRegion | null, dataOffset: number, dataLen: number): number | undefined;
}

export interface ExecEnv extends BudgetOptions {
  memory: ExecMemory;
  helpers: HelperTable;
  directHelpers?: DirectHelpers;
  /** Section name (".bss", ".data", ".rodata", ...) -> the region of its map's value. */
  sections?: ReadonlyMap<string, ExecRegion>;
  /** String literal index -> where its bytes are. */
  strings?: ReadonlyArray<Pointer>;
  /** Map name -> its `struct bpf_map` (what `&map` points at). */
  maps?: ReadonlyMap<string, Pointer>;
  /** The 512-byte stack region; one is made for the run when absent. */
  stack?: ExecRegion;
}

const DEFAULT_STACK_ADDR = 0xffffc90000100000n;

export function makeRegion(addr: bigint, size: number, label: string, readonly = false): ExecRegion {
  const bytes = new Uint8Array(size);
  return { addr, bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), readonly, label };
}

export class RunRuntime {
  readonly stack: ExecRegion;
  readonly resolver: AddressResolver;
  readonly budget: Budget;
  /** Byte offset of the next free stack byte; frames grow upwards from 0. */
  stackTop = 0;
  callDepth = 0;

  constructor(readonly env: ExecEnv) {
    this.stack = env.stack ?? makeRegion(DEFAULT_STACK_ADDR, MAX_BPF_STACK, 'stack');
    this.resolver = new AddressResolver(env.memory, [this.stack]);
    this.budget = new Budget(env);
  }

  /** Prepares for the next run with the same env: full budget, empty stack. */
  reset(): void { this.budget.reset(); this.stackTop = 0; this.callDepth = 0; }

  /** The runtime for a run with `env`: the previous one, reset, when the env is the same object. */
  static for(env: ExecEnv, previous: RunRuntime | undefined): RunRuntime {
    if (previous !== undefined && previous.env === env) { previous.reset(); return previous; }
    return new RunRuntime(env);
  }

  /** Reserves a frame of `size` bytes (zeroed, so runs are deterministic); returns its base. */
  enterFrame(size: number, funcName: string, loc: Loc): number {
    if (this.callDepth >= MAX_CALL_FRAMES) {
      throw new ExecError('fault', `call depth exceeds ${MAX_CALL_FRAMES} frames when calling ${funcName} (the verifier's MAX_CALL_FRAMES; recursion is not allowed in BPF)`, loc);
    }
    const base = this.stackTop;
    if (base + size > this.stack.bytes.length) {
      throw new ExecError('fault', `combined stack depth ${base + size} bytes exceeds ${this.stack.bytes.length} bytes when calling ${funcName}`, loc);
    }
    this.stack.bytes.fill(0, base, base + size);
    this.stackTop = base + size;
    this.callDepth++;
    return base;
  }

  leaveFrame(base: number): void { this.stackTop = base; this.callDepth--; }

  /** Where an `addr` leaf points (stack slots are resolved by the executors, which know the frame). */
  staticAddress(base: Exclude<AddressBase, { kind: 'stack' }>, loc: Loc): Pointer {
    switch (base.kind) {
      case 'global': {
        const region = this.env.sections?.get(base.section);
        if (region === undefined) throw new ExecError('fault', `no memory for section ${base.section} (global ${base.name})`, loc);
        return { region, offset: base.offset };
      }
      case 'string': {
        const p = this.env.strings?.[base.index];
        if (p === undefined) throw new ExecError('fault', `no memory for string literal #${base.index}`, loc);
        return p;
      }
      case 'map': {
        const p = this.env.maps?.get(base.name);
        if (p === undefined) throw new ExecError('fault', `no struct bpf_map for map ${base.name}`, loc);
        return p;
      }
    }
  }

  /** Calls a helper with u64 arguments and converts R0 to the call's IR type. */
  callHelper(name: string, args: bigint[], type: IrType, loc: Loc, callback: CallbackInvoker): RuntimeValue {
    let result: bigint | number;
    try {
      const helpers = this.env.helpers;   // called as a plain function, as the generated code does
      result = helpers(name, args, callback);
    } catch (e) {
      throw helperFailure(name, e, loc);
    }
    return this.helperResult(name, result, type, loc);
  }

  /** R0 of a helper as a value of the call's IR type. */
  helperResult(name: string, result: unknown, type: IrType, loc: Loc): RuntimeValue {
    let r0: bigint;
    if (typeof result === 'bigint') r0 = result;
    else if (typeof result === 'number' && Number.isInteger(result)) r0 = BigInt(result);
    else throw new ExecError('helper', `helper ${name} returned ${typeof result === 'number' ? result : typeof result}, not an integer`, loc);
    if (type.kind === 'int') return normalise(r0, type);
    if (type.kind === 'ptr') return this.resolver.resolve(r0);
    return 0n;
  }

  /**
   * The function a helper calls back, and its u64 arguments as the callee's runtime values (pointer parameters
   * resolved to their regions). The verifier accepted only a static function of the program (PTR_TO_FUNC), so any
   * other address is a bug of ours, reported as a fault.
   */
  callbackTarget(functions: ReadonlyArray<IrFunction>, fnAddr: bigint, args: bigint[]): { index: number; args: RuntimeValue[] } {
    const index = functionAt(fnAddr, functions.length);
    if (index === undefined) throw new ExecError('fault', `a helper called back address 0x${BigInt.asUintN(64, fnAddr).toString(16)}, which is no function of the program`, functions[0]?.loc ?? { file: 0, pos: 0, end: 0 });
    const fn = functions[index];
    const values = fn.params.map((id, i): RuntimeValue => {
      const a = args[i] ?? 0n;
      return fn.locals.find((l) => l.id === id)?.type?.kind === 'ptr' ? this.resolver.resolve(a) : a;
    });
    return { index, args: values };
  }

  helperArg(v: RuntimeValue): bigint {
    return typeof v === 'bigint' ? BigInt.asUintN(64, v) : addressOf(v.region, v.offset);
  }
}

/** What a helper's exception becomes (an ExecError thrown by a helper passes through). */
export function helperFailure(name: string, e: unknown, loc: Loc): ExecError {
  if (e instanceof ExecError) return e;
  return new ExecError('helper', `helper ${name} failed: ${e instanceof Error ? e.message : String(e)}`, loc);
}

export { NULL_POINTER };
