/**
 * Front-end facade: tokens -> syntax tree -> semantic model -> the program summary the checker, executor and
 * editor features use (functions with their SEC names, global variables, `.maps` definitions decoded from
 * libbpf's `__uint`/`__type` members, the license string).
 *
 * Preamble (like clangd's): the headers a file includes first (vmlinux.h, libbpf's headers) are parsed and
 * bound once; a `Preamble` keeps their tree, typedef names and file scope, and every later compilation of a
 * file with the same preamble parses only the user's tokens on top of it.
 */
import * as ast from './ast';
import { FrontEndDiagnostic } from './diagnostics';
import { parse } from './parser';
import { analyze, AnalyzeOptions, CSymbol, isUnboundRecord, LazyDeclarations, LazyNameTable, Reference, Scope, SemanticModel } from './sema/analyzer';
import { LazyHeaderIndex, LazyKind } from './lazyHeader';
import { scan } from './scanner';
import { CType, RecordInfo, resolve, sizeOf, typeToString } from './types';
import { Token, TokenKind } from './token';
import * as fs from 'fs';
import { createHash } from 'crypto';
import { FileSystemHost, nodeFileSystemHost } from './headers';
import { HeaderCache, PreprocessOptions, PreprocessorState, preprocess } from './preprocessor';
import { BoundedCache } from './boundedCache';
import { preambleBounds } from './preambleBounds';
import { runSteps, Steps } from './steps';

export { preambleBounds };

export interface Preamble {
  unit: ast.TranslationUnit;
  model: SemanticModel;
  typedefNames: ReadonlySet<string>;
  diagnostics: FrontEndDiagnostic[];
}

/**
 * Parses and binds header tokens once; the result is shared by every file whose preamble produces them. Headers
 * the preprocessor read through their index (`lazyFiles`, lazyHeader.ts) are not in the tokens: their names are
 * typedef names for the parser, and their declarations are bound when first named (sema `LazyDeclarations`).
 */
export function buildPreamble(
  headerTokens: readonly Token[], pragmas: ReadonlyArray<PragmaLike> = [],
  lazyFiles: ReadonlyArray<LazyFileLike> = [],
): Preamble {
  const { parsed, model } = parseAndBind(headerTokens, pragmas, lazyFiles);
  return { unit: parsed.unit, model, typedefNames: parsed.typedefNames, diagnostics: [...parsed.diagnostics, ...model.diagnostics] };
}

/**
 * Parses and binds tokens among which headers were read through their index (the preamble's, or the user part's when
 * code comes before `#include "vmlinux.h"`): each header's typedef names are typedef names from its include on,
 * and sema binds its declarations from the external declaration that follows the include, as if parsed there.
 */
function parseAndBind(tokens: readonly Token[], pragmas: ReadonlyArray<PragmaLike>, lazyFiles: ReadonlyArray<LazyFileLike>, preamble?: Preamble): { parsed: ReturnType<typeof parse>; model: SemanticModel } {
  return runSteps(parseAndBindSteps(tokens, pragmas, lazyFiles, preamble));
}

/** `parseAndBind` in two steps: it yields between the parse and the binding. */
function* parseAndBindSteps(tokens: readonly Token[], pragmas: ReadonlyArray<PragmaLike>, lazyFiles: ReadonlyArray<LazyFileLike>, preamble?: Preamble): Steps<{ parsed: ReturnType<typeof parse>; model: SemanticModel }> {
  const lazyTypedefs = new Set<string>();
  for (const lazy of lazyFiles) for (const name of lazy.index.typedefNames) lazyTypedefs.add(name);
  const parsed = parse(tokens, {
    typedefNames: preamble?.typedefNames,
    ...(lazyFiles.length ? { lazyTypedefNames: lazyFiles.map((lazy) => ({ fromToken: lazy.tokenIndex, names: lazy.index.typedefNames })) } : {}),
  });
  yield;
  const lazy = lazyFiles.map((file, i) => ({ ...lazyDeclarations(file, lazyTypedefs, pragmas), fromDeclaration: parsed.lazyDeclarationStarts[i] }));
  const packAt = pragmaPackLookup(pragmas);
  const model = analyze(parsed.unit, { preludeScope: preamble?.model.fileScope, ...(lazy.length ? { lazy } : {}), ...(packAt ? { packAt } : {}) });
  markPreserveAccessIndex(model, pragmas);
  return { parsed, model };
}

/**
 * `#pragma pack` as clang reads it: `pack(n)` sets the largest field alignment, `pack(push[, n])` saves the current one
 * (and sets n), `pack(pop)` restores, `pack()` resets. Returns the value in force at a file offset, walking the pragmas
 * of that file in order (a pack spanning an #include is not followed into the header); undefined without any.
 */
