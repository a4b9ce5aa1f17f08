import { ERRNO } from './errno';
import type { Kernel } from './kernel';
import { ArrayMap, BpfMap, HashMap, NO_ELEM } from './maps';
import { Region, Resolved } from './memory';
import { SeqFile } from './seqFile';
import { iterTargetInfo } from './iterTargets';

/** MAX_ITER_OBJECTS: objects one read() may visit */
export const MAX_ITER_OBJECTS = 1000000;

/** What the executor hands the kernel for a loaded iterator program. */
export interface IterProgramSpec {
  name: string;
  attachTarget: string;
  sleepable: boolean;
  maxRdonlyAccess: number;
  maxRdwrAccess: number;
  gplCompatible: boolean;
  fingerprint: string;
  run(ctx: IterRunContext): number | bigint;
}

/** One program invocation: the ctx region plus its decoded pieces for a fast executor. */
export interface IterRunContext {
  kernel: Kernel;
  ctxAddr: bigint;
  ctxRegion: Region;
  metaAddr: bigint;
  seq: SeqFile;
  seqAddr: bigint;
  sessionId: bigint;
  /** meta->seq_num of this call (read only when asked: a BigInt per object cost the walk its time) */
  readonly seqNum: bigint;
  /** bpf_map target: the visited map (null in the final call); bpf_map_elem: the iterated map */
  map: BpfMap | null;
  key: Resolved | null;
  value: Resolved | null;
  cpu: number;
  inStop: boolean;
}

/** The seq_operations of one target (start/next/stop/show), with the object type hidden. */
export interface IterSeqOps<T> {
  start(): T | null;
  next(prev: T): T | null;
  /** stop(p): p non-null means the walk was interrupted with p not shown */
  stop(p: T | null): void;
  /** show(p) / in_stop show(NULL): runs the program; returns 0, -errno, or 1 (SEQ_SKIP: nothing shown) */
  show(p: T | null, inStop: boolean): number;
  /** fini_seq_private(): called when the iterator file is released */
  fini(): void;
}

/** An iterator target as registered by bpf_iter_reg_target(). */
export interface IterTarget {
  name: string;
  /** BPF_ITER_RESCHED feature: only such targets take sleepable programs */
  resched: boolean;
  /** attach_target; absent for bpf_map (map_fd is ignored) */
  attach?(kernel: Kernel, prog: IterProgramSpec, mapFd: number): BpfMap | null;
  /** attach_target of a target with parameters other than a map: reads union bpf_iter_link_info (16 bytes) */
  attachParams?(kernel: Kernel, info: DataView): unknown;
  /** show_fdinfo / fill_link_info / bpftool's text of those parameters */
  describeParams?(params: unknown): { fdinfo: string; bpftool: string; linkInfo: Record<string, number>; bpftoolJson?: Record<string, unknown> };
  /** init_seq_private + seq_ops for a new session */
  openSession(session: IterSession): IterSeqOps<unknown>;
}

/** Stores region.addr + offset as a u64 without allocating a BigInt (hot path: once per object). */
function storePointer(v: DataView, at: number, p: Resolved | null): void {
  if (!p) { v.setUint32(at, 0, true); v.setUint32(at + 4, 0, true); return; }
  const sum = p.region.addrLo + p.offset;
  v.setUint32(at, sum >>> 0, true);
  v.setUint32(at + 4, (p.region.addrHi + Math.floor(sum / 4294967296)) >>> 0, true);
}

/** The per-open state of an iterator file (struct bpf_iter_priv_data + seq_file). */
export class IterSession {
  readonly seq: SeqFile;
  /** seq_num (a number: the walk cannot reach 2^53 objects; it goes to -1 when the first object is skipped) */
  private seqNumber = 0;
  get seqNum(): bigint { return BigInt(this.seqNumber); }
  doneStop = false;
  private ops: IterSeqOps<unknown> | null = null;
  /** ctx and meta regions shared by every program run of this session */
  readonly ctxRegion: Region;
  readonly metaRegion: Region;
  released = false;

  constructor(readonly kernel: Kernel, readonly sessionId: bigint, readonly prog: IterProgramSpec,
    readonly target: IterTarget, readonly map: BpfMap | null, readonly params: unknown = null) {
    this.seq = new SeqFile(kernel.memory);
    this.ctxRegion = kernel.memory.alloc(32, `struct bpf_iter__${target.name}`, true);
    this.metaRegion = kernel.memory.alloc(24, 'struct bpf_iter_meta', true);
    const session = this; // the run context's seqNum getter reads the session's current seq_num
    this.ctxRegion.view.setBigUint64(0, this.metaRegion.addr, true);
    this.metaRegion.view.setBigUint64(0, this.seq.addr, true);
    this.metaRegion.view.setBigUint64(8, sessionId, true);
    this.runContext = {
      kernel, ctxAddr: this.ctxRegion.addr, ctxRegion: this.ctxRegion, metaAddr: this.metaRegion.addr, seq: this.seq,
      seqAddr: this.seq.addr, sessionId, get seqNum(): bigint { return session.seqNum; }, map: null, key: null, value: null, cpu: kernel.currentCpu, inStop: false,
    };
  }
  private readonly runContext: IterRunContext;
  init(): void { this.ops = this.target.openSession(this); }

