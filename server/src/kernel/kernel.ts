import { createHash } from 'crypto';
import { ERRNO, ErrnoName, KernelError, MapBatchError, errnoName } from './errno';
import { IterProgramSpec, IterSession, IterTarget } from './iter';
import { allocMap } from './mapAlloc';
import { ArrayMap, BatchLayout, BpfMap, HashMap, MapCreateAttr, packedLayout } from './maps';
import { BPF_ANY, BPF_MAP_TYPE, mapTypeName } from './mapTypes';
import { NetNamespace, type NetSpec } from './net/netns';
import { SimulatedTasks } from './taskIter';
import type { SimMachine } from './simMachine';
import { normalizeCgroupPath, SimCgroup, SimulatedCgroups } from './cgroupIter';
import { EMPTY_SIM_OBJECTS, SimObjects, SimulatedObjects } from './objectIters';
import { SIMULATED_TARGETS, type LoadedProg, type IterLink, type FdEntry } from './kernelState';
import { KernelHelpers } from './bpfHelpers';

export type { KernelOptions, LoadedProg, IterLink } from './kernelState';
export type { CallbackInvoker } from './bpfHelpers';

export interface MapInfo {
  id: number; type: number; typeName: string; name: string; keySize: number; valueSize: number;
  maxEntries: number; flags: number; refcnt: number; usercnt: number;
}

export const SIMULATED_ITER_TARGETS: readonly string[] = SIMULATED_TARGETS.map((t) => t.name);

/** BPF_LINK_TYPE_ITER */
export const BPF_LINK_TYPE_ITER = 4;

export class Kernel extends KernelHelpers {
  /** Builds the network namespace from a scenario's description (kernel/net/netns.ts). */
  setNetwork(spec: NetSpec): void { this.netns = new NetNamespace(this.memory, spec); }

  raise(code: ErrnoName, message: string): never { throw new KernelError(code, message); }
  /** Boots the machine's processes: laid out once, so their addresses stay put for the kernel's life. */
  setMachine(machine: SimMachine): void { this.tasks = new SimulatedTasks(this, machine); this.linkTaskCgroups(); }
  setCgroups(list: readonly SimCgroup[]): void { this.cgroups = new SimulatedCgroups(this, list); this.linkTaskCgroups(); }
  /** task->cgroups of every task, once both the tasks and the hierarchy exist (taskIter.ts linkCgroups()) */
  private linkTaskCgroups(): void {
    const cgroups = this.cgroups;
    if (this.tasks && cgroups) this.tasks.linkCgroups((path) => cgroups.byPathName(path)?.region.addr, (path, ssid) => cgroups.controllerCss(path, ssid));
  }
  /** open(cgroup directory, O_RDONLY): an fd link_info.cgroup.cgroup_fd may name */
  openCgroup(path: string): number {
    if (!this.cgroups) this.setCgroups([]);
    if (!this.cgroups!.byPathName(path)) this.raise('ENOENT', `no cgroup ${path}`);
    return this.installFd({ kind: 'cgroup', path: normalizeCgroupPath(path) });
  }
  /** The cgroup directory an fd has open, or undefined */
  cgroupPathOfFd(fd: number): string | undefined { const e = this.fds.get(fd); return e?.kind === 'cgroup' ? e.path : undefined; }
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
  protected installFd(entry: FdEntry): number {
    const fd = this.freeFds.length > 0 ? popMin(this.freeFds) : this.fdTop++;
    this.fds.set(fd, entry);
    return fd;
  }
  protected fdEntry(fd: number): FdEntry {
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

  protected checkKey(map: BpfMap, key: Uint8Array): void {
    if (key.length !== map.keySize) this.raise('EINVAL', `key has ${key.length} bytes, map '${map.name}' key_size is ${map.keySize}`);
  }
  protected check(ret: number, what: string): void {
    if (ret < 0) {
      const name = (Object.keys(ERRNO) as ErrnoName[]).find((k) => ERRNO[k] === -ret) ?? 'EINVAL';
      this.raise(name, what);
    }
  }
  /** BPF_MAP_FREEZE: mirrors map_freeze(); a second freeze is EBUSY */
  mapFreeze(fd: number): void {
    const map = this.mapFromFd(fd);
    if (map.frozen) this.raise('EBUSY', `map '${map.name}' is frozen already`);
    map.frozen = true;
    map.syncRegion();
  }
  /** mirrors map_get_sys_perms(): a frozen map is read-only to the syscall side (EPERM) */
  protected checkWritable(map: BpfMap): void {
    if (map.frozen) this.raise('EPERM', `map '${map.name}' is frozen`);
  }
  /** bpf_map_update_elem(fd, key, value, flags); per-CPU maps take round_up(value_size, 8) bytes per CPU */
  mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags = BPF_ANY): void {
    this.synchronizeRcu();
    const map = this.mapFromFd(fd);
    this.checkWritable(map);
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
    this.checkWritable(map);
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
    this.checkWritable(map);
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
  protected progPut(prog: LoadedProg): void {
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
  protected linkPut(link: IterLink): void {
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
    this.seqsByRegion.set(session.seq.region, session.seq);
    return session;
  }
  protected releaseIter(session: IterSession): void {
    this.seqsByAddr.delete(session.seq.addr);
    this.seqsByRegion.delete(session.seq.region);
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
  protected paramsOf(link: IterLink): { fdinfo: string; bpftool: string; linkInfo: Record<string, number>; bpftoolJson?: Record<string, unknown> } | undefined {
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
}

function isPushMap(map: BpfMap): boolean {
  return map.type === BPF_MAP_TYPE.QUEUE || map.type === BPF_MAP_TYPE.STACK || map.type === BPF_MAP_TYPE.BLOOM_FILTER;
}

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
