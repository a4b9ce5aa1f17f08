/**
 * `.bpf-iter.json`: a project's own choices of diagnostics, found walking up from a file as the build setup is
 * (lang/headers.ts). The one reader the CLI (`bpf-iter check`) and the language server (through
 * `LanguageService.validate`) share, so a code a project disables is off in the terminal, in CI and in the editor.
 *
 *   { "disable": ["BPF1020"], "warningsAsErrors": true, "limits": { "includeDepth": 300 } }
 *
 * Read afresh on every call through the host, like compile_flags.txt: an edit is seen at once. A file that is not
 * valid is reported with the key (or code) at fault, never half-applied.
 */
import * as path from 'path';
import { Diagnostics, DiagnosticMessage, codeString } from '../lang/diagnostics';
import { PreprocessLimits, readLimits } from '../lang/preprocessor';

export const PROJECT_CONFIG_FILE = '.bpf-iter.json';

export interface ProjectConfig {
  /** Codes (`BPF1020`) whose diagnostics are not reported. */
  disable: string[];
  /** Warnings fail `bpf-iter check` as errors do (as `--Werror`). */
  warningsAsErrors: boolean;
  /** Raised (or lowered) bounds of one analysis, by limit name (lang/preprocessor/limits.ts PreprocessLimits). */
  limits: Partial<PreprocessLimits>;
}

/** Every key the file may hold, with what it takes: the one list validation and the error messages read. */
const KEYS: Record<string, string> = {
  $schema: 'a string',
  disable: 'an array of diagnostic codes such as "BPF1020"',
  warningsAsErrors: 'true or false',
  limits: 'an object of limit names and whole numbers, such as {"includeDepth": 300}',
};

export interface ProjectConfigLookup {
  /** The file read, or undefined when none was found walking up. */
  file?: string;
  config: ProjectConfig;
  /** Why the file found is not valid (its choices are then not applied). */
  error?: string;
}

export const EMPTY_PROJECT_CONFIG: ProjectConfig = { disable: [], warningsAsErrors: false, limits: {} };

const KNOWN_CODES = new Set((Object.values(Diagnostics) as DiagnosticMessage[]).map((m) => codeString(m.code)));

/** True for a code of the diagnostics table (`BPF2001`). */
export function isKnownDiagnosticCode(code: string): boolean {
  return KNOWN_CODES.has(code);
}

/** `.bpf-iter.json` of the nearest folder at or above `directory` holding one. */
export function findProjectConfig(directory: string, readFile: (p: string) => string | undefined): ProjectConfigLookup {
  let dir = path.resolve(directory);
  for (let step = 0; step < 64; step++) {
    const candidate = path.join(dir, PROJECT_CONFIG_FILE);
    const text = readFile(candidate);
    if (text !== undefined) return { file: candidate, ...parseProjectConfig(text) };
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { config: EMPTY_PROJECT_CONFIG };
}

/** Validates the text of a `.bpf-iter.json`: the first problem, naming the key or code at fault. */
export function parseProjectConfig(text: string): { config: ProjectConfig; error?: string } {
  const fail = (error: string) => ({ config: EMPTY_PROJECT_CONFIG, error });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('must hold one JSON object');
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!(key in KEYS)) return fail(`unknown key "${key}" (known keys: ${Object.keys(KEYS).filter((k) => k !== '$schema').join(', ')})`);
  }
  const config: ProjectConfig = { disable: [], warningsAsErrors: false, limits: {} };
  if ('disable' in object) {
    const list = object.disable;
    if (!Array.isArray(list) || list.some((c) => typeof c !== 'string')) return fail(`"disable" must be ${KEYS.disable}`);
    for (const code of list as string[]) {
      if (!isKnownDiagnosticCode(code)) return fail(`"disable": unknown diagnostic code "${code}"`);
    }
    config.disable = list as string[];
  }
  if ('warningsAsErrors' in object) {
    if (typeof object.warningsAsErrors !== 'boolean') return fail(`"warningsAsErrors" must be ${KEYS.warningsAsErrors}`);
    config.warningsAsErrors = object.warningsAsErrors;
  }
  if ('limits' in object) {
    const read = readLimits(object.limits);
    if ('problem' in read) return fail(`"limits": ${read.problem}`);
    config.limits = read.limits;
  }
  if ('$schema' in object && typeof object.$schema !== 'string') return fail(`"$schema" must be ${KEYS.$schema}`);
  return { config };
}
