/**
 * Settings arrive as untyped JSON (LSP initializationOptions, `workspace/configuration` answers, a user's
 * settings.json). Each known key is taken only when it has the right type and range; anything else is
 * named in `problems` and the earlier value stays, so a typo in settings.json never disables a limit.
 */
import { Settings } from './languageService';
import { readLimits } from '../lang/preprocessor';

export interface SettingsUpdate { settings: Settings; problems: string[] }

type Reader = (value: unknown) => unknown | undefined;

const wholeNumber = (min: number, max: number): Reader => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
const stringList: Reader = (v) => Array.isArray(v) && v.every((s) => typeof s === 'string') ? [...v] : undefined;
const text: Reader = (v) => typeof v === 'string' ? v : undefined;
const flag: Reader = (v) => typeof v === 'boolean' ? v : undefined;
const defineTable: Reader = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
  && Object.values(v).every((d) => typeof d === 'string') ? Object.assign(Object.create(null), v) : undefined;

const readers: { [K in keyof Settings]-?: [Reader, string] } = {
  includePaths: [stringList, 'a list of directories'],
  defines: [defineTable, 'an object of NAME: "value" strings'],
  cpus: [wholeNumber(1, 1024), 'a whole number from 1 to 1024'],
  defaultScenario: [text, 'a path'],
  instructionBudget: [wholeNumber(1, Number.MAX_SAFE_INTEGER), 'a whole number of at least 1'],
  maxOutputBytes: [wholeNumber(1, Number.MAX_SAFE_INTEGER), 'a whole number of bytes, at least 1'],
  kernelVersion: [text, 'a version such as "6.18"'],
  reportCSyntaxErrors: [flag, 'true or false'],
  limits: [(v) => { const read = readLimits(v); return 'limits' in read ? read.limits : undefined; }, 'an object of limit names (includeDepth, expansionWork, ...) and whole numbers of at least 1'],
};

/** The keys of the `bpfIter` settings section the server reads. */
export const SETTING_KEYS: readonly string[] = Object.keys(readers);

/** `base` with every well-formed known key of `raw` applied; unknown keys are ignored (VS Code sends its own). */
export function applySettings(base: Settings, raw: unknown): SettingsUpdate {
  const settings: Settings = { ...base };
  const problems: string[] = [];
  if (raw === null || raw === undefined) return { settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { settings, problems: ['settings must be an object'] };
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(readers) as (keyof Settings)[]) {
    if (!Object.prototype.hasOwnProperty.call(record, key) || record[key] === undefined || record[key] === null) continue;
    const [read, expected] = readers[key];
    const value = read(record[key]);
    if (value === undefined) problems.push(`bpfIter.${key} must be ${expected}; keeping ${JSON.stringify(settings[key])}`);
    else (settings as unknown as Record<string, unknown>)[key] = value;
  }
  return { settings, problems };
}
