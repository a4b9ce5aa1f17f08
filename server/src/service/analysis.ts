/**
 * One analysis of a document: preprocess -> parse/bind (with the shared header preamble) -> lower -> check
 * each iterator program. Every editor feature and the CLI start from this; results are cached per
 * (path, text, settings) so hover and completion right after a keystroke reuse the diagnostics' work.
 */
import * as path from 'path';
import { FileHost } from './host';
import { Compilation, compileTokens, buildPreamble, Preamble } from '../lang/compile';
import { preprocess, PreprocessResult, HeaderCache } from '../lang/preprocessor';
import { lowerProgram, LowerResult, CoreFieldResolver } from '../lang/lower';
import { checkIterProgram, CheckResult, FormatCall } from '../lang/checker';
import { collectFormatCalls } from '../lang/formatCalls';
import { checkProgramShapes, isGplCompatible } from '../lang/programChecks';
import { Diagnostics, FrontEndDiagnostic, formatMessage } from '../lang/diagnostics';
import { Token, TokenKind } from '../lang/token';
import { kernelBtf } from '../kernel/btf';

export interface AnalysisSettings {
  includePaths: string[];
  defines: Record<string, string>;
  cpus: number;
  /** The map a bpf_map_elem program will be attached to, when known: sizes for the attach check. */
  attachMap?: { name: string; key_size: number; value_size: number; percpu: boolean; loc?: { file: number; pos: number; end: number } };
}

export interface ProgramAnalysis {
  name: string;
  section: string;
  target: string;
  sleepable: boolean;
  funcIndex: number;
  check?: CheckResult;
}

export interface Analysis {
  path: string;
  text: string;
  pp: PreprocessResult;
  compilation: Compilation;
  lowered: LowerResult;
  programs: ProgramAnalysis[];
  diagnostics: FrontEndDiagnostic[];
  /** File id of the main file in `pp.files`. */
  mainFile: number;
}

/** Targets the simulated kernel runs. Others are recognised and reported as not simulated. */
export const SIMULATED_TARGETS = new Set(['bpf_map', 'bpf_map_elem']);

/** CO-RE: fields of kernel types are relocated against the simulated kernel's BTF by name, as libbpf does. */
const core: CoreFieldResolver = (record, field) => {
  const struct = (kernelBtf as Record<string, { fields: Array<{ name: string; offset: number }> } | undefined>)[record];
  return struct?.fields.find((f) => f.name === field)?.offset;
};

export class Analyzer {
  private preambles = new Map<string, { stamps: Array<[string, string | undefined]>; preamble: Preamble }>();
  private last?: { key: string; analysis: Analysis };
  private headerCache: HeaderCache = new HeaderCache();

  constructor(private readonly host: FileHost) {}

  invalidate(): void {
    this.preambles.clear();
    this.last = undefined;
    this.headerCache = new HeaderCache();
  }

  analyze(filePath: string, text: string, settings: AnalysisSettings): Analysis {
    const key = JSON.stringify([filePath, settings]);
    if (this.last && this.last.key === key && this.last.analysis.text === text) return this.last.analysis;
    const analysis = this.run(filePath, text, settings);
    this.last = { key, analysis };
    return analysis;
  }

