/**
 * Lowering: the checked syntax tree (with its semantic model) -> the executable IR of `ir.ts`.
 *
 * This is where C's implicit rules become explicit: integer promotions and usual arithmetic conversions
 * (as `convert` nodes), array-to-pointer decay, pointer arithmetic scaling, member offsets (CO-RE
 * relocated against the kernel's BTF for kernel types, as libbpf does at load), bit-field extraction,
 * struct copies, and where each variable lives: scalar locals stay IR locals, address-taken or aggregate
 * locals get stack slots, globals go to the data section clang would put them in (.bss/.data/.rodata,
 * laid out in definition order) and string literals to .rodata.str1.1.
 *
 * It never throws: a construct it cannot lower is reported (BPF1300 range) and replaced by a constant,
 * so the rest of the function is still lowered and checked.
 */
import { appendAll } from './arrays';
import * as ast from './ast';
import { Compilation, ProgramFunction } from './compile';
import { BlockItem, planGotoRegions } from './gotoRegions';
import { AtomicBuiltin, atomicBuiltin, clangRejectsAtomic } from './atomics';
import { CSymbol, Scope, Tag } from './sema/analyzer';
import { KERNEL_BTF_STRUCTS } from '../kernel/btfTable';
import { BtfField, BtfStruct, BtfTypeShape, btfTypeShape } from '../kernel/btf';
import { Diagnostics, FrontEndDiagnostic, formatMessage, DiagnosticMessage, MAX_COLLECTED_DIAGNOSTICS } from './diagnostics';
import {
  CType, resolve, sizeOf, alignOf, findMember, FieldInfo, RecordInfo, typeToString, usualArithmeticConversions, promote, Types, unqualified,
} from './types';
import {
  Expr, Stmt, Loc, IntType, PtrType, ScalarType, IrType, IrFunction, IrProgram, IrGlobal, Local, StackSlot, VOID, U64, S64, S32, U8,
  IntBits, AddressBase, CORE_POISON_HELPER_ID,
} from './ir';
import { helperNameById, isKernelKfunc } from './checker/helpers';

/** Resolves a field of a kernel struct against the running kernel's BTF (CO-RE); undefined when unknown. */
export type CoreFieldResolver = (recordName: string, fieldName: string) => number | undefined;

export interface LowerOptions {
  /** Object name as libbpf derives it (file name up to the first '.'), for the data sections' map names. */
  objectName: string;
  core?: CoreFieldResolver;
  /** The kernel's BTF structs by name (the simulated kernel's), which CO-RE accesses are relocated against. */
  coreTarget?: (structName: string) => BtfStruct | undefined;
}

export interface LowerResult {
  program: IrProgram;
  diagnostics: FrontEndDiagnostic[];
  /** IR function index by C function name. */
  functionIndex: Map<string, number>;
}

interface LValueMem {
  kind: 'mem'; ptr: Expr; offset: number; type: CType; field?: FieldInfo;
  /** CO-RE relocated (a field of a preserve_access_index record): clang emits a fresh load at each use. */
  core?: boolean;
  /** The kernel struct the object at this address is, for accesses to its own members (`map->refcnt.counter`). */
  coreStruct?: string;
  /** The kernel field's integer or pointer type when its size differs from the local one (bpf_core_patch_insn). */
  coreScalar?: ScalarType;
}
interface LValueLocal { kind: 'local'; id: number; type: CType; scalar: ScalarType }
type LValue = LValueMem | LValueLocal;

const DATA_SECTIONS = ['.rodata', '.data', '.bss'] as const;

/** One scalar (or whole sub-aggregate) an initializer list writes: where, what type, and with which initializer. */
interface InitializedSubobject { offset: number; type: CType; value: ast.Initializer; bitField?: { field: FieldInfo; base: number } }

/**
 * The subobjects an initializer list initializes, in order, as C11 6.7.9 defines them: positional elements continue
 * after the last designated subobject (`.arr[2].x = 5, 6` sets arr[2].y), nested designators (`.a.b`, `.arr[2].x`)
 * and GNU ranges (`[0 ... 3] = 7`) name subobjects at any depth, and braces may be elided (`{ 1, 2, 3, 4 }` for
 * an array of pairs). Later entries overwrite earlier ones, as clang applies them. Offsets are from the list's object.
 */
function initializedSubobjects(type: CType, list: ast.InitializerList, evaluate: (e: ast.Expression) => bigint | undefined, typeOf: (e: ast.Node) => CType | undefined): InitializedSubobject[] {
  interface Frame { type: CType; offset: number; index: number; members: FieldInfo[]; count: number }
  const frame = (t: CType, offset: number): Frame | undefined => {
    const r = resolve(t);
    if (r.kind === 'array') return { type: r, offset, index: 0, members: [], count: r.length ?? Number.MAX_SAFE_INTEGER };
    if (r.kind === 'record') {
      const members = r.record.fields.filter((f) => f.name !== undefined || f.bitWidth === undefined);
      return { type: r, offset, index: 0, members, count: members.length };
    }
    return undefined;
  };
  const subobject = (f: Frame, index: number): { type: CType; offset: number; field?: FieldInfo } | undefined => {
    const r = resolve(f.type);
    if (r.kind === 'array') return { type: r.of, offset: f.offset + index * (sizeOf(r.of) ?? 0) };
    const field = f.members[index];
    return field ? { type: field.type, offset: f.offset + field.offset, field } : undefined;
  };
  const advance = (f: Frame, index: number) => {
    const r = resolve(f.type);
    f.index = r.kind === 'record' && r.record.tag === 'union' ? f.count : index + 1;
  };
  const root = frame(type, 0);
  const out: InitializedSubobject[] = [];
  if (!root) return out;
  let frames: Frame[] = [root];
  const isWhole = (target: CType, value: ast.Initializer): boolean => {
    const r = resolve(target);
    if (r.kind !== 'array' && r.kind !== 'record') return true;
    if (value.kind === 'InitializerList') return true;
    if (r.kind === 'array' && value.kind === 'StringLiteral') return true;
    const valueType = typeOf(value);
    const v = valueType ? resolve(valueType) : undefined;
    return r.kind === 'record' && v?.kind === 'record' && v.record === r.record;
  };
  for (const item of list.items) {
    let first: number;
    let last: number;
    if (item.designators.length > 0) {
      frames = [root];
      let ok = true;
      item.designators.forEach((d, k) => {
        if (!ok) return;
        let top = frames[frames.length - 1];
        const r = resolve(top.type);
        if (d.kind === 'FieldDesignator' && r.kind === 'record') {
          const path = findMember(r.record, d.name.name);
          if (!path) { ok = false; return; }
          for (let i = 0; i < path.length; i++) {
            top.index = top.members.indexOf(path[i]);
            if (top.index < 0) { ok = false; return; }
            if (i < path.length - 1) { const inner = frame(path[i].type, top.offset + path[i].offset); if (!inner) { ok = false; return; } frames.push(inner); top = inner; }
          }
        } else if (d.kind === 'IndexDesignator' && r.kind === 'array') {
          const from = evaluate(d.index);
          const to = d.last ? evaluate(d.last) : from;
          if (from === undefined || to === undefined || from < 0n || to < from) { ok = false; return; }
          top.index = Number(from);
          if (k === item.designators.length - 1) { first = Number(from); last = Number(to); }
        } else { ok = false; return; }
        if (k < item.designators.length - 1) {
          const sub = subobject(top, top.index);
          const inner = sub && frame(sub.type, sub.offset);
          if (!inner) { ok = false; return; }
          frames.push(inner);
        }
      });
      if (!ok) { frames = [root]; root.index = root.count; continue; }
    } else {
      while (frames.length > 1 && frames[frames.length - 1].index >= frames[frames.length - 1].count) { frames.pop(); advance(frames[frames.length - 1], frames[frames.length - 1].index); }
    }
    let top = frames[frames.length - 1];
    if (top.index >= top.count) continue; // excess elements: sema warns, clang drops them
    first = item.designators.length > 0 && resolve(top.type).kind === 'array' ? first! : top.index;
    last = item.designators.length > 0 && resolve(top.type).kind === 'array' ? last! : top.index;
    // Brace elision: a scalar for an aggregate initializes the aggregate's first scalar, and the next ones follow.
    let sub = subobject(top, first);
    while (sub && !isWhole(sub.type, item.value) && first === last) {
      const inner = frame(sub.type, sub.offset);
      if (!inner || inner.count === 0) break;
      frames.push(inner);
      top = inner;
      first = last = 0;
      sub = subobject(top, 0);
    }
    if (!sub) continue;
    for (let index = first; index <= last && index < top.count; index++) {
      const target = subobject(top, index)!;
      if (target.field?.bitWidth !== undefined && item.value.kind !== 'InitializerList') {
        out.push({ offset: target.offset - target.field.offset, type: target.type, value: item.value, bitField: { field: target.field, base: target.offset - target.field.offset } });
      } else out.push({ offset: target.offset, type: target.type, value: item.value });
    }
    advance(top, last);
  }
  return out;
}

export function lowerProgram(compilation: Compilation, options: LowerOptions): LowerResult {
  return new Lowerer(compilation, options).run();
}

/** Maps a C scalar type to its IR type; undefined for aggregates, void, floats and 128-bit integers. */
export function irScalarType(type: CType): ScalarType | undefined {
  const t = resolve(type);
  if (t.kind === 'int') {
    if (t.size > 8) return undefined;
    return { kind: 'int', bits: (t.size * 8) as IntBits, signed: t.name === '_Bool' ? false : t.signed };
  }
  if (t.kind === 'enum') return { kind: 'int', bits: (t.info.underlying.size * 8) as IntBits, signed: t.info.underlying.signed };
  if (t.kind === 'pointer') return { kind: 'ptr', pointeeSize: pointeeSize(t.to), cName: typeToString(type) };
  return undefined;
}

function pointeeSize(type: CType): number {
  const t = resolve(type);
  if (t.kind === 'void' || t.kind === 'function') return 1; // GNU C: arithmetic on void* and function pointers steps by 1
  return sizeOf(t) ?? 1;
}

function isBool(type: CType): boolean {
  const t = resolve(type);
  return t.kind === 'int' && t.name === '_Bool';
}

/** A statement that break, continue or goto can leave; `label` is set once a labeled jump needs it. */
interface JumpScope { kind: 'loop' | 'switch' | 'forward' | 'backward'; label?: number; gotoLabel?: string }