function pragmaPackLookup(pragmas: ReadonlyArray<PragmaLike>): AnalyzeOptions['packAt'] {
  const changes = new Map<number, Array<{ pos: number; value: number | undefined }>>();
  const stacks = new Map<number, Array<number | undefined>>();
  const current = new Map<number, number | undefined>();
  for (const pragma of pragmas) {
    const m = /^\s*pack\s*\(([^)]*)\)/.exec(pragma.text);
    if (!m) continue;
    const args = m[1].split(',').map((a) => a.trim()).filter(Boolean);
    const stack = stacks.get(pragma.file) ?? [];
    stacks.set(pragma.file, stack);
    let value = current.get(pragma.file);
    const number = args.map((a) => Number(a)).find((n) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0);
    if (args[0] === 'push') { stack.push(value); if (number !== undefined) value = number; }
    else if (args[0] === 'pop') value = stack.pop();
    else value = number;
    current.set(pragma.file, value);
    const list = changes.get(pragma.file) ?? [];
    list.push({ pos: pragma.pos, value });
    changes.set(pragma.file, list);
  }
  if (changes.size === 0) return undefined;
  return (file, pos) => {
    let value: number | undefined;
    for (const change of changes.get(file) ?? []) { if (change.pos > pos) break; value = change.value; }
    return value;
  };
}

/** A header read through its index, as the preprocessor records it (preprocessor.ts `LazyFileRecord`). */
export interface LazyFileLike { file: number; text: string; index: LazyHeaderIndex; tokenIndex: number; expanded?: readonly number[] }

/** A name table without the declarations the preprocessor read whole (their tokens declare those names). */
function withoutExpanded(table: LazyNameTable, expanded: ReadonlySet<number>): LazyNameTable {
  if (expanded.size === 0) return table;
  return {
    get: (name) => { const declaration = table.get(name); return declaration === undefined || expanded.has(declaration) ? undefined : declaration; },
    keys: () => table.keys(),
  };
}

function lazyDeclarations(lazy: LazyFileLike, typedefNames: ReadonlySet<string>, pragmas: ReadonlyArray<PragmaLike>): LazyDeclarations {
  const { index, text, file } = lazy;
  const firstDeclaration = index.declarations.length ? index.declarations[0] : text.length;
  // vmlinux.h opens `#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)` before
  // its first declaration (unless BPF_NO_PRESERVE_ACCESS_INDEX is defined: then the pragma was skipped)
  const preserveAccessIndex = pragmas.some((pragma) => pragma.file === file && pragma.pos < firstDeclaration
    && /^clang\s+attribute\s+push\b/.test(pragma.text.trim()) && /preserve_access_index/.test(pragma.text) && /apply_to\s*=\s*record/.test(pragma.text));
  const expanded = new Set(lazy.expanded ?? []);
  return {
    tags: withoutExpanded(index.tags, expanded),
    symbols: withoutExpanded(index.symbols, expanded),
    preserveAccessIndex,
    recordTag: (d) => {
      const kind = index.declarations[d * 3 + 2];
      if (kind !== LazyKind.Record && kind !== LazyKind.ForwardRecord) return undefined;
      return text.startsWith('union', index.declarations[d * 3]) ? 'union' : 'struct';
    },
    parse: (d) => {
      const pos = index.declarations[d * 3];
      const end = index.declarations[d * 3 + 1];
      const tokens = scan(text.slice(pos, end), file).filter((token) => token.kind !== TokenKind.Newline);
      for (const token of tokens) { token.pos += pos; token.end += pos; }
      return parse(tokens, { typedefNames }).unit.declarations;
    },
  };
}

/** A `#pragma` as the preprocessor records it (preprocessor.ts `PragmaRecord`). */
export interface PragmaLike { file: number; pos: number; text: string }

/**
 * vmlinux.h wraps its types in `#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)`
 * ... `#pragma clang attribute pop`; records defined in between get the attribute, as clang applies it.
 */
