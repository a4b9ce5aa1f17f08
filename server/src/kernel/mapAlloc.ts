/**
 * BPF_MAP_CREATE: map_create()'s generic checks, then each type's map_alloc_check/map_alloc validation, with the
 * errno the real kernel gives. The rules were read from the kernel sources named on each check and measured on
 * Linux 6.18 (test/oracle/kernel-maptypes.test.ts).
 */
import { ErrnoName, KernelError } from './errno';
import { ArrayOfMaps, BloomFilterMap, HashOfMaps, InnerMapMeta, LpmTrieMap, QueueStackMap, LocalStorageMap } from './mapKinds';
import { ArrayMap, BpfMap, HashMap, MapCreateAttr, MapEnv, OpaqueMap } from './maps';
import {
  BPF_F, BPF_F_ACCESS_MASK, BPF_MAP_TYPE, KMALLOC_MAX_SIZE, MAX_BPF_STACK, PAGE_SIZE, PCPU_MIN_UNIT_SIZE, mapTypeName, roundUp, validateObjName,
} from './mapTypes';

const T = BPF_MAP_TYPE;
/** CONFIG_NR_CPUS of the measured 6.18 kernel: cpumap max_entries above it is E2BIG */
export const NR_CPUS = 256;
/** sysctl_perf_event_max_stack default (PERF_MAX_STACK_DEPTH) */
export const PERF_MAX_STACK_DEPTH = 127;
/** BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: U16_MAX - sizeof(struct bpf_local_storage_elem) (128 on 6.18) */
export const BPF_LOCAL_STORAGE_MAX_VALUE_SIZE = 0xffff - 128;
/** sizeof(struct bpf_stack_build_id) */
const STACK_BUILD_ID_SIZE = 32;
/** offsetof(struct bpf_lpm_trie_key_u8, data) and LPM_DATA_SIZE_MAX */
const LPM_KEY_DATA_OFFSET = 4, LPM_DATA_SIZE_MAX = 256;
/** Types this kernel's bpf_map_types[] has no ops for: map_create() answers EINVAL. */
const NOT_ON_THIS_KERNEL: ReadonlySet<number> = new Set([T.UNSPEC, T.INSN_ARRAY]);

const HTAB_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NO_COMMON_LRU | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F.ZERO_SEED;
const ARRAY_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.MMAPABLE | BPF_F_ACCESS_MASK | BPF_F.PRESERVE_ELEMS | BPF_F.INNER_MAP;
const LPM_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;
const QUEUE_STACK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;
const BLOOM_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.ZERO_SEED | BPF_F_ACCESS_MASK;
const STACK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F.STACK_BUILD_ID;
/** DEV_CREATE_FLAG_MASK, SOCK_CREATE_FLAG_MASK and xskmap's: per-fd access flags only */
const FD_ACCESS_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY;
const CGROUP_STORAGE_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;
const LOCAL_STORAGE_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.CLONE;
const ARENA_CREATE_FLAG_MASK = BPF_F.SEGV_ON_FAULT | BPF_F.MMAPABLE | BPF_F.NO_USER_CONV;

function fail(code: ErrnoName, why: string): never { throw new KernelError(code, why); }

const isLru = (t: number) => t === T.LRU_HASH || t === T.LRU_PERCPU_HASH;

