/**
 * C11 preprocessor with the GNU extensions the kernel and libbpf headers use, behaving as clang 14 does for
 * `-target bpf`. Macro expansion follows clang's model of the standard's hide sets: a macro is disabled while
 * its expansion is being read, and an identifier naming a disabled macro is painted (`noExpand`) for good.
 * Nesting the user controls (includes, conditionals, macro frames) lives on explicit stacks; the only
 * recursion is argument pre-expansion, bounded by `limits.argumentNesting`.
 */

import { DiagnosticMessage, Diagnostics, FrontEndDiagnostic, MAX_COLLECTED_DIAGNOSTICS } from './diagnostics';
import { evaluateExpression } from './preprocessor/expression';
import { clangBpfFeatureTable } from './preprocessor/features';
import { clangBpfPredefinedMacros } from './preprocessor/predefined';
import {
  FileSystemHost, bundledDirectory, directoryOf, hostFileExists, isBundledPath, joinIncludePath, readBundledHeader,
} from './headers';
import { createDiagnostic, scan, scansAsSingleToken } from './scanner';
import { SourceFile } from './sourceFile';
import { ExpansionOrigin, Token, TokenKind, relocatedToken } from './token';

export { FileSystemHost } from './headers';
import { BoundedCache } from './boundedCache';
import { LazyHeaderIndex, lazyHeaderIndex, skeletonTokens } from './lazyHeader';

export interface PreprocessLimits {
  /** Nested #include levels (clang: 200). */
  includeDepth: number;
  /** Characters of included text one preprocessing may read, counting a file each time it is included. */
  includedChars: number;
  /** Tokens one top-level macro invocation may produce, nested expansions included. */
  expansionTokens: number;
  /** Tokens the whole preprocessing may produce. */
  outputTokens: number;
  /**
   * Tokens all macro expansions of one preprocessing may read as arguments and produce. Each other limit
   * bounds one layer, but layers multiply: a file including itself 200 times around a 10,000-deep nested
   * invocation stays inside every one of them and still costs minutes.
   */
  expansionWork: number;
  /** Levels of macro invocations nested inside macro arguments (each is a pre-expansion). */
  argumentNesting: number;
  /** Parentheses/operators nested in one #if expression (clang's bracket depth). */
  expressionDepth: number;
  /** Nested #if groups. */
  conditionalDepth: number;
  /** Times one file may appear in the chain of #includes (a file including itself, directly or through a cycle). */
  selfIncludeDepth: number;
}

export const defaultLimits: PreprocessLimits = {
  includeDepth: 200,
  // The largest file the host reads; the real vmlinux.h and libbpf's headers are about 3 MB.
  includedChars: 64 * 1024 * 1024,
  expansionTokens: 1_000_000,
  // About 4x what the real vmlinux.h and libbpf's headers make (550,000); a token costs 300-700 bytes by
  // the end of checking, so this bounds one analysis to about 1.5 GB.
  outputTokens: 2_000_000,
  // The real vmlinux.h with libbpf's headers and every corpus program need at most about 5,000; reaching this
  // bound takes well under a second (a self-including file around a 9,635-deep nested invocation took 80 s
  // before it, 3.9 s of CPU at 20,000,000).
  expansionWork: 2_000_000,
  argumentNesting: 200,
  expressionDepth: 256,
  conditionalDepth: 100_000,
  // Include guards and #pragma once stop real headers at one level; clang's 200 copies of a self-including file
  // around 7,800 nested calls took 11 s of CPU and 1.1 GB.
  selfIncludeDepth: 16,
};

/** The limits' names: the keys of the `limits` setting (.bpf-iter.json, bpfIter.limits, `--limit NAME=N`) each diagnostic names. */
export const PREPROCESS_LIMIT_NAMES = Object.keys(defaultLimits) as ReadonlyArray<keyof PreprocessLimits>;

/** `raw` as limits when it is an object of known limit names with whole numbers of at least 1, else the first problem. */
export function readLimits(raw: unknown): { limits: Partial<PreprocessLimits> } | { problem: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: 'must be an object of limit names and whole numbers' };
  const limits: Partial<PreprocessLimits> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(PREPROCESS_LIMIT_NAMES as readonly string[]).includes(name)) return { problem: `unknown limit "${name}" (known limits: ${PREPROCESS_LIMIT_NAMES.join(', ')})` };
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) return { problem: `limit "${name}" must be a whole number of at least 1` };
    limits[name as keyof PreprocessLimits] = value;
  }
  return { limits };
}

export interface PreprocessOptions {
  /** `-iquote`: searched by `#include "..."` only, after the including file's folder. */
  quoteIncludePaths?: string[];
  /** `-I`. */
  includePaths?: string[];
  /** `-isystem`. */
  systemIncludePaths?: string[];
  /** The compiler's own system folders (clang -target bpf: /usr/local/include, its resource folder, /usr/include). */
  builtinIncludePaths?: string[];
  /** `-idirafter`. */
  afterIncludePaths?: string[];
  /** `-std=` (sets `__STDC_VERSION__` as clang does); clang's default gnu17 when absent. */
  languageStandard?: string;
  /** Appended to a "file not found" error: how to add a folder in this file's build setup. */
  includeNotFoundHint?: string;
  /** Folders a system header may live in that the compiler does not search (the multiarch folder), for the hint. */
  unsearchedSystemPaths?: string[];
  defines?: Record<string, string>;
  undefines?: string[];
  /** Files included before the main file, like clang's `-include`. */
  forcedIncludes?: string[];
  /** Search the headers bundled under server/headers after the user's paths; default true. */
  useBundledHeaders?: boolean;
  /** Defines `__TARGET_ARCH_<arch>` as bpf_tracing.h expects; default 'x86'; '' for none. */
  targetArch?: string;
  limits?: Partial<PreprocessLimits>;
  /**
   * Headers of declarations only (vmlinux.h) are indexed, not tokenized (lazyHeader.ts): their declarations reach
   * the result as `lazyFiles`, parsed when a program names them. Off unless asked: the front end's preamble asks.
   */
  lazyHeaders?: boolean;
  cache?: HeaderCache;
  /** Continue from a state returned by an earlier run (the predefined macros are then not added again). */
  initialState?: PreprocessorState;
}

export interface MacroDefinition {
  name: string;
  /** Parameter names; undefined for an object-like macro. The variadic one is last. */
  params?: string[];
  variadic: boolean;
  body: Token[];
  /** For each body token, the index of the parameter it names, or -1. */
  bodyParams: Int32Array;
  /** Location of the name in its #define; file -1 for built-in macros. */
  file: number;
  pos: number;
  end: number;
  builtin?: BuiltinMacro;
}

type BuiltinMacro =
  | 'file' | 'line' | 'counter' | 'includeLevel' | 'baseFile' | 'date' | 'time' | 'timestamp'
  | 'hasInclude' | 'hasIncludeNext' | 'featureCheck' | 'pragmaOperator' | 'isIdentifier';

export interface IncludeRecord {
  /** The file holding the #include line and the line's range. */
  file: number;
  pos: number;
  end: number;
  name: string;
  angled: boolean;
  next: boolean;
  /** The resolved path, or undefined when not found. */
  resolvedPath?: string;
  /** Where in `includeSearchPath(options).directories` it was found; -1 beside the including file (or absolute). */
  searchIndex?: number;
  includedFile?: number;
  /** Skipped because of #pragma once or an include guard whose macro is defined. */
  skipped: boolean;
  /** Output tokens the inclusion produced: [tokenStart, tokenEnd). */
  tokenStart: number;
  tokenEnd: number;
  /** For top-level includes with a cache: the cache key (the parser can key its own preamble on it). */
  cacheKey?: string;
  fromCache?: boolean;
}

export interface MacroExpansionRecord {
  /** Range of the invocation in the main file (name through closing parenthesis). */
  file: number;
  pos: number;
  end: number;
  macro: string;
  /** Output tokens produced: [tokenStart, tokenEnd). */
  tokenStart: number;
  tokenEnd: number;
  /** The expansion as -E prints it; made on first use (hover asks for one, each edit makes dozens). */
  readonly expandedText: string;
}

class ExpansionRecord implements MacroExpansionRecord {
  tokenEnd: number;
  /** The run's output, set when the run ends. */
  output: readonly Token[] = [];
  private text: string | undefined;

  constructor(readonly file: number, readonly pos: number, readonly end: number, readonly macro: string, readonly tokenStart: number) {
    this.tokenEnd = tokenStart;
  }

  get expandedText(): string {
    this.text ??= tokensToText(this.output.slice(this.tokenStart, this.tokenEnd));
    return this.text;
  }
}

export interface PragmaRecord {
  file: number;
  pos: number;
  end: number;
  /** The pragma's tokens after `#pragma` (or the destringized `_Pragma` operand), space separated. */
  text: string;
  /** Number of output tokens before it: the pragma applies from output token `tokenIndex` on. */
  tokenIndex: number;
}

/** A header read through its index (lazyHeader.ts): its declarations are not in `tokens`. */
export interface LazyFileRecord {
  file: number;
  index: LazyHeaderIndex;
}

export interface SkippedRange {
  file: number;
  pos: number;
  end: number;
}

/** What a later run needs to continue where this one stopped (the preamble). */
export interface PreprocessorState {
  macros: Map<string, MacroDefinition>;
  onceFiles: Set<string>;
  guardedFiles: Map<string, string>;
  counter: number;
  /** Fingerprint of the macro table's history; equal fingerprints mean equal tables. */
  fingerprint: string;
  /** The file ids the macros' tokens refer to; a run continuing from this state keeps using it. */
  fileTable: FileTable;
  /** Macro expansion work so far; a run continuing from this state goes on counting (see `limits.expansionWork`). */
  expansionWork: number;
}

export interface PreprocessResult {
  /** Ends with EndOfFile. */
  tokens: Token[];
  /** Indexed by file id. */
  files: SourceFile[];
  mainFile: number;
  diagnostics: FrontEndDiagnostic[];
  macros: ReadonlyMap<string, MacroDefinition>;
  includes: IncludeRecord[];
  expansions: MacroExpansionRecord[];
  pragmas: PragmaRecord[];
  /** Headers read through their index, whose declarations are parsed on demand (lazyHeader.ts). */
  lazyFiles: LazyFileRecord[];
  /** Lines of false conditional groups, for the editor to dim. */
  skippedRanges: SkippedRange[];
  state: PreprocessorState;
  /** Tokens macro expansion read as arguments and produced, cached headers included (see `limits.expansionWork`). */
  expansionWork: number;
}

/** Assigns file ids; shared by all runs that use the same HeaderCache so cached tokens stay valid. */
export class FileTable {
  readonly files: SourceFile[] = [];
  private readonly idsByPath = new Map<string, number>();

