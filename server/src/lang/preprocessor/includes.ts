/** `#include`, `#include_next` and `#import`: header names, the search path, "file not found", and the header cache that replays a header's effect. */

import { Diagnostics, FrontEndDiagnostic, MAX_COLLECTED_DIAGNOSTICS } from '../diagnostics';
import { bundledDirectory, directoryOf, joinIncludePath } from '../headers';
import { SourceFile } from '../sourceFile';
import { Token, TokenKind } from '../token';
import { BoundedCache } from '../boundedCache';
import { FileTable, isPunctuator, type IncludeRecord, type PragmaRecord, type LazyFileRecord, type SkippedRange, type MacroEvent, type FileFrame, type CacheRecording, type LimitCounters } from './records';
import { ConditionalDirectives } from './conditionals';

interface CachedInclude {
  tokens: Token[];
  events: MacroEvent[];
  onceAdded: string[];
  guardsAdded: Array<[string, string]>;
  counterAfter: number;
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
  /** Where the run's bounded counters stood when the header was recorded, and how far it advanced them. */
  budget: { at: LimitCounters; used: LimitCounters; reachedLimit: boolean };
}

/** The limits on counters a run carries from file to file: one met inside a header depends on where they stood. */
const COUNTED_LIMITS: ReadonlySet<number> = new Set([Diagnostics.IncludedTextTooLarge, Diagnostics.IncludesItselfTooOften,
  Diagnostics.ExpansionWorkExceeded, Diagnostics.OutputTooLarge, Diagnostics.FileHasTooManyTokens, Diagnostics.ConditionalNestedTooDeeply].map((m) => m.code));


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

