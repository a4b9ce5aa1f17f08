/**
 * Element-holding map types beyond hash and array: queue/stack, bloom filter, LPM trie and map-in-map.
 * Their values live in kernel memory where a program can be handed a pointer to them.
 */
import { ERRNO } from './errno';
import { jhash, jhash2 } from './jhash';
import { BpfMap, HashMap, MapCreateAttr, MapEnv, NO_ELEM, OpaqueMap } from './maps';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_MAP_TYPE, BPF_NOEXIST, roundUp, roundupPowOfTwo } from './mapTypes';
import { Region } from './memory';

// ---------------------------------------------------------------- queue / stack

/** BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): key-less, values pushed and popped. */
export class QueueStackMap extends BpfMap {
  /** oldest first, like the ring between qs->tail and qs->head */
  private readonly items: Uint8Array[] = [];

  constructor(env: MapEnv, attr: MapCreateAttr) {
    super(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, attr, false);
  }
  get isStack(): boolean { return this.type === BPF_MAP_TYPE.STACK; }
  /** Values in the order pop() returns them. */
  get values(): Uint8Array[] { return this.isStack ? [...this.items].reverse() : [...this.items]; }

  // mirrors queue_stack_map_push_elem(): BPF_EXIST on a full map drops the oldest value
  override push(value: Uint8Array, flags: number): number {
    if (flags & BPF_NOEXIST || flags > BPF_EXIST) return -ERRNO.EINVAL;
    if (this.items.length >= this.maxEntries) {
      if (!(flags & BPF_EXIST)) return -ERRNO.E2BIG;
      this.items.shift();
    }
    this.items.push(value.slice(0, this.valueSize));
    return 0;
  }
  // mirrors __queue_map_get() / __stack_map_get()
  private take(remove: boolean): Uint8Array | number {
    if (this.items.length === 0) return -ERRNO.ENOENT;
    const v = this.isStack ? this.items[this.items.length - 1] : this.items[0];
    if (remove) { if (this.isStack) this.items.pop(); else this.items.shift(); }
    return v.slice();
  }
  override pop(): Uint8Array | number { return this.take(true); }
  override peek(): Uint8Array | number { return this.take(false); }

  // queue_stack_map_lookup_elem() etc.: the keyed ops do not exist for these maps
  lookup(): number { return -ERRNO.EOPNOTSUPP; }
  update(): number { return -ERRNO.EINVAL; }
  delete(): number { return -ERRNO.EINVAL; }
  getNextKey(): number { return -ERRNO.EINVAL; }
  lookupAddr(): bigint { return 0n; }
  updateFromProg(): number { return -ERRNO.EINVAL; }
  free(): void { this.freeCommon(); }
}

// ---------------------------------------------------------------- bloom filter

/** BPF_MAP_TYPE_BLOOM_FILTER: pushes set nr_hash_funcs bits; peek says "maybe present" (0) or -ENOENT. */
export class BloomFilterMap extends BpfMap {
  readonly nrHashFuncs: number;
  readonly bitsetMask: number;
  readonly hashSeed: number;
  /** the set bits (a Set rather than the bitset: the kernel's can be 2^32 bits) */
  private readonly bits = new Set<number>();

  // mirrors bloom_map_alloc()
  constructor(env: MapEnv, attr: MapCreateAttr) {
    super(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, attr, false);
    // the lower 4 bits of map_extra; 0 means the default of 5
    this.nrHashFuncs = Number((attr.mapExtra ?? 0n) & 0xfn) || 5;
    // n * k / ln(2), with 7/5 standing in for 1/ln(2)
    let nrBits = attr.maxEntries * this.nrHashFuncs;
    nrBits = nrBits > 0xffffffff ? Infinity : Math.floor(nrBits / 5) * 7;
    if (nrBits > 2 ** 31) this.bitsetMask = 0xffffffff;
    else this.bitsetMask = (nrBits <= 64 ? 64 : roundupPowOfTwo(nrBits)) - 1;
    this.hashSeed = this.flags & BPF_F.ZERO_SEED ? 0 : env.hashSeed >>> 0;
  }

