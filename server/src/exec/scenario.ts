/**
 * Scenario files (`*.bpfscenario.json`): the simulated system an iterator runs on.
 * Parsing is two-staged: the JSON Schema (shipped in schemas/, also used by VS Code's jsonValidation) checks
 * the shape, then `parseScenario` checks what a schema cannot (byte strings that fit their sizes, names that
 * exist). Every problem is reported with its JSON path and its source range in the file, never thrown.
 */
import { processProblems, ScenarioProcessJson } from './scenarioProcesses';
import type Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import * as crypto from 'crypto';
import * as generatedValidator from './scenarioValidator.generated';
import * as jsonc from 'jsonc-parser';
import { scenarioSchema } from './scenarioSchema';
import { DEFAULT_SCENARIO_TEXT } from './scenarioDefault';
import { networkFromJson, type NetworkJson } from './scenarioNet';
import { cgroupProblems, type CgroupAttachJson, type ScenarioCgroupJson } from './scenarioCgroups';
import type { NetSpec } from '../kernel/net/netns';
import * as nodePath from 'path';
import { kernelObjectsProblems, type KernelObjectsJson } from './scenarioObjects';
import { IntegerEntries, ReadAt, readAtBytes, splitIntegerEntryLists } from './scenarioBulkJson';
import { jsonPointerRanges } from './jsonPathRanges';

export type RawBytes = string | number;

/** An lpm_trie key: prefixlen bits of data (struct bpf_lpm_trie_key_u8). */
export interface LpmKey { prefixlen: number; data: string }

export interface ScenarioEntry {
  /** absent for queue, stack and bloom_filter entries (pushed values) */
  key?: RawBytes | LpmKey;
  value?: RawBytes;
  values?: RawBytes[];
  /** array_of_maps / hash_of_maps: the scenario map this slot holds */
  innerMap?: string;
  /** sockmap / sockhash / sk_storage: index of the network section's socket this element refers to */
  socket?: number;
  /** JSON path of this entry when it is not /maps/<map>/entries/<index> of its map (see entryPath()). */
  path?: string;
}

export interface ScenarioMap {
  name: string;
  type?: string;
  key_size?: number;
  value_size?: number;
  max_entries?: number;
  flags: number;
  mapExtra?: number;
  /** created with BTF key/value types (local storage maps need them) */
  btf: boolean;
  /** array_of_maps / hash_of_maps template: a scenario map's name or an inline definition */
  innerMap?: string | InnerMapTemplate;
  description?: string;
  entries: ScenarioEntry[];
  /**
   * A long "entries" list of plain integer elements read from a file's bytes (parseScenarioBytes), kept as numbers;
   * `entries` is then empty. listedEntries() gives either as objects.
   */
  integerEntries?: IntegerEntries;
  /** entries made by rule, written after `entries` and the entries file */
  generate?: GeneratedEntries;
  /** "entries_file": the binary records file's path, resolved against the scenario file's folder */
  entriesFile?: string;
  path: string;
}

/** "generate": count elements, key start + i*step, value start + i*step or uniform in [min, max] from seed. */
export interface GeneratedEntries {
  count: number;
  key?: { start?: number; step?: number };
  value?: { start?: number; step?: number } | { uniform: [number, number] };
  seed?: number;
}

export interface InnerMapTemplate {
  name?: string; type: string; key_size: number; value_size: number; max_entries: number; flags: number; map_extra?: number;
}

/** Map types whose elements are pushed values without keys. */
export const KEYLESS_MAP_TYPES: ReadonlySet<string> = new Set(['queue', 'stack', 'bloom_filter']);
export const MAP_IN_MAP_TYPES: ReadonlySet<string> = new Set(['array_of_maps', 'hash_of_maps']);

