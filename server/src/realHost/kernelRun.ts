/**
 * `bpf-iter run --kernel`: the same program on the real kernel, as a user would run it by hand. Compiles the file
 * with the real clang using the file's build setup (lang/buildSetup.ts: the same include folders and defines the
 * simulator read it with), creates the scenario's maps with bpftool in a private bpffs directory, loads and pins the
 * iterator (`bpftool iter pin`), reads the pin (what `cat` does) and removes everything it made, also on error.
 * What bpftool's commands cannot do (globals before the load, per-CPU values that differ, map_extra, a program that
 * is not the object's first, generated entries) goes through our own loader instead (hostLoader.ts).
 * Where the host cannot or will not do it (no root, no clang, a sandbox's EPERM), the result says so in one line.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundledHeadersRoot } from '../lang/headers';
import { BuildSetup } from '../lang/buildSetup';
import { KEYLESS_MAP_TYPES, MAP_IN_MAP_TYPES, Scenario, encodeBytes, listedEntries } from '../exec/scenario';
import { CommandRunner, firstLine, loadErrno, realKernelUnavailable } from './hostTools';
import { HostRefusal, ObjectGlobal, keyBytes, loaderBinary, loaderFailure, loaderOrders } from './hostLoader';

export interface KernelSideResult {
  /** What reading the pinned iterator returned; null when it could not be read. */
  outputBytes: Uint8Array | null;
  error?: { errno: string; message: string };
  /** true when the host refused or could not run the program at all (no root, a tool missing, a sandbox's EPERM). */
  refused?: boolean;
}

export interface KernelRunRequest {
  file: string;
  setup: BuildSetup;
  scenario: Scenario;
  /** The SEC("iter/...") function to run and all of the file's, in file order (bpftool pins the object's first). */
  program: { name: string; target: string };
  programs: Array<{ name: string; target: string }>;
  /** The object's own map names: a scenario map without a type fills one of them, which bpftool cannot do. */
  objectMaps: string[];
  /** bpf_map_elem: the scenario map the program is attached to. */
  attachMap?: string;
  /** The program's global variables (section, offset, size): the scenario's globals are written there before the load. */
  globals?: readonly ObjectGlobal[];
  /** A map of the object is pinned by name (LIBBPF_PIN_BY_NAME): libbpf would pin it in /sys/fs/bpf. */
  pinsMaps?: boolean;
  /** Where the loader binary is cached (default ~/.cache/bpf-iter); tests may give a private folder. */
  loaderCache?: string;
  cpus: number;
  run: CommandRunner;
  /** Where the private directory goes (default /sys/fs/bpf) and the temporary build folder (default os.tmpdir()). */
  bpffs?: string;
  tmp?: string;
  /** Checks root, the tools and bpffs (default realKernelUnavailable); tests may replace it. */
  unavailable?: (tools: string[]) => string | null;
}


/** clang's command line for the file: the build setup's folders and defines, the bundled headers searched last. */
export function clangArguments(file: string, setup: BuildSetup, output: string): string[] {
  const o = setup.options;
  const args = ['-g', '-O2', '-target', 'bpf'];
  if (o.targetArch) args.push(`-D__TARGET_ARCH_${o.targetArch}`);
  for (const [name, value] of Object.entries(o.defines ?? {})) args.push(`-D${name}=${value}`);
  for (const name of o.undefines ?? []) args.push(`-U${name}`);
  if (o.languageStandard) args.push(`-std=${o.languageStandard}`);
  for (const p of o.quoteIncludePaths ?? []) args.push('-iquote', p);
  for (const p of o.includePaths ?? []) args.push('-I', p);
  for (const p of o.systemIncludePaths ?? []) args.push('-isystem', p);
  for (const p of o.afterIncludePaths ?? []) args.push('-idirafter', p);
  const bundled = o.useBundledHeaders ? bundledHeadersRoot() : undefined;
  if (bundled) args.push('-idirafter', bundled);
  for (const f of o.forcedIncludes ?? []) args.push('-include', f);
  args.push('-c', file, '-o', output);
  return args;
}

function bytesArgs(bytes: Uint8Array): string[] { return Array.from(bytes, (b) => String(b)); }


