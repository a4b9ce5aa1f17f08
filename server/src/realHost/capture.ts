/**
 * `bpf-iter capture`: a scenario file made from the live host's maps, read with `bpftool -j map show` and
 * `bpftool -j map dump` (read-only bpftool commands: nothing is ever written to the host). The scenario keeps
 * what the kernel stores for each map (type, name, sizes, max_entries, map_flags, map_extra, whether it has BTF) and
 * its contents up to a limit: per-CPU values per CPU, lpm_trie keys as prefix + data, map-in-map slots as the
 * captured inner maps they hold. What a scenario cannot say is returned as notes for the user (`warnings`).
 */
import { CommandRunner, firstLine, hostPossibleCpus, isRoot } from './hostTools';
import { KEYLESS_MAP_TYPES, MAP_IN_MAP_TYPES } from '../exec/scenario';
import { scenarioSchema } from '../exec/scenarioSchema';
import { captureWorld, WorldCaptureOptions } from './procCapture';
import { captureCgroups, captureKernelObjects } from './kernelCapture';

export interface CaptureOptions {
  /** Shell-style patterns (`*`, `?`) on map names; a map matching any is selected. */
  names: string[];
  ids: number[];
  /** bpftool's type names ("hash", "percpu_array", ...); a map of any is selected. */
  types: string[];
  /** Entries kept per map (the first ones bpftool dumps). */
  maxEntries: number;
  /** false: no maps (then no root or bpftool is needed). Default true. */
  maps?: boolean;
  /** The host's processes and sockets from /proc (realHost/procCapture.ts); absent: maps only. */
  world?: WorldCaptureOptions;
  /**
   * Maps with more captured elements than this (of the types an "entries_file" fills: hash, lru_hash, array) get
   * their elements as a binary records file instead of JSON entries; absent: always JSON (a scenario on stdout).
   */
  bulkAbove?: number;
}

/** The captured elements of a map in the binary form of "entries_file": key bytes then value bytes, per record. */
export interface BulkEntries { /** the file name "entries_file" gives, beside the scenario file */ file: string; records: Uint8Array }

/** Map types whose elements an "entries_file" holds (exec/scenario.ts ENTRIES_FILE_MAP_TYPES). */
const BULK_TYPES: ReadonlySet<string> = new Set(['hash', 'lru_hash', 'array']);

export const DEFAULT_CAPTURE_MAX_ENTRIES = 4096;
/** With -o, maps of more captured elements than this are written as binary records files (--bulk-above). */
export const DEFAULT_CAPTURE_BULK_ABOVE = 1000;

/** One map of `bpftool -j map show`. */
export interface BpftoolMapInfo {
  id: number; type: string; name?: string; flags?: number; bytes_key: number; bytes_value: number; max_entries: number;
  map_extra?: number; btf_id?: number; frozen?: number;
}

/** One element of `bpftool -j map dump`: hex byte strings ("0x01"); per-CPU maps give `values` per CPU. */
interface BpftoolElement {
  key?: string[]; value?: string[]; values?: Array<{ cpu: number; value: string[] }>;
  formatted?: unknown;
}

export interface CaptureResult {
  /** The scenario as JSON data (what the file holds); undefined when the capture failed. */
  scenario?: Record<string, unknown>;
  /** Things the scenario cannot hold, one line each. */
  warnings: string[];
  /** Why nothing could be captured, one line. */
  error?: string;
  /** Maps captured in bulk: the caller writes each file and the map's "entries_file" names it (bulkFileName()). */
  bulk?: BulkEntries[];
}

export interface CaptureHost {
  run: CommandRunner;
  /** num_possible_cpus() of the host. */
  cpus?: number;
  /** false makes capture refuse with a one-line error before calling bpftool. */
  root: boolean;
  /** Where /proc is ("/proc" on a live host; a folder of fixture files in tests); absent: no processes or sockets. */
  procRoot?: string;
  /** Where the cgroup2 hierarchy is mounted ("/sys/fs/cgroup" on a live host; a fixture folder in tests); absent: no cgroups. */
  cgroupRoot?: string;
  /** Where the slab caches' sysfs directories are ("/sys/kernel/slab"); absent: object sizes from /proc/slabinfo alone. */
  slabRoot?: string;
}

