/**
 * Creating and filling a scenario's maps in the simulated kernel, the way a loader (libbpf, bpftool) would:
 * inner map templates for map-in-map, pushed values for queue/stack/bloom_filter, lpm_trie keys.
 */
import { ArrayMap, BatchLayout, BPF_MAP_TYPE, HashMap, Kernel, KernelError, MapBatchError, packedLayout } from '../kernel';
import type { BpfMap } from '../kernel/maps';
import { isSocketMapType, skStorageUpdate, sockMapUpdate } from '../kernel/net/sockmapIter';
import { GeneratedEntries, InnerMapTemplate, LpmKey, RawBytes, ScenarioEntry, encodeBytes, entriesFileRecords, entryPath } from './scenario';
import { IntegerEntries, ReadAt } from './scenarioBulkJson';

/** The bytes of a map's "entries_file" and its path (for messages). */
export interface EntriesFileBytes { path: string; bytes: Uint8Array }
/** A map's "entries_file" read a chunk of records at a time (no buffer of its size: fresh memory costs page faults). */
export interface EntriesFileReader { path: string; size: number; read: ReadAt }

/** A scenario map that cannot be created or filled: errno name and a message naming the place in the file. */
export class ScenarioMapError extends Error {
  constructor(readonly errno: string, message: string) { super(message); }
}

const MAP_TYPE_BY_NAME: Record<string, number> = Object.fromEntries(
  Object.entries(BPF_MAP_TYPE).map(([k, v]) => [k.toLowerCase(), v]),
);

export function mapTypeByName(type: string | number): number | undefined {
  return typeof type === 'number' ? type : /^\d+$/.test(type) ? Number(type) : MAP_TYPE_BY_NAME[type];
}

export interface ScenarioMapSpec {
  name: string; type: string | number; key_size: number; value_size: number; max_entries: number; flags: number;
  mapExtra?: number; btf?: boolean; innerMap?: string | InnerMapTemplate;
}

function create(kernel: Kernel, m: ScenarioMapSpec, where: string, innerMapFd?: number): number {
  const type = mapTypeByName(m.type);
  if (type === undefined) throw new ScenarioMapError('EINVAL', `${where}: unknown map type ${m.type}`);
  try {
    return kernel.createMap({ type, keySize: m.key_size, valueSize: m.value_size, maxEntries: m.max_entries, flags: m.flags, name: m.name,
      mapExtra: BigInt(m.mapExtra ?? 0), btf: m.btf, innerMapFd });
  } catch (e) {
    if (e instanceof KernelError) throw new ScenarioMapError(e.code, `creating map ${m.name} (${where}) fails: ${e.message}`);
    throw e;
  }
}

/**
 * BPF_MAP_CREATE for one map. A map-in-map's template is a map created earlier (by name, from `fdsByName`) or an
 * inline definition, which is created as "<outer>.inner" and closed again once the outer map exists, like libbpf.
 */
export function createScenarioMap(kernel: Kernel, m: ScenarioMapSpec, where: string, fdsByName: ReadonlyMap<string, number>): number {
  if (m.innerMap === undefined) return create(kernel, m, where);
  if (typeof m.innerMap === 'string') {
    const fd = fdsByName.get(m.innerMap);
    if (fd === undefined) throw new ScenarioMapError('EBADF', `${where}: inner_map "${m.innerMap}" must be a map defined before ${m.name}`);
    return create(kernel, m, where, fd);
  }
  const t = m.innerMap;
  const templateFd = create(kernel, { ...t, name: t.name ?? `${m.name}.inner`.slice(0, 15) }, `${where}/inner_map`);
  try {
    return create(kernel, m, where, templateFd);
  } finally {
    kernel.close(templateFd);
  }
}