/** What no real-kernel run of ours can make as the scenario says: refused up front in one line, before anything is made. */
function unsupported(scenario: Scenario, req: KernelRunRequest): string | undefined {
  for (const m of scenario.maps) {
    if (m.type === undefined) return `the scenario fills the program's own map ${m.name}, which cannot be done before the load`;
    if (req.objectMaps.includes(m.name)) return `the scenario map ${m.name} has the name of one of the program's maps; on the real kernel they would be two maps`;
    if (m.btf) return `the scenario map ${m.name} needs BTF ("btf": true), which the real-kernel run cannot give a map`;
  }
  if (req.program.target === 'bpf_map_elem' && (!req.attachMap || !scenario.maps.some((m) => m.name === req.attachMap)))
    return `the attach map ${req.attachMap ?? '(none)'} is not a scenario map, and the iterator attaches only to a map that exists before the load`;
  return undefined;
}

/** What bpftool cannot do in its commands, so that the run goes through our loader (hostLoader.ts) instead. */
function bpftoolCannot(scenario: Scenario, req: KernelRunRequest): string | undefined {
  if (Object.keys(scenario.globals).length) return 'the scenario sets globals before the load, which bpftool iter pin cannot';
  for (const m of scenario.maps) {
    if (m.mapExtra) return `the scenario map ${m.name} sets map_extra, which bpftool map create cannot`;
    if (m.generate) return `the scenario map ${m.name} generates its entries, which would be one bpftool call each`;
    if (m.entriesFile !== undefined) return `the scenario map ${m.name} reads an entries file, which would be one bpftool call a record`;
    if (listedEntries(m).some((e) => e.values !== undefined || (e.value !== undefined && /percpu/.test(m.type!)))) {
      const perCpu = listedEntries(m).map((e) => e.values ?? (e.value !== undefined ? [e.value] : []));
      // bpftool map update writes one value into every CPU's slot: only a value given for every CPU alike fits
      if (!perCpu.every((vals) => vals.length === req.cpus && vals.every((v) => String(v) === String(vals[0]))))
        return `the scenario map ${m.name} gives CPUs different per-CPU values (or not one per each of this host's ${req.cpus} CPUs), and bpftool map update writes one value into every CPU`;
    }
  }
  if (req.pinsMaps) return 'a map of the object is pinned by name (LIBBPF_PIN_BY_NAME), which bpftool iter pin would leave in /sys/fs/bpf';
  const first = req.programs[0];
  if (first && first.name !== req.program.name) return `bpftool iter pin loads the object's first program (${first.name}), not ${req.program.name}`;
  return undefined;
}

/** The run through our loader: maps, globals, load, attach and read in one process that leaves nothing behind. */
function runWithLoader(req: KernelRunRequest, object: string, work: string, why: string, dir: string): KernelSideResult {
  const loader = loaderBinary(req.run, req.loaderCache);
  if ('why' in loader) return { outputBytes: null, refused: true, error: { errno: 'ENOTSUP', message: `the real kernel run cannot reproduce this: ${why}, and bpf-iter's loader cannot be built here: ${loader.why}` } };
  const ordersFile = path.join(work, 'orders');
  const outputFile = path.join(work, 'output');
  // a HostRefusal from the orders (a bad value, more per-CPU values than CPUs) is answered by runOnRealKernel's catch
  // maps pinned by name go into the private directory, removed with it (libbpf's pin_root_path)
  if (req.pinsMaps) fs.mkdirSync(dir);
  fs.writeFileSync(ordersFile, loaderOrders({ object, program: req.program.name, scenario: req.scenario, globals: req.globals ?? [], attachMap: req.program.target === 'bpf_map_elem' ? req.attachMap : undefined, cpus: req.cpus,
    ...(req.pinsMaps ? { pinRoot: dir } : {}) }));
  const r = req.run(loader.path, [ordersFile, outputFile]);
  if (r.status === 0) return { outputBytes: new Uint8Array(fs.readFileSync(outputFile)) };
  const failure = loaderFailure(r.stderr);
  if (failure.errno === 'EPERM') return { outputBytes: null, refused: true, error: { errno: 'EPERM', message: `the kernel refuses this here (${failure.what}: EPERM)` } };
  if (failure.what === 'loading the object') return { outputBytes: null, error: { errno: failure.errno, message: `the kernel refused the load: ${failure.log[failure.log.length - 1] ?? failure.message}` } };
  return { outputBytes: null, error: { errno: failure.errno, message: `${failure.what}: ${failure.message}` } };
}

/** The ids of the maps that exist now (`bpftool map list`), or undefined when bpftool does not say. */
function mapIds(run: CommandRunner): number[] | undefined {
  const r = run('bpftool', ['-j', 'map', 'list']);
  if (r.status !== 0) return undefined;
  try {
    const list = JSON.parse(r.stdout || '[]') as Array<{ id?: unknown }>;
    return Array.isArray(list) ? list.map((m) => m.id).filter((id): id is number => typeof id === 'number') : undefined;
  } catch {
    return undefined;
  }
}

