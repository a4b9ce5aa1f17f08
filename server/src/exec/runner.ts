/**
 * The run driver: does on the simulated kernel what `bpftool iter pin prog.o PATH [map MAP]` + `cat PATH`
 * do on a real one. Creates the scenario's maps, then the object's maps as libbpf creates them (SEC(".maps")
 * maps in definition order, then the global-data maps .bss/.data/.rodata/.rodata.str1.1 with libbpf's
 * names and flags), loads the checked program, creates the iterator link (with the map for bpf_map_elem),
 * opens the iterator and reads it to EOF with the scenario's read size. Everything a user sees in the
 * panel or `bpf-iter run --json` comes from the kernel's own answers (link info, fdinfo, bpftool text).
 */
import { createHash } from 'crypto';
import { RunResult, MapSummary, RunErrorInfo } from '../../../shared/src/protocol';
import { Scenario, ScenarioProblem, encodeBytes, RawBytes, defaultScenario, defaultKernelObjects, isDefaultSystem } from './scenario';
import { machineFromScenario } from './scenarioProcesses';
import { worldSummary } from './worldSummary';
import { cgroupsFromJson, encodeCgroupLinkInfo } from './scenarioCgroups';
import { iterTargetInfo } from '../kernel/iterTargets';
import { mapTypeName } from '../kernel/mapTypes';
import { createScenarioMap, EntriesFileBytes, EntriesFileReader, fillScenarioMap, ScenarioMapError, ScenarioMapSpec } from './scenarioMaps';
import type { ReadAt } from './scenarioBulkJson';
import { compileProgram, CompiledProgram } from './jit';
import type { ExecRegion, Pointer, RuntimeValue } from './values';
import { objectsFromJson } from './scenarioObjects';
import { libbpfMaxEntries } from './libbpfMapDefs';
import { kconfigBytes } from '../kernel/kconfig';
import { ArrayMap, HashMap, Kernel, KernelError, BPF_MAP_TYPE, BPF_F, encodeMapLinkInfo, ERRNO, MAX_BPF_STACK, SIMULATED_ITER_TARGETS } from '../kernel';
import type { CallbackInvoker } from '../kernel/kernel';
import type { IterRunContext } from '../kernel/iter';

import type { DebugHooks } from './debugHooks';
import { type Loc, UNSIMULATED_VALUE } from '../lang/ir';
import { clangBuiltinInvoker } from './clangBuiltins';
import { SourceFile } from '../lang/sourceFile';
import { codeString, diagnosticOfCode } from '../lang/diagnostics';
import type { CheckResult } from '../lang/checker';
import type { FrontEndDiagnostic } from '../lang/diagnostics';
import type { PreprocessResult } from '../lang/preprocessor';
import type { LowerResult } from '../lang/lower';

/** What the run needs of a checked file (the service's Analysis has this shape). */
export interface CheckedFile {
  path: string;
  /** libbpf's object name for the file (lang/objectName.ts), which names the global-data maps. */
  objectName: string;
  text: string;
  mainFile: number;
  pp: Pick<PreprocessResult, 'files'>;
  lowered: Pick<LowerResult, 'program'>;
  programs: Array<{ name: string; target: string; sleepable: boolean; funcIndex: number; reachableFunctions: readonly number[]; usedMaps: ReadonlySet<string>; check?: CheckResult }>;
  /** The license is GPL-compatible: the loaded program may call GPL-only helpers. */
  gplCompatible: boolean;
  /** The global-data sections, each loaded as a map of that name (lang/programFacts.ts). */
  dataSections: ReadonlyArray<{ name: string; size: number; mapName: string }>;
  diagnostics: FrontEndDiagnostic[];
}

export interface RunRequest {
  analysis: CheckedFile;
  scenario: Scenario;
  scenarioProblems: ScenarioProblem[];
  scenarioPath?: string;
  /** The scenario file's text as the editor has it (possibly unsaved), for ranges of scenario problems. */
  scenarioText?: string;
  program?: string;
  map?: string;
  cpus?: number;
  readSize?: number;
  instructionBudget: number;
  /** Total output above which the run stops with ELIMIT (a program printing forever cannot fill memory). */
  maxOutputBytes?: number;
  isCancelled?: () => boolean;
  /** Reads a binary file (a scenario map's entries_file); the service passes its host's. */
  readBytes?: (path: string) => Uint8Array | undefined;
  /** Reads a binary file a piece at a time (preferred to readBytes: no buffer of the file's size); the service passes its host's. */
  readFileAt?: <T>(path: string, use: (read: ReadAt, size: number) => T) => T | undefined;
  /**
   * Called with the figures so far after every read(), and inside a long read() at most every
   * PROGRESS_POLL_MS (a program that prints little reads a million elements in one read()).
   */
  onProgress?: (stats: RunProgressStats) => void;
  /**
   * Takes each chunk of output as it is read instead of keeping it (outputBytes is then empty), so a huge output
   * is never held whole; a returned promise is awaited before the next read (a full pipe).
   */
  onOutput?: (chunk: Uint8Array) => void | Promise<void>;
  /** What the caller spent before the run: parsing the scenario (load) and analysing the file (check), in ms. */
  phaseMs?: { load: number; check: number };
  /** For the debugger: hooks run the program in the interpreter; `onInvocation` sees each program call's context. */
  debug?: { hooks: DebugHooks; onInvocation?(ctx: IterRunContext, kernel: Kernel): void };
}