  /** mirrors bpf_iter_run_prog() through __bpf_*_seq_show(): fills ctx/meta, runs, maps non-zero R0 to -EAGAIN */
  runProgram(map: BpfMap | null, key: Resolved | null, value: Resolved | null, inStop: boolean): number {
    // bpf_iter_get_info(): the final call runs once per session
    if (inStop && this.doneStop) return 0;
    const v = this.ctxRegion.view;
    v.setUint32(8, map ? map.region.addrLo : 0, true);
    v.setUint32(12, map ? map.region.addrHi : 0, true);
    storePointer(v, 16, key);
    storePointer(v, 24, value);
    return this.invoke(map, key, value, inStop);
  }

  /**
   * Runs the program for one object of any target: `values` are the ctx fields after meta, in the target's field
   * order (kernel/iterTargets.ts): a kernel pointer, a number for a scalar field (task_file's fd), or null.
   */
  runFields(values: ReadonlyArray<Resolved | number | null>, inStop: boolean): number {
    if (inStop && this.doneStop) return 0;
    const fields = iterTargetInfo(this.target.name)?.fields ?? [];
    const v = this.ctxRegion.view;
    for (let i = 0; i < values.length && i + 1 < fields.length; i++) {
      const f = fields[i + 1];
      const x = values[i];
      if (typeof x === 'number') { if (f.size === 4) v.setUint32(f.offset, x >>> 0, true); else v.setBigUint64(f.offset, BigInt(x), true); }
      else storePointer(v, f.offset, x);
    }
    return this.invoke(null, null, null, inStop);
  }

  /** The part of every call after the ctx is written: seq_num into meta, the run context refreshed, the program run. */
  private invoke(map: BpfMap | null, key: Resolved | null, value: Resolved | null, inStop: boolean): number {
    this.writeSeqNum();
    // one context object per session, refreshed per call: it is only valid during run()
    const ctx = this.runContext;
    ctx.map = map;
    ctx.key = key;
    ctx.value = value;
    ctx.cpu = this.kernel.currentCpu;
    ctx.inStop = inStop;
    const ret = this.prog.run(ctx);
    return ret === 0 || ret === 0n ? 0 : -ERRNO.EAGAIN;
  }

  /**
   * bpf_iter_run_prog() for targets whose ctx is not (map, key, value): the ctx after `meta` is zeroed (the final
   * NULL call sees NULL and 0) and `fill` writes the target's fields into it (kernel/net/targets.ts).
   */
  runProgramWithCtx(fill: ((ctx: DataView) => void) | null, inStop: boolean): number {
    if (inStop && this.doneStop) return 0;
    const v = this.ctxRegion.view;
    for (let at = 8; at + 8 <= v.byteLength; at += 8) v.setBigUint64(at, 0n, true);
    if (fill) fill(v);
    this.writeSeqNum();
    const ctx = this.runContext;
    ctx.map = null;
    ctx.key = null;
    ctx.value = null;
    ctx.cpu = this.kernel.currentCpu;
    ctx.inStop = inStop;
    const ret = this.prog.run(ctx);
    return ret === 0 || ret === 0n ? 0 : -ERRNO.EAGAIN;
  }

  /** meta->seq_num as a u64, from its u32 halves (two's complement below 0) */
  private writeSeqNum(): void {
    const v = this.metaRegion.view, n = this.seqNumber;
    v.setUint32(16, n >>> 0, true);
    v.setUint32(20, Math.floor(n / 4294967296) >>> 0, true);
  }

