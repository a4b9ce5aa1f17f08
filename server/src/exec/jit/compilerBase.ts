/**
 * The JIT compiler's state and its basic tools: generated names, the output buffer, temporaries, normalisation
 * of integers to their IR width, locals. The layers above it (memoryAccess.ts, expressions.ts, statements.ts)
 * each add one job; all code is made through codeBuilder.ts.
 *
 * Generated code: integers are bigints, pointers are two JS variables (region, offset); every temporary is
 * a fresh `const` so evaluation order is exactly the IR's.
 */
import type { AddressBase, Expr, IntType, IrFunction, IrProgram, IrType, Loc, Stmt } from '../../lang/ir';
import { Code, NameGenerator, join, js, literal } from '../codeBuilder';
import { HOST_ORDER, type CompiledTables, type HostName } from './host';

/** An integer (a bigint; `b`, when given, a JS boolean that is v !== 0n, for tests) or a pointer (region, offset). */
export type Compiled = { kind: 'int'; v: Code; b?: Code } | { kind: 'ptr'; r: Code; o: Code };
export type LocalVar = { kind: 'int'; v: Code } | { kind: 'ptr'; r: Code; o: Code };
/** The JS labels a break/continue jumps to; `label` is the IR loop's or switch's label (a lowered goto's target). */
export interface Target { brk: Code; cont: Code | null; label?: number }

export abstract class CompilerBase implements CompiledTables {
  readonly locs: Loc[] = [];
  protected readonly locIndexes = new Map<Loc, number>();
  readonly statics: AddressBase[] = [];
  readonly helperCalls: Array<Expr & { op: 'callHelper' }> = [];
  protected readonly hostNames = new NameGenerator('k');
  protected readonly h: Record<HostName, Code>;
  protected readonly vars = new NameGenerator('v');
  protected readonly labels = new NameGenerator('l');
  protected readonly fnNames: Code[];
  protected readonly budgetVar: Code;
  protected readonly stackTop: Code;
  protected readonly callDepth: Code;
  protected readonly helperTable: Code;
  /** the CallbackInvoker passed to the helper table with each call */
  protected readonly callbackVar: Code;
  /** the env's DirectHelpers, or null */
  protected readonly directHelpers: Code;
  /** Module-level cache of each `addr` leaf of a global/string/map: region (undefined until first use) and offset. */
  protected readonly staticVars: Array<{ r: Code; o: Code; a: Code }> = [];
  protected readonly stackVar: Code;
  /** the env's memory (ExecMemory), for its generation */
  protected readonly memoryVar: Code;
  /** Module-level cache of each pointer load site: the last region, its start as u32 halves (lo may be negative), its length, the memory generation. */
  protected readonly pointerCaches: Array<{ r: Code; lo: Code; hi: Code; n: Code; g: Code }> = [];

  // per-function state
  protected out: Code[] = [];
  protected locals = new Map<number, LocalVar>();
  protected func!: IrFunction;
  protected frameBase!: Code;
  protected retVar!: LocalVar;
  protected bodyLabel!: Code;
  protected targets: Target[] = [];
  protected slotOffsets = new Map<number, number>();
  /** The current function's parameters as JS variables (before the prologue copies them to locals or slots). */
  protected paramValues: LocalVar[] = [];