export function liveCaptureHost(run: CommandRunner): CaptureHost {
  return { run, cpus: hostPossibleCpus(), root: isRoot(), procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup', slabRoot: '/sys/kernel/slab' };
}

/** The map types the scenario schema knows (the rest cannot be written into a scenario). */
const SCENARIO_MAP_TYPES: ReadonlySet<string> = new Set(scenarioSchema.definitions.mapType.enum);
/** Map types whose elements bpftool dumps and a scenario refills as key -> value. */
const DUMPED_TYPES: ReadonlySet<string> = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash',
  'lpm_trie', 'array_of_maps', 'hash_of_maps']);
const ARRAY_TYPES: ReadonlySet<string> = new Set(['array', 'percpu_array']);

export function globMatches(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(name);
}

function bytesOf(hex: string[] | undefined): number[] {
  return (Array.isArray(hex) ? hex : []).map((h) => parseInt(h, 16) & 0xff);
}
/** Bytes as the scenario writes them: hex in memory order; one byte as a number ("10" alone would read as decimal). */
function hexText(bytes: number[]): string | number {
  if (bytes.length === 1) return bytes[0];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
function allZero(bytes: number[]): boolean { return bytes.every((b) => b === 0); }

function runJson<T>(host: CaptureHost, args: string[]): T | string {
  const r = host.run('bpftool', ['-j', ...args]);
  let data: unknown;
  try { data = JSON.parse(r.stdout || 'null'); } catch { data = undefined; }
  if (data && typeof data === 'object' && !Array.isArray(data) && 'error' in data) return `bpftool ${args.join(' ')}: ${String((data as { error: unknown }).error)}`;
  if (r.status !== 0 || data === undefined) return `bpftool ${args.join(' ')}: ${firstLine(r.stderr) || firstLine(r.stdout) || `exit status ${r.status}`}`;
  return data as T;
}

/** The selected maps, plus every inner map a selected map-in-map holds (so its slots can name them). */
function selectMaps(all: BpftoolMapInfo[], o: CaptureOptions): BpftoolMapInfo[] {
  const chosen = all.filter((m) => (o.ids.length === 0 || o.ids.includes(m.id))
    && (o.names.length === 0 || o.names.some((g) => globMatches(g, m.name ?? '')))
    && (o.types.length === 0 || o.types.includes(m.type)));
  return chosen;
}

/** Reads the host's maps (and, with options.world, its processes and sockets) and makes a scenario of them. */
export function captureScenario(host: CaptureHost, options: CaptureOptions): CaptureResult {
  const r: CaptureResult = options.maps === false
    ? { scenario: { description: 'Captured from a live host with bpf-iter capture.', ...(host.cpus !== undefined ? { cpus: host.cpus } : {}), maps: [] }, warnings: [] }
    : captureMaps(host, options);
  if (!r.scenario || !options.world) return r;
  const w = options.world;
  if (w.processes || w.sockets) {
    if (host.procRoot === undefined) r.warnings.push('processes and sockets not captured: this host has no /proc to read');
    else {
      const world = captureWorld(host.procRoot, w);
      r.warnings.push(...world.warnings);
      if (world.processes) r.scenario.processes = world.processes;
      if (world.network) r.scenario.network = world.network;
      const parts = [world.processes && `${world.processes.length} tasks`, world.network && `${world.network.sockets?.length ?? 0} sockets`].filter(Boolean);
      if (parts.length) r.scenario.description = `${String(r.scenario.description).replace(/\.$/, '')}; ${parts.join(' and ')} from /proc (pids are the host's).`;
    }
  }
  if (w.cgroups && host.cgroupRoot !== undefined) {
    const cgroups = captureCgroups(host.cgroupRoot, r.warnings);
    if (cgroups) r.scenario.cgroups = cgroups;
  }
  if (w.symbols && host.procRoot !== undefined) {
    const objects = captureKernelObjects(host.procRoot, r.warnings, w.maxSymbols, host.slabRoot);
    if (objects) r.scenario.kernel_objects = objects;
  }
  return r;
}

function captureMaps(host: CaptureHost, options: CaptureOptions): CaptureResult {
  const warnings: string[] = [];
  if (!host.root) return { warnings, error: 'capture needs root: bpftool reads the maps with bpf(BPF_MAP_GET_NEXT_ID) and BPF_MAP_GET_FD_BY_ID, which need CAP_SYS_ADMIN (--no-maps captures processes and sockets without root)' };
  const listed = runJson<BpftoolMapInfo[]>(host, ['map', 'show']);
  if (typeof listed === 'string') return { warnings, error: listed };
  const all = [...listed].sort((a, b) => a.id - b.id);
  const selected = selectMaps(all, options);
  const byId = new Map(all.map((m) => [m.id, m]));
  const dumps = new Map<number, BpftoolElement[]>();
  const dump = (m: BpftoolMapInfo): BpftoolElement[] => {
    if (!dumps.has(m.id)) {
      const d = DUMPED_TYPES.has(m.type) ? runJson<BpftoolElement[]>(host, ['map', 'dump', 'id', String(m.id)]) : [];
      if (typeof d === 'string') { warnings.push(`map ${m.id} (${m.name || 'unnamed'}): contents not captured: ${d}`); dumps.set(m.id, []); } else dumps.set(m.id, d);
    }
    return dumps.get(m.id)!;
  };
  // Inner maps of selected map-in-maps come along, in id order with the rest (map ids order the iterator's walk).
  const ids = new Set(selected.map((m) => m.id));
  for (const m of selected) {
    if (!MAP_IN_MAP_TYPES.has(m.type)) continue;
    for (const e of dump(m)) {
      const inner = innerIdOf(e);
      if (byId.has(inner)) ids.add(inner);
    }
  }
  const maps = all.filter((m) => ids.has(m.id) && SCENARIO_MAP_TYPES.has(m.type));
  for (const m of all) if (ids.has(m.id) && !SCENARIO_MAP_TYPES.has(m.type)) warnings.push(`map ${m.id} (${m.name || 'unnamed'}): type ${m.type} is not one a scenario can hold; left out`);

  // Scenario names must be unique (entries and attach.map name maps); a map referred to needs a name too.
  const referenced = new Set<number>();
  for (const m of maps) if (MAP_IN_MAP_TYPES.has(m.type)) for (const e of dump(m)) referenced.add(innerIdOf(e));
  const used = new Set<string>();
  const nameOf = new Map<number, string>();
  for (const m of maps) {
    let name = m.name ?? '';
    if ((name !== '' && used.has(name)) || (name === '' && referenced.has(m.id))) {
      const renamed = `${name.slice(0, 15 - 1 - String(m.id).length)}_${m.id}`.replace(/^_/, 'map_').slice(0, 15);
      warnings.push(`map ${m.id}: named "${renamed}" in the scenario (${name === '' ? 'it is unnamed and a map-in-map slot refers to it' : `map "${name}" occurs more than once`}); the simulated kernel stores that name`);
      name = renamed;
    }
    if (name !== '') used.add(name);
    nameOf.set(m.id, name);
  }

  const cpus = host.cpus;
  const bulk: BulkEntries[] = [];
  const rawRecords = new Map<number, { bytes: Uint8Array; count: number }>();
  const scenarioMaps = maps.map((m) => {
    const out: Record<string, unknown> = {
      name: nameOf.get(m.id), type: m.type, key_size: m.bytes_key, value_size: m.bytes_value, max_entries: m.max_entries,
    };
    if (m.flags) out.flags = m.flags;
    if (m.map_extra) out.map_extra = m.map_extra;
    if (m.btf_id) out.btf = true;
    if (m.frozen) warnings.push(`map ${m.id} (${m.name || 'unnamed'}): frozen on the host; a scenario cannot freeze a map`);
    const entries: Record<string, unknown>[] = [];
    const elements = dump(m);
    if (MAP_IN_MAP_TYPES.has(m.type)) {
      // bpftool does not show the inner map template (inner_map_meta): the first inner map held stands in for it.
      const firstInner = elements.map((e) => byId.get(innerIdOf(e))).find((x) => x);
      out.inner_map = firstInner
        ? { type: firstInner.type, key_size: firstInner.bytes_key, value_size: firstInner.bytes_value, max_entries: firstInner.max_entries, ...(firstInner.flags ? { flags: firstInner.flags } : {}) }
        : { type: 'array', key_size: 4, value_size: 4, max_entries: 1 };
      if (!firstInner) warnings.push(`map ${m.id} (${m.name || 'unnamed'}): holds no inner map, so its inner map template is unknown (bpftool does not show it); an array of 4-byte values stands in`);
    }
    if (KEYLESS_MAP_TYPES.has(m.type)) warnings.push(`map ${m.id} (${m.name || 'unnamed'}): ${m.type} contents cannot be read without popping them; captured empty`);
    for (const e of elements) {
      if (entries.length >= options.maxEntries) {
        warnings.push(`map ${m.id} (${m.name || 'unnamed'}): ${elements.length} elements, the first ${options.maxEntries} captured (--max-entries)`);
        break;
      }
      const key = bytesOf(e.key);
      const valueSizes = e.values ? e.values.map((v) => bytesOf(v.value).length) : [bytesOf(e.value).length];
      if (key.length !== m.bytes_key || valueSizes.some((n) => n !== m.bytes_value)) {
        warnings.push(`map ${m.id} (${m.name || 'unnamed'}): bpftool dumped an element it could not read whole; left out`);
        continue;
      }
      const entry: Record<string, unknown> = {};
      if (m.type === 'lpm_trie') entry.key = { prefixlen: Number(littleEndian(key.slice(0, 4))), data: key.slice(4).map((b) => b.toString(16).padStart(2, '0')).join(' ') };
      else entry.key = key.length <= 8 && [1, 2, 4, 8].includes(key.length) ? Number(littleEndian(key)) <= Number.MAX_SAFE_INTEGER ? Number(littleEndian(key)) : littleEndian(key).toString() : hexText(key);
      if (MAP_IN_MAP_TYPES.has(m.type)) {
        const inner = innerIdOf(e);
        if (!nameOf.has(inner)) { warnings.push(`map ${m.id} (${m.name || 'unnamed'}): a slot holds map ${inner}, which is gone or cannot be captured; slot left out`); continue; }
        entry.inner_map = nameOf.get(inner);
      } else if (e.values) {
        const perCpu = [...e.values].sort((a, b) => a.cpu - b.cpu).map((v) => bytesOf(v.value));
        if (ARRAY_TYPES.has(m.type) && perCpu.every(allZero)) continue; // array elements exist zeroed anyway
        entry.values = perCpu.map(hexText);
      } else {
        const value = bytesOf(e.value);
        if (ARRAY_TYPES.has(m.type) && allZero(value)) continue;
        entry.value = hexText(value);
      }
      entries.push(entry);
      if (BULK_TYPES.has(m.type) && options.bulkAbove !== undefined) {
        // the same element as a binary record, kept in case the map is captured in bulk
        let raw = rawRecords.get(m.id);
        const size = m.bytes_key + m.bytes_value;
        if (!raw) rawRecords.set(m.id, raw = { bytes: new Uint8Array(size * Math.min(elements.length, options.maxEntries)), count: 0 });
        raw.bytes.set(key, raw.count * size);
        raw.bytes.set(bytesOf(e.value), raw.count * size + m.bytes_key);
        raw.count++;
      }
    }
    const raw = rawRecords.get(m.id);
    if (raw && options.bulkAbove !== undefined && raw.count > options.bulkAbove && BULK_TYPES.has(m.type)) {
      const file = bulkFileName(String(nameOf.get(m.id)), m.id);
      bulk.push({ file, records: raw.bytes.subarray(0, raw.count * (m.bytes_key + m.bytes_value)) });
      out.entries_file = file;
    } else if (entries.length) out.entries = entries;
    return out;
  });
  const scenario: Record<string, unknown> = {
    description: `Captured from a live host with bpf-iter capture (${maps.length} map${maps.length === 1 ? '' : 's'}). Map ids are renumbered in the same order.`,
  };
  if (cpus !== undefined) scenario.cpus = cpus;
  scenario.maps = scenarioMaps;
  return { scenario, warnings, ...(bulk.length ? { bulk } : {}) };
}

/** The records file of a map captured in bulk, named beside the scenario file: `<map>.<id>.entries`. */
export function bulkFileName(mapName: string, id: number): string {
  return `${(mapName || 'map').replace(/[^A-Za-z0-9_.-]/g, '_')}.${id}.entries`;
}

/** The inner map id a map-in-map slot holds (bpftool dumps the u32 id as the value), or 0 when unreadable. */
function innerIdOf(e: BpftoolElement): number {
  const bytes = bytesOf(Array.isArray(e.value) ? e.value : []);
  return bytes.length >= 4 ? Number(littleEndian(bytes.slice(0, 4))) : 0;
}

function littleEndian(bytes: number[]): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}
