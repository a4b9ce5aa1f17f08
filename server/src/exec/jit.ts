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
 * is the interpreter's: one tick per statement with the same refill points.
 */
import type { AddressBase, Expr, IntType, IrFunction, IrProgram, IrType, Loc, Stmt } from '../lang/ir';
import { Code, NameGenerator, compileFunction, join, js, literal } from './codeBuilder';
import type { DebugHooks } from './debugHooks';
import { Interpreter, checkBlock, toExecError } from './interpreter';
import { MAX_CALL_FRAMES, RunRuntime, functionAddress, helperFailure, type CallbackInvoker, type ExecEnv, type HelperTable } from './memory';
import {
  ExecError, NULL_POINTER, accessFault, addressOf, offsetPointer,
  type ExecRegion, type Pointer, type RunOutcome, type RuntimeValue,
} from './values';

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

interface HostState { rt: RunRuntime; statics: Array<Pointer | undefined> }

interface GeneratedModule {
  /** Per IR function: called with the run's RuntimeValue arguments, converts them and calls the function. */
  entries: Array<(args: ReadonlyArray<RuntimeValue>) => RuntimeValue>;
  /** Starts a run: the stack region, the first budget chunk, and whether cached static addresses are stale. */
  begin(stack: ExecRegion, left: number, newEnv: boolean, helpers: (name: string, args: bigint[]) => bigint | number): void;
  left(): number;
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
    this.module = factory(...compiler.hostOrder.map((k) => host[k]));
  }

  /** bpf_loop() and bpf_for_each_map_elem() call the program's callback through this, as a BPF-to-BPF call. */
  private readonly invokeCallback: CallbackInvoker = (fnAddr, args) => {
    const target = this.state.rt.callbackTarget(this.ir.functions, fnAddr, args);
    return this.state.rt.helperArg(this.module.entries[target.index](target.args));
  };

  private helpersFor: HelperTable | undefined;
  private boundHelpers: ((name: string, args: bigint[]) => bigint | number) | undefined;

  get instructionsUsed(): number { return this.state.rt === undefined ? 0 : this.state.rt.budget.used(this.module.left()); }

  run(funcIndex: number, args: ReadonlyArray<RuntimeValue>, env: ExecEnv): RunOutcome {
    const func = this.ir.functions[funcIndex];
    if (func === undefined) return { ok: false, error: new ExecError('fault', `no function #${funcIndex}`, { file: 0, pos: 0, end: 0 }).toInfo() };
    const previous = this.state.rt as RunRuntime | undefined;
    const rt = RunRuntime.for(env, previous);
    if (rt !== previous) {
      this.state.rt = rt;
      this.state.statics = [];
    }
    // one helper adapter per helper table, not a closure per run (an iterator runs the program once per element)
    if (this.helpersFor !== env.helpers) {
      const helpers: HelperTable = env.helpers;
      this.helpersFor = helpers;
      this.boundHelpers = (name, args) => helpers(name, args, this.invokeCallback);
    }
    this.module.begin(rt.stack, rt.budget.start(), rt !== previous, this.boundHelpers!);
    try {
      const r = this.module.entries[funcIndex](args);
      return { ok: true, value: typeof r === 'bigint' ? r : addressOf(r.region, r.offset) };
    } catch (e) {
      return { ok: false, error: toExecError(e, func.loc).toInfo() };
    }
  }
}

type HostName =
  | 'asU' | 'asI' | 'big' | 'num' | 'refill' | 'fault' | 'enterFail' | 'stat' | 'resolve'
  | 'offPtr' | 'helperFail' | 'helperResult' | 'copy' | 'fill' | 'badCall' | 'nullPtr' | 'addrOf' | 'resolveAt';

function makeHost(state: HostState, c: ModuleCompiler): Record<HostName, unknown> {
  const locs = c.locs;
  return {
    asU: BigInt.asUintN,
    asI: BigInt.asIntN,
    big: BigInt,
    num: Number,
    refill: (k: number) => state.rt.budget.refill(locs[k]),
    fault: (k: number, r: ExecRegion | null, o: number, size: number, write: boolean) => accessFault(locs[k], r, o, size, write),
    enterFail: (size: number, f: number, k: number, top: number, depth: number) => {
      state.rt.stackTop = top;
      state.rt.callDepth = depth;
      state.rt.enterFrame(size, c.ir.functions[f].name, locs[k]);
      return new ExecError('fault', 'frame entry refused', locs[k]);
    },
    stat: (i: number, k: number) => {
      let p = state.statics[i];
      if (p === undefined) {
        p = state.rt.staticAddress(c.statics[i] as Exclude<AddressBase, { kind: 'stack' }>, locs[k]);
        state.statics[i] = p;
      }
      return p;
    },
    resolve: (addr: bigint) => state.rt.resolver.resolve(addr),
    // a pointer loaded from memory: its u32 halves, resolved without a BigInt (the same answer as resolve())
    resolveAt: (view: DataView, at: number) => state.rt.resolver.resolveParts(view.getUint32(at, true), view.getUint32(at + 4, true)),
    offPtr: offsetPointer,
    helperFail: (i: number, e: unknown) => helperFailure(c.helperCalls[i].name, e, c.helperCalls[i].loc),
    helperResult: (i: number, r: unknown) => state.rt.helperResult(c.helperCalls[i].name, r, c.helperCalls[i].type, c.helperCalls[i].loc),
    copy: (k: number, dr: ExecRegion | null, dO: number, sr: ExecRegion | null, sO: number, size: number) => {
      const dst = { region: dr, offset: dO };
      const src = { region: sr, offset: sO };
      checkBlock(dst, size, true, locs[k]);
      checkBlock(src, size, false, locs[k]);
      dr!.bytes.set(sr!.bytes.subarray(sO, sO + size), dO);
    },
    fill: (k: number, dr: ExecRegion | null, dO: number, byte: number, size: number) => {
      checkBlock({ region: dr, offset: dO }, size, true, locs[k]);
      dr!.bytes.fill(byte & 0xff, dO, dO + size);
    },
    badCall: (k: number, f: number) => new ExecError('fault', `call of unknown function #${f}`, locs[k]),
    nullPtr: NULL_POINTER,
    addrOf: (p: Pointer) => addressOf(p.region, p.offset),
  };
}

