/**
 * The custom LSP protocol between the extension (client/) and the language server (server/).
 * Declared once here and imported by both sides, like rust-analyzer's lsp_ext.ts.
 * Only plain JSON types: no imports from vscode or vscode-languageserver.
 */

/** One map of the simulated kernel as the panel and `bpf-iter run --json` show it. */
export interface MapSummary {
  id: number;
  name: string;
  /** Kernel name in lower case: "hash", "percpu_array", ... */
  type: string;
  key_size: number;
  value_size: number;
  max_entries: number;
  flags: number;
  /** Elements a get_next_key walk would enumerate (arrays: max_entries). */
  elements: number;
  /** Hex bytes of keys/values, per-CPU values per CPU; absent when too large to send. */
  entries?: Array<{ key: string; value?: string; values?: string[] }>;
}

/** One task of the simulated machine (a process's leader or a thread), as the panel's Processes table lists it. */
export interface ProcessSummary {
  pid: number;
  tgid: number;
  ppid: number;
  comm: string;
  /** The /proc state letter of task->__state: R, S, D, T, Z or I. */
  state: string;
  uid: number;
  /** A kernel thread (PF_KTHREAD, no mm). */
  kthread: boolean;
  /** Open files of its file table (a thread shares its leader's). */
  files: number;
}

/** One socket of the reader's network namespace, as the panel's Sockets table lists it. */
export interface SocketSummary {
  protocol: 'tcp' | 'udp' | 'unix' | 'netlink';
  family: 'inet' | 'inet6' | 'unix' | 'netlink';
  /** tcp_states.h name in lower case ("listen", "established", "time_wait", "close"...). */
  state: string;
  /** "a.b.c.d:port" / "[v6]:port"; unix: the bound path ("@name" abstract, "" unbound); netlink: "portid N". */
  local: string;
  /** The peer, "" when there is none. */
  remote: string;
  uid: number;
  inode: number;
}

/** The first rows of one kind of object (at most WORLD_ROWS_SHOWN) and how many there are. */
export interface WorldList<T> { rows: T[]; total: number }
/** Rows of each world table sent to the client. */
export const WORLD_ROWS_SHOWN = 1000;

/**
 * The simulated machine the run's program could iterate, after the run (a bpf_sock_destroy() shows). Each member
 * is one table of the panel's world view: a new kind of object (cgroups, programs, ksyms) is one more optional
 * member here and one entry of WORLD_TABLES in client/src/panel/viewModel.ts.
 */
export interface WorldSummary {
  processes: WorldList<ProcessSummary>;
  sockets: WorldList<SocketSummary>;
}

export interface LinkSummary {
  id: number;
  prog_id: number;
  target_name: string;
  map_id?: number;
}

export interface RunStats {
  objects: number;
  bytes: number;
  reads: number;
  instructions: number;
  timeMs: number;
  /**
   * Where the time went, in ms: reading and checking the scenario and filling its maps (load), the front end
   * and the checker (check), compiling the program (compile), the read loop (iterate), assembling the output
   * and the map summaries (output); iterateCpu: the read loop's CPU time (user + system, process.cpuUsage()), the
   * steadier figure on a shared machine.
   */
  timings?: { load: number; check: number; compile: number; iterate: number; output: number; iterateCpu?: number };
}

export interface RunErrorInfo {
  /** Errno name, e.g. "EACCES", "E2BIG", "EAGAIN", or "ELIMIT" for a simulator limit. */
  errno: string;
  message: string;
  /** Source range that caused it, when known (0-based LSP positions). */
  file?: string;
  range?: SourceRange;
}

export interface SourcePosition { line: number; character: number }
export interface SourceRange { start: SourcePosition; end: SourcePosition }

/** The object `bpf-iter run --json` prints and `bpfIter/run` returns. */
export interface RunResult {
  /**
   * The seq output as text when its bytes are valid UTF-8 (a leading BOM is kept as U+FEFF). null when they are
   * not (a program that bpf_seq_write()s binary records): then `output_base64` and `output_hex` carry the exact
   * bytes. Never a replacement character that the program did not write.
   */
  output: string | null;
  /** Present exactly when `output` is null: the output bytes in base64 (RFC 4648, padded). */
  output_base64?: string;
  /** Present exactly when `output` is null: the output bytes as lowercase hex, two digits a byte, no separators. */
  output_hex?: string;
  link: LinkSummary | null;
  /** `bpftool link show` text for the iterator link. */
  bpftool: string;
  /** `bpftool -j link show` JSON text. */
  bpftoolJson: string;
  /** The BPF part of /proc/<pid>/fdinfo/<link fd>. */
  fdinfo: string;
  maps: MapSummary[];
  /** The simulated machine's processes and sockets; absent when the run stopped before the kernel was made. */
  world?: WorldSummary;
  /**
   * The trace log of the run: one message per bpf_trace_printk()/bpf_trace_vprintk() (bpf_printk()) call, what
   * /sys/kernel/tracing/trace_pipe shows after "bpf_trace_printk: ". Never part of `output`.
   */
  trace: string[];
  stats: RunStats;
  error: RunErrorInfo | null;
  /**
   * Present when the run was asked to stream (RunParams.streamOutput): the output went out in RunOutputNotification
   * pages and `output` is empty. `bytes`: the whole output's size; `sentBytes`: the bytes the pages carried.
   */
  streamed?: { bytes: number; sentBytes: number };
}

