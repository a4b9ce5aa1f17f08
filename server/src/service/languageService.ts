/**
 * The language service: every editor feature as a plain function of (path, text, position), returning LSP
 * types. Nothing here knows the connection; server.ts wires it, the CLI calls it, tests call it directly
 * (like vscode-css-languageservice).
 */
import * as path from 'path';
import {
  Diagnostic, DiagnosticSeverity, Hover, CompletionItem, SignatureHelp, Location, DocumentSymbol, CodeLens, CodeAction,
  Range, WorkspaceEdit, TextEdit, CodeActionContext,
} from 'vscode-languageserver-types';
import { CommandIds, ListProgramsResult } from '../../../shared/src/protocol';
import { FileHost } from './host';
import { DocumentAnalyzer, Analysis, runSteps, runStepsUnlessObsolete } from './analysis';
import { toLspDiagnostics, LineMap, lineMapOf } from './diagnostics';
import { URI } from './uri';
import { BULK_SCENARIO_BYTES, parseScenario, parseScenarioFrom, Scenario, ScenarioProblem, emptyScenario } from '../exec/scenario';
import { Diagnostics, codeString, formatMessage } from '../lang/diagnostics';
import { hover as hoverAt } from './hover';
import { complete as completeAt, signatureHelp as signatureHelpAt } from './completion';
import { definition as definitionAt, references as referencesAt, documentSymbols as symbolsOf, prepareRename as prepareRenameAt, rename as renameAt } from './navigation';
import { runIterator, RunOutcome, type RunProgressStats } from '../exec/runner';
import { findProjectConfig, type ProjectConfigLookup } from './projectConfig';
import { PreprocessLimits } from '../lang/preprocessor';

export interface Settings {
  includePaths: string[];
  defines: Record<string, string>;
  /** num_possible_cpus() of the simulated kernel; the scenario's value when absent. */
  cpus?: number;
  /** Scenario used when a file has no <name>.bpfscenario.json beside it. */
  defaultScenario?: string;
  /** The verifier's limit by default. */
  instructionBudget: number;
  /** Bytes a run may print before it stops with ELIMIT; DEFAULT_MAX_OUTPUT_BYTES when absent. */
  maxOutputBytes?: number;
  /** Kernel version shown in hovers. */
  kernelVersion: string;
  /** False when another C extension already reports plain C syntax errors. */
  reportCSyntaxErrors: boolean;
  /** Bounds of one analysis (lang/preprocessor/limits.ts PreprocessLimits); a project's .bpf-iter.json "limits" win. */
  limits?: Partial<PreprocessLimits>;
}

export function defaultSettings(): Settings {
  return { includePaths: [], defines: {}, instructionBudget: 1_000_000, kernelVersion: '6.18', reportCSyntaxErrors: true };
}

export interface ValidateOptions {
  scenario?: string;
  map?: string;
  /** Codes not reported, on top of those the project's `.bpf-iter.json` disables (the CLI's --disable). */
  disableCodes?: string[];
  /** Codes reported even when `.bpf-iter.json` disables them (the CLI's --enable). */
  enableCodes?: string[];
}
export interface RunOptions {
  program?: string; map?: string; scenario?: string; cpus?: number; readSize?: number; isCancelled?: () => boolean;
  onProgress?: (stats: RunProgressStats) => void;
  /** Takes the output as it is read instead of keeping it (the outcome's outputBytes are then empty). */
  onOutput?: (chunk: Uint8Array) => void | Promise<void>;
}

