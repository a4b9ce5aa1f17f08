/**
 * One analysis of a document: preprocess -> parse/bind (with the shared header preamble) -> lower -> check
 * each iterator program. Every editor feature and the CLI start from this; results are cached per
 * (path, text, settings) so hover and completion right after a keystroke reuse the diagnostics' work.
 */
import { appendAll } from '../lang/arrays';
import { bpfCpuOf } from '../lang/atomics';
import { FileHost } from './host';
import { BuildSetup, buildSetupForFile, NO_SYSTEM_FOLDERS } from '../lang/buildSetup';
import { libbpfObjectName } from '../lang/objectName';
import { Compilation, createFrontEnd } from '../lang/compile';
import { preprocess, PreprocessResult, HeaderCache, PreprocessOptions, PreprocessorState, PreprocessLimits } from '../lang/preprocessor';
import { lowerProgramSteps, LowerResult, CoreFieldResolver, LoweringMemo, CODEGEN_DIAGNOSTIC_CODES } from '../lang/lower';
import { CheckResult, FormatCall } from '../lang/checker';
import { CheckMemo } from '../lang/checker/reuse';
import { collectFormatCalls } from '../lang/formatCalls';
import { checkProgramShapes, isGplCompatible, unresolvedExternNames, unresolvedExternsOutsideIterators } from '../lang/programChecks';
import { DataSection, dataSections, usedMapNames } from '../lang/programFacts';
import { reachableFunctions } from '../lang/checker/stack';
import { Diagnostics, FrontEndDiagnostic, formatMessage } from '../lang/diagnostics';
import { Token, relocatedToken } from '../lang/token';
import { kernelBtf } from '../kernel/btf';
import { SIMULATED_ITER_TARGETS } from '../kernel/kernel';
import { iterTargetInfo } from '../kernel/iterTargets';
import { LinkedLicense, linkedFunctions, linkedLicense, projectFolder } from './linkedLicense';
import { kernelHasType } from '../lang/kernelTypes';
import { runSteps, Steps } from '../lang/steps';

export interface AnalysisSettings {
  includePaths: string[];
  defines: Record<string, string>;
  cpus: number;
  /** Bounds of the preprocessing (defaults: lang/preprocessor/limits.ts defaultLimits). */
  limits?: Partial<PreprocessLimits>;
  /** The map a bpf_map_elem program will be attached to, when known: sizes for the attach check. */
  attachMap?: { name: string; key_size: number; value_size: number; percpu: boolean; loc?: { file: number; pos: number; end: number }; guessed?: boolean };
}

/** What the front end leaves for the programs' checks: the analysis's own fields, and what only the checks read. */
type FrontResult = Pick<Analysis, 'path' | 'setup' | 'objectName' | 'text' | 'pp' | 'compilation' | 'lowered' | 'diagnostics' | 'mainFile' | 'linkedLicense'> & {
  hasFrontEndError: boolean;
  formats: FormatCall[];
  /** The extern functions another unit of the project defines (linked by bpftool gen object), with that unit's path. */
  linkedFunctions: Record<string, string>;
};

export interface ProgramAnalysis {
  name: string;
  section: string;
  target: string;
  sleepable: boolean;
  funcIndex: number;
  /** Every function the program may call, itself included (the verifier's subprograms; callbacks too). */
  reachableFunctions: number[];
  /** The object's maps (`.maps` names and data section names) the program and its callees refer to. */
  usedMaps: ReadonlySet<string>;
  check?: CheckResult;
}

export interface Analysis {
  path: string;
  /** The build setup the file was preprocessed with (lang/buildSetup.ts): search folders and where each came from. */
  setup: BuildSetup;
  /** libbpf's object name for the file: the data sections' maps are named from it. */
  objectName: string;
  text: string;
  pp: PreprocessResult;
  compilation: Compilation;
  lowered: LowerResult;
  programs: ProgramAnalysis[];
  /** The license is GPL-compatible (license_is_gpl_compatible()): GPL-only helpers are allowed. */
  gplCompatible: boolean;
  /** The license a license unit of the project declares, when the file has none (linked with it by bpftool gen object). */
  linkedLicense?: LinkedLicense;
  /** The global-data sections as libbpf loads them, each with its map's name. */
  dataSections: DataSection[];
  diagnostics: FrontEndDiagnostic[];
  /** File id of the main file in `pp.files`. */
  mainFile: number;
}


