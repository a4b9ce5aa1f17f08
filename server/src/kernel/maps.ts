import { btfField, kernelBtf } from './btf';
import { ERRNO } from './errno';
import { BATCH_WINDOW, windowHashes, windowInsertOrder } from './batchOrder';
import { htabMapHash, jhashWord } from './jhash';
import { KernelMemory, Region } from './memory';
import {
  ARRAY_MAP_ALLOC_TYPES, BPF_ANY, BPF_EXIST, BPF_F, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST, BPF_OBJ_NAME_LEN, mapTypeName, NUMA_NO_NODE,
  roundUp, roundupPowOfTwo,
} from './mapTypes';

export interface MapCreateAttr {
  type: number; keySize: number; valueSize: number; maxEntries: number;
  flags?: number; name?: string; mapExtra?: bigint;
  /** inner_map_fd of array_of_maps / hash_of_maps: the template inner maps must match */
  innerMapFd?: number;
  /** btf_key_type_id / btf_value_type_id given (local storage maps need them) */
  btf?: boolean;
}

export interface MapEnv {
  memory: KernelMemory; cpus: number; hashSeed: number;
  /** call_rcu(): free after the current grace period, so running programs and walkers can still read it */
  deferFree(region: Region): void;
  /** call_rcu() of a callback: runs once the current grace period ends */
  afterGracePeriod(fn: () => void): void;
  /** bpf_map_get(fd) without taking a reference: the map, or -EBADF / -EINVAL */
  mapFromUserFd(fd: number): BpfMap | number;
  mapById(id: number): BpfMap | undefined;
  /** bpf_map_inc() / bpf_map_put(): references held by map-in-map slots */
  mapInc(map: BpfMap): void;
  mapPut(map: BpfMap): void;
}

const F = (name: string): number => btfField('bpf_map', name).offset;
const OFF = {
  ops: F('ops'), mapType: F('map_type'), keySize: F('key_size'), valueSize: F('value_size'),
  maxEntries: F('max_entries'), mapExtra: F('map_extra'), mapFlags: F('map_flags'), id: F('id'), name: F('name'),
  refcnt: F('refcnt'), usercnt: F('usercnt'), elemCount: F('elem_count'), innerMapMeta: F('inner_map_meta'),
  numaNode: F('numa_node'), bypassSpecV1: F('bypass_spec_v1'), frozen: F('frozen'),
};
/** A fake `ops` pointer per map type (the real one is a kernel text address a program may print). */
const FAKE_OPS_BASE = 0xffffffff82000000n;

export abstract class BpfMap {
  id = 0;
  /** map->refcnt: every holder (fds, links, programs, iterators) */
  refcnt = 1;
  /** map->usercnt: user-facing references (fds, pins, links, iterators' private uref) */
  usercnt = 1;
  readonly region: Region;
  /** Per-CPU s64 elem_count, only for maps allocated by htab_map_alloc (fact 32). */
  readonly elemCountRegion: Region | null;
  readonly name: string;
  readonly flags: number;
  readonly mapExtra: bigint;
  frozen = false; // map->frozen: BPF_MAP_FREEZE (libbpf freezes .rodata and .kconfig once filled)

  constructor(protected readonly env: MapEnv, readonly type: number, readonly keySize: number, readonly valueSize: number,
    readonly maxEntries: number, attr: MapCreateAttr, keepsElemCount: boolean) {
    this.name = attr.name ?? '';
    this.flags = attr.flags ?? 0;
    this.mapExtra = attr.mapExtra ?? 0n;
    this.region = env.memory.alloc(kernelBtf.bpf_map.size, `struct bpf_map (${mapTypeName(type)})`, true);
    this.elemCountRegion = keepsElemCount ? env.memory.alloc(8 * env.cpus, 'map elem_count (per-CPU s64)', true) : null;
    this.elemCounts = new Array<number>(env.cpus).fill(0);
  }

  get typeName(): string { return mapTypeName(this.type); }
  get isPercpu(): boolean {
    return this.type === BPF_MAP_TYPE.PERCPU_HASH || this.type === BPF_MAP_TYPE.LRU_PERCPU_HASH || this.type === BPF_MAP_TYPE.PERCPU_ARRAY;
  }
  /** Bytes of one value as user space and the elem iterator see it (per-CPU: all CPUs, fact 31). */
  get userValueSize(): number { return this.isPercpu ? roundUp(this.valueSize, 8) * this.env.cpus : this.valueSize; }

