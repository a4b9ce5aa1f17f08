/**
 * The scenario's `processes` section: the simulated machine's processes, threads, open files and memory areas,
 * turned into the kernel's SimMachine (kernel/taskIter.ts). Defaults are what the kernel would have: a thread's
 * tgid is its pid, effective ids are the real ones, f_mode follows the open flags, a VMA's flags its permissions.
 */
import { DEFAULT_RLIMITS, RLIM_INFINITY, type SimFile, type SimMachine, type SimTask, type SimVma } from '../kernel/simMachine';

export interface ScenarioFileJson {
  fd: number; path: string; flags?: number | string[]; pos?: number; ino?: number; size?: number; dname?: string;
  type?: 'file' | 'dir' | 'chr' | 'blk' | 'fifo' | 'socket' | 'link' | 'anon';
}
export interface ScenarioVmaJson { start: number | string; end: number | string; perms?: string; pgoff?: number | string; path?: string; ino?: number; data?: string }
export interface ScenarioProcessJson {
  pid: number; tgid?: number; ppid?: number; comm: string; uid?: number; gid?: number; euid?: number; egid?: number;
  state?: 'R' | 'S' | 'D' | 'T' | 'Z' | 'I'; kthread?: boolean; cmdline?: string[]; environ?: string[]; exit_signal?: number; used_privilege?: boolean; loginuid?: number; sessionid?: number;
  start_time_ns?: number; prio?: number; cgroup?: string; rlimits?: Record<string, [number | 'unlimited', number | 'unlimited']>;
  files?: ScenarioFileJson[]; vmas?: ScenarioVmaJson[]; description?: string;
}

/** task->__state for each /proc state letter (TASK_RUNNING, TASK_INTERRUPTIBLE, ..., TASK_IDLE = D|TASK_NOLOAD) */
const STATE: Record<string, number> = { R: 0, S: 0x1, D: 0x2, T: 0x4, Z: 0x80, I: 0x402 };
/** open(2) flags by name (include/uapi/asm-generic/fcntl.h) */
export const OPEN_FLAGS: Record<string, number> = {
  O_RDONLY: 0, O_WRONLY: 0o1, O_RDWR: 0o2, O_CREAT: 0o100, O_EXCL: 0o200, O_NOCTTY: 0o400, O_TRUNC: 0o1000,
  O_APPEND: 0o2000, O_NONBLOCK: 0o4000, O_DSYNC: 0o10000, O_DIRECT: 0o40000, O_LARGEFILE: 0o100000,
  O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000, O_NOATIME: 0o1000000, O_CLOEXEC: 0o2000000, O_PATH: 0o10000000,
};
/** i_mode's file type bits (S_IFREG...) */
const IFMT: Record<string, number> = { file: 0o100000, dir: 0o40000, chr: 0o20000, blk: 0o60000, fifo: 0o10000, socket: 0o140000, link: 0o120000, anon: 0 };

function num(v: number | string | undefined, fallback = 0n): bigint {
  if (v === undefined) return fallback;
  return typeof v === 'number' ? BigInt(v) : BigInt(v.trim());
}

/** The file type a path implies when the scenario does not say: /dev/* char devices, socket:[N], pipe:[N]... */
function typeOf(path: string): string {
  if (path.startsWith('socket:')) return 'socket';
  if (path.startsWith('pipe:')) return 'fifo';
  if (path.startsWith('anon_inode:')) return 'anon';
  if (path.startsWith('/dev/') && !path.startsWith('/dev/shm/')) return 'chr';
  if (path.endsWith('/')) return 'dir';
  return 'file';
}

/** mirrors do_dentry_open()'s f_mode: FMODE_READ/WRITE from the access mode, LSEEK/PREAD/PWRITE for seekable files */
function fileMode(flags: number, type: string): number {
  const acc = flags & 3;
  let mode = (acc === 0 || acc === 2 ? 0x1 : 0) | (acc === 1 || acc === 2 ? 0x2 : 0);
  if (type === 'file' || type === 'dir' || type === 'blk') mode |= 0x4 | (acc !== 1 ? 0x8 : 0) | (acc !== 0 ? 0x10 : 0);
  if (flags & OPEN_FLAGS.O_PATH) mode = 0x4000; // FMODE_PATH
  return mode;
}