  // mirrors hash() of bloom_filter.c
  private hash(value: Uint8Array, index: number): number {
    const seed = (this.hashSeed + index) >>> 0;
    const h = this.valueSize % 4 === 0 ? jhash2(value, this.valueSize / 4, seed) : jhash(value.subarray(0, this.valueSize), seed);
    return (h & this.bitsetMask) >>> 0;
  }
  // mirrors bloom_map_push_elem()
  override push(value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -ERRNO.EINVAL;
    for (let i = 0; i < this.nrHashFuncs; i++) this.bits.add(this.hash(value, i));
    return 0;
  }
  // mirrors bloom_map_peek_elem()
  override peek(probe: Uint8Array | null): Uint8Array | number {
    if (!probe) return -ERRNO.EINVAL;
    for (let i = 0; i < this.nrHashFuncs; i++) if (!this.bits.has(this.hash(probe, i))) return -ERRNO.ENOENT;
    return 0;
  }
  // bloom_map_pop_elem() / delete / get_next_key: -EOPNOTSUPP; lookup/update go through peek/push
  override pop(): number { return -ERRNO.EOPNOTSUPP; }
  lookup(): number { return -ERRNO.EOPNOTSUPP; }
  update(): number { return -ERRNO.EINVAL; }
  delete(): number { return -ERRNO.EOPNOTSUPP; }
  getNextKey(): number { return -ERRNO.EOPNOTSUPP; }
  lookupAddr(): bigint { return 0n; }
  updateFromProg(): number { return -ERRNO.EINVAL; }
  free(): void { this.freeCommon(); }
}

// ---------------------------------------------------------------- LPM trie

interface LpmEntry { prefixlen: number; data: Uint8Array; value: Region }

/** BPF_MAP_TYPE_LPM_TRIE: keys are struct bpf_lpm_trie_key_u8 (u32 prefixlen, then data). */
export class LpmTrieMap extends BpfMap {
  readonly maxPrefixlen: number;
  private entries: LpmEntry[] = [];

  constructor(env: MapEnv, attr: MapCreateAttr) {
    super(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, attr, false);
    this.maxPrefixlen = (attr.keySize - 4) * 8;
  }
  get size(): number { return this.entries.length; }

  private parse(key: Uint8Array): { prefixlen: number; data: Uint8Array } {
    return { prefixlen: new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true), data: key.subarray(4, this.keySize) };
  }
  private static bit(data: Uint8Array, i: number): number { return (data[i >> 3] >> (7 - (i & 7))) & 1; }
  /** mirrors longest_prefix_match(): how many leading bits agree, up to the shorter prefix */
  private static matchLen(a: Uint8Array, alen: number, b: Uint8Array, blen: number): number {
    const limit = Math.min(alen, blen);
    let i = 0;
    while (i < limit && LpmTrieMap.bit(a, i) === LpmTrieMap.bit(b, i)) i++;
    return i;
  }
  private exact(prefixlen: number, data: Uint8Array): number {
    return this.entries.findIndex((e) => e.prefixlen === prefixlen && LpmTrieMap.matchLen(e.data, e.prefixlen, data, prefixlen) === prefixlen);
  }
  /** mirrors trie_lookup_elem(): the longest stored prefix covering the key */
  private longest(key: Uint8Array): LpmEntry | null {
    const { prefixlen, data } = this.parse(key);
    let best: LpmEntry | null = null;
    for (const e of this.entries) {
      if (e.prefixlen > prefixlen || LpmTrieMap.matchLen(e.data, e.prefixlen, data, prefixlen) < e.prefixlen) continue;
      if (!best || e.prefixlen > best.prefixlen) best = e;
    }
    return best;
  }
  /** trie_get_next_key() walks in postorder: the 0 side before the 1 side, a node after everything below it */
  private static postorder(a: LpmEntry, b: LpmEntry): number {
    const common = LpmTrieMap.matchLen(a.data, a.prefixlen, b.data, b.prefixlen);
    if (common < Math.min(a.prefixlen, b.prefixlen)) return LpmTrieMap.bit(a.data, common) - LpmTrieMap.bit(b.data, common);
    return b.prefixlen - a.prefixlen;
  }
  private keyOf(e: LpmEntry): Uint8Array {
    const k = new Uint8Array(this.keySize);
    new DataView(k.buffer).setUint32(0, e.prefixlen, true);
    k.set(e.data, 4);
    return k;
  }

  lookup(key: Uint8Array): Uint8Array | number {
    const e = this.longest(key);
    return e ? e.value.bytes.slice(0, this.valueSize) : -ERRNO.ENOENT;
  }
  lookupAddr(key: Uint8Array): bigint { return this.longest(key)?.value.addr ?? 0n; }
  // mirrors trie_update_elem()
  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    const { prefixlen, data } = this.parse(key);
    if (prefixlen > this.maxPrefixlen) return -ERRNO.EINVAL;
    const at = this.exact(prefixlen, data);
    if (at >= 0 && flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    if (at < 0 && flags === BPF_EXIST) return -ERRNO.ENOENT;
    if (at < 0 && this.entries.length >= this.maxEntries) return -ERRNO.ENOSPC;
    const region = this.env.memory.alloc(roundUp(this.valueSize, 8), 'lpm_trie node value');
    region.bytes.set(value.subarray(0, this.valueSize));
    const entry: LpmEntry = { prefixlen, data: data.slice(), value: region };
    if (at >= 0) { this.env.deferFree(this.entries[at].value); this.entries[at] = entry; } else this.entries.push(entry);
    this.entries.sort(LpmTrieMap.postorder);
    return 0;
  }
  updateFromProg(key: Uint8Array, value: Uint8Array, flags: number): number { return this.update(key, value, flags); }
  // mirrors trie_delete_elem(): only an exact prefix is removed
  delete(key: Uint8Array): number {
    const { prefixlen, data } = this.parse(key);
    if (prefixlen > this.maxPrefixlen) return -ERRNO.EINVAL;
    const at = this.exact(prefixlen, data);
    if (at < 0) return -ERRNO.ENOENT;
    this.env.deferFree(this.entries[at].value);
    this.entries.splice(at, 1);
    return 0;
  }
  // mirrors trie_get_next_key(): a missing or absent key restarts at the leftmost leaf
  getNextKey(key: Uint8Array | null): Uint8Array | number {
    if (this.entries.length === 0) return -ERRNO.ENOENT;
    let at = -1;
    if (key) {
      const { prefixlen, data } = this.parse(key);
      if (prefixlen <= this.maxPrefixlen) at = this.exact(prefixlen, data);
    }
    const next = this.entries[at + 1];
    return next ? this.keyOf(next) : -ERRNO.ENOENT;
  }
  free(): void { for (const e of this.entries) this.env.memory.free(e.value); this.entries = []; this.freeCommon(); }
}