function keyBytes(key: RawBytes | LpmKey, keySize: number): Uint8Array | string {
  if (typeof key !== 'object') return encodeBytes(key, keySize);
  // struct bpf_lpm_trie_key_u8: host-order u32 prefixlen, then the data bytes
  const data = encodeBytes(key.data, keySize - 4);
  if (typeof data === 'string') return `data: ${data}`;
  const out = new Uint8Array(keySize);
  new DataView(out.buffer).setUint32(0, key.prefixlen, true);
  out.set(data, 4);
  return out;
}

/**
 * Writes an integer key or value of 1, 2, 4 or 8 bytes little-endian at `out[at]` without a BigInt, the common
 * case of big scenario files; false when `raw` needs encodeBytes() (hex text, other sizes, unsafe integers).
 */
function writeSmallInteger(raw: RawBytes | LpmKey | undefined, size: number, out: Uint8Array, at: number): boolean {
  if (typeof raw !== 'number') return false;
  if (size === 4 && raw >= -2147483648 && raw <= 4294967295 && Math.floor(raw) === raw) { // the common key, first
    const v = raw >>> 0;
    out[at] = v; out[at + 1] = v >>> 8; out[at + 2] = v >>> 16; out[at + 3] = v >>> 24;
    return true;
  }
  if (!Number.isSafeInteger(raw)) return false;
  if (size === 8) {
    const lo = raw >>> 0; // two's complement halves of a safe integer
    const hi = Math.floor(raw / 4294967296) >>> 0;
    out[at] = lo; out[at + 1] = lo >>> 8; out[at + 2] = lo >>> 16; out[at + 3] = lo >>> 24;
    out[at + 4] = hi; out[at + 5] = hi >>> 8; out[at + 6] = hi >>> 16; out[at + 7] = hi >>> 24;
    return true;
  }
  if (size !== 4 && size !== 2 && size !== 1) return false;
  const bits = size * 8;
  if (raw < -(2 ** (bits - 1)) || raw >= 2 ** bits) return false; // encodeBytes() says why
  const v = raw >>> 0;
  out[at] = v;
  if (size > 1) out[at + 1] = v >>> 8;
  if (size > 2) { out[at + 2] = v >>> 16; out[at + 3] = v >>> 24; }
  return true;
}

/**
 * Entries of a plain hash or array map as BPF_MAP_UPDATE_BATCH calls, in order: the listed entries (encoded into
 * packed key and value arrays), the entries file's records (read in place: keys at record starts, values after
 * them), the generated ones.
 */