/** VM_READ, VM_WRITE, VM_EXEC, VM_SHARED and the VM_MAY* bits a mapping gets, VM_GROWSDOWN for the stack */
function vmFlags(perms: string, path: string | undefined): bigint {
  let f = 0x70n; // VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC
  if (perms[0] === 'r') f |= 0x1n;
  if (perms[1] === 'w') f |= 0x2n;
  if (perms[2] === 'x') f |= 0x4n;
  if (perms[3] === 's') {
    f |= 0x88n; // VM_SHARED | VM_MAYSHARE
    // mirrors do_mmap() for MAP_SHARED: a file opened without FMODE_WRITE loses VM_SHARED and VM_MAYWRITE (a
    // read-only shared mapping, /proc shows it "r--s"; measured on 6.18: glibc's gconv-modules.cache, vm_flags & 0xf
    // is 1). Without 'w' the file is taken as opened read-only; shmem (anonymous shared memory, memfd, SysV, a
    // deleted file) keeps VM_SHARED.
    if (perms[1] !== 'w' && path !== undefined && path.startsWith('/') && !path.startsWith('/memfd:') && !path.startsWith('/SYSV')
      && !path.endsWith(" (deleted)")) f &= ~0x28n;
  }
  if (path === '[stack]') f |= 0x100n;
  // mirrors accountable_mapping(): a private writable mapping is charged to the commit limit (VM_ACCOUNT), the stack
  // too (setup_arg_pages()); the vDSO's special mappings (map_vdso()): [vdso] VM_DONTEXPAND, [vvar] and [vvar_vclock]
  // only VM_READ | VM_MAYREAD | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP (measured on 6.18: 0x100073 for rw-p,
  // 0x100173 for [stack], 0x40075 for [vdso], 0x4044411 for [vvar])
  if (perms[1] === 'w' && perms[3] !== 's') f |= 0x100000n;
  if (path === '[vdso]') f |= 0x40000n;
  if (path === '[vvar]' || path === '[vvar_vclock]') f = (f & 0x1n) | 0x10n | 0x4000n | 0x400n | 0x40000n | 0x4000000n;
  return f;
}

function flagsOf(flags: number | string[] | undefined): number {
  if (flags === undefined) return OPEN_FLAGS.O_RDONLY;
  if (typeof flags === 'number') return flags;
  return flags.reduce((acc, name) => acc | (OPEN_FLAGS[name] ?? 0), 0);
}

/**
 * The mount points a machine has when the scenario does not list them: the pseudo file systems every systemd host
 * mounts (measured on this 6.18 host's /proc/self/mountinfo: devtmpfs, devpts, tmpfs, proc, sysfs, bpf, cgroup...)
 */
export const DEFAULT_MOUNTS: readonly string[] = ['/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/proc', '/sys', '/sys/fs/bpf',
  '/sys/fs/cgroup', '/sys/kernel/debug', '/sys/kernel/tracing', '/run'];

/** The RLIMIT_* names in their order (include/uapi/asm-generic/resource.h), as /proc/PID/limits lists them. */
export const RLIMIT_NAMES = ['cpu', 'fsize', 'data', 'stack', 'core', 'rss', 'nproc', 'nofile', 'memlock', 'as', 'locks',
  'sigpending', 'msgqueue', 'nice', 'rtprio', 'rttime'] as const;

/** signal->rlim[]: the limits a scenario names over INIT_RLIMITS ("unlimited" is RLIM_INFINITY) */
function rlimitsOf(given: Record<string, [number | 'unlimited', number | 'unlimited']>): Array<readonly [bigint, bigint]> {
  const value = (v: number | 'unlimited'): bigint => (v === 'unlimited' ? RLIM_INFINITY : BigInt(v));
  return DEFAULT_RLIMITS.map((d, i) => {
    const g = given[RLIMIT_NAMES[i]];
    return g ? [value(g[0]), value(g[1])] as const : d;
  });
}

/** STACK_TOP_MAX >> PAGE_SHIFT on x86-64 (47-bit user space) */
const STACK_TOP_MAX_PFN = 0x7ffffffffn;

/**
 * vm_pgoff of an area without a file, which /proc/PID/maps shows as offset 0 whatever it is (show_map_vma()):
 * mirrors do_mmap() for a private anonymous mapping and do_brk_flags() for the heap, which set it to vm_start >> 12,
 * and __bprm_mm_init() + expand_downwards() for [stack], whose pgoff is STACK_TOP_MAX's page less the stack's pages;
 * the vDSO's special mappings keep 0 (measured on 6.18: rw-p areas and [heap] start >> 12, [stack] 0x7ffffffde for 33
 * pages, [vvar] and [vdso] 0). A shared anonymous area (shmem) and an offset the scenario gives are left as they are.
 */
function anonPgoff(v: ScenarioVmaJson): bigint | undefined {
  if (v.path !== undefined && v.path !== '[heap]' && v.path !== '[stack]') return undefined;
  if ((v.perms ?? 'r--p')[3] === 's' || num(v.pgoff) !== 0n) return undefined;
  const start = num(v.start), end = num(v.end);
  return v.path === '[stack]' ? STACK_TOP_MAX_PFN - (end - start) / 4096n : start / 4096n;
}