export interface RunParams {
  /** Document URI (file:...) of the program source. */
  uri: string;
  /** Function name of the SEC("iter/...") program; the first one when absent. */
  program?: string;
  /** Name of the map to attach to (bpf_map_elem). */
  map?: string;
  /** Scenario file path or URI; the file's own <stem>.bpfscenario.json or the default when absent. */
  scenario?: string;
  cpus?: number;
  /** When given, the server sends RunProgressNotification with this id while the run takes a while. */
  progressId?: string;
  /**
   * With a progressId: the output goes to the client as it is read, in RunOutputNotification pages (the first
   * `keepBytes` bytes; the rest is counted, as a reader that stops keeping would), and the result carries none of
   * it (`streamed` says how much there was). Neither side then holds more than what the reader keeps.
   */
  streamOutput?: { keepBytes: number };
}

/** A page of a streamed run's output (server -> client), in order, all before the run's answer. */
export interface RunOutputParams {
  progressId: string;
  /** Where the page starts in the output, in bytes. */
  offset: number;
  /** The page's bytes in base64: output may be binary, and a UTF-8 character may straddle two pages. */
  base64: string;
}
export const RunOutputNotificationMethod = 'bpfIter/runOutput';

/** Method of the run request (client -> server); the typed constant is RunRequest in shared/src/requests.ts. */
export const RunRequestMethod = 'bpfIter/run';

/** How a long run is going (server -> client, at most every RUN_PROGRESS_INTERVAL_MS, for a run that gave a progressId). */
export interface RunProgressParams {
  progressId: string;
  /** Objects shown so far: elements for bpf_map_elem, maps for bpf_map, the target's objects otherwise. */
  objects: number;
  /** The objects the walk will show when known before it starts (the attach map's elements, the maps). */
  total?: number;
  /** Output bytes read so far. */
  bytes: number;
  elapsedMs: number;
  /** objects / elapsed seconds of the read loop */
  objectsPerSecond: number;
  /** The iterator target the objects are of ("bpf_map_elem", "task"...), so a client can name them. */
  target?: string;
}

/** What a target's objects are called in a progress line: elements of a map, maps, tasks, files, sockets. */
export function progressNoun(target: string | undefined): string {
  switch (target) {
    case 'bpf_map_elem': case 'bpf_sk_storage_map': case 'sockmap': return 'elements';
    case 'bpf_map': return 'maps';
    case 'bpf_prog': return 'programs';
    case 'bpf_link': return 'links';
    case 'task': return 'tasks';
    case 'task_file': return 'files';
    case 'task_vma': return 'VMAs';
    case 'tcp': case 'udp': case 'unix': case 'netlink': return 'sockets';
    case 'ipv6_route': return 'routes';
    case 'cgroup': return 'cgroups';
    case 'ksym': return 'symbols';
    case 'kmem_cache': return 'caches';
    case 'dmabuf': return 'buffers';
    default: return 'objects';
  }
}

export const RunProgressNotificationMethod = 'bpfIter/runProgress';

/** The line a progress UI shows: "412,000 of 1,000,000 objects, 1,210,000 objects/s". */
export function runProgressMessage(p: RunProgressParams, noun = progressNoun(p.target)): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return `${n(p.objects)}${p.total !== undefined ? ` of ${n(p.total)}` : ''} ${noun}, ${n(p.objectsPerSecond)} ${noun}/s`;
}
export const RUN_PROGRESS_INTERVAL_MS = 200;

export interface ProgramInfo {
  name: string;
  section: string;
  target: string;
  range: SourceRange;
}
export interface ListProgramsParams { uri: string }
export interface ListProgramsResult { programs: ProgramInfo[]; maps: string[] }
export const ListProgramsRequestMethod = 'bpfIter/listPrograms';

/**
 * Every command id of the extension, the one table both sides use: the client registers them, the server's code
 * lenses and code actions invoke them, package.json contributes them (a unit test keeps the three in step).
 * The code lens "▶ Run Iterator" above each SEC("iter/...") function is
 * `{ title, command: CommandIds.run, arguments: [uri, program] }` with RunCommandArguments.
 */
export const CommandIds = {
  run: 'bpfIter.run',
  runOnMap: 'bpfIter.runOnMap',
  showLinkInfo: 'bpfIter.showLinkInfo',
  openMaps: 'bpfIter.openMaps',
  createScenario: 'bpfIter.createScenario',
  restartServer: 'bpfIter.restartServer',
  showOutput: 'bpfIter.showOutput',
  debug: 'bpfIter.debug',
  compareKernel: 'bpfIter.compareKernel',
} as const;
export type RunCommandArguments = [uri: string, program?: string, map?: string];

/**
 * `initializationOptions` the client sends. `reportCSyntaxErrors` is false when clangd or the C/C++
 * extension already reports plain C syntax errors for the file (and the user did not ask for both):
 * the server then publishes only BPF-specific diagnostics. The client restarts the server when it changes.
 */
export interface InitializationOptions {
  reportCSyntaxErrors: boolean;
}

/**
 * Files the client watches and reports with `workspace/didChangeWatchedFiles`: headers and scenarios, and the
 * build setup (compile_commands.json, compile_flags.txt, .clangd), so the server re-validates open files when one changes.
 */
export const WATCHED_FILES_GLOB = '**/{*.bpfscenario.json,*.h,compile_commands.json,compile_flags.txt,.clangd}';

/**
 * "Compare with Real Kernel": the saved file run on the simulated kernel and on this host's real one
 * (`bpf-iter run FILE --kernel --json`, which needs root, clang and bpftool). `refused` is set when the real
 * kernel could not be asked, with the one-line reason in `kernel.error`.
 */
export interface CompareKernelParams { uri: string; program?: string; map?: string; scenario?: string }
export interface CompareKernelSide { output: string | null; output_base64?: string; error: { errno: string; message: string } | null }
export interface CompareKernelResult { simulated: CompareKernelSide; kernel: CompareKernelSide & { refused?: boolean }; identical: boolean }
export const CompareKernelRequestMethod = 'bpfIter/compareKernel';