function fillPlainMap(kernel: Kernel, fd: number, map: HashMap | ArrayMap, entries: readonly ScenarioEntry[] | IntegerEntries, name: string, mapPath: string,
  generate: GeneratedEntries | undefined, file: EntriesFileBytes | EntriesFileReader | undefined): void {
  const ints = entries instanceof IntegerEntries ? entries : undefined;
  const objects = entries instanceof IntegerEntries ? undefined : entries;
  const listed = ints ? ints.count : objects!.length;
  const ks = map.keySize, vs = map.valueSize;
  let fromFile = 0;
  if (file) {
    const r = entriesFileRecords('bytes' in file ? file.bytes.length : file.size, ks, vs);
    if ('problem' in r) throw new ScenarioMapError('EINVAL', `scenario ${mapPath}/entries_file of map ${name}: ${file.path}: ${r.problem}`);
    fromFile = r.records;
  }
  const at = (j: number): string => (j >= listed + fromFile ? `${mapPath}/generate (element ${j - listed - fromFile})`
    : j >= listed ? `${mapPath}/entries_file (record ${j - listed}, byte ${(j - listed) * (ks + vs)} of ${file!.path})`
      : objects?.[j].path ?? entryPath(mapPath, j));
  const batch = (keys: Uint8Array, values: Uint8Array, count: number, first: number, layout?: BatchLayout): void => {
    try {
      kernel.mapUpdateBatch(fd, keys, values, count, layout);
    } catch (err) {
      if (err instanceof MapBatchError) throw new ScenarioMapError(err.code, `scenario ${at(first + err.count)}: updating map ${name} fails: ${err.message}`);
      throw err;
    }
  };
  // Listed and generated entries are encoded a chunk at a time into the same two arrays: fresh memory costs page
  // faults (a 12 MB packed copy of a million entries, ~40 ms of CPU on a VM), a reused chunk does not.
  const chunk = Math.max(1, Math.min(BATCH_CHUNK, Math.max(listed, generate?.count ?? 0)));
  const keys = listed > 0 || (generate && generate.count > 0) ? new Uint8Array(chunk * ks) : new Uint8Array(0);
  const values = new Uint8Array(keys.length === 0 ? 0 : chunk * vs);
  for (let first = 0; first < listed; first += chunk) {
    const n = Math.min(chunk, listed - first);
    values.fill(0, 0, n * vs); // an entry without "value" is zeros
    if (ints) { encodeIntegerEntries(ints, first, n, ks, vs, keys, values, (j, what, problem) => new ScenarioMapError('EINVAL', `scenario ${at(j)}/${what} of map ${name}: ${problem}`)); batch(keys, values, n, first); continue; }
    for (let i = 0; i < n; i++) {
      const j = first + i;
      const e = objects![j];
      if (!writeSmallInteger(e.key, ks, keys, i * ks)) {
        if (e.key === undefined) throw new ScenarioMapError('EINVAL', `scenario ${at(j)} of map ${name}: a ${map.typeName} entry needs "key"`);
        const k = keyBytes(e.key, ks);
        if (typeof k === 'string') throw new ScenarioMapError('EINVAL', `scenario ${at(j)}/key of map ${name}: ${k}`);
        keys.set(k, i * ks);
      }
      if (e.value !== undefined && !writeSmallInteger(e.value, vs, values, i * vs)) {
        const v = encodeBytes(e.value, vs);
        if (typeof v === 'string') throw new ScenarioMapError('EINVAL', `scenario ${at(j)}/value of map ${name}: ${v}`);
        values.set(v, i * vs);
      } else if (e.values !== undefined) {
        throw new ScenarioMapError('EINVAL', `scenario ${at(j)} of map ${name}: "values" is for per-CPU maps; this map is ${map.typeName}, use "value"`);
      }
    }
    batch(keys, values, n, first);
  }
  const records: BatchLayout = { keyAt: 0, keyStride: ks + vs, valueAt: ks, valueStride: ks + vs };
  if (file && fromFile > 0) {
    if ('bytes' in file) batch(file.bytes, file.bytes, fromFile, listed, records);
    else readRecords(file, fromFile);
  }
  function readRecords(reader: EntriesFileReader, count: number): void {
    const per = Math.min(BATCH_CHUNK, count);
    const buf = new Uint8Array(per * (ks + vs));
    for (let first = 0; first < count; first += per) {
      const n = Math.min(per, count - first), want = n * (ks + vs);
      for (let got = 0; got < want;) {
        const r = reader.read(buf, got, want - got, first * (ks + vs) + got);
        if (r <= 0) throw new ScenarioMapError('EINVAL', `scenario ${mapPath}/entries_file of map ${name}: ${reader.path} ended at byte ${first * (ks + vs) + got} of ${count * (ks + vs)} (changed while read)`);
        got += r;
      }
      batch(buf, buf, n, listed + first, records);
    }
  }
  if (generate && generate.count > 0) {
    const state = generatorState(generate, `scenario ${mapPath}/generate of map ${name}`);
    // keys start + i * step (step >= 1) are distinct: into an empty map, none is there already
    const kStart = generate.key?.start ?? 0, kStep = generate.key?.step ?? 1;
    const keysAbsent = map instanceof HashMap && map.count === 0 && Number.isSafeInteger(kStart) && kStart >= 0 && Number.isSafeInteger(kStep) && kStep >= 1;
    const layout: BatchLayout = { ...packedLayout(ks, vs), keysAbsent };
    for (let first = 0; first < generate.count; first += chunk) {
      const n = Math.min(chunk, generate.count - first);
      generateEntries(state, first, n, ks, vs, keys, values);
      batch(keys, values, n, listed + fromFile + first, layout);
    }
  }
}

