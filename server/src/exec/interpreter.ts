/**
 * The reference executor: walks the IR with exact C-on-BPF semantics. It is the oracle the generated JS
 * is tested against and the executor behind the debugger.
 *
 * Debugger design (chosen over a generator interpreter): hooks are synchronous and called before every
 * statement (debugHooks.ts; StepController implements breakpoints and step in/over/out by frame depth).
 * A debug adapter pauses by blocking inside the hook: it runs the interpreter in a worker thread that
 * waits (Atomics.wait) for the client's next command, inspecting frames and calling `evaluate` meanwhile.
 * This keeps ONE interpreter (no second, generator-shaped copy of the semantics to keep in sync), and the
 * non-debug paths pay one `undefined` test per statement (interpreter) or nothing (JIT).
 *
 * Semantics that C leaves undefined follow the BPF ISA, since the verifier accepts them: division by
 * zero gives 0, modulo by zero gives the dividend, shift counts are masked to the ALU width (63 for
 * 64-bit operations, 31 otherwise). Memory faults, the budget, helper failures and the call-depth guard
 * are ExecErrors with the node's loc, turned into a RunOutcome at the run boundary.
 */
import type { BinaryOp, Expr, IntType, IrFunction, IrProgram, Loc, Stmt } from '../lang/ir';
import type { DebugHooks, Frame } from './debugHooks';
import { RunRuntime, functionAddress, type ExecEnv } from './memory';
import {
  ExecError, NULL_POINTER, accessFault, addressOf, normalise, offsetPointer, zeroOf,
  type ExecErrorInfo, type Pointer, type RunOutcome, type RuntimeValue,
} from './values';

const enum Completion { Normal, Break, Continue, Return }

interface InterpFrame extends Frame {
  ret: RuntimeValue;
  slotOffsets: Map<number, number>;
}

export function truthy(v: RuntimeValue): boolean {
  return typeof v === 'bigint' ? v !== 0n : v.region !== null;
}

export function shiftCount(count: bigint, type: IntType): bigint {
  return BigInt.asUintN(64, count) & (type.bits === 64 ? 63n : 31n);
}

export function binaryOp(kind: BinaryOp, a: bigint, b: bigint, type: IntType): bigint {
  switch (kind) {
    case 'add': return normalise(a + b, type);
    case 'sub': return normalise(a - b, type);
    case 'mul': return normalise(a * b, type);
    case 'div': return b === 0n ? 0n : normalise(a / b, type);
    case 'rem': return b === 0n ? normalise(a, type) : normalise(a % b, type);
    case 'and': return normalise(a & b, type);
    case 'or': return normalise(a | b, type);
    case 'xor': return normalise(a ^ b, type);
    case 'shl': return normalise(normalise(a, type) << shiftCount(b, type), type);
    case 'shr': return normalise(normalise(a, type) >> shiftCount(b, type), type);
    case 'eq': return a === b ? 1n : 0n;
    case 'ne': return a !== b ? 1n : 0n;
    case 'lt': return a < b ? 1n : 0n;
    case 'le': return a <= b ? 1n : 0n;
    case 'gt': return a > b ? 1n : 0n;
    case 'ge': return a >= b ? 1n : 0n;
  }
}

export function loadInt(p: Pointer, offset: number, type: IntType, loc: Loc): bigint {
  const size = type.bits >> 3;
  const region = p.region;
  const at = p.offset + offset;
  if (region === null || at < 0 || at + size > region.bytes.length) throw accessFault(loc, region, at, size, false);
  const v = region.view;
  switch (type.bits) {
    case 8: return BigInt(type.signed ? v.getInt8(at) : v.getUint8(at));
    case 16: return BigInt(type.signed ? v.getInt16(at, true) : v.getUint16(at, true));
    case 32: return BigInt(type.signed ? v.getInt32(at, true) : v.getUint32(at, true));
    case 64: return type.signed ? v.getBigInt64(at, true) : v.getBigUint64(at, true);
  }
}

