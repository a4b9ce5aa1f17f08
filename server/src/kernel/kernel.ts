import { createHash } from 'crypto';
import { ERRNO, ErrnoName, KernelError, MapBatchError, errnoName } from './errno';
import { bprintf, bprintfInto, ByteSink, MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS } from './format';
import { CyclicIdr } from './idr';
import { bpfMapElemTarget, bpfMapTarget, IterProgramSpec, IterSession, IterTarget } from './iter';
import { allocMap } from './mapAlloc';
import { ArrayMap, BatchLayout, BpfMap, HashMap, MapCreateAttr, MapEnv, NO_ELEM, packedLayout } from './maps';
import { BPF_ANY, BPF_MAP_TYPE, mapTypeName } from './mapTypes';
import { KernelMemory } from './memory';
import { SeqFile } from './seqFile';
import { sockDestroy, SOCKET_CASTS } from './net/helpers';
import { NetNamespace, type NetSpec } from './net/netns';
import { SOCKET_TARGETS } from './net/targets';
import { SOCKET_MAP_TARGETS } from './net/sockmapIter';
import { SimMachine, SimulatedTasks, TASK_TARGETS } from './taskIter';
import { cgroupTarget, normalizeCgroupPath, SimCgroup, SimulatedCgroups } from './cgroupIter';
import { EMPTY_SIM_OBJECTS, OBJECT_TARGETS, SimObjects, SimulatedObjects } from './objectIters';

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

type FdEntry =
  | { kind: 'map'; map: BpfMap }
  | { kind: 'prog'; prog: LoadedProg }
  | { kind: 'link'; link: IterLink }
  | { kind: 'iter'; session: IterSession }
  /** an open cgroup directory (what link_info.cgroup.cgroup_fd names) */
  | { kind: 'cgroup'; path: string };

export interface MapInfo {
  id: number; type: number; typeName: string; name: string; keySize: number; valueSize: number;
  maxEntries: number; flags: number; refcnt: number; usercnt: number;
}

/**
 * The iterator targets the simulated kernel runs (bpf_iter_reg_target at boot). A target's facts (ctx fields, resched,
 * attach parameters) are in iterTargets.ts; its simulation is an IterTarget listed here.
 */
const SIMULATED_TARGETS: readonly IterTarget[] = [bpfMapTarget, bpfMapElemTarget, ...TASK_TARGETS, ...SOCKET_TARGETS, cgroupTarget, ...SOCKET_MAP_TARGETS, ...OBJECT_TARGETS];
export const SIMULATED_ITER_TARGETS: readonly string[] = SIMULATED_TARGETS.map((t) => t.name);

/** BPF_LINK_TYPE_ITER */
export const BPF_LINK_TYPE_ITER = 4;

/** The simulated Linux 6.18 BPF subsystem: maps, programs, iterator links and files, helpers. */
export class Kernel {
  readonly memory = new KernelMemory();
  readonly cpus: number;
  currentCpu: number;
  readonly hashSeed: number;
  readonly mapTypes = BPF_MAP_TYPE;
  readonly mapIdr = new CyclicIdr<BpfMap>();
  readonly progIdr = new CyclicIdr<LoadedProg>();
  readonly linkIdr = new CyclicIdr<IterLink>();
  private readonly targets = new Map<string, IterTarget>();
  private readonly fds = new Map<number, FdEntry>();
  private readonly mapsByAddr = new Map<bigint, BpfMap>();
  private readonly seqsByAddr = new Map<bigint, SeqFile>();
  /** bpf_iter.c's session_id counter: the first session gets 1 */
  private sessionCounter = 0n;
  private ktime: bigint;
  /** regions waiting for an RCU grace period; one passes between syscalls (no program is running then) */
  private rcuPending: import('./memory').Region[] = [];
  private rcuCallbacks: Array<() => void> = [];
  private synchronizeRcu(): void {
    if (this.rcuPending.length === 0 && this.rcuCallbacks.length === 0) return;
    for (const r of this.rcuPending) this.memory.free(r);
    this.rcuPending = [];
    const callbacks = this.rcuCallbacks;
    this.rcuCallbacks = [];
    for (const fn of callbacks) fn();
  }
  private readonly ktimeStep: bigint;

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

  private netns: NetNamespace | null = null;
  /** The reader's network namespace the socket iterators walk; a fresh one (loopback only) until setNetwork(). */
  get net(): NetNamespace {
    if (!this.netns) this.netns = new NetNamespace(this.memory, { hashMix: 0, ehashSecret: 0, sockets: [], ipv6Routes: [], devices: ['lo'] });
    return this.netns;
  }
  /** Builds the network namespace from a scenario's description (kernel/net/netns.ts). */
  setNetwork(spec: NetSpec): void { this.netns = new NetNamespace(this.memory, spec); }

  raise(code: ErrnoName, message: string): never { throw new KernelError(code, message); }

  /** The simulated machine's processes as kernel memory (taskIter.ts), walked by the task targets. */
  tasks: SimulatedTasks | null = null;
  /** Boots the machine's processes: laid out once, so their addresses stay put for the kernel's life. */
  setMachine(machine: SimMachine): void { this.tasks = new SimulatedTasks(this, machine); }
  /** The machine's cgroup hierarchy (cgroupIter.ts), walked by the cgroup target; the root alone until setCgroups(). */
  cgroups: SimulatedCgroups | null = null;
  setCgroups(list: readonly SimCgroup[]): void { this.cgroups = new SimulatedCgroups(this, list); }
  /** open(cgroup directory, O_RDONLY): an fd link_info.cgroup.cgroup_fd may name */
  openCgroup(path: string): number {
    if (!this.cgroups) this.setCgroups([]);
    if (!this.cgroups!.byPathName(path)) this.raise('ENOENT', `no cgroup ${path}`);
    return this.installFd({ kind: 'cgroup', path: normalizeCgroupPath(path) });
  }
  /** The cgroup directory an fd has open, or undefined */
  cgroupPathOfFd(fd: number): string | undefined { const e = this.fds.get(fd); return e?.kind === 'cgroup' ? e.path : undefined; }
  private sim: SimulatedObjects | null = null;
  /** The programs, links, symbols, slab caches and dma-bufs the machine has (objectIters.ts); none until setObjects(). */
  get objects(): SimulatedObjects {
    if (!this.sim) this.sim = new SimulatedObjects(this, EMPTY_SIM_OBJECTS);
    return this.sim;
  }
  /** Lays out the scenario's kernel objects; call before loading programs so their ids follow the scenario's. */
  setObjects(spec: SimObjects): void { this.sim = new SimulatedObjects(this, spec); }
  /** Whether fd is open in the simulated process's table. */
  hasFd(fd: number): boolean { return this.fds.has(fd); }

