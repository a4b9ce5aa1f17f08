/**
 * The real-kernel run for what bpftool cannot do in one command: globals written before the load, per-CPU values that
 * differ between CPUs, map_extra, a program that is not the object's first, generated entries and entries files. A small C loader
 * of ours (server/loader/bpf-iter-loader.c) is built once with the host's clang and libbpf into bpf-iter's cache
 * folder, keyed by its source's hash, and given its orders in a file (see the loader's header for their form).
 * Nothing is pinned: its maps, program and link die with the process, so nothing can be left behind.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundledHeadersRoot } from '../lang/headers';
import { BPF_MAP_TYPE, MapTypeName } from '../kernel/mapTypes';
import { KEYLESS_MAP_TYPES, MAP_IN_MAP_TYPES, Scenario, encodeBytes, RawBytes, LpmKey, listedEntries } from '../exec/scenario';
import { generatedEntries, perCpuValueBytes } from '../exec/scenarioMaps';
import { cacheFolder } from '../service/diskCache';
import { CommandRunner, firstLine } from './hostTools';

/** A global variable of the program: where its bytes are in the object's data sections. */
export interface ObjectGlobal { name: string; section: string; offset: number; size: number }

/** What the real-kernel run cannot do or was refused, as one line; `refused`: the host (not the kernel) said no. */
export class HostRefusal extends Error {
  constructor(readonly errno: string, message: string, readonly refused: boolean) { super(message); }
}

/** The most generated elements the loader path writes (each is one line of orders and one bpf() call). */
export const MAX_LOADER_GENERATED = 200_000;

function hex(bytes: Uint8Array | string): string {
  return typeof bytes === 'string' ? Buffer.from(bytes, 'utf8').toString('hex') : Buffer.from(bytes).toString('hex');
}

/** bpf-iter's cache folder (service/diskCache.ts); with the cache turned off, a folder of this user's in /tmp. */
function loaderFolder(): string {
  return cacheFolder() ?? path.join(os.tmpdir(), `bpf-iter-loader-${typeof process.getuid === 'function' ? process.getuid() : 0}`);
}

