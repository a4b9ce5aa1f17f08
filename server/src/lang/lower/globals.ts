/** Globals and sections: which section a global lands in (.rodata/.data/.bss/.maps...), constant folding of initializers into bytes, string literals. */

import * as ast from '../ast';
import { Compilation, ProgramFunction } from '../compile';
import { CSymbol } from '../sema/analyzer';
import { CType, resolve, sizeOf, alignOf, typeToString } from '../types';
import { AddressBase, Expr, Loc, IrGlobal, PtrType } from '../ir';
import { Diagnostics } from '../diagnostics';
import { initializedSubobjects, irScalarType, isBool, locOf, charPtr, roundUp, stringBytes } from './irValues';
import { LoweringState } from './state';
import { BodyDigests } from './bodyDigest';

const DATA_SECTIONS = ['.rodata', '.data', '.bss'] as const;

export abstract class GlobalLowering extends LoweringState {
  /**
   * The pointers a global's initializer holds (`const char *names[] = { "a", "b" }`), by byte offset: clang emits
   * them as .rel.data/.rel.rodata relocations, which libbpf skips ("skipping relo section"), so at run time the slot
   * holds the offset clang wrote there, not an address. A load clang folds at compile time gets the address.
   */
  protected readonly globalRelocations = new Map<IrGlobal, Map<number, AddressBase>>();
  /** Globals whose loads clang folds at a constant offset: const, or static and never written; never volatile. */
  protected readonly foldableGlobals = new Set<IrGlobal>();
  /** The relocations of the initializer being filled (constantBytes). */
  private fillingRelocations: Map<number, AddressBase> | undefined;
  /** Each function body walked once for the whole-program passes (bodyDigest.ts). */
  protected bodyDigests!: BodyDigests;
  /** clang's order of creating the global variables (emissionOrder.ts), known once lowering starts. */
  protected emissionOrder: ReadonlyMap<CSymbol, number> = new Map();
  /** The globals some emitted function may write (writtenGlobals()), known once layoutGlobals() starts. */
  private writtenSymbols: ReadonlySet<CSymbol> = new Set();

  // ------------------------------------------------------------------ globals and sections

  /** mirrors clang's section choice: explicit SEC(), else const -> .rodata, zero/uninit -> .bss, else .data. */
  protected sectionOf(symbol: CSymbol): string | undefined {
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
    // clang's globalopt makes a static global that no function writes a constant, which it places in .rodata
    if (symbol.storage.includes('static') && !isVolatileObject(t) && !this.writtenSymbols.has(symbol)) return '.rodata';
    return '.data';
  }

  /** The value of a `static const` scalar with a constant initializer (what clang folds), else undefined. */
  protected foldedConstant(symbol: CSymbol): bigint | undefined {
    if (!symbol.storage.includes('static') || !isConstObject(symbol.type) || !irScalarType(symbol.type)) return undefined;
    const init = symbol.initializer;
    if (!init || init.kind === 'InitializerList') return undefined;
    return this.c.model.evaluate(init) ?? (this.helperIdOf(init) !== undefined ? BigInt(this.helperIdOf(init)!) : undefined);
  }

