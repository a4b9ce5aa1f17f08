import { KernelError } from './errno';

// uapi enum bpf_map_type and the flag constants the map code checks (include/uapi/linux/bpf.h)
export const BPF_MAP_TYPE = {
  UNSPEC: 0, HASH: 1, ARRAY: 2, PROG_ARRAY: 3, PERF_EVENT_ARRAY: 4, PERCPU_HASH: 5, PERCPU_ARRAY: 6,
  STACK_TRACE: 7, CGROUP_ARRAY: 8, LRU_HASH: 9, LRU_PERCPU_HASH: 10, LPM_TRIE: 11, ARRAY_OF_MAPS: 12,
  HASH_OF_MAPS: 13, DEVMAP: 14, SOCKMAP: 15, CPUMAP: 16, XSKMAP: 17, SOCKHASH: 18, CGROUP_STORAGE: 19,
  REUSEPORT_SOCKARRAY: 20, PERCPU_CGROUP_STORAGE: 21, QUEUE: 22, STACK: 23, SK_STORAGE: 24, DEVMAP_HASH: 25,
  STRUCT_OPS: 26, RINGBUF: 27, INODE_STORAGE: 28, TASK_STORAGE: 29, BLOOM_FILTER: 30, USER_RINGBUF: 31,
  CGRP_STORAGE: 32, ARENA: 33, INSN_ARRAY: 34,
} as const;
export type MapTypeName = keyof typeof BPF_MAP_TYPE;

/** Names as bpftool prints them (libbpf_bpf_map_type_str): lowercase uapi names. */
export function mapTypeName(type: number): string {
  const e = (Object.keys(BPF_MAP_TYPE) as MapTypeName[]).find((k) => BPF_MAP_TYPE[k] === type);
  return e ? e.toLowerCase() : `unknown(${type})`;
}

export const BPF_F = {
  NO_PREALLOC: 1 << 0, NO_COMMON_LRU: 1 << 1, NUMA_NODE: 1 << 2, RDONLY: 1 << 3, WRONLY: 1 << 4,
  STACK_BUILD_ID: 1 << 5, ZERO_SEED: 1 << 6, RDONLY_PROG: 1 << 7, WRONLY_PROG: 1 << 8, CLONE: 1 << 9,
  MMAPABLE: 1 << 10, PRESERVE_ELEMS: 1 << 11, INNER_MAP: 1 << 12, LINK: 1 << 13, PATH_FD: 1 << 14,
  VTYPE_BTF_OBJ_FD: 1 << 15, TOKEN_FD: 1 << 16, SEGV_ON_FAULT: 1 << 17, NO_USER_CONV: 1 << 18,
} as const;
export const BPF_F_ACCESS_MASK = BPF_F.RDONLY | BPF_F.RDONLY_PROG | BPF_F.WRONLY | BPF_F.WRONLY_PROG;

/** Update flags of BPF_MAP_UPDATE_ELEM. */
export const BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2, BPF_F_LOCK = 4;

/** MAX_BPF_STACK (include/linux/filter.h): a program's stack, all frames of a call chain together; also the largest map key. */
export const MAX_BPF_STACK = 512;
/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value (mm/percpu). */
export const PCPU_MIN_UNIT_SIZE = 32 << 10;
/** KMALLOC_MAX_SIZE on x86-64 (PAGE_SIZE << MAX_PAGE_ORDER = 4 MiB). */
export const KMALLOC_MAX_SIZE = 4 << 20;
export const PAGE_SIZE = 4096;
export const BPF_OBJ_NAME_LEN = 16;
export const NUMA_NO_NODE = -1;
/** The types whose map_alloc is array_map_alloc(), which sets map->bypass_spec_v1. */
export const ARRAY_MAP_ALLOC_TYPES: ReadonlySet<number> = new Set([BPF_MAP_TYPE.ARRAY, BPF_MAP_TYPE.PERCPU_ARRAY, BPF_MAP_TYPE.PROG_ARRAY,
  BPF_MAP_TYPE.PERF_EVENT_ARRAY, BPF_MAP_TYPE.CGROUP_ARRAY, BPF_MAP_TYPE.ARRAY_OF_MAPS]);

/** mirrors bpf_obj_name_cpy(): only isalnum, '_' and '.', NUL within BPF_OBJ_NAME_LEN. */
export function validateObjName(name: string): void {
  if (name.length >= BPF_OBJ_NAME_LEN) throw new KernelError('EINVAL', `map name '${name}' is longer than ${BPF_OBJ_NAME_LEN - 1} characters`);
  if (!/^[A-Za-z0-9_.]*$/.test(name)) throw new KernelError('EINVAL', `map name '${name}' may contain only letters, digits, '_' and '.'`);
}

export function roundUp(x: number, to: number): number { return Math.ceil(x / to) * to; }
export function roundupPowOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}