/** mirrors htab_map_alloc_check() */
function htabAllocCheck(a: MapCreateAttr, flags: number): void {
  const lru = isLru(a.type);
  const percpu = a.type === T.PERCPU_HASH || a.type === T.LRU_PERCPU_HASH;
  if (flags & ~HTAB_CREATE_FLAG_MASK) fail('EINVAL', `${mapTypeName(a.type)}: unsupported map_flags 0x${(flags & ~HTAB_CREATE_FLAG_MASK).toString(16)}`);
  if (lru && (flags & BPF_F.NO_PREALLOC)) fail('ENOTSUPP', 'LRU hash maps are always preallocated (BPF_F_NO_PREALLOC not supported)');
  if (!lru && (flags & BPF_F.NO_COMMON_LRU)) fail('EINVAL', 'BPF_F_NO_COMMON_LRU needs an LRU map');
  if (a.maxEntries === 0 || a.keySize === 0 || a.valueSize === 0) fail('EINVAL', `${mapTypeName(a.type)}: key_size, value_size and max_entries must be non-zero`);
  if (a.keySize > MAX_BPF_STACK) fail('E2BIG', `${mapTypeName(a.type)}: key_size ${a.keySize} exceeds ${MAX_BPF_STACK}`);
  if (a.valueSize >= KMALLOC_MAX_SIZE - MAX_BPF_STACK - 48) fail('E2BIG', `${mapTypeName(a.type)}: value_size ${a.valueSize} too large`);
  if (percpu && roundUp(a.valueSize, 8) > PCPU_MIN_UNIT_SIZE) fail('E2BIG', `per-CPU value_size ${a.valueSize} exceeds ${PCPU_MIN_UNIT_SIZE}`);
}

/** mirrors array_map_alloc_check() (shared by the fd arrays and reuseport_sockarray) */
function arrayAllocCheck(a: MapCreateAttr, flags: number): void {
  const name = mapTypeName(a.type);
  if (a.maxEntries === 0 || a.keySize !== 4 || a.valueSize === 0 || (flags & ~ARRAY_CREATE_FLAG_MASK)) {
    fail('EINVAL', `${name}: key_size must be 4, value_size and max_entries non-zero, flags valid`);
  }
  if (a.type !== T.ARRAY && (flags & (BPF_F.MMAPABLE | BPF_F.INNER_MAP))) fail('EINVAL', `${name}: BPF_F_MMAPABLE and BPF_F_INNER_MAP are for array maps only`);
  if (a.type !== T.PERF_EVENT_ARRAY && (flags & BPF_F.PRESERVE_ELEMS)) fail('EINVAL', `${name}: BPF_F_PRESERVE_ELEMS is for perf_event_array only`);
  if (a.valueSize > 0x7fffffff) fail('E2BIG', `${name}: value_size ${a.valueSize} too large`);
  if (a.type === T.PERCPU_ARRAY && roundUp(a.valueSize, 8) > PCPU_MIN_UNIT_SIZE) fail('E2BIG', `per-CPU value_size ${a.valueSize} exceeds ${PCPU_MIN_UNIT_SIZE}`);
}

/** mirrors fd_array_map_alloc_check(): prog_array, perf_event_array, cgroup_array, array_of_maps */
function fdArrayAllocCheck(a: MapCreateAttr, flags: number): void {
  if (a.valueSize !== 4) fail('EINVAL', `${mapTypeName(a.type)}: value_size must be 4 (an fd)`);
  if (flags & (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)) fail('EINVAL', `${mapTypeName(a.type)}: BPF_F_RDONLY_PROG/BPF_F_WRONLY_PROG are not supported`);
  arrayAllocCheck(a, flags);
}

/** mirrors bpf_map_meta_alloc(): the inner map template of a map-in-map */
function innerMapMeta(env: MapEnv, a: MapCreateAttr): InnerMapMeta {
  const inner = env.mapFromUserFd(a.innerMapFd ?? 0);
  if (typeof inner === 'number') fail(inner === -9 ? 'EBADF' : 'EINVAL', `${mapTypeName(a.type)}: inner_map_fd ${a.innerMapFd ?? 0} is not a map`);
  if (inner.type === T.PROG_ARRAY || inner.type === T.CGROUP_STORAGE || inner.type === T.PERCPU_CGROUP_STORAGE || inner.type === T.STRUCT_OPS) {
    fail('ENOTSUPP', `${mapTypeName(inner.type)} maps cannot be inner maps (no map_meta_equal)`);
  }
  if (inner instanceof ArrayOfMaps || inner instanceof HashOfMaps) fail('EINVAL', 'an inner map cannot itself be a map-in-map (one level only)');
  return { type: inner.type, keySize: inner.keySize, valueSize: inner.valueSize, maxEntries: inner.maxEntries, flags: inner.flags };
}