  private run(filePath: string, text: string, settings: AnalysisSettings): Analysis {
    const pp = preprocess(filePath, text, this.host, {
      includePaths: settings.includePaths,
      defines: settings.defines,
      cache: this.headerCache,
    });
    const mainFile = pp.mainFile;
    mapToExpansionSites(pp.tokens, mainFile);
    // The preamble: every token that comes from a header, parsed once and shared (clangd's preamble idea).
    const split = splitPreamble(pp.tokens, mainFile);
    const preamble = this.preambleFor(split.headerTokens, pp);
    const compilation = compileTokens(split.userTokens, { preamble });
    const objectName = path.basename(filePath).split('.')[0] || 'prog';
    const lowered = lowerProgram(compilation, { objectName, core });
    const diagnostics: FrontEndDiagnostic[] = [...pp.diagnostics, ...compilation.diagnostics];
    // Header diagnostics are not the user's problem unless they are errors that stop compilation.
    const hasFrontEndError = diagnostics.some((d) => d.category === 'error');
    diagnostics.push(...lowered.diagnostics, ...checkProgramShapes(compilation));
    const formats = collectFormatCalls(compilation);
    const programs: ProgramAnalysis[] = [];
    for (const entry of lowered.program.entries) {
      const fn = lowered.program.functions[entry.func];
      const p: ProgramAnalysis = { name: fn.name, section: entry.section, target: entry.target, sleepable: entry.sleepable, funcIndex: entry.func };
      programs.push(p);
      if (!SIMULATED_TARGETS.has(entry.target)) {
        const m = Diagnostics.TargetNotSimulated;
        diagnostics.push({ code: m.code, category: m.category, message: formatMessage(m.message, [entry.target]), file: fn.loc.file, pos: fn.loc.pos, end: fn.loc.end });
        continue;
      }
      if (hasFrontEndError) continue;
      const gpl = isGplCompatible(lowered.program.license);
      p.check = checkIterProgram(lowered.program, entry.func, {
        target: entry.target, cpus: settings.cpus, gplCompatible: gpl,
        attachMap: entry.target === 'bpf_map_elem' && settings.attachMap ? { ...settings.attachMap, cpus: settings.cpus } : undefined,
        formats: formats.filter((f: FormatCall) => withinFunction(f, fn.loc)),
      });
      diagnostics.push(...p.check.diagnostics);
    }
    return { path: filePath, text, pp, compilation, lowered, programs, diagnostics: dedupe(diagnostics), mainFile };
  }

  private preambleFor(tokens: Token[], pp: PreprocessResult): Preamble | undefined {
    if (tokens.length === 0) return undefined;
    const files = [...new Set(tokens.map((t) => t.file))].map((id) => pp.files[id]?.path).filter((p): p is string => !!p).sort();
    const key = files.join('\n') + '\n' + tokens.length;
    const stamps = files.map((f) => [f, this.host.stamp(f)] as [string, string | undefined]);
    const cached = this.preambles.get(key);
    if (cached && cached.stamps.every(([f, s], i) => stamps[i][0] === f && stamps[i][1] === s)) return cached.preamble;
    const preamble = buildPreamble(tokens);
    if (this.preambles.size > 8) this.preambles.clear();
    this.preambles.set(key, { stamps, preamble });
    return preamble;
  }
}

/**
 * Gives tokens that come from a macro body the range of the macro invocation in the user's file (clang's
 * expansion location), so a node built from `BPF_SEQ_PRINTF(...)` is located at that call. Tokens spelled
 * in the user's file (macro arguments, plain code) keep their own range. The `origin` chain is kept.
 */
export function mapToExpansionSites(tokens: Token[], mainFile: number): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t.origin) continue;
    let root = t.origin;
    while (root.parent) root = root.parent;
    if (root.file !== mainFile || t.file === mainFile) continue;
    // A copy: token objects may be shared with the header cache.
    tokens[i] = { ...t, file: root.file, pos: root.pos, end: root.end };
  }
}

/**
 * Splits the token stream into the leading run of header tokens (the preamble) and the rest. Only a prefix
 * qualifies: a header included in the middle of the user's code is parsed with it.
 */
export function splitPreamble(tokens: Token[], mainFile: number): { headerTokens: Token[]; userTokens: Token[] } {
  let i = 0;
  while (i < tokens.length && tokens[i].kind !== TokenKind.EndOfFile && !isFromUserFile(tokens[i], mainFile)) i++;
  return { headerTokens: [...tokens.slice(0, i), endOfFile(tokens[i] ?? tokens[tokens.length - 1])], userTokens: tokens.slice(i) };
}

function isFromUserFile(t: Token, mainFile: number): boolean {
  if (t.file === mainFile) return true;
  let root = t.origin;
  while (root?.parent) root = root.parent;
  return root !== undefined && root.file === mainFile;
}

function endOfFile(near: Token): Token {
  return { kind: TokenKind.EndOfFile, text: '', file: near.file, pos: near.pos, end: near.pos, leadingSpace: false, atLineStart: true };
}

function withinFunction(f: FormatCall, loc: { file: number; pos: number; end: number }): boolean {
  return f.loc.file === loc.file && f.loc.pos >= loc.pos && f.loc.end <= loc.end;
}

function dedupe(diags: FrontEndDiagnostic[]): FrontEndDiagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const k = `${d.code}:${d.file}:${d.pos}:${d.end}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