export interface Scenario {
  cpus: number;
  cpu: number;
  hashSeed: number;
  readSize: number;
  maps: ScenarioMap[];
  attachMap?: string;
  /** task targets: link_info.task.tid / pid */
  attachTask?: { tid?: number; pid?: number };
  /** cgroup target: link_info.cgroup (a directory opened as cgroup_fd, or cgroup_id, and the order) */
  attachCgroup?: CgroupAttachJson;
  /** The machine's cgroup hierarchy (the `cgroups` section), or undefined for the default system's. */
  cgroups?: ScenarioCgroupJson[];
  globals: Record<string, RawBytes>;
  /** The reader's network namespace (the socket iterators' world); absent: a fresh namespace, loopback only */
  network?: NetSpec;
  /** The machine's processes (the `processes` section), or undefined for the default system's. */
  processes?: ScenarioProcessJson[];
  /** The machine's mount points (the `mounts` section), or undefined for the usual ones (DEFAULT_MOUNTS). */
  mounts?: string[];
  /** The kernel's own programs, links, symbols, slab caches and dma-bufs (`kernel_objects`); parts left out are the default's */
  kernelObjects?: KernelObjectsJson;
  /** Where the scenario came from: a file path, or "<default>" for the embedded default system. */
  source: string;
}

export interface ScenarioProblem {
  /** JSON pointer into the scenario, e.g. "/maps/0/key_size"; "" for the whole file. */
  path: string;
  message: string;
  /** UTF-16 offsets into the scenario text, when the text is known. */
  offset?: number;
  length?: number;
}

/** What parsing may ask of the files around the scenario (the service passes its host's). */
export interface ScenarioFiles {
  /** The size in bytes of a file, or undefined when it cannot be read (an entries_file is checked by its size, not read). */
  fileSize?(path: string): number | undefined;
}

export interface ScenarioParseResult {
  scenario: Scenario | null;
  problems: ScenarioProblem[];
}

export const DEFAULT_CPUS = 4;
export const DEFAULT_READ_SIZE = 131072;

/** Map-creation flags of uapi/linux/bpf.h by name, for `"flags": ["BPF_F_ZERO_SEED"]`. */
export const MAP_FLAG_NAMES: Readonly<Record<string, number>> = {
  BPF_F_NO_PREALLOC: 1 << 0,
  BPF_F_NO_COMMON_LRU: 1 << 1,
  BPF_F_NUMA_NODE: 1 << 2,
  BPF_F_RDONLY: 1 << 3,
  BPF_F_WRONLY: 1 << 4,
  BPF_F_STACK_BUILD_ID: 1 << 5,
  BPF_F_ZERO_SEED: 1 << 6,
  BPF_F_RDONLY_PROG: 1 << 7,
  BPF_F_WRONLY_PROG: 1 << 8,
  BPF_F_CLONE: 1 << 9,
  BPF_F_MMAPABLE: 1 << 10,
  BPF_F_PRESERVE_ELEMS: 1 << 11,
  BPF_F_INNER_MAP: 1 << 12,
  BPF_F_LINK: 1 << 13,
  BPF_F_PATH_FD: 1 << 14,
  BPF_F_VTYPE_BTF_OBJ_FD: 1 << 15,
  BPF_F_TOKEN_FD: 1 << 16,
  BPF_F_SEGV_ON_FAULT: 1 << 17,
  BPF_F_NO_USER_CONV: 1 << 18,
};

type SchemaValidator = ReturnType<Ajv['compile']>;
let compiledValidator: SchemaValidator | undefined;
/**
 * The schema's validator: the standalone code generated at build time (scripts/gen-scenario-validator.js) when it
 * was generated from this schema, else compiled now. Compiling costs about 200 ms of CPU, which every process paid
 * on its first scenario (the editor's first diagnostics wait for it).
 */
function validator(): SchemaValidator {
  if (!compiledValidator) {
    const fingerprint = crypto.createHash('sha256').update(JSON.stringify(scenarioSchema)).digest('hex').slice(0, 16);
    if (fingerprint === generatedValidator.schemaFingerprint) compiledValidator = generatedValidator.validate as SchemaValidator;
    else {
      // A schema edited since the file was generated (a build regenerates it): the same validator, compiled.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
      compiledValidator = new AjvClass({ allErrors: true, strict: false }).compile(scenarioSchema);
    }
  }
  return compiledValidator;
}

/** True when the validator in use is the generated one (the generated file is current). */
export function usesGeneratedValidator(): boolean {
  validator();
  return compiledValidator === (generatedValidator.validate as SchemaValidator);
}

/**
 * Parses and validates scenario text. `source` names the file in messages.
 * The text is parsed with JSON.parse (no tree, no positions): a position-keeping parse of a million-entry file
 * costs more than everything else a run does. Only when there is a problem to report is the text parsed again
 * into a tree, to find each problem's source range.
 */