/** Per-type checks of map types with no element behaviour here (they exist, with their sizes). */
const OPAQUE_CHECKS: Partial<Record<number, (a: MapCreateAttr, flags: number) => void>> = {
  [T.PROG_ARRAY]: fdArrayAllocCheck,
  [T.PERF_EVENT_ARRAY]: fdArrayAllocCheck,
  [T.CGROUP_ARRAY]: fdArrayAllocCheck,
  // mirrors stack_map_alloc()
  [T.STACK_TRACE]: (a, flags) => {
    if (flags & ~STACK_CREATE_FLAG_MASK) fail('EINVAL', 'stack_trace: unsupported map_flags');
    if (a.maxEntries === 0 || a.keySize !== 4 || a.valueSize < 8 || a.valueSize % 8) {
      fail('EINVAL', 'stack_trace: key_size must be 4, value_size a non-zero multiple of 8, max_entries non-zero');
    }
    if (flags & BPF_F.STACK_BUILD_ID) {
      if (a.valueSize % STACK_BUILD_ID_SIZE || a.valueSize / STACK_BUILD_ID_SIZE > PERF_MAX_STACK_DEPTH) {
        fail('EINVAL', `stack_trace with BPF_F_STACK_BUILD_ID: value_size must be a multiple of ${STACK_BUILD_ID_SIZE}, at most ${PERF_MAX_STACK_DEPTH} frames`);
      }
    } else if (a.valueSize / 8 > PERF_MAX_STACK_DEPTH) fail('EINVAL', `stack_trace: value_size ${a.valueSize} holds more than ${PERF_MAX_STACK_DEPTH} frames`);
    if (a.maxEntries > 2 ** 31) fail('E2BIG', 'stack_trace: max_entries above 2^31');
  },
  // mirrors dev_map_init_map()
  [T.DEVMAP]: (a, flags) => {
    if (a.maxEntries === 0 || a.keySize !== 4 || (a.valueSize !== 4 && a.valueSize !== 8) || (flags & ~FD_ACCESS_CREATE_FLAG_MASK)) {
      fail('EINVAL', `${mapTypeName(a.type)}: key_size must be 4, value_size 4 or 8 (struct bpf_devmap_val), max_entries non-zero`);
    }
    if (a.type === T.DEVMAP_HASH && a.maxEntries > 2 ** 31) fail('EINVAL', 'devmap_hash: max_entries above 2^31');
  },
  [T.DEVMAP_HASH]: (a, flags) => OPAQUE_CHECKS[T.DEVMAP]!(a, flags),
  // mirrors cpu_map_alloc()
  [T.CPUMAP]: (a, flags) => {
    if (a.maxEntries === 0 || a.keySize !== 4 || (a.valueSize !== 4 && a.valueSize !== 8) || (flags & ~BPF_F.NUMA_NODE)) {
      fail('EINVAL', 'cpumap: key_size must be 4, value_size 4 or 8 (struct bpf_cpumap_val), max_entries non-zero, only BPF_F_NUMA_NODE');
    }
    if (a.maxEntries > NR_CPUS) fail('E2BIG', `cpumap: max_entries ${a.maxEntries} exceeds NR_CPUS (${NR_CPUS})`);
  },
  // mirrors xsk_map_alloc()
  [T.XSKMAP]: (a, flags) => {
    if (a.maxEntries === 0 || a.keySize !== 4 || a.valueSize !== 4 || (flags & ~FD_ACCESS_CREATE_FLAG_MASK)) {
      fail('EINVAL', 'xskmap: key_size and value_size must be 4, max_entries non-zero');
    }
  },
  // mirrors sock_map_alloc()
  [T.SOCKMAP]: (a, flags) => {
    if (a.maxEntries === 0 || a.keySize !== 4 || (a.valueSize !== 4 && a.valueSize !== 8) || (flags & ~FD_ACCESS_CREATE_FLAG_MASK)) {
      fail('EINVAL', 'sockmap: key_size must be 4, value_size 4 or 8, max_entries non-zero');
    }
  },
  // mirrors sock_hash_alloc()
  [T.SOCKHASH]: (a, flags) => {
    if (a.maxEntries === 0 || a.keySize === 0 || (a.valueSize !== 4 && a.valueSize !== 8) || (flags & ~FD_ACCESS_CREATE_FLAG_MASK)) {
      fail('EINVAL', 'sockhash: key_size and max_entries must be non-zero, value_size 4 or 8');
    }
    if (a.keySize > MAX_BPF_STACK) fail('E2BIG', `sockhash: key_size ${a.keySize} exceeds ${MAX_BPF_STACK}`);
  },
  // mirrors reuseport_array_alloc_check()
  [T.REUSEPORT_SOCKARRAY]: (a, flags) => {
    if (a.valueSize !== 4 && a.valueSize !== 8) fail('EINVAL', 'reuseport_sockarray: value_size must be 4 or 8');
    arrayAllocCheck(a, flags);
  },
  // mirrors cgroup_storage_map_alloc()
  [T.CGROUP_STORAGE]: (a, flags) => {
    const maxValue = a.type === T.PERCPU_CGROUP_STORAGE ? Math.min(BPF_LOCAL_STORAGE_MAX_VALUE_SIZE, PCPU_MIN_UNIT_SIZE) : BPF_LOCAL_STORAGE_MAX_VALUE_SIZE;
    if (a.keySize !== 16 && a.keySize !== 8) fail('EINVAL', `${mapTypeName(a.type)}: key_size must be 16 (struct bpf_cgroup_storage_key) or 8 (cgroup id)`);
    if (a.valueSize === 0) fail('EINVAL', `${mapTypeName(a.type)}: value_size must be non-zero`);
    if (a.valueSize > maxValue) fail('E2BIG', `${mapTypeName(a.type)}: value_size ${a.valueSize} exceeds ${maxValue}`);
    if (flags & ~CGROUP_STORAGE_CREATE_FLAG_MASK) fail('EINVAL', `${mapTypeName(a.type)}: unsupported map_flags`);
    if (a.maxEntries !== 0) fail('EINVAL', `${mapTypeName(a.type)}: max_entries must be 0 (one storage per attached cgroup)`);
  },
  [T.PERCPU_CGROUP_STORAGE]: (a, flags) => OPAQUE_CHECKS[T.CGROUP_STORAGE]!(a, flags),
  // mirrors bpf_local_storage_map_alloc_check(): sk/inode/task/cgrp storage
  [T.SK_STORAGE]: (a, flags) => {
    const name = mapTypeName(a.type);
    if ((flags & ~LOCAL_STORAGE_CREATE_FLAG_MASK) || !(flags & BPF_F.NO_PREALLOC) || a.maxEntries !== 0 || a.keySize !== 4 || a.valueSize === 0) {
      fail('EINVAL', `${name}: needs BPF_F_NO_PREALLOC, key_size 4, max_entries 0 and a non-zero value_size`);
    }
    if (!a.btf) fail('EINVAL', `${name}: needs BTF for its key and value (btf_key_type_id/btf_value_type_id; "btf": true in a scenario)`);
    if (a.valueSize > BPF_LOCAL_STORAGE_MAX_VALUE_SIZE) fail('E2BIG', `${name}: value_size ${a.valueSize} exceeds ${BPF_LOCAL_STORAGE_MAX_VALUE_SIZE}`);
  },
  [T.INODE_STORAGE]: (a, flags) => OPAQUE_CHECKS[T.SK_STORAGE]!(a, flags),
  [T.TASK_STORAGE]: (a, flags) => OPAQUE_CHECKS[T.SK_STORAGE]!(a, flags),
  [T.CGRP_STORAGE]: (a, flags) => OPAQUE_CHECKS[T.SK_STORAGE]!(a, flags),
  // bpf_struct_ops_map_alloc_check(): the value type comes from btf_vmlinux_value_type_id
  [T.STRUCT_OPS]: () => fail('EINVAL', 'struct_ops maps need btf_vmlinux_value_type_id (libbpf creates them from a SEC(".struct_ops") object)'),
  // mirrors ringbuf_map_alloc()
  [T.RINGBUF]: (a, flags) => {
    if (flags & ~BPF_F.NUMA_NODE) fail('EINVAL', `${mapTypeName(a.type)}: only BPF_F_NUMA_NODE is allowed`);
    if (a.keySize || a.valueSize || a.maxEntries === 0 || (a.maxEntries & (a.maxEntries - 1)) || a.maxEntries % PAGE_SIZE) {
      fail('EINVAL', `${mapTypeName(a.type)}: key_size and value_size must be 0, max_entries a power of 2 and a multiple of ${PAGE_SIZE}`);
    }
  },
  [T.USER_RINGBUF]: (a, flags) => OPAQUE_CHECKS[T.RINGBUF]!(a, flags),
  // mirrors arena_map_alloc()
  [T.ARENA]: (a, flags) => {
    if (a.keySize || a.valueSize || a.maxEntries === 0 || !(flags & BPF_F.MMAPABLE) || (flags & ~ARENA_CREATE_FLAG_MASK)) {
      fail('EINVAL', 'arena: key_size and value_size must be 0, max_entries (pages) non-zero, BPF_F_MMAPABLE set');
    }
    const start = a.mapExtra ?? 0n;
    if (start % BigInt(PAGE_SIZE)) fail('EINVAL', 'arena: map_extra (user_vm_start) must be page aligned');
    const range = BigInt(a.maxEntries) * BigInt(PAGE_SIZE);
    if (range > 1n << 32n) fail('E2BIG', 'arena: more than 4 GiB of pages');
    if (start >> 32n !== (start + range - 1n) >> 32n) fail('ERANGE', 'arena: the user range must not cross a 4 GiB boundary');
  },
};

