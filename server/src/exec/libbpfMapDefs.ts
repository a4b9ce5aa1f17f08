/**
 * What libbpf changes in a `.maps` definition when it creates the map (bpf_object__create_map()), so a program that
 * loads through libbpf gets the same map here: the sizes it leaves to the loader are filled in.
 */
import { BPF_MAP_TYPE, PAGE_SIZE } from '../kernel/mapTypes';

/**
 * max_entries as libbpf passes it to BPF_MAP_CREATE: a perf event array without one gets one slot per possible CPU
 * (map_set_def_max_entries()), and a ring buffer's size is rounded up to a power-of-2 number of pages unless it is
 * one already (adjust_ringbuf_sz(); 0 stays 0, for the kernel to refuse).
 */
export function libbpfMaxEntries(type: number, maxEntries: number, possibleCpus: number): number {
  if (type === BPF_MAP_TYPE.PERF_EVENT_ARRAY && maxEntries === 0) return possibleCpus;
  if ((type === BPF_MAP_TYPE.RINGBUF || type === BPF_MAP_TYPE.USER_RINGBUF) && maxEntries !== 0) {
    const pages = maxEntries / PAGE_SIZE;
    if (Number.isInteger(pages) && (pages & (pages - 1)) === 0) return maxEntries;
    // the first power-of-2 multiple of the page size above the size asked for, while it fits in a u32
    for (let size = PAGE_SIZE; size <= 0xffffffff; size *= 2) if (size > maxEntries) return size;
  }
  return maxEntries;
}