  /** bpf_iter_reg_target() */
  registerTarget(target: IterTarget): void { this.targets.set(target.name, target); }
  get targetNames(): string[] { return [...this.targets.keys()]; }

  // ------------------------------------------------------------ fds
  /**
   * get_unused_fd_flags() hands out the lowest free number: every fd from `fdTop` up is free, and the free ones
   * below it are in the min-heap `freeFds` (a scan from the lowest closed fd was quadratic with 100,000 maps open).
   */
  private fdTop = 3;
  private readonly freeFds: number[] = [];
  private installFd(entry: FdEntry): number {
    const fd = this.freeFds.length > 0 ? popMin(this.freeFds) : this.fdTop++;
    this.fds.set(fd, entry);
    return fd;
  }
  private fdEntry(fd: number): FdEntry {
    const e = this.fds.get(fd);
    if (!e) this.raise('EBADF', `fd ${fd} is not open`);
    return e;
  }
  /** close(fd): drops what the fd held */
  close(fd: number): void {
    const e = this.fdEntry(fd);
    this.fds.delete(fd);
    pushMin(this.freeFds, fd);
    switch (e.kind) {
      case 'map': this.mapPutWithUref(e.map); break;
      case 'prog': this.progPut(e.prog); break;
      case 'link': this.linkPut(e.link); break;
      case 'iter': this.releaseIter(e.session); break;
    }
  }

  // ------------------------------------------------------------ maps
  /** BPF_MAP_CREATE: returns a map fd */
  createMap(attr: MapCreateAttr): number {
    const map = allocMap(this.mapEnv, attr);
    map.id = this.mapIdr.alloc(map); // bpf_map_alloc_id()
    map.syncRegion();
    this.mapsByAddr.set(map.region.addr, map);
    return this.installFd({ kind: 'map', map });
  }
  /** What map code may ask of the kernel (built on use: cpus and hashSeed are set in the constructor). */
  private get mapEnv(): MapEnv {
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
  mapFromFd(fd: number): BpfMap {
    const e = this.fdEntry(fd);
    if (e.kind !== 'map') this.raise('EINVAL', `fd ${fd} is not a map`);
    return e.map;
  }
  /** bpf_map_get_with_uref() */
  mapGetWithUref(fd: number): BpfMap {
    const e = this.fds.get(fd);
    if (!e) this.raise('EBADF', `map_fd ${fd} is not open`);
    if (e.kind !== 'map') this.raise('EINVAL', `fd ${fd} is not a map`);
    this.mapIncWithUref(e.map);
    return e.map;
  }
  mapInc(map: BpfMap): void { map.refcnt++; map.syncCounts(); }
  mapIncWithUref(map: BpfMap): void { map.refcnt++; map.usercnt++; map.syncCounts(); }
  /** bpf_map_put(): the last reference frees the map and its id */
  mapPut(map: BpfMap): void {
    map.refcnt--;
    map.syncCounts();
    if (map.refcnt === 0) {
      this.mapIdr.remove(map.id); // bpf_map_free_id()
      this.mapsByAddr.delete(map.region.addr);
      map.free();
    }
  }
  mapPutWithUref(map: BpfMap): void { map.usercnt--; this.mapPut(map); }
  mapByAddr(addr: bigint): BpfMap | undefined { return this.mapsByAddr.get(addr); }
  /** The address of the map's struct bpf_map: what `&map` is in a program (a ld_imm64 map pointer). */
  mapAddress(fd: number): bigint { return this.mapFromFd(fd).region.addr; }
  mapById(id: number): BpfMap | undefined { return this.mapIdr.get(id); }
  /** BPF_MAP_GET_FD_BY_ID */
  mapGetFdById(id: number): number {
    const map = this.mapIdr.get(id);
    if (!map || map.refcnt === 0) this.raise('ENOENT', `no map with id ${id}`);
    this.mapIncWithUref(map);
    return this.installFd({ kind: 'map', map });
  }

  private checkKey(map: BpfMap, key: Uint8Array): void {
    if (key.length !== map.keySize) this.raise('EINVAL', `key has ${key.length} bytes, map '${map.name}' key_size is ${map.keySize}`);
  }
  private check(ret: number, what: string): void {
    if (ret < 0) {
      const name = (Object.keys(ERRNO) as ErrnoName[]).find((k) => ERRNO[k] === -ret) ?? 'EINVAL';
      this.raise(name, what);
    }
  }
  /** bpf_map_update_elem(fd, key, value, flags); per-CPU maps take round_up(value_size, 8) bytes per CPU */
  mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags = BPF_ANY): void {
    this.synchronizeRcu();
    const map = this.mapFromFd(fd);
    this.checkKey(map, key);
    if (value.length < map.userValueSize) this.raise('EINVAL', `value has ${value.length} bytes, map '${map.name}' needs ${map.userValueSize}`);
    // bpf_map_update_value(): key-less maps push
    if (isPushMap(map)) this.check(map.push(value, flags), `push into map '${map.name}' failed`);
    else this.check(map.update(key, value, flags, this.currentCpu), `update of map '${map.name}' failed`);
  }
  /**
   * BPF_MAP_UPDATE_BATCH with flags 0 on a hash or array map: `count` keys and values packed back to back, each
   * updated in order as BPF_MAP_UPDATE_ELEM would (mirrors generic_map_update_batch(): it stops at the first
   * failure, and the elements before it stay). Throws MapBatchError with the number updated.
   */
  mapUpdateBatch(fd: number, keys: Uint8Array, values: Uint8Array, count: number, layout?: BatchLayout): void {
    this.synchronizeRcu();
    const map = this.mapFromFd(fd);
    const T = BPF_MAP_TYPE;
    const plain = map.type === T.HASH || map.type === T.LRU_HASH || map.type === T.ARRAY;
    if (!plain || !(map instanceof HashMap || map instanceof ArrayMap)) this.raise('EINVAL', `map '${map.name}' takes no batch update here`);
    const at = layout ?? packedLayout(map.keySize, map.valueSize);
    if (count > 0 && (keys.length < at.keyAt + (count - 1) * at.keyStride + map.keySize || values.length < at.valueAt + (count - 1) * at.valueStride + map.valueSize)) {
      this.raise('EINVAL', 'batch keys or values too short');
    }
    const done = map instanceof HashMap ? map.updateBatch(keys, values, count, this.currentCpu, at) : map.updateBatch(keys, values, count, at);
    if (done.error) {
      const code = errnoName(done.error) ?? 'EINVAL';
      throw new MapBatchError(code, `update of map '${map.name}' failed`, done.count);
    }
  }
  /** BPF_MAP_UPDATE_ELEM with a NULL key on a queue, stack or bloom_filter (bpf_map_push_elem from user space) */
  mapPush(fd: number, value: Uint8Array, flags = BPF_ANY): void { this.mapUpdate(fd, new Uint8Array(0), value, flags); }
  /** BPF_MAP_LOOKUP_ELEM on a queue/stack (the next value) or a bloom_filter (throws ENOENT when `probe` is surely absent) */
  mapPeek(fd: number, probe: Uint8Array | null = null): Uint8Array {
    const map = this.mapFromFd(fd);
    if (!isPushMap(map)) this.raise('EINVAL', `map '${map.name}' (${map.typeName}) has no peek; use mapLookup`);
    const r = map.peek(probe);
    if (typeof r === 'number') this.check(r, `peek of map '${map.name}' failed`);
    return typeof r === 'number' ? probe ?? new Uint8Array(0) : r;
  }
  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM on a queue/stack */
  mapPop(fd: number): Uint8Array {
    const map = this.mapFromFd(fd);
    const r = map.pop();
    if (typeof r === 'number') this.check(r, `pop from map '${map.name}' failed`);
    return r as Uint8Array;
  }
  mapLookup(fd: number, key: Uint8Array): Uint8Array {
    const map = this.mapFromFd(fd);
    if (isPushMap(map) && map.type !== BPF_MAP_TYPE.BLOOM_FILTER) return this.mapPeek(fd);
    this.checkKey(map, key);
    const r = map.lookup(key);
    if (typeof r === 'number') this.check(r, `lookup in map '${map.name}' failed`);
    return r as Uint8Array;
  }
  mapDelete(fd: number, key: Uint8Array): void {
    this.synchronizeRcu();
    const map = this.mapFromFd(fd);
    this.checkKey(map, key);
    this.check(map.delete(key, this.currentCpu), `delete from map '${map.name}' failed`);
  }
  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (hash flavours) */
  mapLookupAndDelete(fd: number, key: Uint8Array): Uint8Array {
    const map = this.mapFromFd(fd);
    if (map.type === BPF_MAP_TYPE.QUEUE || map.type === BPF_MAP_TYPE.STACK) return this.mapPop(fd);
    if (!(map instanceof HashMap)) this.raise('ENOTSUPP', `lookup_and_delete is not supported for ${map.typeName}`);
    const value = this.mapLookup(fd, key);
    this.mapDelete(fd, key);
    return value;
  }
  /** bpf_map_get_next_key(); null when the map has no key after `key` (ENOENT) */
  mapGetNextKey(fd: number, key: Uint8Array | null): Uint8Array | null {
    const map = this.mapFromFd(fd);
    if (key) this.checkKey(map, key);
    const r = map.getNextKey(key);
    if (r === -ERRNO.ENOENT) return null;
    if (typeof r === 'number') this.check(r, `get_next_key on map '${map.name}' failed`);
    return r as Uint8Array;
  }
  /** Every map in id order (what `bpftool map list` shows). */
  listMaps(): MapInfo[] {
    return this.mapIdr.ids().map((id) => {
      const m = this.mapIdr.get(id)!;
      return { id, type: m.type, typeName: mapTypeName(m.type), name: m.name, keySize: m.keySize, valueSize: m.valueSize,
        maxEntries: m.maxEntries, flags: m.flags, refcnt: m.refcnt, usercnt: m.usercnt };
    });
  }
  mapInfo(fd: number): MapInfo {
    const m = this.mapFromFd(fd);
    return this.listMaps().find((x) => x.id === m.id)!;
  }