/** mirrors queue_stack_map_alloc_check() */
function queueStackAllocCheck(a: MapCreateAttr, flags: number): void {
  if (a.maxEntries === 0 || a.keySize !== 0 || a.valueSize === 0 || (flags & ~QUEUE_STACK_CREATE_FLAG_MASK)) {
    fail('EINVAL', `${mapTypeName(a.type)}: key_size must be 0, value_size and max_entries non-zero`);
  }
  if (a.valueSize > KMALLOC_MAX_SIZE) fail('E2BIG', `${mapTypeName(a.type)}: value_size ${a.valueSize} too large`);
}

/** mirrors bloom_map_alloc()'s checks */
function bloomAllocCheck(a: MapCreateAttr, flags: number): void {
  if (a.keySize !== 0 || a.valueSize === 0 || a.maxEntries === 0 || (flags & ~BLOOM_CREATE_FLAG_MASK) || ((a.mapExtra ?? 0n) & ~0xfn)) {
    fail('EINVAL', 'bloom_filter: key_size must be 0, value_size and max_entries non-zero, map_extra (nr_hash_funcs) at most 15');
  }
}

/** mirrors trie_alloc()'s checks */
function lpmAllocCheck(a: MapCreateAttr, flags: number): void {
  if (a.maxEntries === 0 || !(flags & BPF_F.NO_PREALLOC) || (flags & ~LPM_CREATE_FLAG_MASK) ||
    a.keySize <= LPM_KEY_DATA_OFFSET || a.keySize > LPM_KEY_DATA_OFFSET + LPM_DATA_SIZE_MAX || a.valueSize === 0 ||
    a.valueSize > KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - 48) {
    fail('EINVAL', 'lpm_trie: needs BPF_F_NO_PREALLOC, key_size 5..260 (u32 prefixlen + data), value_size and max_entries non-zero');
  }
}