  protected layoutGlobals(functions: readonly ProgramFunction[], emitted: ReadonlySet<CSymbol>): void {
    const written = writtenGlobals(functions, this.bodyDigests);
    this.writtenSymbols = written;
    const laidOut: Array<[CSymbol, IrGlobal]> = [];
    const add = (symbol: CSymbol, section: string, loc: Loc) => {
      const size = sizeOf(symbol.type) ?? 0;
      const align = Math.max(1, alignOf(symbol.type));
      const offset = roundUp(this.sectionSizes.get(section) ?? 0, align);
      this.sectionSizes.set(section, offset + size);
      const g: IrGlobal = { name: symbol.name, section, offset, size, readonly: section.startsWith('.rodata'), cType: typeToString(symbol.type), loc };
      this.globals.push(g);
      this.globalBySymbol.set(symbol, g);
      laidOut.push([symbol, g]);
    };
    const candidates: Array<{ symbol: CSymbol; loc: Loc }> = [];
    for (const symbol of this.c.program.globals) {
      if (symbol.kind === 'variable' && emitted.has(symbol)) candidates.push({ symbol, loc: locOf(symbol.declaration) });
    }
    // Function-local statics (BPF_SEQ_PRINTF's `static const char ___fmt[]`) live in the data sections too.
    const seen = new Set(candidates.map((c) => c.symbol));
    for (const f of functions) {
      for (const event of this.bodyDigests.of(f).events) {
        if (event.kind !== 'static') continue;
        for (const d of event.declaration.declarators) {
          const symbol = this.symbolOfDeclarator(d.declarator);
          if (symbol && !seen.has(symbol)) { seen.add(symbol); candidates.push({ symbol, loc: locOf(d) }); }
        }
      }
    }
    // in clang's order of creation: the sections' order and each variable's offset in its section
    const rank = this.emissionOrder;
    const last = rank.size;
    candidates.sort((a, b) => (rank.get(a.symbol) ?? last) - (rank.get(b.symbol) ?? last));
    for (const { symbol, loc } of candidates) {
      const section = this.sectionOf(symbol);
      if (section) add(symbol, section, loc);
    }
    // Initializers after the layout: a pointer in one may name a global laid out after it.
    for (const [symbol, g] of laidOut) {
      if (!symbol.initializer) continue;
      this.fillingRelocations = new Map();
      g.init = this.constantBytes(symbol.type, symbol.initializer, g.size);
      if (g.init && this.fillingRelocations.size > 0) this.globalRelocations.set(g, this.fillingRelocations);
      this.fillingRelocations = undefined;
      if (!isVolatileObject(symbol.type) && (isConstObject(symbol.type) || (symbol.storage.includes('static') && !written.has(symbol)))) this.foldableGlobals.add(g);
    }
    for (const s of DATA_SECTIONS) if (this.sectionSizes.get(s) === 0) this.sectionSizes.delete(s);
  }

  /**
   * A pointer load from a global that holds relocated pointers: the address when clang folds the load (a foldable
   * global at a constant offset), else undefined, with BPF1398 when the offset is known only at run time and the
   * slot read may be one of the pointers libbpf leaves unrelocated.
   */
  protected globalPointerLoad(ptr: Expr, offset: number, type: PtrType, loc: Loc): Expr | undefined {
    let root = ptr;
    while (root.op === 'ptrCast') root = root.operand;
    const constantOffset = root.op === 'addr';
    if (!constantOffset) {
      while (root.op === 'ptrAdd' || root.op === 'ptrCast') root = root.op === 'ptrAdd' ? root.ptr : root.operand;
    }
    if (root.op !== 'addr' || root.base.kind !== 'global') return undefined;
    const base = root.base;
    const g = this.globals.find((candidate) => candidate.section === base.section && candidate.offset === base.offset);
    const slots = g && this.globalRelocations.get(g);
    if (!g || !slots) return undefined;
    if (constantOffset) {
      const target = slots.get(offset);
      if (target && this.foldableGlobals.has(g)) return { op: 'addr', base: target, type, loc };
      return undefined;
    }
    this.report(Diagnostics.UnrelocatedGlobalPointer, loc, [g.name, g.section]);
    return undefined;
  }

  protected symbolOfDeclarator(declarator: ast.Declarator): CSymbol | undefined {
    if (!declarator.name) return undefined;
    return this.c.model.referenceOf(declarator.name)?.symbol;
  }

  /** Bytes of a constant initializer (what clang puts in .data/.rodata); undefined when not constant. */
  protected constantBytes(type: CType, init: ast.Initializer, size: number): Uint8Array | undefined {
    const bytes = new Uint8Array(size);
    const ok = this.fillConstant(bytes, 0, type, init);
    return ok ? bytes : undefined;
  }