function highestMapId(run: CommandRunner): number | undefined {
  const ids = mapIds(run);
  return ids === undefined ? undefined : ids.reduce((a, b) => Math.max(a, b), 0);
}

/** The map ids a pinned iterator's program holds (its used_maps), or undefined when bpftool does not say. */
export function iteratorMapIds(run: CommandRunner, iterPin: string): number[] | undefined {
  try {
    const link = JSON.parse(run('bpftool', ['-j', 'link', 'show', 'pinned', iterPin]).stdout) as { prog_id?: number };
    if (typeof link.prog_id !== 'number') return undefined;
    const prog = JSON.parse(run('bpftool', ['-j', 'prog', 'show', 'id', String(link.prog_id)]).stdout) as { map_ids?: number[] };
    return Array.isArray(prog.map_ids) ? prog.map_ids : [];
  } catch {
    return undefined;
  }
}

/**
 * `bpftool iter pin` closes the object as it exits, but libbpf's feature-probe maps and the object's maps the iterator
 * does not hold go only when the kernel's deferred frees of the programs that used them run, which may be after
 * bpftool has exited; a `cat` a moment later no longer sees them. Waits (at most 2 s) until the maps made since
 * `before` are only the iterator's, so the read sees what that cat sees.
 */
function settleAfterPin(run: CommandRunner, iterPin: string, before: number): void {
  const kept = iteratorMapIds(run, iterPin);
  if (kept === undefined) return;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let tries = 0; tries < 100; tries++) {
    const ids = mapIds(run);
    if (ids === undefined || !ids.some((id) => id > before && !kept.includes(id))) return;
    Atomics.wait(pause, 0, 0, 20);
  }
}

function must(run: CommandRunner, args: string[], what: string): void {
  const r = run('bpftool', args);
  if (r.status !== 0) {
    const errno = loadErrno(r.stderr);
    throw new HostRefusal(errno, `${what}: ${firstLine(r.stderr) || `bpftool exit status ${r.status}`}`, errno === 'EPERM');
  }
}

/** Creates and fills the scenario's maps as pinned maps in `dir` (file names m0, m1, ...: names may be empty). */
function createMaps(req: KernelRunRequest, dir: string): Map<string, string> {
  const pins = new Map<string, string>();
  const pinOf = (i: number) => path.join(dir, `m${i}`);
  req.scenario.maps.forEach((m, i) => {
    const pin = pinOf(i);
    const base = ['type', m.type!, 'key', String(m.key_size ?? 0), 'value', String(m.value_size ?? 0), 'entries', String(m.max_entries ?? 0), 'name', m.name, 'flags', String(m.flags)];
    if (m.innerMap !== undefined) {
      let template: string;
      let temporary = false;
      if (typeof m.innerMap === 'string') {
        const named = pins.get(m.innerMap);
        if (!named) throw new HostRefusal('EBADF', `scenario ${m.path}: inner_map "${m.innerMap}" must be a map defined before ${m.name}`, false);
        template = named;
      } else {
        // an inline template is created, used and dropped again, as libbpf does for __array(values, struct inner)
        const t = m.innerMap;
        template = `${pin}_inner`; // bpffs refuses names with a dot (bpf_lookup())
        temporary = true;
        must(req.run, ['map', 'create', template, 'type', t.type, 'key', String(t.key_size), 'value', String(t.value_size), 'entries', String(t.max_entries),
          'name', (t.name ?? `${m.name}.inner`).slice(0, 15), 'flags', String(t.flags)], `creating the inner map template of ${m.name}`);
      }
      try {
        must(req.run, ['map', 'create', pin, ...base, 'inner_map', 'pinned', template], `creating map ${m.name || '(unnamed)'}`);
      } finally {
        if (temporary) fs.rmSync(template, { force: true });
      }
    } else {
      must(req.run, ['map', 'create', pin, ...base], `creating map ${m.name || '(unnamed)'}`);
    }
    if (m.name !== '') pins.set(m.name, pin);
  });
  // entries after all maps exist, as the simulator fills them (a slot may name a map defined later)
  req.scenario.maps.forEach((m, i) => {
    const pin = pinOf(i);
    for (const e of listedEntries(m)) {
      const what = `scenario ${e.path}: updating map ${m.name || '(unnamed)'}`;
      if (KEYLESS_MAP_TYPES.has(m.type!)) {
        const v = encodeBytes(e.value ?? 0, m.value_size ?? 0);
        if (typeof v === 'string') throw new HostRefusal('EINVAL', `${what}: ${v}`, false);
        must(req.run, ['map', 'push', 'pinned', pin, 'value', ...bytesArgs(v)], what);
        continue;
      }
      const key = bytesArgs(keyBytes(e.key!, m.key_size ?? 0, what));
      if (MAP_IN_MAP_TYPES.has(m.type!)) {
        const inner = e.innerMap !== undefined ? pins.get(e.innerMap) : undefined;
        if (!inner) throw new HostRefusal('EINVAL', `${what}: "inner_map" must name a scenario map`, false);
        must(req.run, ['map', 'update', 'pinned', pin, 'key', ...key, 'value', 'pinned', inner], what);
        continue;
      }
      const raw = e.values?.[0] ?? e.value;
      const v = raw === undefined ? new Uint8Array(m.value_size ?? 0) : encodeBytes(raw, m.value_size ?? 0);
      if (typeof v === 'string') throw new HostRefusal('EINVAL', `${what}: ${v}`, false);
      must(req.run, ['map', 'update', 'pinned', pin, 'key', ...key, 'value', ...bytesArgs(v)], what);
    }
  });
  return pins;
}