  /** Writes the struct bpf_map fields a program can read; called at creation and whenever they change. */
  syncRegion(): void {
    const v = this.region.view;
    v.setBigUint64(OFF.ops, FAKE_OPS_BASE + BigInt(this.type) * 0x100n, true);
    v.setUint32(OFF.mapType, this.type, true);
    v.setUint32(OFF.keySize, this.keySize, true);
    v.setUint32(OFF.valueSize, this.valueSize, true);
    v.setUint32(OFF.maxEntries, this.maxEntries, true);
    v.setBigUint64(OFF.mapExtra, this.mapExtra, true);
    v.setUint32(OFF.mapFlags, this.flags, true);
    v.setUint32(OFF.id, this.id, true);
    // mirrors bpf_map_attr_numa_node(): NUMA_NO_NODE unless BPF_F_NUMA_NODE asks for a node (here the only one, 0)
    v.setInt32(OFF.numaNode, (this.flags & BPF_F.NUMA_NODE) ? 0 : NUMA_NO_NODE, true);
    // mirrors array_map_alloc(): bpf_bypass_spec_v1(NULL), true for the privileged creator assumed here (root)
    v.setUint8(OFF.bypassSpecV1, ARRAY_MAP_ALLOC_TYPES.has(this.type) ? 1 : 0);
    v.setUint8(OFF.frozen, this.frozen ? 1 : 0);
    this.region.bytes.fill(0, OFF.name, OFF.name + BPF_OBJ_NAME_LEN);
    this.region.bytes.set(Buffer.from(this.name, 'latin1'), OFF.name);
    this.syncCounts();
    v.setBigUint64(OFF.elemCount, this.elemCountRegion ? this.elemCountRegion.addr : 0n, true);
    v.setBigUint64(OFF.innerMapMeta, this.innerMapMeta ? this.innerMapMeta.addr : 0n, true);
  }

  /** map->inner_map_meta: the template a map-in-map keeps (NULL for every other map) */
  protected innerMapMeta: Region | null = null;
  /**
   * mirrors bpf_map_meta_alloc(): a struct bpf_map holding the template's map_type, key_size, value_size,
   * max_entries and map_flags, which a program sees through map->inner_map_meta.
   */
  protected allocInnerMapMeta(meta: { type: number; keySize: number; valueSize: number; maxEntries: number; flags: number }): void {
    const r = this.env.memory.alloc(kernelBtf.bpf_map.size, 'inner_map_meta (struct bpf_map)', true);
    r.view.setBigUint64(OFF.ops, FAKE_OPS_BASE + BigInt(meta.type) * 0x100n, true);
    r.view.setUint32(OFF.mapType, meta.type, true);
    r.view.setUint32(OFF.keySize, meta.keySize, true);
    r.view.setUint32(OFF.valueSize, meta.valueSize, true);
    r.view.setUint32(OFF.maxEntries, meta.maxEntries, true);
    r.view.setUint32(OFF.mapFlags, meta.flags, true);
    this.innerMapMeta = r;
  }
  syncCounts(): void {
    this.region.view.setBigInt64(OFF.refcnt, BigInt(this.refcnt), true);
    this.region.view.setBigInt64(OFF.usercnt, BigInt(this.usercnt), true);
  }

  /** this_cpu_inc/dec(*map->elem_count) — bpf_map_inc_elem_count() */
  protected elemCountAdd(delta: number, cpu: number): void {
    if (!this.elemCountRegion) return;
    const n = (this.elemCounts[cpu] += delta);
    // mirrored into the s64 slot as two halves, which avoids a BigInt per update
    const v = this.elemCountRegion.view;
    v.setUint32(cpu * 8, n >>> 0, true);
    v.setInt32(cpu * 8 + 4, Math.floor(n / 4294967296), true);
  }
  private readonly elemCounts: number[];
  /** mirrors bpf_map_sum_elem_count(): 0 when the map keeps no counter */
  sumElemCount(): bigint {
    if (!this.elemCountRegion) return 0n;
    let sum = 0;
    for (let c = 0; c < this.env.cpus; c++) sum += this.elemCounts[c] ?? 0;
    return BigInt(sum);
  }

  /** Syscall-side operations; return 0 or -errno like map->ops. Values use the user layout. */
  abstract lookup(key: Uint8Array): Uint8Array | number;
  abstract update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number;
  abstract delete(key: Uint8Array, cpu: number): number;
  abstract getNextKey(key: Uint8Array | null): Uint8Array | number;
  /** Program-side bpf_map_lookup_elem: address of the live value (per-CPU: cpu's slot) or 0n. */
  abstract lookupAddr(key: Uint8Array, cpu: number): bigint;
  /** Program-side bpf_map_update_elem: value is value_size bytes written to cpu's slot for per-CPU maps. */
  abstract updateFromProg(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number;
  /** Called when the last reference goes away. */
  abstract free(): void;
  /** map_push_elem(): queue, stack and bloom_filter only (the others have no such op) */
  push(_value: Uint8Array, _flags: number): number { return -ERRNO.EOPNOTSUPP; }
  /** map_pop_elem() */
  pop(): Uint8Array | number { return -ERRNO.EOPNOTSUPP; }
  /** map_peek_elem(): queue/stack return the next value; bloom_filter answers 0 or -ENOENT for `probe` */
  peek(_probe: Uint8Array | null): Uint8Array | number { return -ERRNO.EOPNOTSUPP; }
  protected freeCommon(): void {
    if (this.innerMapMeta) this.env.memory.free(this.innerMapMeta); // bpf_map_meta_free()
    this.env.memory.free(this.region);
    if (this.elemCountRegion) this.env.memory.free(this.elemCountRegion);
  }
}

/** Map types that exist (for the bpf_map iterator and the attach EINVAL path) but hold no elements here. */
export class OpaqueMap extends BpfMap {
  lookup(): number { return -ERRNO.EOPNOTSUPP; }
  update(): number { return -ERRNO.EOPNOTSUPP; }
  delete(): number { return -ERRNO.EOPNOTSUPP; }
  getNextKey(): number { return -ERRNO.EOPNOTSUPP; }
  lookupAddr(): bigint { return 0n; }
  updateFromProg(): number { return -ERRNO.EOPNOTSUPP; }
  free(): void { this.freeCommon(); }
}

export function checkUpdateFlags(flags: number): number {
  // mirrors the `(map_flags & ~BPF_F_LOCK) > BPF_EXIST` check of htab/array update
  if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -ERRNO.EINVAL;
  if (flags & BPF_F_LOCK) return -ERRNO.EINVAL; // no map here has a bpf_spin_lock in its value
  return 0;
}

// ---------------------------------------------------------------- arrays

export class ArrayMap extends BpfMap {
  /** round_up(value_size, 8): array_map_alloc()'s elem_size */
  readonly elemSize: number;
  readonly storage: Region;