  // ------------------------------------------------------------ programs
  /** BPF_PROG_LOAD of an iterator program; mirrors bpf_iter_prog_supported() */
  loadProgram(spec: IterProgramSpec): number {
    if (!this.targets.has(spec.attachTarget)) {
      this.raise('EINVAL', `attach target 'bpf_iter_${spec.attachTarget}' is not a registered iterator target`);
    }
    const tag = createHash('sha1').update(spec.fingerprint).digest('hex').slice(0, 16);
    const prog: LoadedProg = { id: 0, spec, tag, refcnt: 1, loadTime: this.ktimeGetNs() };
    prog.id = this.progIdr.alloc(prog);
    return this.installFd({ kind: 'prog', prog });
  }
  progFromFd(fd: number): LoadedProg {
    const e = this.fdEntry(fd);
    if (e.kind !== 'prog') this.raise('EINVAL', `fd ${fd} is not a program`);
    return e.prog;
  }
  private progPut(prog: LoadedProg): void {
    if (--prog.refcnt === 0) this.progIdr.remove(prog.id);
  }

  // ------------------------------------------------------------ links
  /**
   * BPF_LINK_CREATE for an iterator: mirrors bpf_iter_link_attach().
   * iterInfoLen models the user's link_info length; the map fd is link_info.map.map_fd.
   */
  createIterLink(progFd: number, opts: { mapFd?: number; targetFd?: number; flags?: number; iterInfo?: Uint8Array | null; iterInfoLen?: number } = {}): number {
    const prog = this.progFromFd(progFd);
    if ((opts.targetFd ?? 0) !== 0 || (opts.flags ?? 0) !== 0) this.raise('EINVAL', 'link_create.target_fd and flags must be 0 for iterators');
    const info = opts.iterInfo === undefined ? (opts.mapFd !== undefined ? encodeMapLinkInfo(opts.mapFd) : null) : opts.iterInfo;
    const infoLen = opts.iterInfoLen ?? (info ? info.length : 0);
    if ((info === null) !== (infoLen === 0)) this.raise('EINVAL', 'iter_info and iter_info_len must both be set or both be zero');
    let mapFd = 0;
    const padded = new Uint8Array(16);
    if (info) {
      // bpf_check_uarg_tail_zero(): bytes past sizeof(union bpf_iter_link_info) must be zero
      if (infoLen > 16 && info.subarray(16, infoLen).some((b) => b !== 0)) this.raise('E2BIG', 'iter_info has non-zero bytes past 16');
      padded.set(info.subarray(0, Math.min(16, infoLen)));
      mapFd = new DataView(padded.buffer).getUint32(0, true);
    }
    const target = this.targets.get(prog.spec.attachTarget);
    if (!target) this.raise('ENOENT', `no iterator target '${prog.spec.attachTarget}'`);
    if (prog.spec.sleepable && !target.resched) this.raise('EINVAL', `sleepable programs cannot attach to target '${target.name}' (no BPF_ITER_RESCHED)`);
    const map = target.attach ? target.attach(this, prog.spec, mapFd) : null;
    const params = target.attachParams ? target.attachParams(this, new DataView(padded.buffer)) : null;
    prog.refcnt++;
    const link: IterLink = { id: 0, prog, target, map, params, refcnt: 1, detached: false };
    link.id = this.linkIdr.alloc(link);
    return this.installFd({ kind: 'link', link });
  }
  linkFromFd(fd: number): IterLink {
    const e = this.fdEntry(fd);
    if (e.kind !== 'link') this.raise('EINVAL', `fd ${fd} is not a link`);
    return e.link;
  }
  /** bpf_link_put(): the last reference detaches (bpf_iter_detach_map drops the map uref) */
  private linkPut(link: IterLink): void {
    if (--link.refcnt > 0) return;
    this.linkIdr.remove(link.id);
    if (link.map) this.mapPutWithUref(link.map);
    link.map = null;
    this.progPut(link.prog);
  }
  /** bpf_obj_pin of a link: a pin is one more reference; returns a release function */
  pinLink(fd: number): () => void {
    const link = this.linkFromFd(fd);
    link.refcnt++;
    let released = false;
    return () => { if (!released) { released = true; this.linkPut(link); } };
  }
  /** BPF_LINK_UPDATE: swap the program; open iterator files keep theirs */
  updateLinkProgram(linkFd: number, newProgFd: number, oldProgFd?: number): void {
    const link = this.linkFromFd(linkFd);
    const prog = this.progFromFd(newProgFd);
    if (oldProgFd !== undefined && this.progFromFd(oldProgFd) !== link.prog) this.raise('EPERM', 'old_prog does not match the link program');
    if (prog.spec.attachTarget !== link.prog.spec.attachTarget) this.raise('EINVAL', 'new program has a different attach target');
    prog.refcnt++;
    this.progPut(link.prog);
    link.prog = prog;
  }

