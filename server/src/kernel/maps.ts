import { btfField, kernelBtf } from './btf';
import { ERRNO, KernelError } from './errno';
import { htabMapHash } from './jhash';
import { KernelMemory, Region } from './memory';
import {
  BPF_ANY, BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST, BPF_OBJ_NAME_LEN,
  KMALLOC_MAX_SIZE, MAX_BPF_STACK, PAGE_SIZE, PCPU_MIN_UNIT_SIZE, mapTypeName, roundUp, roundupPowOfTwo,
} from './mapTypes';

export interface MapCreateAttr {
  type: number; keySize: number; valueSize: number; maxEntries: number;
  flags?: number; name?: string; mapExtra?: bigint;
}

export interface MapEnv {
  memory: KernelMemory; cpus: number; hashSeed: number;
  /** call_rcu(): free after the current grace period, so running programs and walkers can still read it */
  deferFree(region: Region): void;
}

const F = (name: string): number => btfField('bpf_map', name).offset;
const OFF = {
  ops: F('ops'), mapType: F('map_type'), keySize: F('key_size'), valueSize: F('value_size'),
  maxEntries: F('max_entries'), mapExtra: F('map_extra'), mapFlags: F('map_flags'), id: F('id'), name: F('name'),
  refcnt: F('refcnt'), usercnt: F('usercnt'), elemCount: F('elem_count'),
};
/** A fake `ops` pointer per map type (the real one is a kernel text address a program may print). */
const FAKE_OPS_BASE = 0xffffffff82000000n;