/** Entries encoded per BPF_MAP_UPDATE_BATCH call when a scenario lists or generates many (a chunk stays in the CPU's cache). */
const BATCH_CHUNK = 8192;

/** Integer entries first..first+n-1 encoded at the start of the packed arrays (values already zeroed). */
function encodeIntegerEntries(ints: IntegerEntries, first: number, n: number, ks: number, vs: number, keys: Uint8Array, values: Uint8Array,
  problem: (j: number, what: 'key' | 'value', message: string) => Error): void {
  const ik = ints.keys, iv = ints.values;
  for (let i = 0; i < n; i++) {
    const j = first + i;
    const k = ik[j], v = iv[j];
    if (ks === 4 && k >= -2147483648 && k <= 4294967295) {
      // the common 4-byte key, inline (the scanner's numbers are integers)
      const u = k >>> 0, o = i * 4;
      keys[o] = u; keys[o + 1] = u >>> 8; keys[o + 2] = u >>> 16; keys[o + 3] = u >>> 24;
    } else if (!writeSmallInteger(k, ks, keys, i * ks)) {
      const bytes = encodeBytes(k, ks);
      if (typeof bytes === 'string') throw problem(j, 'key', bytes);
      keys.set(bytes, i * ks);
    }
    if (v !== v) continue; // NaN: the entry has no value (zeros)
    if (vs === 8 && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      const lo = v >>> 0, hi = Math.floor(v / 4294967296), o = i * 8;
      values[o] = lo; values[o + 1] = lo >>> 8; values[o + 2] = lo >>> 16; values[o + 3] = lo >>> 24;
      values[o + 4] = hi; values[o + 5] = hi >>> 8; values[o + 6] = hi >>> 16; values[o + 7] = hi >>> 24;
    } else if (!writeSmallInteger(v, vs, values, i * vs)) {
      const bytes = encodeBytes(v, vs);
      if (typeof bytes === 'string') throw problem(j, 'value', bytes);
      values.set(bytes, i * vs);
    }
  }
}

/**
 * A per-CPU map element's value as BPF_MAP_UPDATE_ELEM takes it: one 8-byte-aligned slot per possible CPU,
 * "value" for CPU 0 or "values" one per CPU, the rest zero. The simulated kernel and the real-kernel loader both
 * write it so.
 */
export function perCpuValueBytes(e: { value?: RawBytes; values?: RawBytes[] }, valueSize: number, cpus: number):
  { bytes: Uint8Array } | { tooMany: number } | { cpu: number; problem: string } {
  const stride = Math.ceil(valueSize / 8) * 8;
  const perCpu = e.values ?? (e.value !== undefined ? [e.value] : []);
  if (perCpu.length > cpus) return { tooMany: perCpu.length };
  const bytes = new Uint8Array(stride * cpus);
  for (let cpu = 0; cpu < perCpu.length; cpu++) {
    const v = encodeBytes(perCpu[cpu], valueSize);
    if (typeof v === 'string') return { cpu, problem: v };
    bytes.set(v, cpu * stride);
  }
  return { bytes };
}

/** The elements of a "generate" rule as packed keys and values (the real-kernel run writes them one by one). */
export function generatedEntries(g: GeneratedEntries, ks: number, vs: number, where: string): { keys: Uint8Array; values: Uint8Array } {
  const keys = new Uint8Array(g.count * ks);
  const values = new Uint8Array(g.count * vs);
  generateEntries(generatorState(g, where), 0, g.count, ks, vs, keys, values);
  return { keys, values };
}

/** A "generate" rule being encoded: its parameters and the xorshift state, which goes on from chunk to chunk. */
interface GeneratorState { g: GeneratedEntries; where: string; x: number }

function generatorState(g: GeneratedEntries, where: string): GeneratorState {
  const uniform = g.value && 'uniform' in g.value ? g.value.uniform : undefined;
  if (uniform && uniform[1] < uniform[0]) throw new ScenarioMapError('EINVAL', `${where}: value.uniform [${uniform[0]}, ${uniform[1]}] is empty`);
  return { g, where, x: (g.seed ?? 0) >>> 0 || 0x9e3779b9 }; // xorshift32 needs a non-zero state
}