  // ------------------------------------------------------------ iterator files
  /** BPF_ITER_CREATE: mirrors bpf_iter_new_fd() */
  createIter(linkFd: number, flags = 0): number {
    if (flags !== 0) this.raise('EINVAL', 'iter_create.flags must be 0');
    const link = this.linkFromFd(linkFd);
    return this.installFd({ kind: 'iter', session: this.openIterSession(link) });
  }
  /** Opening a pinned iterator link path behaves like BPF_ITER_CREATE. */
  openIterSession(link: IterLink): IterSession {
    link.prog.refcnt++; // the file holds its own program reference
    const session = new IterSession(this, ++this.sessionCounter, link.prog.spec, link.target, link.map, link.params);
    (session as unknown as { loadedProg: LoadedProg }).loadedProg = link.prog;
    session.init();
    this.seqsByAddr.set(session.seq.addr, session.seq);
    return session;
  }
  private releaseIter(session: IterSession): void {
    this.seqsByAddr.delete(session.seq.addr);
    session.release();
    this.progPut((session as unknown as { loadedProg: LoadedProg }).loadedProg);
  }
  /** read(iter_fd, buf, size): bytes (empty at EOF) or a thrown KernelError */
  readIter(fd: number, size: number): Uint8Array {
    const e = this.fdEntry(fd);
    if (e.kind !== 'iter') this.raise('EINVAL', `fd ${fd} is not an iterator`);
    this.synchronizeRcu();
    const r = e.session.read(size);
    if (typeof r === 'number') this.check(r, 'read of bpf_iter failed');
    return r as Uint8Array;
  }
  /** read() returning -errno instead of throwing, as the syscall does */
  readIterRaw(fd: number, size: number): Uint8Array | number {
    this.synchronizeRcu();
    const e = this.fds.get(fd);
    if (!e) return -ERRNO.EBADF;
    if (e.kind !== 'iter') return -ERRNO.EINVAL;
    return e.session.read(size);
  }
  /** Reads until EOF with the given read size and returns everything (cat of a pinned iterator). */
  readIterAll(fd: number, size = 4096): Uint8Array {
    const chunks: Uint8Array[] = [];
    for (;;) {
      const c = this.readIter(fd, size);
      if (c.length === 0) break;
      chunks.push(c);
    }
    return Buffer.concat(chunks);
  }

  // ------------------------------------------------------------ link introspection
  /** BPF_OBJ_GET_INFO_BY_FD on an iter link: mirrors bpf_iter_link_fill_link_info() */
  linkInfo(fd: number, targetNameBufLen = 256): { type: number; id: number; progId: number; targetName: string; targetNameLen: number; mapId?: number; errno?: number; tid?: number; pid?: number } {
    const link = this.linkFromFd(fd);
    const name = link.target.name;
    const targetNameLen = name.length + 1;
    const base = { type: BPF_LINK_TYPE_ITER, id: link.id, progId: link.prog.id, targetNameLen, ...this.paramsOf(link)?.linkInfo };
    if (targetNameBufLen === 0) return { ...base, targetName: '', ...(link.map ? { mapId: link.map.id } : {}) };
    if (targetNameBufLen < targetNameLen) return { ...base, targetName: name.slice(0, targetNameBufLen - 1), errno: -ERRNO.ENOSPC };
    return { ...base, targetName: name, ...(link.map ? { mapId: link.map.id } : {}) };
  }
  /** The BPF part of /proc/<pid>/fdinfo/<link_fd> (bpf_link_show_fdinfo + bpf_iter_link_show_fdinfo) */
  linkFdinfo(fd: number): string {
    const link = this.linkFromFd(fd);
    let s = `pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t${1000 + link.id}\n`;
    s += `link_type:\titer\nlink_id:\t${link.id}\nprog_tag:\t${link.prog.tag}\nprog_id:\t${link.prog.id}\n`;
    s += `target_name:\t${link.target.name}\n`;
    if (link.map) s += `map_id:\t${link.map.id}\n`;
    s += this.paramsOf(link)?.fdinfo ?? '';
    return s;
  }
  private paramsOf(link: IterLink): { fdinfo: string; bpftool: string; linkInfo: Record<string, number>; bpftoolJson?: Record<string, unknown> } | undefined {
    return link.target.describeParams && link.params ? link.target.describeParams(link.params) : undefined;
  }
  /** `bpftool link show` for every link, ascending id, with bpftool's trailing double spaces */
  bpftoolLinkShow(pinned: Map<number, string[]> = new Map()): string {
    let out = '';
    for (const id of this.linkIdr.ids()) {
      const l = this.linkIdr.get(id)!;
      out += `${id}: iter  prog ${l.prog.id}  target_name ${l.target.name}  `;
      // bpftool link.c is_iter_map_target(): bpf_map_elem and bpf_sk_storage_map only (not sockmap)
      if (l.map && l.target.name !== 'sockmap') out += `map_id ${l.map.id}  `;
      out += this.paramsOf(l)?.bpftool ?? '';
      for (const p of pinned.get(id) ?? []) out += `\n\tpinned ${p}`;
      out += '\n';
    }
    return out;
  }
  /** `bpftool -j link show` */
  bpftoolLinkShowJson(): string {
    return JSON.stringify(this.linkIdr.ids().map((id) => {
      const l = this.linkIdr.get(id)!;
      return { id, type: 'iter', prog_id: l.prog.id, target_name: l.target.name, ...(l.map && l.target.name !== 'sockmap' ? { map_id: l.map.id } : {}), ...(this.paramsOf(l)?.bpftoolJson ?? this.paramsOf(l)?.linkInfo) };
    }));
  }

