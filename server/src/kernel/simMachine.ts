/**
 * The machine the task targets walk, as a scenario describes it (exec/scenarioProcesses.ts builds it, realHost's
 * capture reads it from /proc): processes and threads with their open files and memory areas, and the defaults a
 * process inherits. kernel/taskIter.ts lays it out as kernel memory.
 */
/** One open file of a process (what /proc/PID/fdinfo shows). */
export interface SimFile {
  fd: number; path: string; flags: number; mode: number; pos: number; ino: number; inodeMode: number; size: number;
  /** d_name of a pseudo file (alloc_file_pseudo's name): a socket's protocol (TCP, UNIX...), "" for pipes */
  dname?: string;
}
/** One memory area of a process (a /proc/PID/maps line). */
export interface SimVma {
  start: bigint; end: bigint; flags: bigint; pgoff: bigint; path?: string; ino: number;
  /** the area's first bytes as user memory (a file mapping's bytes at pgoff); the rest of the area reads as zeros */
  data?: Uint8Array;
  /** the [heap] area (mm->start_brk..brk) */
  heap?: boolean;
}
/** A task: a process's leader (pid == tgid) or one of its threads. */
export interface SimTask {
  pid: number; tgid: number; ppid: number; comm: string; uid: number; gid: number; euid: number; egid: number;
  /** task->__state: 0 running, 1 interruptible sleep (S), 2 uninterruptible (D), 0x80 dead... */
  state: number;
  kthread: boolean;
  /** argv joined by NUL, as user memory at mm->arg_start..arg_end (processes only) */
  cmdline: string;
  /** the environment strings, as user memory at mm->env_start..env_end (right after argv) */
  environ?: readonly string[];
  /** task->exit_signal when the scenario says it (the first process of a new pid namespace: 17); else derived */
  exitSignal?: number;
  /** PF_SUPERPRIV: the task used a capability since its fork (the scenario's used_privilege) */
  usedPrivilege?: boolean;
  /** task->loginuid and sessionid when a login set them; unset (-1) otherwise */
  loginuid?: number;
  sessionid?: number;
  /** the cgroup v2 directory the task is in ("/system.slice/sshd.service"); the root when not said */
  cgroup?: string;
  /** signal->rlim[] in RLIMIT_* order, [rlim_cur, rlim_max] (RLIM_INFINITY is 2^64 - 1); DEFAULT_RLIMITS when not said */
  rlimits?: ReadonlyArray<readonly [bigint, bigint]>;
  startTimeNs: bigint;
  prio: number;
  /** the leader's open files and VMAs; threads share them */
  files: SimFile[];
  vmas: SimVma[];
}
export interface SimMachine {
  tasks: SimTask[];
  /** mount points ("/dev"): a dentry directly under one has the mounted file system's root as d_parent */
  mounts?: readonly string[];
}

/** PF_KTHREAD in task->flags */
export const PF_KTHREAD = 0x00200000;
/** RLIM_INFINITY */
export const RLIM_INFINITY = (1n << 64n) - 1n;
/**
 * mirrors INIT_RLIMITS (include/asm-generic/resource.h), what every process inherits unless one on the way changed
 * it: no limit but a stack of 8 MiB, core 0, 1024/4096 open files, 8 MiB locked memory, 819200 bytes of message
 * queues, nice and rtprio 0; RLIMIT_NPROC and RLIMIT_SIGPENDING, which fork_init() sizes from the memory, as on a
 * 24 GiB machine (96367, measured)
 */
export const DEFAULT_RLIMITS: ReadonlyArray<readonly [bigint, bigint]> = (() => {
  const inf = RLIM_INFINITY, threads = 96367n;
  return [[inf, inf], [inf, inf], [inf, inf], [8388608n, inf], [0n, inf], [inf, inf], [threads, threads], [1024n, 4096n],
    [8388608n, 8388608n], [inf, inf], [inf, inf], [threads, threads], [819200n, 819200n], [0n, 0n], [0n, 0n], [inf, inf]] as const;
})();