export abstract class IncludeResolver extends ConditionalDirectives {
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
    if (copies > 0) {
      if (this.selfInclusions >= this.limits.selfInclusions) {
        this.report(Diagnostics.IncludesItselfTooOften, { file: frame.file.id, pos: hash.pos, end: lineEnd }, header.name, this.limits.selfInclusions, 'selfInclusions');
        return;
      }
      this.selfInclusions++;
    }
    const cache = this.cache;
    const topLevel = cache !== undefined && this.fileStack.length === 1 && this.mainContext.frames.length === 0 && this.collectingArguments === 0;
    let key: string | undefined;
    let version: string | undefined;
    if (topLevel) {
      version = this.fileVersion(resolved.path);
      if (version !== undefined) {
        // The search path is part of the key: the same header includes other files under another build setup.
        // So is whether a header of declarations may be read through its index here (session.ts lazyIndexOf).
        const lazy = this.options.lazyHeaders ? (this.insideFunctionBody() ? 'whole' : 'lazy') : 'never';
        key = `${resolved.path}\u0000${version}\u0000${this.fingerprint}\u0000${this.counter}\u0000${[...this.onceFiles].join('|')}\u0000${this.angledStart}:${this.searchPath.join('\u0001')}\u0000${lazy}`;
        record.cacheKey = key;
        const entry = cache.entries.get(key);
        if (entry && this.dependenciesUnchanged(entry) && this.replayKeepsLimits(entry)) {
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
        key, outputStart: this.output.length, eventStart: this.events.length, diagnosticStart: this.diagnostics.length,
        includeStart: this.includes.length, pragmaStart: this.pragmas.length, lazyStart, skippedStart: this.skippedRanges.length,
        scanStart, includedFile: file.id, path: resolved.path, version: version ?? '',
        onceBefore: new Set(this.onceFiles), guardsBefore: new Set(this.guardedFiles.keys()), dependencies: [],
        // the header's own text counted too: a replay reads none of it
        countersBefore: { ...this.limitCounters(), includedChars: this.includedChars - text.length }, limitReachedBefore: this.limitReached(),
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

  /** The bounded counters now (see LimitCounters). */
  limitCounters(): LimitCounters {
    return { includedChars: this.includedChars, selfInclusions: this.selfInclusions, expansionWork: this.expansionWork, outputTokens: this.output.length, conditionals: this.conditionals.length };
  }

  /** Whether a limit has stopped part of the run: what follows is read differently (no expansion, no output). */
  limitReached(): boolean { return this.expansionWorkExhausted || this.expansionAborted || this.outputLimitReported; }

  /**
   * Whether replaying `entry` gives what reading the header would (fuzz seed 25100: a header recorded from another
   * count of self-inclusions met its limit at another #include). A header whose reading met a limit is replayed only
   * from the same counters; another only when no limit stops the run yet and the counters it advances stay within their
   * limits (the conditionals open in the including file are part of conditionalDepth: the same number of them).
   */
  replayKeepsLimits(entry: CachedInclude): boolean {
    const now = this.limitCounters();
    const { at, used, reachedLimit } = entry.budget;
    if (reachedLimit) {
      return !this.limitReached() && now.includedChars === at.includedChars && now.selfInclusions === at.selfInclusions
        && now.expansionWork === at.expansionWork && now.outputTokens === at.outputTokens && now.conditionals === at.conditionals;
    }
    const limits = this.limits;
    return !this.limitReached() && now.conditionals === at.conditionals
      && now.includedChars + used.includedChars <= limits.includedChars
      && now.selfInclusions + used.selfInclusions <= limits.selfInclusions
      && now.expansionWork + used.expansionWork <= limits.expansionWork
      && now.outputTokens + used.outputTokens <= limits.outputTokens;
  }

  storeCacheEntry(recording: CacheRecording): void {
    const cache = this.cache!;
    // Scanner diagnostics inside skipped ranges are filtered at the end; cache the ones this header produced.
    const scanned = this.filterScanDiagnostics(this.scanDiagnostics.slice(recording.scanStart));
    const entryDiagnostics = [...this.diagnostics.slice(recording.diagnosticStart), ...scanned];
    const entry: CachedInclude = {
      tokens: this.output.slice(recording.outputStart),
      events: this.events.slice(recording.eventStart),
      onceAdded: [...this.onceFiles].filter((p) => !recording.onceBefore.has(p)),
      guardsAdded: [...this.guardedFiles].filter(([p]) => !recording.guardsBefore.has(p)),
      counterAfter: this.counter,
      fingerprintAfter: this.fingerprint,
      diagnostics: entryDiagnostics,
      includes: this.includes.slice(recording.includeStart).map((r) => ({ ...r })),
      pragmas: this.pragmas.slice(recording.pragmaStart).map((p) => ({ ...p })),
      lazyFiles: this.lazyFiles.slice(recording.lazyStart),
      skippedRanges: this.skippedRanges.slice(recording.skippedStart),
      dependencies: [...this.dependencyVersions],
      tokenStart: recording.outputStart,
      includedFile: recording.includedFile,
      path: recording.path,
      version: recording.version,
      budget: {
        at: recording.countersBefore, used: subtractCounters(this.limitCounters(), recording.countersBefore),
        reachedLimit: this.limitReached() !== recording.limitReachedBefore || entryDiagnostics.some((d) => COUNTED_LIMITS.has(d.code)),
      },
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
    // the counters a limit bounds, charged again so that a cache hit changes no limit
    this.expansionWork += entry.budget.used.expansionWork;
    this.includedChars += entry.budget.used.includedChars;
    this.selfInclusions += entry.budget.used.selfInclusions;
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
    for (const lazy of entry.lazyFiles) this.lazyFiles.push({ ...lazy, tokenIndex: lazy.tokenIndex + shift });
    for (const range of entry.skippedRanges) this.skippedRanges.push(range);
  }
}

function subtractCounters(after: LimitCounters, before: LimitCounters): LimitCounters {
  return {
    includedChars: after.includedChars - before.includedChars, selfInclusions: after.selfInclusions - before.selfInclusions,
    expansionWork: after.expansionWork - before.expansionWork, outputTokens: after.outputTokens - before.outputTokens,
    conditionals: after.conditionals - before.conditionals,
  };
}