/**
 * A load through a kernel struct pointer (a CO-RE access: the verifier's PTR_TO_BTF_ID, compiled as BPF_PROBE_MEM)
 * at NULL or at an address no object is mapped at: the JIT's exception table turns the fault into a 0
 * (ex_handler_bpf()), so `task->mm->arg_start` of a kernel thread reads 0.
 */
export function probeMemMisses(p: Pointer): boolean {
  return p.region === null || p.region.bytes.length === 0;
}

export function storeBits(p: Pointer, offset: number, size: 1 | 2 | 4 | 8, bits: bigint, loc: Loc): void {
  const region = p.region;
  const at = p.offset + offset;
  if (region === null || region.readonly || at < 0 || at + size > region.bytes.length) throw accessFault(loc, region, at, size, true);
  const v = region.view;
  switch (size) {
    case 1: v.setUint8(at, Number(BigInt.asUintN(8, bits))); break;
    case 2: v.setUint16(at, Number(BigInt.asUintN(16, bits)), true); break;
    case 4: v.setUint32(at, Number(BigInt.asUintN(32, bits)), true); break;
    case 8: v.setBigUint64(at, BigInt.asUintN(64, bits), true); break;
  }
}

export function checkBlock(p: Pointer, size: number, write: boolean, loc: Loc): void {
  const r = p.region;
  if (r === null || (write && r.readonly) || p.offset < 0 || p.offset + size > r.bytes.length) throw accessFault(loc, r, p.offset, size, write);
}

/** The byte count of a `copy`/`fill` with a run-time length (the checker proved it constant at each call). */
export function blockLength(length: bigint, loc: Loc): number {
  const n = BigInt.asUintN(64, length);
  if (n > 1n << 30n) throw new ExecError('fault', `a block copy of ${n} bytes`, loc);
  return Number(n);
}

export class Interpreter {
  private rt!: RunRuntime;
  private lastRuntime: RunRuntime | undefined;
  private left = 0;
  private readonly frames: InterpFrame[] = [];
  /** Set while a debugger evaluates an expression: no hooks, so evaluation never stops. */
  private evaluating = false;
  /** The label of the loop or switch the pending Break/Continue completion is for (undefined: the innermost). */
  private jumpLabel: number | undefined;
  private readonly slotTables = new Map<IrFunction, Map<number, number>>();

  constructor(private readonly program: IrProgram, private readonly hooks?: DebugHooks) {}

  run(funcIndex: number, args: ReadonlyArray<RuntimeValue>, env: ExecEnv): RunOutcome {
    this.rt = RunRuntime.for(env, this.lastRuntime);
    this.lastRuntime = this.rt;
    this.left = this.rt.budget.start();
    this.frames.length = 0;
    const func = this.program.functions[funcIndex];
    try {
      if (func === undefined) throw new ExecError('fault', `no function #${funcIndex}`, { file: 0, pos: 0, end: 0 });
      const r = this.callFunction(func, args, func.loc);
      return { ok: true, value: typeof r === 'bigint' ? r : addressOf(r.region, r.offset) };
    } catch (e) {
      return { ok: false, error: toExecError(e, func?.loc).toInfo() };
    }
  }

  /**
   * Evaluates an expression in a frame of the paused run (from inside a hook), e.g. a debugger's watch
   * expression lowered to IR. Side effects happen, as in gdb; errors come back as values, the run goes on.
   */
  evaluate(expr: Expr, frame: Frame): { ok: true; value: RuntimeValue } | { ok: false; error: ExecErrorInfo } {
    const f = this.frames.find((x) => x === frame);
    if (f === undefined) return { ok: false, error: { kind: 'fault', message: 'the frame is not live', loc: expr.loc } };
    const saved = { left: this.left, frames: this.frames.length, top: this.rt.stackTop, depth: this.rt.callDepth };
    this.evaluating = true;
    try {
      return { ok: true, value: this.eval(expr, f) };
    } catch (e) {
      return { ok: false, error: toExecError(e, expr.loc).toInfo() };
    } finally {
      this.evaluating = false;
      this.left = saved.left;
      this.frames.length = saved.frames;
      this.rt.stackTop = saved.top;
      this.rt.callDepth = saved.depth;
    }
  }