  constructor(env: MapEnv, attr: MapCreateAttr) {
    super(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, attr, false);
    this.elemSize = roundUp(attr.valueSize, 8);
    const perElem = this.isPercpu ? this.elemSize * env.cpus : this.elemSize;
    this.storage = env.memory.alloc(perElem * attr.maxEntries, `${this.typeName} storage`);
  }

  private index(key: Uint8Array): number { return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true); }
  /** Offset of element i (per-CPU: of CPU 0's slot; CPU c at + c*elemSize). */
  elemOffset(i: number): number { return i * (this.isPercpu ? this.elemSize * this.env.cpus : this.elemSize); }

  // mirrors array_map_lookup_elem() / bpf_percpu_array_copy()
  lookup(key: Uint8Array): Uint8Array | number {
    const i = this.index(key);
    if (i >= this.maxEntries) return -ERRNO.ENOENT;
    const off = this.elemOffset(i);
    if (!this.isPercpu) return this.storage.bytes.slice(off, off + this.valueSize);
    return this.storage.bytes.slice(off, off + this.elemSize * this.env.cpus);
  }
  // mirrors array_map_update_elem() / bpf_percpu_array_update()
  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    const bad = checkUpdateFlags(flags);
    if (bad) return bad;
    const i = this.index(key);
    if (i >= this.maxEntries) return -ERRNO.E2BIG;
    if (flags & BPF_NOEXIST) return -ERRNO.EEXIST; // all elements already exist
    const off = this.elemOffset(i);
    if (!this.isPercpu) this.storage.bytes.set(value.subarray(0, this.valueSize), off);
    else for (let c = 0; c < this.env.cpus; c++) {
      this.storage.bytes.set(value.subarray(c * this.elemSize, c * this.elemSize + this.valueSize), off + c * this.elemSize);
    }
    return 0;
  }
  /** generic_map_update_batch() with flags 0 (plain arrays): each key/value in order, stopping at the first failure */
  updateBatch(keys: Uint8Array, values: Uint8Array, count: number, layout?: BatchLayout): { count: number; error: number } {
    const bytes = this.storage.bytes, vs = this.valueSize;
    const { keyAt, keyStride, valueAt, valueStride } = layout ?? packedLayout(this.keySize, vs);
    for (let i = 0; i < count; i++) {
      const k = keyAt + i * keyStride, v = valueAt + i * valueStride;
      const index = (keys[k] | (keys[k + 1] << 8) | (keys[k + 2] << 16) | (keys[k + 3] << 24)) >>> 0;
      if (index >= this.maxEntries) return { count: i, error: -ERRNO.E2BIG };
      const o = this.elemOffset(index);
      for (let j = 0; j < vs; j++) bytes[o + j] = values[v + j];
    }
    return { count, error: 0 };
  }
  // mirrors array_map_delete_elem(): arrays cannot delete
  delete(): number { return -ERRNO.EINVAL; }
  // mirrors array_map_get_next_key()
  getNextKey(key: Uint8Array | null): Uint8Array | number {
    const i = key ? this.index(key) : 0xffffffff;
    const out = new Uint8Array(4);
    if (i >= this.maxEntries) return out; // index 0
    if (i === this.maxEntries - 1) return -ERRNO.ENOENT;
    new DataView(out.buffer).setUint32(0, i + 1, true);
    return out;
  }
  lookupAddr(key: Uint8Array, cpu: number): bigint {
    const i = this.index(key);
    if (i >= this.maxEntries) return 0n;
    return this.storage.addr + BigInt(this.elemOffset(i) + (this.isPercpu ? cpu * this.elemSize : 0));
  }
  updateFromProg(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    if (!this.isPercpu) return this.update(key, value, flags);
    const bad = checkUpdateFlags(flags);
    if (bad) return bad;
    const i = this.index(key);
    if (i >= this.maxEntries) return -ERRNO.E2BIG;
    if (flags & BPF_NOEXIST) return -ERRNO.EEXIST;
    this.storage.bytes.set(value.subarray(0, this.valueSize), this.elemOffset(i) + cpu * this.elemSize);
    return 0;
  }
  free(): void { this.env.memory.free(this.storage); this.freeCommon(); }
}