/**
 * Elements first..first+n-1 of a "generate" rule, encoded at the start of the packed arrays: keys
 * start + i*step; values start + i*step or uniform in [min, max] from an xorshift generator seeded with seed
 * (called for consecutive ranges, in order).
 */
function generateEntries(state: GeneratorState, first: number, n: number, ks: number, vs: number, keys: Uint8Array, values: Uint8Array): void {
  const { g, where } = state;
  const kStart = g.key?.start ?? 0, kStep = g.key?.step ?? 1;
  const uniform = g.value && 'uniform' in g.value ? g.value.uniform : undefined;
  const linear = g.value && !('uniform' in g.value) ? g.value : undefined;
  const vStart = linear?.start ?? 0, vStep = linear?.step ?? 0;
  let x = state.x;
  const next32 = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  for (let t = 0; t < n; t++) {
    const i = first + t;
    const key = kStart + i * kStep;
    if (!writeSmallInteger(key, ks, keys, t * ks)) {
      throw new ScenarioMapError('EINVAL', `${where}: key ${key} (element ${i}) is not an integer that fits the ${ks}-byte key`);
    }
    let value: number;
    if (uniform) {
      const r = (next32() * 2097152 + (next32() >>> 11)) / 9007199254740992; // 53 random bits in [0, 1)
      value = uniform[0] + Math.floor(r * (uniform[1] - uniform[0] + 1));
    } else value = vStart + i * vStep;
    if (!writeSmallInteger(value, vs, values, t * vs)) {
      throw new ScenarioMapError('EINVAL', `${where}: value ${value} (element ${i}) is not an integer that fits the ${vs}-byte value`);
    }
  }
  state.x = x;
}

/**
 * BPF_MAP_UPDATE_ELEM for each entry (a push for queue, stack and bloom_filter), in file order; then the records of
 * the entries file, then the generated ones.
 */