export interface LanguageService {
  validate(filePath: string, text: string, options?: ValidateOptions): Diagnostic[];
  /**
   * `validate` in steps with a turn of the event loop between them (after the front end, after each program's
   * check): undefined, and the rest of the work not done, once `isObsolete` says a newer version has arrived.
   */
  validateUnlessObsolete(filePath: string, text: string, isObsolete: () => boolean, options?: ValidateOptions): Promise<Diagnostic[] | undefined>;
  hover(filePath: string, text: string, position: { line: number; character: number }): Hover | null;
  complete(filePath: string, text: string, position: { line: number; character: number }): CompletionItem[];
  signatureHelp(filePath: string, text: string, position: { line: number; character: number }): SignatureHelp | null;
  definition(filePath: string, text: string, position: { line: number; character: number }): Location[] | null;
  references(filePath: string, text: string, position: { line: number; character: number }): Location[];
  documentSymbols(filePath: string, text: string): DocumentSymbol[];
  prepareRename(filePath: string, text: string, position: { line: number; character: number }): Range | null;
  rename(filePath: string, text: string, position: { line: number; character: number }, newName: string): WorkspaceEdit | null;
  codeLenses(filePath: string, text: string): CodeLens[];
  codeActions(filePath: string, text: string, range: Range, context: CodeActionContext): CodeAction[];
  listPrograms(filePath: string, text: string): ListProgramsResult;
  /** The outcome keeps the raw bytes; `runResultForWire` makes the protocol's RunResult of it. */
  run(filePath: string, text: string, options: RunOptions): Promise<RunOutcome>;
  invalidateHeaders(): void;
  /**
   * Validates the document on a scratch analyzer and forgets the result: the server runs it a few times while idle
   * after an open, so that V8 has optimized the edit path (preprocess, parse, bind, lower, check, the diagnostics'
   * conversion) before the first keystroke instead of during the first ones. Nothing the features read changes.
   */
  rehearse(filePath: string, text: string): void;
  /** The analysis behind the features, for tests and tools. */
  analyze(filePath: string, text: string, options?: ValidateOptions): { analysis: Analysis; scenario: ResolvedScenario };
}

export interface ResolvedScenario {
  scenario: Scenario;
  /** Absolute path of the scenario file, or undefined for the embedded default. */
  path?: string;
  problems: ScenarioProblem[];
  /** The scenario file's text when it has problems (their ranges are offsets into it); not kept otherwise. */
  text?: string;
}

/** Diagnostics one validation publishes at most; the rest are counted in one last diagnostic. */
export const MAX_PUBLISHED_DIAGNOSTICS = 1000;

const PERCPU_MAP_TYPES = new Set(['5', '6', '10', 'percpu_hash', 'percpu_array', 'lru_percpu_hash']);

