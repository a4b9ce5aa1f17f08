/** The simulated kernel's state: its memory, CPUs, id allocators, fds, the objects by address, the clock and RCU; the layers in bpfHelpers.ts and kernel.ts work on it. */

import { ERRNO, KernelError } from './errno';
import { ByteSink } from './format';
import { CyclicIdr } from './idr';
import { bpfMapElemTarget, bpfMapTarget, IterProgramSpec, IterSession, IterTarget } from './iter';
import { BpfMap, MapEnv } from './maps';
import { BPF_MAP_TYPE } from './mapTypes';
import { KernelMemory } from './memory';
import { SeqFile } from './seqFile';
import { NetNamespace } from './net/netns';
import { SOCKET_TARGETS } from './net/targets';
import { SOCKET_MAP_TARGETS } from './net/sockmapIter';
import { SimulatedTasks, TASK_TARGETS } from './taskIter';
import { cgroupTarget, SimulatedCgroups } from './cgroupIter';
import { OBJECT_TARGETS, SimulatedObjects } from './objectIters';

export interface KernelOptions {
  /** num_possible_cpus() */
  cpus?: number;
  /** what bpf_get_smp_processor_id() returns and which per-CPU slot programs touch */
  currentCpu?: number;
  /** hashrnd of hash maps created without BPF_F_ZERO_SEED (the kernel draws it at random) */
  hashSeed?: number;
  /** bpf_ktime_get_ns() starts here and advances by ktimeStepNs on every call */
  ktimeStartNs?: bigint;
  ktimeStepNs?: bigint;
}

export interface LoadedProg { id: number; spec: IterProgramSpec; tag: string; refcnt: number; loadTime: bigint }

export interface IterLink {
  id: number;
  prog: LoadedProg;
  target: IterTarget;
  /** the map held by bpf_map_elem links (with its uref) */
  map: BpfMap | null;
  /** the attach parameters of targets that take others (task: tid/pid; IterTarget.attachParams) */
  params: unknown;
  refcnt: number;
  detached: boolean;
}

export type FdEntry =
  | { kind: 'map'; map: BpfMap }
  | { kind: 'prog'; prog: LoadedProg }
  | { kind: 'link'; link: IterLink }
  | { kind: 'iter'; session: IterSession }
  /** an open cgroup directory (what link_info.cgroup.cgroup_fd names) */
  | { kind: 'cgroup'; path: string };

/**
 * The iterator targets the simulated kernel runs (bpf_iter_reg_target at boot). A target's facts (ctx fields, resched,
 * attach parameters) are in iterTargets.ts; its simulation is an IterTarget listed here.
 */
export const SIMULATED_TARGETS: readonly IterTarget[] = [bpfMapTarget, bpfMapElemTarget, ...TASK_TARGETS, ...SOCKET_TARGETS, cgroupTarget, ...SOCKET_MAP_TARGETS, ...OBJECT_TARGETS];

export abstract class KernelState {
  // Provided by the layers above (see bpfHelpers, kernel).
  abstract registerTarget(target: IterTarget): void;
  abstract mapInc(map: BpfMap): void;
  abstract mapPut(map: BpfMap): void;

  readonly memory = new KernelMemory();
  readonly cpus: number;
  currentCpu: number;
  readonly hashSeed: number;
  readonly mapTypes = BPF_MAP_TYPE;
  readonly mapIdr = new CyclicIdr<BpfMap>();
  readonly progIdr = new CyclicIdr<LoadedProg>();
  readonly linkIdr = new CyclicIdr<IterLink>();
  protected readonly targets = new Map<string, IterTarget>();
  protected readonly fds = new Map<number, FdEntry>();
  protected readonly mapsByAddr = new Map<bigint, BpfMap>();
  protected readonly seqsByAddr = new Map<bigint, SeqFile>();
  /** the same seq_files by their struct seq_file region (a compiled program's pointer is a region and an offset) */
  protected readonly seqsByRegion = new Map<object, SeqFile>();
  /** bpf_iter.c's session_id counter: the first session gets 1 */
  protected sessionCounter = 0n;
  protected ktime: bigint;
  /** regions waiting for an RCU grace period; one passes between syscalls (no program is running then) */
  protected rcuPending: import('./memory').Region[] = [];
  protected rcuCallbacks: Array<() => void> = [];
  protected synchronizeRcu(): void {
    if (this.rcuPending.length === 0 && this.rcuCallbacks.length === 0) return;
    for (const r of this.rcuPending) this.memory.free(r);
    this.rcuPending = [];
    const callbacks = this.rcuCallbacks;
    this.rcuCallbacks = [];
    for (const fn of callbacks) fn();
  }
  protected readonly ktimeStep: bigint;

