/**
 * C11 preprocessor with the GNU extensions the kernel and libbpf headers use, behaving as clang 14 does for
 * `-target bpf`. Macro expansion follows clang's model of the standard's hide sets: a macro is disabled while
 * its expansion is being read, and an identifier naming a disabled macro is painted (`noExpand`) for good.
 * Nesting the user controls (includes, conditionals, macro frames) lives on explicit stacks; the only
 * recursion is argument pre-expansion, bounded by `limits.argumentNesting`.
 */

import { Diagnostics, FrontEndDiagnostic } from '../diagnostics';
import { FileSystemHost, joinIncludePath } from '../headers';
import { SourceFile } from '../sourceFile';
import { Token, TokenKind, makeToken, tokenWith } from '../token';
import { endOfInput, isPunctuator, type PreprocessOptions, type MacroDefinition, type IncludeRecord, type MacroExpansionRecord, type PragmaRecord, type LazyFileRecord, type SkippedRange, type PreprocessorState, type ExpansionContext } from './records';
import { DirectiveHandler } from './directives';

export { defaultLimits, PREPROCESS_LIMIT_NAMES, readLimits } from './limits';
export type { PreprocessLimits } from './limits';
export { FileTable, userRange, tokensToText } from './records';
export type { PreprocessOptions, MacroDefinition, IncludeRecord, MacroExpansionRecord, PragmaRecord, LazyFileRecord, SkippedRange, PreprocessorState } from './records';
export { HeaderCache } from './includes';
export { hostArchOf, includeSearchPath, stdcVersionOf } from './session';

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

class Preprocessor extends DirectiveHandler {
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
    (this.options.forcedIncludes ?? []).forEach((given, index) => {
      // clang's -include: `#include "name"` from the working directory, then the rest of the "..." chain
      // (-iquote, -I, the system folders: `-include stdbool.h` is clang's own header)
      let forced = given;
      let text = this.readFileText(forced);
      const name = this.options.forcedIncludeNames?.[index];
      if (text === undefined && name !== undefined && !name.startsWith('/')) {
        const found = this.searchPath.map((folder) => joinIncludePath(folder, name)).find((candidate) => this.fileExists(candidate));
        if (found !== undefined) { forced = found; text = this.readFileText(found); }
      }
      if (text === undefined) {
        this.reportNotFound({ file: main.id, pos: 0, end: 0 }, forced, false, false, undefined);
        return;
      }
      this.processWholeFile(this.fileTable.register(forced, text));
    });
    this.pushFile(main, -1);
    this.fileStack[0].sawContent = true; // the main file is never treated as guarded
    for (;;) {
      const token = this.nextExpanded(this.mainContext);
      // Read after nextExpanded: replaying a cached header replaces the output array.
      const output = this.output;
      if (token.kind === TokenKind.EndOfFile) {
        output.push(tokenWith(token, { file: main.id, pos: main.text.length, end: main.text.length }));
        break;
      }
      if (this.expansionWorkExhausted) {
        output.push(makeToken(TokenKind.EndOfFile, '', main.id, main.text.length, main.text.length, false, true));
        break;
      }
      output.push(token);
      if (output.length > this.topLevelLimit) {
        if (!this.outputLimitReported) this.report(Diagnostics.OutputTooLarge, token, this.limits.outputTokens, 'outputTokens');
        this.outputLimitReported = true;
        output.push(makeToken(TokenKind.EndOfFile, '', main.id, main.text.length, main.text.length, false, true));
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

/** The expansion record whose invocation range contains `offset` of `file`, for hover. */
export function expansionAt(result: PreprocessResult, file: number, offset: number): MacroExpansionRecord | undefined {
  return result.expansions.find((record) => record.file === file && offset >= record.pos && offset < record.end);
}

export { FileSystemHost } from '../headers';

/** The file stream of one main file, for consumers that only need tokens and diagnostics. */
export { TokenKind };