  protected fillConstant(bytes: Uint8Array, offset: number, type: CType, init: ast.Initializer): boolean {
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
    if (value === undefined) {
      const target = t.kind === 'pointer' ? this.addressConstant(init) : undefined;
      if (!target) return false;
      // The bytes clang writes where the relocation applies: a string's offset in .rodata.str1.1, a global's in
      // its section (the addend of a section-relative REL relocation); libbpf leaves them as they are.
      const unrelocated = BigInt(target.kind === 'string' ? this.stringOffset(target.index) : target.kind === 'global' ? target.offset : 0);
      for (let i = 0; i < 8 && offset + i < bytes.length; i++) bytes[offset + i] = Number((unrelocated >> BigInt(8 * i)) & 0xffn);
      this.fillingRelocations?.set(offset, target);
      return true;
    }
    const size = sizeOf(t) ?? 0;
    const v = BigInt.asUintN(size * 8, isBool(t) ? (value !== 0n ? 1n : 0n) : value);
    for (let i = 0; i < size && offset + i < bytes.length; i++) bytes[offset + i] = Number((v >> BigInt(8 * i)) & 0xffn);
    return true;
  }

  /** Where an address constant of an initializer points: a string literal, or a global (`&g`, an array `g`). */
  private addressConstant(init: ast.Initializer): AddressBase | undefined {
    let e: ast.Initializer = init;
    while (e.kind === 'Cast') e = e.operand;
    if (e.kind === 'StringLiteral') return { kind: 'string', index: this.internString(e.value) };
    const named = e.kind === 'Unary' && e.operator === '&' ? e.operand : e.kind === 'Identifier' && resolve(this.c.typeOf(e) ?? { kind: 'void' } as CType).kind === 'array' ? e : undefined;
    if (named?.kind !== 'Identifier') return undefined;
    const symbol = this.c.model.referenceOf(named)?.symbol;
    const g = symbol && this.globalBySymbol.get(symbol);
    return g ? { kind: 'global', section: g.section, offset: g.offset, name: g.name } : undefined;
  }

  /** The byte offset of interned string `index` in .rodata.str1.1. */
  private stringOffset(index: number): number {
    let offset = 0;
    for (let i = 0; i < index; i++) offset += this.strings[i].length;
    return offset;
  }

  protected stringLiteral(node: ast.StringLiteral): Expr {
    const index = this.internString(node.value);
    return { op: 'addr', base: { kind: 'string', index }, type: charPtr('const char *'), loc: locOf(node) };
  }

  /** The index of a string literal's bytes in .rodata.str1.1, added at its first use (`value` as the parser decoded it). */
  protected internString(value: string): number {
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.length;
      const bytes = stringBytes(value);
      const withNul = new Uint8Array(bytes.length + 1);
      withNul.set(bytes);
      this.strings.push(withNul);
      this.stringIndex.set(value, index);
      this.sectionSizes.set('.rodata.str1.1', (this.sectionSizes.get('.rodata.str1.1') ?? 0) + withNul.length);
    }
    return index;
  }
}

/**
 * The globals some function may write: assigned, incremented or decremented (through `.` and `[]` of them), whose
 * address is taken, or arrays used as a value (decayed to their address) other than indexed, dereferenced or sized. clang's globalopt makes a static global that is none of these a constant and folds its
 * loads.
 */
function writtenGlobals(functions: readonly ProgramFunction[], digests: BodyDigests): Set<CSymbol> {
  const out = new Set<CSymbol>();
  for (const f of functions) for (const symbol of digests.of(f).written) out.add(symbol);
  return out;
}

/** Whether the object itself (through typedefs and array element types) carries `qualifier`. */
function objectHas(type: CType, qualifier: 'const' | 'volatile'): boolean {
  let t: CType = type;
  for (;;) {
    if (t.qualifiers?.[qualifier]) return true;
    if (t.kind === 'typedef') { t = t.target; continue; }
    if (t.kind === 'array') { t = t.of; continue; }
    return false;
  }
}

const isConstObject = (type: CType): boolean => objectHas(type, 'const');
const isVolatileObject = (type: CType): boolean => objectHas(type, 'volatile');

function initializerIsZero(init: ast.Initializer, c: Compilation): boolean {
  if (init.kind === 'InitializerList') return init.items.every((i) => initializerIsZero(i.value, c));
  if (init.kind === 'StringLiteral') return init.value.length === 0;
  return c.model.evaluate(init) === 0n;
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