function markPreserveAccessIndex(model: SemanticModel, pragmas: ReadonlyArray<PragmaLike>): void {
  const ranges: Array<{ file: number; start: number; end: number }> = [];
  const open: PragmaLike[] = [];
  for (const pragma of pragmas) {
    const text = pragma.text.replace(/\s+/g, '');
    if (!text.startsWith('clangattribute')) continue;
    if (text.startsWith('clangattributepush')) open.push(pragma);
    else if (text.startsWith('clangattributepop')) {
      const push = open.pop();
      if (push && push.file === pragma.file && /preserve_access_index/.test(push.text) && /apply_to=record/.test(push.text.replace(/\s+/g, ''))) {
        ranges.push({ file: push.file, start: push.pos, end: pragma.pos });
      }
    }
  }
  for (const push of open) {
    if (/preserve_access_index/.test(push.text)) ranges.push({ file: push.file, start: push.pos, end: Number.MAX_SAFE_INTEGER });
  }
  if (ranges.length === 0) return;
  for (const tag of model.fileScope.tags.values()) {
    // a lazily indexed header's record gets the attribute when bound (sema bindLazy)
    if (tag.kind !== 'record' || isUnboundRecord(tag.info)) continue;
    const declaration = tag.info.declaration as ast.RecordSpecifier | undefined;
    if (declaration && ranges.some((range) => declaration.file === range.file && declaration.pos > range.start && declaration.pos < range.end)) {
      markRecord(tag.info, new Set());
    }
  }
}

/** Anonymous records nested in a marked one are inside the pragma range too. */
function markRecord(record: RecordInfo, seen: Set<RecordInfo>): void {
  if (seen.has(record)) return;
  seen.add(record);
  record.preserveAccessIndex = true;
  for (const field of record.fields) {
    const type = resolve(field.type);
    if (type.kind === 'record' && !type.record.name) markRecord(type.record, seen);
  }
}

export interface MapDefinition {
  name: string;
  symbol: CSymbol;
  /** The value of `__uint(type, BPF_MAP_TYPE_...)`. */
  type?: number;
  keySize?: number;
  valueSize?: number;
  maxEntries?: number;
  mapFlags?: number;
  keyType?: CType;
  valueType?: CType;
  /** Every decoded member, including ones this summary does not name (pinning, numa_node...). */
  members: Record<string, number | CType>;
  /**
   * `__array(values, struct inner)` of a map of maps: the inner map's definition, from which libbpf creates the
   * template map the outer one is created with (its inner_map_fd).
   */
  inner?: MapDefinition;
  /** `.values = { [1] = &other_map }`: the slots libbpf fills once the maps exist (init_slots), by index. */
  slots?: Array<{ index: number; map: string }>;
}

export interface ProgramFunction {
  name: string;
  /** `SEC("iter/bpf_map")` -> `iter/bpf_map`; undefined for helpers without a section. */
  section?: string;
  symbol: CSymbol;
  definition: ast.FunctionDefinition;
  parameters: CType[];
  /**
   * Defined in the preamble's headers (vmlinux.h, libbpf's, a project's `helpers.h`). clang emits a header's
   * `static` function only where it is called, so lowering takes those only when reachable.
   */
  inHeader?: boolean;
}

export interface ProgramSummary {
  functions: ProgramFunction[];
  globals: CSymbol[];
  maps: MapDefinition[];
  sections: Array<{ name: string; symbol: CSymbol; kind: 'program' | 'maps' | 'license' | 'data' }>;
  license?: string;
}

export interface Compilation {
  ast: ast.TranslationUnit;
  diagnostics: FrontEndDiagnostic[];
  program: ProgramSummary;
  model: SemanticModel;
  preamble?: Preamble;
  typeOf(node: ast.Node): CType | undefined;
  /** What the name at [file, offset] resolves to (user file first, then the preamble's headers). */
  symbolAt(file: number, offset: number): Reference | undefined;
  /** The innermost node of the user's tree containing [file, offset]. */
  nodeAt(file: number, offset: number): ast.Node | undefined;
}

export interface CompileTokensOptions {
  preamble?: Preamble;
  /** The user part's `#pragma`s: `#pragma clang attribute push(preserve_access_index)` applies to its records too. */
  pragmas?: ReadonlyArray<PragmaLike>;
  /** Headers the user part read through their index (`tokenIndex` counts in `tokens`): code above `#include "vmlinux.h"`. */
  lazyFiles?: ReadonlyArray<LazyFileLike>;
}

/** Compiles the user's tokens (after the preamble, if any). */
export function compileTokens(tokens: readonly Token[], options: CompileTokensOptions = {}): Compilation {
  return runSteps(compileTokensSteps(tokens, options));
}

/** `compileTokens` in steps: it yields between the parse and the binding. */
function* compileTokensSteps(tokens: readonly Token[], options: CompileTokensOptions = {}): Steps<Compilation> {
  const { preamble } = options;
  const { parsed, model: userModel } = yield* parseAndBindSteps(tokens, options.pragmas ?? [], options.lazyFiles ?? [], preamble);
  const diagnostics = [...parsed.diagnostics, ...userModel.diagnostics];
  const model = preamble ? translationUnitModel(preamble.model, userModel) : userModel;
  const program = summarize(model, preamble?.model);
  return {
    ast: parsed.unit,
    diagnostics,
    program,
    model,
    preamble,
    typeOf: (node) => model.typeOf(node) ?? preamble?.model.typeOf(node),
    symbolAt: (file, offset) => model.referenceAt(file, offset) ?? preamble?.model.referenceAt(file, offset),
    nodeAt: (file, offset) => nodeAt(parsed.unit, file, offset),
  };
}