/**
 * The run result plus the raw output bytes, which the CLI writes unchanged (a program may print any byte).
 * `output` is already the text or null; the base64/hex copies of a binary output are made only where the result
 * leaves the process (`runResultForWire`), so a plain `bpf-iter run` never builds them.
 */
export interface RunOutcome extends Omit<RunResult, 'output_base64' | 'output_hex'> { outputBytes: Uint8Array }

/** The output as text when it is valid UTF-8 (a leading BOM kept, not stripped), else null. */
export function outputText(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** What `bpf-iter run --json` prints and `bpfIter/run` returns: a binary output travels as base64 and hex. */
export function runResultForWire(outcome: RunOutcome): RunResult {
  const { outputBytes, output, ...rest } = outcome;
  if (output !== null) return { output, ...rest };
  const bytes = Buffer.from(outputBytes.buffer, outputBytes.byteOffset, outputBytes.byteLength);
  return { output, output_base64: bytes.toString('base64'), output_hex: bytes.toString('hex'), ...rest };
}

export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** How a run is going: objects shown, of `total` when the walk's length is known at attach, output bytes, ms in the read loop. */
export interface RunProgressStats { objects: number; bytes: number; reads: number; total?: number; elapsedMs: number; target?: string }
/** How often a read() that shows many objects reports progress from inside (checked every 256 program calls). */
export const PROGRESS_POLL_MS = 100;
const MAX_ENTRIES_SHOWN = 1000;

/** Thrown out of a program invocation to abort the read loop with the executor's error. */
class ProgramFault extends Error {
  constructor(readonly info: { kind: string; message: string; loc: Loc }) { super(info.message); }
}

class RunFailure extends Error {
  constructor(readonly errno: string, message: string, readonly loc?: Loc, readonly scenarioOffset?: { offset: number; length: number }) { super(message); }
}

export async function runIterator(req: RunRequest): Promise<RunOutcome> {
  const started = Date.now();
  const timings: { load: number; check: number; compile: number; iterate: number; output: number; iterateCpu?: number } =
    { load: req.phaseMs?.load ?? 0, check: req.phaseMs?.check ?? 0, compile: 0, iterate: 0, output: 0 };
  const stats = { objects: 0, bytes: 0, reads: 0, instructions: 0, timeMs: 0, timings };
  /** the clock of the phase under way (performance.now(): sub-millisecond, monotonic) */
  let phaseStart = performance.now();
  let phaseCpu = process.cpuUsage();
  const endPhase = (phase: 'load' | 'compile' | 'iterate'): void => {
    const now = performance.now();
    timings[phase] += now - phaseStart;
    phaseStart = now;
    const cpu = process.cpuUsage(phaseCpu);
    if (phase === 'iterate') timings.iterateCpu = (timings.iterateCpu ?? 0) + (cpu.user + cpu.system) / 1000;
    phaseCpu = process.cpuUsage();
  };
  let kernel: Kernel | undefined;
  let linkFd: number | undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const finish = (error: RunErrorInfo | null): RunOutcome => {
    const outputStart = performance.now();
    // streamed output (onOutput) is not kept: the bytes here are the kept chunks only (a 1 GB stream made a
    // 1 GB array of zeros here, and its text)
    const outputBytes = concat(chunks, req.onOutput ? 0 : total);
    stats.bytes = total;
    let link: RunResult['link'] = null;
    let bpftool = '', bpftoolJson = '[]', fdinfo = '';
    if (kernel && linkFd !== undefined) {
      try {
        const info = kernel.linkInfo(linkFd);
        link = { id: info.id, prog_id: info.progId, target_name: info.targetName, ...(info.mapId !== undefined ? { map_id: info.mapId } : {}) };
        bpftool = kernel.bpftoolLinkShow();
        bpftoolJson = kernel.bpftoolLinkShowJson();
        fdinfo = kernel.linkFdinfo(linkFd);
      } catch { /* the link is reported as absent */ }
    }
    const output = outputText(outputBytes);
    const maps = kernel ? mapSummaries(kernel) : [];
    const world = kernel ? worldSummary(kernel) : undefined;
    timings.output = performance.now() - outputStart;
    for (const k of Object.keys(timings) as Array<keyof typeof timings>) timings[k] = Math.round(timings[k]! * 10) / 10;
    stats.timeMs = Date.now() - started;
    return { output, outputBytes, link, bpftool, bpftoolJson, fdinfo, maps, ...(world ? { world } : {}), trace: kernel ? kernel.traceLog.slice() : [], stats, error };
  };
  const a = req.analysis;
  let walkTotal: number | undefined;
  let loopStart = 0, lastProgress = 0;
  let walkTarget: string | undefined;
  const progressNow = (now: number): RunProgressStats => ({ objects: stats.objects, bytes: total, reads: stats.reads, total: walkTotal, elapsedMs: now - loopStart, target: walkTarget });
  const progressInsideRead = (): void => {
    const now = performance.now();
    if (loopStart === 0 || now - lastProgress < PROGRESS_POLL_MS) return;
    lastProgress = now;
    req.onProgress!(progressNow(now));
  };
  const lines = lineMap(a.text);
  const errorAt = (errno: string, message: string, loc?: Loc): RunErrorInfo => {
    if (!loc) return { errno, message };
    const file = a.pp.files[loc.file];
    if (!file) return { errno, message };
    const map = loc.file === a.mainFile ? lines : lineMap(file.text);
    return { errno, message, file: file.path, range: map.range(loc.pos, loc.end) };
  };

  if (req.scenarioProblems.length) {
    const p = req.scenarioProblems[0];
    const located = req.scenarioPath !== undefined && p.offset !== undefined && req.scenarioText !== undefined;
    // A located error is shown after its file:line:col (the CLI, the panel): the message does not name the file again.
    const where = req.scenarioPath && !located ? `${req.scenarioPath}: ` : '';
    const info: RunErrorInfo = { errno: 'EINVAL', message: `${where}${p.path || '/'}: ${p.message}` };
    if (located) {
      info.file = req.scenarioPath;
      info.range = lineMap(req.scenarioText!).range(p.offset!, p.offset! + (p.length ?? 0));
    }
    return finish(info);
  }

  // What clang would refuse never reaches the kernel. The program-shape errors clang compiles (a missing license,
  // an unknown target, a wrong ctx type) are refused at load time instead: with their declared errno.
  const frontEndErrors = a.diagnostics.filter((d) => d.category === 'error' && d.code < 2000);
  const compileError = frontEndErrors.find((d) => diagnosticOfCode(d.code)?.loadErrno === undefined);
  if (compileError) {
    return finish(errorAt('ECOMPILE', `${codeString(compileError.code)}: ${compileError.message} (clang would not compile this file)`, compileError));
  }
  if (frontEndErrors.length) {
    const loadError = frontEndErrors[0];
    return finish(errorAt(diagnosticOfCode(loadError.code)!.loadErrno!, `the kernel refuses the load: ${codeString(loadError.code)}: ${loadError.message}`, loadError));
  }
  const entry = req.program
    ? a.programs.find((p) => p.name === req.program)
    : a.programs.find((p) => p.target === 'bpf_map' || p.target === 'bpf_map_elem') ?? a.programs[0];
  if (!entry) {
    return finish({ errno: 'ENOENT', message: req.program ? `no SEC("iter/...") program named ${req.program} in this file` : 'this file has no SEC("iter/...") program' });
  }
  // A construct the simulator cannot run is a warning on it; only a program that needs it is refused.
  for (const func of entry.reachableFunctions) {
    const missing = a.lowered.program.functions[func].unsupported?.[0];
    if (missing) {
      const via = func === entry.funcIndex ? '' : ` (in ${a.lowered.program.functions[func].name}, which ${entry.name} calls)`;
      return finish(errorAt('ENOTSUP', `${entry.name} needs ${missing.what}${via}, which bpf-iter-lab cannot simulate yet`, missing.loc));
    }
  }
  if (!SIMULATED_ITER_TARGETS.includes(entry.target)) {
    return finish(errorAt('ENOTSUP', `iterator target ${entry.target} is not simulated (the simulated kernel runs ${SIMULATED_ITER_TARGETS.join(', ')})`, a.lowered.program.functions[entry.funcIndex].loc));
  }
  const verifierError = entry.check?.diagnostics.find((d) => d.category === 'error' && d.code < 3000);
  if (verifierError) {
    // the errno bpf(BPF_PROG_LOAD) gives for this refusal: EACCES unless the diagnostic names another
    return finish(errorAt(diagnosticOfCode(verifierError.code)?.loadErrno ?? 'EACCES', `the verifier rejects ${entry.name}: ${verifierError.message}`, verifierError));
  }
  // bpf_object__load() loads every program of the object (bpftool iter pin, a skeleton's load): one the verifier
  // refuses fails the load of all, the one run included
  for (const other of a.programs) {
    const refused = other === entry ? undefined : other.check?.diagnostics.find((d) => d.category === 'error' && d.code < 3000);
    if (refused) {
      return finish(errorAt(diagnosticOfCode(refused.code)?.loadErrno ?? 'EACCES', `the verifier rejects ${other.name}, another program of this object, which libbpf loads with ${entry.name}: ${refused.message}`, refused));
    }
  }

  phaseStart = performance.now(); // creating and filling the maps is part of load
  try {
    const cpus = req.cpus ?? req.scenario.cpus;
    kernel = new Kernel({ cpus, currentCpu: Math.min(req.scenario.cpu, cpus - 1), hashSeed: req.scenario.hashSeed });
    if (req.scenario.network) kernel.setNetwork(req.scenario.network);
    // the machine's processes (the scenario's, else the default system's), walked by the task targets
    const processes = req.scenario.processes ?? defaultScenario().processes ?? [];
    kernel.setMachine(machineFromScenario(processes, req.scenario.mounts));
    // the cgroup hierarchy (the scenario's, else the default system's), walked by the cgroup target, with the cgroups
    // the processes are in
    const cgroupList = req.scenario.cgroups ?? defaultScenario().cgroups ?? [];
    const taskCgroups = processes.flatMap((p) => (p.cgroup !== undefined ? [{ path: p.cgroup }] : []));
    kernel.setCgroups(cgroupsFromJson([...cgroupList, ...taskCgroups]));
    // the kernel's programs, links, symbols, slab caches and dma-bufs (iter/bpf_prog, bpf_link, ksym, kmem_cache, dmabuf)
    kernel.setObjects(objectsFromJson(req.scenario.kernelObjects, defaultKernelObjects()));
    const ir = a.lowered.program;
    // A scenario file fills the program's maps by name. The default system's maps belong to the tools it runs: a
    // program's own `events` or `counts` is another map of the same name, as libbpf creates an object's maps anew.
    const fillsProgramMaps = !isDefaultSystem(req.scenario);
    const programMapNames = new Set(fillsProgramMaps ? ir.maps.map((m) => m.name) : []);

    // Scenario maps that are not the program's own exist first: they get the lower ids. They are filled once all
    // exist, so map-in-map entries may name maps defined later in the file.
    const scenarioFds = new Map<string, number>();
    const toFill: Array<[number, typeof req.scenario.maps[number]]> = [];
    for (const m of req.scenario.maps) {
      if (programMapNames.has(m.name)) continue;
      if (!m.type || m.key_size === undefined || m.value_size === undefined || m.max_entries === undefined) {
        throw new RunFailure('EINVAL', `scenario map ${m.name} (${m.path}) needs type, key_size, value_size and max_entries: the program does not define a map of that name`);
      }
      const fd = createMap(kernel, { name: m.name, type: m.type, key_size: m.key_size, value_size: m.value_size, max_entries: m.max_entries, flags: m.flags,
        mapExtra: m.mapExtra, btf: m.btf, innerMap: m.innerMap }, m.path, scenarioFds);
      if (m.name !== '') scenarioFds.set(m.name, fd);
      toFill.push([fd, m]);
    }
    for (const [fd, m] of toFill) fillMap(kernel, fd, m, scenarioFds, req);

    // The object's maps, as libbpf creates them: .maps first, then global data in section order.
    const mapFds = new Map<string, number>();
    for (const m of ir.maps) {
      const fromScenario = fillsProgramMaps ? req.scenario.maps.find((s) => s.name === m.name) : undefined;
      const fd = createMap(kernel, {
        name: m.name.slice(0, 15), type: Number(m.type), key_size: m.key_size, value_size: m.value_size,
        max_entries: libbpfMaxEntries(Number(m.type), m.max_entries, kernel.cpus),
        flags: m.map_flags, btf: m.btf,
        // libbpf creates a map of maps with a template of its `__array(values, ...)` type, then closes the template
        ...(m.inner ? { innerMap: { name: `${m.name}.inner`.slice(0, 15), type: mapTypeName(Number(m.inner.type)), key_size: m.inner.key_size,
          value_size: m.inner.value_size, max_entries: m.inner.max_entries, flags: m.inner.map_flags } } : {}),
      }, `the map ${m.name} defined at line ${lines.position(m.loc.pos).line + 1}`);
      if (fromScenario) {
        for (const [field, value] of [['key_size', m.key_size], ['value_size', m.value_size], ['max_entries', m.max_entries]] as const) {
          const given = fromScenario[field];
          if (given !== undefined && given !== value) throw new RunFailure('EINVAL', `scenario map ${m.name} says ${field} ${given}, but the program defines it with ${value}`);
        }
        fillMap(kernel, fd, { ...fromScenario, name: m.name }, scenarioFds, req);
      }
      mapFds.set(m.name, fd);
    }
    // mirrors libbpf's init_map_in_map_slots(): `.values = { [i] = &map }` once every map of the object exists
    for (const m of ir.maps) {
      for (const slot of m.slots ?? []) {
        const inner = mapFds.get(slot.map);
        if (inner === undefined) continue;
        kernel.mapUpdate(mapFds.get(m.name)!, new Uint8Array(new Uint32Array([slot.index]).buffer), new Uint8Array(new Uint32Array([inner]).buffer));
      }
    }
    const sections = new Map<string, ExecRegion>();
    const stringPointers: Pointer[] = [];
    for (const section of a.dataSections) {
      // libbpf's bpf_object__init_internal_map(): .rodata* and .kconfig are BPF_F_RDONLY_PROG
      const readonly = section.name.startsWith('.rodata') || section.name === '.kconfig';
      const internal = section.mapName;
      const fd = kernel.createMap({
        type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: section.size, maxEntries: 1, name: internal,
        flags: readonly ? BPF_F.RDONLY_PROG | BPF_F.MMAPABLE : BPF_F.MMAPABLE,
      });
      const map = kernel.mapFromFd(fd);
      const addr = map.lookupAddr(new Uint8Array(4), kernel.currentCpu);
      const found = kernel.memory.find(addr);
      if (!found) throw new RunFailure('EFAULT', `no memory behind the ${section.name} map`);
      const region = found.offset === 0 ? found.region : subRegion(found.region as ExecRegion, found.offset, section.size);
      sections.set(section.name, region as ExecRegion);
      mapFds.set(section.name, fd);
    }
    // Initial values: the object's initializers, then the scenario's globals (a skeleton's writes before load).
    for (const g of ir.globals) {
      const region = sections.get(g.section);
      if (region && g.init) region.bytes.set(g.init.subarray(0, g.size), g.offset);
      // `extern ... __kconfig`: libbpf fills the .kconfig map from the kernel's configuration before the load
      const kconfig = region && g.section === '.kconfig' ? kconfigBytes(g.name, g.size) : undefined;
      if (kconfig) region!.bytes.set(kconfig, g.offset);
    }
    for (const [name, raw] of Object.entries(req.scenario.globals)) {
      const g = ir.globals.find((x) => x.name === name);
      if (!g) throw new RunFailure('EINVAL', `scenario global ${name}: the program has no global variable of that name`);
      const bytes = encodeBytes(raw as RawBytes, g.size);
      if (typeof bytes === 'string') throw new RunFailure('EINVAL', `scenario global ${name}: ${bytes}`);
      sections.get(g.section)?.bytes.set(bytes, g.offset);
    }
    // mirrors libbpf's bpf_object__populate_internal_map(): the read-only maps are frozen once filled
    for (const section of a.dataSections) {
      if (section.name.startsWith('.rodata') || section.name === '.kconfig') kernel.mapFreeze(mapFds.get(section.name)!);
    }
    const strRegion = sections.get('.rodata.str1.1');
    let strOffset = 0;
    for (const s of ir.strings) {
      if (strRegion) { strRegion.bytes.set(s, strOffset); stringPointers.push({ region: strRegion, offset: strOffset }); }
      strOffset += s.length;
    }
    const mapPointers = new Map<string, Pointer>();
    for (const m of ir.maps) mapPointers.set(m.name, { region: kernel.mapFromFd(mapFds.get(m.name)!).region as ExecRegion, offset: 0 });

    endPhase('load');
    // Load: the checker's access maxima are what the verifier records in prog->aux.
    const compiled: CompiledProgram = compileProgram(ir, req.debug ? { hooks: req.debug.hooks } : {});
    endPhase('compile');
    const onInvocation = req.debug?.onInvocation;
    const k = kernel;
    let invocations = 0;
    let ctxArgs: RuntimeValue[] | undefined;
    const env = {
      memory: k.memory,
      helpers: (name: string, args: bigint[], callback: CallbackInvoker) => callHelper(k, name, args, callback),
      directHelpers: {
        bpf_seq_printf: (seqR: ExecRegion | null, seqO: number, fmtR: ExecRegion | null, fmtO: number, fmtSize: number, dataR: ExecRegion | null, dataO: number, dataLen: number) =>
          k.seqPrintfAt(seqR, seqO, fmtR, fmtO, fmtSize, dataR, dataO, dataLen),
      },
      sections, strings: stringPointers, maps: mapPointers,
      // The BPF stack is kernel memory too: helpers read the u64 argument array of BPF_SEQ_PRINTF from it. Frames
      // hold every declared local; clang may keep fewer bytes (checker/stackSlices.ts), so a checked program whose
      // declared frames pass 512 bytes gets room for all of them (the checker enforces the kernel's limit).
      stack: k.memory.alloc(Math.max(MAX_BPF_STACK, declaredStackBound(ir)), 'BPF program stack') as ExecRegion,
      instructionBudget: req.instructionBudget,
      isCancelled: req.isCancelled,
    };
    const progFd = kernel.loadProgram({
      name: entry.name.slice(0, 15),
      attachTarget: entry.target,
      sleepable: entry.sleepable,
      maxRdonlyAccess: entry.check?.maxRdonlyAccess ?? 0,
      maxRdwrAccess: entry.check?.maxRdwrAccess ?? 0,
      gplCompatible: a.gplCompatible,
      fingerprint: createHash('sha256').update(a.text).update(entry.name).digest('hex'),
      run(ctx: IterRunContext): bigint {
        invocations++;
        // The executor polls cancellation inside long invocations; short ones are checked here, every 256.
        if ((invocations & 255) === 0) {
          if (req.isCancelled?.()) throw new ProgramFault({ kind: 'cancelled', message: 'the run was cancelled', loc: a.lowered.program.functions[entry.funcIndex].loc });
          if (req.onProgress) progressInsideRead();
        }
        if (!ctx.inStop) stats.objects++;
        if (onInvocation !== undefined) onInvocation(ctx, k);
        // one argument list per ctx region (a session's every call uses the same one)
        if (ctxArgs === undefined || (ctxArgs[0] as Pointer).region !== ctx.ctxRegion) ctxArgs = [{ region: ctx.ctxRegion as ExecRegion, offset: 0 }];
        const outcome = compiled.run(entry.funcIndex, ctxArgs, env);
        stats.instructions += compiled.instructionsUsed;
        if (!outcome.ok) throw new ProgramFault(outcome.error);
        return outcome.value;
      },
    });

    // mirrors resolve_pseudo_ldimm64(): the loaded program holds a reference on every map its code names (used_maps)
    for (const name of entry.usedMaps) {
      const fd = mapFds.get(name);
      if (fd !== undefined) kernel.mapInc(kernel.mapFromFd(fd));
    }

    // Attach (bpf_iter_attach_map for bpf_map_elem).
    if (iterTargetInfo(entry.target)?.attach === 'map') {
      const mapName = req.map ?? req.scenario.attachMap ?? (ir.maps.length === 1 ? ir.maps[0].name : undefined);
      if (!mapName) throw new RunFailure('EBADF', 'a bpf_map_elem iterator needs a map: give --map NAME (or "attach": {"map": NAME} in the scenario); bpf_iter_attach_map() refuses map_fd 0 with EBADF');
      // the program's own map first: beside the default system's maps a name may be there twice
      const ownFd = mapFds.get(mapName);
      const mapId = ownFd !== undefined ? kernel.mapFromFd(ownFd).id : kernel.listMaps().find((m) => m.name === mapName.slice(0, 15))?.id;
      if (mapId === undefined) throw new RunFailure('EBADF', `no map named ${mapName} in the simulated kernel (the program's maps: ${ir.maps.map((m) => m.name).join(', ') || 'none'}; the scenario's: ${req.scenario.maps.map((m) => m.name).join(', ') || 'none'})`);
      const mapFd = kernel.mapGetFdById(mapId);
      try {
        linkFd = kernel.createIterLink(progFd, { iterInfo: encodeMapLinkInfo(mapFd), iterInfoLen: 16 });
        kernel.close(mapFd); // the link holds its own map reference (bpf_iter_attach_map())
      } catch (e) {
        if (e instanceof KernelError && e.code === 'EACCES') {
          const loc = entry.check?.attachError?.loc ?? (entry.check?.maxRdonlyLoc && (entry.check.maxRdwrLoc === undefined) ? entry.check.maxRdonlyLoc : entry.check?.maxRdwrLoc ?? entry.check?.maxRdonlyLoc);
          throw new RunFailure('EACCES', `attaching ${entry.name} to map ${mapName} fails: ${entry.check?.attachError?.message ?? e.message}`, loc);
        }
        throw e;
      }
    } else if (iterTargetInfo(entry.target)?.attach === 'task' && req.scenario.attachTask) {
      // union bpf_iter_link_info.task: { __u32 tid; __u32 pid; __u32 pid_fd; }
      const info = new Uint8Array(12);
      const view = new DataView(info.buffer);
      view.setUint32(0, req.scenario.attachTask.tid ?? 0, true);
      view.setUint32(4, req.scenario.attachTask.pid ?? 0, true);
      linkFd = kernel.createIterLink(progFd, { iterInfo: info, iterInfoLen: info.length });
    } else if (iterTargetInfo(entry.target)?.attach === 'cgroup' && req.scenario.attachCgroup) {
      // union bpf_iter_link_info.cgroup: a directory opened for cgroup_fd (closed once the link holds the cgroup)
      const c = req.scenario.attachCgroup;
      const cgroupFd = c.cgroup !== undefined ? kernel.openCgroup(c.cgroup) : 0;
      try {
        linkFd = kernel.createIterLink(progFd, { iterInfo: encodeCgroupLinkInfo(c.order, cgroupFd, c.cgroup_id ?? 0), iterInfoLen: 16 });
      } finally { if (cgroupFd) kernel.close(cgroupFd); }
    } else {
      // a cgroup program without "attach" gets what `bpftool iter pin` gives it: no order, so EINVAL
      try {
        linkFd = kernel.createIterLink(progFd);
      } catch (e) {
        if (e instanceof KernelError && iterTargetInfo(entry.target)?.attach === 'cgroup') {
          throw new RunFailure(e.code, `${e.message}; give it in the scenario: "attach": {"order": "descendants_pre"} (and "cgroup": PATH or "cgroup_id": N to start below the root)`);
        }
        throw e;
      }
    }

    // `bpftool iter pin` exits here: libbpf's map fds close, so the object's maps keep only the program's
    // references (usercnt 0), and a map the program never names is freed, as on the real kernel; a map libbpf
    // pinned by name (LIBBPF_PIN_BY_NAME) stays, held by its pin
    const pinned = new Set(ir.maps.filter((m) => m.pinned).map((m) => m.name));
    for (const [name, fd] of mapFds) if (!pinned.has(name)) kernel.close(fd);
    mapFds.clear();

    // cat: read() until 0.
    const iterFd = kernel.createIter(linkFd);
    walkTotal = walkLength(kernel, entry.target, linkFd);
    walkTarget = entry.target;
    loopStart = performance.now();
    lastProgress = loopStart;
    const readSize = req.readSize ?? req.scenario.readSize;
    const maxOutput = req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    for (;;) {
      // Between read() calls the event loop runs, so a server can receive `$/cancelRequest` while this runs.
      if (req.isCancelled) await new Promise<void>((resolve) => setImmediate(resolve));
      if (req.isCancelled?.()) throw new RunFailure('ECANCELED', 'the run was cancelled');
      let got: Uint8Array | number;
      try {
        got = kernel.readIterRaw(iterFd, readSize);
      } catch (e) {
        if (e instanceof ProgramFault) {
          const kindErrno = e.info.kind === 'budget' ? 'ELIMIT' : e.info.kind === 'cancelled' ? 'ECANCELED' : 'EFAULT';
          throw new RunFailure(kindErrno, e.info.message, e.info.loc);
        }
        throw e;
      }
      stats.reads++;
      if (typeof got === 'number') {
        const name = errnoName(-got);
        throw new RunFailure(name, readErrorText(name, readSize));
      }
      if (got.length === 0) break;
      total += got.length;
      if (req.onOutput) {
        const wait = req.onOutput(got);
        if (wait) await wait;
      } else chunks.push(got);
      if (req.onProgress) { lastProgress = performance.now(); req.onProgress(progressNow(lastProgress)); }
      if (total > maxOutput) throw new RunFailure('ELIMIT', `the output passed ${maxOutput} bytes; the run was stopped (raise the limit with --max-output or the bpfIter.maxOutputBytes setting)`);
    }
    kernel.close(iterFd);
    endPhase('iterate');
    return finish(null);
  } catch (e) {
    if (e instanceof RunFailure) return finish(errorAt(e.errno, e.message, e.loc));
    if (e instanceof KernelError) return finish({ errno: e.code, message: e.message });
    if (e instanceof ProgramFault) return finish(errorAt('EFAULT', e.info.message, e.info.loc));
    throw e;
  }
}

function lineMap(text: string) {
  const f = new SourceFile(-1, '', text);
  return {
    position: (o: number) => f.offsetToPosition(o),
    range: (pos: number, end: number) => ({ start: f.offsetToPosition(pos), end: f.offsetToPosition(end) }),
  };
}

/**
 * The objects a walk will show, when known before it starts: the attached map's elements for bpf_map_elem
 * (an array's max_entries), every map for bpf_map; undefined for the other targets.
 */
function walkLength(kernel: Kernel, target: string, linkFd: number): number | undefined {
  if (target === 'bpf_map') return kernel.listMaps().length;
  if (target !== 'bpf_map_elem') return undefined;
  const mapId = kernel.linkInfo(linkFd).mapId;
  const map = mapId === undefined ? undefined : kernel.mapById(mapId);
  if (map instanceof HashMap) return map.count;
  if (map instanceof ArrayMap) return map.maxEntries;
  return undefined;
}

function createMap(kernel: Kernel, m: ScenarioMapSpec, where: string, fdsByName: ReadonlyMap<string, number> = new Map()): number {
  try {
    return createScenarioMap(kernel, m, where, fdsByName);
  } catch (e) {
    if (e instanceof ScenarioMapError) throw new RunFailure(e.errno, e.message);
    throw e;
  }
}

function fillMap(kernel: Kernel, fd: number, m: Scenario['maps'][number], fdsByName: ReadonlyMap<string, number>,
  files: Pick<RunRequest, 'readBytes' | 'readFileAt'>): void {
  try {
    const fill = (file?: EntriesFileBytes | EntriesFileReader): void => fillScenarioMap(kernel, fd, m.integerEntries ?? m.entries, m.name, fdsByName, m.path, m.generate, file);
    const entriesFile = m.entriesFile;
    if (entriesFile === undefined) { fill(); return; }
    const cannot = (): RunFailure => new RunFailure('ENOENT', `scenario ${m.path}/entries_file of map ${m.name}: cannot read the entries file ${entriesFile}`);
    if (files.readFileAt) {
      if (files.readFileAt(entriesFile, (read, size) => { fill({ path: entriesFile, size, read }); return true; }) === undefined) throw cannot();
      return;
    }
    const bytes = files.readBytes?.(entriesFile);
    if (!bytes) throw cannot();
    fill({ path: entriesFile, bytes });
  } catch (e) {
    if (e instanceof ScenarioMapError) throw new RunFailure(e.errno, e.message);
    throw e;
  }
}

type HelperInvoker = (args: bigint[], callback: CallbackInvoker) => bigint | number;
/** Each kernel's helpers as invokers, made once per name (a printf per element looked its conversions up per call). */
const helperInvokers = new WeakMap<Kernel, Map<string, HelperInvoker>>();

function callHelper(kernel: Kernel, name: string, args: bigint[], callback: CallbackInvoker): bigint | number {
  let invokers = helperInvokers.get(kernel);
  if (invokers === undefined) helperInvokers.set(kernel, invokers = new Map());
  let invoke = invokers.get(name);
  if (invoke === undefined) invokers.set(name, invoke = helperInvoker(kernel, name));
  return invoke(args, callback);
}

function helperInvoker(kernel: Kernel, name: string): HelperInvoker {
  const h = kernel.helpers as unknown as Record<string, (...a: Array<bigint | number | CallbackInvoker>) => bigint | number>;
  const fn = Object.prototype.hasOwnProperty.call(h, name) ? h[name] : undefined;
  if (fn) {
    // Integer parameters that the kernel API takes as numbers (sizes, lengths) arrive as u64.
    const numbers = NUMBER_ARGS[name] ?? [];
    const convert = (args: bigint[]): Array<bigint | number> => {
      if (numbers.length === 0) return args;
      const converted: Array<bigint | number> = args.slice();
      for (const i of numbers) if (i < args.length) converted[i] = Number(BigInt.asUintN(32, args[i]));
      return converted;
    };
    // helpers that call the program back get the way to do it after their own arguments
    if (CALLBACK_HELPERS.has(name)) return (args, callback) => fn(...convert(args), callback);
    return (args) => fn(...convert(args));
  }
  const builtin = clangBuiltinInvoker(name, (address, limit) => kernel.memory.readString(address, limit),
    (message) => { throw new ProgramFault({ kind: 'fault', message, loc: { file: 0, pos: 0, end: 0 } }); });
  if (builtin) return builtin;
  // The checker rejects helpers that are not allowed; one the simulator lacks is a clear run error.
  const message = name === UNSIMULATED_VALUE ? 'the program reached a construct bpf-iter-lab cannot simulate (the BPF1390 warning says which)' : `helper ${name} is not simulated`;
  return () => { throw new ProgramFault({ kind: 'helper', message, loc: { file: 0, pos: 0, end: 0 } }); };
}

/** Which positional arguments of each kernel helper function are plain numbers (u32 sizes, lengths, flags). */
const NUMBER_ARGS: Record<string, number[]> = {
  bpf_seq_printf: [2, 4], bpf_seq_write: [2], bpf_snprintf: [1, 4], bpf_map_update_elem: [3],
  bpf_probe_read_kernel: [1], bpf_probe_read_kernel_str: [1], bpf_probe_read: [1], bpf_probe_read_str: [1], bpf_trace_printk: [1], bpf_trace_vprintk: [1, 3],
  bpf_d_path: [2], bpf_copy_from_user_task: [1], bpf_copy_from_user_task_str: [1], bpf_get_task_stack: [2],
};

/** Helpers with an ARG_PTR_TO_FUNC argument: their kernel function calls the program's callback. */
const CALLBACK_HELPERS = new Set(['bpf_loop', 'bpf_for_each_map_elem', 'bpf_find_vma']);

function subRegion(region: ExecRegion, offset: number, size: number): ExecRegion {
  const bytes = region.bytes.subarray(offset, offset + size);
  return { addr: region.addr + BigInt(offset), bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), readonly: region.readonly, label: region.label };
}