// ---------------------------------------------------------------- hashes

/**
 * mirrors htab_map_alloc(): an LRU map with BPF_F_NO_COMMON_LRU (one LRU list per CPU) gets max_entries rounded up
 * to a multiple of num_possible_cpus(), in u32 arithmetic; when that wraps it is rounded down instead.
 */
export function htabMaxEntries(attr: MapCreateAttr, cpus: number): number {
  const lru = attr.type === BPF_MAP_TYPE.LRU_HASH || attr.type === BPF_MAP_TYPE.LRU_PERCPU_HASH;
  if (!lru || !((attr.flags ?? 0) & BPF_F.NO_COMMON_LRU)) return attr.maxEntries;
  const up = (Math.floor(((attr.maxEntries + cpus - 1) >>> 0) / cpus) * cpus) >>> 0;
  return up < attr.maxEntries ? attr.maxEntries - (attr.maxEntries % cpus) : up;
}

/** No element: the NULL of the flat hash map's links (heads, next, LRU). Elements are numbered from 1, so a zeroed array is all NULL. */
export const NO_ELEM = 0;

/** Where a batch's i-th key and value are: keys[keyAt + i * keyStride], values[valueAt + i * valueStride]. */
export interface BatchLayout {
  keyAt: number; keyStride: number; valueAt: number; valueStride: number;
  /**
   * The caller knows every key is absent from the map and appears once in the batch (a generated range into an
   * empty map): lookup_elem_raw() would find nothing, so the bucket walk is skipped. The same map either way.
   */
  keysAbsent?: boolean;
}
/** keys and values packed back to back in two arrays (BPF_MAP_UPDATE_BATCH's layout) */
export function packedLayout(keySize: number, valueSize: number): BatchLayout { return { keyAt: 0, keyStride: keySize, valueAt: 0, valueStride: valueSize }; }

/**
 * A hash map on flat typed arrays: element `e` (1, 2, ...) is a slot number; a preallocated map keeps every key in
 * one arena and every value in another (e * keyStride, e * valueArea), a BPF_F_NO_PREALLOC element has its own
 * region (key, then the value at round_up(key_size, 8)). Per element nothing else is stored but its bucket link
 * (`next`), so a million-element map is its payload plus 4 bytes an element and 4 a bucket: memory a first touch
 * costs a page fault for. The bucket of an element is its key's hash, computed again when it is needed (unlink,
 * get_next_key at a chain's end), and a bucket is walked to find an element's predecessor: buckets average at most
 * one element, as n_buckets = roundup_pow_of_two(max_entries).
 */
export class HashMap extends BpfMap {
  readonly nBuckets: number;
  /** first element of each bucket, NO_ELEM when empty (hlist_nulls_head) */
  readonly heads: Int32Array;
  readonly hashrnd: number;
  readonly prealloc: boolean;
  readonly lru: boolean;
  /** bytes between two keys of the key arena: key_size rounded to 4 (jhash2 reads u32 words) */
  readonly keyStride: number;
  /** bytes of one value area (per-CPU: all CPUs), each 8-aligned as round_up(value_size, 8) */
  readonly valueArea: number;
  /** BPF_F_NO_PREALLOC: where an element's value starts inside its region, round_up(key_size, 8) as in htab_elem */
  private readonly elemValueAt: number;
  /** prealloc: every key and every value, back to back; null when each element has its own region (BPF_F_NO_PREALLOC) */
  private readonly keyArena: Region | null;
  private readonly valueArena: Region | null;
  /** BPF_F_NO_PREALLOC: the region of each slot in use */
  private slotRegions: (Region | null)[] = [];
  /** next element in the bucket; kept when unlinked, like hlist_nulls_del_rcu, so a walker standing on it goes on */
  next: Int32Array;
  /** one bit per element: set once it is unlinked from its bucket (a zeroed array: all linked or unused) */
  private unlinked: Uint32Array;
  private lruPrev: Int32Array;
  private lruNext: Int32Array;
  /** free slots (pcpu_freelist for prealloc; reusable slot numbers otherwise) */
  private freeSlots: Int32Array;
  private freeTop = 0;
  /**
   * Preallocated slots never handed out, nextUntouched..untouchedEnd-1: the bottom of the freelist, popped in
   * increasing order after every released slot (the freelist as if filled with all slots, the first popped first,
   * without writing a million entries into it).
   */
  private nextUntouched = 1;
  private untouchedEnd = 1;
  /** BPF_F_NO_PREALLOC slots released since the last grace period (reusable after synchronize_rcu) */
  private rcuSlots: number[] = [];
  /** the next slot number never made (NO_PREALLOC grows; prealloc has them all) */
  private slotCount = 1;
  /** htab->extra_elems: the spare a replace takes so a full preallocated map can still replace */
  private extraElem = NO_ELEM;
  count = 0;
  /**
   * One bit per key hash of every key batches inserted since the map was empty (null once a key is added any other
   * way): a clear bit means the key is absent, so a batch insert skips the walk of its bucket, random memory reads
   * that cost a bulk load as much as the rest of it. A set bit only means "walk the bucket".
   */
  private keyFilter: Uint32Array | null = null;
  private keyFilterShift = 0;
  /** LRU recency list: head = most recent, tail = eviction candidate. */
  private lruHead = NO_ELEM;
  private lruTail = NO_ELEM;