/** "7f 45 4c 46" -> bytes */
function hexData(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const hex = text.replace(/\s+/g, '');
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

export function machineFromScenario(processes: readonly ScenarioProcessJson[], mounts: readonly string[] = DEFAULT_MOUNTS): SimMachine {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const tasks: SimTask[] = processes.map((p): SimTask => {
    const leader = byPid.get(p.tgid ?? p.pid) ?? p;
    const files: SimFile[] = (p.files ?? []).map((f) => {
      const type = f.type ?? typeOf(f.path);
      const flags = flagsOf(f.flags);
      return { fd: f.fd, path: f.path, flags, mode: fileMode(flags, type), pos: f.pos ?? 0, ino: f.ino ?? 0,
        inodeMode: IFMT[type] | (type === 'dir' ? 0o755 : type === 'chr' ? 0o620 : type === 'socket' ? 0o777 : type === 'anon' ? 0o600 : 0o644), size: f.size ?? 0,
        ...(f.dname !== undefined ? { dname: f.dname } : {}) };
    });
    const vmas: SimVma[] = (p.vmas ?? []).map((v) => ({
      start: num(v.start), end: num(v.end), flags: vmFlags(v.perms ?? 'r--p', v.path), pgoff: anonPgoff(v) ?? num(v.pgoff),
      path: v.path && !v.path.startsWith('[') ? v.path : undefined, ino: v.ino ?? 0,
      ...(v.data !== undefined ? { data: hexData(v.data) } : {}),
      ...(v.path === '[heap]' ? { heap: true } : {}),
    }));
    const kthread = p.kthread ?? leader.kthread ?? false;
    // no task is its own parent: init (1) and kthreadd (2), which the kernel starts itself, are init_task's children
    const defaultParent = kthread ? 2 : 1;
    return {
      pid: p.pid, tgid: p.tgid ?? p.pid, ppid: p.ppid ?? leader.ppid ?? (defaultParent === (p.tgid ?? p.pid) ? 0 : defaultParent), comm: p.comm,
      uid: p.uid ?? leader.uid ?? 0, gid: p.gid ?? leader.gid ?? 0,
      euid: p.euid ?? p.uid ?? leader.euid ?? leader.uid ?? 0, egid: p.egid ?? p.gid ?? leader.egid ?? leader.gid ?? 0,
      state: STATE[p.state ?? (kthread ? 'I' : 'S')], kthread,
      cmdline: kthread ? '' : (p.cmdline ?? leader.cmdline ?? [p.comm]).join('\0'),
      environ: kthread ? [] : p.environ ?? leader.environ ?? [],
      ...(p.exit_signal !== undefined ? { exitSignal: p.exit_signal } : {}),
      ...(p.used_privilege ? { usedPrivilege: true } : {}),
      ...((p.loginuid ?? leader.loginuid) !== undefined ? { loginuid: p.loginuid ?? leader.loginuid } : {}),
      ...((p.sessionid ?? leader.sessionid) !== undefined ? { sessionid: p.sessionid ?? leader.sessionid } : {}),
      ...((p.cgroup ?? leader.cgroup) !== undefined ? { cgroup: p.cgroup ?? leader.cgroup } : {}),
      ...((p.rlimits ?? leader.rlimits) !== undefined ? { rlimits: rlimitsOf(p.rlimits ?? leader.rlimits!) } : {}),
      startTimeNs: BigInt(p.start_time_ns ?? p.pid * 1_000_000), prio: p.prio ?? 120, files, vmas,
    };
  });
  return { tasks, mounts: mounts.map((m) => m.replace(/\/+$/, '')) };
}

/** Problems the schema cannot see: duplicate pids, a thread whose process is missing, duplicate fds. */
export function processProblems(processes: readonly ScenarioProcessJson[]): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const pids = new Set<number>();
  processes.forEach((p, i) => {
    if (pids.has(p.pid)) out.push({ path: `/processes/${i}/pid`, message: `pid ${p.pid} appears twice` });
    pids.add(p.pid);
  });
  processes.forEach((p, i) => {
    if (p.tgid !== undefined && !pids.has(p.tgid)) out.push({ path: `/processes/${i}/tgid`, message: `thread ${p.pid} names process ${p.tgid}, which is not in the scenario` });
    if (p.tgid !== undefined && p.tgid !== p.pid && (p.files?.length || p.vmas?.length)) {
      out.push({ path: `/processes/${i}`, message: `thread ${p.pid} shares the files and memory of process ${p.tgid}: list them there` });
    }
    const fds = new Set<number>();
    (p.files ?? []).forEach((f, j) => {
      if (fds.has(f.fd)) out.push({ path: `/processes/${i}/files/${j}/fd`, message: `fd ${f.fd} appears twice in pid ${p.pid}` });
      fds.add(f.fd);
    });
    (p.vmas ?? []).forEach((v, j) => {
      let start: bigint, end: bigint;
      try { start = num(v.start); end = num(v.end); } catch { out.push({ path: `/processes/${i}/vmas/${j}`, message: 'start and end are numbers or "0x..." strings' }); return; }
      if (end <= start || start % 4096n !== 0n || end % 4096n !== 0n) out.push({ path: `/processes/${i}/vmas/${j}`, message: 'a VMA is page aligned with end above start' });
    });
  });
  return out;
}