  /** mirrors bpf_seq_read() (kernel/bpf/bpf_iter.c) step by step; returns bytes or -errno */
  read(size: number): Uint8Array | number {
    const seq = this.seq;
    const ops = this.ops!;
    if (this.released) return -ERRNO.EBADF;
    if (seq.count) {
      const n = Math.min(seq.count, size);
      const out = seq.buf.slice(seq.from, seq.from + n);
      seq.count -= n;
      seq.from += n;
      return out;
    }
    seq.from = 0;
    let numObjs = 0;
    let err = 0;
    let p = ops.start();
    if (p !== null) {
      err = ops.show(p, false);
      // SEQ_SKIP: the object is skipped and the next one reuses its seq_num (bpf_iter_dec_seq_num())
      if (err > 0) { this.seqNumber--; seq.count = 0; err = 0; }
      if (err < 0 || seq.overflowed) {
        if (!err) err = -ERRNO.E2BIG;
        ops.stop(p);
        seq.count = 0;
        return err;
      }
      for (;;) {
        numObjs++;
        const offs = seq.count;
        p = ops.next(p);
        if (p === null) break;
        this.seqNumber++; // bpf_iter_inc_seq_num(): only when a next object exists
        if (seq.count >= size) break;
        if (numObjs >= MAX_ITER_OBJECTS) {
          if (offs === 0) { ops.stop(p); return -ERRNO.EAGAIN; }
          break;
        }
        err = ops.show(p, false);
        if (err > 0) { this.seqNumber--; seq.count = offs; err = 0; }
        if (err < 0 || seq.overflowed) {
          seq.count = offs;
          if (offs === 0) {
            if (!err) err = -ERRNO.E2BIG;
            ops.stop(p);
            return err;
          }
          break;
        }
      }
    }
    // stop:
    const offs = seq.count;
    ops.stop(p); // runs the program with NULL (in_stop) when p is null
    if (p === null) {
      if (!seq.overflowed) this.doneStop = true; // bpf_iter_done_stop()
      else {
        seq.count = offs;
        if (offs === 0) return -ERRNO.E2BIG;
      }
    }
    const n = Math.min(seq.count, size);
    const out = seq.buf.slice(0, n);
    seq.count -= n;
    seq.from = n;
    return out;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.ops?.fini();
    this.kernel.memory.free(this.ctxRegion);
    this.kernel.memory.free(this.metaRegion);
    this.kernel.memory.free(this.seq.region);
  }
}

// ------------------------------------------------------------------ target bpf_map

/** mirrors map_iter.c's bpf_map_seq_ops: every map in id order, one reference per visited map */
export const bpfMapTarget: IterTarget = {
  name: 'bpf_map',
  resched: false,
  openSession(session) {
    const kernel = session.kernel;
    let mapId = 0; // struct bpf_iter_seq_map_info.map_id
    // mirrors bpf_map_get_curr_or_next(): skip maps whose refcnt already dropped to 0
    const currOrNext = (): BpfMap | null => {
      for (;;) {
        const e = kernel.mapIdr.getNext(mapId);
        if (!e) return null;
        mapId = e.id;
        if (e.value.refcnt > 0) { kernel.mapInc(e.value); return e.value; }
        mapId++;
      }
    };
    return {
      start: () => currOrNext(), // bpf_map_seq_start()
      next: (prev: BpfMap) => { mapId++; kernel.mapPut(prev); return currOrNext(); }, // bpf_map_seq_next()
      stop: (p: BpfMap | null) => { if (p === null) session.runProgram(null, null, null, true); else kernel.mapPut(p); },
      show: (p: BpfMap | null, inStop: boolean) => session.runProgram(p, null, null, inStop),
      fini: () => undefined,
    } as IterSeqOps<unknown>;
  },
};

// ------------------------------------------------------------------ target bpf_map_elem

/** mirrors bpf_iter_attach_map() */
function attachMap(kernel: Kernel, prog: IterProgramSpec, mapFd: number): BpfMap {
  if (mapFd === 0) kernel.raise('EBADF', 'bpf_map_elem iterator needs a map (link_info.map.map_fd is 0)');
  const map = kernel.mapGetWithUref(mapFd);
  const T = kernel.mapTypes;
  const percpu = map.type === T.PERCPU_HASH || map.type === T.LRU_PERCPU_HASH || map.type === T.PERCPU_ARRAY;
  const plain = map.type === T.HASH || map.type === T.LRU_HASH || map.type === T.ARRAY;
  if (!percpu && !plain) {
    kernel.mapPutWithUref(map);
    kernel.raise('EINVAL', `map type ${map.typeName} cannot be iterated by bpf_map_elem`);
  }
  const valueLimit = percpu ? Math.ceil(map.valueSize / 8) * 8 * kernel.cpus : map.valueSize;
  if (prog.maxRdonlyAccess > map.keySize || prog.maxRdwrAccess > valueLimit) {
    kernel.mapPutWithUref(map);
    kernel.raise('EACCES', `program accesses ${prog.maxRdonlyAccess} key / ${prog.maxRdwrAccess} value bytes but map ` +
      `'${map.name}' has key_size ${map.keySize} and value limit ${valueLimit}`);
  }
  return map;
}