type Compiled = { kind: 'int'; v: Code } | { kind: 'ptr'; r: Code; o: Code };
type LocalVar = { kind: 'int'; v: Code } | { kind: 'ptr'; r: Code; o: Code };
/** The JS labels a break/continue jumps to; `label` is the IR loop's or switch's label (a lowered goto's target). */
interface Target { brk: Code; cont: Code | null; label?: number }

class ModuleCompiler {
  readonly locs: Loc[] = [];
  private readonly locIndexes = new Map<Loc, number>();
  readonly statics: AddressBase[] = [];
  readonly helperCalls: Array<Expr & { op: 'callHelper' }> = [];
  readonly hostOrder: HostName[] = ['asU', 'asI', 'big', 'num', 'refill', 'fault', 'enterFail', 'stat', 'resolve', 'offPtr', 'helperFail', 'helperResult', 'copy', 'fill', 'badCall', 'nullPtr', 'addrOf', 'resolveAt'];
  private readonly hostNames = new NameGenerator('k');
  private readonly h: Record<HostName, Code>;
  private readonly vars = new NameGenerator('v');
  private readonly labels = new NameGenerator('l');
  private readonly fnNames: Code[];
  private readonly budgetVar: Code;
  private readonly stackTop: Code;
  private readonly callDepth: Code;
  private readonly helperTable: Code;
  /** Module-level cache of each `addr` leaf of a global/string/map: region (undefined until first use) and offset. */
  private readonly staticVars: Array<{ r: Code; o: Code; a: Code }> = [];
  private readonly stackVar: Code;

  // per-function state
  private out: Code[] = [];
  private locals = new Map<number, LocalVar>();
  private func!: IrFunction;
  private frameBase!: Code;
  private retVar!: LocalVar;
  private bodyLabel!: Code;
  private targets: Target[] = [];
  private slotOffsets = new Map<number, number>();

  constructor(readonly ir: IrProgram) {
    const h = {} as Record<HostName, Code>;
    for (const k of this.hostOrder) h[k] = this.hostNames.fresh();
    this.h = h;
    const fnGen = new NameGenerator('f');
    this.fnNames = ir.functions.map(() => fnGen.fresh());
    this.budgetVar = this.vars.fresh();
    this.stackVar = this.vars.fresh();
    this.stackTop = this.vars.fresh();
    this.callDepth = this.vars.fresh();
    this.helperTable = this.vars.fresh();
  }

  locIndex(loc: Loc): number {
    let i = this.locIndexes.get(loc);
    if (i === undefined) {
      i = this.locs.length;
      this.locs.push(loc);
      this.locIndexes.set(loc, i);
    }
    return i;
  }
  private k(loc: Loc): Code { return literal(this.locIndex(loc)); }

  compile(): { params: Code[]; body: Code } {
    const fns = this.ir.functions.map((f, i) => this.compileFunction(f, this.fnNames[i]));
    const entries = this.ir.functions.map((f, i) => this.entryAdapter(f, this.fnNames[i]));
    const L = this.budgetVar, S = this.stackVar, SP = this.stackTop, D = this.callDepth;
    const st = this.vars.fresh(), left = this.vars.fresh(), fresh = this.vars.fresh(), ht = this.vars.fresh();
    const staticDecls = this.staticVars.map((v) => js`let ${v.r} = undefined, ${v.o} = 0, ${v.a} = 0n;`);
    const staticResets = this.staticVars.map((v) => js`${v.r} = undefined;`);
    const body = js`let ${L} = 0, ${SP} = 0, ${D} = 0;
let ${S} = null, ${this.helperTable} = null;
${join(staticDecls, '\n')}
${join(fns, '\n')}
return { entries: [${join(entries, ', ')}], begin(${st}, ${left}, ${fresh}, ${ht}) { ${S} = ${st}; ${this.helperTable} = ${ht}; ${L} = ${left}; ${SP} = 0; ${D} = 0; if (${fresh}) { ${join(staticResets, '')} } }, left() { return ${L}; } };`;
    return { params: this.hostOrder.map((k) => this.h[k]), body };
  }