  register(filePath: string, text: string): SourceFile {
    const existing = this.idsByPath.get(filePath);
    if (existing !== undefined) {
      const current = this.files[existing];
      if (current.text === text) return current;
      const replaced = new SourceFile(existing, filePath, text);
      this.files[existing] = replaced;
      return replaced;
    }
    const file = new SourceFile(this.files.length, filePath, text);
    this.idsByPath.set(filePath, file.id);
    this.files.push(file);
    return file;
  }
}

interface CachedInclude {
  tokens: Token[];
  events: MacroEvent[];
  onceAdded: string[];
  guardsAdded: Array<[string, string]>;
  counterAfter: number;
  /** Macro expansion work the header cost, charged again on replay so a cache hit changes no limit. */
  expansionWork: number;
  fingerprintAfter: string;
  diagnostics: FrontEndDiagnostic[];
  includes: IncludeRecord[];
  pragmas: PragmaRecord[];
  lazyFiles: LazyFileRecord[];
  skippedRanges: SkippedRange[];
  /** Every file read while preprocessing the header, with the version it had then. */
  dependencies: Array<[string, string]>;
  tokenStart: number;
  includedFile: number;
  /** The header's path and version when it was recorded. */
  path: string;
  version: string;
}

type MacroEvent = { kind: 'define'; macro: MacroDefinition } | { kind: 'undef'; name: string };

/**
 * Remembers the result of preprocessing each top-level #include of a main file, keyed by the header's
 * path, version and the macro table fingerprint at the include, so that re-preprocessing an edited user
 * file replays vmlinux.h and the libbpf headers instead of reading them again (clangd's preamble).
 */
export class HeaderCache {
  readonly fileTable = new FileTable();
  /** At most 64 entries and 2,000,000 tokens by default (the real vmlinux.h is about 510,000 tokens). */
  readonly entries: BoundedCache<CachedInclude>;
  hits = 0;
  misses = 0;

  constructor(maxEntries = 64, maxTokens = 2_000_000) { this.entries = new BoundedCache(maxEntries, maxTokens); }

  store(key: string, entry: CachedInclude): void {
    // An entry for an older version of the same file can never be used again.
    this.entries.deleteWhere((other) => other.path === entry.path && other.version !== entry.version);
    this.entries.set(key, entry, entry.tokens.length);
  }
}

// ---------------------------------------------------------------------------------------------------------

const endOfInput: Token = { kind: TokenKind.EndOfFile, text: '', file: -1, pos: 0, end: 0, leadingSpace: false, atLineStart: true };
const placemarker: Token = { kind: TokenKind.Unknown, text: '', file: -1, pos: 0, end: 0, leadingSpace: false, atLineStart: false };
const pasteOperator: Token = { kind: TokenKind.Punctuator, text: '##', file: -1, pos: 0, end: 0, leadingSpace: false, atLineStart: false };

interface ExpansionFrame {
  tokens: Token[];
  index: number;
  macro?: string;
}

interface ExpansionContext {
  frames: ExpansionFrame[];
  /** Where tokens come from once every frame is read: the file stream, or end of input. */
  bottom: () => Token;
  /** Inside a #if line: `defined` and `__has_include` operate on their raw operands. */
  inCondition: boolean;
  argumentDepth: number;
}

interface ConditionalGroup {
  directive: Token;
  /** Some group of this #if chain was already taken. */
  taken: boolean;
  sawElse: boolean;
}

interface FileFrame {
  file: SourceFile;
  /** Shared by every frame of the same file in a run: read, never changed. */
  tokens: readonly Token[];
  index: number;
  /** Index in the search list the file was found at (for #include_next); -1 when found otherwise. */
  searchIndex: number;
  conditionalBase: number;
  lineDelta: number;
  presumedName?: string;
  include?: IncludeRecord;
  /** Guard detection: a token or directive was seen before the first #ifndef. */
  sawContent: boolean;
  guardMacro?: string;
  guardConditionalDepth?: number;
  guardClosedAt?: number;
  guardBroken: boolean;
  cacheRecording?: CacheRecording;
}

interface CacheRecording {
  key: string;
  outputStart: number;
  workStart: number;
  eventStart: number;
  diagnosticStart: number;
  includeStart: number;
  pragmaStart: number;
  lazyStart: number;
  skippedStart: number;
  scanStart: number;
  includedFile: number;
  path: string;
  version: string;
  onceBefore: Set<string>;
  guardsBefore: Set<string>;
  dependencies: Array<[string, string]>;
}

