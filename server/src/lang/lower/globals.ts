/** Globals and sections: which section a global lands in (.rodata/.data/.bss/.maps...), constant folding of initializers into bytes, string literals. */

import * as ast from '../ast';
import { Compilation, ProgramFunction } from '../compile';
import { CSymbol } from '../sema/analyzer';
import { CType, resolve, sizeOf, alignOf, typeToString } from '../types';
import { Expr, Loc, IrGlobal } from '../ir';
import { initializedSubobjects, irScalarType, isBool, locOf, charPtr, roundUp, stringBytes } from './irValues';
import { LoweringState } from './state';

const DATA_SECTIONS = ['.rodata', '.data', '.bss'] as const;

export abstract class GlobalLowering extends LoweringState {
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
    if (value === undefined) return false;
    const size = sizeOf(t) ?? 0;
    const v = BigInt.asUintN(size * 8, isBool(t) ? (value !== 0n ? 1n : 0n) : value);
    for (let i = 0; i < size && offset + i < bytes.length; i++) bytes[offset + i] = Number((v >> BigInt(8 * i)) & 0xffn);
    return true;
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
