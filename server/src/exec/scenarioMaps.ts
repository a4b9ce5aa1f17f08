/**
 * Creating and filling a scenario's maps in the simulated kernel, the way a loader (libbpf, bpftool) would:
 * inner map templates for map-in-map, pushed values for queue/stack/bloom_filter, lpm_trie keys.
 */
import { BPF_MAP_TYPE, Kernel, KernelError } from '../kernel';
import { InnerMapTemplate, LpmKey, RawBytes, ScenarioEntry, encodeBytes } from './scenario';

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

/** BPF_MAP_UPDATE_ELEM for each entry (a push for queue, stack and bloom_filter), in file order. */
export function fillScenarioMap(kernel: Kernel, fd: number, entries: readonly ScenarioEntry[], name: string, fdsByName: ReadonlyMap<string, number>): void {
  const map = kernel.mapFromFd(fd);
  const T = BPF_MAP_TYPE;
  const keyless = map.type === T.QUEUE || map.type === T.STACK || map.type === T.BLOOM_FILTER;
  const mapInMap = map.type === T.ARRAY_OF_MAPS || map.type === T.HASH_OF_MAPS;
  for (const e of entries) {
    let key: Uint8Array = new Uint8Array(0);
    if (keyless) {
      if (e.key !== undefined) throw new ScenarioMapError('EINVAL', `scenario ${e.path}/key of map ${name}: ${map.typeName} maps have no keys; give only "value"`);
    } else {
      if (e.key === undefined) throw new ScenarioMapError('EINVAL', `scenario ${e.path} of map ${name}: a ${map.typeName} entry needs "key"`);
      const k = keyBytes(e.key, map.keySize);
      if (typeof k === 'string') throw new ScenarioMapError('EINVAL', `scenario ${e.path}/key of map ${name}: ${k}`);
      key = k;
    }
    let value: Uint8Array;
    if (mapInMap) {
      const innerFd = e.innerMap === undefined ? undefined : fdsByName.get(e.innerMap);
      if (innerFd === undefined) throw new ScenarioMapError('EINVAL', `scenario ${e.path} of map ${name}: "inner_map" must name a scenario map`);
      value = new Uint8Array(new Uint32Array([innerFd]).buffer);
    } else if (map.isPercpu) {
      const stride = Math.ceil(map.valueSize / 8) * 8;
      value = new Uint8Array(stride * kernel.cpus);
      const perCpu = e.values ?? (e.value !== undefined ? [e.value] : []);
      if (perCpu.length > kernel.cpus) throw new ScenarioMapError('EINVAL', `scenario ${e.path}/values of map ${name}: ${perCpu.length} values for ${kernel.cpus} CPUs`);
      perCpu.forEach((raw, cpu) => {
        const v = encodeBytes(raw, map.valueSize);
        if (typeof v === 'string') throw new ScenarioMapError('EINVAL', `scenario ${e.path}/values/${cpu} of map ${name}: ${v}`);
        value.set(v, cpu * stride);
      });
    } else {
      if (e.values !== undefined) throw new ScenarioMapError('EINVAL', `scenario ${e.path} of map ${name}: "values" is for per-CPU maps; this map is ${map.typeName}, use "value"`);
      const v = e.value === undefined ? new Uint8Array(map.valueSize) : encodeBytes(e.value, map.valueSize);
      if (typeof v === 'string') throw new ScenarioMapError('EINVAL', `scenario ${e.path}/value of map ${name}: ${v}`);
      value = v;
    }
    try {
      kernel.mapUpdate(fd, key, value, 0);
    } catch (err) {
      if (err instanceof KernelError) throw new ScenarioMapError(err.code, `scenario ${e.path}: updating map ${name} fails: ${err.message}`);
      throw err;
    }
  }
}