  private fresh(): Code { return this.vars.fresh(); }

  /** `(args) => f(entryLoc, ...converted args)`: integers pass through, pointers split into region and offset. */
  private entryAdapter(f: IrFunction, name: Code): Code {
    const A = this.fresh();
    const lines: Code[] = [];
    const callArgs: Code[] = [literal(this.locIndex(f.loc))];
    f.params.forEach((id, i) => {
      const a = this.fresh();
      lines.push(js`const ${a} = ${A}[${literal(i)}];`);
      if (f.locals.find((l) => l.id === id)?.type?.kind === 'ptr') {
        const r = this.fresh(), o = this.fresh(), q = this.fresh();
        lines.push(js`let ${r} = null, ${o} = 0;
if (typeof ${a} === 'bigint') { const ${q} = ${this.h.resolve}(${a}); ${r} = ${q}.region; ${o} = ${q}.offset; }
else if (${a} !== undefined) { ${r} = ${a}.region; ${o} = ${a}.offset; }`);
        callArgs.push(r, o);
      } else {
        const v = this.fresh();
        lines.push(js`const ${v} = ${a} === undefined ? 0n : typeof ${a} === 'bigint' ? ${a} : ${this.h.addrOf}(${a});`);
        callArgs.push(v);
      }
    });
    return js`function (${A}) {
${join(lines, '\n')}
return ${name}(${join(callArgs, ', ')});
}`;
  }
  private emit(c: Code): void { this.out.push(c); }
  /** Compiles statements into a separate buffer. */
  private nested(f: () => void): Code {
    const saved = this.out;
    this.out = [];
    f();
    const code = join(this.out, '\n');
    this.out = saved;
    return code;
  }

  /** Temporaries known to hold a value already normalised to a type, so re-normalising them is skipped. */
  private readonly normalised = new Map<Code, IntType>();
  private tempAs(x: Code, t: IntType): Compiled {
    const c = this.temp(x);
    this.normalised.set((c as { v: Code }).v, t);
    return c;
  }
  private norm(x: Code, t: IntType): Code {
    const known = this.normalised.get(x);
    if (known !== undefined && known.bits === t.bits && known.signed === t.signed) return x;
    return js`${t.signed ? this.h.asI : this.h.asU}(${literal(t.bits)}, ${x})`;
  }
  private address(r: Code, o: Code): Code {
    return js`(${r} === null ? 0n : ${this.h.asU}(64, ${r}.addr + ${this.h.big}(${o})))`;
  }
  private truthy(v: Compiled): Code {
    return v.kind === 'int' ? js`(${v.v} !== 0n)` : js`(${v.r} !== null)`;
  }

  private declareLocal(id: number, type: IrType | undefined): LocalVar {
    let lv = this.locals.get(id);
    if (lv === undefined) {
      lv = type?.kind === 'ptr' ? { kind: 'ptr', r: this.fresh(), o: this.fresh() } : { kind: 'int', v: this.fresh() };
      this.locals.set(id, lv);
    }
    return lv;
  }