function fnv(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function macroSignature(macro: MacroDefinition): string {
  const parts: string[] = [macro.name, macro.params ? `(${macro.params.join(',')}${macro.variadic ? '...' : ''})` : ''];
  for (let i = 0; i < macro.body.length; i++) {
    const token = macro.body[i];
    parts.push(i > 0 && token.leadingSpace ? ' ' + token.text : token.text);
  }
  return parts.join('\u0001');
}

function sameDefinition(a: MacroDefinition, b: MacroDefinition): boolean {
  if (a.variadic !== b.variadic || (a.params === undefined) !== (b.params === undefined)) return false;
  if (a.params && b.params && a.params.join(',') !== b.params.join(',')) return false;
  if (a.body.length !== b.body.length) return false;
  for (let i = 0; i < a.body.length; i++) {
    if (a.body[i].text !== b.body[i].text) return false;
    if (i > 0 && a.body[i].leadingSpace !== b.body[i].leadingSpace) return false;
  }
  return true;
}

function isPunctuator(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.kind === TokenKind.Punctuator && token.text === text;
}

function rootOrigin(origin: ExpansionOrigin | undefined): ExpansionOrigin | undefined {
  let current = origin;
  while (current?.parent) current = current.parent;
  return current;
}

/**
 * The range to show a user for a token: its own spelling when written in the user's text (also inside
 * macro arguments), else the outermost macro invocation that produced it.
 */
export function userRange(token: Token): { file: number; pos: number; end: number } {
  const root = rootOrigin(token.origin);
  if (!root) return { file: token.file, pos: token.pos, end: token.end };
  if (token.file === root.file && token.pos >= root.pos && token.end <= root.end) {
    return { file: token.file, pos: token.pos, end: token.end };
  }
  return { file: root.file, pos: root.pos, end: root.end };
}

function stringize(tokens: readonly Token[]): string {
  let text = '"';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === placemarker) continue;
    if (i > 0 && (token.leadingSpace || token.atLineStart)) text += ' ';
    if (token.kind === TokenKind.StringLiteral || token.kind === TokenKind.CharConstant) {
      text += token.text.replace(/[\\"]/g, (c) => '\\' + c);
    } else {
      text += token.text;
    }
  }
  return text + '"';
}

/** Reverses `#`: removes the quotes and prefix of a string literal and undoes `\\` and `\"`. */
function destringize(literal: string): string {
  const start = literal.indexOf('"');
  return literal.slice(start + 1, -1).replace(/\\([\\"])/g, '$1');
}

// ---------------------------------------------------------------------------------------------------------

class Preprocessor {
  readonly limits: PreprocessLimits;
  readonly fileTable: FileTable;
  readonly diagnostics: FrontEndDiagnostic[] = [];
  output: Token[] = [];
  readonly includes: IncludeRecord[] = [];
  readonly expansions: ExpansionRecord[] = [];
  readonly pragmas: PragmaRecord[] = [];
  readonly lazyFiles: LazyFileRecord[] = [];
  readonly skippedRanges: SkippedRange[] = [];
  readonly rawTextRanges: SkippedRange[] = [];
  /** Diagnostics the scanner reported per file; those inside skipped groups are dropped at the end. */
  readonly scanDiagnostics: FrontEndDiagnostic[] = [];
  /** Tokens of each file scanned in this run (see pushFile). */
  private readonly scannedFiles = new Map<SourceFile, { tokens: readonly Token[]; diagnostics: FrontEndDiagnostic[] }>();

  /**
   * The macro table, #pragma once files and include guards. A run continuing from a state shares that state's
   * collections and copies one only when it first changes it (an edit below the preamble seldom defines a
   * macro, and copying thousands of header macros on every keystroke was a tenth of an edit's allocation).
   */
  macros: Map<string, MacroDefinition>;
  onceFiles: Set<string>;
  guardedFiles: Map<string, string>;
  private ownsMacros: boolean;
  private ownsOnceFiles: boolean;
  private ownsGuardedFiles: boolean;
  counter: number;
  fingerprintHigh: number;
  fingerprintLow: number;
  readonly events: MacroEvent[] = [];

  readonly fileStack: FileFrame[] = [];
  readonly conditionals: ConditionalGroup[] = [];
  readonly active = new Map<string, number>();
  readonly searchPath: string[];
  /** Where `#include <...>` starts in `searchPath`: the `-iquote` folders before it serve only `#include "..."`. */
  readonly angledStart: number;
  readonly mainContext: ExpansionContext;
  readonly pushedMacros = new Map<string, Array<MacroDefinition | undefined>>();
  readonly dependencyVersions = new Map<string, string>();

  mainFileId = -1;
  baseFileName = '';
  expansionProduced = 0;
  expansionAborted = false;
  outputLimitReported = false;
  /** Tokens macro expansion has read as arguments and produced in this run (see `limits.expansionWork`). */
  expansionWork = 0;
  expansionWorkExhausted = false;
  /** Included text read so far; a file that includes itself 200 times would otherwise be read 200 times. */
  includedChars = 0;
  collectingArguments = 0;
  openExpansion: { record: MacroExpansionRecord } | undefined;
  readonly topLevelLimit: number;
  readonly cache: HeaderCache | undefined;

  constructor(readonly host: FileSystemHost, readonly options: PreprocessOptions) {
    this.limits = { ...defaultLimits, ...options.limits };
    const state = options.initialState;
    this.fileTable = state?.fileTable ?? options.cache?.fileTable ?? new FileTable();
    // Cached tokens carry the ids of the cache's file table; a state from another table cannot mix with them.
    this.cache = options.cache && options.cache.fileTable === this.fileTable ? options.cache : undefined;
    this.macros = state?.macros ?? new Map();
    this.onceFiles = state?.onceFiles ?? new Set();
    this.guardedFiles = state?.guardedFiles ?? new Map();
    this.ownsMacros = this.ownsOnceFiles = this.ownsGuardedFiles = !state;
    this.counter = state?.counter ?? 0;
    this.expansionWork = state?.expansionWork ?? 0;
    const [high, low] = (state?.fingerprint ?? '811c9dc5:01000193').split(':').map((part) => parseInt(part, 16));
    this.fingerprintHigh = high;
    this.fingerprintLow = low;
    const search = includeSearchPath(options);
    this.searchPath = search.directories;
    this.angledStart = search.angledStart;
    this.mainContext = { frames: [], bottom: () => this.nextFileToken(), inCondition: false, argumentDepth: 0 };
    this.topLevelLimit = this.limits.outputTokens;
  }

  get fingerprint(): string {
    return `${this.fingerprintHigh.toString(16)}:${this.fingerprintLow.toString(16)}`;
  }

  private mix(text: string): void {
    this.fingerprintHigh = fnv(text, this.fingerprintHigh ^ 0x5bd1e995);
    this.fingerprintLow = fnv(text, this.fingerprintLow);
  }

  report(message: DiagnosticMessage, at: { file: number; pos: number; end: number } | Token | undefined, ...args: Array<string | number>): void {
    // As in the other phases: a file including itself around 10,000 unclosed #ifs made 2,000,000 of them.
    if (this.diagnostics.length >= MAX_COLLECTED_DIAGNOSTICS) return;
    if (at === undefined || at.file < 0) {
      const frame = this.fileStack[this.fileStack.length - 1];
      const file = frame?.file.id ?? this.mainFileId;
      this.diagnostics.push(createDiagnostic(message, file, 0, 0, ...args));
      return;
    }
    const range = 'kind' in at ? userRange(at) : at;
    this.diagnostics.push(createDiagnostic(message, range.file, range.pos, range.end, ...args));
  }

  // ---- macro table ------------------------------------------------------------------------------------

  /** The macro table, copied first when it is still the state's this run continued from. */
  private ownMacros(): Map<string, MacroDefinition> {
    if (!this.ownsMacros) {
      this.macros = new Map(this.macros);
      this.ownsMacros = true;
    }
    return this.macros;
  }

  setMacro(name: string, macro: MacroDefinition): void { this.ownMacros().set(name, macro); }

  deleteMacro(name: string): void { this.ownMacros().delete(name); }

  addOnceFile(filePath: string): void {
    if (this.onceFiles.has(filePath)) return;
    if (!this.ownsOnceFiles) {
      this.onceFiles = new Set(this.onceFiles);
      this.ownsOnceFiles = true;
    }
    this.onceFiles.add(filePath);
  }

  setIncludeGuard(filePath: string, guard: string): void {
    if (this.guardedFiles.get(filePath) === guard) return;
    if (!this.ownsGuardedFiles) {
      this.guardedFiles = new Map(this.guardedFiles);
      this.ownsGuardedFiles = true;
    }
    this.guardedFiles.set(filePath, guard);
  }

  defineMacro(macro: MacroDefinition): void {
    this.setMacro(macro.name, macro);
    this.events.push({ kind: 'define', macro });
    this.mix('D' + macroSignature(macro));
  }

  undefineMacro(name: string): void {
    if (!this.macros.has(name)) return;
    this.deleteMacro(name);
    this.events.push({ kind: 'undef', name });
    this.mix('U' + name);
  }

  addBuiltins(): void {
    const builtins: Array<[string, BuiltinMacro]> = [
      ['__FILE__', 'file'], ['__LINE__', 'line'], ['__COUNTER__', 'counter'], ['__INCLUDE_LEVEL__', 'includeLevel'],
      ['__BASE_FILE__', 'baseFile'], ['__DATE__', 'date'], ['__TIME__', 'time'], ['__TIMESTAMP__', 'timestamp'],
      ['__has_include', 'hasInclude'], ['__has_include_next', 'hasIncludeNext'], ['_Pragma', 'pragmaOperator'],
      ['__is_identifier', 'isIdentifier'],
      ...Object.keys(clangBpfFeatureTable).map((name): [string, BuiltinMacro] => [name, 'featureCheck']),
      ['__has_cpp_attribute', 'featureCheck'], ['__has_warning', 'featureCheck'],
    ];
    for (const [name, builtin] of builtins) {
      this.setMacro(name, { name, variadic: false, body: [], bodyParams: new Int32Array(0), file: -1, pos: 0, end: 0, builtin });
    }
  }

  predefinesText(): string {
    const lines: string[] = [];
    for (const [name, value] of clangBpfPredefinedMacros) lines.push(`#define ${name} ${value}`);
    const stdcVersion = stdcVersionOf(this.options.languageStandard);
    if (stdcVersion === null) lines.push('#undef __STDC_VERSION__');
    else if (stdcVersion !== undefined) lines.push(`#undef __STDC_VERSION__\n#define __STDC_VERSION__ ${stdcVersion}`);
    const arch = this.options.targetArch ?? 'x86';
    if (arch) lines.push(`#define __TARGET_ARCH_${arch} 1`);
    for (const [name, value] of Object.entries(this.options.defines ?? {})) {
      lines.push(`#define ${name} ${value}`);
    }
    for (const name of this.options.undefines ?? []) lines.push(`#undef ${name}`);
    return lines.join('\n') + '\n';
  }

  // ---- files ------------------------------------------------------------------------------------------

  readFileText(filePath: string): string | undefined {
    if (isBundledPath(filePath)) return readBundledHeader(filePath);
    return this.host.readFile(filePath);
  }

  fileVersion(filePath: string): string | undefined {
    if (isBundledPath(filePath)) return readBundledHeader(filePath) === undefined ? undefined : 'bundled';
    const version = this.host.version?.(filePath);
    if (version !== undefined) return version;
    const text = this.host.readFile(filePath);
    if (text === undefined) return undefined;
    return `h${fnv(text, 0x811c9dc5).toString(16)}:${fnv(text, 0x12345678).toString(16)}:${text.length}`;
  }

  fileExists(filePath: string): boolean {
    if (isBundledPath(filePath)) return readBundledHeader(filePath) !== undefined;
    return hostFileExists(this.host, filePath);
  }

  pushFile(file: SourceFile, searchIndex: number, include?: IncludeRecord): FileFrame {
    // A file included again (a header without a guard, a file including itself 200 deep) is scanned once:
    // the frames only read its tokens. Its scanner diagnostics are reported again, as a new scan would, so a
    // header cache entry recorded around this inclusion holds them too.
    let scanned = this.scannedFiles.get(file);
    if (scanned) {
      for (const d of scanned.diagnostics) if (this.scanDiagnostics.length < MAX_COLLECTED_DIAGNOSTICS) this.scanDiagnostics.push(d);
    } else {
      const before = this.scanDiagnostics.length;
      const lazy = include ? this.lazyIndexOf(file) : undefined;
      if (lazy) this.lazyFiles.push({ file: file.id, index: lazy });
      scanned = { tokens: lazy ? skeletonTokens(file.text, lazy, file.id) : scan(file.text, file.id, this.scanDiagnostics), diagnostics: [] };
      scanned.diagnostics = this.scanDiagnostics.slice(before);
      this.scannedFiles.set(file, scanned);
    }
    const tokens = scanned.tokens;
    const frame: FileFrame = {
      file, tokens, index: 0, searchIndex, conditionalBase: this.conditionals.length, lineDelta: 0, include,
      sawContent: false, guardBroken: false,
    };
    this.fileStack.push(frame);
    return frame;
  }

  /**
   * The index of a header read lazily (lazyHeader.ts), when asked for and exact here: no macro defined at this
   * point names one of its identifiers, and its guard is not defined (then it is skipped as usual).
   */
  lazyIndexOf(file: SourceFile): LazyHeaderIndex | undefined {
    if (!this.options.lazyHeaders || file.text === undefined) return undefined;
    const index = lazyHeaderIndex(file.text);
    if (!index || (index.guard !== undefined && this.macros.has(index.guard))) return undefined;
    for (const name of this.macros.keys()) if (index.identifiers.has(name)) return undefined;
    return index;
  }

  popFile(): void {
    const frame = this.fileStack.pop()!;
    while (this.conditionals.length > frame.conditionalBase) {
      const open = this.conditionals.pop()!;
      this.report(Diagnostics.UnterminatedConditional, open.directive);
    }
    if (frame.guardMacro !== undefined && !frame.guardBroken && frame.guardClosedAt !== undefined) {
      let onlyTrailingNewlines = true;
      for (let i = frame.guardClosedAt; i < frame.tokens.length; i++) {
        const kind = frame.tokens[i].kind;
        if (kind !== TokenKind.Newline && kind !== TokenKind.EndOfFile) {
          onlyTrailingNewlines = false;
          break;
        }
      }
      if (onlyTrailingNewlines) this.setIncludeGuard(frame.file.path, frame.guardMacro);
    }
    if (frame.include) frame.include.tokenEnd = this.output.length;
    if (frame.cacheRecording) this.storeCacheEntry(frame.cacheRecording);
  }

  // ---- the file token stream (directives handled here) ----------------------------------------------

  nextFileToken(): Token {
    for (;;) {
      const frame = this.fileStack[this.fileStack.length - 1];
      if (!frame) return endOfInput;
      const token = frame.tokens[frame.index++];
      if (token.kind === TokenKind.Newline) continue;
      if (token.kind === TokenKind.EndOfFile) {
        if (this.fileStack.length === 1) {
          frame.index--;
          this.popFileAtEnd(frame);
          return token;
        }
        this.popFile();
        continue;
      }
      if (token.atLineStart && token.kind === TokenKind.Punctuator && token.text === '#') {
        this.handleDirective(frame, token);
        continue;
      }
      frame.sawContent = true;
      if (frame.guardClosedAt !== undefined) frame.guardBroken = true;
      return token;
    }
  }

  private mainFinished = false;

  private popFileAtEnd(frame: FileFrame): void {
    if (this.mainFinished) return;
    this.mainFinished = true;
    while (this.conditionals.length > frame.conditionalBase) {
      const open = this.conditionals.pop()!;
      this.report(Diagnostics.UnterminatedConditional, open.directive);
    }
  }

  /** Tokens of the rest of the directive line (not including the newline), advancing the frame. */
  lineTokens(frame: FileFrame): Token[] {
    const line: Token[] = [];
    for (;;) {
      const token = frame.tokens[frame.index];
      if (token.kind === TokenKind.Newline || token.kind === TokenKind.EndOfFile) break;
      line.push(token);
      frame.index++;
    }
    return line;
  }

  skipRestOfLine(frame: FileFrame): void {
    for (;;) {
      const kind = frame.tokens[frame.index].kind;
      if (kind === TokenKind.Newline || kind === TokenKind.EndOfFile) return;
      frame.index++;
    }
  }

  handleDirective(frame: FileFrame, hash: Token): void {
    const nameToken = frame.tokens[frame.index];
    if (nameToken.kind === TokenKind.Newline || nameToken.kind === TokenKind.EndOfFile) return; // null directive
    frame.index++;
    const name = nameToken.text;
    const isConditional = name === 'if' || name === 'ifdef' || name === 'ifndef' || name === 'elif' || name === 'else' || name === 'endif';
    if (this.collectingArguments > 0 && !isConditional) this.report(Diagnostics.DirectiveInMacroArguments, nameToken);
    const firstDirective = !frame.sawContent;
    frame.sawContent = true;
    if (frame.guardClosedAt !== undefined) frame.guardBroken = true;
    switch (name) {
      case 'define': this.handleDefine(frame, nameToken); return;
      case 'undef': this.handleUndef(frame, nameToken); return;
      case 'include': case 'include_next': case 'import':
        this.handleInclude(frame, hash, nameToken, name === 'include_next', name === 'import');
        return;
      case 'if': case 'ifdef': case 'ifndef':
        this.handleIf(frame, hash, nameToken, firstDirective);
        return;
      case 'elif': case 'else': this.handleElse(frame, nameToken); return;
      case 'endif': this.handleEndif(frame, nameToken); return;
      case 'line': this.handleLine(frame, this.lineTokens(frame), nameToken); return;
      case 'error': case 'warning': {
        const line = this.lineTokens(frame);
        const text = line.length === 0 ? '' : frame.file.text.slice(line[0].pos, line[line.length - 1].end);
        // The message is raw text (`#error don't` is fine), so literal diagnostics of the scanner do not apply.
        if (line.length > 0) this.rawTextRanges.push({ file: frame.file.id, pos: line[0].pos, end: line[line.length - 1].end });
        this.report(name === 'error' ? Diagnostics.ErrorDirective : Diagnostics.WarningDirective,
          { file: frame.file.id, pos: hash.pos, end: line.length ? line[line.length - 1].end : nameToken.end }, text);
        return;
      }
      case 'pragma': this.handlePragma(frame, this.lineTokens(frame), hash); return;
      case 'ident': case 'sccs': case 'assert': case 'unassert': this.skipRestOfLine(frame); return;
      default:
        if (nameToken.kind === TokenKind.Number) {
          // GNU line marker `# 33 "file.h" 1`, as in -E output.
          this.handleLine(frame, [nameToken, ...this.lineTokens(frame)], nameToken);
          return;
        }
        this.report(Diagnostics.InvalidDirective, nameToken);
        this.skipRestOfLine(frame);
    }
  }

  checkEndOfDirective(frame: FileFrame, directive: string): void {
    const extra = frame.tokens[frame.index];
    if (extra.kind !== TokenKind.Newline && extra.kind !== TokenKind.EndOfFile) {
      const rest = this.lineTokens(frame);
      this.report(Diagnostics.ExtraTokensAtEndOfDirective, { file: extra.file, pos: extra.pos, end: rest[rest.length - 1].end }, directive);
    }
  }

  handleDefine(frame: FileFrame, directive: Token): void {
    const line = this.lineTokens(frame);
    const macro = this.parseDefinition(line, directive);
    if (!macro) return;
    const existing = this.macros.get(macro.name);
    if (existing && !sameDefinition(existing, macro)) {
      this.report(Diagnostics.MacroRedefined, line[0], macro.name);
    }
    this.defineMacro(macro);
  }

  parseDefinition(line: Token[], directive: Token): MacroDefinition | undefined {
    const nameToken = line[0];
    if (!nameToken) {
      this.report(Diagnostics.MacroNameMissing, directive);
      return undefined;
    }
    if (nameToken.kind !== TokenKind.Identifier) {
      this.report(Diagnostics.MacroNameMustBeIdentifier, nameToken);
      return undefined;
    }
    if (nameToken.text === 'defined') {
      this.report(Diagnostics.DefinedCannotBeMacroName, nameToken);
      return undefined;
    }
    let index = 1;
    let params: string[] | undefined;
    let variadic = false;
    if (isPunctuator(line[1], '(') && !line[1].leadingSpace) {
      params = [];
      index = 2;
      const invalid = (message: string, at: Token | undefined): undefined => {
        this.report(Diagnostics.InvalidMacroParameterList, at ?? line[line.length - 1], message);
        return undefined;
      };
      if (isPunctuator(line[index], ')')) index++;
      else {
        for (;;) {
          const token = line[index];
          if (!token) return invalid("missing ')' in macro parameter list", undefined);
          if (isPunctuator(token, '...')) {
            params.push('__VA_ARGS__');
            variadic = true;
            index++;
          } else if (token.kind === TokenKind.Identifier) {
            if (params.includes(token.text)) return invalid(`duplicate macro parameter name '${token.text}'`, token);
            if (token.text === '__VA_ARGS__') return invalid('__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', token);
            params.push(token.text);
            index++;
            if (isPunctuator(line[index], '...')) {
              variadic = true; // GNU named variadic parameter `args...`
              index++;
            }
          } else {
            return invalid('invalid token in macro parameter list', token);
          }
          const separator = line[index];
          if (isPunctuator(separator, ')')) {
            index++;
            break;
          }
          if (variadic) return invalid("missing ')' in macro parameter list", separator);
          if (!isPunctuator(separator, ',')) return invalid('expected comma in macro parameter list', separator);
          index++;
        }
      }
    }
    const body = line.slice(index);
    if (body.length > 0 && body[0].leadingSpace) body[0] = { ...body[0], leadingSpace: false };
    const bodyParams = new Int32Array(body.length).fill(-1);
    for (let i = 0; i < body.length; i++) {
      const token = body[i];
      if (token.kind !== TokenKind.Identifier) continue;
      if (params) {
        const paramIndex = params.indexOf(token.text);
        if (paramIndex >= 0) bodyParams[i] = paramIndex;
      }
      if (token.text === '__VA_ARGS__' && !(variadic && params?.[params.length - 1] === '__VA_ARGS__')) {
        this.report(Diagnostics.VaArgsOutsideVariadicMacro, token);
      }
    }
    if (body.length > 0 && (isPunctuator(body[0], '##') || isPunctuator(body[body.length - 1], '##'))) {
      this.report(Diagnostics.PasteAtEdgeOfMacro, isPunctuator(body[0], '##') ? body[0] : body[body.length - 1]);
      return undefined;
    }
    if (params) {
      for (let i = 0; i < body.length; i++) {
        if (isPunctuator(body[i], '#') && !(i + 1 < body.length && bodyParams[i + 1] >= 0)
          && !(variadic && body[i + 1]?.text === '__VA_OPT__')) {
          this.report(Diagnostics.HashNotFollowedByParameter, body[i]);
          return undefined;
        }
      }
    }
    return { name: nameToken.text, params, variadic, body, bodyParams, file: nameToken.file, pos: nameToken.pos, end: nameToken.end };
  }

  handleUndef(frame: FileFrame, directive: Token): void {
    const nameToken = frame.tokens[frame.index];
    if (nameToken.kind === TokenKind.Newline || nameToken.kind === TokenKind.EndOfFile) {
      this.report(Diagnostics.MacroNameMissing, directive);
      return;
    }
    frame.index++;
    if (nameToken.kind !== TokenKind.Identifier) {
      this.report(Diagnostics.MacroNameMustBeIdentifier, nameToken);
      this.skipRestOfLine(frame);
      return;
    }
    this.undefineMacro(nameToken.text);
    this.checkEndOfDirective(frame, 'undef');
  }

  // ---- conditionals -----------------------------------------------------------------------------------

  handleIf(frame: FileFrame, hash: Token, directive: Token, firstDirective: boolean): void {
    if (this.conditionals.length >= this.limits.conditionalDepth) {
      this.report(Diagnostics.ConditionalNestedTooDeeply, directive, this.limits.conditionalDepth, 'conditionalDepth');
      this.skipRestOfLine(frame);
      this.skipGroup(frame, hash, true);
      return;
    }
    let value: boolean;
    let guardCandidate: string | undefined;
    if (directive.text === 'if') {
      const line = this.lineTokens(frame);
      value = this.evaluateCondition(line, directive);
      if (line.length >= 2 && line[0].text === '!' && line[1].text === 'defined') {
        const named = isPunctuator(line[2], '(') ? (isPunctuator(line[4], ')') && line.length === 5 ? line[3] : undefined)
          : line.length === 3 ? line[2] : undefined;
        if (named?.kind === TokenKind.Identifier) guardCandidate = named.text;
      }
    } else {
      const nameToken = frame.tokens[frame.index];
      if (nameToken.kind !== TokenKind.Identifier) {
        const missing = nameToken.kind === TokenKind.Newline || nameToken.kind === TokenKind.EndOfFile;
        this.report(missing ? Diagnostics.MacroNameMissing : Diagnostics.MacroNameMustBeIdentifier, missing ? directive : nameToken);
        this.skipRestOfLine(frame);
        value = false;
      } else {
        frame.index++;
        value = this.macros.has(nameToken.text) === (directive.text === 'ifdef');
        this.checkEndOfDirective(frame, directive.text);
        if (directive.text === 'ifndef') guardCandidate = nameToken.text;
      }
    }
    if (firstDirective && guardCandidate !== undefined && frame.guardMacro === undefined) {
      frame.guardMacro = guardCandidate;
      frame.guardConditionalDepth = this.conditionals.length;
    }
    this.conditionals.push({ directive, taken: value, sawElse: false });
    if (!value) this.skipGroup(frame, hash, false);
  }

  /**
   * Skips a false group: walks directive lines only, tracking nested #if groups, until the #elif/#else/
   * #endif that belongs to the current conditional, which is then handled normally.
   */
  skipGroup(frame: FileFrame, from: Token, skipWholeConditional: boolean): void {
    let depth = skipWholeConditional ? 1 : 0;
    const tokens = frame.tokens;
    const start = from.pos;
    for (;;) {
      const token = tokens[frame.index];
      if (token.kind === TokenKind.EndOfFile) {
        this.skippedRanges.push({ file: frame.file.id, pos: start, end: token.pos });
        return;
      }
      frame.index++;
      if (!(token.atLineStart && isPunctuator(token, '#'))) continue;
      const name = tokens[frame.index];
      const text = name.kind === TokenKind.Identifier ? name.text : '';
      if (text === 'if' || text === 'ifdef' || text === 'ifndef') depth++;
      else if (text === 'endif' || text === 'elif' || text === 'else') {
        if (depth > 0) {
          if (text === 'endif') depth--;
          if (depth === 0 && skipWholeConditional) {
            frame.index++;
            this.skipRestOfLine(frame);
            this.skippedRanges.push({ file: frame.file.id, pos: start, end: token.pos });
            return;
          }
          continue;
        }
        this.skippedRanges.push({ file: frame.file.id, pos: start, end: token.pos });
        frame.index++;
        if (text === 'endif') this.handleEndif(frame, name);
        else this.handleElse(frame, name);
        return;
      }
    }
  }

  handleElse(frame: FileFrame, directive: Token): void {
    const group = this.conditionals.length > frame.conditionalBase ? this.conditionals[this.conditionals.length - 1] : undefined;
    if (!group) {
      this.report(Diagnostics.DirectiveWithoutIf, directive, directive.text);
      this.skipRestOfLine(frame);
      return;
    }
    if (group.sawElse) {
      this.report(Diagnostics.DirectiveAfterElse, directive, directive.text);
    }
    if (frame.guardConditionalDepth === this.conditionals.length - 1) frame.guardBroken = true;
    if (directive.text === 'else') {
      group.sawElse = true;
      this.checkEndOfDirective(frame, 'else');
      if (group.taken) this.skipGroup(frame, directive, false);
      else group.taken = true;
      return;
    }
    if (group.taken) {
      this.skipRestOfLine(frame);
      this.skipGroup(frame, directive, false);
      return;
    }
    const value = this.evaluateCondition(this.lineTokens(frame), directive);
    if (value) group.taken = true;
    else this.skipGroup(frame, directive, false);
  }

  handleEndif(frame: FileFrame, directive: Token): void {
    if (this.conditionals.length <= frame.conditionalBase) {
      this.report(Diagnostics.DirectiveWithoutIf, directive, 'endif');
      this.skipRestOfLine(frame);
      return;
    }
    this.conditionals.pop();
    this.checkEndOfDirective(frame, 'endif');
    if (frame.guardMacro !== undefined && frame.guardConditionalDepth === this.conditionals.length && frame.guardClosedAt === undefined) {
      frame.guardClosedAt = frame.index;
    }
  }

  evaluateCondition(line: Token[], directive: Token): boolean {
    if (line.length === 0) {
      this.report(Diagnostics.ExpectedValueInExpression, directive);
      return false;
    }
    this.expansionProduced = 0;
    this.expansionAborted = false;
    const context: ExpansionContext = { frames: [{ tokens: line, index: 0 }], bottom: () => endOfInput, inCondition: true, argumentDepth: 0 };
    const expanded: Token[] = [];
    for (;;) {
      const token = this.nextExpanded(context);
      if (token.kind === TokenKind.EndOfFile) break;
      expanded.push(token);
    }
    if (this.expansionAborted) return false;
    const result = evaluateExpression(expanded, (message, token, ...args) => this.report(message, token ?? directive, ...args),
      this.limits.expressionDepth);
    return result !== undefined && result.value !== 0n;
  }

  // ---- #include ---------------------------------------------------------------------------------------

  /** The header name of an #include line (or __has_include operand): raw `<...>` text or a string. */
  headerName(tokens: Token[], file: SourceFile | undefined): { name: string; angled: boolean } | undefined {
    const first = tokens[0];
    if (!first) return undefined;
    if (first.kind === TokenKind.StringLiteral && first.text.startsWith('"')) {
      return { name: first.text.slice(1, -1), angled: false };
    }
    if (isPunctuator(first, '<')) {
      const closing = tokens.findIndex((token, i) => i > 0 && isPunctuator(token, '>'));
      if (closing < 0) {
        // A header name is lexed raw: in <linux//types.h> the `//` starts no comment.
        if (!file || first.file !== file.id || first.origin) return undefined;
        const close = file.text.indexOf('>', first.end);
        const lineBreak = file.text.slice(first.end, close < 0 ? undefined : close).search(/[\r\n]/);
        if (close < 0 || lineBreak >= 0) return undefined;
        return { name: file.text.slice(first.end, close), angled: true };
      }
      const last = tokens[closing];
      if (file && first.file === file.id && last.file === file.id && !first.origin && !last.origin) {
        return { name: file.text.slice(first.end, last.pos), angled: true };
      }
      let name = '';
      for (let i = 1; i < closing; i++) name += (i > 1 && tokens[i].leadingSpace ? ' ' : '') + tokens[i].text;
      return { name, angled: true };
    }
    return undefined;
  }

  resolveInclude(name: string, angled: boolean, next: boolean, frame: FileFrame): { path: string; searchIndex: number; besideIncluder?: boolean } | undefined {
    const isAbsolute = name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name);
    if (isAbsolute) return this.fileExists(name) ? { path: name, searchIndex: -1 } : undefined;
    // clang's order (HeaderSearch::LookupFile): "..." looks beside the including file, then in -iquote, -I,
    // -isystem, the system folders, -idirafter; <...> starts at -I.
    let start = angled ? this.angledStart : 0;
    if (next && frame.searchIndex >= 0) {
      start = frame.searchIndex + 1;
    } else if (!angled) {
      const candidate = joinIncludePath(directoryOf(frame.file.path), name);
      if (this.fileExists(candidate)) return { path: candidate, searchIndex: frame.searchIndex, besideIncluder: true };
    }
    for (let i = start; i < this.searchPath.length; i++) {
      const candidate = joinIncludePath(this.searchPath[i], name);
      if (this.fileExists(candidate)) return { path: candidate, searchIndex: i };
    }
    return undefined;
  }

  handleInclude(frame: FileFrame, hash: Token, directive: Token, next: boolean, once: boolean): void {
    let line = this.lineTokens(frame);
    const lineEnd = line.length > 0 ? line[line.length - 1].end : directive.end;
    let header = this.headerName(line, frame.file);
    if (!header && line.length > 0) {
      line = this.expandIsolated(line, false);
      header = this.headerName(line, undefined);
    }
    if (!header) {
      this.report(Diagnostics.ExpectedFilename, line[0] ?? directive);
      return;
    }
    const record: IncludeRecord = {
      file: frame.file.id, pos: hash.pos, end: lineEnd, name: header.name, angled: header.angled, next,
      skipped: false, tokenStart: this.output.length, tokenEnd: this.output.length,
    };
    this.includes.push(record);
    const resolved = this.resolveInclude(header.name, header.angled, next, frame);
    if (!resolved) {
      this.reportNotFound({ file: frame.file.id, pos: line[0]?.pos ?? directive.pos, end: lineEnd }, header.name, header.angled, next, frame);
      return;
    }
    record.resolvedPath = resolved.path;
    record.searchIndex = resolved.besideIncluder ? -1 : resolved.searchIndex;
    if (this.onceFiles.has(resolved.path)) {
      record.skipped = true;
      return;
    }
    const guard = this.guardedFiles.get(resolved.path);
    if (guard !== undefined && this.macros.has(guard)) {
      record.skipped = true;
      return;
    }
    if (this.fileStack.length >= this.limits.includeDepth) {
      this.report(Diagnostics.IncludeNestedTooDeeply, { file: frame.file.id, pos: hash.pos, end: lineEnd }, this.limits.includeDepth, header.name, 'includeDepth');
      return;
    }
    let copies = 0;
    for (const open of this.fileStack) if (open.file.path === resolved.path) copies++;
    if (copies >= this.limits.selfIncludeDepth) {
      this.report(Diagnostics.IncludesItselfTooDeeply, { file: frame.file.id, pos: hash.pos, end: lineEnd }, header.name, copies, 'selfIncludeDepth');
      return;
    }
    const cache = this.cache;
    const topLevel = cache !== undefined && this.fileStack.length === 1 && this.mainContext.frames.length === 0 && this.collectingArguments === 0;
    let key: string | undefined;
    let version: string | undefined;
    if (topLevel) {
      version = this.fileVersion(resolved.path);
      if (version !== undefined) {
        // The search path is part of the key: the same header includes other files under another build setup.
        key = `${resolved.path}\u0000${version}\u0000${this.fingerprint}\u0000${this.counter}\u0000${[...this.onceFiles].join('|')}\u0000${this.angledStart}:${this.searchPath.join('\u0001')}`;
        record.cacheKey = key;
        const entry = cache.entries.get(key);
        if (entry && this.dependenciesUnchanged(entry)) {
          cache.hits++;
          this.replayCacheEntry(entry, record);
          return;
        }
        cache.misses++;
      }
    }
    const text = this.readFileText(resolved.path);
    if (text === undefined) {
      this.reportNotFound({ file: frame.file.id, pos: line[0]?.pos ?? directive.pos, end: lineEnd }, header.name, header.angled, next, frame);
      return;
    }
    if (this.includedChars + text.length > this.limits.includedChars) {
      this.report(Diagnostics.IncludedTextTooLarge, { file: frame.file.id, pos: hash.pos, end: lineEnd }, header.name, this.limits.includedChars, 'includedChars');
      return;
    }
    this.includedChars += text.length;
    if (version === undefined && cache) version = this.fileVersion(resolved.path);
    if (version !== undefined) this.dependencyVersions.set(resolved.path, version);
    if (once) this.addOnceFile(resolved.path);
    const file = this.fileTable.register(resolved.path, text);
    record.includedFile = file.id;
    // Before pushFile: the header's own scanner diagnostics belong to its cache entry.
    const scanStart = this.scanDiagnostics.length;
    // before pushFile too: a header read through its index is recorded there
    const lazyStart = this.lazyFiles.length;
    const child = this.pushFile(file, resolved.searchIndex, record);
    if (topLevel && key !== undefined) {
      child.cacheRecording = {
        key, outputStart: this.output.length, workStart: this.expansionWork, eventStart: this.events.length, diagnosticStart: this.diagnostics.length,
        includeStart: this.includes.length, pragmaStart: this.pragmas.length, lazyStart, skippedStart: this.skippedRanges.length,
        scanStart, includedFile: file.id, path: resolved.path, version: version ?? '',
        onceBefore: new Set(this.onceFiles), guardsBefore: new Set(this.guardedFiles.keys()), dependencies: [],
      };
      this.dependencyVersions.clear();
      this.dependencyVersions.set(resolved.path, version ?? '');
    }
  }

  /** clang's "file not found", with the folders searched and how to add one (the build setup's hint). */
  reportNotFound(at: { file: number; pos: number; end: number }, name: string, angled: boolean, next: boolean, frame: FileFrame | undefined): void {
    const looked: string[] = [];
    const afterCurrent = next && frame !== undefined && frame.searchIndex >= 0;
    if (frame && !angled && !afterCurrent) looked.push(`${directoryOf(frame.file.path)} (beside the including file)`);
    const start = afterCurrent ? frame.searchIndex + 1 : angled ? this.angledStart : 0;
    for (const directory of this.searchPath.slice(start)) looked.push(directory === bundledDirectory ? 'the bundled headers' : directory);
    const hints: string[] = [];
    for (const directory of this.options.unsearchedSystemPaths ?? []) {
      const candidate = joinIncludePath(directory, name);
      if (this.fileExists(candidate)) {
        hints.push(`${candidate} exists, but clang -target bpf does not search ${directory}: add -idirafter ${directory} to the build flags`);
        break;
      }
    }
    if (this.options.includeNotFoundHint) hints.push(this.options.includeNotFoundHint);
    else hints.push('add the folder holding it with -I');
    this.report(Diagnostics.FileNotFound, at, name, looked.length > 0 ? looked.join(', ') : 'no folder', hints.join('; '));
  }

  dependenciesUnchanged(entry: CachedInclude): boolean {
    return entry.dependencies.every(([filePath, version]) => this.fileVersion(filePath) === version);
  }

  storeCacheEntry(recording: CacheRecording): void {
    const cache = this.cache!;
    // Scanner diagnostics inside skipped ranges are filtered at the end; cache the ones this header produced.
    const scanned = this.filterScanDiagnostics(this.scanDiagnostics.slice(recording.scanStart));
    const entry: CachedInclude = {
      tokens: this.output.slice(recording.outputStart),
      events: this.events.slice(recording.eventStart),
      onceAdded: [...this.onceFiles].filter((p) => !recording.onceBefore.has(p)),
      guardsAdded: [...this.guardedFiles].filter(([p]) => !recording.guardsBefore.has(p)),
      counterAfter: this.counter,
      expansionWork: this.expansionWork - recording.workStart,
      fingerprintAfter: this.fingerprint,
      diagnostics: [...this.diagnostics.slice(recording.diagnosticStart), ...scanned],
      includes: this.includes.slice(recording.includeStart).map((r) => ({ ...r })),
      pragmas: this.pragmas.slice(recording.pragmaStart).map((p) => ({ ...p })),
      lazyFiles: this.lazyFiles.slice(recording.lazyStart),
      skippedRanges: this.skippedRanges.slice(recording.skippedStart),
      dependencies: [...this.dependencyVersions],
      tokenStart: recording.outputStart,
      includedFile: recording.includedFile,
      path: recording.path,
      version: recording.version,
    };
    cache.store(recording.key, entry);
  }

  replayCacheEntry(entry: CachedInclude, record: IncludeRecord): void {
    const shift = this.output.length - entry.tokenStart;
    // concat copies the cached array in one block; pushing half a million tokens one by one is 10x slower.
    this.output = this.output.concat(entry.tokens);
    for (const event of entry.events) {
      if (event.kind === 'define') this.setMacro(event.macro.name, event.macro);
      else this.deleteMacro(event.name);
      this.events.push(event);
    }
    for (const onceFile of entry.onceAdded) this.addOnceFile(onceFile);
    for (const [filePath, guard] of entry.guardsAdded) this.setIncludeGuard(filePath, guard);
    this.counter = entry.counterAfter;
    this.expansionWork += entry.expansionWork;
    const [high, low] = entry.fingerprintAfter.split(':').map((part) => parseInt(part, 16));
    this.fingerprintHigh = high;
    this.fingerprintLow = low;
    for (const diagnostic of entry.diagnostics) if (this.diagnostics.length < MAX_COLLECTED_DIAGNOSTICS) this.diagnostics.push(diagnostic);
    record.includedFile = entry.includedFile;
    record.fromCache = true;
    record.tokenStart = this.output.length - entry.tokens.length;
    record.tokenEnd = this.output.length;
    for (const nested of entry.includes) {
      this.includes.push({ ...nested, tokenStart: nested.tokenStart + shift, tokenEnd: nested.tokenEnd + shift, fromCache: true });
    }
    for (const pragma of entry.pragmas) this.pragmas.push({ ...pragma, tokenIndex: pragma.tokenIndex + shift });
    for (const lazy of entry.lazyFiles) this.lazyFiles.push(lazy);
    for (const range of entry.skippedRanges) this.skippedRanges.push(range);
  }

  // ---- #line and #pragma ------------------------------------------------------------------------------

  handleLine(frame: FileFrame, line: Token[], directive: Token): void {
    const expanded = line.length > 0 && line[0].kind === TokenKind.Number ? line : this.expandIsolated(line, false);
    const number = expanded[0];
    if (!number || number.kind !== TokenKind.Number || !/^\d+$/.test(number.text)) {
      this.report(Diagnostics.InvalidLineDirective, number ?? directive);
      return;
    }
    const physicalNextLine = frame.file.offsetToPosition(frame.tokens[frame.index].end).line + 1;
    frame.lineDelta = Number(number.text) - physicalNextLine;
    const name = expanded[1];
    if (name && name.kind === TokenKind.StringLiteral) frame.presumedName = destringize(name.text);
  }

  handlePragma(frame: FileFrame, line: Token[], hash: Token): void {
    const end = line.length ? line[line.length - 1].end : hash.end;
    this.applyPragma(line, { file: frame.file.id, pos: hash.pos, end }, frame);
  }

  applyPragma(line: Token[], range: { file: number; pos: number; end: number }, frame: FileFrame | undefined): void {
    const text = line.map((token, i) => (i > 0 && token.leadingSpace ? ' ' : '') + token.text).join('');
    if (line.length === 1 && line[0].text === 'once') {
      if (frame) {
        if (this.fileStack.length === 1 && frame === this.fileStack[0]) this.report(Diagnostics.PragmaOnceInMainFile, line[0]);
        else this.addOnceFile(frame.file.path);
      }
      return;
    }
    if ((line[0]?.text === 'push_macro' || line[0]?.text === 'pop_macro') && isPunctuator(line[1], '(')
      && line[2]?.kind === TokenKind.StringLiteral) {
      const name = destringize(line[2].text);
      const stack = this.pushedMacros.get(name) ?? [];
      if (line[0].text === 'push_macro') {
        stack.push(this.macros.get(name));
        this.pushedMacros.set(name, stack);
      } else if (stack.length > 0) {
        const saved = stack.pop();
        if (saved) this.defineMacro(saved);
        else this.undefineMacro(name);
      }
      return;
    }
    this.pragmas.push({ ...range, text, tokenIndex: this.output.length });
  }

  // ---- macro expansion --------------------------------------------------------------------------------

  readRaw(context: ExpansionContext): Token {
    const frames = context.frames;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame.index < frame.tokens.length) return frame.tokens[frame.index++];
      frames.pop();
      if (frame.macro !== undefined) {
        const count = this.active.get(frame.macro)!;
        if (count <= 1) this.active.delete(frame.macro);
        else this.active.set(frame.macro, count - 1);
      }
    }
    if (context === this.mainContext && this.openExpansion) {
      const record = this.openExpansion.record;
      record.tokenEnd = this.output.length;
      this.openExpansion = undefined;
    }
    return context.bottom();
  }

  pushBack(context: ExpansionContext, token: Token): void {
    if (token.kind === TokenKind.EndOfFile) {
      if (context === this.mainContext) {
        const frame = this.fileStack[0];
        if (frame && token === frame.tokens[frame.index]) return;
      }
      if (token === endOfInput) return;
    }
    context.frames.push({ tokens: [token], index: 0 });
  }

  /** Next fully macro-expanded token of a context. */
  nextExpanded(context: ExpansionContext): Token {
    for (;;) {
      if (this.expansionAborted && context.frames.length > 0) {
        this.abandonFrames(context);
      }
      const atTop = context === this.mainContext && context.frames.length === 0;
      const token = this.readRaw(context);
      if (token.kind !== TokenKind.Identifier || token.noExpand) return token;
      if (context.inCondition) {
        if (token.text === 'defined') return this.evaluateDefined(context, token);
      }
      const macro = this.macros.get(token.text);
      if (!macro || this.expansionWorkExhausted) return token;
      if (this.active.has(macro.name)) return { ...token, noExpand: true };
      if (macro.builtin) {
        const produced = this.expandBuiltin(context, token, macro);
        if (produced) return produced;
        continue;
      }
      if (atTop) {
        this.expansionProduced = 0;
        this.expansionAborted = false;
      }
      let args: Token[][] | undefined;
      let closing: Token | undefined;
      if (macro.params) {
        const next = this.readRaw(context);
        if (!isPunctuator(next, '(')) {
          this.pushBack(context, next);
          return token;
        }
        const collected = this.collectArguments(context, macro, token);
        if (!collected) continue;
        args = collected.args;
        closing = collected.closing;
      }
      const end = closing && closing.file === token.file && closing.origin === token.origin && closing.end >= token.end ? closing.end : token.end;
      const origin: ExpansionOrigin = { macro: macro.name, file: token.file, pos: token.pos, end, parent: token.origin };
      if (atTop && this.fileStack.length === 1 && token.file === this.mainFileId && !token.origin) {
        const record = new ExpansionRecord(token.file, token.pos, end, macro.name, this.output.length);
        this.expansions.push(record);
        this.openExpansion = { record };
      }
      const expansion = this.substitute(macro, args, token, origin, context);
      if (this.expansionAborted) {
        this.abandonFrames(context);
        continue;
      }
      context.frames.push({ tokens: expansion, index: 0, macro: macro.name });
      this.active.set(macro.name, (this.active.get(macro.name) ?? 0) + 1);
    }
  }

  /** Stops all macro expansion for the rest of the run; the driver then ends the output (see `limits.expansionWork`). */
  exhaustExpansionWork(at: Token): void {
    if (!this.expansionWorkExhausted) this.report(Diagnostics.ExpansionWorkExceeded, at, this.limits.expansionWork, 'expansionWork');
    this.expansionWorkExhausted = true;
    this.expansionAborted = true;
  }

  abandonFrames(context: ExpansionContext): void {
    while (context.frames.length > 0) {
      const frame = context.frames.pop()!;
      if (frame.macro !== undefined) {
        const count = this.active.get(frame.macro)!;
        if (count <= 1) this.active.delete(frame.macro);
        else this.active.set(frame.macro, count - 1);
      }
    }
  }

  evaluateDefined(context: ExpansionContext, definedToken: Token): Token {
    let next = this.readRaw(context);
    let parenthesized = false;
    if (isPunctuator(next, '(')) {
      parenthesized = true;
      next = this.readRaw(context);
    }
    let value = false;
    if (next.kind !== TokenKind.Identifier) {
      this.report(Diagnostics.MacroNameMustBeIdentifier, next.kind === TokenKind.EndOfFile ? definedToken : next);
      this.pushBack(context, next);
    } else {
      value = this.macros.has(next.text);
      if (parenthesized) {
        const close = this.readRaw(context);
        if (!isPunctuator(close, ')')) {
          this.report(Diagnostics.InvalidExpressionToken, close.kind === TokenKind.EndOfFile ? next : close, "missing ')' after 'defined'");
          this.pushBack(context, close);
        }
      }
    }
    return { ...definedToken, kind: TokenKind.Number, text: value ? '1' : '0' };
  }

  collectArguments(context: ExpansionContext, macro: MacroDefinition, nameToken: Token): { args: Token[][]; closing: Token } | undefined {
    const params = macro.params!;
    const args: Token[][] = [[]];
    let depth = 0;
    let closing: Token | undefined;
    let collected = 0;
    this.collectingArguments++;
    try {
      for (;;) {
        const token = this.readRaw(context);
        // An unclosed invocation swallows the rest of the file, and #includes inside it: bound what it holds,
        // since pre-expanding the arguments copies them once per nesting level.
        if (++collected > this.limits.expansionTokens) {
          this.report(Diagnostics.MacroExpansionTooLarge, nameToken, macro.name, this.limits.expansionTokens, 'expansionTokens');
          return undefined;
        }
        if (++this.expansionWork > this.limits.expansionWork) {
          this.exhaustExpansionWork(nameToken);
          return undefined;
        }
        if (token.kind === TokenKind.EndOfFile) {
          this.report(Diagnostics.UnterminatedMacroInvocation, nameToken);
          this.pushBack(context, token);
          return undefined;
        }
        if (token.kind === TokenKind.Punctuator) {
          if (token.text === '(') depth++;
          else if (token.text === ')') {
            if (depth === 0) {
              closing = token;
              break;
            }
            depth--;
          } else if (token.text === ',' && depth === 0 && !(macro.variadic && args.length === params.length)) {
            args.push([]);
            continue;
          }
        }
        args[args.length - 1].push(token);
      }
    } finally {
      this.collectingArguments--;
    }
    if (params.length === 0) {
      if (args.length === 1 && args[0].length === 0) return { args: [], closing };
      this.report(Diagnostics.TooManyMacroArguments, { file: nameToken.file, pos: nameToken.pos, end: closing.end }, macro.name);
      return undefined;
    }
    if (args.length < params.length) {
      if (macro.variadic && args.length === params.length - 1) args.push([]);
      else {
        this.report(Diagnostics.TooFewMacroArguments, nameToken, macro.name);
        return undefined;
      }
    }
    if (args.length > params.length) {
      this.report(Diagnostics.TooManyMacroArguments, nameToken, macro.name);
      return undefined;
    }
    return { args, closing };
  }

  /** Fully expands tokens on their own (a macro argument, an #include or #line operand). */
  expandIsolated(tokens: Token[], inCondition: boolean, argumentDepth = 0): Token[] {
    const context: ExpansionContext = { frames: [{ tokens, index: 0 }], bottom: () => endOfInput, inCondition, argumentDepth };
    const result: Token[] = [];
    for (;;) {
      const token = this.nextExpanded(context);
      if (token.kind === TokenKind.EndOfFile) return result;
      result.push(token);
    }
  }

  /** The replacement list with arguments substituted, `#` and `##` applied (C11 6.10.3.1-3). */
  substitute(macro: MacroDefinition, args: Token[][] | undefined, nameToken: Token, origin: ExpansionOrigin, context: ExpansionContext): Token[] {
    const body = macro.body;
    const result: Token[] = [];
    const expandedArgs: Array<Token[] | undefined> = [];
    const variadicIndex = macro.variadic && macro.params ? macro.params.length - 1 : -1;
    const relocate = (token: Token): Token => relocatedToken(token, origin);
    const fromArgument = (token: Token): Token => (token.origin ? token : relocatedToken(token, origin));
    const expandedArgument = (index: number): Token[] => {
      let expanded = expandedArgs[index];
      if (expanded === undefined) {
        const raw = args![index];
        if (context.argumentDepth >= this.limits.argumentNesting) {
          if (!this.expansionAborted) this.report(Diagnostics.MacroArgumentsNestedTooDeeply, nameToken, this.limits.argumentNesting, 'argumentNesting');
          expanded = raw;
        } else {
          expanded = this.expandIsolated(raw, context.inCondition, context.argumentDepth + 1);
        }
        expandedArgs[index] = expanded;
      }
      return expanded;
    };

    let insideVaOpt = false;
    const substituteRange = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const token = body[i];
        const paramIndex = macro.bodyParams[i];
        if (args && token.kind === TokenKind.Punctuator && token.text === '#' && i + 1 < to) {
          const next = macro.bodyParams[i + 1];
          if (next >= 0) {
            result.push({
              kind: TokenKind.StringLiteral, text: stringize(args[next]), file: token.file, pos: token.pos, end: body[i + 1].end,
              leadingSpace: token.leadingSpace, atLineStart: false, origin,
            });
            i++;
            continue;
          }
        }
        if (token.kind === TokenKind.Punctuator && token.text === '##') {
          // GNU `, ## __VA_ARGS__`: with an empty variadic argument the comma disappears.
          const nextParam = i + 1 < to ? macro.bodyParams[i + 1] : -1;
          const previous = result[result.length - 1];
          if (nextParam >= 0 && nextParam === variadicIndex && previous && isPunctuator(previous, ',')) {
            const raw = args![nextParam];
            if (raw.length === 0) {
              result.pop();
              result.push(placemarker);
            } else {
              for (const argToken of raw) result.push(fromArgument(argToken));
            }
            i++;
            continue;
          }
          result.push(pasteOperator);
          continue;
        }
        // __VA_OPT__ does not nest (clang rejects it), so user input cannot make this recurse more than once.
        if (args && macro.variadic && !insideVaOpt && token.kind === TokenKind.Identifier && token.text === '__VA_OPT__' && isPunctuator(body[i + 1], '(')) {
          let depth = 0;
          let close = i + 1;
          for (; close < to; close++) {
            if (isPunctuator(body[close], '(')) depth++;
            else if (isPunctuator(body[close], ')') && --depth === 0) break;
          }
          if (args[variadicIndex].length > 0) {
            insideVaOpt = true;
            substituteRange(i + 2, close);
            insideVaOpt = false;
          } else result.push(placemarker);
          i = close;
          continue;
        }
        if (paramIndex >= 0 && args) {
          const pasted = isPunctuator(body[i - 1], '##') || isPunctuator(body[i + 1], '##');
          const tokens = pasted ? args[paramIndex] : expandedArgument(paramIndex);
          if (tokens.length === 0) {
            result.push(placemarker);
            continue;
          }
          for (let k = 0; k < tokens.length; k++) {
            const copy = fromArgument(tokens[k]);
            result.push(k === 0 && copy.leadingSpace !== token.leadingSpace ? { ...copy, leadingSpace: token.leadingSpace } : copy);
          }
          continue;
        }
        result.push(relocate(token));
      }
    };
    substituteRange(0, body.length);

    let final = result;
    if (result.includes(pasteOperator)) final = this.applyPastes(result, nameToken, origin);
    const cleaned: Token[] = [];
    for (const token of final) if (token !== placemarker) cleaned.push(token);
    if (cleaned.length > 0) {
      cleaned[0] = { ...cleaned[0], leadingSpace: nameToken.leadingSpace, atLineStart: nameToken.atLineStart };
    }
    this.expansionProduced += Math.max(1, cleaned.length);
    this.expansionWork += cleaned.length;
    if (this.expansionWork > this.limits.expansionWork) {
      this.exhaustExpansionWork(nameToken);
      return [];
    }
    if (this.expansionProduced > this.limits.expansionTokens) {
      if (!this.expansionAborted) {
        const root = rootOrigin(origin)!;
        this.report(Diagnostics.MacroExpansionTooLarge, root, root.macro, this.limits.expansionTokens, 'expansionTokens');
      }
      this.expansionAborted = true;
      return [];
    }
    return cleaned;
  }

  applyPastes(items: Token[], nameToken: Token, origin: ExpansionOrigin): Token[] {
    const out: Token[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item !== pasteOperator) {
        out.push(item);
        continue;
      }
      const left = out.pop() ?? placemarker;
      let right = items[++i] ?? placemarker;
      if (right === pasteOperator) right = placemarker;
      if (left === placemarker) {
        out.push(right);
        continue;
      }
      if (right === placemarker) {
        out.push(left);
        continue;
      }
      const text = left.text + right.text;
      const single = scansAsSingleToken(text);
      if (!single) {
        this.report(Diagnostics.PasteFormedInvalidToken, nameToken, text);
        out.push(left, right);
        continue;
      }
      out.push({ kind: single.kind, text: single.text, file: left.file, pos: left.pos, end: left.end, leadingSpace: left.leadingSpace, atLineStart: false, origin });
    }
    return out;
  }

  // ---- built-in macros --------------------------------------------------------------------------------

  currentFileFrame(): FileFrame | undefined {
    return this.fileStack[this.fileStack.length - 1];
  }

  expandBuiltin(context: ExpansionContext, token: Token, macro: MacroDefinition): Token | undefined {
    const make = (kind: TokenKind, text: string): Token => ({ ...token, kind, text, origin: { macro: macro.name, file: token.file, pos: token.pos, end: token.end, parent: token.origin } });
    const frame = this.currentFileFrame();
    switch (macro.builtin) {
      case 'file': {
        const root = rootOrigin(token.origin);
        const fileId = root ? root.file : token.file;
        const owner = this.fileStack.find((f) => f.file.id === fileId);
        const name = owner?.presumedName ?? this.fileTable.files[fileId]?.path ?? '';
        return make(TokenKind.StringLiteral, JSON.stringify(name));
      }
      case 'baseFile':
        return make(TokenKind.StringLiteral, JSON.stringify(this.baseFileName));
      case 'line': {
        const root = rootOrigin(token.origin);
        const fileId = root ? root.file : token.file;
        const pos = root ? root.pos : token.pos;
        const sourceFile = this.fileTable.files[fileId];
        const owner = this.fileStack.find((f) => f.file.id === fileId);
        const line = (sourceFile ? sourceFile.offsetToPosition(pos).line + 1 : 0) + (owner?.lineDelta ?? 0);
        return make(TokenKind.Number, String(line));
      }
      case 'counter':
        this.mix('C');
        return make(TokenKind.Number, String(this.counter++));
      case 'includeLevel':
        return make(TokenKind.Number, String(Math.max(0, this.fileStack.length - 1)));
      case 'date': case 'time': case 'timestamp': {
        const now = new Date();
        const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
        const day = String(now.getDate()).padStart(2, ' ');
        const time = now.toTimeString().slice(0, 8);
        const text = macro.builtin === 'date' ? `${months[now.getMonth()]} ${day} ${now.getFullYear()}`
          : macro.builtin === 'time' ? time : now.toString().slice(0, 24);
        return make(TokenKind.StringLiteral, JSON.stringify(text));
      }
      case 'hasInclude': case 'hasIncludeNext': {
        const operand = this.readParenthesized(context, token);
        if (!operand) return make(TokenKind.Number, '0');
        let header = this.headerName(operand, frame?.file);
        if (!header) header = this.headerName(this.expandIsolated(operand, false), undefined);
        if (!header || !frame) {
          this.report(Diagnostics.ExpectedFilename, operand[0] ?? token);
          return make(TokenKind.Number, '0');
        }
        const found = this.resolveInclude(header.name, header.angled, macro.builtin === 'hasIncludeNext', frame);
        return make(TokenKind.Number, found ? '1' : '0');
      }
      case 'featureCheck': case 'isIdentifier': {
        const operand = this.readParenthesized(context, token);
        if (!operand) return make(TokenKind.Number, '0');
        const name = operand.map((t) => t.text).join('').replace(/^__(.*)__$/, macro.name === '__has_attribute' ? '$1' : '$&');
        if (macro.builtin === 'isIdentifier') return make(TokenKind.Number, operand.length === 1 && operand[0].kind === TokenKind.Identifier ? '1' : '0');
        const table = clangBpfFeatureTable[macro.name];
        return make(TokenKind.Number, table?.has(name) ? '1' : '0');
      }
      case 'pragmaOperator': {
        const operand = this.readParenthesized(context, token);
        if (!operand || operand.length !== 1 || operand[0].kind !== TokenKind.StringLiteral) {
          this.report(Diagnostics.PragmaRequiresString, token);
          return undefined;
        }
        const text = destringize(operand[0].text);
        const tokens = scan(text, -1).filter((t) => t.kind !== TokenKind.Newline && t.kind !== TokenKind.EndOfFile);
        const range = userRange(token);
        this.applyPragma(tokens, { file: range.file, pos: range.pos, end: range.end }, frame);
        return undefined;
      }
      default:
        return token;
    }
  }

  /** Reads `( ... )` after a built-in function-like macro, unexpanded; reports and returns undefined if absent. */
  readParenthesized(context: ExpansionContext, nameToken: Token): Token[] | undefined {
    const open = this.readRaw(context);
    if (!isPunctuator(open, '(')) {
      this.report(Diagnostics.FeatureCheckSyntax, nameToken, nameToken.text, 'operand');
      this.pushBack(context, open);
      return undefined;
    }
    const tokens: Token[] = [];
    let depth = 0;
    for (;;) {
      const token = this.readRaw(context);
      if (token.kind === TokenKind.EndOfFile) {
        this.report(Diagnostics.FeatureCheckSyntax, nameToken, nameToken.text, 'operand');
        this.pushBack(context, token);
        return undefined;
      }
      if (isPunctuator(token, '(')) depth++;
      else if (isPunctuator(token, ')')) {
        if (depth === 0) return tokens;
        depth--;
      }
      tokens.push(token);
    }
  }

  // ---- driver -----------------------------------------------------------------------------------------

  filterScanDiagnostics(diagnostics: FrontEndDiagnostic[]): FrontEndDiagnostic[] {
    if (this.skippedRanges.length === 0 && this.rawTextRanges.length === 0) return diagnostics;
    const byFile = new Map<number, SkippedRange[]>();
    for (const range of [...this.skippedRanges, ...this.rawTextRanges]) {
      const list = byFile.get(range.file) ?? [];
      list.push(range);
      byFile.set(range.file, list);
    }
    return diagnostics.filter((d) => !(byFile.get(d.file) ?? []).some((r) => d.pos >= r.pos && d.pos < r.end));
  }

  run(mainPath: string, mainText: string): PreprocessResult {
    const main = this.fileTable.register(mainPath, mainText);
    this.mainFileId = main.id;
    this.baseFileName = mainPath;
    if (!this.options.initialState) {
      this.addBuiltins();
      const predefines = this.fileTable.register('<built-in>', this.predefinesText());
      this.processWholeFile(predefines);
    }
    for (const forced of this.options.forcedIncludes ?? []) {
      const text = this.readFileText(forced);
      if (text === undefined) {
        this.reportNotFound({ file: main.id, pos: 0, end: 0 }, forced, false, false, undefined);
        continue;
      }
      this.processWholeFile(this.fileTable.register(forced, text));
    }
    this.pushFile(main, -1);
    this.fileStack[0].sawContent = true; // the main file is never treated as guarded
    for (;;) {
      const token = this.nextExpanded(this.mainContext);
      // Read after nextExpanded: replaying a cached header replaces the output array.
      const output = this.output;
      if (token.kind === TokenKind.EndOfFile) {
        output.push({ ...token, file: main.id, pos: main.text.length, end: main.text.length });
        break;
      }
      if (this.expansionWorkExhausted) {
        output.push({ kind: TokenKind.EndOfFile, text: '', file: main.id, pos: main.text.length, end: main.text.length, leadingSpace: false, atLineStart: true });
        break;
      }
      output.push(token);
      if (output.length > this.topLevelLimit) {
        if (!this.outputLimitReported) this.report(Diagnostics.OutputTooLarge, token, this.limits.outputTokens, 'outputTokens');
        this.outputLimitReported = true;
        output.push({ kind: TokenKind.EndOfFile, text: '', file: main.id, pos: main.text.length, end: main.text.length, leadingSpace: false, atLineStart: true });
        break;
      }
    }
    const output = this.output;
    if (this.openExpansion) this.openExpansion.record.tokenEnd = output.length - 1;
    for (const record of this.expansions) record.output = output;
    for (const include of this.includes) if (include.tokenEnd < include.tokenStart) include.tokenEnd = include.tokenStart;
    const diagnostics = [...this.diagnostics, ...this.filterScanDiagnostics(this.scanDiagnostics)];
    return {
      tokens: output,
      files: this.fileTable.files,
      mainFile: main.id,
      diagnostics,
      macros: this.macros,
      includes: this.includes,
      expansions: this.expansions,
      pragmas: this.pragmas,
      lazyFiles: this.lazyFiles,
      skippedRanges: this.skippedRanges,
      state: {
        // No copies: this run is over, and a run continuing from the state copies what it changes.
        macros: this.macros, onceFiles: this.onceFiles, guardedFiles: this.guardedFiles,
        counter: this.counter, fingerprint: this.fingerprint, fileTable: this.fileTable, expansionWork: this.expansionWork,
      },
      expansionWork: this.expansionWork,
    };
  }

  /** Preprocesses a file only for its directives (predefines, -include files); tokens it produces are output. */
  processWholeFile(file: SourceFile): void {
    this.pushFile(file, -1);
    const depth = this.fileStack.length;
    const context: ExpansionContext = {
      frames: [], inCondition: false, argumentDepth: 0,
      bottom: () => {
        for (;;) {
          const frame = this.fileStack[this.fileStack.length - 1];
          if (!frame || this.fileStack.length < depth) return endOfInput;
          const token = frame.tokens[frame.index];
          if (token.kind === TokenKind.EndOfFile && this.fileStack.length === depth) {
            this.popFile();
            return endOfInput;
          }
          const next = this.nextFileTokenWithin(depth);
          if (next) return next;
        }
      },
    };
    for (;;) {
      const token = this.nextExpanded(context);
      if (token.kind === TokenKind.EndOfFile) break;
      this.output.push(token);
    }
  }

  /** One step of the file stream that never pops below `depth`; undefined when it reached that file's end. */
  nextFileTokenWithin(depth: number): Token | undefined {
    for (;;) {
      const frame = this.fileStack[this.fileStack.length - 1];
      const token = frame.tokens[frame.index];
      if (token.kind === TokenKind.EndOfFile) {
        if (this.fileStack.length === depth) return undefined;
        frame.index++;
        this.popFile();
        continue;
      }
      frame.index++;
      if (token.kind === TokenKind.Newline) continue;
      if (token.atLineStart && isPunctuator(token, '#')) {
        this.handleDirective(frame, token);
        continue;
      }
      return token;
    }
  }
}