  constructor(readonly ir: IrProgram) {
    const h = {} as Record<HostName, Code>;
    for (const k of HOST_ORDER) h[k] = this.hostNames.fresh();
    this.h = h;
    const fnGen = new NameGenerator('f');
    this.fnNames = ir.functions.map(() => fnGen.fresh());
    this.budgetVar = this.vars.fresh();
    this.stackVar = this.vars.fresh();
    this.stackTop = this.vars.fresh();
    this.callDepth = this.vars.fresh();
    this.helperTable = this.vars.fresh();
    this.callbackVar = this.vars.fresh();
    this.directHelpers = this.vars.fresh();
    this.memoryVar = this.vars.fresh();
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
  protected k(loc: Loc): Code { return literal(this.locIndex(loc)); }

  protected fresh(): Code { return this.vars.fresh(); }
  protected emit(c: Code): void { this.out.push(c); }
  /** Compiles statements into a separate buffer. */
  protected nested(f: () => void): Code {
    const saved = this.out;
    this.out = [];
    f();
    const code = join(this.out, '\n');
    this.out = saved;
    return code;
  }

  /** Temporaries known to hold a value already normalised to a type, so re-normalising them is skipped. */
  protected readonly normalised = new Map<Code, IntType>();
  protected tempAs(x: Code, t: IntType): Compiled {
    const c = this.temp(x);
    this.normalised.set((c as { v: Code }).v, t);
    return c;
  }
  /** The literals of constant values, so normalising one is done here. */
  protected readonly constants = new Map<Code, bigint>();
  protected constant(value: bigint): Code {
    const c = literal(value);
    this.constants.set(c, value);
    return c;
  }
  /** A truth value as a JS boolean temporary and its 0n/1n (normalised in every int type). */
  protected boolTemp(b: Code, t: IntType): Compiled {
    const tb = this.fresh(), tv = this.fresh();
    this.emit(js`const ${tb} = ${b}, ${tv} = ${tb} ? 1n : 0n;`);
    this.normalised.set(tv, t);
    return { kind: 'int', v: tv, b: tb };
  }
  /** Whether x is a temporary or constant already normalised to t. */
  protected isNormalised(x: Code, t: IntType): boolean {
    const c = this.constants.get(x);
    if (c !== undefined) return c === (t.signed ? BigInt.asIntN(t.bits, c) : BigInt.asUintN(t.bits, c));
    const known = this.normalised.get(x);
    return known !== undefined && known.bits === t.bits && known.signed === t.signed;
  }
  protected norm(x: Code, t: IntType): Code {
    const c = this.constants.get(x);
    if (c !== undefined) return this.constant(t.signed ? BigInt.asIntN(t.bits, c) : BigInt.asUintN(t.bits, c));
    const known = this.normalised.get(x);
    if (known !== undefined && known.bits === t.bits && known.signed === t.signed) return x;
    return js`${t.signed ? this.h.asI : this.h.asU}(${literal(t.bits)}, ${x})`;
  }
  protected address(r: Code, o: Code): Code {
    return js`(${r} === null ? 0n : ${this.h.asU}(64, ${r}.addr + ${this.h.big}(${o})))`;
  }
  protected truthy(v: Compiled): Code {
    if (v.kind === 'int') return v.b !== undefined ? js`(${v.b})` : js`(${v.v} !== 0n)`;
    return js`(${v.r} !== null)`;
  }


  protected declareLocal(id: number, type: IrType | undefined): LocalVar {
    let lv = this.locals.get(id);
    if (lv === undefined) {
      lv = type?.kind === 'ptr' ? { kind: 'ptr', r: this.fresh(), o: this.fresh() } : { kind: 'int', v: this.fresh() };
      this.locals.set(id, lv);
    }
    return lv;
  }


  protected temp(x: Code): Compiled { return { kind: 'int', v: this.intTemp(x) }; }
  protected intTemp(x: Code): Code {
    const t = this.fresh();
    this.emit(js`const ${t} = ${x};`);
    return t;
  }
  protected ptrTemp(r: Code, o: Code): Compiled & { kind: 'ptr' } {
    const tr = this.fresh(), to = this.fresh();
    this.emit(js`const ${tr} = ${r}, ${to} = ${o};`);
    return { kind: 'ptr', r: tr, o: to };
  }
  protected fromPointerObject(x: Code): Compiled & { kind: 'ptr' } {
    const p = this.fresh();
    this.emit(js`const ${p} = ${x};`);
    return this.ptrTemp(js`${p}.region`, js`${p}.offset`);
  }

  protected int(e: Expr): Code {
    const v = this.value(e);
    if (v.kind === 'int') return v.v;
    return this.intTemp(this.address(v.r, v.o));
  }

  protected ptr(e: Expr): { r: Code; o: Code } {
    const v = this.value(e);
    if (v.kind === 'ptr') return v;
    return this.fromPointerObject(js`${this.h.resolve}(${v.v})`);
  }

  protected zero(type: IrType): Compiled {
    return type.kind === 'ptr' ? { kind: 'ptr', r: literal(null), o: literal(0) } : { kind: 'int', v: literal(0n) };
  }


  protected abstract value(e: Expr): Compiled;
  protected abstract stmt(s: Stmt): void;
}