/** CO-RE: fields of kernel types are relocated against the simulated kernel's BTF by name, as libbpf does. */
const core: CoreFieldResolver = (record, field) => {
  const struct = (kernelBtf as Record<string, { fields: Array<{ name: string; offset: number }> } | undefined>)[record];
  return struct?.fields.find((f) => f.name === field)?.offset;
};

export class DocumentAnalyzer {
  private last?: { key: string; analysis: Analysis };
  private headerCache: HeaderCache = new HeaderCache();
  private frontEnd = this.makeFrontEnd();
  private lastFront?: { key: string; text: string; front: FrontResult; dependencies: Array<[string, string | undefined]> };
  /**
   * Incremental analysis (issue 18 point 2), per file and build setup: the last lowering (a function whose tokens and
   * surroundings did not change is not lowered again) and the last checks (a program none of whose functions and
   * inputs changed is not checked again). The most recently analysed files first out last.
   */
  private readonly memos = new Map<string, { lowering?: LoweringMemo; checks: CheckMemo }>();
  /** What the analyses so far reused: functions not lowered again, programs not checked again (tests and benches). */
  readonly reuse = { functions: 0, programs: 0 };

  constructor(private readonly host: FileHost) {}

  invalidate(): void {
    this.last = undefined;
    this.lastFront = undefined;
    this.memos.clear();
    this.headerCache = new HeaderCache();
    this.frontEnd = this.makeFrontEnd();
  }

  /**
   * The front end with clangd's preamble: the leading directives (the #includes of vmlinux.h and libbpf) are
   * preprocessed, parsed and bound once; each edit preprocesses and parses only the rest of the file, starting
   * from the preamble's macro state (compile.ts createFrontEnd). The preamble is shared by every analyzer of the
   * process (every open document) with the same leading lines, flags and folder.
   */
  private makeFrontEnd() {
    return createFrontEnd(
      (filePath: string, text: string, host: FileHost, options: PreprocessOptions | undefined, initialState?: PreprocessorState) =>
        preprocessForAnalysis(filePath, text, host, { ...options, cache: this.headerCache }, initialState),
      (host: FileHost, p: string) => host.version(p),
      'service',
    );
  }

  /** The build setup of a file: the settings' folders and defines, then its build files, the system folders, the bundled headers. */
  setupFor(filePath: string, settings: Pick<AnalysisSettings, 'includePaths' | 'defines'>): BuildSetup {
    return buildSetupForFile(filePath, this.host, { includePaths: settings.includePaths, defines: settings.defines },
      this.host.systemIncludeFolders?.() ?? NO_SYSTEM_FOLDERS);
  }

  analyze(filePath: string, text: string, settings: AnalysisSettings): Analysis {
    return runSteps(this.analyzeSteps(filePath, text, settings));
  }

  /**
   * The analysis in steps: it yields after the front end (preprocess, parse, bind, lower) and after each program's
   * check, so an editor can drop it there when a newer version of the document has arrived (`runSteps` runs it
   * to the end at once).
   */
  *analyzeSteps(filePath: string, text: string, settings: AnalysisSettings): Generator<void, Analysis, void> {
    // Read on every analysis: an edit to compile_flags.txt is seen at the next keystroke, watched or not.
    const read = this.setupFor(filePath, settings);
    const setup = settings.limits ? { ...read, options: { ...read.options, limits: settings.limits } } : read;
    // Files of two projects alternate without invalidating anything: the header cache keys on the search path.
    const setupKey = JSON.stringify(setup.options);
    const key = JSON.stringify([filePath, settings, setupKey]);
    // The front end and lowering do not depend on the CPU count or the attach map: reuse them when only the
    // checks' inputs changed (the service analyses a bpf_map_elem file twice: first to learn its maps).
    // -mcpu decides what the lowering says of atomics; it is a flag the preprocessor does not read
    const frontKey = JSON.stringify([filePath, setupKey, setup.flags?.mcpu]);
    // Reused only while every file the text included is unchanged: an open header edited in the editor changes
    // no text of this document (the run worker ran the old `#define N 4` after it became `#define N 8`).
    const reusable = this.lastFront !== undefined && this.lastFront.key === frontKey && this.lastFront.text === text
      && this.dependenciesUnchanged(this.lastFront.dependencies);
    if (reusable && this.last && this.last.key === key && this.last.analysis.text === text) return this.last.analysis;
    const front = reusable ? this.lastFront!.front : yield* this.front(filePath, text, setup, this.memoFor(frontKey));
    const dependencies = reusable ? this.lastFront!.dependencies : this.dependenciesOf(front.pp, filePath);
    this.lastFront = { key: frontKey, text, front, dependencies };
    if (!reusable) yield;
    const analysis = yield* this.check(front, settings, this.memoFor(frontKey).checks);
    this.last = { key, analysis };
    return analysis;
  }