  /** bpf_loop() and bpf_for_each_map_elem() call the program's callback through this, as a BPF-to-BPF call. */
  private readonly invokeCallback = (fnAddr: bigint, args: bigint[]): bigint => {
    const target = this.rt.callbackTarget(this.program.functions, fnAddr, args);
    const fn = this.program.functions[target.index];
    return this.rt.helperArg(this.callFunction(fn, target.args, fn.loc));
  };

  /** Statements executed by the last run. */
  get instructionsUsed(): number { return this.lastRuntime === undefined ? 0 : this.lastRuntime.budget.used(this.left); }

  private slotTable(func: IrFunction): Map<number, number> {
    let t = this.slotTables.get(func);
    if (t === undefined) {
      t = new Map(func.slots.map((s) => [s.id, s.offset]));
      this.slotTables.set(func, t);
    }
    return t;
  }

  private callFunction(func: IrFunction, args: ReadonlyArray<RuntimeValue>, loc: Loc): RuntimeValue {
    const rt = this.rt;
    const base = rt.enterFrame(func.stackSize, func.name, loc);
    const locals: RuntimeValue[] = [];
    for (const l of func.locals) locals[l.id] = zeroOf(l.type);
    const frame: InterpFrame = {
      func, args, locals, base, stack: rt.stack, ret: zeroOf(func.returnType), slotOffsets: this.slotTable(func),
    };
    func.params.forEach((id, i) => {
      const local = func.locals.find((l) => l.id === id);
      const value = args[i] ?? zeroOf(local?.type);
      if (local?.slot !== undefined) {
        this.storeValue({ region: rt.stack, offset: base + (frame.slotOffsets.get(local.slot) ?? 0) }, 0, 8, value, local.loc);
      } else {
        locals[id] = value;
      }
    });
    this.frames.push(frame);
    this.exec(func.body, frame);
    this.jumpLabel = undefined; // a labeled jump never leaves its function; keep no stale label across calls
    this.frames.pop();
    rt.leaveFrame(base);
    const rtype = func.returnType;
    if (rtype.kind === 'int' && typeof frame.ret === 'bigint') return normalise(frame.ret, rtype);
    return frame.ret;
  }

  private exec(s: Stmt, f: InterpFrame): Completion {
    if (this.left-- === 0) this.left = this.rt.budget.refill(s.loc);
    if (this.hooks !== undefined && !this.evaluating && this.hooks.onStatement(f, s, this.frames) === 'abort') {
      throw new ExecError('cancelled', 'run stopped by the debugger', s.loc);
    }
    switch (s.op) {
      case 'expr': this.eval(s.expr, f); return Completion.Normal;
      case 'block':
        for (const b of s.body) {
          const c = this.exec(b, f);
          if (c !== Completion.Normal) return c;
        }
        return Completion.Normal;
      case 'if':
        if (truthy(this.eval(s.test, f))) return this.exec(s.then, f);
        return s.else !== undefined ? this.exec(s.else, f) : Completion.Normal;
      case 'loop': {
        if (s.init !== undefined) {
          const c = this.exec(s.init, f);
          if (c !== Completion.Normal) return c;
        }
        for (;;) {
          if (s.testFirst && s.test !== undefined && !truthy(this.eval(s.test, f))) break;
          const c = this.exec(s.body, f);
          if (c === Completion.Return) return c;
          if (c !== Completion.Normal) {
            // a labeled break/continue for an enclosing loop (a lowered goto) passes through this one
            if (this.jumpLabel !== undefined && this.jumpLabel !== s.label) return c;
            this.jumpLabel = undefined;
            if (c === Completion.Break) break;
          }
          if (s.update !== undefined) this.eval(s.update, f);
          if (!s.testFirst && s.test !== undefined && !truthy(this.eval(s.test, f))) break;
        }
        return Completion.Normal;
      }
      case 'break': this.jumpLabel = s.label; return Completion.Break;
      case 'continue': this.jumpLabel = s.label; return Completion.Continue;
      case 'return':
        f.ret = s.value !== undefined ? this.eval(s.value, f) : 0n;
        return Completion.Return;
      case 'switch': {
        const v = this.eval(s.test, f);
        const key = typeof v === 'bigint' ? v : addressOf(v.region, v.offset);
        let start = s.cases.findIndex((c) => c.values !== 'default' && c.values.some((x) => x === key));
        if (start < 0) start = s.cases.findIndex((c) => c.values === 'default');
        if (start < 0) return Completion.Normal;
        for (let i = start; i < s.cases.length; i++) {
          for (const b of s.cases[i].body) {
            const c = this.exec(b, f);
            if (c === Completion.Break && (this.jumpLabel === undefined || this.jumpLabel === s.label)) { this.jumpLabel = undefined; return Completion.Normal; }
            if (c !== Completion.Normal) return c;
          }
        }
        return Completion.Normal;
      }
      case 'declare': {
        if (s.init === undefined) return Completion.Normal;
        const value = this.eval(s.init, f);
        const local = f.func.locals.find((l) => l.id === s.id);
        if (local?.slot !== undefined) {
          const size = local.type?.kind === 'int' ? (local.type.bits >> 3) as 1 | 2 | 4 | 8 : 8;
          this.storeValue(this.slotPointer(f, local.slot), 0, size, value, s.loc);
        } else {
          f.locals[s.id] = local?.type?.kind === 'int' && typeof value === 'bigint' ? normalise(value, local.type) : value;
        }
        return Completion.Normal;
      }
      default: throw new ExecError('fault', `malformed IR: unknown statement ${JSON.stringify((s as { op: unknown }).op)}`, (s as Stmt).loc);
    }
  }