export function parseScenario(text: string, source: string, files: ScenarioFiles = {}): ScenarioParseResult {
  const problems: ScenarioProblem[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { scenario: null, problems: syntaxProblems(text) };
  }
  const validate = validator();
  // Big lists of plain {key: integer, value: integer} entries are checked here, in one loop, instead of by the
  // schema validator (3 us an entry); they are put back before anything else reads them, and a file with any
  // schema problem is validated again whole, so every message is the validator's.
  const set = setAsideIntegerEntries(data);
  let valid = validate(data);
  for (const [m, entries] of set) m.entries = entries;
  if (!valid && set.length > 0) valid = validate(data); // the whole file again, for every message
  if (!valid) {
    for (const err of simplifySchemaErrors(validate.errors ?? [])) problems.push({ path: err.instancePath, message: describeSchemaError(err) });
    return { scenario: null, problems: withRanges(problems, text) };
  }
  const scenario = fromValidJson(data as ScenarioJson, source);
  const network = (data as ScenarioJson).network;
  if (network) scenario.network = networkFromJson(network, problems);
  checkScenarioSemantics(scenario, problems, files);
  return problems.length ? { scenario: null, problems: withRanges(problems, text) } : { scenario, problems };
}

/**
 * Takes the `entries` of each map whose entries are all objects of an integer "key" and an optional integer
 * "value" and nothing else (which the schema's entry definition accepts: an integer is only bytesOrNumber's
 * integer branch), replacing them by []; returns them to be put back.
 */
function setAsideIntegerEntries(data: unknown): Array<[{ entries: unknown }, unknown[]]> {
  const out: Array<[{ entries: unknown }, unknown[]]> = [];
  const maps = (data as { maps?: unknown } | null)?.maps;
  if (!Array.isArray(maps)) return out;
  for (const m of maps) {
    const entries = (m as { entries?: unknown } | null)?.entries;
    if (!Array.isArray(entries) || entries.length < 256 || !entries.every(isIntegerEntry)) continue;
    out.push([m as { entries: unknown }, entries]);
    (m as { entries: unknown }).entries = [];
  }
  return out;
}

function isIntegerEntry(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const o = e as { key?: unknown; value?: unknown };
  if (!Number.isInteger(o.key) || (o.value !== undefined && !Number.isInteger(o.value))) return false;
  let n = 0;
  for (const k in o) { if (k !== 'key' && k !== 'value') return false; n++; }
  return n >= 1;
}

/** Files from this size on are parsed from their bytes (parseScenarioBytes) when the host can give them. */
export const BULK_SCENARIO_BYTES = 1 << 20;

/**
 * parseScenario() for a file read through `read` (`size` bytes): its long lists of integer entries are read into
 * numbers a window at a time (scenarioBulkJson.ts) and the rest parsed and validated as text; a file with any
 * problem, or one the scanner does not take on, is parsed whole by parseScenario() from `wholeText()`, so every
 * message and range is the same. `text` is that text when it was needed.
 */
export function parseScenarioFrom(read: ReadAt, size: number, source: string, files: ScenarioFiles, wholeText: () => string | undefined,
  window?: number): ScenarioParseResult & { text?: string } {
  const split = splitIntegerEntryLists(read, size, window);
  if (split) {
    let data: unknown;
    try { data = JSON.parse(split.text); } catch { data = undefined; }
    if (data !== undefined && validator()(data)) {
      const scenario = fromValidJson(data as ScenarioJson, source);
      for (const [i, list] of split.lists) scenario.maps[i].integerEntries = list;
      const problems: ScenarioProblem[] = [];
      const network = (data as ScenarioJson).network;
      if (network) scenario.network = networkFromJson(network, problems);
      checkScenarioSemantics(scenario, problems, files);
      if (problems.length === 0) return { scenario, problems };
    }
  }
  const text = wholeText();
  if (text === undefined) return { scenario: null, problems: [{ path: '', message: `cannot read the scenario file ${source}` }] };
  return { ...parseScenario(text, source, files), text };
}