class Lowerer {
  private readonly diagnostics: FrontEndDiagnostic[] = [];
  private readonly functions: IrFunction[] = [];
  private readonly functionIndex = new Map<string, number>();
  private readonly globals: IrGlobal[] = [];
  private readonly globalBySymbol = new Map<CSymbol, IrGlobal>();
  private readonly sectionSizes = new Map<string, number>();
  private readonly strings: Uint8Array[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly mapNames = new Set<string>();
  // Per-function state
  private locals: Local[] = [];
  private slots: StackSlot[] = [];
  private localBySymbol = new Map<CSymbol, number>();
  private addressTaken = new Set<CSymbol>();
  private stackTop = 0;
  private currentFunction?: ProgramFunction;
  /** The current function's constructs the simulator cannot run (see IrFunction.unsupported). */
  private unsupported?: Array<{ what: string; loc: Loc }>;
  /** What break, continue and goto can leave, innermost last (see gotoRegions.ts). */
  private jumpScopes: JumpScope[] = [];
  private nextJumpLabel = 0;
  private functionHasGoto = false;
  private functionLabels = new Set<string>();
  /** The operand of the innermost `x == 0`, `x != 0` or condition being lowered (clang inlines more memcmp there). */
  private zeroTestedCall?: ast.Expression;

  constructor(private readonly c: Compilation, private readonly options: LowerOptions) {}

  run(): LowerResult {
    for (const m of this.c.program.maps) this.mapNames.add(m.name);
    // Index every defined function first so calls can refer to functions defined later.
    const { functions: defined, globals } = this.emittedDefinitions();
    defined.forEach((f, i) => this.functionIndex.set(f.name, i));
    this.layoutGlobals(defined, globals);
    for (const f of defined) this.functions.push(this.lowerFunction(f));
    const entries = defined
      .map((f, i) => ({ f, i }))
      .filter(({ f }) => f.section !== undefined && /^iter(\.s)?\//.test(f.section))
      .map(({ f, i }) => ({ func: i, section: f.section!, target: f.section!.replace(/^iter(\.s)?\//, ''), sleepable: f.section!.startsWith('iter.s/') }));
    const sections = [...this.sectionSizes.entries()].map(([name, size]) => ({ name, size, readonly: name.startsWith('.rodata') }));
    const maps = this.c.program.maps.map((m) => ({
      name: m.name, type: String(m.type ?? 0), key_size: m.keySize ?? 0, value_size: m.valueSize ?? 0,
      max_entries: m.maxEntries ?? 0, map_flags: m.mapFlags ?? 0, loc: locOf(m.symbol.declaration),
      btf: m.keyType !== undefined && m.valueType !== undefined,
    }));
    return {
      program: { entries, functions: this.functions, globals: this.globals, sections, strings: this.strings, maps, license: this.c.program.license ?? null },
      diagnostics: this.diagnostics,
      functionIndex: this.functionIndex,
    };
  }

  /**
   * The functions and globals clang emits: every function of the file (lowered for its diagnostics even when
   * unused), a header's non-static functions, every non-static variable, and the static ones that emitted code
   * (or an emitted global's initializer) refers to; `bpf_tail_call_static` and the rest of libbpf's unused inline
   * functions produce no code.
   */
  private emittedDefinitions(): { functions: ProgramFunction[]; globals: Set<CSymbol> } {
    const all = this.c.program.functions;
    const byName = new Map(all.map((f) => [f.name, f]));
    const emitted = new Set<ProgramFunction>(all.filter((f) => !f.inHeader || !f.symbol.storage.includes('static')));
    // clang emits no unreferenced internal-linkage variable (a header's `static __u64 unused;` takes no .bss).
    const globals = new Set(this.c.program.globals.filter((symbol) => !symbol.storage.includes('static')));
    const pending: ast.Node[] = [...emitted].map((f) => f.definition.body);
    for (const symbol of globals) if (symbol.initializer) pending.push(symbol.initializer);
    const visitIdentifier = (node: ast.Node) => {
      if (node.kind !== 'Identifier') return;
      const symbol = this.c.model.referenceOf(node)?.symbol;
      if (!symbol?.fileScope) return;
      const callee = symbol.kind === 'function' ? byName.get(symbol.name) : undefined;
      if (callee && !emitted.has(callee)) { emitted.add(callee); pending.push(callee.definition.body); }
      if (symbol.kind === 'variable' && !globals.has(symbol) && !this.isHelperDeclaration(symbol)) { globals.add(symbol); if (symbol.initializer) pending.push(symbol.initializer); }
    };
    for (let node = pending.pop(); node; node = pending.pop()) ast.walk(node, visitIdentifier);
    return { functions: all.filter((f) => emitted.has(f)), globals };
  }

  private report(message: DiagnosticMessage, node: { file: number; pos: number; end: number }, args: ReadonlyArray<string | number | bigint> = []): void {
    if (message === Diagnostics.UnsupportedConstruct) this.unsupported?.push({ what: String(args[0]), loc: { file: node.file, pos: node.pos, end: node.end } });
    if (this.diagnostics.length >= MAX_COLLECTED_DIAGNOSTICS) return;
    this.diagnostics.push({ code: message.code, category: message.category, message: formatMessage(message.message, args), file: node.file, pos: node.pos, end: node.end });
  }

  // ------------------------------------------------------------------ globals and sections

  /** mirrors clang's section choice: explicit SEC(), else const -> .rodata, zero/uninit -> .bss, else .data. */
  private sectionOf(symbol: CSymbol): string | undefined {
    const explicit = symbol.attributes.find((a) => a.name === 'section')?.args[0];
    if (explicit && explicit.kind === 'StringLiteral') {
      const name = explicit.value;
      return name === '.maps' || name === 'license' || name === 'version' ? undefined : name;
    }
    if (symbol.storage.includes('extern')) return undefined;
    const t = symbol.type;
    if (resolve(t).kind === 'function') return undefined;
    // clang -O2 emits no storage for a `static const` scalar with a constant initializer: every read is folded
    // (libbpf's helper definitions `static long (* const bpf_x)(...) = (void *) N;` are such scalars).
    if (this.foldedConstant(symbol) !== undefined) return undefined;
    if (isConstObject(t)) return '.rodata';
    if (!symbol.initializer || initializerIsZero(symbol.initializer, this.c)) return '.bss';
    return '.data';
  }

  /** The value of a `static const` scalar with a constant initializer (what clang folds), else undefined. */
  private foldedConstant(symbol: CSymbol): bigint | undefined {
    if (!symbol.storage.includes('static') || !isConstObject(symbol.type) || !irScalarType(symbol.type)) return undefined;
    const init = symbol.initializer;
    if (!init || init.kind === 'InitializerList') return undefined;
    return this.c.model.evaluate(init) ?? (this.helperIdOf(init) !== undefined ? BigInt(this.helperIdOf(init)!) : undefined);
  }

  private layoutGlobals(functions: readonly ProgramFunction[], emitted: ReadonlySet<CSymbol>): void {
    const add = (symbol: CSymbol, section: string, loc: Loc) => {
      const size = sizeOf(symbol.type) ?? 0;
      const align = Math.max(1, alignOf(symbol.type));
      const offset = roundUp(this.sectionSizes.get(section) ?? 0, align);
      this.sectionSizes.set(section, offset + size);
      const g: IrGlobal = {
        name: symbol.name, section, offset, size, readonly: section.startsWith('.rodata'), cType: typeToString(symbol.type), loc,
        init: symbol.initializer ? this.constantBytes(symbol.type, symbol.initializer, size) : undefined,
      };
      this.globals.push(g);
      this.globalBySymbol.set(symbol, g);
    };
    for (const symbol of this.c.program.globals) {
      if (symbol.kind !== 'variable' || !emitted.has(symbol)) continue;
      const section = this.sectionOf(symbol);
      if (section) add(symbol, section, locOf(symbol.declaration));
    }
    // Function-local statics (BPF_SEQ_PRINTF's `static const char ___fmt[]`) live in the data sections too,
    // after the file-scope ones of the same section, in order of appearance.
    for (const f of functions) {
      ast.walk(f.definition.body, (node) => {
        if (node.kind !== 'Declaration' || !node.specifiers.storage.includes('static')) return;
        for (const d of node.declarators) {
          const symbol = this.symbolOfDeclarator(d.declarator);
          if (symbol && !this.globalBySymbol.has(symbol)) {
            const section = this.sectionOf(symbol);
            if (section) add(symbol, section, locOf(d));
          }
        }
      });
    }
    for (const s of DATA_SECTIONS) if (this.sectionSizes.get(s) === 0) this.sectionSizes.delete(s);
  }

  private symbolOfDeclarator(declarator: ast.Declarator): CSymbol | undefined {
    if (!declarator.name) return undefined;
    return this.c.model.referenceOf(declarator.name)?.symbol;
  }

  /** Bytes of a constant initializer (what clang puts in .data/.rodata); undefined when not constant. */
  private constantBytes(type: CType, init: ast.Initializer, size: number): Uint8Array | undefined {
    const bytes = new Uint8Array(size);
    const ok = this.fillConstant(bytes, 0, type, init);
    return ok ? bytes : undefined;
  }

  private fillConstant(bytes: Uint8Array, offset: number, type: CType, init: ast.Initializer): boolean {
    // Initializers past the object (excess elements, a designator beyond the array: reported by sema, or left by
    // a syntax error) write nothing, as clang drops them.
    if (offset < 0 || offset >= bytes.length) return true;
    const t = resolve(type);
    if (t.kind === 'array' && init.kind === 'StringLiteral') {
      const data = stringBytes(init.value);
      bytes.set(data.subarray(0, Math.min(data.length, (t.length ?? data.length + 1), bytes.length - offset)), offset);
      return true;
    }
    if (init.kind === 'InitializerList' && (t.kind === 'array' || t.kind === 'record')) {
      for (const entry of initializedSubobjects(t, init, (e) => this.c.model.evaluate(e), (e) => this.c.typeOf(e))) {
        if (entry.bitField) {
          const v = entry.value.kind === 'InitializerList' ? undefined : this.c.model.evaluate(entry.value);
          if (v === undefined) return false;
          writeBits(bytes, offset + entry.bitField.base, entry.bitField.field.bitOffset, entry.bitField.field.bitWidth!, v);
        } else if (!this.fillConstant(bytes, offset + entry.offset, entry.type, entry.value)) return false;
      }
      return true;
    }
    if (init.kind === 'InitializerList') {
      // Scalar in braces.
      return init.items.length === 0 || this.fillConstant(bytes, offset, type, init.items[0].value);
    }
    const value = this.c.model.evaluate(init);
    if (value === undefined) return false;
    const size = sizeOf(t) ?? 0;
    const v = BigInt.asUintN(size * 8, isBool(t) ? (value !== 0n ? 1n : 0n) : value);
    for (let i = 0; i < size && offset + i < bytes.length; i++) bytes[offset + i] = Number((v >> BigInt(8 * i)) & 0xffn);
    return true;
  }

  private stringLiteral(node: ast.StringLiteral): Expr {
    const key = node.value;
    let index = this.stringIndex.get(key);
    if (index === undefined) {
      index = this.strings.length;
      const bytes = stringBytes(node.value);
      const withNul = new Uint8Array(bytes.length + 1);
      withNul.set(bytes);
      this.strings.push(withNul);
      this.stringIndex.set(key, index);
      this.sectionSizes.set('.rodata.str1.1', (this.sectionSizes.get('.rodata.str1.1') ?? 0) + withNul.length);
    }
    return { op: 'addr', base: { kind: 'string', index }, type: charPtr('const char *'), loc: locOf(node) };
  }

  // ------------------------------------------------------------------ functions

  private lowerFunction(f: ProgramFunction): IrFunction {
    this.locals = [];
    this.slots = [];
    this.localBySymbol = new Map();
    this.stackTop = 0;
    this.currentFunction = f;
    const unsupported: Array<{ what: string; loc: Loc }> = [];
    this.unsupported = unsupported;
    this.addressTaken = this.findAddressTaken(f.definition.body);
    this.jumpScopes = [];
    this.functionHasGoto = false;
    this.functionLabels = new Set();
    ast.walk(f.definition.body, (node) => {
      if (node.kind === 'Goto') this.functionHasGoto = true;
      if (node.kind === 'Labeled') this.functionLabels.add(node.label.name);
    });
    const fnType = resolve(f.symbol.type);
    const returns = fnType.kind === 'function' ? fnType.returns : Types.int;
    const params: number[] = [];
    const derivation = f.definition.declarator.derivations[f.definition.declarator.derivations.length - 1];
    const preamble: Stmt[] = [];
    if (derivation?.kind === 'Function') {
      derivation.parameters.forEach((p, index) => {
        const symbol = this.symbolOfDeclarator(p.declarator);
        const type = f.parameters[index] ?? Types.int;
        const scalar = irScalarType(type);
        if (!symbol || !scalar) {
          if (!scalar && !(resolve(type).kind === 'void')) this.report(Diagnostics.UnsupportedConstruct, p, ['a parameter that is not an integer or a pointer']);
          return;
        }
        const id = this.newLocal(symbol.name, type, locOf(p), true, symbol);
        params.push(id);
        const local = this.locals[id];
        if (local.slot !== undefined) {
          // An address-taken parameter is copied into its stack slot on entry.
          const incoming = this.newLocal(`${symbol.name}.in`, type, locOf(p), true);
          params[params.length - 1] = incoming;
          preamble.push({ op: 'expr', expr: this.storeTo(this.slotAddr(local.slot, type, locOf(p)), 0, type, { op: 'local', id: incoming, type: scalar, loc: locOf(p) }, locOf(p)), loc: locOf(p) });
        }
      });
    }
    const body = this.compound(f.definition.body);
    const fnBody: Stmt = preamble.length ? { op: 'block', body: [...preamble, body], loc: body.loc } : body;
    const returnScalar = irScalarType(returns);
    return {
      index: this.functionIndex.get(f.name)!, name: f.name, params, returnType: returnScalar ?? VOID,
      locals: this.locals, slots: this.slots, stackSize: roundUp(this.stackTop, 8), body: fnBody, loc: locOf(f.definition),
      ...(f.symbol.storage.includes('static') ? {} : { global: true }),
      ...(unsupported.length > 0 ? { unsupported } : {}),
    };
  }

  private findAddressTaken(body: ast.Node): Set<CSymbol> {
    const out = new Set<CSymbol>();
    ast.walk(body, (node) => {
      if (node.kind === 'Unary' && node.operator === '&') {
        let target: ast.Expression = node.operand;
        // &x.a, &x[1] take the address of x too.
        while (target.kind === 'Member' && !target.arrow) target = target.object;
        while (target.kind === 'Index') target = target.object;
        if (target.kind === 'Identifier') {
          const s = this.c.model.referenceOf(target)?.symbol;
          if (s) out.add(s);
        }
      }
    });
    return out;
  }

  private newLocal(name: string, type: CType, loc: Loc, isParam: boolean, symbol?: CSymbol): number {
    const id = this.locals.length;
    const scalar = irScalarType(type);
    const local: Local = { id, name, cType: typeToString(type), isParam, loc };
    if (scalar && !(symbol && this.addressTaken.has(symbol))) {
      local.type = scalar;
    } else {
      const size = sizeOf(type) ?? 0;
      const align = Math.max(1, Math.min(8, alignOf(type)));
      // Slots are laid out from the frame's base upwards; the frame is the function's share of the 512-byte stack.
      const offset = roundUp(this.stackTop, align);
      this.stackTop = offset + size;
      const slot: StackSlot = { id: this.slots.length, offset, size, align, local: id };
      this.slots.push(slot);
      local.slot = slot.id;
    }
    this.locals.push(local);
    if (symbol) this.localBySymbol.set(symbol, id);
    return id;
  }

  private newTemp(type: CType, loc: Loc): number {
    const id = this.locals.length;
    const scalar = irScalarType(type)!;
    this.locals.push({ id, name: `tmp${id}`, cType: typeToString(type), type: scalar, isParam: false, loc });
    return id;
  }

  private slotAddr(slot: number, type: CType, loc: Loc): Expr {
    return { op: 'addr', base: { kind: 'stack', slot }, type: ptrTo(type), loc };
  }

  // ------------------------------------------------------------------ statements

  private compound(node: ast.CompoundStatement): Stmt {
    const regions = this.functionHasGoto ? planGotoRegions(node.items) : [];
    return { op: 'block', body: this.blockItems(node.items, 0, node.items.length - 1, regions), loc: locOf(node) };
  }

  /** Items first..last of a block, with the goto regions that lie inside that range (sorted outermost first). */
  private blockItems(items: ReadonlyArray<BlockItem>, first: number, last: number, regions: ReturnType<typeof planGotoRegions>): Stmt[] {
    const body: Stmt[] = [];
    for (let i = first; i <= last;) {
      const region = regions.find((r) => r.first === i);
      if (!region) {
        const item = items[i++];
        if (item.kind === 'Declaration') appendAll(body, this.localDeclaration(item));
        else if (item.kind !== 'StaticAssert') body.push(this.statement(item));
        continue;
      }
      const inner = regions.filter((r) => r !== region && r.first >= region.first && r.last <= region.last);
      const scope: JumpScope = { kind: region.kind, gotoLabel: region.label, label: this.nextJumpLabel++ };
      this.jumpScopes.push(scope);
      const stmts = this.blockItems(items, region.first, region.last, inner);
      this.jumpScopes.pop();
      const loc: Loc = { ...locOf(items[region.first]), end: locOf(items[region.last]).end };
      if (region.kind === 'forward') {
        // do { ... } while (0): `goto label` is `break` of it
        body.push({ op: 'loop', body: { op: 'block', body: stmts, loc }, test: { op: 'const', type: S32, value: 0n, loc }, testFirst: false, label: scope.label, loc });
      } else {
        // for (;;) { ...; break; }: `goto label` is `continue` of it; no break after a last statement that never ends
        const last = stmts[stmts.length - 1];
        if (!last || !(last.op === 'continue' || last.op === 'break' || last.op === 'return')) stmts.push({ op: 'break', label: scope.label, loc });
        body.push({ op: 'loop', body: { op: 'block', body: stmts, loc }, testFirst: true, label: scope.label, loc });
      }
      i = region.last + 1;
    }
    return body;
  }

  /** Lowers a loop or switch body with its scope pushed, so that break/continue crossing a goto region name it. */
  private withJumpScope<T>(kind: 'loop' | 'switch', lower: () => T): { result: T; label?: number } {
    const scope: JumpScope = { kind };
    this.jumpScopes.push(scope);
    const result = lower();
    this.jumpScopes.pop();
    return { result, label: scope.label };
  }

  /** break/continue: plain unless a goto region lies between it and its loop or switch, then labeled. */
  private jump(op: 'break' | 'continue', loc: Loc): Stmt {
    for (let i = this.jumpScopes.length - 1; i >= 0; i--) {
      const scope = this.jumpScopes[i];
      if (scope.kind === 'loop' || (op === 'break' && scope.kind === 'switch')) {
        const crossesRegion = this.jumpScopes.slice(i + 1).some((s) => s.kind === 'forward' || s.kind === 'backward');
        if (!crossesRegion) return { op, loc };
        scope.label ??= this.nextJumpLabel++;
        return { op, label: scope.label, loc };
      }
    }
    return { op, loc };
  }

  private gotoStatement(node: ast.GotoStatement, loc: Loc): Stmt {
    for (let i = this.jumpScopes.length - 1; i >= 0; i--) {
      const scope = this.jumpScopes[i];
      if (scope.gotoLabel === node.label.name) return { op: scope.kind === 'forward' ? 'break' : 'continue', label: scope.label, loc };
    }
    // A jump into a nested block or into a loop from outside it: no structured form (see gotoRegions.ts).
    // An undeclared label is sema's error already.
    if (this.functionLabels.has(node.label.name)) this.report(Diagnostics.UnsupportedConstruct, node, ['a goto into another block']);
    return { op: 'block', body: [], loc };
  }

  private localDeclaration(node: ast.Declaration): Stmt[] {
    const out: Stmt[] = [];
    const storage = node.specifiers.storage;
    if (storage.includes('typedef') || storage.includes('extern')) return out;
    for (const d of node.declarators) {
      const symbol = this.symbolOfDeclarator(d.declarator);
      if (!symbol || symbol.kind !== 'variable') continue;
      if (storage.includes('static')) continue; // laid out as a global
      const loc = locOf(d);
      const id = this.newLocal(symbol.name, symbol.type, loc, false, symbol);
      const local = this.locals[id];
      if (local.type) {
        const init = d.initializer && d.initializer.kind !== 'InitializerList' ? this.rvalueAs(d.initializer, symbol.type) :
          d.initializer && d.initializer.kind === 'InitializerList' && d.initializer.items[0] && d.initializer.items[0].value.kind !== 'InitializerList'
            ? this.rvalueAs(d.initializer.items[0].value as ast.Expression, symbol.type)
            : d.initializer ? this.zeroOf(local.type, loc) : undefined;
        out.push({ op: 'declare', id, init, loc });
      } else {
        out.push({ op: 'declare', id, loc });
        if (d.initializer) appendAll(out, this.initializeMemory(this.slotAddr(local.slot!, symbol.type, loc), 0, symbol.type, d.initializer, true));
      }
    }
    return out;
  }

  /** Stores an initializer into memory at ptr+offset; `zeroFirst` zero-fills the object (C's rule for partial initializers). */
  private initializeMemory(ptr: Expr, offset: number, type: CType, init: ast.Initializer, zeroFirst: boolean): Stmt[] {
    const loc = locOf(init);
    const t = resolve(type);
    const out: Stmt[] = [];
    const size = sizeOf(t) ?? 0;
    if (t.kind === 'array' && init.kind === 'StringLiteral') {
      const bytes = stringBytes(init.value);
      if (zeroFirst) out.push({ op: 'expr', expr: { op: 'fill', dst: this.offsetPtr(ptr, offset, loc), byte: 0, size, type: VOID, loc }, loc });
      for (let i = 0; i < Math.min(bytes.length, size); i++) {
        out.push({ op: 'expr', expr: { op: 'store', ptr, offset: offset + i, size: 1, value: { op: 'const', type: { kind: 'int', bits: 8, signed: false }, value: BigInt(bytes[i]), loc }, type: { kind: 'int', bits: 8, signed: false }, loc }, loc });
      }
      return out;
    }
    if (init.kind !== 'InitializerList') {
      if (t.kind === 'record' || t.kind === 'array') {
        const src = this.addressOfExpression(init);
        if (src) out.push({ op: 'expr', expr: { op: 'copy', dst: this.offsetPtr(ptr, offset, loc), src, size, type: VOID, loc }, loc });
        return out;
      }
      out.push({ op: 'expr', expr: this.storeTo(ptr, offset, type, this.rvalueAs(init, type), loc), loc });
      return out;
    }
    if (zeroFirst) out.push({ op: 'expr', expr: { op: 'fill', dst: this.offsetPtr(ptr, offset, loc), byte: 0, size, type: VOID, loc }, loc });
    if (t.kind === 'array' || t.kind === 'record') {
      for (const entry of initializedSubobjects(t, init, (e) => this.c.model.evaluate(e), (e) => this.c.typeOf(e))) {
        if (entry.bitField) {
          out.push({ op: 'expr', expr: this.storeBitfield(ptr, offset + entry.bitField.base, entry.bitField.field, this.rvalueAs(entry.value as ast.Expression, entry.bitField.field.type), loc), loc });
        } else {
          appendAll(out, this.initializeMemory(ptr, offset + entry.offset, entry.type, entry.value, false));
        }
      }
    } else if (init.items[0]) {
      appendAll(out, this.initializeMemory(ptr, offset, type, init.items[0].value, false));
    }
    return out;
  }

  private statement(node: ast.Statement): Stmt {
    const loc = locOf(node);
    switch (node.kind) {
      case 'Compound': return this.compound(node);
      case 'ExpressionStatement':
        return node.expression ? { op: 'expr', expr: this.expression(node.expression, true), loc } : { op: 'block', body: [], loc };
      case 'If': return { op: 'if', test: this.test(node.condition), then: this.statement(node.then), else: node.else ? this.statement(node.else) : undefined, loc };
      case 'While': {
        const test = this.test(node.condition);
        const { result: body, label } = this.withJumpScope('loop', () => this.statement(node.body));
        return { op: 'loop', test, body, testFirst: true, label, loc };
      }
      case 'Do': {
        const test = this.test(node.condition);
        const { result: body, label } = this.withJumpScope('loop', () => this.statement(node.body));
        return { op: 'loop', test, body, testFirst: false, label, loc };
      }
      case 'For': {
        let init: Stmt | undefined;
        if (node.init?.kind === 'Declaration') init = { op: 'block', body: this.localDeclaration(node.init), loc: locOf(node.init) };
        else if (node.init) init = { op: 'expr', expr: this.expression(node.init, true), loc: locOf(node.init) };
        const test = node.condition ? this.test(node.condition) : undefined;
        const update = node.update ? this.expression(node.update, true) : undefined;
        const { result: body, label } = this.withJumpScope('loop', () => this.statement(node.body));
        return { op: 'loop', init, test, update, body, testFirst: true, label, loc };
      }
      case 'Break': return this.jump('break', loc);
      case 'Continue': return this.jump('continue', loc);
      case 'Return': {
        const fnType = this.currentFunction ? resolve(this.currentFunction.symbol.type) : undefined;
        const returns = fnType?.kind === 'function' ? fnType.returns : Types.int;
        return { op: 'return', value: node.value && irScalarType(returns) ? this.rvalueAs(node.value, returns) : node.value ? this.expression(node.value, true) : undefined, loc };
      }
      case 'Switch': return this.switchStatement(node);
      case 'Case': case 'Default':
        // A case label outside the switch body's top level: lowered by switchStatement; here only its body.
        return this.statement(node.body);
      case 'Labeled': return this.statement(node.body);
      case 'Goto': return this.gotoStatement(node, loc);
      case 'Asm':
        this.report(Diagnostics.UnsupportedConstruct, node, ['inline assembly']);
        return { op: 'block', body: [], loc };
      default:
        return { op: 'block', body: [], loc };
    }
  }

  private switchStatement(node: ast.SwitchStatement): Stmt {
    const loc = locOf(node);
    const discriminantType = promote(this.typeOf(node.discriminant));
    const test = this.rvalueAs(node.discriminant, discriminantType);
    // A discriminant that is not an integer (sema reported it; error recovery can make one) compares as int.
    const scalar = irScalarType(discriminantType);
    const caseType: IntType = scalar?.kind === 'int' ? scalar : S32;
    const cases: Array<{ values: bigint[] | 'default'; body: Stmt[]; loc: Loc }> = [];
    const items = node.body.kind === 'Compound' ? node.body.items : [node.body];
    let current: { values: bigint[] | 'default'; body: Stmt[]; loc: Loc } | undefined;
    const open = (values: bigint[] | 'default', at: ast.Node) => { current = { values, body: [], loc: locOf(at) }; cases.push(current); };
    const pushStatement = (s: ast.Statement | ast.Declaration | ast.StaticAssert) => {
      // Nested labels: `case 1: case 2: stmt` arrives as Case(Case(stmt)).
      let inner: ast.Statement | ast.Declaration | ast.StaticAssert = s;
      while (inner.kind === 'Case' || inner.kind === 'Default') {
        if (inner.kind === 'Default') open('default', inner);
        else {
          const first = this.c.model.evaluate(inner.value) ?? 0n;
          const last = inner.last ? this.c.model.evaluate(inner.last) ?? first : first;
          const values: bigint[] = [];
          for (let v = first; v <= last && values.length < 4096; v++) values.push(BigInt.asUintN(64, v));
          open(values.map((v) => wrapTo(v, caseType)), inner);
        }
        inner = inner.body;
      }
      if (!current) open([], s); // statements before the first label never run, but are still checked
      if (inner.kind === 'Declaration') appendAll(current!.body, this.localDeclaration(inner));
      else if (inner.kind !== 'StaticAssert') current!.body.push(this.statement(inner));
    };
    const { label } = this.withJumpScope('switch', () => { for (const item of items) pushStatement(item); });
    return { op: 'switch', test, cases, label, loc };
  }

  // ------------------------------------------------------------------ expressions

  private typeOf(node: ast.Expression): CType {
    return this.c.typeOf(node) ?? Types.int;
  }

  /** An expression used as a condition: int != 0, or pointer != NULL, as an int 0/1. */
  private test(node: ast.Expression): Expr {
    this.zeroTestedCall = node;
    const type = this.typeOf(node);
    const scalar = irScalarType(decay(type));
    const loc = locOf(node);
    if (node.kind === 'Unary' && node.operator === '!') {
      return { op: 'unary', kind: 'lnot', operand: this.test(node.operand), type: S32, loc };
    }
    const value = this.rvalue(node);
    if (scalar?.kind === 'ptr') return { op: 'ptrCompare', kind: 'ne', left: value, right: { op: 'null', type: scalar, loc }, type: S32, loc };
    if (isComparison(node)) return value;
    const intType = (scalar as IntType | undefined) ?? S32;
    return { op: 'binary', kind: 'ne', left: value, right: { op: 'const', type: intType, value: 0n, loc }, type: S32, loc };
  }

  /** Evaluates and converts to `target`. */
  private rvalueAs(node: ast.Expression, target: CType): Expr {
    return this.convert(this.rvalue(node), this.typeOf(node), target, locOf(node));
  }

  private convert(value: Expr, from: CType, to: CType, loc: Loc): Expr {
    const f = irScalarType(decay(from));
    const t = irScalarType(to);
    if (!t || !f) return value;
    if (t.kind === 'int' && isBool(to)) {
      if (f.kind === 'ptr') return { op: 'convert', operand: { op: 'ptrCompare', kind: 'ne', left: value, right: { op: 'null', type: f, loc }, type: S32, loc }, type: t, loc };
      return { op: 'convert', operand: { op: 'binary', kind: 'ne', left: value, right: { op: 'const', type: f, value: 0n, loc }, type: S32, loc }, type: t, loc };
    }
    if (t.kind === 'int' && f.kind === 'int') {
      if (t.bits === f.bits && t.signed === f.signed) return value;
      if (value.op === 'const') return { op: 'const', type: t, value: wrapTo(value.value, t), loc: value.loc };
      return { op: 'convert', operand: value, type: t, loc };
    }
    if (t.kind === 'ptr' && f.kind === 'ptr') return value.type.kind === 'ptr' && value.type.cName === t.cName ? value : { op: 'ptrCast', operand: value, type: t, loc };
    if (t.kind === 'ptr' && f.kind === 'int') {
      if (value.op === 'const' && value.value === 0n) return { op: 'null', type: t, loc };
      return { op: 'intToPtr', operand: value.type.kind === 'int' && value.type.bits === 64 ? value : { op: 'convert', operand: value, type: U64, loc }, type: t, loc };
    }
    // pointer -> integer
    const asInt: Expr = { op: 'ptrToInt', operand: value, type: U64, loc };
    if (t.kind !== 'int') return asInt;
    return t.bits === 64 && !t.signed ? asInt : { op: 'convert', operand: asInt, type: t, loc };
  }

  /** The value of an expression (arrays and functions decay to pointers). */
  private rvalue(node: ast.Expression): Expr {
    return this.expression(node, false);
  }

  private expression(node: ast.Expression, discarded: boolean): Expr {
    const loc = locOf(node);
    const type = this.typeOf(node);
    switch (node.kind) {
      case 'IntegerLiteral': case 'CharLiteral': {
        const t = (irScalarType(type) as IntType | undefined) ?? S32;
        return { op: 'const', type: t, value: wrapTo(node.value, t), loc };
      }
      case 'StringLiteral': return this.stringLiteral(node);
      case 'Identifier': {
        const symbol = this.c.model.referenceOf(node)?.symbol;
        if (symbol?.kind === 'enumerator') {
          const t = (irScalarType(type) as IntType | undefined) ?? S32;
          return { op: 'const', type: t, value: wrapTo(symbol.value ?? 0n, t), loc };
        }
        if (symbol?.kind === 'variable' && !this.localBySymbol.has(symbol) && !this.globalBySymbol.has(symbol)) {
          const folded = this.foldedConstant(symbol);
          const scalar = irScalarType(type);
          if (folded !== undefined && scalar?.kind === 'int') return { op: 'const', type: scalar, value: wrapTo(folded, scalar), loc };
        }
        if (symbol?.kind === 'function') return this.functionValue(symbol, loc);
        return this.loadLValue(this.lvalue(node), loc);
      }
      case 'Member': case 'Index':
        return this.loadLValue(this.lvalue(node), loc);
      case 'Unary': return this.unary(node, type, discarded);
      case 'Postfix': return this.increment(node.operand, node.operator === '++' ? 'add' : 'sub', true, loc, discarded);
      case 'Binary': return this.binary(node, type);
      case 'Assignment': return this.assignment(node);
      case 'Conditional': {
        const scalar = irScalarType(decay(type));
        if (!scalar) {
          this.report(Diagnostics.UnsupportedConstruct, node, ['a conditional expression of aggregate type']);
          return { op: 'const', type: S32, value: 0n, loc };
        }
        const whenTrue = node.whenTrue ? this.rvalueAs(node.whenTrue, type) : this.rvalueAs(node.condition, type);
        return { op: 'conditional', test: this.test(node.condition), then: whenTrue, else: this.rvalueAs(node.whenFalse, type), type: scalar, loc };
      }
      case 'Comma': {
        let result = this.expression(node.expressions[0], true);
        for (let i = 1; i < node.expressions.length; i++) {
          const next = this.expression(node.expressions[i], discarded || i < node.expressions.length - 1);
          result = { op: 'sequence', first: result, second: next, type: next.type, loc };
        }
        return result;
      }
      case 'Call': return this.call(node, type, discarded);
      case 'Cast': {
        const target = this.c.typeOf(node) ?? Types.int;
        if (resolve(target).kind === 'void') return this.expression(node.operand, true);
        return this.convert(this.rvalue(node.operand), this.typeOf(node.operand), target, loc);
      }
      case 'Sizeof': case 'Offsetof': case 'TypesCompatible': {
        const value = this.c.model.evaluate(node) ?? 0n;
        const t = (irScalarType(type) as IntType | undefined) ?? U64;
        return { op: 'const', type: t, value: wrapTo(value, t), loc };
      }
      case 'StatementExpression': {
        const items = node.body.items;
        const last = items[items.length - 1];
        if (last && last.kind === 'ExpressionStatement' && last.expression && irScalarType(decay(type))) {
          const body = this.compound({ ...node.body, items: items.slice(0, -1) });
          return { op: 'stmtExpr', body, value: this.rvalue(last.expression), type: irScalarType(decay(type))!, loc };
        }
        return { op: 'stmtExpr', body: this.compound(node.body), type: VOID, loc };
      }
      case 'CompoundLiteral': {
        const id = this.newLocal('compound literal', type, loc, false);
        const slot = this.locals[id].slot;
        if (slot === undefined) {
          const init = node.initializer.items[0]?.value;
          return init && init.kind !== 'InitializerList' ? this.rvalueAs(init, type) : this.zeroOf(irScalarType(type)!, loc);
        }
        const addr = this.slotAddr(slot, type, loc);
        const stmts = this.initializeMemory(addr, 0, type, node.initializer, true);
        return { op: 'stmtExpr', body: { op: 'block', body: stmts, loc }, value: addr, type: addr.type, loc };
      }
      case 'Generic': case 'VaArg': case 'FloatLiteral':
        this.report(Diagnostics.UnsupportedConstruct, node, [node.kind === 'FloatLiteral' ? 'floating point' : node.kind === 'VaArg' ? 'va_arg' : '_Generic']);
        return { op: 'const', type: S32, value: 0n, loc };
      default:
        return { op: 'const', type: S32, value: 0n, loc };
    }
  }

  private zeroOf(type: ScalarType, loc: Loc): Expr {
    return type.kind === 'ptr' ? { op: 'null', type, loc } : { op: 'const', type, value: 0n, loc };
  }

  private unary(node: ast.UnaryExpression, type: CType, discarded: boolean): Expr {
    const loc = locOf(node);
    switch (node.operator) {
      case '&': {
        const addr = this.addressOfExpression(node.operand);
        return addr ?? { op: 'null', type: ptrTo(this.typeOf(node.operand)), loc };
      }
      case '*': return this.loadLValue(this.lvalue(node), loc);
      case '++': case '--': return this.increment(node.operand, node.operator === '++' ? 'add' : 'sub', false, loc, discarded);
      case '!': return { op: 'unary', kind: 'lnot', operand: this.test(node.operand), type: S32, loc };
      case '+': return this.rvalueAs(node.operand, type);
      case '-': case '~': {
        const t = (irScalarType(type) as IntType | undefined) ?? S32;
        return { op: 'unary', kind: node.operator === '-' ? 'neg' : 'not', operand: this.rvalueAs(node.operand, type), type: t, loc };
      }
      case '__extension__': case '__real__': return this.expression(node.operand, discarded);
      default:
        this.report(Diagnostics.UnsupportedConstruct, node, [`the ${node.operator} operator`]);
        return { op: 'const', type: S32, value: 0n, loc };
    }
  }

  private binary(node: ast.BinaryExpression, type: CType): Expr {
    const loc = locOf(node);
    const op = node.operator;
    if ((op === '==' || op === '!=') && (this.c.model.evaluate(node.left) === 0n || this.c.model.evaluate(node.right) === 0n)) {
      this.zeroTestedCall = this.c.model.evaluate(node.left) === 0n ? node.right : node.left;
    }
    if (op === '&&' || op === '||') {
      return { op: 'logical', kind: op === '&&' ? 'and' : 'or', left: this.test(node.left), right: this.test(node.right), type: S32, loc };
    }
    const lt = decay(this.typeOf(node.left));
    const rt = decay(this.typeOf(node.right));
    const lp = resolve(lt).kind === 'pointer';
    const rp = resolve(rt).kind === 'pointer';
    if (lp || rp) return this.pointerBinary(node, lt, rt, type);
    const cmp: Record<string, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
    if (op in cmp) {
      const common = usualArithmeticConversions(lt, rt);
      return { op: 'binary', kind: cmp[op], left: this.rvalueAs(node.left, common), right: this.rvalueAs(node.right, common), type: S32, loc };
    }
    const arith: Record<string, 'add' | 'sub' | 'mul' | 'div' | 'rem' | 'and' | 'or' | 'xor' | 'shl' | 'shr'> = {
      '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'rem', '&': 'and', '|': 'or', '^': 'xor', '<<': 'shl', '>>': 'shr',
    };
    const kind = arith[op];
    const t = (irScalarType(type) as IntType | undefined) ?? S32;
    if (!kind) return { op: 'const', type: t, value: 0n, loc };
    if (kind === 'shl' || kind === 'shr') {
      // The right operand is promoted on its own; the IR takes the count as the result type.
      return { op: 'binary', kind, left: this.rvalueAs(node.left, type), right: this.rvalueAs(node.right, type), type: t, loc };
    }
    return { op: 'binary', kind, left: this.rvalueAs(node.left, type), right: this.rvalueAs(node.right, type), type: t, loc };
  }

  private pointerBinary(node: ast.BinaryExpression, lt: CType, rt: CType, type: CType): Expr {
    const loc = locOf(node);
    const op = node.operator;
    const lp = resolve(lt).kind === 'pointer';
    const rp = resolve(rt).kind === 'pointer';
    const cmp: Record<string, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
    if (op in cmp) {
      const ptrType = lp ? lt : rt;
      const left = lp ? this.rvalue(node.left) : this.convert(this.rvalue(node.left), lt, ptrType, loc);
      const right = rp ? this.rvalue(node.right) : this.convert(this.rvalue(node.right), rt, ptrType, loc);
      return { op: 'ptrCompare', kind: cmp[op], left, right, type: S32, loc };
    }
    if (op === '-' && lp && rp) {
      const scale = pointeeSize((resolve(lt) as { to: CType }).to);
      return { op: 'ptrDiff', left: this.rvalue(node.left), right: this.rvalue(node.right), scale, type: S64, loc };
    }
    if ((op === '+' || op === '-') && (lp !== rp)) {
      const ptrNode = lp ? node.left : node.right;
      const intNode = lp ? node.right : node.left;
      const ptrType = lp ? lt : rt;
      const scale = pointeeSize((resolve(ptrType) as { to: CType }).to);
      let index = this.rvalueAs(intNode, Types.long);
      if (op === '-') index = { op: 'unary', kind: 'neg', operand: index, type: S64, loc };
      return { op: 'ptrAdd', ptr: this.rvalue(ptrNode), index, scale, type: irScalarType(type) as PtrType ?? irScalarType(ptrType) as PtrType, loc };
    }
    // Bitwise operations on pointers are not C; sema reported them.
    return { op: 'const', type: S32, value: 0n, loc };
  }

  private assignment(node: ast.AssignmentExpression): Expr {
    const loc = locOf(node);
    const target = this.lvalue(node.left);
    const targetType = target.type;
    const rt = resolve(targetType);
    if (node.operator === '=') {
      if (rt.kind === 'record' || rt.kind === 'array') {
        const src = this.addressOfExpression(node.right);
        const dst = this.addressOf(target, loc);
        if (!src || !dst) return { op: 'const', type: S32, value: 0n, loc };
        return { op: 'copy', dst, src, size: sizeOf(targetType) ?? 0, type: VOID, loc };
      }
      return this.storeLValue(target, this.rvalueAs(node.right, targetType), loc);
    }
    // Compound assignment: the target is evaluated once (a temp holds its address).
    const binaryOp = node.operator.slice(0, -1);
    const stable = this.stabilize(target, loc);
    const current = this.loadLValue(stable.lvalue, loc);
    const leftType = decay(targetType);
    let result: Expr;
    if (resolve(leftType).kind === 'pointer' && (binaryOp === '+' || binaryOp === '-')) {
      const scale = pointeeSize((resolve(leftType) as { to: CType }).to);
      let index = this.rvalueAs(node.right, Types.long);
      if (binaryOp === '-') index = { op: 'unary', kind: 'neg', operand: index, type: S64, loc };
      result = { op: 'ptrAdd', ptr: current, index, scale, type: irScalarType(leftType) as PtrType, loc };
    } else {
      const rightType = this.typeOf(node.right);
      const isShift = binaryOp === '<<' || binaryOp === '>>';
      const common = isShift ? promote(leftType) : usualArithmeticConversions(leftType, rightType);
      const kinds: Record<string, 'add' | 'sub' | 'mul' | 'div' | 'rem' | 'and' | 'or' | 'xor' | 'shl' | 'shr'> = {
        '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'rem', '&': 'and', '|': 'or', '^': 'xor', '<<': 'shl', '>>': 'shr',
      };
      const ct = (irScalarType(common) as IntType | undefined) ?? S32;
      const combined: Expr = { op: 'binary', kind: kinds[binaryOp] ?? 'add', left: this.convert(current, leftType, common, loc), right: this.rvalueAs(node.right, common), type: ct, loc };
      result = this.convert(combined, common, targetType, loc);
    }
    const store = this.storeLValue(stable.lvalue, result, loc);
    return stable.setup ? { op: 'sequence', first: stable.setup, second: store, type: store.type, loc } : store;
  }

  private increment(operand: ast.Expression, kind: 'add' | 'sub', postfix: boolean, loc: Loc, discarded: boolean): Expr {
    const target = this.lvalue(operand);
    const stable = this.stabilize(target, loc);
    const type = decay(target.type);
    const scalar = irScalarType(type);
    if (!scalar) return { op: 'const', type: S32, value: 0n, loc };
    const current = this.loadLValue(stable.lvalue, loc);
    let next: Expr;
    if (scalar.kind === 'ptr') {
      next = { op: 'ptrAdd', ptr: current, index: { op: 'const', type: S64, value: kind === 'add' ? 1n : -1n, loc }, scale: scalar.pointeeSize, type: scalar, loc };
    } else if (isBool(type)) {
      next = kind === 'add' ? { op: 'const', type: scalar, value: 1n, loc } : { op: 'binary', kind: 'xor', left: current, right: { op: 'const', type: scalar, value: 1n, loc }, type: scalar, loc };
    } else {
      const promoted = promote(type);
      const pt = irScalarType(promoted) as IntType;
      const sum: Expr = { op: 'binary', kind, left: this.convert(current, type, promoted, loc), right: { op: 'const', type: pt, value: 1n, loc }, type: pt, loc };
      next = this.convert(sum, promoted, type, loc);
    }
    let result: Expr;
    if (postfix && !discarded) {
      // old = target; target = old +/- 1; yield old
      const old = this.newTemp(type, loc);
      const oldRef: Expr = { op: 'local', id: old, type: scalar, loc };
      const nextFromOld = this.replaceLoad(next, current, oldRef);
      result = { op: 'sequence', first: { op: 'assign', id: old, value: current, type: scalar, loc },
        second: { op: 'sequence', first: this.storeLValue(stable.lvalue, nextFromOld, loc), second: oldRef, type: scalar, loc }, type: scalar, loc };
    } else {
      result = this.storeLValue(stable.lvalue, next, loc);
    }
    return stable.setup ? { op: 'sequence', first: stable.setup, second: result, type: result.type, loc } : result;
  }

  /** Replaces the (single) occurrence of `from` inside `expr` by `to` (used to reuse a loaded value). */
  private replaceLoad(expr: Expr, from: Expr, to: Expr): Expr {
    if (expr === from) return to;
    const copy = { ...expr } as Record<string, unknown>;
    for (const key of ['left', 'right', 'operand', 'ptr']) {
      const child = copy[key] as Expr | undefined;
      if (child && typeof child === 'object' && 'op' in child) copy[key] = this.replaceLoad(child, from, to);
    }
    return copy as unknown as Expr;
  }

  /** Makes an lvalue safe to evaluate twice: a memory lvalue whose pointer has side effects gets a temp. */
  private stabilize(target: LValue, loc: Loc): { lvalue: LValue; setup?: Expr } {
    if (target.kind === 'local' || isPure(target.ptr)) return { lvalue: target };
    const tmp = this.newTemp({ kind: 'pointer', to: target.type }, loc);
    const ptrType = target.ptr.type as PtrType;
    return {
      lvalue: { ...target, ptr: { op: 'local', id: tmp, type: ptrType, loc } },
      setup: { op: 'assign', id: tmp, value: target.ptr, type: ptrType, loc },
    };
  }

  private call(node: ast.CallExpression, type: CType, discarded = false): Expr {
    const loc = locOf(node);
    const resultType = irScalarType(type) ?? VOID;
    let callee: ast.Expression = node.callee;
    while (callee.kind === 'Unary' && callee.operator === '*') callee = callee.operand;
    if (callee.kind === 'Identifier') {
      const name = callee.name;
      const symbol = this.c.model.referenceOf(callee)?.symbol;
      const atomic = symbol ? undefined : atomicBuiltin(name);
      if (atomic) return this.atomicBuiltin(node, name, atomic, type, discarded, loc);
      if (name === '__builtin_memcpy' || name === '__builtin_memmove' || name === '__builtin_memset') return this.memoryBuiltin(node, name, loc);
      if (name === '__builtin_memcmp' && !symbol && node.args.length === 3) return this.memoryCompare(node, loc);
      if (name === '__builtin_expect' || name === '__builtin_expect_with_probability') return this.rvalueAs(node.args[0], type);
      if (name === '__builtin_constant_p') {
        const v = this.c.model.evaluate(node.args[0]);
        return { op: 'const', type: S32, value: v === undefined ? 0n : 1n, loc };
      }
      if ((name === '__builtin_bswap16' || name === '__builtin_bswap32' || name === '__builtin_bswap64') && node.args.length === 1) {
        return this.byteSwap(this.rvalueAs(node.args[0], type), Number(name.slice('__builtin_bswap'.length)) as IntBits, loc);
      }
      if (name === '__builtin_preserve_access_index') return this.rvalue(node.args[0]);
      if ((name === '__builtin_preserve_field_info' || name === '__builtin_preserve_type_info' || name === '__builtin_preserve_enum_value') && !symbol && node.args.length === 2) {
        return this.coreRelocation(node, name, type, loc);
      }
      // A BPF helper: libbpf declares `static long (* const name)(...) = (void *) ID;`
      if (symbol && symbol.kind === 'variable' && symbol.initializer && resolve(symbol.type).kind === 'pointer') {
        const id = this.helperIdOf(symbol.initializer);
        if (id !== undefined) return { op: 'callHelper', name: helperNameById(id) ?? name, helperId: id, args: this.callArgs(node, symbol.type), type: resultType, loc };
      }
      if (symbol && symbol.kind === 'function') {
        const index = this.functionIndex.get(name);
        if (index !== undefined) return { op: 'call', func: index, args: this.callArgs(node, symbol.type), type: resultType, loc };
        // An extern declaration without a body: a kfunc (`__ksym`) or a clang builtin.
        return { op: 'callHelper', name, helperId: -1, args: this.callArgs(node, symbol.type), type: resultType, loc };
      }
      if (!symbol && name.startsWith('__builtin_')) {
        return { op: 'callHelper', name, helperId: -2, args: node.args.map((a) => this.rvalue(a)), type: resultType, loc };
      }
    }
    this.report(Diagnostics.UnsupportedConstruct, node, ['an indirect call']);
    return resultType.kind === 'void' ? { op: 'const', type: S32, value: 0n, loc } : this.zeroOf(resultType, loc);
  }

  /**
   * A function designator as a value. A function of this object is its address (PTR_TO_FUNC for a callback);
   * an extern `__ksym` function is what libbpf writes into the ld_imm64: the kfunc's BTF id when the kernel has
   * it, 0 for a `__weak` one it lacks (bpf_object__resolve_ksym_func_btf_id()), so `if (kfunc)` is false and
   * the call under it is dead code the verifier never visits.
   */
  private functionValue(symbol: CSymbol, loc: Loc): Expr {
    const type: PtrType = { kind: 'ptr', pointeeSize: 1, cName: `${typeToString(symbol.type)} *` };
    const index = this.functionIndex.get(symbol.name);
    if (index !== undefined) return { op: 'funcAddr', target: { kind: 'subprog', func: index }, type, loc };
    const weak = symbol.attributes.some((a) => a.name === 'weak' || a.name === '__weak__');
    if (weak && !isKernelKfunc(symbol.name)) return { op: 'null', type, loc };
    return { op: 'funcAddr', target: { kind: 'kfunc', name: symbol.name }, type, loc };
  }

  private callArgs(node: ast.CallExpression, calleeType: CType): Expr[] {
    let fn = resolve(calleeType);
    if (fn.kind === 'pointer') fn = resolve(fn.to);
    const params = fn.kind === 'function' ? fn.params : [];
    return node.args.map((a, i) => {
      const param = params[i];
      if (param) return this.rvalueAs(a, param);
      // Variadic or unprototyped: default argument promotions.
      return this.rvalueAs(a, promote(decay(this.typeOf(a))));
    });
  }

  /** libbpf's `static long (*bpf_x)(...) = (void *) N;`: a helper call target, folded by clang, never storage. */
  private isHelperDeclaration(symbol: CSymbol): boolean {
    const type = resolve(symbol.type);
    return type.kind === 'pointer' && resolve(type.to).kind === 'function' && symbol.initializer !== undefined && this.helperIdOf(symbol.initializer) !== undefined;
  }

  private helperIdOf(init: ast.Initializer): number | undefined {
    let e: ast.Initializer = init;
    while (e.kind === 'Cast') e = e.operand;
    if (e.kind === 'IntegerLiteral') return Number(e.value);
    return undefined;
  }

  /**
   * `__sync_*`/`__atomic_*` on a 4- or 8-byte integer: on one simulated CPU, a load and a store through a temp
   * pointer, in a sequence that yields what the builtin returns. The memory orders are evaluated for their side
   * effects only. What the verifier checks (check_atomic(): writable memory, no ctx) follows from the load/store.
   */
  private atomicBuiltin(node: ast.CallExpression, name: string, b: AtomicBuiltin, type: CType, discarded: boolean, loc: Loc): Expr {
    const fallback = (): Expr => { const t = irScalarType(type); return t ? this.zeroOf(t, loc) : { op: 'const', type: S32, value: 0n, loc }; };
    if (node.args.length !== b.args) return fallback(); // sema reported the count
    const pointerType = resolve(decay(this.typeOf(node.args[0])));
    const valueType = pointerType.kind === 'pointer' ? unqualified(pointerType.to) : undefined;
    const scalar = valueType ? irScalarType(valueType) : undefined;
    const ptrScalar = irScalarType(pointerType);
    if (!valueType || scalar?.kind !== 'int' || ptrScalar?.kind !== 'ptr') {
      this.report(Diagnostics.UnsupportedConstruct, node, [`${name} on something that is not a pointer to an integer`]);
      return fallback();
    }
    let target = node.args[0];
    while (target.kind === 'Cast') target = target.operand;
    const onLocal = target.kind === 'Unary' && target.operator === '&' && target.operand.kind === 'Identifier'
      && this.localBySymbol.has(this.c.model.referenceOf(target.operand)?.symbol as CSymbol);
    const refused = clangRejectsAtomic(b, scalar.bits / 8, !discarded, onLocal);
    if (refused) this.report(Diagnostics.AtomicNotCompiled, node, [name, refused]);
    const seq = (...parts: Expr[]): Expr => parts.reduceRight((second, first) => ({ op: 'sequence', first, second, type: second.type, loc }));
    const ptrTemp = this.newTemp(pointerType, loc);
    const ptr: Expr = { op: 'local', id: ptrTemp, type: ptrScalar, loc };
    const setPtr: Expr = { op: 'assign', id: ptrTemp, value: this.rvalue(node.args[0]), type: ptrScalar, loc };
    const oldTemp = this.newTemp(valueType, loc);
    const old: Expr = { op: 'local', id: oldTemp, type: scalar, loc };
    const setOld: Expr = { op: 'assign', id: oldTemp, value: { op: 'load', ptr, offset: 0, type: scalar, loc }, type: scalar, loc };
    const arg = (i: number): Expr => this.rvalueAs(node.args[i], valueType);
    const orders = (from: number): Expr[] => node.args.slice(from).map((a) => this.expression(a, true));
    const store = (value: Expr): Expr => this.storeTo(ptr, 0, valueType, value, loc);
    const asBool = (e: Expr): Expr => this.convert(e, Types.int, Types.bool, loc);
    switch (b.kind) {
      case 'rmw': {
        const operand = arg(1);
        const kind = b.alu === 'nand' ? 'and' : b.alu;
        let next: Expr = { op: 'binary', kind, left: old, right: operand, type: scalar, loc };
        if (b.alu === 'nand') next = { op: 'unary', kind: 'not', operand: next, type: scalar, loc };
        return seq(setPtr, setOld, store(next), ...orders(2), b.returns === 'old' ? old : { op: 'load', ptr, offset: 0, type: scalar, loc });
      }
      case 'load': return seq(setPtr, ...orders(1), { op: 'load', ptr, offset: 0, type: scalar, loc });
      case 'store': return seq(setPtr, store(arg(1)), ...orders(2), { op: 'const', type: S32, value: 0n, loc });
      case 'release': return seq(setPtr, store({ op: 'const', type: scalar, value: 0n, loc }), { op: 'const', type: S32, value: 0n, loc });
      case 'xchg': return seq(setPtr, setOld, store(arg(1)), ...orders(2), old);
      case 'cas': {
        const expected = arg(1), desired = arg(2);
        const same: Expr = { op: 'binary', kind: 'eq', left: old, right: expected, type: S32, loc };
        const swap: Expr = { op: 'conditional', test: same, then: store(desired), else: old, type: scalar, loc };
        return seq(setPtr, setOld, swap, b.returns === 'old' ? old : asBool({ op: 'binary', kind: 'eq', left: old, right: expected, type: S32, loc }));
      }
      case 'cmpxchg': {
        // __atomic_compare_exchange_n(p, expected *, desired, weak, ok order, fail order): on failure *expected = old
        const expectedPtrType = resolve(decay(this.typeOf(node.args[1])));
        const expectedPtr = this.rvalue(node.args[1]);
        const ePtrScalar = irScalarType(expectedPtrType);
        if (ePtrScalar?.kind !== 'ptr') return fallback();
        const ePtrTemp = this.newTemp(expectedPtrType, loc);
        const ePtr: Expr = { op: 'local', id: ePtrTemp, type: ePtrScalar, loc };
        const desired = arg(2);
        const same: Expr = { op: 'binary', kind: 'eq', left: old, right: { op: 'load', ptr: ePtr, offset: 0, type: scalar, loc }, type: S32, loc };
        const swapped: Expr = { op: 'conditional', test: same,
          then: seq(store(desired), { op: 'const', type: S32, value: 1n, loc }),
          else: seq(this.storeTo(ePtr, 0, valueType, old, loc), { op: 'const', type: S32, value: 0n, loc }), type: S32, loc };
        return seq(setPtr, { op: 'assign', id: ePtrTemp, value: expectedPtr, type: ePtrScalar, loc }, setOld, ...orders(3), asBool(swapped));
      }
    }
  }

  /**
   * `__builtin_bswapN(x)` (what bpf_htons/bpf_ntohl expand to on a run-time value): clang emits one BPF_END
   * instruction; here the same value from shifts and masks of a temp, byte i moving to byte N/8-1-i.
   */
  private byteSwap(value: Expr, bits: IntBits, loc: Loc): Expr {
    const t: IntType = { kind: 'int', bits, signed: false };
    const temp = this.newTemp(bits === 16 ? Types.unsignedShort : bits === 32 ? Types.unsignedInt : Types.unsignedLongLong, loc);
    const x: Expr = { op: 'local', id: temp, type: t, loc };
    const k = (v: number | bigint): Expr => ({ op: 'const', type: t, value: BigInt(v), loc });
    let result: Expr | undefined;
    const bytes = bits / 8;
    for (let i = 0; i < bytes; i++) {
      const byte: Expr = { op: 'binary', kind: 'and', left: { op: 'binary', kind: 'shr', left: x, right: k(8 * i), type: t, loc }, right: k(0xff), type: t, loc };
      const moved: Expr = { op: 'binary', kind: 'shl', left: byte, right: k(8 * (bytes - 1 - i)), type: t, loc };
      result = result ? { op: 'binary', kind: 'or', left: result, right: moved, type: t, loc } : moved;
    }
    return { op: 'sequence', first: { op: 'assign', id: temp, value, type: t, loc }, second: result!, type: t, loc };
  }

  /**
   * `__builtin_memcmp(a, b, n)`: clang 14 inlines it for BPF only for n == 1, or n == 2 or 4 when the result is only
   * compared with 0 (measured); otherwise it emits a call of memcmp, an extern libbpf cannot resolve at load.
   * The value is that of the first differing byte pair (unsigned bytes), 0 when all are equal.
   */
  private memoryCompare(node: ast.CallExpression, loc: Loc): Expr {
    const zeroTested = this.zeroTestedCall === node;
    const size = this.c.model.evaluate(node.args[2]);
    const n = size === undefined ? -1 : Number(size);
    if (!(n === 1 || ((n === 2 || n === 4) && zeroTested))) {
      this.report(Diagnostics.MemcmpNotInlined, node, [size === undefined ? 'a size that is not a constant' : `${n} bytes${zeroTested ? '' : ' with a result not only compared with 0'}`]);
      return { op: 'const', type: S32, value: 0n, loc };
    }
    const charPtr = irScalarType({ kind: 'pointer', to: Types.unsignedChar }) as PtrType;
    const ptrTemp = (arg: ast.Expression): { set: Expr; ref: Expr } => {
      const id = this.newTemp({ kind: 'pointer', to: Types.unsignedChar }, loc);
      return { set: { op: 'assign', id, value: this.convert(this.rvalue(arg), decay(this.typeOf(arg)), { kind: 'pointer', to: Types.unsignedChar }, loc), type: charPtr, loc }, ref: { op: 'local', id, type: charPtr, loc } };
    };
    const a = ptrTemp(node.args[0]), b = ptrTemp(node.args[1]);
    const diff = (i: number): Expr => ({ op: 'binary', kind: 'sub',
      left: { op: 'convert', operand: { op: 'load', ptr: a.ref, offset: i, type: U8, loc }, type: S32, loc },
      right: { op: 'convert', operand: { op: 'load', ptr: b.ref, offset: i, type: U8, loc }, type: S32, loc }, type: S32, loc });
    let result: Expr = diff(n - 1);
    for (let i = n - 2; i >= 0; i--) {
      const d = diff(i);
      result = { op: 'conditional', test: { op: 'binary', kind: 'ne', left: d, right: { op: 'const', type: S32, value: 0n, loc }, type: S32, loc }, then: diff(i), else: result, type: S32, loc };
    }
    return { op: 'sequence', first: a.set, second: { op: 'sequence', first: b.set, second: result, type: S32, loc }, type: S32, loc };
  }

  /**
   * The CO-RE builtins behind bpf_core_field_exists/size/offset, bpf_core_type_exists/size and
   * bpf_core_enum_value(_exists): constants that libbpf computes at load against the kernel's BTF
   * (bpf_core_calc_relo(): the local name up to "___" names the kernel type; a field or enumerator by name).
   * The kernel's BTF is the simulated kernel's table, then the program's own vmlinux.h types (this kernel's BTF).
   */
  private coreRelocation(node: ast.CallExpression, name: string, type: CType, loc: Loc): Expr {
    const kind = this.c.model.evaluate(node.args[1]) ?? -1n;
    const result = irScalarType(type) as IntType | undefined ?? U64;
    const k = (v: number | bigint): Expr => ({ op: 'const', type: result, value: wrapTo(BigInt(v), result), loc });
    const essential = (tag: string | undefined): string => (tag ?? '').replace(/___.*$/, '');
    const kernelTag = (tagName: string): Tag | undefined => {
      for (let scope: Scope | undefined = this.c.model.fileScope; scope; scope = scope.parent) {
        const tag = scope.tags.get(tagName);
        // kernel records come from vmlinux.h, which marks them all preserve_access_index; a program's own struct is no kernel type
        if (tag && (tag.kind === 'enum' || tag.info.preserveAccessIndex)) return tag;
      }
      return undefined;
    };
    if (name === '__builtin_preserve_field_info') {
      let field: ast.Expression = node.args[0];
      while (field.kind === 'Cast') field = field.operand;
      if (field.kind !== 'Member') { this.report(Diagnostics.UnsupportedConstruct, node, [`${name} on something that is not a field`]); return k(0); }
      const objectType = resolve(decay(this.typeOf(field.object)));
      const recordType = resolve(field.arrow && objectType.kind === 'pointer' ? objectType.to : objectType);
      const localField = recordType.kind === 'record' ? findMember(recordType.record, field.member.name)?.at(-1) : undefined;
      const recordName = essential(recordType.kind === 'record' ? recordType.record.name : undefined);
      const simulated = (KERNEL_BTF_STRUCTS as Record<string, BtfStruct | undefined>)[recordName];
      let target: { offset: number; size: number } | undefined;
      if (simulated) {
        const f = simulated.fields.find((x) => x.name === field.member.name);
        if (f) target = { offset: f.offset, size: f.size };
      } else {
        const tag = kernelTag(recordName);
        const path = tag?.kind === 'record' ? findMember(tag.info, field.member.name) : undefined;
        if (path) target = { offset: path.reduce((acc, f) => acc + f.offset, 0), size: sizeOf(path[path.length - 1].type) ?? 0 };
      }
      switch (kind) {
        case 2n: return k(target ? 1 : 0);
        case 0n: return k(target?.offset ?? 0);
        case 1n: return k(target?.size ?? 0);
        case 3n: { const t = localField ? resolve(localField.type) : undefined; return k(t?.kind === 'int' && t.signed ? 1 : 0); }
        case 4n: case 5n: return k(64 - 8 * (target?.size ?? 8));
        default: return k(0);
      }
    }
    const argType = resolve(this.typeOf(node.args[0]));
    if (name === '__builtin_preserve_type_info') {
      const tagName = essential(argType.kind === 'record' ? argType.record.name : argType.kind === 'enum' ? argType.info.name : undefined);
      const simulated = (KERNEL_BTF_STRUCTS as Record<string, BtfStruct | undefined>)[tagName];
      const tag = kernelTag(tagName);
      const size = simulated?.size ?? (tag?.kind === 'record' ? sizeOf({ kind: 'record', record: tag.info } as CType) : tag?.kind === 'enum' ? sizeOf({ kind: 'enum', info: tag.info } as CType) : undefined);
      const exists = simulated !== undefined || tag !== undefined;
      return k(kind === 1n ? size ?? 0 : exists ? 1 : 0);
    }
    // __builtin_preserve_enum_value(*(typeof(enum E) *)ENUMERATOR, kind)
    let enumerator: string | undefined;
    ast.walk(node.args[0], (n) => {
      if (n.kind === 'Identifier' && enumerator === undefined && this.c.model.referenceOf(n)?.symbol?.value !== undefined) enumerator = n.name;
    });
    const tag = kernelTag(essential(argType.kind === 'enum' ? argType.info.name : undefined));
    const value = tag?.kind === 'enum' && enumerator !== undefined ? tag.info.values.get(enumerator.replace(/___.*$/, '')) : undefined;
    return k(kind === 1n ? value ?? 0n : value !== undefined ? 1 : 0);
  }

  private memoryBuiltin(node: ast.CallExpression, name: string, loc: Loc): Expr {
    const sizeArg = node.args[2];
    const size = sizeArg ? this.c.model.evaluate(sizeArg) : undefined;
    if (size === undefined) {
      // clang's BPF backend refuses the libc call it would need (measured with clang 14)
      this.report(Diagnostics.BuiltinCallNotSupported, node, [name.slice('__builtin_'.length)]);
      return { op: 'null', type: { kind: 'ptr', pointeeSize: 1, cName: 'void *' }, loc };
    }
    if (size < 0n || size > 1n << 20n) {
      this.report(Diagnostics.UnsupportedConstruct, node, [`${name} with a size that is not a constant`]);
      return { op: 'null', type: { kind: 'ptr', pointeeSize: 1, cName: 'void *' }, loc };
    }
    const dst = this.rvalue(node.args[0]);
    if (name === '__builtin_memset') {
      const byte = Number((this.c.model.evaluate(node.args[1]) ?? 0n) & 0xffn);
      return { op: 'fill', dst, byte, size: Number(size), type: VOID, loc };
    }
    return { op: 'copy', dst, src: this.rvalue(node.args[1]), size: Number(size), type: VOID, loc };
  }

  // ------------------------------------------------------------------ lvalues

  private lvalue(node: ast.Expression): LValue {
    const loc = locOf(node);
    const type = this.typeOf(node);
    switch (node.kind) {
      case 'Identifier': {
        const symbol = this.c.model.referenceOf(node)?.symbol;
        if (symbol) {
          const localId = this.localBySymbol.get(symbol);
          if (localId !== undefined) {
            const local = this.locals[localId];
            if (local.type) return { kind: 'local', id: localId, type: symbol.type, scalar: local.type };
            return { kind: 'mem', ptr: this.slotAddr(local.slot!, symbol.type, loc), offset: 0, type: symbol.type };
          }
          const g = this.globalBySymbol.get(symbol);
          if (g) return { kind: 'mem', ptr: { op: 'addr', base: { kind: 'global', section: g.section, offset: g.offset, name: g.name }, type: ptrTo(symbol.type), loc }, offset: 0, type: symbol.type };
          if (this.mapNames.has(symbol.name)) {
            return { kind: 'mem', ptr: { op: 'addr', base: { kind: 'map', name: symbol.name }, type: ptrTo(symbol.type), loc }, offset: 0, type: symbol.type };
          }
          if (symbol.storage.includes('extern')) {
            this.report(Diagnostics.UnsupportedConstruct, node, [`the extern variable ${symbol.name} (ksyms and kconfig are not simulated)`]);
          }
        }
        return { kind: 'mem', ptr: { op: 'null', type: ptrTo(type), loc }, offset: 0, type };
      }
      case 'Member': {
        const objectType = this.typeOf(node.object);
        let record: RecordInfo | undefined;
        let base: LValueMem;
        if (node.arrow) {
          const pt = resolve(decay(objectType));
          const to = pt.kind === 'pointer' ? resolve(pt.to) : undefined;
          record = to?.kind === 'record' ? to.record : undefined;
          base = { kind: 'mem', ptr: this.rvalue(node.object), offset: 0, type: pt.kind === 'pointer' ? pt.to : type };
        } else {
          const ot = resolve(objectType);
          record = ot.kind === 'record' ? ot.record : undefined;
          const inner = this.lvalue(node.object);
          if (inner.kind === 'local') {
            // A scalar local cannot have members; sema reported it.
            return { kind: 'mem', ptr: { op: 'null', type: ptrTo(type), loc }, offset: 0, type };
          }
          base = inner;
        }
        const path = record ? findMember(record, node.member.name) : undefined;
        if (!record || !path) return { kind: 'mem', ptr: { op: 'null', type: ptrTo(type), loc }, offset: 0, type };
        const last = path[path.length - 1];
        // CO-RE: an arrow starts a new access at the pointee; a dot continues the access of its object.
        const coreRoot = !node.arrow && base.coreStruct ? base.coreStruct
          : record.preserveAccessIndex && record.name && this.options.coreTarget ? essentialName(record.name) : undefined;
        if (coreRoot && (base.core || node.arrow || record.preserveAccessIndex)) {
          const relocated = this.coreAccess(coreRoot, path);
          if (relocated.kind === 'unresolved') {
            // mirrors bpf_core_poison_insn(): the access becomes a call of an invalid helper, which the verifier
            // rejects only where it is reachable; the name carries the relocation for the message.
            const poison: Expr = { op: 'callHelper', name: relocated.spec, helperId: CORE_POISON_HELPER_ID, args: [], type: ptrTo(last.type), loc };
            return { kind: 'mem', ptr: { op: 'sequence', first: base.ptr, second: poison, type: poison.type, loc }, offset: 0, type: last.type, core: true };
          }
          if (relocated.kind === 'relocated') {
            return {
              kind: 'mem', ptr: base.ptr, offset: base.offset + relocated.offset, type: last.type, core: true,
              coreStruct: relocated.struct, coreScalar: relocated.scalar,
            };
          }
          // vmlinux.h's own types already have the kernel's layout; a struct the user declared may not.
          if (!this.declaredInHeaders(record)) this.report(Diagnostics.CoreTypeNotSimulated, node.member, [relocated.spec]);
        }
        let offset = base.offset;
        let current: RecordInfo | undefined = record;
        for (const field of path) {
          offset += this.fieldOffset(current, field);
          const ft = resolve(field.type);
          current = ft.kind === 'record' ? ft.record : undefined;
        }
        return { kind: 'mem', ptr: base.ptr, offset, type: last.type, field: last.bitWidth !== undefined ? last : undefined, core: record.preserveAccessIndex };
      }
      case 'Index': {
        const ot = decay(this.typeOf(node.object));
        const it = decay(this.typeOf(node.index));
        const pointerIsObject = resolve(ot).kind === 'pointer';
        const ptrNode = pointerIsObject ? node.object : node.index;
        const idxNode = pointerIsObject ? node.index : node.object;
        const ptrType = pointerIsObject ? ot : it;
        // Neither side a pointer: the checker reported it; lower to the null lvalue below, as other errors do.
        if (resolve(ptrType).kind !== 'pointer') break;
        const elem = (resolve(ptrType) as { to?: CType }).to ?? type;
        const scale = pointeeSize(elem);
        const base = this.rvalue(ptrNode);
        const constant = this.c.model.evaluate(idxNode);
        if (constant !== undefined && constant >= -(1n << 31n) && constant < 1n << 31n) {
          return { kind: 'mem', ptr: base, offset: Number(constant) * scale, type: elem };
        }
        const ptr: Expr = { op: 'ptrAdd', ptr: base, index: this.rvalueAs(idxNode, Types.long), scale, type: irScalarType(ptrType) as PtrType, loc };
        return { kind: 'mem', ptr, offset: 0, type: elem };
      }
      case 'Unary':
        if (node.operator === '*') {
          const pt = resolve(decay(this.typeOf(node.operand)));
          return { kind: 'mem', ptr: this.rvalue(node.operand), offset: 0, type: pt.kind === 'pointer' ? pt.to : type };
        }
        break;
      case 'CompoundLiteral': {
        const addr = this.expression(node, false);
        return { kind: 'mem', ptr: addr, offset: 0, type };
      }
      case 'StringLiteral':
        return { kind: 'mem', ptr: this.stringLiteral(node), offset: 0, type };
      case 'Cast': case 'Comma': case 'Conditional': case 'Call': case 'StatementExpression': {
        // Not lvalues in C, but struct-valued calls and statement expressions can be read through a temp slot.
        const t = resolve(type);
        if (t.kind === 'record') {
          this.report(Diagnostics.UnsupportedConstruct, node, ['a struct-valued expression here']);
        }
        break;
      }
      default: break;
    }
    return { kind: 'mem', ptr: { op: 'null', type: ptrTo(type), loc }, offset: 0, type };
  }

  /**
   * CO-RE: libbpf relocates an access to a field of a preserve_access_index record by the field names from the
   * access root (the pointee's struct name without its `___flavor`) against the kernel's BTF, and the local
   * offsets do not matter (bpf_core_calc_field_relo). Anonymous local members are not part of the access: the
   * kernel's struct is searched by name. A field missing from the kernel or of an incompatible kind
   * (bpf_core_fields_are_compat) leaves the relocation unresolved; an integer field of another size is read at the
   * kernel's size only when both are unsigned (or both pointers), as bpf_core_calc_relo() allows.
   */
  private coreAccess(root: string, path: FieldInfo[]):
    | { kind: 'relocated'; offset: number; struct?: string; scalar?: ScalarType }
    | { kind: 'unresolved' | 'notSimulated'; spec: string } {
    let struct: string | undefined = root;
    let offset = 0;
    let spec = `struct ${root}`;
    let target: { size: number; shape: BtfTypeShape } | undefined;
    for (const field of path) {
      if (field.name === undefined) continue;
      const described: BtfStruct | undefined = struct === undefined ? undefined : this.options.coreTarget?.(struct);
      if (!described || field.bitWidth !== undefined) return { kind: 'notSimulated', spec: `${spec}.${field.name}` };
      spec = `struct ${struct}.${field.name}`;
      const found: BtfField | undefined = described.fields.find((f) => f.name === field.name);
      const shape: BtfTypeShape | undefined = found ? btfTypeShape(found.typeName) : undefined;
      if (!found || !shape || found.bitfield || !coreCompatible(field.type, shape)) return { kind: 'unresolved', spec };
      offset += found.offset;
      target = { size: found.size, shape };
      struct = shape.kind === 'composite' ? shape.struct : undefined;
    }
    const last = path[path.length - 1];
    const local = irScalarType(last.type);
    if (!target || !local || target.size === sizeOf(last.type)) return { kind: 'relocated', offset, struct };
    if (local.kind === 'ptr' && target.shape.kind === 'ptr') return { kind: 'relocated', offset, struct };
    const unsigned = local.kind === 'int' && !local.signed && target.shape.kind === 'int' && !target.shape.signed;
    if (!unsigned || ![1, 2, 4, 8].includes(target.size)) return { kind: 'unresolved', spec };
    return { kind: 'relocated', offset, struct, scalar: { kind: 'int', bits: (target.size * 8) as IntBits, signed: false } };
  }

  private headerRecords?: Set<RecordInfo>;

  /** Whether a record is one of the preamble's (the leading #includes': vmlinux.h and the like). */
  private declaredInHeaders(record: RecordInfo): boolean {
    if (!this.headerRecords) {
      this.headerRecords = new Set();
      for (const tag of this.c.preamble?.model.fileScope.tags.values() ?? []) if (tag.kind === 'record') this.headerRecords.add(tag.info);
    }
    return this.headerRecords.has(record);
  }

  /** CO-RE: offsets of kernel types come from the kernel's BTF by field name, as libbpf relocates them. */
  private fieldOffset(record: RecordInfo | undefined, field: FieldInfo): number {
    // Only accesses compiled with preserve_access_index (vmlinux.h's types) are relocated.
    if (record?.name && record.preserveAccessIndex && field.name && this.options.core) {
      const relocated = this.options.core(record.name, field.name);
      if (relocated !== undefined) return relocated;
    }
    return field.offset;
  }

  private addressOf(target: LValue, loc: Loc): Expr | undefined {
    if (target.kind === 'local') return undefined;
    return this.offsetPtr(target.ptr, target.offset, loc, target.type);
  }

  private addressOfExpression(node: ast.Expression): Expr | undefined {
    const loc = locOf(node);
    if (node.kind === 'Unary' && node.operator === '*') return this.rvalue(node.operand);
    const t = resolve(this.typeOf(node));
    if (t.kind === 'function') return undefined;
    const target = this.lvalue(node);
    return this.addressOf(target, loc);
  }

  private offsetPtr(ptr: Expr, offset: number, loc: Loc, type?: CType): Expr {
    const ptrType = type ? ptrTo(type) : (ptr.type.kind === 'ptr' ? ptr.type : { kind: 'ptr' as const, pointeeSize: 1, cName: 'void *' });
    if (offset === 0) return type && ptr.type.kind === 'ptr' && ptr.type.cName !== ptrType.cName ? { op: 'ptrCast', operand: ptr, type: ptrType, loc } : ptr;
    const bytePtr: Expr = { op: 'ptrCast', operand: ptr, type: { kind: 'ptr', pointeeSize: 1, cName: 'char *' }, loc };
    const moved: Expr = { op: 'ptrAdd', ptr: bytePtr, index: { op: 'const', type: S64, value: BigInt(offset), loc }, scale: 1, type: { kind: 'ptr', pointeeSize: 1, cName: 'char *' }, loc };
    return { op: 'ptrCast', operand: moved, type: ptrType, loc };
  }

  private loadLValue(target: LValue, loc: Loc): Expr {
    if (target.kind === 'local') return { op: 'local', id: target.id, type: target.scalar, loc };
    const t = resolve(target.type);
    if (t.kind === 'array') {
      // Array-to-pointer decay: the address of the first element.
      return this.offsetPtr(target.ptr, target.offset, loc, t.of);
    }
    if (t.kind === 'function') return target.ptr;
    const scalar = irScalarType(target.type);
    if (!scalar) {
      // A struct used as a value: its address stands for it (copies and initializers use addressOf).
      return this.offsetPtr(target.ptr, target.offset, loc, target.type);
    }
    if (target.field) return this.loadBitfield(target.ptr, target.offset - target.field.offset, target.field, scalar as IntType, loc);
    const core = target.core ? { core: true } : {};
    if (scalar.kind === 'ptr') return { op: 'loadPtr', ptr: target.ptr, offset: target.offset, type: scalar, loc, ...core };
    if (target.coreScalar?.kind === 'int' && scalar.kind === 'int') {
      // bpf_core_patch_insn(): the load reads the kernel field's size, zero-extended
      const load: Expr = { op: 'load', ptr: target.ptr, offset: target.offset, type: target.coreScalar, loc, core: true };
      return { op: 'convert', operand: load, type: scalar, loc };
    }
    return { op: 'load', ptr: target.ptr, offset: target.offset, type: scalar, loc, ...core };
  }

  private storeLValue(target: LValue, value: Expr, loc: Loc): Expr {
    if (target.kind === 'local') return { op: 'assign', id: target.id, value, type: target.scalar, loc };
    if (target.field) return this.storeBitfield(target.ptr, target.offset - target.field.offset, target.field, value, loc);
    if (target.coreScalar?.kind === 'int') {
      // bpf_core_patch_insn(): the store writes the kernel field's size
      const narrowed: Expr = { op: 'convert', operand: value, type: target.coreScalar, loc };
      return { op: 'store', ptr: target.ptr, offset: target.offset, size: (target.coreScalar.bits / 8) as 1 | 2 | 4 | 8, value: narrowed, type: target.coreScalar, loc };
    }
    return this.storeTo(target.ptr, target.offset, target.type, value, loc);
  }

  private storeTo(ptr: Expr, offset: number, type: CType, value: Expr, loc: Loc): Expr {
    const scalar = irScalarType(type) ?? S32;
    const size = (scalar.kind === 'ptr' ? 8 : scalar.bits / 8) as 1 | 2 | 4 | 8;
    return { op: 'store', ptr, offset, size, value, type: scalar, loc };
  }

  /** Bit-field read: load the storage unit, shift and mask (sign-extend signed fields). */
  private loadBitfield(ptr: Expr, recordOffset: number, field: FieldInfo, type: IntType, loc: Loc): Expr {
    const unitBits = Math.min(64, Math.max(8, nextPow2(((field.bitOffset % 8) + field.bitWidth!))));
    const unitOffset = recordOffset + (field.bitOffset >> 3);
    const shift = field.bitOffset & 7;
    const unitType: IntType = { kind: 'int', bits: unitBits as IntBits, signed: false };
    const unit: Expr = { op: 'load', ptr, offset: unitOffset, type: unitType, loc };
    const shifted: Expr = { op: 'binary', kind: 'shr', left: { op: 'convert', operand: unit, type: U64, loc }, right: { op: 'const', type: U64, value: BigInt(shift), loc }, type: U64, loc };
    const masked: Expr = { op: 'binary', kind: 'and', left: shifted, right: { op: 'const', type: U64, value: (1n << BigInt(field.bitWidth!)) - 1n, loc }, type: U64, loc };
    if (type.signed) {
      // Sign-extend: (x << (64 - w)) >> (64 - w) arithmetically.
      const up: Expr = { op: 'binary', kind: 'shl', left: { op: 'convert', operand: masked, type: S64, loc }, right: { op: 'const', type: S64, value: BigInt(64 - field.bitWidth!), loc }, type: S64, loc };
      const down: Expr = { op: 'binary', kind: 'shr', left: up, right: { op: 'const', type: S64, value: BigInt(64 - field.bitWidth!), loc }, type: S64, loc };
      return { op: 'convert', operand: down, type, loc };
    }
    return { op: 'convert', operand: masked, type, loc };
  }

  private storeBitfield(ptr: Expr, recordOffset: number, field: FieldInfo, value: Expr, loc: Loc): Expr {
    const width = field.bitWidth!;
    const unitBits = Math.min(64, Math.max(8, nextPow2(((field.bitOffset % 8) + width))));
    const unitOffset = recordOffset + (field.bitOffset >> 3);
    const shift = BigInt(field.bitOffset & 7);
    const unitType: IntType = { kind: 'int', bits: unitBits as IntBits, signed: false };
    const mask = ((1n << BigInt(width)) - 1n) << shift;
    const old: Expr = { op: 'convert', operand: { op: 'load', ptr, offset: unitOffset, type: unitType, loc }, type: U64, loc };
    const cleared: Expr = { op: 'binary', kind: 'and', left: old, right: { op: 'const', type: U64, value: BigInt.asUintN(64, ~mask), loc }, type: U64, loc };
    const v: Expr = value.type.kind === 'int' ? { op: 'convert', operand: value, type: U64, loc } : { op: 'ptrToInt', operand: value, type: U64, loc };
    const placed: Expr = { op: 'binary', kind: 'and', left: { op: 'binary', kind: 'shl', left: v, right: { op: 'const', type: U64, value: shift, loc }, type: U64, loc }, right: { op: 'const', type: U64, value: mask, loc }, type: U64, loc };
    const combined: Expr = { op: 'convert', operand: { op: 'binary', kind: 'or', left: cleared, right: placed, type: U64, loc }, type: unitType, loc };
    return { op: 'store', ptr, offset: unitOffset, size: (unitBits / 8) as 1 | 2 | 4 | 8, value: combined, type: unitType, loc };
  }
}

// ---------------------------------------------------------------------- small helpers

export function locOf(node: { file: number; pos: number; end: number }): Loc {
  return { file: node.file, pos: node.pos, end: node.end };
}

function decay(type: CType): CType {
  const t = resolve(type);
  if (t.kind === 'array') return { kind: 'pointer', to: t.of };
  if (t.kind === 'function') return { kind: 'pointer', to: type };
  return type;
}

/** The C name of a pointer to each pointee type; lowering asks for it at every address it computes. */
const pointerNames = new WeakMap<CType, string>();

/** A local struct name without its `___flavor` suffix, as libbpf matches it (bpf_core_essential_name_len). */
export function essentialName(name: string): string {
  // mirrors bpf_core_essential_name_len(): up to the last X___Y separator (X and Y not underscores)
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name.startsWith('___', i + 1) && name[i + 4] !== '_') return name.slice(0, i + 1);
  }
  return name;
}

/** mirrors bpf_core_fields_are_compat(): which local field types may relocate onto a kernel field's type. */
function coreCompatible(local: CType, target: BtfTypeShape): boolean {
  const t = resolve(local);
  switch (t.kind) {
    case 'record': return target.kind === 'composite';
    case 'pointer': return target.kind === 'ptr';
    case 'enum': return target.kind === 'enum';
    case 'int': return target.kind === 'int';
    case 'array': return target.kind === 'array' && coreCompatible(t.of, target.elem);
    default: return false;
  }
}

function ptrTo(type: CType): PtrType {
  let cName = pointerNames.get(type);
  if (cName === undefined) {
    cName = typeToString({ kind: 'pointer', to: type });
    pointerNames.set(type, cName);
  }
  return { kind: 'ptr', pointeeSize: pointeeSize(type), cName };
}

function charPtr(cName: string): PtrType {
  return { kind: 'ptr', pointeeSize: 1, cName };
}

function roundUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

function nextPow2(n: number): number {
  let p = 8;
  while (p < n) p *= 2;
  return p;
}

function wrapTo(value: bigint, type: IntType): bigint {
  return type.signed ? BigInt.asIntN(type.bits, value) : BigInt.asUintN(type.bits, value);
}

function isComparison(node: ast.Expression): boolean {
  return node.kind === 'Binary' && ['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(node.operator);
}

/** Expressions without side effects that can be evaluated twice. */
function isPure(e: Expr): boolean {
  switch (e.op) {
    case 'const': case 'null': case 'param': case 'local': case 'addr': return true;
    case 'ptrCast': case 'convert': case 'ptrToInt': case 'intToPtr': case 'unary': return isPure(e.operand);
    case 'ptrAdd': return isPure(e.ptr) && isPure(e.index);
    case 'load': case 'loadPtr': return isPure(e.ptr);
    case 'binary': return isPure(e.left) && isPure(e.right);
    default: return false;
  }
}

function isConstObject(type: CType): boolean {
  let t: CType = type;
  for (;;) {
    if (t.qualifiers?.const) return true;
    if (t.kind === 'typedef') { t = t.target; continue; }
    if (t.kind === 'array') { t = t.of; continue; }
    return false;
  }
}

function initializerIsZero(init: ast.Initializer, c: Compilation): boolean {
  if (init.kind === 'InitializerList') return init.items.every((i) => initializerIsZero(i.value, c));
  if (init.kind === 'StringLiteral') return init.value.length === 0;
  return c.model.evaluate(init) === 0n;
}

/** String literal bytes as the compiler stores them: each UTF-16 code unit < 256 is a byte, others UTF-8. */
export function stringBytes(value: string): Uint8Array {
  let ascii = true;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 255) { ascii = false; break; }
  if (ascii) {
    const out = new Uint8Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = value.charCodeAt(i);
    return out;
  }
  return new TextEncoder().encode(value);
}

function writeBits(bytes: Uint8Array, base: number, bitOffset: number, width: number, value: bigint): void {
  for (let i = 0; i < width; i++) {
    const bit = (value >> BigInt(i)) & 1n;
    const at = bitOffset + i;
    const index = base + (at >> 3);
    if (index >= bytes.length) return;
    if (bit) bytes[index] |= 1 << (at & 7);
    else bytes[index] &= ~(1 << (at & 7));
  }
}


export type { AddressBase, IrType };
void S32;