function errnoName(n: number): string {
  const entry = Object.entries(ERRNO).find(([, v]) => v === n);
  return entry ? entry[0] : `errno ${n}`;
}

function readErrorText(name: string, readSize: number): string {
  switch (name) {
    case 'E2BIG': return `read() failed with E2BIG: one object's output does not fit the seq_file buffer (32768 bytes, of which 32767 usable), so it can never be returned (bpf_seq_read)`;
    case 'EAGAIN': return 'read() failed with EAGAIN: the program returned 1 for the first object of a read, or 1,000,000 objects were shown without output (bpf_seq_read)';
    default: return `read(${readSize}) failed with ${name}`;
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function mapSummaries(kernel: Kernel): MapSummary[] {
  return kernel.listMaps().map((info) => {
    const summary: MapSummary = {
      id: info.id, name: info.name, type: info.typeName, key_size: info.keySize, value_size: info.valueSize,
      max_entries: info.maxEntries, flags: info.flags, elements: 0,
    };
    let fd: number | undefined;
    try {
      fd = kernel.mapGetFdById(info.id);
      const map = kernel.mapFromFd(fd);
      const entries: NonNullable<MapSummary['entries']> = [];
      let key: Uint8Array | null = null;
      let count = 0;
      // a hash or array map knows its element count (htab->count, max_entries): walk only the keys shown
      const known = map instanceof HashMap ? map.count : map instanceof ArrayMap ? map.maxEntries : undefined;
      for (;;) {
        if (known !== undefined && entries.length >= MAX_ENTRIES_SHOWN) { count = known; break; }
        const next = kernel.mapGetNextKey(fd, key);
        if (!next) break;
        count++;
        if (entries.length < MAX_ENTRIES_SHOWN) {
          let value: Uint8Array | undefined;
          try { value = kernel.mapLookup(fd, next); } catch { value = undefined; }
          if (value && map.isPercpu) {
            const stride = Math.ceil(map.valueSize / 8) * 8;
            entries.push({ key: hexBytes(next), values: Array.from({ length: kernel.cpus }, (_, c) => hexBytes(value!.subarray(c * stride, c * stride + map.valueSize))) });
          } else {
            entries.push({ key: hexBytes(next), value: value ? hexBytes(value) : undefined });
          }
        }
        key = next;
        if (count > 10_000_000) break;
      }
      summary.elements = count;
      summary.entries = entries;
    } catch {
      // Maps without keys (ringbuf, queue, ...) have no entries to list.
    } finally {
      if (fd !== undefined) { try { kernel.close(fd); } catch { /* already closed */ } }
    }
    return summary;
  });
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** An upper bound of any call chain's declared frames: every function once (recursion is refused), each rounded as the JIT does. */
function declaredStackBound(ir: { functions: ReadonlyArray<{ stackSize: number }> }): number {
  return ir.functions.reduce((sum, f) => sum + Math.ceil(f.stackSize / 16) * 16, 0);
}