/** parseScenarioFrom() over bytes in memory. */
export function parseScenarioBytes(bytes: Uint8Array, source: string, files: ScenarioFiles = {}): ScenarioParseResult & { text?: string } {
  // decoded as readFileSync(path, 'utf8') would
  return parseScenarioFrom(readAtBytes(bytes), bytes.length, source, files, () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
}

/** A map's listed entries as objects, whichever form parsing kept them in. */
export function listedEntries(m: ScenarioMap): ScenarioEntry[] { return m.integerEntries ? m.integerEntries.toEntries() : m.entries; }

/** What jsonc reports for text JSON.parse refused (JSON.parse's message has no stable position). */
function syntaxProblems(text: string): ScenarioProblem[] {
  // jsonc's visitor with no callback but errors: what parseTree reports, without a tree of the whole file
  const problems: ScenarioProblem[] = [];
  jsonc.visit(text, {
    onError: (error, offset, length) => { problems.push({ path: '', message: `invalid JSON: ${jsonc.printParseErrorCode(error)}`, offset, length }); },
  }, { allowTrailingComma: false, disallowComments: true });
  if (problems.length === 0) problems.push({ path: '', message: text.trim() === '' ? 'invalid JSON: the file is empty' : 'invalid JSON' });
  return problems;
}


/** The JSON path of entry `j` of the map at `mapPath` (computed only for a message). */
export function entryPath(mapPath: string, j: number): string { return `${mapPath}/entries/${j}`; }

/** A system with no maps besides the program's own. */
export function bareScenario(source = '<bare>'): Scenario {
  return { cpus: DEFAULT_CPUS, cpu: 0, hashSeed: 0, readSize: DEFAULT_READ_SIZE, maps: [], globals: {}, source };
}

/**
 * The text of server/scenarios/default.bpfscenario.json: a typical Linux host with systemd and a few BPF tools
 * loaded. "Create Scenario File" offers it as the starting point.
 */
export function defaultScenarioText(): string { return DEFAULT_SCENARIO_TEXT; }

let parsedDefault: Scenario | undefined;
/** The `source` of the embedded default system. */
const DEFAULT_SYSTEM_SOURCE = '<default>';
/**
 * The scenario is the embedded default system, not a file of the user's: its maps are other tools' maps (a profiler's
 * `events` and `counts`), never the program's own maps of the same names (runner.ts).
 */
export function isDefaultSystem(scenario: Scenario): boolean { return scenario.source === DEFAULT_SYSTEM_SOURCE; }
/** The scenario used when a program has none: the embedded default system (a fresh copy each call). */
export function defaultScenario(source = DEFAULT_SYSTEM_SOURCE): Scenario {
  // The embedded text is a constant of the build, and a unit test parses it with parseScenario() (schema and
  // semantics: no problems) and compares the result with this one; so it is not validated again here. Validating
  // it was ~25 ms of every start (the generated validator, cold) for each file without a scenario file of its own.
  if (!parsedDefault) {
    try {
      const data = JSON.parse(defaultScenarioText()) as ScenarioJson;
      parsedDefault = fromValidJson(data, DEFAULT_SYSTEM_SOURCE);
      if (data.network) parsedDefault.network = networkFromJson(data.network, []);
    } catch {
      parsedDefault = bareScenario(DEFAULT_SYSTEM_SOURCE); // a broken build must not take the tool down
    }
  }
  return { ...structuredClone(parsedDefault), source };
}
/** The default system's kernel_objects section, shared and read-only (no clone per run). */
export function defaultKernelObjects(): KernelObjectsJson | undefined {
  if (!parsedDefault) defaultScenario();
  return parsedDefault!.kernelObjects;
}
/** Kept for callers of the old name: the scenario used without a scenario file is the default system. */
export function emptyScenario(source = DEFAULT_SYSTEM_SOURCE): Scenario { return defaultScenario(source); }

interface ScenarioJson {
  cpus?: number; cpu?: number; hash_seed?: number; read_size?: number;
  maps?: Array<{ name: string; type?: string; key_size?: number; value_size?: number; max_entries?: number;
    flags?: number | string[]; map_extra?: number; btf?: boolean; description?: string;
    inner_map?: string | (Omit<InnerMapTemplate, 'flags'> & { flags?: number | string[] });
    entries?: Array<{ key?: RawBytes | LpmKey; value?: RawBytes; values?: RawBytes[]; inner_map?: string; socket?: number }>; generate?: GeneratedEntries; entries_file?: string }>;
  attach?: { map?: string; tid?: number; pid?: number } & CgroupAttachJson;
  globals?: Record<string, RawBytes>;
  cgroups?: ScenarioCgroupJson[];
  network?: NetworkJson;
  processes?: ScenarioProcessJson[];
  mounts?: string[];
  kernel_objects?: KernelObjectsJson;
}

function fromValidJson(json: ScenarioJson, source: string): Scenario {
  return {
    cpus: json.cpus ?? DEFAULT_CPUS,
    cpu: json.cpu ?? 0,
    hashSeed: json.hash_seed ?? 0,
    readSize: json.read_size ?? DEFAULT_READ_SIZE,
    maps: (json.maps ?? []).map((m, i) => ({
      name: m.name,
      type: m.type,
      key_size: m.key_size,
      value_size: m.value_size,
      max_entries: m.max_entries,
      flags: flagsValue(m.flags),
      mapExtra: m.map_extra,
      btf: m.btf ?? false,
      innerMap: typeof m.inner_map === 'object' ? { ...m.inner_map, flags: flagsValue(m.inner_map.flags) } : m.inner_map,
      description: m.description,
      // the parsed objects themselves (no copy per entry: a million-entry map is a million objects already);
      // only map-in-map entries are rewritten, for the inner_map -> innerMap name
      entries: entriesOf(m.entries ?? []),
      generate: m.generate,
      ...(m.entries_file !== undefined ? { entriesFile: nodePath.resolve(nodePath.dirname(source), m.entries_file) } : {}),
      path: `/maps/${i}`,
    })),
    attachMap: json.attach?.map,
    ...(json.attach?.tid !== undefined || json.attach?.pid !== undefined ? { attachTask: { tid: json.attach.tid, pid: json.attach.pid } } : {}),
    ...(json.attach?.cgroup !== undefined || json.attach?.cgroup_id !== undefined || json.attach?.order !== undefined
      ? { attachCgroup: { cgroup: json.attach.cgroup, cgroup_id: json.attach.cgroup_id, order: json.attach.order } } : {}),
    globals: { ...(json.globals ?? {}) },
    ...(json.processes ? { processes: json.processes } : {}),
    ...(json.mounts ? { mounts: json.mounts } : {}),
    ...(json.cgroups ? { cgroups: json.cgroups } : {}),
    ...(json.kernel_objects ? { kernelObjects: json.kernel_objects } : {}),
    source,
  };
}

function entriesOf(json: NonNullable<NonNullable<ScenarioJson['maps']>[number]['entries']>): ScenarioEntry[] {
  const out = json as ScenarioEntry[];
  for (let j = 0; j < json.length; j++) {
    const e = json[j];
    if (e.inner_map !== undefined) out[j] = { key: e.key, value: e.value, values: e.values, innerMap: e.inner_map, socket: e.socket };
  }
  return out;
}

function flagsValue(flags: number | string[] | undefined): number {
  return Array.isArray(flags) ? flags.reduce((acc, f) => acc | (MAP_FLAG_NAMES[f] ?? 0), 0) >>> 0 : (flags ?? 0);
}

/** Entry shapes that depend on the map type: keys, pushed values, inner maps. */
function checkEntryShapes(names: ReadonlySet<string>, m: ScenarioMap, i: number, problems: ScenarioProblem[]): void {
  const mapInMap = m.type !== undefined && MAP_IN_MAP_TYPES.has(m.type);
  if (mapInMap && m.innerMap === undefined) {
    problems.push({ path: `/maps/${i}`, message: `${m.type} map "${m.name}" needs "inner_map": the template its inner maps must match (a scenario map's name or an inline definition)` });
  }
  if (m.innerMap !== undefined && !mapInMap) problems.push({ path: `/maps/${i}/inner_map`, message: `"inner_map" is only for array_of_maps and hash_of_maps; this map is ${m.type ?? 'of the program\'s type'}` });
  if (typeof m.innerMap === 'string' && !names.has(m.innerMap)) problems.push({ path: `/maps/${i}/inner_map`, message: `no scenario map is named "${m.innerMap}"` });
  // one pass over the entries, no string made for an entry without a problem
  const keyless = m.type !== undefined && KEYLESS_MAP_TYPES.has(m.type);
  const lpm = m.type === undefined || m.type === 'lpm_trie';
  // integer entries need no look unless the map type takes no keys or only inner maps
  const entries = m.integerEntries && (keyless || mapInMap) ? m.integerEntries.toEntries() : m.entries;
  for (let j = 0; j < entries.length; j++) {
    const e = entries[j];
    if (e.socket !== undefined) continue; // sockmap/sockhash/sk_storage elements: checked when the map is filled
    if (!keyless && e.key !== undefined && e.innerMap === undefined && !mapInMap && e.values === undefined && (typeof e.key !== 'object' || lpm)) continue;
    const at = `/maps/${i}/entries/${j}`;
    if (e.value !== undefined && e.values !== undefined) problems.push({ path: at, message: 'an entry has either "value" or "values" (per-CPU), not both' });
    if (keyless) {
      if (e.key !== undefined) problems.push({ path: `${at}/key`, message: `${m.type} maps have no keys: give only "value" (values are pushed in file order)` });
      if (e.value === undefined) problems.push({ path: at, message: `a ${m.type} entry needs "value"` });
    } else if (e.key === undefined) {
      problems.push({ path: at, message: m.type ? `a ${m.type} entry needs "key"` : 'an entry needs "key" (only queue, stack and bloom_filter entries are key-less)' });
    }
    if (e.innerMap !== undefined) {
      if (!mapInMap) problems.push({ path: `${at}/inner_map`, message: '"inner_map" entries are for array_of_maps and hash_of_maps' });
      else if (!names.has(e.innerMap)) problems.push({ path: `${at}/inner_map`, message: `no scenario map is named "${e.innerMap}"` });
      if (e.value !== undefined || e.values !== undefined) problems.push({ path: at, message: 'a map-in-map entry names its inner map with "inner_map", not "value"' });
    } else if (mapInMap) {
      problems.push({ path: at, message: `a ${m.type} entry needs "inner_map": the name of the scenario map the slot holds` });
    }
    if (typeof e.key === 'object' && !lpm) problems.push({ path: `${at}/key`, message: '{"prefixlen", "data"} keys are for lpm_trie maps' });
  }
}

/** Map types an entries_file (and a "generate" rule) fills: plain values in one BPF_MAP_UPDATE_BATCH. */
export const BULK_MAP_TYPES: ReadonlySet<string> = new Set(['hash', 'lru_hash', 'array']);

/**
 * The record size and count of an entries_file of `bytes` bytes, or why it is not a whole number of records
 * (the message names both sizes, so a file exported with the wrong key or value size is recognised).
 */
export function entriesFileRecords(bytes: number, keySize: number, valueSize: number): { records: number } | { problem: string } {
  const record = keySize + valueSize;
  if (record === 0 || bytes % record !== 0) {
    return { problem: `the entries file has ${bytes} bytes, not a whole number of ${record}-byte records (key_size ${keySize} + value_size ${valueSize}): ${bytes % record} bytes left over` };
  }
  return { records: bytes / record };
}

/** An entries_file exists, suits the map type and is a whole number of records (when the sizes are in the scenario). */
function checkEntriesFile(m: ScenarioMap, i: number, problems: ScenarioProblem[], files: ScenarioFiles): void {
  if (m.entriesFile === undefined) return;
  const at = `/maps/${i}/entries_file`;
  if (m.type !== undefined && !BULK_MAP_TYPES.has(m.type)) {
    problems.push({ path: at, message: `"entries_file" is for hash, lru_hash and array maps; this map is ${m.type}` });
    return;
  }
  if (!files.fileSize) return; // no files to look at (a scenario checked on its own): the run reads it
  const bytes = files.fileSize(m.entriesFile);
  if (bytes === undefined) { problems.push({ path: at, message: `cannot read the entries file ${m.entriesFile}` }); return; }
  if (m.key_size === undefined || m.value_size === undefined) return; // the program's map decides; checked when it is filled
  const r = entriesFileRecords(bytes, m.key_size, m.value_size);
  if ('problem' in r) problems.push({ path: at, message: `${m.entriesFile}: ${r.problem}` });
}

function checkScenarioSemantics(s: Scenario, problems: ScenarioProblem[], files: ScenarioFiles): void {
  if (s.cpu >= s.cpus) problems.push({ path: '/cpu', message: `cpu ${s.cpu} does not exist: the scenario has ${s.cpus} CPUs (0..${s.cpus - 1})` });
  const seen = new Map<string, number>();
  const names = new Set(s.maps.map((x) => x.name));
  s.maps.forEach((m, i) => {
    const earlier = seen.get(m.name);
    if (earlier !== undefined && m.name !== '') {
      problems.push({ path: `/maps/${i}/name`, message: `map name "${m.name}" is already used by /maps/${earlier}; give each scenario map its own name so attach.map and the program can refer to it` });
    }
    seen.set(m.name, i);
    checkEntryShapes(names, m, i, problems);
    checkEntriesFile(m, i, problems, files);
  });
  if (s.attachMap !== undefined && s.attachMap === '') problems.push({ path: '/attach/map', message: 'attach.map is empty: name the map the bpf_map_elem program iterates' });
  if (s.processes) problems.push(...processProblems(s.processes));
  if (s.cgroups || s.attachCgroup) problems.push(...cgroupProblems(s.cgroups, s.attachCgroup));
  if (s.kernelObjects) problems.push(...kernelObjectsProblems(s.kernelObjects));
}

/** Unknown flag names are reported by the schema pattern only loosely; name them here. */
export function unknownFlagNames(flags: unknown): string[] {
  return Array.isArray(flags) ? flags.filter((f) => typeof f === 'string' && !(f in MAP_FLAG_NAMES)) : [];
}

/**
 * Encodes a scenario key or value into exactly `size` bytes. Returns a message instead of bytes when it does
 * not fit, so the caller can report it at the entry's path.
 */
export function encodeBytes(raw: RawBytes, size: number): Uint8Array | string {
  if (typeof raw === 'number' || /^-?[0-9]+$/.test(raw)) {
    if (![1, 2, 4, 8].includes(size)) {
      return `a number can only be given for a 1, 2, 4 or 8-byte key or value; this one is ${size} bytes: use hex bytes`;
    }
    let n: bigint;
    try { n = BigInt(raw); } catch { return `"${raw}" is not an integer`; }
    const bits = BigInt(size * 8);
    const min = -(1n << (bits - 1n));
    const max = (1n << bits) - 1n;
    if (n < min || n > max) return `${raw} does not fit in ${size} bytes`;
    const unsigned = BigInt.asUintN(size * 8, n);
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) out[i] = Number((unsigned >> BigInt(8 * i)) & 0xffn);
    return out;
  }
  const hex = raw.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) return `"${raw}" is not hex bytes`;
  if (hex.length / 2 !== size) return `${hex.length / 2} bytes given where the map needs exactly ${size}`;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function simplifySchemaErrors(errors: ErrorObject[]): ErrorObject[] {
  // A oneOf failure reports every branch; keep the oneOf summary and drop its branch noise when there is a
  // more specific error at a deeper path.
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const out: ErrorObject[] = [];
  for (const [, list] of byPath) {
    const oneOf = list.find((e) => e.keyword === 'oneOf');
    if (oneOf) { out.push(oneOf); continue; }
    const enumErr = list.find((e) => e.keyword === 'enum');
    out.push(...(enumErr ? [enumErr] : list));
  }
  return out;
}