export function createLanguageService(host: FileHost, settings: Settings): LanguageService {
  const analyzer = new DocumentAnalyzer(host);

  // The scenario is resolved at every keystroke; parsing it again (or cloning the default system) each time cost
  // more than checking a small program. Keyed by the file and its text: an edit of the scenario is seen at once.
  // Nothing changes a resolved scenario (the runner and the checker only read it).
  const resolvedScenarios = new Map<string, { text: string; resolved: ResolvedScenario }>();
  let defaultResolved: ResolvedScenario | undefined;
  function parsedScenario(candidate: string, text: string): ResolvedScenario {
    const known = resolvedScenarios.get(candidate);
    if (known && known.text === text) return known.resolved;
    const parsed = parseScenario(text, candidate, { fileSize: host.fileSize ? (p) => host.fileSize!(p) : undefined });
    // A scenario naming an entries_file is checked against that file's size, which can change without the text.
    const cacheable = !/"entries_file"/.test(text);
    const resolved: ResolvedScenario = { scenario: parsed.scenario ?? emptyScenario(candidate), path: candidate, problems: parsed.problems, text: parsed.problems.length ? text : undefined };
    if (cacheable) {
      if (resolvedScenarios.size >= 16) resolvedScenarios.delete(resolvedScenarios.keys().next().value as string);
      resolvedScenarios.set(candidate, { text, resolved });
    } else resolvedScenarios.delete(candidate);
    return resolved;
  }

  /** Big scenario files parsed from their bytes, kept by the file's version (their text would be as big as they are). */
  const bulkScenarios = new Map<string, { version: string; resolved: ResolvedScenario }>();
  function bulkScenario(candidate: string): ResolvedScenario | undefined {
    const version = host.version(candidate);
    const known = bulkScenarios.get(candidate);
    if (known && version !== undefined && known.version === version) return known.resolved;
    const files = { fileSize: host.fileSize ? (p: string) => host.fileSize!(p) : undefined };
    const parsed = host.readFileAt!(candidate, (read, size) => parseScenarioFrom(read, size, candidate, files, () => host.readFile(candidate)));
    if (!parsed) return undefined;
    const resolved: ResolvedScenario = { scenario: parsed.scenario ?? emptyScenario(candidate), path: candidate, problems: parsed.problems, text: parsed.problems.length ? parsed.text : undefined };
    bulkScenarios.clear(); // one at a time
    // an entries_file's size is checked too, and it can change without the scenario
    if (version !== undefined && !resolved.scenario.maps.some((m) => m.entriesFile !== undefined)) bulkScenarios.set(candidate, { version, resolved });
    return resolved;
  }

  function scenarioFor(filePath: string, explicit?: string): ResolvedScenario {
    const candidates: string[] = [];
    if (explicit) candidates.push(explicit);
    else {
      const base = path.basename(filePath).replace(/\.bpf\.c$|\.c$/, '');
      candidates.push(path.join(path.dirname(filePath), `${base}.bpfscenario.json`));
      if (settings.defaultScenario) candidates.push(settings.defaultScenario);
    }
    for (const candidate of candidates) {
      // a big file (a million-element map) is parsed from its bytes: no decoded text, no object per listed element
      const size = host.readFileAt ? host.fileSize?.(candidate) : undefined;
      if (size !== undefined && size >= BULK_SCENARIO_BYTES) {
        const resolved = bulkScenario(candidate);
        if (resolved) return resolved;
      }
      const text = host.readFile(candidate);
      if (text === undefined) {
        if (candidate === explicit) return { scenario: emptyScenario(), path: candidate, problems: [{ path: '', message: `cannot read the scenario file ${candidate}` }] };
        continue;
      }
      return parsedScenario(candidate, text);
    }
    defaultResolved ??= { scenario: emptyScenario(), problems: [] };
    return defaultResolved;
  }

  /** An analysis with what it was made from: the scenario and the project's `.bpf-iter.json` (read once per analysis). */
  interface Analyzed { analysis: Analysis; scenario: ResolvedScenario; project: ProjectConfigLookup }

  function analyze(filePath: string, text: string, options: ValidateOptions = {}, resolved?: ResolvedScenario): Analyzed {
    return runSteps(analyzeSteps(filePath, text, options, resolved));
  }

  function* analyzeSteps(filePath: string, text: string, options: ValidateOptions = {}, resolved?: ResolvedScenario, using: DocumentAnalyzer = analyzer): Generator<void, Analyzed, void> {
    const scenario = resolved ?? scenarioFor(filePath, options.scenario);
    const cpus = settings.cpus ?? scenario.scenario.cpus;
    const project = findProjectConfig(path.dirname(filePath), (p) => host.readFile(p));
    const limits = { ...settings.limits, ...project.config.limits };
    const base = { includePaths: settings.includePaths, defines: settings.defines, cpus, ...(Object.keys(limits).length ? { limits } : {}) };
    // First pass without an attach map: we need the file's own map definitions to know which map it is.
    let analysis = yield* using.analyzeSteps(filePath, text, base);
    const named = options.map ?? scenario.scenario.attachMap;
    const attachName = named ?? defaultAttachMap(analysis);
    if (attachName && analysis.programs.some((p) => p.target === 'bpf_map_elem')) {
      const own = analysis.lowered.program.maps.find((m) => m.name === attachName);
      const fromScenario = scenario.scenario.maps.find((m) => m.name === attachName);
      const key_size = fromScenario?.key_size ?? own?.key_size;
      const value_size = fromScenario?.value_size ?? own?.value_size;
      const type = fromScenario?.type ?? own?.type;
      if (key_size !== undefined && value_size !== undefined) {
        analysis = yield* using.analyzeSteps(filePath, text, {
          ...base,
          attachMap: {
            name: attachName, key_size, value_size, percpu: PERCPU_MAP_TYPES.has(String(type)), loc: own?.loc,
            // the file's only map, guessed, which a bpf_map_elem program passes to helpers itself: likely its output
            guessed: named === undefined && analysis.programs.some((p) => p.target === 'bpf_map_elem' && p.usedMaps.has(attachName)),
          },
        });
      }
    }
    return { analysis, scenario, project };
  }

  function mainLineMap(a: Analysis): LineMap { return lineMapOf(a); }

  /** The diagnostics an editor shows for an analysis: filtered, capped, with the project's and the scenario's problems. */
  function diagnosticsOf(filePath: string, { analysis, scenario, project }: Analyzed, options: ValidateOptions): Diagnostic[] {
    const files = {
      main: analysis.mainFile,
      path: (id: number) => analysis.pp.files[id]?.path ?? filePath,
      lineMap: (id: number) => { const file = analysis.pp.files[id]; return file ? lineMapOf(file) : new LineMap(''); },
    };
    let diags = analysis.diagnostics;
    if (!settings.reportCSyntaxErrors) diags = diags.filter((d) => d.code >= 2000 || (d.code >= 1390 && d.code < 1400));
    // Header diagnostics reach the user only when they are errors (a broken include path, say).
    diags = diags.filter((d) => d.file === analysis.mainFile || d.category === 'error');
    // Like clang's -ferror-limit (20 there): an editor gains nothing from 400,000 squiggles of one cascade.
    const hidden = Math.max(0, diags.length - MAX_PUBLISHED_DIAGNOSTICS);
    if (hidden) diags = diags.slice(0, MAX_PUBLISHED_DIAGNOSTICS);
    const out = toLspDiagnostics(diags, files, (d) => includeSiteOf(analysis, d.file));
    if (hidden) {
      const m = Diagnostics.TooManyDiagnostics;
      out.push({ range: out[out.length - 1].range, severity: DiagnosticSeverity.Error, code: codeString(m.code), source: 'bpf-iter', message: formatMessage(m.message, [hidden, MAX_PUBLISHED_DIAGNOSTICS]) });
    }
    if (project.error && project.file) {
      const m = Diagnostics.ProjectConfigInvalid;
      out.push({ range: mainLineMap(analysis).range(0, 0), severity: DiagnosticSeverity.Warning, code: codeString(m.code), source: 'bpf-iter',
        message: formatMessage(m.message, [project.file, project.error]) });
    }
    const disabled = new Set([...project.config.disable, ...(options.disableCodes ?? [])]);
    for (const code of options.enableCodes ?? []) disabled.delete(code);
    if (scenario.problems.length && scenario.path) {
      const m = Diagnostics.ScenarioInvalid;
      out.push({
        range: mainLineMap(analysis).range(0, 0), severity: DiagnosticSeverity.Warning, code: codeString(m.code), source: 'bpf-iter',
        message: `${path.basename(scenario.path)}: ${scenario.problems[0].path || '/'}: ${scenario.problems[0].message}${scenario.problems.length > 1 ? ` (and ${scenario.problems.length - 1} more)` : ''}`,
        relatedInformation: scenario.problems.slice(0, 10).map((p) => ({
          location: { uri: URI.fromPath(scenario.path!), range: new LineMap(host.readFile(scenario.path!) ?? '').range(p.offset ?? 0, (p.offset ?? 0) + (p.length ?? 0)) },
          message: `${p.path || '/'}: ${p.message}`,
        })),
      });
    }
    return disabled.size ? out.filter((d) => !disabled.has(String(d.code))) : out;
  }

  const service: LanguageService = {
    analyze,

    validate(filePath, text, options = {}) {
      return diagnosticsOf(filePath, analyze(filePath, text, options), options);
    },

    async validateUnlessObsolete(filePath, text, isObsolete, options = {}) {
      const analyzed = await runStepsUnlessObsolete(analyzeSteps(filePath, text, options), isObsolete);
      return analyzed && diagnosticsOf(filePath, analyzed, options);
    },

    hover(filePath, text, position) {
      const { analysis } = analyze(filePath, text);
      return hoverAt(analysis, mainLineMap(analysis).offset(position), settings);
    },

    complete(filePath, text, position) {
      const { analysis } = analyze(filePath, text);
      return completeAt(analysis, mainLineMap(analysis).offset(position));
    },

    signatureHelp(filePath, text, position) {
      const { analysis } = analyze(filePath, text);
      return signatureHelpAt(analysis, mainLineMap(analysis).offset(position));
    },

    definition(filePath, text, position) {
      const { analysis } = analyze(filePath, text);
      return definitionAt(analysis, mainLineMap(analysis).offset(position));
    },

    references(filePath, text, position) {
      const { analysis } = analyze(filePath, text);
      return referencesAt(analysis, mainLineMap(analysis).offset(position));
    },

    documentSymbols(filePath, text) {
      const { analysis } = analyze(filePath, text);
      return symbolsOf(analysis);
    },

    prepareRename(filePath, text, position) {
      const { analysis } = analyze(filePath, text);
      return prepareRenameAt(analysis, mainLineMap(analysis).offset(position));
    },

    rename(filePath, text, position, newName) {
      const { analysis } = analyze(filePath, text);
      return renameAt(analysis, mainLineMap(analysis).offset(position), newName);
    },

    codeLenses(filePath, text) {
      const { analysis } = analyze(filePath, text);
      const lines = mainLineMap(analysis);
      const uri = URI.fromPath(filePath);
      const lenses: CodeLens[] = [];
      for (const p of analysis.programs) {
        const fn = analysis.lowered.program.functions[p.funcIndex];
        if (fn.loc.file !== analysis.mainFile) continue;
        const range = lines.range(fn.loc.pos, fn.loc.pos);
        if (p.target !== 'bpf_map' && p.target !== 'bpf_map_elem') continue;
        lenses.push({ range, command: { title: '▶ Run Iterator', command: CommandIds.run, arguments: [uri, p.name] } });
        lenses.push({ range, command: { title: 'Debug Iterator', command: CommandIds.debug, arguments: [uri, p.name] } });
        if (p.target === 'bpf_map_elem') lenses.push({ range, command: { title: 'Run on Map...', command: CommandIds.runOnMap, arguments: [uri, p.name] } });
      }
      return lenses;
    },

    codeActions(filePath, text, range, context) {
      const { analysis } = analyze(filePath, text);
      return codeActionsFor(analysis, filePath, range, context);
    },

    listPrograms(filePath, text) {
      const { analysis, scenario } = analyze(filePath, text);
      const lines = mainLineMap(analysis);
      const programs = analysis.programs.map((p) => {
        const fn = analysis.lowered.program.functions[p.funcIndex];
        return { name: p.name, section: p.section, target: p.target, range: lines.range(fn.loc.pos, fn.loc.end) };
      });
      const maps = [...new Set([...analysis.lowered.program.maps.map((m) => m.name), ...scenario.scenario.maps.map((m) => m.name)])];
      return { programs, maps };
    },

    async run(filePath, text, options) {
      const t0 = performance.now();
      const scenarioOnly = scenarioFor(filePath, options.scenario);
      const t1 = performance.now();
      const { analysis, scenario } = analyze(filePath, text, { scenario: options.scenario, map: options.map }, scenarioOnly);
      const phaseMs = { load: t1 - t0, check: performance.now() - t1 };
      return runIterator({
        analysis, scenario: scenario.scenario, scenarioProblems: scenario.problems, scenarioPath: scenario.path,
        scenarioText: scenario.text,
        program: options.program, map: options.map, cpus: options.cpus ?? settings.cpus, readSize: options.readSize,
        instructionBudget: settings.instructionBudget, maxOutputBytes: settings.maxOutputBytes, isCancelled: options.isCancelled, onProgress: options.onProgress,
        onOutput: options.onOutput,
        readBytes: host.readBytes ? (p) => host.readBytes!(p) : undefined,
        readFileAt: host.readFileAt ? (p, use) => host.readFileAt!(p, use) : undefined,
        phaseMs,
      });
    },

    invalidateHeaders() { analyzer.invalidate(); },

    rehearse(filePath, text) {
      // a fresh analyzer each time: every function lowered and every program checked, as after a real edit of them
      diagnosticsOf(filePath, runSteps(analyzeSteps(filePath, text, {}, undefined, new DocumentAnalyzer(host))), {});
    },
  };
  return service;
}