  private compileFunction(f: IrFunction, name: Code): Code {
    this.func = f;
    this.locals = new Map();
    this.targets = [];
    this.slotOffsets = new Map(f.slots.map((s) => [s.id, s.offset]));
    this.out = [];
    this.frameBase = this.fresh();
    this.bodyLabel = this.labels.fresh();
    this.retVar = f.returnType.kind === 'ptr' ? { kind: 'ptr', r: this.fresh(), o: this.fresh() } : { kind: 'int', v: this.fresh() };
    const callerLoc = this.fresh();
    const jsParams: Code[] = [callerLoc];
    const paramValues: LocalVar[] = [];
    for (const l of f.locals) if (l.slot === undefined) this.declareLocal(l.id, l.type);
    f.params.forEach((id) => {
      const l = f.locals.find((x) => x.id === id);
      const pv: LocalVar = l?.type?.kind === 'ptr' ? { kind: 'ptr', r: this.fresh(), o: this.fresh() } : { kind: 'int', v: this.fresh() };
      paramValues.push(pv);
      if (pv.kind === 'ptr') jsParams.push(pv.r, pv.o); else jsParams.push(pv.v);
    });
    this.paramValues = paramValues;
    const prologue: Code[] = [];
    f.params.forEach((id, i) => {
      const l = f.locals.find((x) => x.id === id);
      const pv = paramValues[i];
      if (l?.slot !== undefined) {
        const bits = pv.kind === 'int' ? pv.v : this.address(pv.r, pv.o);
        prologue.push(js`${this.stackVar}.view.setBigUint64(${this.frameBase} + ${literal(this.slotOffsets.get(l.slot) ?? 0)}, ${this.h.asU}(64, ${bits}), true);`);
      } else {
        const lv = this.declareLocal(id, l?.type);
        if (lv.kind === 'ptr' && pv.kind === 'ptr') prologue.push(js`${lv.r} = ${pv.r}; ${lv.o} = ${pv.o};`);
        else if (lv.kind === 'int' && pv.kind === 'int') prologue.push(js`${lv.v} = ${pv.v};`);
      }
    });
    const body = this.nested(() => this.stmt(f.body));
    const decls: Code[] = [];
    for (const lv of this.locals.values()) {
      decls.push(lv.kind === 'ptr' ? js`let ${lv.r} = null, ${lv.o} = 0;` : js`let ${lv.v} = 0n;`);
    }
    const rv = this.retVar;
    const retDecl = rv.kind === 'ptr' ? js`let ${rv.r} = null, ${rv.o} = 0;` : js`let ${rv.v} = 0n;`;
    const retExpr = rv.kind === 'ptr' ? js`(${rv.r} === null ? ${this.h.nullPtr} : { region: ${rv.r}, offset: ${rv.o} })`
      : f.returnType.kind === 'int' ? this.norm(rv.v, f.returnType) : rv.v;
    return js`function ${name}(${join(jsParams, ', ')}) {
if (${this.callDepth} >= ${literal(MAX_CALL_FRAMES)} || ${this.stackTop} + ${literal(f.stackSize)} > ${this.stackVar}.bytes.length) throw ${this.h.enterFail}(${literal(f.stackSize)}, ${literal(f.index)}, ${callerLoc}, ${this.stackTop}, ${this.callDepth});
const ${this.frameBase} = ${this.stackTop};
${f.stackSize > 0 ? js`${this.stackVar}.bytes.fill(0, ${this.frameBase}, ${this.frameBase} + ${literal(f.stackSize)});` : js``}
${this.stackTop} = ${this.frameBase} + ${literal(f.stackSize)};
${this.callDepth}++;
${join(decls, '\n')}
${retDecl}
${join(prologue, '\n')}
${this.bodyLabel}: {
${body}
}
${this.stackTop} = ${this.frameBase};
${this.callDepth}--;
return ${retExpr};
}`;
  }
  private paramValues: LocalVar[] = [];

  // ---- statements ----

  /** The innermost target, or the enclosing one of an IR label; JS labeled break leaves any enclosing block. */
  private jumpTarget(label: number | undefined): Target | undefined {
    if (label === undefined) return this.targets[this.targets.length - 1];
    for (let i = this.targets.length - 1; i >= 0; i--) if (this.targets[i].label === label) return this.targets[i];
    return undefined;
  }

  private stmt(s: Stmt): void {
    const L = this.budgetVar;
    this.emit(js`if (${L}-- === 0) ${L} = ${this.h.refill}(${this.k(s.loc)});`);
    switch (s.op) {
      case 'expr': this.value(s.expr); return;
      case 'block': {
        const inner = this.nested(() => { for (const b of s.body) this.stmt(b); });
        this.emit(js`{\n${inner}\n}`);
        return;
      }
      case 'if': {
        const t = this.truthy(this.value(s.test));
        const thenCode = this.nested(() => this.stmt(s.then));
        if (s.else !== undefined) {
          const elseCode = this.nested(() => this.stmt(s.else!));
          this.emit(js`if ${t} {\n${thenCode}\n} else {\n${elseCode}\n}`);
        } else {
          this.emit(js`if ${t} {\n${thenCode}\n}`);
        }
        return;
      }
      case 'loop': {
        const loopLabel = this.labels.fresh();
        const bodyLabel = this.labels.fresh();
        const init = s.init !== undefined ? this.nested(() => this.stmt(s.init!)) : js``;
        const test = (): Code => s.test === undefined ? js`` : this.nested(() => {
          const t = this.truthy(this.value(s.test!));
          this.emit(js`if (!${t}) break ${loopLabel};`);
        });
        const pre = s.testFirst ? test() : js``;
        this.targets.push({ brk: loopLabel, cont: bodyLabel, label: s.label });
        const body = this.nested(() => this.stmt(s.body));
        this.targets.pop();
        const update = s.update !== undefined ? this.nested(() => { this.value(s.update!); }) : js``;
        const post = s.testFirst ? js`` : test();
        this.emit(js`{\n${init}\n${loopLabel}: for (;;) {\n${pre}\n${bodyLabel}: {\n${body}\n}\n${update}\n${post}\n}\n}`);
        return;
      }
      case 'break': {
        const t = this.jumpTarget(s.label);
        this.emit(js`break ${t === undefined ? this.bodyLabel : t.brk};`);
        return;
      }
      case 'continue': {
        const t = this.jumpTarget(s.label);
        this.emit(js`break ${t === undefined || t.cont === null ? this.bodyLabel : t.cont};`);
        return;
      }
      case 'return': {
        const rv = this.retVar;
        if (s.value === undefined) {
          this.emit(rv.kind === 'ptr' ? js`${rv.r} = null; ${rv.o} = 0;` : js`${rv.v} = 0n;`);
        } else if (rv.kind === 'ptr') {
          const p = this.ptr(s.value);
          this.emit(js`${rv.r} = ${p.r}; ${rv.o} = ${p.o};`);
        } else {
          this.emit(js`${rv.v} = ${this.int(s.value)};`);
        }
        this.emit(js`break ${this.bodyLabel};`);
        return;
      }
      case 'switch': {
        const key = this.int(s.test);
        const label = this.labels.fresh();
        const enclosing = this.targets[this.targets.length - 1];
        this.targets.push({ brk: label, cont: enclosing === undefined ? null : enclosing.cont, label: s.label });
        const clauses = s.cases.map((c) => {
          const heads = c.values === 'default' ? js`default:` : join(c.values.map((v) => js`case ${literal(v)}: `), '');
          const body = this.nested(() => { for (const b of c.body) this.stmt(b); });
          return js`${heads} {\n${body}\n}`;
        });
        this.targets.pop();
        this.emit(js`${label}: switch (${key}) {\n${join(clauses, '\n')}\n}`);
        return;
      }
      case 'declare': {
        if (s.init === undefined) return;
        const local = this.func.locals.find((l) => l.id === s.id);
        if (local?.slot !== undefined) {
          const size = local.type?.kind === 'int' ? (local.type.bits >> 3) as 1 | 2 | 4 | 8 : 8;
          const v = this.value(s.init);
          const bits = v.kind === 'int' ? v.v : this.address(v.r, v.o);
          this.storeBits(this.stackVar, js`(${this.frameBase} + ${literal(this.slotOffsets.get(local.slot) ?? 0)})`, size, bits, s.loc);
          return;
        }
        const lv = this.declareLocal(s.id, local?.type ?? s.init.type);
        this.assignLocal(lv, s.init, local?.type?.kind === 'int' ? local.type : undefined);
        return;
      }
      default: throw new Error(`unknown statement ${JSON.stringify((s as { op: unknown }).op)}`);
    }
  }