  private slotPointer(f: InterpFrame, slot: number): Pointer {
    return { region: f.stack, offset: f.base + (f.slotOffsets.get(slot) ?? 0) };
  }

  private storeValue(p: Pointer, offset: number, size: 1 | 2 | 4 | 8, value: RuntimeValue, loc: Loc): void {
    storeBits(p, offset, size, typeof value === 'bigint' ? value : addressOf(value.region, value.offset), loc);
  }

  private evalInt(e: Expr, f: InterpFrame): bigint {
    const v = this.eval(e, f);
    return typeof v === 'bigint' ? v : addressOf(v.region, v.offset);
  }

  private evalPtr(e: Expr, f: InterpFrame): Pointer {
    const v = this.eval(e, f);
    return typeof v === 'bigint' ? this.rt.resolver.resolve(v) : v;
  }

  private eval(e: Expr, f: InterpFrame): RuntimeValue {
    switch (e.op) {
      case 'const': return normalise(e.value, e.type);
      case 'null': return NULL_POINTER;
      case 'param': return f.args[e.index] ?? zeroOf(e.type);
      case 'local': return f.locals[e.id] ?? zeroOf(e.type);
      case 'assign': {
        const v = this.eval(e.value, f);
        const stored = e.type.kind === 'int' && typeof v === 'bigint' ? normalise(v, e.type) : v;
        f.locals[e.id] = stored;
        return stored;
      }
      case 'addr':
        return e.base.kind === 'stack' ? this.slotPointer(f, e.base.slot) : this.rt.staticAddress(e.base, e.loc);
      case 'load': {
        const p = this.evalPtr(e.ptr, f);
        return e.core && probeMemMisses(p) ? 0n : loadInt(p, e.offset, e.type, e.loc);
      }
      case 'loadPtr': {
        const p = this.evalPtr(e.ptr, f);
        return this.rt.resolver.resolve(e.core && probeMemMisses(p) ? 0n : loadInt(p, e.offset, U64_TYPE, e.loc));
      }
      case 'store': {
        const p = this.evalPtr(e.ptr, f);
        let v = this.eval(e.value, f);
        if (e.type.kind === 'int' && typeof v === 'bigint') v = normalise(v, e.type);
        this.storeValue(p, e.offset, e.size, v, e.loc);
        return v;
      }
      case 'copy': {
        const dst = this.evalPtr(e.dst, f);
        const src = this.evalPtr(e.src, f);
        const size = e.length ? blockLength(this.evalInt(e.length, f), e.loc) : e.size;
        checkBlock(dst, size, true, e.loc);
        checkBlock(src, size, false, e.loc);
        dst.region!.bytes.set(src.region!.bytes.subarray(src.offset, src.offset + size), dst.offset);
        return 0n;
      }
      case 'fill': {
        const dst = this.evalPtr(e.dst, f);
        const size = e.length ? blockLength(this.evalInt(e.length, f), e.loc) : e.size;
        checkBlock(dst, size, true, e.loc);
        dst.region!.bytes.fill(e.byte & 0xff, dst.offset, dst.offset + size);
        return 0n;
      }
      case 'binary': {
        const a = this.evalInt(e.left, f);
        const b = this.evalInt(e.right, f);
        return binaryOp(e.kind, a, b, e.type);
      }
      case 'unary': {
        if (e.kind === 'lnot') return truthy(this.eval(e.operand, f)) ? 0n : 1n;
        const a = this.evalInt(e.operand, f);
        return normalise(e.kind === 'neg' ? -a : ~a, e.type);
      }
      case 'convert': return normalise(this.evalInt(e.operand, f), e.type);
      case 'ptrAdd': {
        const p = this.evalPtr(e.ptr, f);
        const index = BigInt.asIntN(64, this.evalInt(e.index, f));
        return offsetPointer(p.region, p.offset, index * BigInt(e.scale));
      }
      case 'ptrDiff': {
        const a = this.evalPtr(e.left, f);
        const b = this.evalPtr(e.right, f);
        const diff = BigInt.asIntN(64, addressOf(a.region, a.offset) - addressOf(b.region, b.offset));
        return normalise(diff / BigInt(e.scale > 0 ? e.scale : 1), e.type);
      }
      case 'ptrCompare': {
        const a = this.evalPtr(e.left, f);
        const b = this.evalPtr(e.right, f);
        return binaryOp(e.kind, addressOf(a.region, a.offset), addressOf(b.region, b.offset), e.type);
      }
      case 'ptrToInt': return normalise(this.evalInt(e.operand, f), e.type);
      case 'intToPtr': return this.evalPtr(e.operand, f);
      case 'ptrCast': return this.eval(e.operand, f);
      case 'logical': {
        const l = truthy(this.eval(e.left, f));
        if (e.kind === 'and' ? !l : l) return e.kind === 'and' ? 0n : 1n;
        return truthy(this.eval(e.right, f)) ? 1n : 0n;
      }
      case 'conditional': return truthy(this.eval(e.test, f)) ? this.eval(e.then, f) : this.eval(e.else, f);
      case 'sequence': this.eval(e.first, f); return this.eval(e.second, f);
      case 'funcAddr': return this.rt.resolver.resolve(functionAddress(e.target));
      case 'callHelper': {
        const args = e.args.map((a) => this.rt.helperArg(this.eval(a, f)));
        return this.rt.callHelper(e.name, args, e.type, e.loc, this.invokeCallback);
      }
      case 'call': {
        const callee = this.program.functions[e.func];
        if (callee === undefined) throw new ExecError('fault', `call of unknown function #${e.func}`, e.loc);
        const args = e.args.map((a) => this.eval(a, f));
        return this.callFunction(callee, args, e.loc);
      }
      case 'stmtExpr': {
        // GNU statement expression: statements, then the value of the last expression.
        const c = this.exec(e.body, f);
        if (c !== Completion.Normal) throw new ExecError('fault', 'break, continue or return out of a statement expression is not supported', e.loc);
        return e.value ? this.eval(e.value, f) : zeroOf(e.type.kind === 'void' ? U64_TYPE : e.type);
      }
      default: throw new ExecError('fault', `malformed IR: unknown expression ${JSON.stringify((e as { op: unknown }).op)}`, (e as Expr).loc);
    }
  }
}

const U64_TYPE: IntType = { kind: 'int', bits: 64, signed: false };

/** Anything thrown inside a run as an ExecError (a JS error here is a bug of ours, still reported, never thrown). */
export function toExecError(e: unknown, loc: Loc | undefined): ExecError {
  if (e instanceof ExecError) return e;
  const where = loc ?? { file: 0, pos: 0, end: 0 };
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new ExecError('fault', 'executor stack exhausted', where);
  return new ExecError('fault', `internal executor error: ${e instanceof Error ? e.message : String(e)}`, where);
}