  constructor(options: KernelOptions = {}) {
    this.cpus = options.cpus ?? 4;
    if (!Number.isInteger(this.cpus) || this.cpus < 1 || this.cpus > 1024) throw new KernelError('EINVAL', `cpus must be 1..1024, got ${options.cpus}`);
    this.currentCpu = options.currentCpu ?? 0;
    if (this.currentCpu < 0 || this.currentCpu >= this.cpus) throw new KernelError('EINVAL', `currentCpu must be below cpus (${this.cpus})`);
    this.hashSeed = options.hashSeed ?? 0x2a5eed5;
    this.ktime = options.ktimeStartNs ?? 1_000_000_000n;
    this.ktimeStep = options.ktimeStepNs ?? 1000n;
    for (const target of SIMULATED_TARGETS) this.registerTarget(target);
  }

  protected netns: NetNamespace | null = null;
  /** The reader's network namespace the socket iterators walk; a fresh one (loopback only) until setNetwork(). */
  get net(): NetNamespace {
    if (!this.netns) this.netns = new NetNamespace(this.memory, { hashMix: 0, ehashSecret: 0, sockets: [], ipv6Routes: [], devices: ['lo'] });
    return this.netns;
  }

  /** The simulated machine's processes as kernel memory (taskIter.ts), walked by the task targets. */
  tasks: SimulatedTasks | null = null;
  /** The machine's cgroup hierarchy (cgroupIter.ts), walked by the cgroup target; the root alone until setCgroups(). */
  cgroups: SimulatedCgroups | null = null;
  protected sim: SimulatedObjects | null = null;
  get targetNames(): string[] { return [...this.targets.keys()]; }

  // ------------------------------------------------------------ fds
  /**
   * get_unused_fd_flags() hands out the lowest free number: every fd from `fdTop` up is free, and the free ones
   * below it are in the min-heap `freeFds` (a scan from the lowest closed fd was quadratic with 100,000 maps open).
   */
  protected fdTop = 3;
  protected readonly freeFds: number[] = [];
  /** What map code may ask of the kernel (built on use: cpus and hashSeed are set in the constructor). */
  protected get mapEnv(): MapEnv {
    return {
    memory: this.memory,
    cpus: this.cpus,
    hashSeed: this.hashSeed,
    deferFree: (r) => this.rcuPending.push(r),
    afterGracePeriod: (fn) => { this.rcuCallbacks.push(fn); },
    mapFromUserFd: (fd) => {
      const e = this.fds.get(fd);
      // fds 0..2 are the process's stdio: open, but not maps
      if (!e) return fd >= 0 && fd <= 2 ? -ERRNO.EINVAL : -ERRNO.EBADF;
      return e.kind === 'map' ? e.map : -ERRNO.EINVAL;
    },
    mapById: (id) => this.mapIdr.get(id),
    mapInc: (map) => this.mapInc(map),
    mapPut: (map) => this.mapPut(map),
    };
  }
  protected prandom = 0x2545f491;
  protected readonly seqSink = new ByteSink(new Uint8Array(0), 0);

  /**
   * The trace log (what /sys/kernel/tracing/trace_pipe would show of bpf_trace_printk() events): one message per
   * call, as formatted, never part of any seq output.
   */
  readonly traceLog: string[] = [];
}