  private assignLocal(lv: LocalVar, value: Expr, intType: IntType | undefined): Compiled {
    if (lv.kind === 'ptr') {
      const p = this.ptr(value);
      this.emit(js`${lv.r} = ${p.r}; ${lv.o} = ${p.o};`);
      return { kind: 'ptr', r: p.r, o: p.o };
    }
    const v = this.int(value);
    this.emit(js`${lv.v} = ${intType !== undefined ? this.norm(v, intType) : v};`);
    return this.temp(lv.v);
  }

  // ---- expressions ----

  private temp(x: Code): Compiled { return { kind: 'int', v: this.intTemp(x) }; }
  private intTemp(x: Code): Code {
    const t = this.fresh();
    this.emit(js`const ${t} = ${x};`);
    return t;
  }
  private ptrTemp(r: Code, o: Code): Compiled & { kind: 'ptr' } {
    const tr = this.fresh(), to = this.fresh();
    this.emit(js`const ${tr} = ${r}, ${to} = ${o};`);
    return { kind: 'ptr', r: tr, o: to };
  }
  private fromPointerObject(x: Code): Compiled & { kind: 'ptr' } {
    const p = this.fresh();
    this.emit(js`const ${p} = ${x};`);
    return this.ptrTemp(js`${p}.region`, js`${p}.offset`);
  }

  private int(e: Expr): Code {
    const v = this.value(e);
    if (v.kind === 'int') return v.v;
    return this.intTemp(this.address(v.r, v.o));
  }

  private ptr(e: Expr): { r: Code; o: Code } {
    const v = this.value(e);
    if (v.kind === 'ptr') return v;
    return this.fromPointerObject(js`${this.h.resolve}(${v.v})`);
  }

  private storeBits(r: Code, o: Code, size: 1 | 2 | 4 | 8, bits: Code, loc: Loc): void {
    const at = this.fresh();
    this.emit(js`const ${at} = ${o};`);
    this.emit(js`if (${r} === null || ${r}.readonly || ${at} < 0 || ${at} + ${literal(size)} > ${r}.bytes.length) throw ${this.h.fault}(${this.k(loc)}, ${r}, ${at}, ${literal(size)}, true);`);
    const n = this.h.num;
    const known = this.normalised.get(bits);
    const fits = known !== undefined && !known.signed && known.bits <= size * 8;
    const u = (width: Code, x: Code): Code => fits ? x : js`${this.h.asU}(${width}, ${x})`;
    switch (size) {
      case 1: this.emit(js`${r}.view.setUint8(${at}, ${n}(${u(literal(8), bits)}));`); break;
      case 2: this.emit(js`${r}.view.setUint16(${at}, ${n}(${u(literal(16), bits)}), true);`); break;
      case 4: this.emit(js`${r}.view.setUint32(${at}, ${n}(${u(literal(32), bits)}), true);`); break;
      case 8: this.emit(js`${r}.view.setBigUint64(${at}, ${u(literal(64), bits)}, true);`); break;
    }
  }