/** Runs the program on the real kernel. Never throws for what the host says; removes what it made in every case. */
export function runOnRealKernel(req: KernelRunRequest): KernelSideResult {
  const why = (req.unavailable ?? realKernelUnavailable)(['clang', 'bpftool']);
  if (why) return { outputBytes: null, refused: true, error: { errno: 'EPERM', message: `the real kernel cannot be asked here: ${why}` } };
  const notHere = unsupported(req.scenario, req);
  if (notHere) return { outputBytes: null, refused: true, error: { errno: 'ENOTSUP', message: `the real kernel run cannot reproduce this: ${notHere}` } };
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const dir = path.join(req.bpffs ?? '/sys/fs/bpf', `bpf-iter-kernel-${tag}`);
  let work: string | undefined;
  try {
    work = fs.mkdtempSync(path.join(req.tmp ?? os.tmpdir(), 'bpf-iter-kernel-'));
    const object = path.join(work, `${path.basename(req.file).replace(/\.c$/, '')}.o`);
    const cc = req.run('clang', clangArguments(req.file, req.setup, object));
    if (cc.status !== 0) {
      const message = cc.stderr.split('\n').find((l) => /error:/.test(l)) ?? firstLine(cc.stderr);
      return { outputBytes: null, error: { errno: 'ECOMPILE', message: `clang: ${message.trim()}` } };
    }
    const needsLoader = bpftoolCannot(req.scenario, req);
    if (needsLoader) return runWithLoader(req, object, work, needsLoader, dir);
    fs.mkdirSync(dir);
    const pins = createMaps(req, dir);
    const before = highestMapId(req.run);
    const iter = path.join(dir, 'iter');
    const attach = req.program.target === 'bpf_map_elem' ? ['map', 'pinned', pins.get(req.attachMap!)!] : [];
    const pin = req.run('bpftool', ['iter', 'pin', object, iter, ...attach]);
    if (pin.status !== 0) {
      const errno = loadErrno(pin.stderr);
      if (errno === 'EPERM') return { outputBytes: null, refused: true, error: { errno, message: `the kernel refuses to load this program here (EPERM: ${firstLine(pin.stderr)})` } };
      // the verifier's last words are the reason; bpftool's own last line is only "failed to load object file"
      const log = pin.stderr.trim().split('\n').filter((l) => !/^(libbpf: |Error: |processed \d+ insns|-- END PROG LOAD LOG --)/.test(l) && l.trim());
      return { outputBytes: null, error: { errno, message: `the kernel refused the load: ${log[log.length - 1] ?? firstLine(pin.stderr)}` } };
    }
    if (before !== undefined) settleAfterPin(req.run, iter, before);
    try {
      return { outputBytes: new Uint8Array(fs.readFileSync(iter)) };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { outputBytes: null, error: { errno: err.code ?? 'EIO', message: `reading the pinned iterator fails: ${err.message}` } };
    }
  } catch (e) {
    if (e instanceof HostRefusal) return { outputBytes: null, refused: e.refused || undefined, error: { errno: e.errno, message: e.message } };
    const err = e as NodeJS.ErrnoException;
    return { outputBytes: null, error: { errno: err.code ?? 'EIO', message: err.message } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }
}