/**
 * One model for the whole translation unit: a header's definitions (functions, `.maps`, globals) belong to the
 * program exactly as the main file's do, as clang sees one file after preprocessing. Nodes of the preamble's
 * tree resolve through the preamble's model, the user's through the user's; the user's file scope (whose parent
 * is the preamble's) and references stay the user's, for the editor features.
 */
function translationUnitModel(headers: SemanticModel, user: SemanticModel): SemanticModel {
  const ownedByHeaders = (node: ast.Node): boolean => user.typeOf(node) === undefined && headers.typeOf(node) !== undefined;
  return {
    diagnostics: user.diagnostics,
    fileScope: user.fileScope,
    references: user.references,
    typeOf: (node) => user.typeOf(node) ?? headers.typeOf(node),
    referenceAt: (file, offset) => user.referenceAt(file, offset) ?? headers.referenceAt(file, offset),
    referenceOf: (node) => user.referenceOf(node) ?? headers.referenceOf(node),
    evaluate: (expression) => (ownedByHeaders(expression) ? headers.evaluate(expression) : user.evaluate(expression)),
    genericSelection: (node) => user.genericSelection(node) ?? headers.genericSelection(node),
    declaredType: (declarator) => user.declaredType(declarator) ?? headers.declaredType(declarator),
    functions: [...headers.functions, ...user.functions],
  };
}

export function nodeAt(root: ast.Node, file: number, offset: number): ast.Node | undefined {
  let found: ast.Node | undefined;
  let current: ast.Node | undefined = root;
  while (current) {
    const parent: ast.Node = current;
    current = undefined;
    ast.forEachChild(parent, (child) => {
      if (!current && child.file === file && child.pos <= offset && offset < child.end) current = child;
    });
    if (current) found = current;
  }
  return found;
}

function attributeString(attributes: readonly ast.Attribute[], name: string): string | undefined {
  for (const attribute of attributes) {
    const argument = attribute.args[0];
    if (attribute.name === name && argument?.kind === 'StringLiteral') return argument.value;
  }
  return undefined;
}

function summarize(model: SemanticModel, headers?: SemanticModel): ProgramSummary {
  const program: ProgramSummary = { functions: [], globals: [], maps: [], sections: [] };
  const fromHeaders = new Set(headers?.functions.map((f) => f.definition));
  const definedByUser = new Set(model.functions.filter((f) => !fromHeaders.has(f.definition)).map((f) => f.symbol.name));
  for (const { definition, symbol } of model.functions) {
    // A header's function that the file defines again is a redefinition (reported by sema); the file's body counts.
    const inHeader = fromHeaders.has(definition);
    if (inHeader && definedByUser.has(symbol.name)) continue;
    // A definition clang refused as a redefinition is in no object: nothing lowers, checks or runs it (a file that
    // includes itself twice made 65,536 copies of each function before the token bound, lowered one by one).
    if (symbol.invalid) continue;
    const section = attributeString(symbol.attributes, 'section');
    const type = resolve(symbol.type);
    const name = symbol.name;
    program.functions.push({ name, section, symbol, definition, parameters: type.kind === 'function' ? type.params : [], inHeader });
    if (section) program.sections.push({ name: section, symbol, kind: 'program' });
  }
  // The preamble's file-scope variables first (they come first in the translation unit), then the file's; a
  // name the file declares again is the file's symbol.
  const variables = new Map<string, CSymbol>();
  for (const symbol of headers ? headerVariables(headers) : []) variables.set(symbol.name, symbol);
  for (const symbol of model.fileScope.symbols.values()) if (symbol.kind === 'variable') { variables.delete(symbol.name); variables.set(symbol.name, symbol); }
  for (const symbol of variables.values()) {
    program.globals.push(symbol);
    const section = attributeString(symbol.attributes, 'section');
    if (section === '.maps') {
      program.maps.push(decodeMap(symbol, model));
      program.sections.push({ name: section, symbol, kind: 'maps' });
    } else if (section === 'license') {
      const init = symbol.initializer;
      if (init?.kind === 'StringLiteral') program.license = init.value;
      program.sections.push({ name: section, symbol, kind: 'license' });
    } else if (section) {
      program.sections.push({ name: section, symbol, kind: 'data' });
    }
  }
  return program;
}

/**
 * The preamble's file-scope variables, found once per preamble: its scope holds every name of vmlinux.h (about
 * 100,000 with the enumerators), which is too many to walk again at each keystroke.
 */