  /** `probe`: a CO-RE (BPF_PROBE_MEM) load, which reads 0 at NULL or an unmapped address (interpreter's probeMemMisses()) */
  private loadInt(r: Code, o: Code, offset: number, type: IntType, loc: Loc, probe = false): Compiled {
    const at = this.fresh();
    const size = type.bits >> 3;
    this.emit(js`const ${at} = ${o} + ${literal(offset)};`);
    const b = this.h.big;
    let read: Code;
    switch (type.bits) {
      case 8: read = type.signed ? js`${b}(${r}.view.getInt8(${at}))` : js`${b}(${r}.view.getUint8(${at}))`; break;
      case 16: read = type.signed ? js`${b}(${r}.view.getInt16(${at}, true))` : js`${b}(${r}.view.getUint16(${at}, true))`; break;
      case 32: read = type.signed ? js`${b}(${r}.view.getInt32(${at}, true))` : js`${b}(${r}.view.getUint32(${at}, true))`; break;
      default: read = type.signed ? js`${r}.view.getBigInt64(${at}, true)` : js`${r}.view.getBigUint64(${at}, true)`;
    }
    const check = js`if (${r} === null || ${at} < 0 || ${at} + ${literal(size)} > ${r}.bytes.length) throw ${this.h.fault}(${this.k(loc)}, ${r}, ${at}, ${literal(size)}, false);`;
    if (!probe) {
      this.emit(check);
      return this.tempAs(read, type);
    }
    const v = this.fresh();
    this.emit(js`let ${v};`);
    this.emit(js`if (${r} === null || ${r}.bytes.length === 0) ${v} = ${literal(0n)}; else { ${check} ${v} = ${read}; }`);
    return this.tempAs(v, type);
  }

  /** A u64 load resolved as a pointer (loadInt of U64 then resolve), read as two u32 halves so no BigInt is made. */
  private loadPointer(r: Code, o: Code, offset: number, loc: Loc, probe: boolean): Compiled {
    const at = this.fresh();
    this.emit(js`const ${at} = ${o} + ${literal(offset)};`);
    const check = js`if (${r} === null || ${at} < 0 || ${at} + 8 > ${r}.bytes.length) throw ${this.h.fault}(${this.k(loc)}, ${r}, ${at}, 8, false);`;
    const q = this.fresh();
    if (!probe) {
      this.emit(check);
      this.emit(js`const ${q} = ${this.h.resolveAt}(${r}.view, ${at});`);
    } else {
      this.emit(js`let ${q};`);
      this.emit(js`if (${r} === null || ${r}.bytes.length === 0) ${q} = ${this.h.nullPtr}; else { ${check} ${q} = ${this.h.resolveAt}(${r}.view, ${at}); }`);
    }
    return this.ptrTemp(js`${q}.region`, js`${q}.offset`);
  }

  private zero(type: IrType): Compiled {
    return type.kind === 'ptr' ? { kind: 'ptr', r: literal(null), o: literal(0) } : { kind: 'int', v: literal(0n) };
  }