/** A bpf_map_elem program in a file that defines exactly one map iterates that map by default. */
export function defaultAttachMap(a: Analysis): string | undefined {
  const maps = a.lowered.program.maps;
  return maps.length === 1 ? maps[0].name : undefined;
}

/** Where in the main file a header's diagnostic comes from: the #include line that pulled the header in. */
function includeSiteOf(a: Analysis, file: number): { pos: number; end: number } | undefined {
  let current = file;
  for (let guard = 0; guard < 256; guard++) {
    const inc = a.pp.includes.find((i) => i.includedFile === current);
    if (!inc) return undefined;
    if (inc.file === a.mainFile) return { pos: inc.pos, end: inc.end };
    current = inc.file;
  }
  return undefined;
}

function codeActionsFor(a: Analysis, filePath: string, range: Range, context: CodeActionContext): CodeAction[] {
  const uri = URI.fromPath(filePath);
  const lines = lineMapOf(a);
  const actions: CodeAction[] = [];
  for (const d of context.diagnostics) {
    if (d.code === codeString(Diagnostics.MissingLicense.code)) {
      const at = endOfIncludes(a.text);
      actions.push({
        title: 'Add SEC("license") = "GPL"', kind: 'quickfix', diagnostics: [d], isPreferred: true,
        edit: { changes: { [uri]: [TextEdit.insert(lines.position(at), '\nchar LICENSE[] SEC("license") = "GPL";\n')] } },
      });
    }
    // clang's fix-it: the diagnostic's range is the operator token itself (sema reports it there); one that came
    // from a macro's body points at the macro's name instead, and is left alone
    const operatorFix = d.code === codeString(Diagnostics.ArrowOnRecord.code) ? ['->', '.'] : d.code === codeString(Diagnostics.DotOnPointer.code) ? ['.', '->'] : undefined;
    if (operatorFix && a.text.slice(lines.offset(d.range.start), lines.offset(d.range.end)) === operatorFix[0]) {
      actions.push({ title: `Replace '${operatorFix[0]}' with '${operatorFix[1]}'`, kind: 'quickfix', diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: [TextEdit.replace(d.range, operatorFix[1])] } } });
    }
    if (d.code === codeString(Diagnostics.NullDereference.code)) {
      const fix = nullCheckFix(a, lines, d);
      if (fix) actions.push({ title: `Return 0 when ${fix.name} is NULL`, kind: 'quickfix', diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: [fix.edit] } } });
    }
  }
  const fnHere = a.programs.find((p) => {
    const fn = a.lowered.program.functions[p.funcIndex];
    const start = lines.position(fn.loc.pos).line;
    const end = lines.position(fn.loc.end).line;
    return range.start.line >= start && range.start.line <= end;
  });
  if (fnHere) {
    actions.push({ title: `Create a scenario file for ${fnHere.name}`, kind: 'refactor', command: { title: 'Create Scenario File', command: CommandIds.createScenario, arguments: [uri, fnHere.name] } });
  }
  return actions;
}