const headerVariablesOf = new WeakMap<SemanticModel, CSymbol[]>();
function headerVariables(headers: SemanticModel): CSymbol[] {
  let found = headerVariablesOf.get(headers);
  if (!found) {
    found = [...headers.fileScope.symbols.values()].filter((symbol) => symbol.kind === 'variable');
    headerVariablesOf.set(headers, found);
  }
  return found;
}

/**
 * Decodes a BTF-style map definition: libbpf's `__uint(name, val)` is `int (*name)[val]` and
 * `__type(name, val)` is `typeof(val) *name` (bpf_helpers.h); libbpf reads them back from BTF the same way.
 * mirrors libbpf parse_btf_map_def().
 */
/** The `.maps` members libbpf reads as a type (btf__resolve_size of the pointee), not as a number. */
const MAP_TYPE_MEMBERS: ReadonlySet<string> = new Set(['key', 'value', 'values']);

function decodeMap(symbol: CSymbol, model: SemanticModel): MapDefinition {
  const type = resolve(symbol.type);
  const map = decodeMapRecord(symbol.name, symbol, type.kind === 'record' ? type.record : undefined);
  // `typeof(struct inner) *values[]`: the element's pointee is the inner map's definition
  const values = type.kind === 'record' ? type.record.fields.find((field) => field.name === 'values') : undefined;
  const valuesType = values ? resolve(values.type) : undefined;
  const pointee = valuesType?.kind === 'array' ? resolve(valuesType.of) : undefined;
  const innerType = pointee?.kind === 'pointer' ? resolve(pointee.to) : undefined;
  if (innerType?.kind === 'record' && innerType.record.fields.length > 0) map.inner = decodeMapRecord(`${symbol.name}.inner`, symbol, innerType.record);
  const slots = initialSlots(symbol.initializer, model);
  if (slots.length) map.slots = slots;
  return map;
}

/** `.values = { [i] = &map, ... }` of a map definition's initializer: each slot's index and map name. */
function initialSlots(initializer: ast.Initializer | undefined, model: SemanticModel): Array<{ index: number; map: string }> {
  if (initializer?.kind !== 'InitializerList') return [];
  const values = initializer.items.find((item) => item.designators[0]?.kind === 'FieldDesignator' && item.designators[0].name.name === 'values');
  if (values?.value.kind !== 'InitializerList') return [];
  const slots: Array<{ index: number; map: string }> = [];
  let next = 0;
  for (const item of values.value.items) {
    const designator = item.designators[0];
    const index = designator?.kind === 'IndexDesignator' ? Number(model.evaluate(designator.index) ?? -1) : next;
    next = index + 1;
    let value = item.value;
    while (value.kind === 'Cast') value = value.operand;
    if (value.kind === 'Unary' && value.operator === '&') value = value.operand;
    if (index >= 0 && value.kind === 'Identifier') slots.push({ index, map: value.name });
  }
  return slots;
}

function decodeMapRecord(name: string, symbol: CSymbol, record: RecordInfo | undefined): MapDefinition {
  const map: MapDefinition = { name, symbol, members: {} };
  for (const field of record?.fields ?? []) {
    if (!field.name) continue;
    const fieldType = resolve(field.type);
    if (fieldType.kind !== 'pointer') continue;
    const target = resolve(fieldType.to);
    // libbpf picks by name: `key`, `value` and `values` are types even when the type is an int array
    // (`__type(value, char[128])`), every other member is an `__uint` number.
    if (target.kind === 'array' && target.length !== undefined && resolve(target.of).kind === 'int' && !MAP_TYPE_MEMBERS.has(field.name)) {
      map.members[field.name] = target.length;
    } else {
      map.members[field.name] = fieldType.to;
    }
  }
  const number = (name: string): number | undefined => (typeof map.members[name] === 'number' ? map.members[name] as number : undefined);
  const ctype = (name: string): CType | undefined => (typeof map.members[name] === 'object' ? map.members[name] as CType : undefined);
  map.type = number('type');
  map.maxEntries = number('max_entries');
  map.mapFlags = number('map_flags');
  map.keyType = ctype('key');
  map.valueType = ctype('value');
  map.keySize = number('key_size') ?? (map.keyType ? sizeOf(map.keyType) : undefined);
  // libbpf's parse_btf_map_def(): `__array(values, ...)` (a map of maps, a program array) makes the value an fd, 4 bytes
  const hasValues = record?.fields.some((field) => field.name === 'values') ?? false; // `typeof(val) *values[]`
  map.valueSize = number('value_size') ?? (map.valueType ? sizeOf(map.valueType) : hasValues ? 4 : undefined);
  return map;
}

// ---------------------------------------------------------------- whole files, with the preamble cache