/** mirrors bpf_obj_name_cpy(): only isalnum, '_' and '.', NUL within BPF_OBJ_NAME_LEN. */
export function validateObjName(name: string): void {
  if (name.length >= BPF_OBJ_NAME_LEN) throw new KernelError('EINVAL', `map name '${name}' is longer than ${BPF_OBJ_NAME_LEN - 1} characters`);
  if (!/^[A-Za-z0-9_.]*$/.test(name)) throw new KernelError('EINVAL', `map name '${name}' may contain only letters, digits, '_' and '.'`);
}

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
    this.region.bytes.fill(0, OFF.name, OFF.name + BPF_OBJ_NAME_LEN);
    this.region.bytes.set(Buffer.from(this.name, 'latin1'), OFF.name);
    this.syncCounts();
    v.setBigUint64(OFF.elemCount, this.elemCountRegion ? this.elemCountRegion.addr : 0n, true);
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
  protected freeCommon(): void {
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

function checkUpdateFlags(flags: number): number {
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

/** One struct htab_elem: key and value live in `region` at `keyOffset` / `valueOffset`. */
export class HtabElem {
  next: HtabElem | null = null;
  prev: HtabElem | null = null;
  hash = 0;
  bucket = -1;
  /** Linked in a bucket (false once unlinked; `next` is kept, like hlist_nulls_del_rcu). */
  linked = false;
  /** LRU bookkeeping: position in the recency list. */
  lruPrev: HtabElem | null = null;
  lruNext: HtabElem | null = null;
  constructor(readonly region: Region, readonly keyOffset: number, readonly valueOffset: number) {}
}

export class HashMap extends BpfMap {
  readonly nBuckets: number;
  readonly heads: (HtabElem | null)[];
  readonly hashrnd: number;
  readonly prealloc: boolean;
  readonly lru: boolean;
  /** round_up(key_size, 8): where the value starts after the key inside an element */
  readonly keyStride: number;
  readonly elemSize: number;
  /** bytes of one element's value area (per-CPU: all CPUs) */
  readonly valueArea: number;
  private readonly arena: Region | null;
  private readonly freelist: HtabElem[] = [];
  /** htab->extra_elems: the spare a replace takes so a full preallocated map can still replace */
  private extraElem: HtabElem | null = null;
  count = 0;
  /** LRU recency list: head = most recent, tail = eviction candidate. */
  private lruHead: HtabElem | null = null;
  private lruTail: HtabElem | null = null;

  constructor(env: MapEnv, attr: MapCreateAttr) {
    super(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, attr, true);
    this.lru = attr.type === BPF_MAP_TYPE.LRU_HASH || attr.type === BPF_MAP_TYPE.LRU_PERCPU_HASH;
    this.prealloc = !(this.flags & BPF_F.NO_PREALLOC);
    this.nBuckets = roundupPowOfTwo(attr.maxEntries);
    this.heads = new Array<HtabElem | null>(this.nBuckets).fill(null);
    this.hashrnd = this.flags & BPF_F.ZERO_SEED ? 0 : env.hashSeed >>> 0;
    this.keyStride = roundUp(attr.keySize, 8);
    this.valueArea = this.isPercpu ? roundUp(attr.valueSize, 8) * env.cpus : roundUp(attr.valueSize, 8);
    this.elemSize = this.keyStride + this.valueArea;
    if (this.prealloc) {
      // prealloc_init(): max_entries elements (+ one extra per CPU for non-LRU replace)
      const n = attr.maxEntries + (this.lru ? 0 : 1);
      this.arena = env.memory.alloc(n * this.elemSize, `${this.typeName} elements`);
      for (let i = n - 1; i >= 0; i--) {
        this.freelist.push(new HtabElem(this.arena, i * this.elemSize, i * this.elemSize + this.keyStride));
      }
      if (!this.lru) this.extraElem = this.freelist.pop() ?? null;
    } else {
      this.arena = null;
    }
  }

  hashOf(key: Uint8Array): number { return htabMapHash(key, this.keySize, this.hashrnd); }
  keyOf(e: HtabElem): Uint8Array { return e.region.bytes.subarray(e.keyOffset, e.keyOffset + this.keySize); }
  valueAddr(e: HtabElem, cpu = 0): bigint {
    return e.region.addr + BigInt(e.valueOffset + (this.isPercpu ? cpu * roundUp(this.valueSize, 8) : 0));
  }

  private keyEquals(e: HtabElem, key: Uint8Array): boolean {
    const b = e.region.bytes;
    for (let i = 0; i < this.keySize; i++) if (b[e.keyOffset + i] !== key[i]) return false;
    return true;
  }
  /** mirrors lookup_elem_raw() */
  findElem(key: Uint8Array, hash = this.hashOf(key)): HtabElem | null {
    for (let e = this.heads[hash & (this.nBuckets - 1)]; e; e = e.next) if (e.hash === hash && this.keyEquals(e, key)) return e;
    return null;
  }

  private linkHead(e: HtabElem): void {
    const b = e.hash & (this.nBuckets - 1);
    e.bucket = b;
    e.prev = null;
    e.next = this.heads[b];
    if (e.next) e.next.prev = e;
    this.heads[b] = e;
    e.linked = true;
  }
  /** hlist_nulls_del_rcu(): the element keeps its next pointer so a walker standing on it can go on. */
  private unlink(e: HtabElem): void {
    if (e.prev) e.prev.next = e.next; else this.heads[e.bucket] = e.next;
    if (e.next) e.next.prev = e.prev;
    e.prev = null;
    e.linked = false;
  }

  private lruTouch(e: HtabElem): void {
    if (!this.lru) return;
    this.lruRemove(e);
    e.lruNext = this.lruHead;
    if (this.lruHead) this.lruHead.lruPrev = e;
    this.lruHead = e;
    if (!this.lruTail) this.lruTail = e;
  }
  private lruRemove(e: HtabElem): void {
    if (e.lruPrev) e.lruPrev.lruNext = e.lruNext; else if (this.lruHead === e) this.lruHead = e.lruNext;
    if (e.lruNext) e.lruNext.lruPrev = e.lruPrev; else if (this.lruTail === e) this.lruTail = e.lruPrev;
    e.lruPrev = e.lruNext = null;
  }

  /** Gets a free element: freelist pop (prealloc) or a fresh one; LRU evicts the least recently used. */
  private allocElem(cpu: number, replacing: boolean): HtabElem | null {
    if (this.prealloc) {
      const e = this.freelist.pop();
      if (e) return e;
      if (!this.lru || !this.lruTail) return null;
      // mirrors htab_lru_map_delete_node(): the evicted element really leaves the map
      const victim = this.lruTail;
      this.lruRemove(victim);
      this.unlink(victim);
      this.count--;
      this.elemCountAdd(-1, cpu);
      return victim;
    }
    // alloc_htab_elem(): only a new key counts against max_entries
    if (!replacing && this.count >= this.maxEntries) return null;
    const region = this.env.memory.alloc(this.elemSize, `${this.typeName} element`);
    return new HtabElem(region, 0, this.keyStride);
  }
  private releaseElem(e: HtabElem): void {
    if (this.lru) this.lruRemove(e);
    if (this.prealloc) this.freelist.push(e);
    else this.env.deferFree(e.region); // htab_elem_free_rcu()
  }

  private fillValue(e: HtabElem, value: Uint8Array, onlyCpu: number | null): void {
    const b = e.region.bytes;
    if (!this.isPercpu) { for (let i = 0; i < this.valueSize; i++) b[e.valueOffset + i] = value[i]; return; }
    const stride = roundUp(this.valueSize, 8);
    if (onlyCpu !== null) {
      // pcpu_init_value() from a program: current CPU gets the value, the others are zeroed
      b.fill(0, e.valueOffset, e.valueOffset + this.valueArea);
      b.set(value.subarray(0, this.valueSize), e.valueOffset + onlyCpu * stride);
      return;
    }
    for (let c = 0; c < this.env.cpus; c++) b.set(value.subarray(c * stride, c * stride + this.valueSize), e.valueOffset + c * stride);
  }

  /** mirrors htab_map_update_elem / htab_lru_map_update_elem / __htab_percpu_map_update_elem */
  private doUpdate(key: Uint8Array, value: Uint8Array, flags: number, cpu: number, progCpu: number | null): number {
    const bad = checkUpdateFlags(flags);
    if (bad) return bad;
    const hash = this.hashOf(key);
    const old = this.findElem(key, hash);
    // check_flags()
    if (old && flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    if (!old && flags === BPF_EXIST) return -ERRNO.ENOENT;
    if (this.isPercpu && old) {
      // per-CPU values are updated in place; the element keeps its place in the bucket
      if (progCpu !== null) old.region.bytes.set(value.subarray(0, this.valueSize), old.valueOffset + progCpu * roundUp(this.valueSize, 8));
      else this.fillValue(old, value, null);
      this.lruTouch(old);
      return 0;
    }
    let fresh: HtabElem | null;
    if (old && this.prealloc && !this.lru) {
      // alloc_htab_elem() with old_elem: take the per-CPU extra element, the old one becomes the extra
      fresh = this.extraElem;
    } else {
      fresh = this.allocElem(cpu, old !== null);
      if (!fresh) return -ERRNO.E2BIG;
    }
    if (!fresh) return -ERRNO.E2BIG;
    // the eviction above may have removed `old` itself
    const stillOld = old && old.linked ? old : null;
    if (old && !stillOld && flags === BPF_EXIST) { this.releaseElem(fresh); return -ERRNO.ENOENT; }
    const dst = fresh.region.bytes;
    for (let i = 0; i < this.keySize; i++) dst[fresh.keyOffset + i] = key[i];
    fresh.hash = hash;
    this.fillValue(fresh, value, progCpu);
    this.linkHead(fresh);
    this.lruTouch(fresh);
    if (stillOld) {
      this.unlink(stillOld);
      if (this.prealloc && !this.lru) this.extraElem = stillOld;
      else this.releaseElem(stillOld);
    } else {
      this.count++;
      this.elemCountAdd(1, cpu);
    }
    return 0;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number { return this.doUpdate(key, value, flags, cpu, null); }
  updateFromProg(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    return this.doUpdate(key, value, flags, cpu, this.isPercpu ? cpu : null);
  }

  lookup(key: Uint8Array): Uint8Array | number {
    const e = this.findElem(key);
    if (!e) return -ERRNO.ENOENT;
    return e.region.bytes.slice(e.valueOffset, e.valueOffset + (this.isPercpu ? this.valueArea : this.valueSize));
  }
  lookupAddr(key: Uint8Array, cpu: number): bigint {
    const e = this.findElem(key);
    if (!e) return 0n;
    this.lruTouch(e); // bpf_lru_node_set_ref(): a lookup marks the element as used
    return this.valueAddr(e, cpu);
  }

  // mirrors htab_map_delete_elem() / htab_lru_map_delete_elem()
  delete(key: Uint8Array, cpu: number): number {
    const e = this.findElem(key);
    if (!e) return -ERRNO.ENOENT;
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
      const e = this.findElem(key);
      if (e) {
        if (e.next) return this.keyOf(e.next).slice();
        bucket = e.bucket + 1;
      }
    }
    for (let b = bucket; b < this.nBuckets; b++) {
      const h = this.heads[b];
      if (h) return this.keyOf(h).slice();
    }
    return -ERRNO.ENOENT;
  }

  free(): void { if (this.arena) this.env.memory.free(this.arena); this.freeCommon(); }
}

// ---------------------------------------------------------------- creation

const HTAB_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NO_COMMON_LRU | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F.ZERO_SEED;
const ARRAY_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.MMAPABLE | BPF_F_ACCESS_MASK | BPF_F.PRESERVE_ELEMS | BPF_F.INNER_MAP;

function fail(code: 'EINVAL' | 'E2BIG' | 'ENOTSUPP', why: string): never { throw new KernelError(code, why); }

/** mirrors htab_map_alloc_check() */
function htabAllocCheck(a: MapCreateAttr): void {
  const lru = a.type === BPF_MAP_TYPE.LRU_HASH || a.type === BPF_MAP_TYPE.LRU_PERCPU_HASH;
  const percpu = a.type === BPF_MAP_TYPE.PERCPU_HASH || a.type === BPF_MAP_TYPE.LRU_PERCPU_HASH;
  const flags = a.flags ?? 0;
  if (flags & ~HTAB_CREATE_FLAG_MASK) fail('EINVAL', 'hash map: unsupported map_flags');
  if (lru && (flags & BPF_F.NO_PREALLOC)) fail('ENOTSUPP', 'LRU hash maps are always preallocated (BPF_F_NO_PREALLOC not supported)');
  if (!lru && (flags & BPF_F.NO_COMMON_LRU)) fail('EINVAL', 'BPF_F_NO_COMMON_LRU needs an LRU map');
  if (a.maxEntries === 0 || a.keySize === 0 || a.valueSize === 0) fail('EINVAL', 'hash map: key_size, value_size and max_entries must be non-zero');
  if (a.keySize > MAX_BPF_STACK) fail('E2BIG', `hash map: key_size ${a.keySize} exceeds ${MAX_BPF_STACK}`);
  if (a.valueSize >= KMALLOC_MAX_SIZE - MAX_BPF_STACK - 48) fail('E2BIG', `hash map: value_size ${a.valueSize} too large`);
  if (percpu && roundUp(a.valueSize, 8) > PCPU_MIN_UNIT_SIZE) fail('E2BIG', `per-CPU value_size ${a.valueSize} exceeds ${PCPU_MIN_UNIT_SIZE}`);
}

/** mirrors array_map_alloc_check() */
function arrayAllocCheck(a: MapCreateAttr): void {
  const flags = a.flags ?? 0;
  if (a.maxEntries === 0 || a.keySize !== 4 || a.valueSize === 0 || (flags & ~ARRAY_CREATE_FLAG_MASK)) {
    fail('EINVAL', 'array map: key_size must be 4, value_size and max_entries non-zero, flags valid');
  }
  if (a.type === BPF_MAP_TYPE.PERCPU_ARRAY && (flags & BPF_F.MMAPABLE)) fail('EINVAL', 'per-CPU arrays cannot be mmapable');
  if (a.type === BPF_MAP_TYPE.PERCPU_ARRAY && a.valueSize > PCPU_MIN_UNIT_SIZE) fail('E2BIG', `per-CPU value_size ${a.valueSize} exceeds ${PCPU_MIN_UNIT_SIZE}`);
  if (a.valueSize > KMALLOC_MAX_SIZE) fail('E2BIG', `array map: value_size ${a.valueSize} too large`);
}

/** Creation checks of element-less map types; undefined means the type is not simulated. */
const OPAQUE_CHECKS: Partial<Record<number, (a: MapCreateAttr) => void>> = {
  // mirrors ringbuf_map_alloc()
  [BPF_MAP_TYPE.RINGBUF]: (a) => {
    if (a.keySize || a.valueSize || a.maxEntries < PAGE_SIZE || (a.maxEntries & (a.maxEntries - 1)) || a.maxEntries % PAGE_SIZE) {
      fail('EINVAL', 'ringbuf: key_size and value_size must be 0, max_entries a power-of-2 multiple of the page size');
    }
  },
  [BPF_MAP_TYPE.USER_RINGBUF]: (a) => OPAQUE_CHECKS[BPF_MAP_TYPE.RINGBUF]!(a),
  // mirrors queue_stack_map_alloc_check()
  [BPF_MAP_TYPE.QUEUE]: (a) => {
    if (a.maxEntries === 0 || a.keySize !== 0 || a.valueSize === 0) fail('EINVAL', 'queue/stack: key_size must be 0, value_size and max_entries non-zero');
  },
  [BPF_MAP_TYPE.STACK]: (a) => OPAQUE_CHECKS[BPF_MAP_TYPE.QUEUE]!(a),
  // mirrors bloom_map_alloc()
  [BPF_MAP_TYPE.BLOOM_FILTER]: (a) => {
    if (a.keySize !== 0 || a.valueSize === 0 || a.maxEntries === 0 || (a.mapExtra ?? 0n) > 15n) {
      fail('EINVAL', 'bloom filter: key_size must be 0, value_size and max_entries non-zero, nr_hash_funcs (map_extra) <= 15');
    }
  },
  // mirrors trie_alloc()
  [BPF_MAP_TYPE.LPM_TRIE]: (a) => {
    if (a.maxEntries === 0 || !((a.flags ?? 0) & BPF_F.NO_PREALLOC) || a.keySize <= 4 || a.keySize > 4 + 256 || a.valueSize === 0) {
      fail('EINVAL', 'lpm_trie: needs BPF_F_NO_PREALLOC, key_size 5..260, value_size and max_entries non-zero');
    }
  },
};

/** mirrors map_create() + find_and_alloc_map(); the caller assigns the id. */
/**
 * What the simulated kernel lets all of a map's elements take; the real kernel's bound is the machine's
 * memory (bpf_map_area_alloc() fails with ENOMEM), ours is what a Node heap can hold.
 */
export const MAX_SIMULATED_MAP_BYTES = 1024 * 1024 * 1024;

export function allocMap(env: MapEnv, attr: MapCreateAttr): BpfMap {
  validateObjName(attr.name ?? '');
  if (attr.keySize < 0 || attr.valueSize < 0 || attr.maxEntries < 0) fail('EINVAL', 'negative sizes');
  // mirrors bpf_map_area_alloc() failing: preallocated elements beyond memory are ENOMEM, not a crash.
  const percpu = [BPF_MAP_TYPE.PERCPU_HASH, BPF_MAP_TYPE.LRU_PERCPU_HASH, BPF_MAP_TYPE.PERCPU_ARRAY].includes(attr.type as never);
  const elementBytes = roundUp(attr.keySize, 8) + roundUp(attr.valueSize, 8) * (percpu ? env.cpus : 1) + 48;
  if ([BPF_MAP_TYPE.HASH, BPF_MAP_TYPE.LRU_HASH, BPF_MAP_TYPE.PERCPU_HASH, BPF_MAP_TYPE.LRU_PERCPU_HASH, BPF_MAP_TYPE.ARRAY, BPF_MAP_TYPE.PERCPU_ARRAY].includes(attr.type as never)
    && attr.maxEntries * elementBytes > MAX_SIMULATED_MAP_BYTES) {
    throw new KernelError('ENOMEM', `map ${attr.name ?? ''}: max_entries ${attr.maxEntries} x ${elementBytes} bytes per element is more than the simulated kernel's ${MAX_SIMULATED_MAP_BYTES / (1024 * 1024)} MiB for a map; lower max_entries`);
  }
  switch (attr.type) {
    case BPF_MAP_TYPE.HASH: case BPF_MAP_TYPE.LRU_HASH: case BPF_MAP_TYPE.PERCPU_HASH: case BPF_MAP_TYPE.LRU_PERCPU_HASH:
      htabAllocCheck(attr);
      return new HashMap(env, attr);
    case BPF_MAP_TYPE.ARRAY: case BPF_MAP_TYPE.PERCPU_ARRAY:
      arrayAllocCheck(attr);
      return new ArrayMap(env, attr);
  }
  const check = OPAQUE_CHECKS[attr.type];
  if (!check) fail('EINVAL', `map type ${mapTypeName(attr.type)} is not supported by the simulated kernel`);
  check(attr);
  return new OpaqueMap(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, attr, false);
}

export { BPF_ANY };