  /** The files an analysis read, with their versions when it read them (the document itself is compared by text). */
  private dependenciesOf(pp: PreprocessResult, filePath: string): Array<[string, string | undefined]> {
    const paths = new Set<string>();
    for (const include of pp.includes) if (include.resolvedPath && include.resolvedPath !== filePath) paths.add(include.resolvedPath);
    return [...paths].map((p) => [p, this.host.version(p)]);
  }

  private dependenciesUnchanged(dependencies: Array<[string, string | undefined]>): boolean {
    return dependencies.every(([p, version]) => this.host.version(p) === version);
  }

  private memoFor(frontKey: string): { lowering?: LoweringMemo; checks: CheckMemo } {
    let memo = this.memos.get(frontKey);
    if (memo) this.memos.delete(frontKey);
    else memo = { checks: new CheckMemo() };
    this.memos.set(frontKey, memo);
    if (this.memos.size > MEMOIZED_FILES) this.memos.delete(this.memos.keys().next().value as string);
    return memo;
  }

  /** The front end and lowering, in steps: each yields between its phases (compile.ts compileFileSteps, lowerProgramSteps). */
  private *front(filePath: string, text: string, setup: BuildSetup, memo: { lowering?: LoweringMemo }): Steps<FrontResult> {
    const compilation = yield* this.frontEnd.compileFileSteps(filePath, text, this.host, setup.options);
    yield;
    // the runs come from preprocessForAnalysis: whole PreprocessResults
    const user = compilation.userRun as PreprocessResult;
    const preambleRun = compilation.preambleRun as PreprocessResult;
    // One view of the preprocessing for the editor features: the user part's expansions and macros, and the
    // includes of both parts (a header diagnostic is shown at the #include line that pulled the header in).
    const pp: PreprocessResult = {
      ...user,
      includes: [...(preambleRun?.includes ?? []), ...user.includes],
      diagnostics: [],
    };
    const mainFile = compilation.mainFile;
    const objectName = libbpfObjectName(filePath);
    const lowered = yield* lowerProgramSteps(compilation, { objectName, core, coreTarget: (name) => kernelBtf[name], kernelHasType, mainFile, cpu: bpfCpuOf(setup.flags?.mcpu), reuse: {
      tokens: user.tokens, pragmas: user.pragmas, previous: memo.lowering,
    } });
    memo.lowering = lowered.memo;
    this.reuse.functions += lowered.reusedFunctions ?? 0;
    const diagnostics: FrontEndDiagnostic[] = withoutHeaderCascade(compilation.diagnostics, mainFile);
    const hasFrontEndError = diagnostics.some((d) => d.category === 'error');
    // a file of programs without a license of its own may be one unit of an object linked with a license unit
    const linked = lowered.program.license == null && lowered.program.entries.length > 0
      ? linkedLicense(filePath, projectFolder(filePath, setup.flags?.source), this.host) : undefined;
    const loweringDiagnostics = withoutWarningsOnCodeNeverRun(lowered, compilation);
    appendAll(appendAll(diagnostics, hasFrontEndError ? loweringDiagnostics.filter((d) => !CODEGEN_DIAGNOSTIC_CODES.has(d.code)) : loweringDiagnostics), checkProgramShapes(compilation, { licenseLinked: linked !== undefined }));
    // an extern function another unit of the project defines is resolved when bpftool gen object links them
    const externs = unresolvedExternNames(lowered.program);
    const linkedFns = externs.size > 0 ? linkedFunctions(filePath, projectFolder(filePath, setup.flags?.source), this.host, externs) : {};
    // libbpf opens the object before any program loads: an extern it cannot resolve anywhere fails them all
    if (!hasFrontEndError) appendAll(diagnostics, unresolvedExternsOutsideIterators(lowered.program, linkedFns));
    const formats = collectFormatCalls(compilation, { tokens: user.tokens, mainFile });
    return { path: filePath, setup, objectName, text, pp, compilation, lowered, diagnostics, hasFrontEndError, formats, mainFile, linkedFunctions: linkedFns, ...(linked ? { linkedLicense: linked } : {}) };
  }