  // ------------------------------------------------------------ helpers (never throw; -errno)
  ktimeGetNs(): bigint { const t = this.ktime; this.ktime += this.ktimeStep; return t; }
  private prandom = 0x2545f491;
  prandomU32(): number {
    let x = this.prandom;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return (this.prandom = x);
  }

  private popOrPeek(mapAddr: bigint, valueAddr: bigint, pop: boolean): number {
    const map = this.mapsByAddr.get(mapAddr);
    if (!map) return -ERRNO.EINVAL;
    if (map.type === BPF_MAP_TYPE.BLOOM_FILTER) {
      if (pop) return -ERRNO.EOPNOTSUPP;
      const probe = this.memory.read(valueAddr, map.valueSize);
      if (!probe) return -ERRNO.EFAULT;
      const r = map.peek(probe.slice());
      return typeof r === 'number' ? r : 0;
    }
    const r = pop ? map.pop() : map.peek(null);
    if (typeof r === 'number') return r;
    return this.memory.write(valueAddr, r) ? 0 : -ERRNO.EFAULT;
  }
  private seqAt(addr: bigint): SeqFile | undefined { return this.seqsByAddr.get(addr); }

  /** Typed fast path of bpf_seq_printf for compiled programs */
  seqPrintfDirect(seq: SeqFile, fmt: Uint8Array, args: readonly bigint[]): number {
    if (args.length > MAX_BPRINTF_VARARGS) return -ERRNO.EINVAL;
    // most formats are compiled once and written straight into the seq buffer; seq_bprintf() keeps the text
    // only when count + len < size, so the sink stops one byte short of the end
    const sink = this.seqSink;
    sink.buf = seq.buf; sink.pos = seq.count; sink.end = seq.size - 1; sink.full = false;
    const direct = bprintfInto(fmt, args, sink);
    if (direct !== undefined) {
      if (direct < 0) return direct;
      if (sink.full) seq.count = seq.size; else seq.count = sink.pos;
      return seq.overflowed ? -ERRNO.EOVERFLOW : 0;
    }
    const text = bprintf(fmt, args, this.memory);
    if (typeof text === 'number') return text;
    // seq_bprintf(): keeps the text only when count + len < size
    seq.write(text);
    return seq.overflowed ? -ERRNO.EOVERFLOW : 0;
  }
  private readonly seqSink = new ByteSink(new Uint8Array(0), 0);
  seqWriteDirect(seq: SeqFile, data: Uint8Array): number {
    seq.write(data);
    return seq.overflowed ? -ERRNO.EOVERFLOW : 0;
  }
  private readArgs(dataAddr: bigint, dataLen: number): bigint[] | number {
    if (dataLen % 8 !== 0 || dataLen > MAX_BPRINTF_VARARGS * 8) return -ERRNO.EINVAL;
    if (dataLen && dataAddr === 0n) return -ERRNO.EINVAL;
    if (dataLen === 0) return [];
    // read through the region's own view (no subarray, DataView or callback per call: this runs once per
    // BPF_SEQ_PRINTF); a range past the region faults as memory.read() would
    const at = this.memory.find(dataAddr);
    if (!at || at.offset + dataLen > at.region.bytes.length) return -ERRNO.EFAULT;
    const args: bigint[] = new Array<bigint>(dataLen / 8);
    for (let i = 0; i < args.length; i++) args[i] = at.region.view.getBigUint64(at.offset + i * 8, true);
    return args;
  }

  /**
   * The trace log (what /sys/kernel/tracing/trace_pipe would show of bpf_trace_printk() events): one message per
   * call, as formatted, never part of any seq output.
   */
  readonly traceLog: string[] = [];

  private tracePrintk(fmtAddr: bigint, fmtSize: number, args: bigint[]): number {
    if (!validSize(fmtSize)) return -ERRNO.EINVAL;
    const fmt = this.memory.read(fmtAddr, fmtSize);
    if (!fmt) return -ERRNO.EINVAL;
    const text = bprintf(fmt, args, this.memory);
    if (typeof text === 'number') return text;
    // bstr_printf() into a MAX_BPRINTF_BUF buffer: the event keeps what fits, the helper returns the full length
    const kept = text.subarray(0, Math.min(text.length, MAX_BPRINTF_BUF - 1));
    if (this.traceLog.length < MAX_TRACE_LOG_LINES) this.traceLog.push(Array.from(kept, (b) => String.fromCharCode(b)).join(''));
    return text.length;
  }

  /** mirrors bpf_for_each_array_elem() and bpf_for_each_hash_elem(): the number of elements visited */
  private forEachMapElem(map: BpfMap, fnAddr: bigint, ctxAddr: bigint, callback: CallbackInvoker): number {
    const mapAddr = map.region.addr;
    let visited = 0;
    if (map instanceof ArrayMap) {
      // the key is the loop's u32 on the kernel stack
      const key = this.memory.alloc(4, 'bpf_for_each_array_elem key');
      try {
        for (let i = 0; i < map.maxEntries; i++) {
          const val = map.storage.addr + BigInt(map.elemOffset(i) + (map.isPercpu ? this.currentCpu * map.elemSize : 0));
          visited++;
          new DataView(key.bytes.buffer, key.bytes.byteOffset, 4).setUint32(0, i, true);
          if (callback(fnAddr, [mapAddr, key.addr, val, ctxAddr, 0n]) !== 0n) break;
        }
      } finally {
        this.memory.free(key);
      }
      return visited;
    }
    if (map instanceof HashMap) {
      for (let b = 0; b < map.nBuckets; b++) {
        for (let e = map.heads[b]; e !== NO_ELEM; e = map.next[e]) {
          const keyAddr = map.regionOf(e).addr + BigInt(map.keyOffset(e));
          visited++;
          if (callback(fnAddr, [mapAddr, keyAddr, map.valueAddr(e, this.currentCpu), ctxAddr, 0n]) !== 0n) return visited;
        }
      }
      return visited;
    }
    return -ERRNO.ENOTSUPP;
  }