  private value(e: Expr): Compiled {
    const h = this.h;
    switch (e.op) {
      case 'const': return { kind: 'int', v: literal(e.type.signed ? BigInt.asIntN(e.type.bits, e.value) : BigInt.asUintN(e.type.bits, e.value)) };
      case 'null': return { kind: 'ptr', r: literal(null), o: literal(0) };
      case 'param': {
        const pv = this.paramValues[e.index];
        if (pv === undefined) return this.zero(e.type);
        return pv.kind === 'ptr' ? this.ptrTemp(pv.r, pv.o) : this.temp(pv.v);
      }
      case 'local': {
        const lv = this.declareLocal(e.id, e.type);
        return lv.kind === 'ptr' ? this.ptrTemp(lv.r, lv.o) : this.temp(lv.v);
      }
      case 'assign': {
        const lv = this.declareLocal(e.id, e.type);
        return this.assignLocal(lv, e.value, e.type.kind === 'int' ? e.type : undefined);
      }
      case 'addr': {
        if (e.base.kind === 'stack') return this.ptrTemp(this.stackVar, js`${this.frameBase} + ${literal(this.slotOffsets.get(e.base.slot) ?? 0)}`);
        const sv = this.staticAddress(e.base, e.loc);
        return this.ptrTemp(sv.r, sv.o);
      }
      case 'load': {
        const p = this.ptr(e.ptr);
        return this.loadInt(p.r, p.o, e.offset, e.type, e.loc, e.core === true);
      }
      case 'loadPtr': {
        const p = this.ptr(e.ptr);
        return this.loadPointer(p.r, p.o, e.offset, e.loc, e.core === true);
      }
      case 'store': {
        const p = this.ptr(e.ptr);
        const v = this.value(e.value);
        if (v.kind === 'ptr') {
          this.storeBits(p.r, js`${p.o} + ${literal(e.offset)}`, e.size, this.address(v.r, v.o), e.loc);
          return v;
        }
        const nv = e.type.kind === 'int' ? this.tempAs(this.norm(v.v, e.type), e.type) : v;
        this.storeBits(p.r, js`${p.o} + ${literal(e.offset)}`, e.size, (nv as { v: Code }).v, e.loc);
        return nv;
      }
      case 'copy': {
        const d = this.ptr(e.dst);
        const s = this.ptr(e.src);
        this.emit(js`${h.copy}(${this.k(e.loc)}, ${d.r}, ${d.o}, ${s.r}, ${s.o}, ${literal(e.size)});`);
        return { kind: 'int', v: literal(0n) };
      }
      case 'fill': {
        const d = this.ptr(e.dst);
        this.emit(js`${h.fill}(${this.k(e.loc)}, ${d.r}, ${d.o}, ${literal(e.byte)}, ${literal(e.size)});`);
        return { kind: 'int', v: literal(0n) };
      }
      case 'binary': {
        const a = this.int(e.left);
        const b = this.int(e.right);
        return this.tempAs(this.binary(e.kind, a, b, e.type), e.type);
      }
      case 'unary': {
        if (e.kind === 'lnot') return this.temp(js`(${this.truthy(this.value(e.operand))} ? 0n : 1n)`);
        const a = this.int(e.operand);
        return this.tempAs(this.norm(e.kind === 'neg' ? js`(-${a})` : js`(~${a})`, e.type), e.type);
      }
      case 'convert': return this.tempAs(this.norm(this.int(e.operand), e.type), e.type);
      case 'ptrAdd': {
        const p = this.ptr(e.ptr);
        const idx = this.intTemp(js`${h.asI}(64, ${this.int(e.index)})`);
        const r = this.fresh(), o = this.fresh(), q = this.fresh();
        this.emit(js`let ${r} = ${p.r}, ${o} = ${p.o} + ${h.num}(${idx}) * ${literal(e.scale)};`);
        this.emit(js`if (${r} === null || !(${o} <= 281474976710656 && ${o} >= -281474976710656)) { const ${q} = ${h.offPtr}(${p.r}, ${p.o}, ${idx} * ${literal(BigInt(e.scale))}); ${r} = ${q}.region; ${o} = ${q}.offset; }`);
        return { kind: 'ptr', r, o };
      }
      case 'ptrDiff': {
        const a = this.ptr(e.left);
        const b = this.ptr(e.right);
        const scale = literal(BigInt(e.scale > 0 ? e.scale : 1));
        return this.temp(this.norm(js`(${h.asI}(64, ${this.address(a.r, a.o)} - ${this.address(b.r, b.o)}) / ${scale})`, e.type));
      }
      case 'ptrCompare': {
        const a = this.ptr(e.left);
        const b = this.ptr(e.right);
        if (e.kind === 'eq' || e.kind === 'ne') {
          // Same region: equal iff same offset; NULL is the only pointer with no region and address 0.
          const same = js`(${a.r} === ${b.r} ? ${a.o} === ${b.o} : ${a.r} !== null && ${b.r} !== null && ${this.address(a.r, a.o)} === ${this.address(b.r, b.o)})`;
          return this.tempAs(e.kind === 'eq' ? js`(${same} ? 1n : 0n)` : js`(${same} ? 0n : 1n)`, e.type);
        }
        return this.tempAs(this.binary(e.kind, this.address(a.r, a.o), this.address(b.r, b.o), e.type), e.type);
      }
      case 'ptrToInt': return this.temp(this.norm(this.int(e.operand), e.type));
      case 'intToPtr': {
        const p = this.ptr(e.operand);
        return { kind: 'ptr', r: p.r, o: p.o };
      }
      case 'ptrCast': return this.value(e.operand);
      case 'logical': {
        const t = this.fresh();
        const l = this.truthy(this.value(e.left));
        let rightTruth!: Code;
        const right = this.nested(() => { rightTruth = this.truthy(this.value(e.right)); });
        if (e.kind === 'and') this.emit(js`let ${t} = 0n;\nif ${l} {\n${right}\n${t} = ${rightTruth} ? 1n : 0n;\n}`);
        else this.emit(js`let ${t} = 1n;\nif (!${l}) {\n${right}\n${t} = ${rightTruth} ? 1n : 0n;\n}`);
        return { kind: 'int', v: t };
      }
      case 'conditional': {
        const test = this.truthy(this.value(e.test));
        if (e.type.kind === 'ptr') {
          const r = this.fresh(), o = this.fresh();
          const branch = (x: Expr) => this.nested(() => { const p = this.ptr(x); this.emit(js`${r} = ${p.r}; ${o} = ${p.o};`); });
          const thenCode = branch(e.then), elseCode = branch(e.else);
          this.emit(js`let ${r} = null, ${o} = 0;\nif ${test} {\n${thenCode}\n} else {\n${elseCode}\n}`);
          return { kind: 'ptr', r, o };
        }
        const t = this.fresh();
        const branch = (x: Expr) => this.nested(() => { const v = this.int(x); this.emit(js`${t} = ${v};`); });
        const thenCode = branch(e.then), elseCode = branch(e.else);
        this.emit(js`let ${t} = 0n;\nif ${test} {\n${thenCode}\n} else {\n${elseCode}\n}`);
        return { kind: 'int', v: t };
      }
      case 'sequence': this.value(e.first); return this.value(e.second);
      case 'funcAddr': return this.fromPointerObject(js`${h.resolve}(${literal(functionAddress(e.target))})`);
      case 'callHelper': {
        const args = e.args.map((a) => this.addressArg(a));
        this.helperCalls.push(e);
        const i = literal(this.helperCalls.length - 1);
        const r0 = this.fresh(), x = this.fresh();
        this.emit(js`let ${r0};
try { ${r0} = ${this.helperTable}(${literal(e.name)}, [${join(args, ', ')}]); } catch (${x}) { throw ${h.helperFail}(${i}, ${x}); }`);
        if (e.type.kind === 'int') return this.tempAs(js`(typeof ${r0} === 'bigint' ? ${this.norm(r0, e.type)} : ${h.helperResult}(${i}, ${r0}))`, e.type);
        const result = js`${h.helperResult}(${i}, ${r0})`;
        return e.type.kind === 'ptr' ? this.fromPointerObject(result) : this.temp(result);
      }
      case 'call': {
        const callee = this.ir.functions[e.func];
        if (callee === undefined) {
          this.emit(js`throw ${h.badCall}(${this.k(e.loc)}, ${literal(e.func)});`);
          return this.zero(e.type);
        }
        const args: Code[] = [this.k(e.loc)];
        callee.params.forEach((id, i) => {
          const type = callee.locals.find((l) => l.id === id)?.type;
          const a = e.args[i];
          if (type?.kind === 'ptr') {
            if (a === undefined) { args.push(literal(null), literal(0)); return; }
            const p = this.ptr(a);
            args.push(p.r, p.o);
          } else {
            args.push(a === undefined ? literal(0n) : this.int(a));
          }
        });
        for (let i = callee.params.length; i < e.args.length; i++) this.value(e.args[i]);
        const call = js`${this.fnNames[e.func]}(${join(args, ', ')})`;
        return callee.returnType.kind === 'ptr' ? this.fromPointerObject(call) : this.temp(call);
      }
      case 'stmtExpr': {
        // GNU statement expression: its statements are emitted in place, then its value is computed.
        this.stmt(e.body);
        return e.value ? this.value(e.value) : this.zero(e.type);
      }
      default: throw new Error(`unknown expression ${JSON.stringify((e as { op: unknown }).op)}`);
    }
  }