// ---------------------------------------------------------------- map-in-map

/** The inner_map_meta a map-in-map keeps: what every inner map must match (bpf_map_meta_alloc()). */
export interface InnerMapMeta { type: number; keySize: number; valueSize: number; maxEntries: number; flags: number }

/** mirrors bpf_map_meta_equal(); BPF_F_INNER_MAP in the template lets max_entries differ */
function innerMapMatches(meta: InnerMapMeta, map: BpfMap): boolean {
  return meta.type === map.type && meta.keySize === map.keySize && meta.valueSize === map.valueSize && meta.flags === map.flags &&
    (meta.maxEntries === map.maxEntries || (meta.flags & BPF_F.INNER_MAP) !== 0);
}

/** mirrors bpf_map_fd_get_ptr(): the user's value is an inner map fd */
function innerFromFd(env: MapEnv, meta: InnerMapMeta, value: Uint8Array): BpfMap | number {
  const fd = new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true);
  const inner = env.mapFromUserFd(fd);
  if (typeof inner === 'number') return inner;
  if (!innerMapMatches(meta, inner)) return -ERRNO.EINVAL;
  return inner;
}
function idBytes(map: BpfMap): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, map.id, true);
  return b;
}

/** BPF_MAP_TYPE_ARRAY_OF_MAPS: slots hold map references; the syscall lookup returns the inner map id. */
export class ArrayOfMaps extends BpfMap {
  readonly slots: (BpfMap | null)[];
  constructor(env: MapEnv, attr: MapCreateAttr, readonly innerMeta: InnerMapMeta) {
    super(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, attr, false);
    this.slots = new Array<BpfMap | null>(attr.maxEntries).fill(null);
    this.allocInnerMapMeta(innerMeta);
  }
  private index(key: Uint8Array): number { return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true); }

  // mirrors bpf_fd_array_map_lookup_elem() + bpf_map_fd_sys_lookup_elem()
  lookup(key: Uint8Array): Uint8Array | number {
    const inner = this.slots[this.index(key)];
    return inner ? idBytes(inner) : -ERRNO.ENOENT;
  }
  // mirrors bpf_fd_array_map_update_elem()
  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -ERRNO.EINVAL;
    const i = this.index(key);
    if (i >= this.maxEntries) return -ERRNO.E2BIG;
    const inner = innerFromFd(this.env, this.innerMeta, value);
    if (typeof inner === 'number') return inner;
    this.env.mapInc(inner);
    const old = this.slots[i];
    this.slots[i] = inner;
    if (old) this.env.mapPut(old);
    return 0;
  }
  // mirrors fd_array_map_delete_elem()
  delete(key: Uint8Array): number {
    const i = this.index(key);
    if (i >= this.maxEntries) return -ERRNO.E2BIG;
    const old = this.slots[i];
    if (!old) return -ERRNO.ENOENT;
    this.slots[i] = null;
    this.env.mapPut(old);
    return 0;
  }
  // array_map_get_next_key()
  getNextKey(key: Uint8Array | null): Uint8Array | number {
    const i = key ? this.index(key) : 0xffffffff;
    const out = new Uint8Array(4);
    if (i >= this.maxEntries) return out;
    if (i === this.maxEntries - 1) return -ERRNO.ENOENT;
    new DataView(out.buffer).setUint32(0, i + 1, true);
    return out;
  }
  /** array_of_map_lookup_elem(): the inner struct bpf_map pointer itself */
  lookupAddr(key: Uint8Array): bigint { return this.slots[this.index(key)]?.region.addr ?? 0n; }
  // programs cannot update map-in-map maps (the verifier refuses); answered like the syscall would for a bad fd
  updateFromProg(): number { return -ERRNO.EINVAL; }
  free(): void {
    for (const m of this.slots) if (m) this.env.mapPut(m);
    this.slots.fill(null);
    this.freeCommon();
  }
}