  /** struct bpf_iter_num_kern { int cur; int end; } inside the program's 8-byte struct bpf_iter_num */
  private writeIterNum(itAddr: bigint, cur: number, end: number): void {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setInt32(0, cur, true);
    v.setInt32(4, end, true);
    this.memory.write(itAddr, b);
  }

  /**
   * mirrors __bpf_strtoull(): at most 64 bytes of the buffer (up to a NUL), leading spaces, an optional '-', the base
   * of flags (0 = by prefix, 8, 10, 16) and its 0x prefix, then digits; the bytes consumed, or a negative errno.
   */
  private parseBpfStrtox(bufAddr: bigint, bufLen: bigint | number, flags: bigint | number): { value: bigint; negative: boolean; consumed: number } | number {
    const length = Math.min(Number(BigInt.asUintN(32, BigInt(bufLen))), 64);
    let base = Number(BigInt.asUintN(64, BigInt(flags)));
    if ((base & ~0x1f) !== 0 || length === 0) return -ERRNO.EINVAL;
    if (base !== 0 && base !== 8 && base !== 10 && base !== 16) return -ERRNO.EINVAL;
    const raw = this.memory.read(bufAddr, length);
    if (!raw) return -ERRNO.EFAULT;
    const nul = raw.indexOf(0);
    const text = raw.subarray(0, nul < 0 ? raw.length : nul);
    let at = 0;
    const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
    while (at < text.length && isSpace(text[at])) at++;
    const negative = at < text.length && text[at] === 45;
    if (negative) at++;
    const lower = (i: number) => (i < text.length ? text[i] | 0x20 : 0);
    const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
    if (base === 0) base = text[at] === 48 ? (lower(at + 1) === 120 && isHex(lower(at + 2)) ? 16 : 8) : 10;
    if (base === 16 && text[at] === 48 && lower(at + 1) === 120) at += 2;
    let value = 0n;
    let digits = 0;
    for (; at < text.length; at++, digits++) {
      const c = lower(at);
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : 99;
      if (digit >= base) break;
      value = value * BigInt(base) + BigInt(digit);
      if (value >> 64n) return -ERRNO.ERANGE;
    }
    if (digits === 0) return -ERRNO.EINVAL;
    return { value, negative, consumed: at };
  }

