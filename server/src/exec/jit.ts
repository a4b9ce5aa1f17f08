/**
 * The fast executor: compiles a whole IrProgram once into one JavaScript module (one JS function per IR
 * function) through codeBuilder.ts, and the executor API the integrator uses:
 *
 *   const prog = compileProgram(ir, { mode: 'jit' | 'interpreter', hooks? });
 *   const outcome = prog.run(funcIndex, args, env);   // env: ExecEnv (memory.ts)
 *   // outcome: { ok: true, value: R0 } | { ok: false, error: { kind, message, loc } }
 *
 * Pass the SAME env object for every run of an iterator session (once per element and the final NULL
 * call): the per-run state and the resolved addresses of globals/strings/maps are cached per env object,
 * so an env must not be mutated between runs (make a new one when regions change). Arguments are
 * RuntimeValues: a pointer ({ region, offset }, e.g. the ctx region at offset 0) or a u64 address.
 * Helper tables are called as plain functions (`helpers(name, args)`, no `this`).
 *
 * Generated code: integers are bigints, pointers are two JS variables (region, offset); every temporary is
 * a fresh `const` so evaluation order is exactly the IR's. Anything needing words (faults, helper calls,
 * frame entry) goes through host functions that receive a loc index into a table, never text, and share
 * their wording with the interpreter, which is the oracle (see test/unit/exec/jit.diff.test.ts). The budget
 * is the interpreter's: one tick per statement with the same refill points. The compiler is in jit/, one layer per
 * job: compilerBase.ts <- memoryAccess.ts <- helperCalls.ts <- wordStores.ts <- expressions.ts <- statements.ts
 * (ModuleCompiler); host.ts is what the generated code calls.
 */
import type { IrProgram } from '../lang/ir';
import { compileFunction } from './codeBuilder';
import type { DebugHooks } from './debugHooks';
import { Interpreter, toExecError } from './interpreter';
import { RunRuntime, type CallbackInvoker, type DirectHelpers, type ExecEnv, type HelperTable } from './memory';
import { ExecError, addressOf, type ExecMemory, type ExecRegion, type RunOutcome, type RuntimeValue } from './values';
import { HOST_ORDER, makeHost, type HostState } from './jit/host';
import { ModuleCompiler } from './jit/statements';

export type ExecMode = 'jit' | 'interpreter';
export interface CompileOptions { mode?: ExecMode; hooks?: DebugHooks }

export interface CompiledProgram {
  /** The mode actually used (the interpreter when hooks are given or the JIT refused the IR). */
  readonly mode: ExecMode;
  /** Why the JIT was not used, when `mode` differs from the requested one. */
  readonly fallbackReason?: string;
  run(funcIndex: number, args: ReadonlyArray<RuntimeValue>, env: ExecEnv): RunOutcome;
  /** Statements executed by the last run. */
  readonly instructionsUsed: number;
}

export function compileProgram(ir: IrProgram, options: CompileOptions = {}): CompiledProgram {
  const interpreterProgram = (reason?: string): CompiledProgram => {
    const interp = new Interpreter(ir, options.hooks);
    return {
      mode: 'interpreter', fallbackReason: reason,
      run: (i, args, env) => interp.run(i, args, env),
      get instructionsUsed() { return interp.instructionsUsed; },
    };
  };
  if (options.mode === 'interpreter') return interpreterProgram();
  if (options.hooks !== undefined) return interpreterProgram('debug hooks need the interpreter');
  try {
    return new JitProgram(ir);
  } catch (e) {
    return interpreterProgram(`JIT compilation failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

interface GeneratedModule {
  /** Per IR function: called with the run's RuntimeValue arguments, converts them and calls the function. */
  entries: Array<(args: ReadonlyArray<RuntimeValue>) => RuntimeValue>;
  /** Starts a run: the stack region, the first budget chunk, and whether cached static addresses are stale. */
  begin(stack: ExecRegion, left: number, newEnv: boolean, helpers: HelperTable, callback: CallbackInvoker, direct: DirectHelpers | null, memory: ExecMemory): void;
  /** Starts a run with the env of the last one: the first budget chunk, an empty stack. */
  again(left: number): void;
  left(): number;
}

/** Most runs return 0: one shared (frozen) outcome for it. */
const OK_ZERO: RunOutcome = Object.freeze({ ok: true, value: 0n });

function outcome(r: RuntimeValue): RunOutcome {
  if (typeof r !== 'bigint') return { ok: true, value: addressOf(r.region, r.offset) };
  return r === 0n ? OK_ZERO : { ok: true, value: r };
}

class JitProgram implements CompiledProgram {
  readonly mode = 'jit' as const;
  private readonly module: GeneratedModule;
  private readonly state: HostState = { rt: undefined as unknown as RunRuntime, statics: [] };


  constructor(private readonly ir: IrProgram) {
    const compiler = new ModuleCompiler(ir);
    const { params, body } = compiler.compile();

    const host = makeHost(this.state, compiler);
    const factory = compileFunction<(...a: unknown[]) => GeneratedModule>(params, body);
    this.module = factory(...HOST_ORDER.map((k) => host[k]));
  }

  /** bpf_loop() and bpf_for_each_map_elem() call the program's callback through this, as a BPF-to-BPF call. */
  private readonly invokeCallback: CallbackInvoker = (fnAddr, args) => {
    const target = this.state.rt.callbackTarget(this.ir.functions, fnAddr, args);
    return this.state.rt.helperArg(this.module.entries[target.index](target.args));
  };

  private helpersFor: HelperTable | undefined;

  get instructionsUsed(): number { return this.state.rt === undefined ? 0 : this.state.rt.budget.used(this.module.left()); }

  run(funcIndex: number, args: ReadonlyArray<RuntimeValue>, env: ExecEnv): RunOutcome {
    const entry = this.module.entries[funcIndex];
    const last = this.state.rt as RunRuntime | undefined;
    if (entry !== undefined && last !== undefined && last.env === env && this.helpersFor === env.helpers) {
      // the env of the last run (an iterator's every element): its runtime reset, the module's env variables kept
      last.reset();
      this.module.again(last.budget.start());
      try {
        return outcome(entry(args));
      } catch (e) {
        return { ok: false, error: toExecError(e, this.ir.functions[funcIndex].loc).toInfo() };
      }
    }
    const func = this.ir.functions[funcIndex];
    if (func === undefined) return { ok: false, error: new ExecError('fault', `no function #${funcIndex}`, { file: 0, pos: 0, end: 0 }).toInfo() };
    const previous = this.state.rt as RunRuntime | undefined;
    const rt = RunRuntime.for(env, previous);
    if (rt !== previous) {
      this.state.rt = rt;
      this.state.statics = [];
    }
    this.helpersFor = env.helpers;
    this.module.begin(rt.stack, rt.budget.start(), rt !== previous, env.helpers, this.invokeCallback, env.directHelpers ?? null, env.memory);
    try {
      return outcome(this.module.entries[funcIndex](args));
    } catch (e) {
      return { ok: false, error: toExecError(e, func.loc).toInfo() };
    }
  }
}

