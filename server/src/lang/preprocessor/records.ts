/** What one preprocessing run takes, keeps and produces: options, macro definitions, the records of includes, expansions and pragmas, the file table, and the stacks the layers of the preprocessor share. */

import { scansAsSingleToken } from '../scanner';
import { SourceFile } from '../sourceFile';
import { ExpansionOrigin, Token, TokenKind, makeToken } from '../token';
import { LazyHeaderIndex } from '../lazyHeader';
import type { PreprocessLimits } from './limits';
import { HeaderCache } from './includes';

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
  /** Each forced include as spelled (`stdbool.h`), by index of forcedIncludes: searched for when that path does not exist. */
  forcedIncludeNames?: string[];
  /** Search the headers bundled under server/headers after the user's paths; default true. */
  useBundledHeaders?: boolean;
  /** Defines `__TARGET_ARCH_<arch>` as bpf_tracing.h expects; default 'x86'; '' for none. */
  targetArch?: string;
  /**
   * `-target`/`--target=` of the command line: a build that compiles BPF C for its host and lowers the IR with
   * `llc -march=bpf` gets that host's predefined macros (`__x86_64__`, `__aarch64__`) and not `__bpf__`; default bpf.
   */
  targetTriple?: string;
  limits?: Partial<PreprocessLimits>;
  /**
   * Headers of declarations only (vmlinux.h) are indexed, not tokenized (lazyHeader.ts): their declarations reach
   * the result as `lazyFiles`, parsed when a program names them. Off unless asked: the front end asks (preamble and user part).
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

export type BuiltinMacro =
  | 'file' | 'fileName' | 'line' | 'counter' | 'includeLevel' | 'baseFile' | 'date' | 'time' | 'timestamp'
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

export class ExpansionRecord implements MacroExpansionRecord {
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
  /** Number of output tokens before the include: the header's declarations stand there, its names are visible from there on. */
  tokenIndex: number;
  /**
   * Declarations (by number, ascending) read whole through the preprocessor instead, as a macro defined at the
   * include names an identifier of theirs: their tokens are in the output, and the index does not bind them.
   */
  expanded: readonly number[];
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

export type MacroEvent = { kind: 'define'; macro: MacroDefinition } | { kind: 'undef'; name: string };

// ---------------------------------------------------------------------------------------------------------

export const endOfInput: Token = makeToken(TokenKind.EndOfFile, '', -1, 0, 0, false, true);

interface ExpansionFrame {
  tokens: Token[];
  index: number;
  macro?: string;
}

export interface ExpansionContext {
  frames: ExpansionFrame[];
  /** Where tokens come from once every frame is read: the file stream, or end of input. */
  bottom: () => Token;
  /** Inside a #if line: `defined` and `__has_include` operate on their raw operands. */
  inCondition: boolean;
  argumentDepth: number;
}

export interface ConditionalGroup {
  directive: Token;
  /** Some group of this #if chain was already taken. */
  taken: boolean;
  sawElse: boolean;
}

export interface FileFrame {
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

/** The counters of a run that limits bound across files: a replayed header must leave them where reading it would. */
export interface LimitCounters { includedChars: number; selfInclusions: number; expansionWork: number; outputTokens: number; conditionals: number }

export interface CacheRecording {
  key: string;
  outputStart: number;
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
  /** includes.ts LimitCounters when the header's reading began, and whether a limit had stopped part of the run. */
  countersBefore: LimitCounters;
  limitReachedBefore: boolean;
}

export function isPunctuator(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.kind === TokenKind.Punctuator && token.text === text;
}

export function rootOrigin(origin: ExpansionOrigin | undefined): ExpansionOrigin | undefined {
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

/** Reverses `#`: removes the quotes and prefix of a string literal and undoes `\\` and `\"`. */
export function destringize(literal: string): string {
  const start = literal.indexOf('"');
  return literal.slice(start + 1, -1).replace(/\\([\\"])/g, '$1');
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
