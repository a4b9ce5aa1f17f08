/** One preprocessing run's state, shared by every layer of the preprocessor: the macro table, the stack of open files and reading their tokens, diagnostics and the records the result returns. */

import { DiagnosticMessage, Diagnostics, FrontEndDiagnostic, MAX_COLLECTED_DIAGNOSTICS } from '../diagnostics';
import { clangBpfFeatureTable } from './features';
import { clangAarch64PredefinedMacros, clangBpfPredefinedMacros, clangX86_64PredefinedMacros } from './predefined';
import { FileSystemHost, bundledDirectory, hostFileExists, isBundledPath, readBundledHeader } from '../headers';
import { createDiagnostic, scan } from '../scanner';
import { SourceFile } from '../sourceFile';
import { Token, TokenKind, makeToken } from '../token';
import { LazyHeaderIndex, declarationsNaming, lazyHeaderIndex, skeletonTokens } from '../lazyHeader';
import { defaultLimits, type PreprocessLimits } from './limits';
import { ExpansionRecord, FileTable, endOfInput, userRange, type PreprocessOptions, type MacroDefinition, type BuiltinMacro, type IncludeRecord, type MacroExpansionRecord, type PragmaRecord, type LazyFileRecord, type SkippedRange, type MacroEvent, type ExpansionContext, type ConditionalGroup, type FileFrame, type CacheRecording } from './records';
import { HeaderCache } from './includes';

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

export abstract class PreprocessSession {
  // Provided by the layers above (see expansion, conditionals, includes, directives, index).
  abstract storeCacheEntry(recording: CacheRecording): void;
  abstract headerName(tokens: Token[], file: SourceFile | undefined): { name: string; angled: boolean } | undefined;
  abstract resolveInclude(name: string, angled: boolean, next: boolean, frame: FileFrame): { path: string; searchIndex: number; besideIncluder?: boolean } | undefined;
  abstract handleDirective(frame: FileFrame, hash: Token): void;
  abstract applyPragma(line: Token[], range: { file: number; pos: number; end: number }, frame: FileFrame | undefined): void;
  abstract checkEndOfDirective(frame: FileFrame, directive: string): void;
  abstract filterScanDiagnostics(diagnostics: FrontEndDiagnostic[]): FrontEndDiagnostic[];

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
  protected readonly scannedFiles = new Map<SourceFile, { tokens: readonly Token[]; diagnostics: FrontEndDiagnostic[] }>();

  /**
   * The macro table, #pragma once files and include guards. A run continuing from a state shares that state's
   * collections and copies one only when it first changes it (an edit below the preamble seldom defines a
   * macro, and copying thousands of header macros on every keystroke was a tenth of an edit's allocation).
   */
  macros: Map<string, MacroDefinition>;
  onceFiles: Set<string>;
  guardedFiles: Map<string, string>;
  protected ownsMacros: boolean;
  protected ownsOnceFiles: boolean;
  protected ownsGuardedFiles: boolean;
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
  /** #includes of a file from inside itself so far (see `limits.selfInclusions`). */
  selfInclusions = 0;
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