function endOfIncludes(text: string): number {
  const re = /^[ \t]*#[ \t]*include[^\n]*\n/gm;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m.index + m[0].length;
  return last;
}

/**
 * For `x may be NULL` on a local pointer: insert `if (!x) return 0;` after the statement that assigned it
 * (the declaration), at that statement's indentation.
 */
function nullCheckFix(a: Analysis, lines: LineMap, d: Diagnostic): { name: string; edit: TextEdit } | undefined {
  const message = typeof d.message === 'string' ? d.message : d.message.value;
  const match = /^(\w+) may be NULL/.exec(message) ?? /^(ctx->\w+) may be NULL/.exec(message);
  if (!match) return undefined;
  const useOffset = lines.offset(d.range.start);
  // The checker names the origin (`ctx->map`), but the verifier tracks the register the program dereferences:
  // re-reading ctx->map does not make a local copy non-NULL, so the check goes on the dereferenced local.
  const dereferenced = /^(\w+)\s*->/.exec(a.text.slice(useOffset))?.[1];
  const name = dereferenced && dereferenced !== 'ctx' ? dereferenced : match[1];
  const before = a.text.slice(0, useOffset);
  let declLineStart = -1;
  if (/^\w+$/.test(name)) {
    const re = new RegExp(`[^\\n]*\\b${name}\\s*=[^=][^\\n]*\\n`, 'g');
    for (let m = re.exec(before); m; m = re.exec(before)) declLineStart = m.index;
  }
  if (declLineStart < 0) {
    // No assignment found: put the check at the start of the statement that uses it.
    const lineStart = before.lastIndexOf('\n') + 1;
    const indent = /^[ \t]*/.exec(a.text.slice(lineStart))![0];
    return { name, edit: TextEdit.insert(lines.position(lineStart), `${indent}if (!${name})\n${indent}\treturn 0;\n`) };
  }
  const lineEnd = a.text.indexOf('\n', declLineStart) + 1;
  const indent = /^[ \t]*/.exec(a.text.slice(declLineStart))![0];
  return { name, edit: TextEdit.insert(lines.position(lineEnd), `\n${indent}if (!${name})\n${indent}\treturn 0;\n`) };
}
