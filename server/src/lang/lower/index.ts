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
import { Diagnostics, FrontEndDiagnostic } from '../diagnostics';
import { FrontEndDiagnostic as Diagnostic, MAX_COLLECTED_DIAGNOSTICS } from '../diagnostics';
import { IrType, IrProgram, IrFunction, AddressBase } from '../ir';
import { locOf, type LowerOptions } from './irValues';
import { StatementLowering } from './statements';
import { DefinitionTokens, IN_PREAMBLE, LoweredFunctionRecord, LoweringMemo, TokenKeys, noteRelocation, relocatedBy, sameDefinitionTokens, sameTexts, tokenKeys } from './reuse';
import { globalEmissionOrder } from './emissionOrder';
import { BodyDigests } from './bodyDigest';
import { runSteps, Steps } from '../steps';

export { irScalarType, locOf, stringBytes } from './irValues';
export type { CoreFieldResolver, LowerOptions } from './irValues';
export { essentialName } from './lvalues';
export type { LoweringMemo, LoweringReuse } from './reuse';

/**
 * What clang reports only while generating code (its BPF backend) or libbpf only once the object exists: a file with a
 * front-end error never gets there, so these say nothing then (clang prints the front end's errors alone).
 */
export const CODEGEN_DIAGNOSTIC_CODES: ReadonlySet<number> = new Set([
  Diagnostics.BuiltinCallNotSupported.code, Diagnostics.MemcmpNotInlined.code, Diagnostics.AtomicNotCompiled.code,
  Diagnostics.TooManyCallArguments.code, Diagnostics.TypeMatchesNotCompiled.code, Diagnostics.StructArgNotCompiled.code,
  Diagnostics.StructReturnNotCompiled.code,
]);

export interface LowerResult {
  program: IrProgram;
  diagnostics: FrontEndDiagnostic[];
  /** IR function index by C function name. */
  functionIndex: Map<string, number>;
  /** With `options.reuse`: this lowering, for the next one of the same file; and how many functions it reused. */
  memo?: LoweringMemo;
  reusedFunctions?: number;
}

export function lowerProgram(compilation: Compilation, options: LowerOptions): LowerResult {
  return runSteps(lowerProgramSteps(compilation, options));
}

/** `lowerProgram` in two steps: it yields once the globals are laid out, before the functions are lowered. */
export function lowerProgramSteps(compilation: Compilation, options: LowerOptions): Steps<LowerResult> {
  return new Lowerer(compilation, options).run();
}