/** A schema error in words, without its path: every reader of a ScenarioProblem prints the path before it. */
function describeSchemaError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `has an unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `needs the property "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
      if (/\/flags$/.test(e.instancePath)) return 'must be a number or a list of flag names such as "BPF_F_ZERO_SEED"';
      if (/\/inner_map$/.test(e.instancePath)) return 'must be the name of a scenario map or an inline map definition { "type", "key_size", "value_size", "max_entries" }';
      if (/\/key$/.test(e.instancePath)) return 'must be hex bytes ("01 00 00 00"), an integer, or for lpm_trie { "prefixlen": N, "data": "hex bytes" }';
      return 'must be hex bytes ("01 00 00 00") or an integer';
    case 'type':
      return `must be ${(e.params as { type: string }).type === 'integer' ? 'an integer' : `of type ${(e.params as { type: string }).type}`}`;
    default:
      return e.message ?? 'is invalid';
  }
}

/** Each problem with the source range of its path (jsonPathRanges.ts: one pass, no tree). */
function withRanges(problems: ScenarioProblem[], text: string): ScenarioProblem[] {
  const ranges = jsonPointerRanges(text, problems.map((p) => p.path));
  return problems.map((p, i) => (ranges[i] ? { ...p, ...ranges[i] } : p));
}