/** The part of the preprocessor's result the facade needs (see preprocessor.ts `PreprocessResult`). */
export interface PreprocessedFile<State = unknown> {
  tokens: Token[];
  /** File id of the main file (0 when absent). */
  mainFile?: number;
  files: ReadonlyArray<{ path: string; text?: string }>;
  diagnostics: FrontEndDiagnostic[];
  /** #include lines processed; `includedFile` indexes `files` (which may also list other files of the session). */
  includes?: ReadonlyArray<{ includedFile?: number }>;
  pragmas?: ReadonlyArray<PragmaLike>;
  /** Headers read through their index (preprocessor.ts `LazyFileRecord`). */
  lazyFiles?: ReadonlyArray<{ file: number; index: LazyHeaderIndex; tokenIndex: number; expanded?: readonly number[] }>;
  /** Macro table etc. at the end, to continue from (preprocessor.ts `PreprocessorState`). */
  state?: State;
}
/** Preprocesses `text`; with `initialState`, continues from the end of an earlier run (the preamble's). */
export type PreprocessFunction<Host, Options, State = unknown> = (path: string, text: string, host: Host, options: Options | undefined, initialState?: State) => PreprocessedFile<State>;

export interface FileCompilation<Run = PreprocessedFile> extends Compilation {
  /** The preamble's own preprocessing (shared by every file with this preamble) and the rest of the file's. */
  preambleRun: Run;
  userRun: Run;
  /** Source files of the compilation by id. */
  files: ReadonlyArray<{ path: string }>;
  /** True when the preamble's tokens and declarations came from the cache. */
  preambleReused: boolean;
  /** File id of the compiled file (for `symbolAt(mainFile, offset)`, `nodeAt`). */
  mainFile: number;
}

/**
 * A front end bound to a preprocessor, with one preamble cache shared by every file compiled through it
 * (an editor session). The preamble (leading directives, see `preambleBounds`) is preprocessed, parsed and
 * bound once; each compilation preprocesses only the rest of the file, continuing from the preamble's macro
 * state, with the preamble's text blanked so offsets stay those of the real file. The cache entry is
 * rebuilt when the preamble text, the options, or any header it read changes.
 */