  constructor(env: MapEnv, attr: MapCreateAttr) {
    super(env, attr.type, attr.keySize, attr.valueSize, htabMaxEntries(attr, env.cpus), attr, true);
    attr = { ...attr, maxEntries: this.maxEntries };
    this.lru = attr.type === BPF_MAP_TYPE.LRU_HASH || attr.type === BPF_MAP_TYPE.LRU_PERCPU_HASH;
    this.prealloc = !(this.flags & BPF_F.NO_PREALLOC);
    this.nBuckets = roundupPowOfTwo(attr.maxEntries);
    // zeroed: every bucket empty. Pages of it (and of the arrays below) cost memory only once written.
    this.heads = new Int32Array(this.nBuckets);
    this.hashrnd = this.flags & BPF_F.ZERO_SEED ? 0 : env.hashSeed >>> 0;
    this.keyStride = roundUp(attr.keySize, 4);
    this.valueArea = this.isPercpu ? roundUp(attr.valueSize, 8) * env.cpus : roundUp(attr.valueSize, 8);
    this.elemValueAt = roundUp(attr.keySize, 8);
    // prealloc_init(): max_entries elements (+ one extra for non-LRU replace); otherwise slots grow on demand
    const slots = this.prealloc ? attr.maxEntries + (this.lru ? 0 : 1) : Math.min(attr.maxEntries + 1, 16);
    this.next = new Int32Array(slots + 1);
    this.unlinked = new Uint32Array((slots >> 5) + 1);
    this.lruPrev = new Int32Array(this.lru ? slots + 1 : 0);
    this.lruNext = new Int32Array(this.lru ? slots + 1 : 0);
    this.freeSlots = new Int32Array(slots + 1);
    if (this.prealloc) {
      this.keyArena = env.memory.alloc((slots + 1) * this.keyStride, `${this.typeName} keys`);
      this.valueArena = env.memory.alloc((slots + 1) * this.valueArea, `${this.typeName} values`);
      this.slotCount = slots + 1;
      this.untouchedEnd = slots + 1; // the freelist pops element 1 first
      if (!this.lru) this.extraElem = this.popFree();
    } else {
      this.keyArena = this.valueArena = null;
    }
  }

  /** The regions holding element e's key and its value, and their offsets there. */
  keyRegionOf(e: number): Region { return this.keyArena ?? this.slotRegions[e]!; }
  keyOffset(e: number): number { return this.keyArena ? e * this.keyStride : 0; }
  valueRegionOf(e: number): Region { return this.valueArena ?? this.slotRegions[e]!; }
  valueOffset(e: number): number { return this.valueArena ? e * this.valueArea : this.elemValueAt; }

  hashOf(key: Uint8Array): number { return htabMapHash(key, this.keySize, this.hashrnd); }
  keyOf(e: number): Uint8Array { const o = this.keyOffset(e); return this.keyRegionOf(e).bytes.subarray(o, o + this.keySize); }
  valueAddr(e: number, cpu = 0): bigint {
    return this.valueRegionOf(e).addr + BigInt(this.valueOffset(e) + (this.isPercpu ? cpu * roundUp(this.valueSize, 8) : 0));
  }
  /** The bucket of a linked element: its key hashed again (htab_elem.hash is not kept). */
  private bucketOf(e: number): number { return htabMapHash(this.keyRegionOf(e).bytes, this.keySize, this.hashrnd, this.keyOffset(e)) & (this.nBuckets - 1); }

  private keyEqualsAt(e: number, key: Uint8Array, at: number): boolean {
    const b = this.keyRegionOf(e).bytes;
    const o = this.keyOffset(e);
    for (let i = 0; i < this.keySize; i++) if (b[o + i] !== key[at + i]) return false;
    return true;
  }
  /** mirrors lookup_elem_raw(); the key is `keySize` bytes of `key` from `at` */
  findElem(key: Uint8Array, hash = this.hashOf(key), at = 0): number {
    for (let e = this.heads[hash & (this.nBuckets - 1)]; e !== NO_ELEM; e = this.next[e]) {
      if (this.keyEqualsAt(e, key, at)) return e;
    }
    return NO_ELEM;
  }
  /** Whether element e is in a bucket (false once unlinked). */
  isLinked(e: number): boolean { return (this.unlinked[e >> 5] & (1 << (e & 31))) === 0; }

  private linkHead(e: number, hash: number): void {
    const b = hash & (this.nBuckets - 1);
    this.unlinked[e >> 5] &= ~(1 << (e & 31));
    this.next[e] = this.heads[b];
    this.heads[b] = e;
  }
  /** hlist_nulls_del_rcu(): the element keeps its next link so a walker standing on it can go on. */
  private unlink(e: number): void {
    const b = this.bucketOf(e), n = this.next[e];
    if (this.heads[b] === e) this.heads[b] = n;
    else for (let p = this.heads[b]; p !== NO_ELEM; p = this.next[p]) if (this.next[p] === e) { this.next[p] = n; break; }
    this.unlinked[e >> 5] |= 1 << (e & 31);
  }

