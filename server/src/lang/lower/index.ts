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

import * as ast from '../ast';
import { Compilation, ProgramFunction } from '../compile';
import { CSymbol } from '../sema/analyzer';
import { FrontEndDiagnostic } from '../diagnostics';
import { IrType, IrProgram, S32, AddressBase } from '../ir';
import { locOf, type LowerOptions } from './irValues';
import { StatementLowering } from './statements';

export { irScalarType, locOf, stringBytes } from './irValues';
export type { CoreFieldResolver, LowerOptions } from './irValues';
export { essentialName } from './lvalues';

export interface LowerResult {
  program: IrProgram;
  diagnostics: FrontEndDiagnostic[];
  /** IR function index by C function name. */
  functionIndex: Map<string, number>;
}

export function lowerProgram(compilation: Compilation, options: LowerOptions): LowerResult {
  return new Lowerer(compilation, options).run();
}

class Lowerer extends StatementLowering {
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
  protected emittedDefinitions(): { functions: ProgramFunction[]; globals: Set<CSymbol> } {
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
}

void S32;

export type { AddressBase, IrType };