  private *check(front: FrontResult, settings: AnalysisSettings, checks: CheckMemo): Generator<void, Analysis, void> {
    const { path: filePath, setup, objectName, text, pp, compilation, lowered, hasFrontEndError, formats, mainFile } = front;
    const diagnostics = [...front.diagnostics];
    const programs: ProgramAnalysis[] = [];
    const gpl = isGplCompatible(lowered.program.license ?? front.linkedLicense?.license);
    for (const entry of lowered.program.entries) {
      const fn = lowered.program.functions[entry.func];
      const p: ProgramAnalysis = {
        name: fn.name, section: entry.section, target: entry.target, sleepable: entry.sleepable, funcIndex: entry.func,
        reachableFunctions: reachableFunctions(lowered.program, entry.func), usedMaps: usedMapNames(lowered.program, entry.func),
      };
      programs.push(p);
      // every target is checked (kernel/iterTargets.ts); one the simulated kernel does not run yet is said so
      // (an unknown target is BPF1392 already: there is nothing to simulate)
      if (!SIMULATED_ITER_TARGETS.includes(entry.target) && iterTargetInfo(entry.target)) {
        const m = Diagnostics.TargetNotSimulated;
        diagnostics.push({ code: m.code, category: m.category, message: formatMessage(m.message, [entry.target]), file: fn.loc.file, pos: fn.loc.pos, end: fn.loc.end });
      }
      if (hasFrontEndError) continue;
      const reusedBefore = checks.reused;
      p.check = checks.check(lowered.program, entry.func, {
        target: entry.target, sleepable: entry.sleepable, cpus: settings.cpus, gplCompatible: gpl,
        attachMap: entry.target === 'bpf_map_elem' && settings.attachMap ? { ...settings.attachMap, cpus: settings.cpus } : undefined,
        formats: formats.filter((f: FormatCall) => withinFunction(f, fn.loc)),
        ...(Object.keys(front.linkedFunctions).length > 0 ? { linkedFunctions: front.linkedFunctions } : {}),
      });
      appendAll(diagnostics, p.check.diagnostics);
      if (checks.reused > reusedBefore) { this.reuse.programs++; continue; }
      yield;
    }
    checks.keepOnly(new Set(programs.map((p) => p.name)));
    return {
      path: filePath, setup, objectName, text, pp, compilation, lowered, programs, gplCompatible: gpl, ...(front.linkedLicense ? { linkedLicense: front.linkedLicense } : {}),
      dataSections: dataSections(lowered.program, objectName), diagnostics: dedupe(diagnostics), mainFile,
    };
  }

}

/** Files whose last lowering and checks an analyzer keeps (the open documents an editor switches between). */
const MEMOIZED_FILES = 8;

export { runSteps };

/**
 * Runs steps, giving the event loop a turn between them (messages that arrived meanwhile are handled); stops and
 * answers undefined as soon as `isObsolete` says the result is no longer wanted.
 */