export function fillScenarioMap(kernel: Kernel, fd: number, listed: readonly ScenarioEntry[] | IntegerEntries, name: string, fdsByName: ReadonlyMap<string, number>,
  mapPath = '/maps/?', generate?: GeneratedEntries, file?: EntriesFileBytes | EntriesFileReader): void {
  const map = kernel.mapFromFd(fd);
  const T = BPF_MAP_TYPE;
  // the bulk path: hash and array maps of plain values (not per-CPU, not map-in-map), as BPF_MAP_UPDATE_BATCH
  if ((map.type === T.HASH || map.type === T.LRU_HASH || map.type === T.ARRAY) && (map instanceof HashMap || map instanceof ArrayMap)) {
    fillPlainMap(kernel, fd, map, listed, name, mapPath, generate, file);
    return;
  }
  const entries = listed instanceof IntegerEntries ? listed.toEntries() : listed;
  if (file) throw new ScenarioMapError('EINVAL', `scenario ${mapPath}/entries_file of map ${name}: "entries_file" is for hash, lru_hash and array maps; this map is ${map.typeName}`);
  if (generate) throw new ScenarioMapError('EINVAL', `scenario ${mapPath}/generate of map ${name}: "generate" is for hash, lru_hash and array maps; this map is ${map.typeName}`);
  if (isSocketMapType(map.type) || map.type === T.SK_STORAGE) {
    fillSocketMap(kernel, map, entries, name, mapPath);
    return;
  }
  const keyless = map.type === T.QUEUE || map.type === T.STACK || map.type === T.BLOOM_FILTER;
  const mapInMap = map.type === T.ARRAY_OF_MAPS || map.type === T.HASH_OF_MAPS;
  for (let j = 0; j < entries.length; j++) {
    const e = entries[j];
    const path = e.path ?? entryPath(mapPath, j);
    let key: Uint8Array = new Uint8Array(0);
    if (keyless) {
      if (e.key !== undefined) throw new ScenarioMapError('EINVAL', `scenario ${path}/key of map ${name}: ${map.typeName} maps have no keys; give only "value"`);
    } else {
      if (e.key === undefined) throw new ScenarioMapError('EINVAL', `scenario ${path} of map ${name}: a ${map.typeName} entry needs "key"`);
      const k = keyBytes(e.key, map.keySize);
      if (typeof k === 'string') throw new ScenarioMapError('EINVAL', `scenario ${path}/key of map ${name}: ${k}`);
      key = k;
    }
    let value: Uint8Array;
    if (mapInMap) {
      const innerFd = e.innerMap === undefined ? undefined : fdsByName.get(e.innerMap);
      if (innerFd === undefined) throw new ScenarioMapError('EINVAL', `scenario ${path} of map ${name}: "inner_map" must name a scenario map`);
      value = new Uint8Array(new Uint32Array([innerFd]).buffer);
    } else if (map.isPercpu) {
      const v = perCpuValueBytes(e, map.valueSize, kernel.cpus);
      if ('tooMany' in v) throw new ScenarioMapError('EINVAL', `scenario ${path}/values of map ${name}: ${v.tooMany} values for ${kernel.cpus} CPUs`);
      if ('problem' in v) throw new ScenarioMapError('EINVAL', `scenario ${path}/values/${v.cpu} of map ${name}: ${v.problem}`);
      value = v.bytes;
    } else {
      if (e.values !== undefined) throw new ScenarioMapError('EINVAL', `scenario ${path} of map ${name}: "values" is for per-CPU maps; this map is ${map.typeName}, use "value"`);
      const v = e.value === undefined ? new Uint8Array(map.valueSize) : encodeBytes(e.value, map.valueSize);
      if (typeof v === 'string') throw new ScenarioMapError('EINVAL', `scenario ${path}/value of map ${name}: ${v}`);
      value = v;
    }
    try {
      kernel.mapUpdate(fd, key, value, 0);
    } catch (err) {
      if (err instanceof KernelError) throw new ScenarioMapError(err.code, `scenario ${path}: updating map ${name} fails: ${err.message}`);
      throw err;
    }
  }
}

/** sockmap / sockhash (key + socket) and sk_storage (socket + value) elements: the socket is a network section index. */
function fillSocketMap(kernel: Kernel, map: BpfMap, entries: readonly ScenarioEntry[], name: string, mapPath: string): void {
  for (let j = 0; j < entries.length; j++) {
    const e = entries[j];
    const path = e.path ?? entryPath(mapPath, j);
    if (e.socket === undefined) throw new ScenarioMapError('EINVAL', `scenario ${path} of map ${name}: a ${map.typeName} entry needs "socket": the index of a /network/sockets entry`);
    try {
      if (map.type === BPF_MAP_TYPE.SK_STORAGE) {
        if (e.key !== undefined) throw new ScenarioMapError('EINVAL', `scenario ${path}/key of map ${name}: sk_storage elements are keyed by their socket; give "socket" and "value"`);
        const v = e.value === undefined ? new Uint8Array(map.valueSize) : encodeBytes(e.value, map.valueSize);
        if (typeof v === 'string') throw new ScenarioMapError('EINVAL', `scenario ${path}/value of map ${name}: ${v}`);
        skStorageUpdate(kernel, map, v, e.socket);
      } else {
        if (e.key === undefined) throw new ScenarioMapError('EINVAL', `scenario ${path} of map ${name}: a ${map.typeName} entry needs "key"`);
        const k = keyBytes(e.key, map.keySize);
        if (typeof k === 'string') throw new ScenarioMapError('EINVAL', `scenario ${path}/key of map ${name}: ${k}`);
        sockMapUpdate(kernel, map, k, e.socket);
      }
    } catch (err) {
      if (err instanceof KernelError) throw new ScenarioMapError(err.code, `scenario ${path}: updating map ${name} fails: ${err.message}`);
      throw err;
    }
  }
}