class Lowerer extends StatementLowering {
  *run(): Steps<LowerResult> {
    for (const m of this.c.program.maps) this.mapNames.add(m.name);
    // Index every defined function first so calls can refer to functions defined later.
    this.bodyDigests = new BodyDigests(this.c);
    this.emissionOrder = globalEmissionOrder(this.c, this.options.mainFile ?? 0, this.bodyDigests);
    const { functions: defined, globals } = this.emittedDefinitions();
    defined.forEach((f, i) => this.functionIndex.set(f.name, i));
    this.emittedFunctions = defined;
    this.layoutGlobals(defined, globals);
    // the walks above read every body (a large file's emission order is a tenth of its analysis): a place to stop
    yield;
    const incremental = this.options.reuse ? this.incrementally(defined) : undefined;
    for (const f of defined) this.functions.push(incremental ? incremental.lower(f) : this.lowerFunction(f));
    const entries = defined
      .map((f, i) => ({ f, i }))
      .filter(({ f }) => f.section !== undefined && /^iter(\.s)?\//.test(f.section))
      .map(({ f, i }) => ({ func: i, section: f.section!, target: f.section!.replace(/^iter(\.s)?\//, ''), sleepable: f.section!.startsWith('iter.s/') }));
    const sections = [...this.sectionSizes.entries()].map(([name, size]) => ({ name, size, readonly: name.startsWith('.rodata') }));
    // libbpf creates the .maps in their order in the object, which is clang's order of creating them
    const last = this.emissionOrder.size;
    const inObjectOrder = [...this.c.program.maps].sort((a, b) => (this.emissionOrder.get(a.symbol) ?? last) - (this.emissionOrder.get(b.symbol) ?? last));
    const maps = inObjectOrder.map((m) => ({
      name: m.name, type: String(m.type ?? 0), key_size: m.keySize ?? 0, value_size: m.valueSize ?? 0,
      max_entries: m.maxEntries ?? 0, map_flags: m.mapFlags ?? 0, loc: locOf(m.symbol.declaration),
      btf: m.keyType !== undefined && m.valueType !== undefined,
      ...(m.inner ? { inner: { type: String(m.inner.type ?? 0), key_size: m.inner.keySize ?? 0, value_size: m.inner.valueSize ?? 0, max_entries: m.inner.maxEntries ?? 0, map_flags: m.inner.mapFlags ?? 0 } } : {}),
      ...(m.slots ? { slots: m.slots } : {}),
      ...(m.members.pinning === LIBBPF_PIN_BY_NAME ? { pinned: true } : {}),
    }));
    return {
      program: { entries, functions: this.functions, globals: this.globals, sections, strings: this.strings, maps, license: this.c.program.license ?? null },
      diagnostics: this.diagnostics,
      functionIndex: this.functionIndex,
      ...(incremental ? { memo: incremental.memo(), reusedFunctions: incremental.reused() } : {}),
    };
  }

  /**
   * Lowering that takes a function from the file's previous lowering when nothing it reads changed (lower/reuse.ts
   * lists what it reads), replaying what the function added to the shared state: its string literals, jump labels
   * and diagnostics.
   */
  private incrementally(defined: readonly ProgramFunction[]) {
    const { tokens, pragmas, previous } = this.options.reuse!;
    const keys: TokenKeys = tokenKeys(tokens, defined.filter((f) => !f.inHeader)
      .map((f) => ({ file: f.definition.file, pos: f.definition.pos, end: f.definition.end, bodyPos: f.definition.body.pos })), pragmas);
    const preamble = this.c.preamble;
    const outside = keys.outside;
    // What every function's lowering reads beside its definition and the text outside, fixed once the globals are
    // laid out: the emitted functions' indexes (a header's static functions are emitted when a body calls them), the
    // globals' layout (every body's statics included). Locations are left out: no function's IR holds another
    // declaration's place.
    const fixed = JSON.stringify([this.options.objectName, defined.map((f) => f.name),
      [...this.sectionSizes], this.globals.map((g) => [g.name, g.section, g.offset, g.size, g.readonly, g.cType, g.init ? [...g.init].join(',') : null,
        // which pointer loads clang folds depends on every body's writes (globals.ts globalPointerLoad())
        this.foldableGlobals.has(g), [...(this.globalRelocations.get(g) ?? [])]])]);
    const sameOutside = previous !== undefined && previous.preamble === preamble && sameTexts(previous.outside, outside);
    const internedKeys: string[] = [];
    const records = new Map<string, LoweredFunctionRecord>();
    let reused = 0;
    const lower = (f: ProgramFunction): IrFunction => {
      const d = f.definition;
      const definition = f.inHeader ? IN_PREAMBLE : keys.definition(d.file, d.pos, d.end);
      const stateKey = `${fixed}\u0003${this.nextJumpLabel}\u0003${internedKeys.join('\u0000')}\u0003${this.sectionSizes.get('.rodata.str1.1') ?? 0}`;
      const before = previous?.functions.get(f.name);
      if (sameOutside && definition !== undefined && before && before.stateKey === stateKey && sameDefinitionTokens(before.definition, definition)
        && this.diagnostics.length + before.diagnostics.length < MAX_COLLECTED_DIAGNOSTICS) {
        const record = movedRecord(before, definition);
        if (record) {
          for (const key of record.newStrings) { this.internString(key); internedKeys.push(key); }
          this.nextJumpLabel += record.jumpLabels;
          for (const diagnostic of record.diagnostics) this.diagnostics.push(diagnostic);
          records.set(f.name, record);
          reused++;
          return record.fn;
        }
      }
      const firstDiagnostic = this.diagnostics.length;
      const firstString = this.strings.length;
      const firstLabel = this.nextJumpLabel;
      const fn = this.lowerFunction(f);
      const newStrings = [...this.stringIndex.keys()].slice(firstString);
      for (const key of newStrings) internedKeys.push(key);
      const diagnostics: Diagnostic[] = this.diagnostics.slice(firstDiagnostic);
      // a function lowered at the diagnostics' cap lost some of its own: not kept
      if (definition !== undefined && this.diagnostics.length < MAX_COLLECTED_DIAGNOSTICS) {
        records.set(f.name, { definition, stateKey, fn, diagnostics, newStrings, jumpLabels: this.nextJumpLabel - firstLabel });
      }
      return fn;
    };
    return {
      lower,
      memo: (): LoweringMemo => ({ preamble, outside, functions: records }),
      reused: () => reused,
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
    // bodies through their digests, global initializers walked (a few, small)
    const pending: Array<ProgramFunction | ast.Node> = [...emitted];
    for (const symbol of globals) if (symbol.initializer) pending.push(symbol.initializer);
    const named = (symbol: CSymbol) => {
      const callee = symbol.kind === 'function' ? byName.get(symbol.name) : undefined;
      if (callee && !emitted.has(callee)) { emitted.add(callee); pending.push(callee); }
      if (symbol.kind === 'variable' && !globals.has(symbol) && !this.isHelperDeclaration(symbol)) { globals.add(symbol); if (symbol.initializer) pending.push(symbol.initializer); }
    };
    const visitIdentifier = (node: ast.Node) => {
      if (node.kind !== 'Identifier') return;
      const symbol = this.c.model.referenceOf(node)?.symbol;
      if (symbol?.fileScope) named(symbol);
    };
    for (let item = pending.pop(); item; item = pending.pop()) {
      if ('definition' in item) { for (const event of this.bodyDigests.of(item).events) if (event.kind === 'name') named(event.symbol); }
      else ast.walk(item, visitIdentifier);
    }
    return { functions: all.filter((f) => emitted.has(f)), globals };
  }
}

/** libbpf's `enum libbpf_pin_type`: LIBBPF_PIN_BY_NAME. */
const LIBBPF_PIN_BY_NAME = 1;

export type { AddressBase, IrType };

/**
 * The previous lowering of a definition whose tokens are the same: as it was when the definition did not move; moved
 * with it when an edit above changed the text's length (each place inside the old definition by the distance it
 * moved). Undefined when the IR or its diagnostics point outside the old definition in its file (a macro's definition
 * above it, which may have moved otherwise): that function is lowered again.
 */
function movedRecord(before: LoweredFunctionRecord, definition: DefinitionTokens | typeof IN_PREAMBLE): LoweredFunctionRecord | undefined {
  if (definition === IN_PREAMBLE || before.definition === IN_PREAMBLE) return before;
  const old = before.definition;
  const delta = definition.base - old.base;
  if (delta === 0) return before;
  const moved = relocatedBy({ fn: before.fn, diagnostics: before.diagnostics },
    (file, pos, end) => (file !== old.file ? 0 : pos >= old.base && end <= old.end ? delta : undefined));
  if (!moved) return undefined;
  noteRelocation(moved.fn, before.fn, old.file, delta);
  return { ...before, definition, fn: moved.fn, diagnostics: moved.diagnostics };
}