/** Preprocesses `text` (the contents of `path`) with headers read through `host`. Never throws. */
export function preprocess(path: string, text: string, host: FileSystemHost, options: PreprocessOptions = {}): PreprocessResult {
  return new Preprocessor(host, options).run(path, text);
}

/**
 * `-E`-like text: one line per source line a token started on, a space where the source had one, and a
 * space wherever two tokens would otherwise scan as one.
 */
export function tokensToText(tokens: readonly Token[]): string {
  const parts: string[] = [];
  let previous: Token | undefined;
  for (const token of tokens) {
    if (token.kind === TokenKind.EndOfFile) break;
    if (previous) {
      if (token.atLineStart) parts.push('\n');
      else if (token.leadingSpace || needsSeparator(previous, token)) parts.push(' ');
    }
    parts.push(token.text);
    previous = token;
  }
  return parts.join('');
}

function needsSeparator(left: Token, right: Token): boolean {
  const a = left.text.charCodeAt(left.text.length - 1);
  const b = right.text.charCodeAt(0);
  const word = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
  if (word(a) && (word(b) || right.kind === TokenKind.StringLiteral || right.kind === TokenKind.CharConstant)) return true;
  if (left.kind === TokenKind.Number && (b === 46 || b === 43 || b === 45)) return true;
  if (left.kind === TokenKind.Punctuator && right.kind === TokenKind.Punctuator) {
    return scansAsSingleToken(left.text + right.text.slice(0, 1)) !== undefined || (left.text === '/' && (right.text === '/' || right.text === '*'));
  }
  if (left.text === '.' && right.kind === TokenKind.Number) return true;
  return false;
}