  /** Fetches (once per env) the pointer and address of a global/string/map leaf into module variables. */
  private staticAddress(base: AddressBase, loc: Loc): { r: Code; o: Code; a: Code } {
    this.statics.push(base);
    const sv = { r: this.fresh(), o: this.fresh(), a: this.fresh() };
    this.staticVars.push(sv);
    const q = this.fresh();
    this.emit(js`if (${sv.r} === undefined) { const ${q} = ${this.h.stat}(${literal(this.statics.length - 1)}, ${this.k(loc)}); ${sv.r} = ${q}.region; ${sv.o} = ${q}.offset; ${sv.a} = ${this.h.addrOf}(${q}); }`);
    return sv;
  }

  /** A helper argument as a u64. An int-to-pointer conversion is skipped: resolving keeps the address and has no effect. */
  private addressArg(a: Expr): Code {
    let inner = a;
    while (inner.op === 'ptrCast') inner = inner.operand;
    if (inner.op === 'intToPtr') return js`${this.h.asU}(64, ${this.int(inner.operand)})`;
    if (inner.op === 'addr' && inner.base.kind !== 'stack') return this.intTemp(this.staticAddress(inner.base, inner.loc).a);
    const v = this.value(a);
    return v.kind === 'int' ? js`${this.h.asU}(64, ${v.v})` : this.address(v.r, v.o);
  }

  private binary(kind: string, a: Code, b: Code, t: IntType): Code {
    const n = (x: Code) => this.norm(x, t);
    const mask = literal(t.bits === 64 ? 63n : 31n);
    switch (kind) {
      case 'add': return n(js`(${a} + ${b})`);
      case 'sub': return n(js`(${a} - ${b})`);
      case 'mul': return n(js`(${a} * ${b})`);
      case 'div': return js`(${b} === 0n ? 0n : ${n(js`(${a} / ${b})`)})`;
      case 'rem': return js`(${b} === 0n ? ${n(a)} : ${n(js`(${a} % ${b})`)})`;
      case 'and': return n(js`(${a} & ${b})`);
      case 'or': return n(js`(${a} | ${b})`);
      case 'xor': return n(js`(${a} ^ ${b})`);
      case 'shl': return n(js`(${n(a)} << (${this.h.asU}(64, ${b}) & ${mask}))`);
      case 'shr': return n(js`(${n(a)} >> (${this.h.asU}(64, ${b}) & ${mask}))`);
      case 'eq': return js`(${a} === ${b} ? 1n : 0n)`;
      case 'ne': return js`(${a} !== ${b} ? 1n : 0n)`;
      case 'lt': return js`(${a} < ${b} ? 1n : 0n)`;
      case 'le': return js`(${a} <= ${b} ? 1n : 0n)`;
      case 'gt': return js`(${a} > ${b} ? 1n : 0n)`;
      case 'ge': return js`(${a} >= ${b} ? 1n : 0n)`;
      default: throw new Error(`unknown binary operator ${JSON.stringify(kind)}`);
    }
  }
}