/** The loader's binary, built on first use; or why it cannot be built on this host. */
export function loaderBinary(run: CommandRunner, cache = loaderFolder()): { path: string } | { why: string } {
  const root = bundledHeadersRoot();
  const source = root ? path.join(root, '..', 'loader', 'bpf-iter-loader.c') : undefined;
  if (!source || !fs.existsSync(source)) return { why: 'the loader source is not installed with bpf-iter' };
  const text = fs.readFileSync(source);
  const binary = path.join(cache, `loader-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  if (fs.existsSync(binary)) return { path: binary };
  fs.mkdirSync(cache, { recursive: true });
  const building = `${binary}.${process.pid}.tmp`;
  const cc = run('clang', ['-O2', '-o', building, source, '-lbpf']);
  if (cc.status !== 0) {
    fs.rmSync(building, { force: true });
    return { why: `building it with clang and -lbpf fails (${firstLine(cc.stderr.split('\n').find((l) => /error/.test(l)) ?? cc.stderr)})` };
  }
  fs.renameSync(building, binary); // atomic: a concurrent build of the same source writes the same bytes
  return { path: binary };
}

/** A scenario key's bytes (an lpm_trie key: prefixlen then data), as both real-kernel paths write it. */
export function keyBytes(key: RawBytes | LpmKey, size: number, where: string): Uint8Array {
  if (typeof key === 'object') {
    const data = encodeBytes(key.data, size - 4);
    if (typeof data === 'string') throw new HostRefusal('EINVAL', `${where}: ${data}`, false);
    const out = new Uint8Array(size);
    new DataView(out.buffer).setUint32(0, key.prefixlen, true);
    out.set(data, 4);
    return out;
  }
  const out = encodeBytes(key, size);
  if (typeof out === 'string') throw new HostRefusal('EINVAL', `${where}: ${out}`, false);
  return out;
}

function mapTypeNumber(type: string): number {
  const n = BPF_MAP_TYPE[type.toUpperCase() as MapTypeName];
  if (n === undefined) throw new HostRefusal('EINVAL', `unknown map type ${type}`, false);
  return n;
}

export interface LoaderOrdersRequest {
  object: string;
  program: string;
  scenario: Scenario;
  globals: readonly ObjectGlobal[];
  attachMap?: string;
  /** The host's possible CPUs: a per-CPU value is written for each. */
  cpus: number;
  /** Where libbpf pins the object's maps pinned by name (instead of /sys/fs/bpf). */
  pinRoot?: string;
}

/** The loader's orders for a scenario: its maps as the simulator makes them (scenarioMaps.ts), in the same order. */
export function loaderOrders(req: LoaderOrdersRequest): string {
  const lines = [...(req.pinRoot ? [`pinroot ${hex(req.pinRoot)}`] : []), `object ${hex(req.object)}`, `program ${hex(req.program)}`];
  const index = new Map<string, number>();
  let count = 0;
  for (const m of req.scenario.maps) {
    const type = mapTypeNumber(m.type!);
    let inner = -1;
    let template: number | undefined;
    if (typeof m.innerMap === 'string') {
      const found = index.get(m.innerMap);
      if (found === undefined) throw new HostRefusal('EBADF', `scenario ${m.path}: inner_map "${m.innerMap}" must be a map defined before ${m.name}`, false);
      inner = found;
    } else if (m.innerMap) {
      // an inline template is created, used and closed again, as libbpf does for __array(values, struct inner)
      const t = m.innerMap;
      lines.push(`map ${hex((t.name ?? `${m.name}.inner`).slice(0, 15))} ${mapTypeNumber(t.type)} ${t.key_size} ${t.value_size} ${t.max_entries} ${t.flags} 0 -1`);
      template = inner = count++;
    }
    lines.push(`map ${hex(m.name)} ${type} ${m.key_size ?? 0} ${m.value_size ?? 0} ${m.max_entries ?? 0} ${m.flags} ${m.mapExtra ?? 0} ${inner}`);
    if (template !== undefined) lines.push(`close ${template}`);
    if (m.name !== '') index.set(m.name, count);
    count++;
  }
  // entries after all maps exist, as the simulator fills them (a slot may name a map defined later)
  req.scenario.maps.forEach((m) => {
    const at = index.get(m.name)!;
    const ks = m.key_size ?? 0, vs = m.value_size ?? 0;
    const percpu = /percpu/.test(m.type!);
    const stride = Math.ceil(vs / 8) * 8;
    for (const e of listedEntries(m)) {
      const what = `scenario ${e.path ?? m.path}: map ${m.name || '(unnamed)'}`;
      if (KEYLESS_MAP_TYPES.has(m.type!)) {
        const v = encodeBytes(e.value ?? 0, vs);
        if (typeof v === 'string') throw new HostRefusal('EINVAL', `${what}: ${v}`, false);
        lines.push(`elem ${at} - ${hex(v)}`);
        continue;
      }
      const key = hex(keyBytes(e.key!, ks, what));
      if (MAP_IN_MAP_TYPES.has(m.type!)) {
        const inner = e.innerMap !== undefined ? index.get(e.innerMap) : undefined;
        if (inner === undefined) throw new HostRefusal('EINVAL', `${what}: "inner_map" must name a scenario map`, false);
        lines.push(`inner ${at} ${key} ${inner}`);
        continue;
      }
      let value: Uint8Array;
      if (percpu) {
        const v = perCpuValueBytes(e, vs, req.cpus);
        // a scenario for a machine with more CPUs than this host cannot be made here: the host refuses, not the kernel
        if ('tooMany' in v) throw new HostRefusal('EINVAL', `${what}: ${v.tooMany} values for this host's ${req.cpus} CPUs`, true);
        if ('problem' in v) throw new HostRefusal('EINVAL', `${what}: ${v.problem}`, false);
        value = v.bytes;
      } else {
        const v = e.value === undefined ? new Uint8Array(vs) : encodeBytes(e.value, vs);
        if (typeof v === 'string') throw new HostRefusal('EINVAL', `${what}: ${v}`, false);
        value = v;
      }
      lines.push(`elem ${at} ${key} ${hex(value)}`);
    }
    if (m.entriesFile !== undefined) {
      // the records of a binary entries file, after "entries" and before "generate" as the simulator writes them
      let bytes: Uint8Array;
      try { bytes = fs.readFileSync(m.entriesFile); } catch { throw new HostRefusal('ENOENT', `scenario ${m.path}/entries_file of map ${m.name}: cannot read the entries file ${m.entriesFile}`, false); }
      const record = ks + vs;
      const count = record > 0 ? Math.floor(bytes.length / record) : 0;
      if (count > MAX_LOADER_GENERATED) throw new HostRefusal('E2BIG', `scenario ${m.path}/entries_file: ${count} records; the real-kernel run writes at most ${MAX_LOADER_GENERATED}`, true);
      for (let i = 0; i < count; i++) {
        let value = bytes.subarray(i * record + ks, (i + 1) * record);
        if (percpu) { const all = new Uint8Array(stride * req.cpus); all.set(value, 0); value = all; }
        lines.push(`elem ${at} ${hex(bytes.subarray(i * record, i * record + ks))} ${hex(value)}`);
      }
    }
    if (m.generate) {
      if (m.generate.count > MAX_LOADER_GENERATED) throw new HostRefusal('E2BIG', `scenario ${m.path}/generate: ${m.generate.count} elements; the real-kernel run writes at most ${MAX_LOADER_GENERATED}`, true);
      const { keys, values } = generatedEntries(m.generate, ks, vs, `scenario ${m.path}/generate of map ${m.name}`);
      for (let i = 0; i < m.generate.count; i++) {
        let value = values.subarray(i * vs, (i + 1) * vs);
        if (percpu) { const all = new Uint8Array(stride * req.cpus); all.set(value, 0); value = all; }
        lines.push(`elem ${at} ${hex(keys.subarray(i * ks, (i + 1) * ks))} ${hex(value)}`);
      }
    }
  });
  for (const [name, raw] of Object.entries(req.scenario.globals)) {
    const g = req.globals.find((x) => x.name === name);
    if (!g) throw new HostRefusal('EINVAL', `scenario global ${name}: the program has no global variable of that name`, false);
    const bytes = encodeBytes(raw as RawBytes, g.size);
    if (typeof bytes === 'string') throw new HostRefusal('EINVAL', `scenario global ${name}: ${bytes}`, false);
    lines.push(`global ${hex(g.section)} ${g.offset} ${hex(bytes)}`);
  }
  if (req.attachMap !== undefined) {
    const at = index.get(req.attachMap);
    if (at === undefined) throw new HostRefusal('ENOENT', `the attach map ${req.attachMap} is not a scenario map`, false);
    lines.push(`attach ${at}`);
  }
  lines.push('run');
  return lines.join('\n') + '\n';
}

/** The loader's one-line failure ("bpf-iter-loader: what: ERRNO: text") and the verifier's last words before it. */
export function loaderFailure(stderr: string): { errno: string; what: string; message: string; log: string[] } {
  const lines = stderr.trim().split('\n');
  const last = lines.map((l) => /^bpf-iter-loader: ([^:]+): (E[A-Z0-9]+): (.*)$/.exec(l)).filter((m) => m !== null).pop();
  const log = lines.filter((l) => l.trim() && !/^(bpf-iter-loader: |libbpf: |processed \d+ insns|-- END PROG LOAD LOG --)/.test(l));
  return last ? { what: last[1], errno: last[2], message: last[3], log } : { what: 'running the loader', errno: 'EIO', message: firstLine(stderr), log };
}