/** BPF_MAP_TYPE_HASH_OF_MAPS: an htab (so it keeps elem_count) whose values are inner map ids here. */
export class HashOfMaps extends HashMap {
  constructor(env: MapEnv, attr: MapCreateAttr, readonly innerMeta: InnerMapMeta) { super(env, attr); this.allocInnerMapMeta(innerMeta); }

  private innerAt(key: Uint8Array): BpfMap | undefined {
    const e = this.findElem(key);
    if (e === NO_ELEM) return undefined;
    const bytes = this.valueRegionOf(e).bytes;
    return this.env.mapById(new DataView(bytes.buffer, bytes.byteOffset + this.valueOffset(e), 4).getUint32(0, true));
  }
  // mirrors bpf_fd_htab_map_update_elem(): the slot keeps a reference to the inner map
  override update(key: Uint8Array, value: Uint8Array, flags: number, cpu: number): number {
    const inner = innerFromFd(this.env, this.innerMeta, value);
    if (typeof inner === 'number') return inner;
    const old = this.innerAt(key);
    const ret = super.update(key, idBytes(inner), flags, cpu);
    if (ret === 0) { this.env.mapInc(inner); if (old) this.env.mapPut(old); }
    return ret;
  }
  override delete(key: Uint8Array, cpu: number): number {
    const old = this.innerAt(key);
    const ret = super.delete(key, cpu);
    if (ret === 0 && old) this.env.mapPut(old);
    return ret;
  }
  /** htab_of_map_lookup_elem(): the inner struct bpf_map pointer */
  override lookupAddr(key: Uint8Array): bigint { return this.innerAt(key)?.region.addr ?? 0n; }
  override updateFromProg(): number { return -ERRNO.EINVAL; }
  override free(): void {
    for (let k = this.getNextKey(null); typeof k !== 'number'; k = this.getNextKey(k)) {
      const inner = this.innerAt(k);
      if (inner) this.env.mapPut(inner);
    }
    super.free();
  }
}

// ---------------------------------------------------------------- local storage

/**
 * BPF_MAP_TYPE_TASK_STORAGE: one value per task, created by a program (bpf_task_storage_get() with
 * BPF_LOCAL_STORAGE_GET_F_CREATE), kept beside the task (task->bpf_storage) and not reachable by key from a program.
 * The syscall side takes a pidfd as key, which the simulated machine has no use for: it answers as OpaqueMap did.
 */
export class LocalStorageMap extends OpaqueMap {
  /** The owner's address (the task_struct) -> its value, in kernel memory a program is handed a pointer to. */
  private readonly values = new Map<bigint, Region>();
  constructor(env: MapEnv, attr: MapCreateAttr) { super(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, attr, false); }

  /**
   * mirrors __bpf_task_storage_get(): the owner's value, else with `create` a new one, zeroed then filled from `init`
   * (value_size bytes, bpf_selem_alloc()), else 0n.
   */
  ownerGet(owner: bigint, init: Uint8Array | null, create: boolean): bigint {
    const found = this.values.get(owner);
    if (found) return found.addr;
    if (!create) return 0n;
    const r = this.env.memory.alloc(this.valueSize, `${this.typeName} value (map ${this.name || this.id})`);
    if (init) r.bytes.set(init.subarray(0, this.valueSize));
    this.values.set(owner, r);
    return r.addr;
  }
  /** mirrors task_storage_delete(): -ENOENT when the owner has no value here */
  ownerDelete(owner: bigint): number {
    const r = this.values.get(owner);
    if (!r) return -ERRNO.ENOENT;
    this.values.delete(owner);
    this.env.memory.free(r);
    return 0;
  }
  /** How many owners have a value (the world summary, tests). */
  get owners(): number { return this.values.size; }
  override free(): void {
    for (const r of this.values.values()) this.env.memory.free(r);
    this.values.clear();
    this.freeCommon();
  }
}