export function createFrontEnd<Host extends { readFile(path: string): string | undefined }, Options, State>(
  preprocess: PreprocessFunction<Host, Options, State>,
  /** A cheap change stamp (mtime+size) for a header, used instead of re-reading it to validate the preamble. */
  headerStamp?: (host: Host, path: string) => string | undefined,
  /**
   * Front ends created with the same name (and equivalent `preprocess` functions) share one preamble cache in the
   * process: every open document, every language service, the CLI's files. Without it the cache is this one's.
   */
  shareAs?: string,
): {
  compileFile(path: string, text: string, host: Host, options?: Options): FileCompilation<PreprocessedFile<State>>;
  /**
   * `compileFile` in steps: it yields after the preamble (when it was made anew), after the preprocessing of the rest
   * of the file and after its parse, so an editor can drop a compilation of a large file that a keystroke made obsolete
   * without waiting for the whole front end.
   */
  compileFileSteps(path: string, text: string, host: Host, options?: Options): Steps<FileCompilation<PreprocessedFile<State>>>;
  clearCache(): void;
} {
  interface Entry {
    preamble: Preamble;
    /** The preamble's pragmas: a `#pragma clang attribute push` there may be popped in the user's part. */
    pragmas: ReadonlyArray<PragmaLike>;
    state?: State;
    files: ReadonlyArray<{ path: string; text?: string }>;
    diagnostics: FrontEndDiagnostic[];
    /** Headers read by the preamble and their text then, to notice edits of vmlinux.h on disk or in the editor. */
    headers: Array<{ path: string; text: string; stamp?: string }>;
    /** The host the stamps are of: another host's stamps (two in-memory hosts both say `mem:1`) are not compared. */
    host: Host;
    run: PreprocessedFile<State>;
  }
  // One preamble with the real vmlinux.h is a few thousand tokens (it is indexed lazily, lazyHeader.ts); a file
  // that includes itself can make one of millions, which is used once and not kept.
  const cache = (shareAs === undefined ? undefined : sharedPreambleCaches.get(shareAs) as BoundedCache<Entry> | undefined) ?? new BoundedCache<Entry>(16, 2_000_000);
  if (shareAs !== undefined) sharedPreambleCaches.set(shareAs, cache as BoundedCache<unknown>);
  const headersUnchanged = (entry: Entry, host: Host, mainPath: string): boolean =>
    entry.headers.every((header) => {
      // A preamble that includes the file being edited (a file including itself) is stale after every edit.
      if (header.path === mainPath) return false;
      const stamp = entry.host === host ? headerStamp?.(host, header.path) : undefined;
      // Editor hosts hand back the same string for an unchanged document, which compares in O(1).
      return stamp !== undefined && header.stamp !== undefined ? stamp === header.stamp : host.readFile(header.path) === header.text;
    });
  // The parsed and bound preamble by what it is made of (its tokens, pragmas, lazily read headers and the files
  // they name): an edit of the preamble's comments, or of a directive that leaves the headers' tokens as they
  // were, preprocesses the preamble again (from the header cache) but does not parse and bind it again.
  // The first preamble is not fingerprinted until another is made (the fingerprint of thousands of tokens is ~10 ms
  // of a start, and a session whose preamble never changes never compares it with anything).
  const parsedPreambles = new BoundedCache<Preamble>(4, 2_000_000);
  let firstPreamble: { inputs: Parameters<typeof preambleFingerprint>; preamble: Preamble } | undefined;
  let fingerprinted = false;
  const parsedPreamble = (tokens: readonly Token[], pragmas: ReadonlyArray<PragmaLike>, lazyFiles: ReadonlyArray<LazyFileLike>, files: ReadonlyArray<{ path: string }>): Preamble => {
    if (!fingerprinted && !firstPreamble) {
      const preamble = buildPreamble(tokens, pragmas, lazyFiles);
      firstPreamble = { inputs: [tokens, pragmas, lazyFiles, files], preamble };
      return preamble;
    }
    fingerprinted = true;
    if (firstPreamble) {
      parsedPreambles.set(preambleFingerprint(...firstPreamble.inputs), firstPreamble.preamble, firstPreamble.inputs[0].length);
      firstPreamble = undefined;
    }
    const fingerprint = preambleFingerprint(tokens, pragmas, lazyFiles, files);
    const known = parsedPreambles.get(fingerprint);
    if (known) return known;
    const preamble = buildPreamble(tokens, pragmas, lazyFiles);
    parsedPreambles.set(fingerprint, preamble, tokens.length);
    return preamble;
  };
  function* compileFileSteps(path: string, text: string, host: Host, options?: Options): Steps<FileCompilation<PreprocessedFile<State>>> {
    const bound = preambleBounds(text);
    const preambleText = text.slice(0, bound);
    // Keyed by content and flags, not by file: files of one folder with the same leading #includes share it (the
    // folder resolves `#include "vmlinux.h"`; the file itself only through __FILE__).
    const where = /__FILE__|__FILE_NAME__|__BASE_FILE__/.test(preambleText) ? path : path.replace(/[^/\\]*$/, '');
    const key = `${where}\0${preambleText}\0${JSON.stringify(options ?? {}, (name, value) => (name === 'cache' || name === 'initialState' ? undefined : value))}`;
    let entry = cache.get(key);
    const preambleReused = entry !== undefined && headersUnchanged(entry, host, path);
    if (!entry || !preambleReused) {
      const result = preprocess(path, preambleText, host, options);
      const tokens = result.tokens.filter((token) => token.kind !== TokenKind.EndOfFile);
      const lazyFiles = (result.lazyFiles ?? []).map((lazy) => ({ ...lazy, text: result.files[lazy.file]?.text ?? '' }));
      entry = {
        host,
        run: result,
        preamble: parsedPreamble(tokens, result.pragmas ?? [], lazyFiles, result.files),
        pragmas: result.pragmas ?? [],
        state: result.state,
        files: result.files,
        diagnostics: result.diagnostics,
        headers: includedFiles(result).filter((file) => file.text !== undefined && !file.path.startsWith('<')).map((file) => ({ path: file.path, text: file.text!, stamp: headerStamp?.(host, file.path) })),
      };
      cache.set(key, entry, tokens.length);
      yield;
    }
    // Blank the preamble (keeping line breaks) so the user's tokens keep their offsets in the real text.
    const userText = preambleText.replace(/[^\r\n]/g, ' ') + text.slice(bound);
    const user = preprocess(path, userText, host, options, entry.state);
    yield;
    // A preamble made for another file of the folder: what it says of its main file is said of this one (the
    // preamble text is the same, so are the offsets).
    const mainFile = user.mainFile ?? 0;
    const ownMain = entry.run.mainFile ?? 0;
    const here = <T extends { file: number }>(item: T): T => (item.file === ownMain && ownMain !== mainFile ? { ...item, file: mainFile } : item);
    const seen = new Set(entry.pragmas);
    const pragmas = [...entry.pragmas.map(here), ...(user.pragmas ?? []).filter((pragma) => !seen.has(pragma))];
    const userLazyFiles = (user.lazyFiles ?? []).map((lazy) => ({ ...lazy, text: user.files[lazy.file]?.text ?? '' }));
    const compilation = yield* compileTokensSteps(user.tokens, { preamble: entry.preamble, pragmas, lazyFiles: userLazyFiles });
    // Preamble diagnostics belong to the compilation too (a missing header, an error inside one).
    const diagnostics = [...entry.diagnostics.map(here), ...entry.preamble.diagnostics.map(here), ...user.diagnostics, ...compilation.diagnostics];
    const files = user.files.length >= entry.files.length ? user.files : entry.files;
    const preambleRun = ownMain === mainFile ? entry.run : { ...entry.run, includes: (entry.run.includes ?? []).map((include) => here(include as { file: number; includedFile?: number })) };
    return { ...compilation, diagnostics, files, preambleReused, mainFile, preambleRun, userRun: user };
  }
  return {
    clearCache: () => { cache.clear(); parsedPreambles.clear(); firstPreamble = undefined; fingerprinted = false; },
    compileFile: (path, text, host, options) => runSteps(compileFileSteps(path, text, host, options)),
    compileFileSteps,
  };
}