/**
 * The folders `#include` searches, in clang's order: `-iquote` (only for "..."), `-I`, `-isystem`, the
 * compiler's system folders, `-idirafter`, then the bundled headers. `angledStart` is where <...> starts.
 */
export function includeSearchPath(options: PreprocessOptions): { directories: string[]; angledStart: number } {
  const quote = options.quoteIncludePaths ?? [];
  return {
    directories: [
      ...quote,
      ...(options.includePaths ?? []),
      ...(options.systemIncludePaths ?? []),
      ...(options.builtinIncludePaths ?? []),
      ...(options.afterIncludePaths ?? []),
      ...(options.useBundledHeaders === false ? [] : [bundledDirectory]),
    ],
    angledStart: quote.length,
  };
}

/**
 * `__STDC_VERSION__` for a `-std=` value as clang 14 sets it: undefined when absent or unknown (keep the
 * default), null for C89/C90 (not defined).
 */
export function stdcVersionOf(std: string | undefined): string | null | undefined {
  if (std === undefined) return undefined;
  const name = std.toLowerCase().replace(/^(gnu|c|iso9899:)/, '');
  if (['89', '90', '1990', '199409'].includes(name)) return name === '199409' ? '199409L' : null;
  if (['99', '9x', '1999'].includes(name)) return '199901L';
  if (['11', '1x', '2011'].includes(name)) return '201112L';
  if (['17', '18', '2017', '2018'].includes(name)) return '201710L';
  if (['2x', '23'].includes(name)) return '202000L';
  return undefined;
}

/** The expansion record whose invocation range contains `offset` of `file`, for hover. */
export function expansionAt(result: PreprocessResult, file: number, offset: number): MacroExpansionRecord | undefined {
  return result.expansions.find((record) => record.file === file && offset >= record.pos && offset < record.end);
}

/** The file stream of one main file, for consumers that only need tokens and diagnostics. */
export { TokenKind };