export const bpfMapElemTarget: IterTarget = {
  name: 'bpf_map_elem',
  resched: false,
  attach: attachMap,
  openSession(session) {
    const map = session.map!;
    const kernel = session.kernel;
    kernel.mapIncWithUref(map); // bpf_iter_init_hash_map() / bpf_iter_init_array_map(): the extra uref
    const percpuBuf = map.isPercpu ? kernel.memory.alloc(map.userValueSize, 'iterator per-CPU value buffer') : null;
    const fini = (): void => { if (percpuBuf) kernel.memory.free(percpuBuf); kernel.mapPutWithUref(map); };
    if (map instanceof ArrayMap) return arraySeqOps(session, map, percpuBuf, fini) as IterSeqOps<unknown>;
    return hashSeqOps(session, map as HashMap, percpuBuf, fini) as IterSeqOps<unknown>;
  },
};

/** mirrors bpf_array_map_seq_ops: indices 0..max_entries-1; key is the iterator's own u32 index */
function arraySeqOps(session: IterSession, map: ArrayMap, percpuBuf: Region | null, fini: () => void): IterSeqOps<number> {
  const keyBuf = session.kernel.memory.alloc(4, 'array iterator index', true);
  let index = 0; // bpf_iter_seq_array_map_info.index
  const show = (i: number | null, inStop: boolean): number => {
    if (i === null) return session.runProgram(map, null, null, inStop);
    keyBuf.view.setUint32(0, i, true);
    let value: Resolved;
    if (percpuBuf) {
      const off = map.elemOffset(i);
      percpuBuf.bytes.set(map.storage.bytes.subarray(off, off + map.userValueSize));
      value = { region: percpuBuf, offset: 0 };
    } else value = { region: map.storage, offset: map.elemOffset(i) };
    return session.runProgram(map, { region: keyBuf, offset: 0 }, value, inStop);
  };
  return {
    start: () => (index >= map.maxEntries ? null : index),
    next: () => { index++; return index >= map.maxEntries ? null : index; },
    stop: (p) => { if (p === null) show(null, true); },
    show,
    fini: () => { session.kernel.memory.free(keyBuf); fini(); },
  };
}

/** mirrors bpf_hash_map_seq_ops with its (bucket_id, skip_elems) resume state; an element is a slot number */
function hashSeqOps(session: IterSession, htab: HashMap, percpuBuf: Region | null, fini: () => void): IterSeqOps<number> {
  let bucketId = 0;
  let skipElems = 0;
  // mirrors bpf_hash_map_seq_find_next()
  const findNext = (prev: number | null): number | null => {
    if (bucketId >= htab.nBuckets) return null;
    let skip = skipElems;
    let start = bucketId;
    if (prev !== null) {
      // a deleted element keeps its next link, so the walk goes on from it
      const n = htab.next[prev];
      if (n !== NO_ELEM) return n;
      start = bucketId + 1;
      skip = 0;
    }
    const heads = htab.heads, next = htab.next;
    for (let i = start; i < htab.nBuckets; i++) {
      let count = 0;
      for (let e = heads[i]; e !== NO_ELEM; e = next[e]) {
        if (count >= skip) { bucketId = i; skipElems = count; return e; }
        count++;
      }
      skip = 0;
    }
    bucketId = htab.nBuckets;
    skipElems = 0;
    return null;
  };
  const key: Resolved = { region: session.ctxRegion, offset: 0 };
  const value: Resolved = { region: session.ctxRegion, offset: 0 };
  let touched = 0;
  const show = (e: number | null, inStop: boolean): number => {
    if (e === null) return session.runProgram(htab, null, null, inStop);
    const region = htab.valueRegionOf(e);
    const keyRegion = htab.keyRegionOf(e);
    // The element's link and its key, read side by side (nothing uses them here): in a big map both are cache
    // misses, which the CPU then waits for together instead of one in the program and one in the next findNext().
    touched ^= htab.next[e] ^ keyRegion.bytes[htab.keyOffset(e)];
    if (percpuBuf) {
      const vo = htab.valueOffset(e);
      percpuBuf.bytes.set(region.bytes.subarray(vo, vo + htab.valueArea));
      value.region = percpuBuf;
      value.offset = 0;
    } else { value.region = region; value.offset = htab.valueOffset(e); }
    key.region = keyRegion;
    key.offset = htab.keyOffset(e);
    return session.runProgram(htab, key, value, inStop);
  };
  return {
    start: () => findNext(null),
    next: (prev) => { skipElems++; return findNext(prev); },
    stop: (p) => { if (p === null) show(null, true); },
    show,
    fini,
  };
}