/** mirrors bpf_map_flags_retain_permanent(): BPF_F_RDONLY/WRONLY belong to the fd, not the map */
export function storedMapFlags(type: number, flags: number): number {
  let stored = flags & ~(BPF_F.RDONLY | BPF_F.WRONLY);
  // dev_map_init_map(): "Enforce read-only for programs"
  if (type === T.DEVMAP || type === T.DEVMAP_HASH) stored |= BPF_F.RDONLY_PROG;
  return stored >>> 0;
}

/**
 * What the simulated kernel lets all of a map's preallocated elements take; the real kernel's bound is the
 * machine's memory, ours is what a Node heap can hold.
 */
export const MAX_SIMULATED_MAP_BYTES = 1024 * 1024 * 1024;

/** mirrors bpf_map_area_alloc() failing: preallocated elements beyond memory are ENOMEM, not a crash. */
function checkSimulatedMemory(env: MapEnv, attr: MapCreateAttr): void {
  const percpu = attr.type === T.PERCPU_HASH || attr.type === T.LRU_PERCPU_HASH || attr.type === T.PERCPU_ARRAY;
  const elementBytes = roundUp(attr.keySize, 8) + roundUp(attr.valueSize, 8) * (percpu ? env.cpus : 1) + 48;
  if (attr.maxEntries * elementBytes > MAX_SIMULATED_MAP_BYTES) {
    fail('ENOMEM', `map ${attr.name ?? ''}: max_entries ${attr.maxEntries} x ${elementBytes} bytes per element is more than the simulated kernel's ${MAX_SIMULATED_MAP_BYTES / (1024 * 1024)} MiB for a map; lower max_entries`);
  }
}