  protected mix(text: string): void {
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
  protected ownMacros(): Map<string, MacroDefinition> {
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
    // A header that expands a macro defined elsewhere holds tokens spelled there, at the offsets they had: its cache
    // entry (includes.ts, keyed by this fingerprint) holds only while they stay there. An edit above a definition in
    // the main file moves them (fuzz seed 24900: a diagnostic inside vmlinux.h's expansion of the user's `foo` was
    // shown six characters off after an edit of the first line); so does one above a definition in a project header.
    if (macro.body.length > 0) this.mix(`@${macro.body[0].file}:${macro.body.map((token) => token.pos).join(',')}`);
  }

  undefineMacro(name: string): void {
    if (!this.macros.has(name)) return;
    this.deleteMacro(name);
    this.events.push({ kind: 'undef', name });
    this.mix('U' + name);
  }

  addBuiltins(): void {
    const builtins: Array<[string, BuiltinMacro]> = [
      ['__FILE__', 'file'], ['__FILE_NAME__', 'fileName'], ['__LINE__', 'line'], ['__COUNTER__', 'counter'], ['__INCLUDE_LEVEL__', 'includeLevel'],
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
    for (const [name, value] of predefinedMacrosOf(this.options.targetTriple)) lines.push(`#define ${name} ${value}`);
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
      if (lazy) this.lazyFiles.push({ file: file.id, index: lazy.index, tokenIndex: this.output.length, expanded: lazy.expanded });
      scanned = { tokens: lazy ? skeletonTokens(file.text, lazy.index, file.id, lazy.expanded) : this.scanWithinLimit(file), diagnostics: [] };
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
   * A file's tokens, at most `limits.outputTokens` of them: no more can reach the output, and scanning a file of
   * millions (a 300,000-element initializer) before any limit applied took 3 s and 600 MiB. The rest is not read.
   */
  scanWithinLimit(file: SourceFile): Token[] {
    const limit = this.limits.outputTokens;
    const tokens = scan(file.text, file.id, this.scanDiagnostics, limit + 1);
    // fewer tokens than the limit, Newlines and the end included: nothing to count (a walk of every token per edit)
    if (tokens.length - 1 <= limit) return tokens;
    let significant = 0;
    for (let i = tokens.length - 2; i >= 0 && significant <= limit; i--) if (tokens[i].kind !== TokenKind.Newline) significant++;
    if (significant > limit) {
      // Ends after one token past the limit: when they all reach the output, BPF1057 stops at that token as it
      // would in the whole file; when directives or skipped groups kept some out, reaching this end says the rest
      // was not read.
      const last = tokens[tokens.length - 2];
      const end: Token = makeToken(TokenKind.EndOfFile, '', file.id, last.end, last.end, false, true);
      tokens[tokens.length - 1] = end;
      this.truncatedEnds.set(end, file);
    }
    return tokens;
  }

  /** The ends of files not read whole (scanWithinLimit), each reported when reached. */
  protected readonly truncatedEnds = new Map<Token, SourceFile>();

  protected reportTruncated(end: Token): void {
    const file = this.truncatedEnds.get(end);
    if (!file) return;
    this.truncatedEnds.delete(end);
    if (!this.outputLimitReported) this.report(Diagnostics.FileHasTooManyTokens, { file: file.id, pos: end.pos, end: end.pos }, file.path, this.limits.outputTokens, 'outputTokens');
  }

  /**
   * The index of a header read lazily (lazyHeader.ts), when asked for and exact here: included outside function
   * bodies (its declarations are file-scope ones there, see insideFunctionBody), and its guard
   * is not defined (then it is skipped as usual). A macro defined at this point that names one of its identifiers
   * would change the declarations that hold it (`#define foo foo + 1` and vmlinux.h's `u32 foo;`): those are
   * `expanded`, read whole through the preprocessor; the header's thousands of others stay indexed.
   */
  lazyIndexOf(file: SourceFile): { index: LazyHeaderIndex; expanded: number[] } | undefined {
    if (!this.options.lazyHeaders || file.text === undefined || this.insideFunctionBody()) return undefined;
    const index = lazyHeaderIndex(file.text);
    if (!index || (index.guard !== undefined && this.macros.has(index.guard))) return undefined;
    let expanded: Set<number> | undefined = index.alwaysExpanded.length ? new Set(index.alwaysExpanded) : undefined;
    for (const name of this.macros.keys()) {
      if (!index.identifiers.has(name)) continue;
      expanded ??= new Set();
      for (const declaration of declarationsNaming(file.text, index, name)) expanded.add(declaration);
    }
    return { index, expanded: expanded ? [...expanded].sort((a, b) => a - b) : [] };
  }

  /** The output's open brackets so far (see insideFunctionBody), read on from where the last call stopped. */
  private readonly outputNesting = { scanned: 0, open: [] as number[], functionBodies: 0 };

  /**
   * Is the output so far inside a function body (or are macro arguments being gathered)? A header's declarations
   * are block-scope ones there, which the index cannot give: such an include is read whole. Anywhere else they are
   * file-scope declarations from the next token on: exactly so between two declarations; inside an unfinished
   * declaration, a struct or an expression clang reports an error at the header's first declaration, and the
   * tokens around the include report one too (typing `int x` above `#include "vmlinux.h"` must not cost the whole
   * header on each keystroke).
   */
  insideFunctionBody(): boolean {
    if (this.collectingArguments !== 0 || this.mainContext.frames.length !== 0) return true;
    const nesting = this.outputNesting;
    const output = this.output;
    // 1: ( or [, 2: a brace, 3: a function body's brace (after the declarator's `)`)
    for (let i = nesting.scanned; i < output.length; i++) {
      const token = output[i];
      if (token.kind !== TokenKind.Punctuator) continue;
      switch (token.text) {
        case '(': case '[': case '<:': nesting.open.push(1); break;
        case '{': case '<%': {
          const body = i > 0 && output[i - 1].kind === TokenKind.Punctuator && output[i - 1].text === ')';
          nesting.open.push(body ? 3 : 2);
          if (body) nesting.functionBodies++;
          break;
        }
        case ')': case ']': case ':>': case '}': case '%>':
          if (nesting.open.pop() === 3) nesting.functionBodies--;
          break;
      }
    }
    nesting.scanned = output.length;
    return nesting.functionBodies !== 0;
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
        if (this.truncatedEnds.size !== 0) this.reportTruncated(token);
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

  protected mainFinished = false;

  protected popFileAtEnd(frame: FileFrame): void {
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

  // ---- built-in macros --------------------------------------------------------------------------------

  currentFileFrame(): FileFrame | undefined {
    return this.fileStack[this.fileStack.length - 1];
  }
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

/** The macros clang predefines for a `-target` triple; any other triple, bpf and none are answered with bpf's. */
function predefinedMacrosOf(triple: string | undefined): ReadonlyArray<readonly [string, string]> {
  const arch = hostArchOf(triple);
  if (arch === 'x86_64') return clangX86_64PredefinedMacros;
  if (arch === 'aarch64') return clangAarch64PredefinedMacros;
  return clangBpfPredefinedMacros;
}

/**
 * The host architecture a `-target` triple names, in clang's spelling: it reads amd64 as x86_64 and arm64 as aarch64
 * (llvm::Triple::parseArch); undefined for bpf, none or another.
 */
export function hostArchOf(triple: string | undefined): 'x86_64' | 'aarch64' | undefined {
  const arch = triple?.split('-')[0];
  if (arch === 'x86_64' || arch === 'amd64') return 'x86_64';
  if (arch === 'aarch64' || arch === 'arm64') return 'aarch64';
  return undefined;
}