  readonly helpers = {
    // mirrors bpf_seq_printf() (kernel/trace/bpf_trace.c)
    bpf_seq_printf: (seqAddr: bigint, fmtAddr: bigint, fmtSize: number, dataAddr: bigint, dataLen: number): number => {
      const seq = this.seqAt(seqAddr);
      if (!seq || !validSize(fmtSize) || !validSize(dataLen)) return -ERRNO.EINVAL;
      const args = this.readArgs(dataAddr, dataLen);
      if (typeof args === 'number') return args;
      const fmt = this.memory.read(fmtAddr, fmtSize);
      if (!fmt) return -ERRNO.EINVAL;
      return this.seqPrintfDirect(seq, fmt, args);
    },
    // mirrors bpf_seq_write()
    bpf_seq_write: (seqAddr: bigint, dataAddr: bigint, len: number): number => {
      if (!validSize(len)) return -ERRNO.EINVAL;
      const seq = this.seqAt(seqAddr);
      if (!seq) return -ERRNO.EINVAL;
      const data = this.memory.read(dataAddr, len);
      if (!data) return -ERRNO.EFAULT;
      return this.seqWriteDirect(seq, data);
    },
    // mirrors bpf_snprintf(): returns formatted length + 1
    bpf_snprintf: (strAddr: bigint, strSize: number, fmtAddr: bigint, dataAddr: bigint, dataLen: number): number => {
      if (!validSize(strSize) || !validSize(dataLen)) return -ERRNO.EINVAL;
      const args = this.readArgs(dataAddr, dataLen);
      if (typeof args === 'number') return args;
      const fmt = this.memory.read(fmtAddr, Math.min(MAX_BPRINTF_BUF, this.memory.find(fmtAddr) ? this.memory.find(fmtAddr)!.region.bytes.length - this.memory.find(fmtAddr)!.offset : 0));
      if (!fmt) return -ERRNO.EINVAL;
      const text = bprintf(fmt, args, this.memory);
      if (typeof text === 'number') return text;
      if (strSize > 0) {
        const n = Math.min(text.length, strSize - 1);
        const out = new Uint8Array(n + 1);
        out.set(text.subarray(0, n));
        if (!this.memory.write(strAddr, out)) return -ERRNO.EFAULT;
      }
      return text.length + 1;
    },
    bpf_map_lookup_elem: (mapAddr: bigint, keyAddr: bigint): bigint => {
      const map = this.mapsByAddr.get(mapAddr);
      const key = map && this.memory.read(keyAddr, map.keySize);
      if (!map || !key) return 0n;
      return map.lookupAddr(key.slice(), this.currentCpu);
    },
    // mirrors bpf_map_lookup_percpu_elem(): NULL for a CPU past nr_cpu_ids or a map without map_lookup_percpu_elem
    // (only the per-CPU array and hash maps have it), else that CPU's slot of the value
    bpf_map_lookup_percpu_elem: (mapAddr: bigint, keyAddr: bigint, cpu: bigint | number): bigint => {
      const map = this.mapsByAddr.get(mapAddr);
      const key = map && this.memory.read(keyAddr, map.keySize);
      const target = Number(BigInt.asUintN(32, BigInt(cpu)));
      if (!map || !key || target >= this.cpus) return 0n;
      const percpu = map.type === BPF_MAP_TYPE.PERCPU_ARRAY || map.type === BPF_MAP_TYPE.PERCPU_HASH || map.type === BPF_MAP_TYPE.LRU_PERCPU_HASH;
      return percpu ? map.lookupAddr(key.slice(), target) : 0n;
    },
    // mirrors bpf_strtol(): __bpf_strtoll() of kernel/bpf/helpers.c
    bpf_strtol: (bufAddr: bigint, bufLen: bigint | number, flags: bigint | number, resAddr: bigint): number => {
      const parsed = this.parseBpfStrtox(bufAddr, bufLen, flags);
      if (typeof parsed === 'number') return parsed;
      const { value, negative, consumed } = parsed;
      const limit = 1n << 63n;
      if (negative ? value > limit : value >= limit) return -ERRNO.ERANGE;
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, negative ? -value : value, true);
      return this.memory.write(resAddr, out) ? consumed : -ERRNO.EFAULT;
    },
    // mirrors bpf_strtoul(): __bpf_strtoull(), which refuses a minus sign
    bpf_strtoul: (bufAddr: bigint, bufLen: bigint | number, flags: bigint | number, resAddr: bigint): number => {
      const parsed = this.parseBpfStrtox(bufAddr, bufLen, flags);
      if (typeof parsed === 'number') return parsed;
      if (parsed.negative) return -ERRNO.EINVAL;
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigUint64(0, parsed.value, true);
      return this.memory.write(resAddr, out) ? parsed.consumed : -ERRNO.EFAULT;
    },
    // mirrors bpf_strncmp(): strncmp(s1, s2, s1_sz) of lib/string.c, -1/0/1 by the first differing byte (unsigned)
    bpf_strncmp: (s1Addr: bigint, s1Size: bigint | number, s2Addr: bigint): number => {
      const size = Number(BigInt.asUintN(32, BigInt(s1Size)));
      const s1 = this.memory.read(s1Addr, size);
      const s2 = this.memory.readString(s2Addr, size + 1);
      if (!s1 || !s2) return -ERRNO.EFAULT;
      for (let i = 0; i < size; i++) {
        const a = s1[i], b = i < s2.length ? s2[i] : 0;
        if (a !== b) return a < b ? -1 : 1;
        if (a === 0) return 0;
      }
      return 0;
    },
    bpf_map_update_elem: (mapAddr: bigint, keyAddr: bigint, valueAddr: bigint, flags: bigint | number): number => {
      const map = this.mapsByAddr.get(mapAddr);
      if (!map) return -ERRNO.EINVAL;
      const key = this.memory.read(keyAddr, map.keySize);
      const value = this.memory.read(valueAddr, map.valueSize);
      if (!key || !value) return -ERRNO.EFAULT;
      return map.updateFromProg(key.slice(), value.slice(), Number(flags), this.currentCpu);
    },
    bpf_map_delete_elem: (mapAddr: bigint, keyAddr: bigint): number => {
      const map = this.mapsByAddr.get(mapAddr);
      if (!map) return -ERRNO.EINVAL;
      const key = this.memory.read(keyAddr, map.keySize);
      if (!key) return -ERRNO.EFAULT;
      return map.delete(key.slice(), this.currentCpu);
    },
    bpf_get_smp_processor_id: (): number => this.currentCpu,
    // mirrors bpf_d_path(): d_path() of a struct path into buf, the length with its NUL, -ENAMETOOLONG if it does not fit
    bpf_d_path: (pathAddr: bigint, bufAddr: bigint, size: number): number => {
      const text = this.tasks?.pathAt(pathAddr);
      if (text === undefined) return -ERRNO.EINVAL;
      const bytes = new TextEncoder().encode(text);
      if (bytes.length + 1 > size) return -ERRNO.ENAMETOOLONG;
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes);
      return this.memory.write(bufAddr, out) ? out.length : -ERRNO.EFAULT;
    },
    // mirrors bpf_copy_from_user_task(): the task's user memory (argv at mm->arg_start); zero-fills dst on a fault
    // (the simulated user memory is one address space, so the task argument selects nothing)
    bpf_copy_from_user_task: (dstAddr: bigint, size: number, userAddr: bigint, _task: bigint, flags: bigint): number => {
      if (flags !== 0n || !validSize(size)) return -ERRNO.EINVAL;
      const src = this.memory.read(userAddr, size);
      if (!src) { this.memory.write(dstAddr, new Uint8Array(size)); return -ERRNO.EFAULT; }
      return this.memory.write(dstAddr, src.slice()) ? 0 : -ERRNO.EFAULT;
    },
    // mirrors bpf_get_task_stack(): the simulated machine records no kernel stacks, so no frame is copied (0 bytes)
    bpf_get_task_stack: (_task: bigint, _buf: bigint, size: number, flags: bigint): number => {
      if ((flags & ~0x3ffn & ~0x100n & ~0x800n) !== 0n) return -ERRNO.EINVAL;
      return size % 8 === 0 || size === 0 ? 0 : -ERRNO.EINVAL;
    },
    bpf_ktime_get_ns: (): bigint => this.ktimeGetNs(),
    // mirrors bpf_user_rnd_u32(): a pseudo-random u32 per call. The kernel's per-CPU prandom state cannot be known, so
    // the simulator draws from its own xorshift32, seeded the same way every run: runs are reproducible.
    bpf_get_prandom_u32: (): number => this.prandomU32(),
    // mirrors bpf_probe_read_kernel(): zero-fills dst on a fault
    bpf_probe_read_kernel: (dstAddr: bigint, size: number, srcAddr: bigint): number => {
      if (!validSize(size)) return -ERRNO.EINVAL;
      const src = this.memory.read(srcAddr, size);
      if (!src) { this.memory.write(dstAddr, new Uint8Array(size)); return -ERRNO.EFAULT; }
      return this.memory.write(dstAddr, src.slice()) ? 0 : -ERRNO.EFAULT;
    },
    // mirrors bpf_probe_read_kernel_str(): returns bytes copied including the NUL
    bpf_probe_read_kernel_str: (dstAddr: bigint, size: number, srcAddr: bigint): number => {
      if (!validSize(size)) return -ERRNO.EINVAL;
      if (size === 0) return 0;
      const s = this.memory.readString(srcAddr, size - 1);
      if (!s) { this.memory.write(dstAddr, new Uint8Array(size)); return -ERRNO.EFAULT; }
      const out = new Uint8Array(s.length + 1);
      out.set(s);
      return this.memory.write(dstAddr, out) ? out.length : -ERRNO.EFAULT;
    },
    // mirrors bpf_map_push_elem() / bpf_map_pop_elem() / bpf_map_peek_elem()
    bpf_map_push_elem: (mapAddr: bigint, valueAddr: bigint, flags: bigint | number): number => {
      const map = this.mapsByAddr.get(mapAddr);
      if (!map) return -ERRNO.EINVAL;
      const value = this.memory.read(valueAddr, map.valueSize);
      if (!value) return -ERRNO.EFAULT;
      return map.push(value.slice(), Number(flags));
    },
    bpf_map_pop_elem: (mapAddr: bigint, valueAddr: bigint): number => this.popOrPeek(mapAddr, valueAddr, true),
    bpf_map_peek_elem: (mapAddr: bigint, valueAddr: bigint): number => this.popOrPeek(mapAddr, valueAddr, false),
    // mirrors the kfunc bpf_map_sum_elem_count()
    bpf_map_sum_elem_count: (mapAddr: bigint): bigint => this.mapsByAddr.get(mapAddr)?.sumElemCount() ?? 0n,
    // mirrors bpf_loop() (kernel/bpf/bpf_iter.c): the callback returns 0 to go on, 1 to stop
    bpf_loop: (nr: bigint, fnAddr: bigint, ctxAddr: bigint, flags: bigint, callback: CallbackInvoker): number => {
      if (flags !== 0n) return -ERRNO.EINVAL;
      const loops = Number(BigInt.asUintN(32, nr));
      if (loops > BPF_MAX_LOOPS) return -ERRNO.E2BIG;
      for (let i = 0; i < loops; i++) {
        if (callback(fnAddr, [BigInt(i), ctxAddr, 0n, 0n, 0n]) !== 0n) return i + 1;
      }
      return loops;
    },
    // mirrors bpf_for_each_map_elem(): map->ops->map_for_each_callback()
    bpf_for_each_map_elem: (mapAddr: bigint, fnAddr: bigint, ctxAddr: bigint, flags: bigint, callback: CallbackInvoker): number => {
      const map = this.mapsByAddr.get(mapAddr);
      if (!map) return -ERRNO.EINVAL;
      if (flags !== 0n) return -ERRNO.EINVAL;
      return this.forEachMapElem(map, fnAddr, ctxAddr, callback);
    },
    // mirrors bpf_trace_printk(): at most MAX_TRACE_PRINTK_VARARGS (3) arguments, the text goes to the trace log
    bpf_trace_printk: (fmtAddr: bigint, fmtSize: number, a1 = 0n, a2 = 0n, a3 = 0n): number =>
      this.tracePrintk(fmtAddr, fmtSize, [a1, a2, a3]),
    // mirrors bpf_trace_vprintk(): the arguments are an array of u64, like bpf_seq_printf()'s
    bpf_trace_vprintk: (fmtAddr: bigint, fmtSize: number, dataAddr: bigint, dataLen: number): number => {
      if (!validSize(dataLen)) return -ERRNO.EINVAL;
      const args = this.readArgs(dataAddr, dataLen);
      if (typeof args === 'number') return args;
      return this.tracePrintk(fmtAddr, fmtSize, args);
    },
    // mirrors the kfunc bpf_iter_num_new(): cur = start - 1 so the first next() yields start
    bpf_iter_num_new: (itAddr: bigint, start: bigint, end: bigint): number => {
      const s = Number(BigInt.asIntN(32, start)), e = Number(BigInt.asIntN(32, end));
      if (s > e) { this.writeIterNum(itAddr, 0, 0); return -ERRNO.EINVAL; }
      if (e - s > BPF_MAX_LOOPS) { this.writeIterNum(itAddr, 0, 0); return -ERRNO.E2BIG; }
      this.writeIterNum(itAddr, s - 1, e);
      return 0;
    },
    // mirrors the kfunc bpf_iter_num_next(): a pointer to cur, or NULL (and the state cleared) when done
    bpf_iter_num_next: (itAddr: bigint): bigint => {
      const raw = this.memory.read(itAddr, 8);
      if (!raw) return 0n;
      const v = new DataView(raw.buffer, raw.byteOffset, 8);
      const cur = v.getInt32(0, true), end = v.getInt32(4, true);
      if (cur + 1 >= end) { this.writeIterNum(itAddr, 0, 0); return 0n; }
      this.writeIterNum(itAddr, cur + 1, end);
      return itAddr;
    },
    // mirrors the kfunc bpf_iter_num_destroy()
    bpf_iter_num_destroy: (itAddr: bigint): number => { this.writeIterNum(itAddr, 0, 0); return 0; },
    // the socket casts and bpf_sock_destroy() (kernel/net/helpers.ts)
    bpf_skc_to_tcp_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_tcp_sock(this.net, sk),
    bpf_skc_to_tcp6_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_tcp6_sock(this.net, sk),
    bpf_skc_to_udp6_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_udp6_sock(this.net, sk),
    bpf_skc_to_tcp_timewait_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_tcp_timewait_sock(this.net, sk),
    bpf_skc_to_tcp_request_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_tcp_request_sock(this.net, sk),
    bpf_skc_to_unix_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_unix_sock(this.net, sk),
    bpf_sock_destroy: (sk: bigint): number => sockDestroy(this.net, sk),
  };
}