/** mirrors map_create() + find_and_alloc_map(); the caller assigns the id. */
export function allocMap(env: MapEnv, attr: MapCreateAttr): BpfMap {
  const flags = (attr.flags ?? 0) >>> 0;
  if (![attr.keySize, attr.valueSize, attr.maxEntries].every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff)) {
    fail('EINVAL', 'key_size, value_size and max_entries are u32');
  }
  if (!Number.isInteger(attr.type) || attr.type < 0 || attr.type > T.INSN_ARRAY || NOT_ON_THIS_KERNEL.has(attr.type)) {
    fail('EINVAL', `map type ${mapTypeName(attr.type)} does not exist on this kernel`);
  }
  if (attr.type !== T.BLOOM_FILTER && attr.type !== T.ARENA && (attr.mapExtra ?? 0n) !== 0n) fail('EINVAL', 'map_extra is only for bloom_filter and arena maps');
  // bpf_get_file_flag() and bpf_map_flags_access_ok()
  if ((flags & BPF_F.RDONLY) && (flags & BPF_F.WRONLY)) fail('EINVAL', 'BPF_F_RDONLY and BPF_F_WRONLY together');
  if ((flags & BPF_F.RDONLY_PROG) && (flags & BPF_F.WRONLY_PROG)) fail('EINVAL', 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together');
  validateObjName(attr.name ?? '');
  const stored: MapCreateAttr = { ...attr, flags: storedMapFlags(attr.type, flags) };
  switch (attr.type) {
    case T.HASH: case T.LRU_HASH: case T.PERCPU_HASH: case T.LRU_PERCPU_HASH:
      htabAllocCheck(attr, flags);
      checkSimulatedMemory(env, attr);
      return new HashMap(env, stored);
    case T.ARRAY: case T.PERCPU_ARRAY:
      arrayAllocCheck(attr, flags);
      checkSimulatedMemory(env, attr);
      return new ArrayMap(env, stored);
    case T.ARRAY_OF_MAPS: {
      fdArrayAllocCheck(attr, flags);
      return new ArrayOfMaps(env, stored, innerMapMeta(env, attr));
    }
    case T.HASH_OF_MAPS: {
      // fd_htab_map_alloc_check()
      if (attr.valueSize !== 4) fail('EINVAL', 'hash_of_maps: value_size must be 4 (an inner map fd)');
      htabAllocCheck(attr, flags);
      return new HashOfMaps(env, stored, innerMapMeta(env, attr));
    }
    case T.QUEUE: case T.STACK:
      queueStackAllocCheck(attr, flags);
      return new QueueStackMap(env, stored);
    case T.BLOOM_FILTER:
      bloomAllocCheck(attr, flags);
      return new BloomFilterMap(env, stored);
    case T.LPM_TRIE:
      lpmAllocCheck(attr, flags);
      return new LpmTrieMap(env, stored);
  }
  const check = OPAQUE_CHECKS[attr.type];
  if (!check) fail('EINVAL', `map type ${mapTypeName(attr.type)} is not supported by the simulated kernel`);
  check(attr, flags);
  if (attr.type === T.TASK_STORAGE) return new LocalStorageMap(env, stored);
  return new OpaqueMap(env, attr.type, attr.keySize, attr.valueSize, attr.maxEntries, stored, false);
}