export async function runStepsUnlessObsolete<T>(steps: Generator<void, T, void>, isObsolete: () => boolean): Promise<T | undefined> {
  for (;;) {
    if (isObsolete()) return undefined;
    const next = steps.next();
    if (next.done) return next.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The preprocessing of an analysis: the preamble (no `initialState`) and the rest of the file read vmlinux.h-like
 * headers through their index where that is exact (lang/lazyHeader.ts, preprocessor/session.ts lazyIndexOf); the rest of the file continues from its state, with macro-body tokens placed at
 * their invocation. The same for every analyzer, so they can share preambles.
 */
function preprocessForAnalysis(filePath: string, text: string, host: FileHost, options: PreprocessOptions, initialState?: PreprocessorState): PreprocessResult {
  const result = preprocess(filePath, text, host, { ...options, initialState, lazyHeaders: true });
  if (initialState) mapToExpansionSites(result.tokens, result.mainFile);
  return result;
}

/**
 * Gives tokens that come from a macro body the range of the macro invocation in the user's file (clang's
 * expansion location), so a node built from `BPF_SEQ_PRINTF(...)` is located at that call, and so is one built
 * from a macro the user's file defines itself (`#define MIN(a, b) ...`: clang shows an error of its body at the
 * `MIN(p, q)` it came from). Tokens spelled inside the invocation (macro arguments) and plain code keep their own
 * range. The `origin` chain is kept.
 */
export function mapToExpansionSites(tokens: Token[], mainFile: number): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t.origin) continue;
    let root = t.origin;
    while (root.parent) root = root.parent;
    if (root.file !== mainFile) continue;
    if (t.file === mainFile && t.pos >= root.pos && t.end <= root.end) continue;
    // A copy: token objects may be shared with the header cache.
    tokens[i] = relocatedToken(t, t.origin, root.file, root.pos, root.end);
  }
}

/**
 * clang stops at a header it cannot find (a fatal error). We go on, to check the user's own code, but the errors
 * inside headers after a missing one are its consequences (`unknown type name '__u32'` two hundred times when
 * linux/types.h misses asm/types.h): they are dropped, the "file not found" and the main file's own remain.
 */
function withoutHeaderCascade(diagnostics: readonly FrontEndDiagnostic[], mainFile: number): FrontEndDiagnostic[] {
  if (!diagnostics.some((d) => d.code === Diagnostics.FileNotFound.code)) return [...diagnostics];
  // a header several headers include is missing once: clang stops at its first "file not found" (kmesh's generated
  // protobuf headers each include protobuf-c.h: 12 identical errors at the user's two #include lines before)
  const missing = new Set<string>();
  return diagnostics.filter((d) => {
    if (d.code !== Diagnostics.FileNotFound.code) return d.file === mainFile || d.category !== 'error';
    if (d.file === mainFile) return true;
    const name = /^'([^']*)'/.exec(d.message)?.[1] ?? d.message;
    if (missing.has(name)) return false;
    missing.add(name);
    return true;
  });
}

/** The warnings that say the simulator cannot run a construct (it would stop a run there). */
const SIMULATION_WARNING_CODES: ReadonlySet<number> = new Set([Diagnostics.UnsupportedConstruct.code, Diagnostics.CoreTypeNotSimulated.code]);

/**
 * The lowering's diagnostics without the simulation warnings (BPF1390, BPF1399) inside functions no run can reach: in
 * a file of programs, only the iterator programs of simulated targets are ever run, so `__builtin_btf_type_id` in a tc
 * program or a `___local` flavor read by a kprobe says nothing the user can act on. A file without any program keeps
 * them (its functions may be a program being written, or be included by one).
 */
function withoutWarningsOnCodeNeverRun(lowered: LowerResult, compilation: Compilation): FrontEndDiagnostic[] {
  const all = lowered.diagnostics;
  if (!all.some((d) => SIMULATION_WARNING_CODES.has(d.code))) return all;
  if (!compilation.program.functions.some((f) => f.section !== undefined)) return all;
  const { program } = lowered;
  const run = new Set(program.entries.filter((e) => SIMULATED_ITER_TARGETS.includes(e.target)).flatMap((e) => reachableFunctions(program, e.func)));
  const neverRun = program.functions.filter((_, i) => !run.has(i)).map((f) => f.loc);
  return all.filter((d) => !SIMULATION_WARNING_CODES.has(d.code) || !neverRun.some((loc) => loc.file === d.file && loc.pos <= d.pos && d.end <= loc.end));
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