/** BPF_MAX_LOOPS: the bound of bpf_loop() and of a numbers iterator's range */
const BPF_MAX_LOOPS = 8 * 1024 * 1024;
/** The simulated trace buffer keeps this many messages of one run (the real one is a ring that overwrites). */
const MAX_TRACE_LOG_LINES = 10_000;

/** How a helper calls the program back: the callback's address and its u64 arguments R1-R5; returns R0. */
export type CallbackInvoker = (fnAddr: bigint, args: bigint[]) => bigint;

function isPushMap(map: BpfMap): boolean {
  return map.type === BPF_MAP_TYPE.QUEUE || map.type === BPF_MAP_TYPE.STACK || map.type === BPF_MAP_TYPE.BLOOM_FILTER;
}

/** Helper size arguments are u32 in the kernel; anything else would be a verifier bug, answered with -EINVAL. */
function validSize(n: number): boolean { return Number.isInteger(n) && n >= 0 && n <= 0xffffffff && n < (1 << 30); }

/** union bpf_iter_link_info with map.map_fd set */
export function encodeMapLinkInfo(mapFd: number): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(0, mapFd, true);
  return b;
}

/** A binary min-heap of numbers in an array (the free fds below Kernel.fdTop). */
function pushMin(heap: number[], x: number): void {
  let i = heap.push(x) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= x) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = x;
}
function popMin(heap: number[]): number {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i, v = last;
      if (l < heap.length && heap[l] < v) { m = l; v = heap[l]; }
      if (r < heap.length && heap[r] < v) { m = r; }
      if (m === i) break;
      heap[i] = heap[m];
      i = m;
    }
    heap[i] = last;
  }
  return top;
}