/** Index objects by identity: lazyHeader.ts hands back the same index for the same header text. */
const lazyIndexIds = new WeakMap<LazyHeaderIndex, number>();
let nextLazyIndexId = 0;

/**
 * What a preamble's parse depends on, as one string: every token (kind, spelling, place, the expansion it came
 * from, the spacing flags), every pragma, every lazily read header (its file and index) and the path of each file
 * those name. Equal fingerprints give equal trees, so the parse can be shared.
 */
export function preambleFingerprint(tokens: readonly Token[], pragmas: ReadonlyArray<PragmaLike>, lazyFiles: ReadonlyArray<LazyFileLike>, files: ReadonlyArray<{ path: string }>): string {
  const parts: string[] = [];
  const origin = (o: Token['origin']): string => (o ? `${o.macro}@${o.file}:${o.pos}:${o.end}<${origin(o.parent)}` : '');
  for (const t of tokens) {
    parts.push(`${t.kind}\u0001${t.text}\u0001${t.file}:${t.pos}:${t.end}${t.leadingSpace ? 's' : ''}${t.atLineStart ? 'l' : ''}${t.noExpand ? 'n' : ''}${t.origin ? origin(t.origin) : ''}`);
  }
  parts.push('\u0002pragmas');
  for (const p of pragmas) parts.push(`${p.file}:${p.pos}\u0001${p.text}`);
  parts.push('\u0002lazy');
  for (const lazy of lazyFiles) {
    let id = lazyIndexIds.get(lazy.index);
    if (id === undefined) lazyIndexIds.set(lazy.index, id = nextLazyIndexId++);
    parts.push(`${lazy.file}:${id}:${lazy.text.length}@${lazy.tokenIndex}-${(lazy.expanded ?? []).join(',')}`);
  }
  parts.push('\u0002files');
  for (const file of files) parts.push(file.path);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

function includedFiles(result: PreprocessedFile<unknown>): Array<{ path: string; text?: string }> {
  const ids = new Set<number>();
  for (const include of result.includes ?? []) if (include.includedFile !== undefined) ids.add(include.includedFile);
  return [...ids].map((id) => result.files[id]).filter((file) => file !== undefined);
}

/** Preamble caches shared by name (createFrontEnd `shareAs`). */
const sharedPreambleCaches = new Map<string, BoundedCache<unknown>>();

export type CompileOptions = PreprocessOptions;

/** One header cache and one preamble cache per session (process): vmlinux.h is read and parsed once. */
const sessionHeaderCache = new HeaderCache();
const sessionFrontEnd = createFrontEnd(
  (path: string, text: string, host: FileSystemHost, options: CompileOptions | undefined, initialState?: PreprocessorState) =>
    preprocess(path, text, host, { ...options, cache: options?.cache ?? sessionHeaderCache, initialState, lazyHeaders: true }),
  diskStamp,
);

/** For headers read from disk by the node host: mtime and size, so an unchanged vmlinux.h is not re-read per keystroke. */
export function diskStamp(host: FileSystemHost, path: string): string | undefined {
  if (host !== nodeFileSystemHost) return undefined;
  try {
    const stat = fs.statSync(path);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return undefined;
  }
}

/**
 * Preprocesses, parses and checks one file. Headers come from the user's include paths, then compile flags,
 * then the bundled ones (see headers.ts); the preamble is shared with every other file of the session.
 */
export function compileFile(path: string, text: string, host: FileSystemHost, options: CompileOptions = {}): FileCompilation {
  return sessionFrontEnd.compileFile(path, text, host, options);
}

/** Short description of a type for hover: `struct bpf_map *`. */
export function describeType(type: CType): string {
  return typeToString(type);
}

export type { Scope };