  private lruTouch(e: number): void {
    if (!this.lru) return;
    this.lruRemove(e);
    this.lruNext[e] = this.lruHead;
    if (this.lruHead !== NO_ELEM) this.lruPrev[this.lruHead] = e;
    this.lruHead = e;
    if (this.lruTail === NO_ELEM) this.lruTail = e;
  }
  private lruRemove(e: number): void {
    const p = this.lruPrev[e], n = this.lruNext[e];
    if (p !== NO_ELEM) this.lruNext[p] = n; else if (this.lruHead === e) this.lruHead = n;
    if (n !== NO_ELEM) this.lruPrev[n] = p; else if (this.lruTail === e) this.lruTail = p;
    this.lruPrev[e] = this.lruNext[e] = NO_ELEM;
  }

  /** pcpu_freelist_pop(): the last released slot, else the next never used one; NO_ELEM when none is left */
  private popFree(): number {
    if (this.freeTop > 0) return this.freeSlots[--this.freeTop];
    return this.nextUntouched < this.untouchedEnd ? this.nextUntouched++ : NO_ELEM;
  }

  /** BPF_F_NO_PREALLOC: one more slot, growing the link arrays when they are full. */
  private newSlot(): number {
    if (this.freeTop > 0) return this.freeSlots[--this.freeTop];
    if (this.slotCount === this.next.length) {
      const grow = <T extends Int32Array | Uint32Array>(a: T, n: number): T => {
        const b = new (a.constructor as { new(n: number): T })(n);
        b.set(a);
        return b;
      };
      const n = this.next.length * 2;
      this.next = grow(this.next, n); this.unlinked = grow(this.unlinked, (n >> 5) + 1);
      if (this.lru) { this.lruPrev = grow(this.lruPrev, n); this.lruNext = grow(this.lruNext, n); }
      this.freeSlots = grow(this.freeSlots, n);
    }
    return this.slotCount++;
  }
  /** Gets a free element: freelist pop (prealloc) or a fresh one; LRU evicts the least recently used. */
  private allocElem(cpu: number, replacing: boolean): number {
    if (this.prealloc) {
      const free = this.popFree();
      if (free !== NO_ELEM) return free;
      if (!this.lru || this.lruTail === NO_ELEM) return NO_ELEM;
      // mirrors htab_lru_map_delete_node(): the evicted element really leaves the map
      const victim = this.lruTail;
      this.lruRemove(victim);
      this.unlink(victim);
      this.count--;
      this.elemCountAdd(-1, cpu);
      return victim;
    }
    // alloc_htab_elem(): only a new key counts against max_entries
    if (!replacing && this.count >= this.maxEntries) return NO_ELEM;
    const e = this.newSlot();
    this.slotRegions[e] = this.env.memory.alloc(this.elemValueAt + this.valueArea, `${this.typeName} element`);
    if (this.lru) this.lruPrev[e] = this.lruNext[e] = NO_ELEM;
    return e;
  }
  private releaseElem(e: number): void {
    if (this.lru) this.lruRemove(e);
    if (this.prealloc) { this.freeSlots[this.freeTop++] = e; return; }
    // htab_elem_free_rcu(): the memory and the slot outlive the current grace period
    this.env.deferFree(this.slotRegions[e]!);
    if (this.rcuSlots.length === 0) this.env.afterGracePeriod(() => this.rcuQuiesced());
    this.rcuSlots.push(e);
  }
  /** the grace period has ended: released NO_PREALLOC slots may be reused */
  private rcuQuiesced(): void {
    for (const s of this.rcuSlots) { this.slotRegions[s] = null; this.freeSlots[this.freeTop++] = s; }
    this.rcuSlots = [];
  }

  private fillValue(e: number, value: Uint8Array, at: number, onlyCpu: number | null): void {
    const b = this.valueRegionOf(e).bytes;
    const vo = this.valueOffset(e);
    if (!this.isPercpu) { for (let i = 0; i < this.valueSize; i++) b[vo + i] = value[at + i]; return; }
    const stride = roundUp(this.valueSize, 8);
    if (onlyCpu !== null) {
      // pcpu_init_value() from a program: current CPU gets the value, the others are zeroed
      b.fill(0, vo, vo + this.valueArea);
      b.set(value.subarray(at, at + this.valueSize), vo + onlyCpu * stride);
      return;
    }
    for (let c = 0; c < this.env.cpus; c++) b.set(value.subarray(at + c * stride, at + c * stride + this.valueSize), vo + c * stride);
  }

  /**
   * mirrors htab_map_update_elem / htab_lru_map_update_elem / __htab_percpu_map_update_elem; the key and value
   * are read at `keyAt` / `valueAt` of their arrays (a batch passes its packed arrays without copies)
   */
  private doUpdate(key: Uint8Array, keyAt: number, value: Uint8Array, valueAt: number, flags: number, cpu: number, progCpu: number | null): number {
    const bad = checkUpdateFlags(flags);
    if (bad) return bad;
    const hash = htabMapHash(key, this.keySize, this.hashrnd, keyAt);
    const old = this.findElem(key, hash, keyAt);
    // check_flags()
    if (old !== NO_ELEM && flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    if (old === NO_ELEM && flags === BPF_EXIST) return -ERRNO.ENOENT;
    if (this.isPercpu && old !== NO_ELEM) {
      // per-CPU values are updated in place; the element keeps its place in the bucket
      if (progCpu !== null) this.valueRegionOf(old).bytes.set(value.subarray(valueAt, valueAt + this.valueSize), this.valueOffset(old) + progCpu * roundUp(this.valueSize, 8));
      else this.fillValue(old, value, valueAt, null);
      this.lruTouch(old);
      return 0;
    }
    let fresh: number;
    if (old !== NO_ELEM && this.prealloc && !this.lru) {
      // alloc_htab_elem() with old_elem: take the per-CPU extra element, the old one becomes the extra
      fresh = this.extraElem;
    } else {
      fresh = this.allocElem(cpu, old !== NO_ELEM);
    }
    if (fresh === NO_ELEM) return -ERRNO.E2BIG;
    // the eviction above may have removed `old` itself
    const stillOld = old !== NO_ELEM && this.isLinked(old) ? old : NO_ELEM;
    if (old !== NO_ELEM && stillOld === NO_ELEM && flags === BPF_EXIST) { this.releaseElem(fresh); return -ERRNO.ENOENT; }
    const dst = this.keyRegionOf(fresh).bytes;
    const ko = this.keyOffset(fresh);
    for (let i = 0; i < this.keySize; i++) dst[ko + i] = key[keyAt + i];
    this.fillValue(fresh, value, valueAt, progCpu);
    this.linkHead(fresh, hash);
    this.lruTouch(fresh);
    if (stillOld !== NO_ELEM) {
      this.unlink(stillOld);
      if (this.prealloc && !this.lru) this.extraElem = stillOld;
      else this.releaseElem(stillOld);
    } else {
      this.keyFilter = null; // a key the filter does not have
      this.count++;
      this.elemCountAdd(1, cpu);
    }
    return 0;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number { return this.doUpdate(key, 0, value, 0, flags, cpu, null); }
  updateFromProg(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    return this.doUpdate(key, 0, value, 0, flags, cpu, this.isPercpu ? cpu : null);
  }
  /** generic_map_update_batch() with flags 0: each packed key/value in order, stopping at the first failure */
  updateBatch(keys: Uint8Array, values: Uint8Array, count: number, cpu: number, layout?: BatchLayout): { count: number; error: number } {
    const ks = this.keySize, vs = this.isPercpu ? this.userValueSize : this.valueSize;
    const { keyAt, keyStride, valueAt, valueStride } = layout ?? packedLayout(ks, vs);
    if (this.isPercpu || !this.prealloc || this.lru) {
      for (let i = 0; i < count; i++) {
        const ret = this.doUpdate(keys, keyAt + i * keyStride, values, valueAt + i * valueStride, BPF_ANY, cpu, null);
        if (ret < 0) return { count: i, error: ret };
      }
      return { count, error: 0 };
    }
    // A preallocated plain hash: what doUpdate() does for a new key (lookup_elem_raw() finds nothing, a freelist
    // element is filled and linked at the bucket head), inline; a key already present takes doUpdate() (replace).
    const kb = this.keyArena!.bytes, vb = this.valueArena!.bytes, kst = this.keyStride, va = this.valueArea;
    const mask = this.nBuckets - 1, hashrnd = this.hashrnd, heads = this.heads, next = this.next, unlinked = this.unlinked;
    const wordKey = ks === 4; // the common 4-byte key: hashed and compared as one word
    const lookup = !layout?.keysAbsent;
    if (this.keyFilter === null && this.count === 0 && count >= 1024) {
      const bits = Math.max(1 << 15, this.nBuckets * 4); // a power of two; a quarter full at most
      this.keyFilter = new Uint32Array(bits >>> 5);
      this.keyFilterShift = 32 - Math.log2(bits);
    }
    const filter = this.keyFilter, shift = this.keyFilterShift;
    let added = 0;
    try {
      for (let w = 0; w < count; w += BATCH_WINDOW) {
        const wn = Math.min(BATCH_WINDOW, count - w);
        // the records of this window in the order they are inserted: by groups of neighbouring buckets, or as given
        const order = windowInsertOrder(keys, keyAt, keyStride, w, wn, ks, hashrnd, this.nBuckets, this.freeTop + (this.untouchedEnd - this.nextUntouched));
        const hashes = windowHashes();
        for (let t = 0; t < wn; t++) {
          const i = order === null ? w + t : w + order[t];
          const k = keyAt + i * keyStride, v = valueAt + i * valueStride;
          let old = NO_ELEM;
          const word = wordKey ? keys[k] | (keys[k + 1] << 8) | (keys[k + 2] << 16) | (keys[k + 3] << 24) : 0;
          const hash = order !== null ? hashes[i - w] : wordKey ? jhashWord(word, hashrnd) : htabMapHash(keys, ks, hashrnd, k);
          const b = hash & mask;
          const f = Math.imul(hash, 0x9e3779b1) >>> shift; // the filter's bit: other bits of the hash than the bucket's
          const walk = lookup && (filter === null || (filter[f >>> 5] & (1 << (f & 31))) !== 0);
          if (wordKey) {
            if (walk) for (let e = heads[b]; e !== NO_ELEM; e = next[e]) {
              const o = e * 4;
              if ((kb[o] | (kb[o + 1] << 8) | (kb[o + 2] << 16) | (kb[o + 3] << 24)) === word) { old = e; break; }
            }
          } else {
            if (walk) for (let e = heads[b]; e !== NO_ELEM; e = next[e]) {
              const o = e * kst;
              let j = 0;
              while (j < ks && kb[o + j] === keys[k + j]) j++;
              if (j === ks) { old = e; break; }
            }
          }
          if (old !== NO_ELEM) {
            this.count += added; this.elemCountAdd(added, cpu); added = 0; // doUpdate() sees the count so far
            const ret = this.doUpdate(keys, k, values, v, BPF_ANY, cpu, null);
            if (ret < 0) return this.batchFailure(i, ret, order);
            continue;
          }
          const e = this.popFree();
          if (e === NO_ELEM) return this.batchFailure(i, -ERRNO.E2BIG, order);
          const ko = e * kst, vo = e * va;
          if (wordKey) { kb[ko] = keys[k]; kb[ko + 1] = keys[k + 1]; kb[ko + 2] = keys[k + 2]; kb[ko + 3] = keys[k + 3]; }
          else for (let j = 0; j < ks; j++) kb[ko + j] = keys[k + j];
          if (vs === 8) {
            vb[vo] = values[v]; vb[vo + 1] = values[v + 1]; vb[vo + 2] = values[v + 2]; vb[vo + 3] = values[v + 3];
            vb[vo + 4] = values[v + 4]; vb[vo + 5] = values[v + 5]; vb[vo + 6] = values[v + 6]; vb[vo + 7] = values[v + 7];
          } else for (let j = 0; j < vs; j++) vb[vo + j] = values[v + j];
          next[e] = heads[b]; // linkHead(), inline
          if (unlinked[e >> 5] !== 0) unlinked[e >> 5] &= ~(1 << (e & 31));
          heads[b] = e;
          if (filter !== null) filter[f >>> 5] |= 1 << (f & 31);
          added++;
        }
      }
      return { count, error: 0 };
    } finally {
      this.count += added;
      this.elemCountAdd(added, cpu); // bpf_map_inc_elem_count() per element, summed
    }
  }

  /** A failed insert of updateBatch(): in batch order, the records before it went in; a grouped window cannot fail. */
  private batchFailure(i: number, error: number, order: Int32Array | null): { count: number; error: number } {
    if (order !== null) throw new Error(`BPF_MAP_UPDATE_BATCH of map '${this.name}': record ${i} of a window that fits failed (${error})`);
    return { count: i, error };
  }

  lookup(key: Uint8Array): Uint8Array | number {
    const e = this.findElem(key);
    if (e === NO_ELEM) return -ERRNO.ENOENT;
    const vo = this.valueOffset(e);
    return this.valueRegionOf(e).bytes.slice(vo, vo + (this.isPercpu ? this.valueArea : this.valueSize));
  }
  lookupAddr(key: Uint8Array, cpu: number): bigint {
    const e = this.findElem(key);
    if (e === NO_ELEM) return 0n;
    this.lruTouch(e); // bpf_lru_node_set_ref(): a lookup marks the element as used
    return this.valueAddr(e, cpu);
  }

  // mirrors htab_map_delete_elem() / htab_lru_map_delete_elem()
  delete(key: Uint8Array, cpu: number): number {
    const e = this.findElem(key);
    if (e === NO_ELEM) return -ERRNO.ENOENT;
    this.unlink(e);
    this.releaseElem(e);
    this.count--;
    this.elemCountAdd(-1, cpu);
    return 0;
  }

  // mirrors htab_map_get_next_key()
  getNextKey(key: Uint8Array | null): Uint8Array | number {
    let bucket = 0;
    if (key) {
      const hash = this.hashOf(key);
      const e = this.findElem(key, hash);
      if (e !== NO_ELEM) {
        const n = this.next[e];
        if (n !== NO_ELEM) return this.keyOf(n).slice();
        bucket = (hash & (this.nBuckets - 1)) + 1;
      }
    }
    for (let b = bucket; b < this.nBuckets; b++) {
      const h = this.heads[b];
      if (h !== NO_ELEM) return this.keyOf(h).slice();
    }
    return -ERRNO.ENOENT;
  }

  free(): void {
    if (this.keyArena) this.env.memory.free(this.keyArena);
    if (this.valueArena) this.env.memory.free(this.valueArena);
    else for (const r of this.slotRegions) if (r) this.env.memory.free(r);
    this.freeCommon();
  }
}

export { BPF_ANY };
