/** The BPF helpers and the kfunc a program calls (`helpers`, each mirroring its kernel function; they never throw, they return -errno), with the seq_file printing and the callbacks they need. */

import { ERRNO } from './errno';
import { bprintf, bprintfFromView, bprintfInto, MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS } from './format';
import { ArrayMap, BpfMap, HashMap, NO_ELEM } from './maps';
import { LocalStorageMap } from './mapKinds';
import { BPF_MAP_TYPE } from './mapTypes';
import { SeqFile } from './seqFile';
import { sockDestroy, SOCKET_CASTS } from './net/helpers';
import { bitsIterNew, bitsIterNext, copyFromUserTaskStr } from './userKfuncs';
import { KMEM_CACHE_POS_START, kmemCacheNext, kmemCachePut } from './objectIters';
import { KernelState } from './kernelState';
import { KERNEL_HZ } from './kconfig';
import { CGROUP_ITER_ORDER, nextDescendantPost, nextDescendantPre } from './cgroupIter';
import type { Region } from './memory';
import { kernelBtf } from './btf';
import { NET_BTF_STRUCTS } from './net/netBtfTable';
import { skStorageDeleteFromProg, skStorageGetFromProg } from './net/sockmapIter';
import type { Kernel } from './kernel';

export abstract class KernelHelpers extends KernelState {
  // ------------------------------------------------------------ helpers (never throw; -errno)
  ktimeGetNs(): bigint { const t = this.ktime; this.ktime += this.ktimeStep; return t; }
  prandomU32(): number {
    let x = this.prandom;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return (this.prandom = x);
  }

  protected popOrPeek(mapAddr: bigint, valueAddr: bigint, pop: boolean): number {
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
  protected seqAt(addr: bigint): SeqFile | undefined { return this.seqsByAddr.get(addr); }

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
  /**
   * helpers.bpf_seq_printf() for a compiled program, whose pointers are (region, offset): the same result and output,
   * found without an address search, a BigInt per argument or a string per conversion when seq, fmt and data are
   * plain pointers into live regions; undefined otherwise (nothing done: the caller calls bpf_seq_printf() with the
   * addresses).
   */
  seqPrintfAt(seqRegion: object | null, seqOffset: number, fmtRegion: object | null, fmtOffset: number, fmtSize: number,
    dataRegion: object | null, dataOffset: number, dataLen: number): number | undefined {
    const seq = seqOffset === 0 && seqRegion !== null ? this.seqsByRegion.get(seqRegion) : undefined;
    const memory = this.memory;
    if (seq === undefined || !memory.owns(fmtRegion) || fmtOffset < 0 || fmtOffset >= fmtRegion.bytes.length) return undefined;
    if (dataLen !== 0 && (!memory.owns(dataRegion) || dataOffset < 0 || dataOffset >= dataRegion.bytes.length)) return undefined;
    // from here on, as bpf_seq_printf(): the size checks, readArgs(), memory.read() of the format
    if (!validSize(fmtSize) || !validSize(dataLen)) return -ERRNO.EINVAL;
    if (dataLen % 8 !== 0 || dataLen > MAX_BPRINTF_VARARGS * 8) return -ERRNO.EINVAL;
    if (dataLen !== 0 && dataOffset + dataLen > (dataRegion as { bytes: Uint8Array }).bytes.length) return -ERRNO.EFAULT;
    if (fmtOffset + fmtSize > fmtRegion.bytes.length) return -ERRNO.EINVAL;
    const count = dataLen / 8;
    const sink = this.seqSink;
    sink.buf = seq.buf; sink.pos = seq.count; sink.end = seq.size - 1; sink.full = false;
    const view = dataLen === 0 ? EMPTY_VIEW : (dataRegion as { view: DataView }).view;
    const direct = bprintfFromView(fmtRegion.bytes, fmtOffset, fmtSize, view, dataOffset, count, sink);
    if (direct === undefined) {
      const args: bigint[] = new Array<bigint>(count);
      for (let i = 0; i < count; i++) args[i] = view.getBigUint64(dataOffset + i * 8, true);
      return this.seqPrintfDirect(seq, fmtRegion.bytes.subarray(fmtOffset, fmtOffset + fmtSize), args);
    }
    if (direct < 0) return direct;
    if (sink.full) seq.count = seq.size; else seq.count = sink.pos;
    return seq.overflowed ? -ERRNO.EOVERFLOW : 0;
  }
  seqWriteDirect(seq: SeqFile, data: Uint8Array): number {
    seq.write(data);
    return seq.overflowed ? -ERRNO.EOVERFLOW : 0;
  }
  protected readArgs(dataAddr: bigint, dataLen: number): bigint[] | number {
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

  protected tracePrintk(fmtAddr: bigint, fmtSize: number, args: bigint[]): number {
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
  protected forEachMapElem(map: BpfMap, fnAddr: bigint, ctxAddr: bigint, callback: CallbackInvoker): number {
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
          const keyAddr = map.keyRegionOf(e).addr + BigInt(map.keyOffset(e));
          visited++;
          if (callback(fnAddr, [mapAddr, keyAddr, map.valueAddr(e, this.currentCpu), ctxAddr, 0n]) !== 0n) return visited;
        }
      }
      return visited;
    }
    return -ERRNO.ENOTSUPP;
  }

  /** struct bpf_iter_num_kern { int cur; int end; } inside the program's 8-byte struct bpf_iter_num */
  protected writeIterNum(itAddr: bigint, cur: number, end: number): void {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setInt32(0, cur, true);
    v.setInt32(4, end, true);
    this.memory.write(itAddr, b);
  }

  /** struct bpf_iter_task_kern { struct task_struct *task; struct task_struct *pos; unsigned int flags; } (24 bytes) */
  protected writeIterTask(itAddr: bigint, task: bigint, pos: bigint, flags: number): void {
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, task, true);
    v.setBigUint64(8, pos, true);
    v.setUint32(16, flags, true);
    this.memory.write(itAddr, b);
  }

  protected writeU64(addr: bigint, value: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, value, true);
    this.memory.write(addr, b);
  }

  /** The kernel-side data an open-coded iterator's 8-byte state points at (bpf_iter_task_vma_kern.data), or undefined. */
  protected openIterData(itAddr: bigint): Region | undefined {
    const raw = this.memory.read(itAddr, 8);
    const addr = raw ? new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true) : 0n;
    const at = addr === 0n ? null : this.memory.find(addr);
    return at && at.offset === 0 ? at.region : undefined;
  }

  /**
   * mirrors __bpf_strtoull(): at most 64 bytes of the buffer (up to a NUL), leading spaces, an optional '-', the base
   * of flags (0 = by prefix, 8, 10, 16) and its 0x prefix, then digits; the bytes consumed, or a negative errno.
   */
  protected parseBpfStrtox(bufAddr: bigint, bufLen: bigint | number, flags: bigint | number): { value: bigint; negative: boolean; consumed: number } | number {
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
    // mirrors bpf_copy_from_user_task(): the task's user memory (argv and the environment at mm->arg_start, which
    // live in the one simulated address space, or the task's memory areas); zero-fills dst on a fault
    bpf_copy_from_user_task: (dstAddr: bigint, size: number, userAddr: bigint, task: bigint, flags: bigint): number => {
      if (flags !== 0n || !validSize(size)) return -ERRNO.EINVAL;
      const src = this.memory.read(userAddr, size) ?? this.tasks?.readUser(task, userAddr, size) ?? null;
      if (!src) { this.memory.write(dstAddr, new Uint8Array(size)); return -ERRNO.EFAULT; }
      return this.memory.write(dstAddr, src.slice()) ? 0 : -ERRNO.EFAULT;
    },
    // the kfunc bpf_copy_from_user_task_str() (userKfuncs.ts)
    bpf_copy_from_user_task_str: (dstAddr: bigint, size: number, userAddr: bigint, task: bigint, flags: bigint): number =>
      copyFromUserTaskStr(this.memory, (at) => this.memory.read(at, 1) ?? this.tasks?.readUser(task, at, 1) ?? null, dstAddr, size, userAddr, flags),
    // mirrors bpf_get_task_stack(): the simulated machine records no kernel stacks, so no frame is copied (0 bytes)
    bpf_get_task_stack: (_task: bigint, _buf: bigint, size: number, flags: bigint): number => {
      if ((flags & ~0x3ffn & ~0x100n & ~0x800n) !== 0n) return -ERRNO.EINVAL;
      return size % 8 === 0 || size === 0 ? 0 : -ERRNO.EINVAL;
    },
    bpf_ktime_get_ns: (): bigint => this.ktimeGetNs(),
    // mirrors bpf_jiffies64() -> get_jiffies_64(): ticks of CONFIG_HZ since boot, counted from INITIAL_JIFFIES
    // ((unsigned long)(unsigned int)(-300 * HZ), so that 32-bit jiffies wrap five minutes after boot), on the same
    // monotonic clock as bpf_ktime_get_ns() (read, not advanced)
    bpf_jiffies64: (): bigint => BigInt.asUintN(32, BigInt(-300 * KERNEL_HZ)) + (this.ktime * BigInt(KERNEL_HZ)) / 1_000_000_000n,
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
    // mirrors bpf_probe_read_compat() / bpf_probe_read_compat_str(): on x86 the old helpers read kernel memory as
    // bpf_probe_read_kernel() and bpf_probe_read_kernel_str() do
    bpf_probe_read: (dstAddr: bigint, size: number, srcAddr: bigint): number => this.helpers.bpf_probe_read_kernel(dstAddr, size, srcAddr),
    bpf_probe_read_str: (dstAddr: bigint, size: number, srcAddr: bigint): number => this.helpers.bpf_probe_read_kernel_str(dstAddr, size, srcAddr),
    // mirrors bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME, which the simulated machine, never suspended, keeps equal to
    // CLOCK_MONOTONIC
    bpf_ktime_get_boot_ns: (): bigint => this.ktimeGetNs(),
    // mirrors bpf_get_numa_node_id(): the simulated machine has one NUMA node
    bpf_get_numa_node_id: (): number => 0,
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
    // mirrors bpf_task_storage_get() (kernel/bpf/bpf_task_storage.c): NULL for unknown flags or a NULL task, the
    // task's value, else with BPF_LOCAL_STORAGE_GET_F_CREATE a new one (zeroed, or a copy of value_size bytes of value)
    bpf_task_storage_get: (mapAddr: bigint, taskAddr: bigint, valueAddr: bigint, flags: bigint): bigint => {
      const map = this.mapsByAddr.get(mapAddr);
      if (!(map instanceof LocalStorageMap) || (flags & ~BPF_LOCAL_STORAGE_GET_F_CREATE) !== 0n || taskAddr === 0n) return 0n;
      const init = valueAddr !== 0n ? this.memory.read(valueAddr, map.valueSize) : null;
      if (valueAddr !== 0n && !init) return 0n;
      return map.ownerGet(taskAddr, init ? init.slice() : null, (flags & BPF_LOCAL_STORAGE_GET_F_CREATE) !== 0n);
    },
    // mirrors bpf_task_storage_delete(): -EINVAL for a NULL task, -ENOENT when it has no value in the map
    bpf_task_storage_delete: (mapAddr: bigint, taskAddr: bigint): number => {
      const map = this.mapsByAddr.get(mapAddr);
      if (!(map instanceof LocalStorageMap)) return -ERRNO.EINVAL;
      if (taskAddr === 0n) return -ERRNO.EINVAL;
      return map.ownerDelete(taskAddr);
    },
    // mirrors the kfunc bpf_rdonly_cast(): the verifier's view of the pointer changes, its value does not
    bpf_rdonly_cast: (obj: bigint): bigint => obj,
    // mirrors the kfunc bpf_task_acquire(): refcount_inc_not_zero() on a task the walk holds, so it always succeeds
    bpf_task_acquire: (taskAddr: bigint): bigint => taskAddr,
    // mirrors the kfunc bpf_task_release(): put_task_struct() of a reference the walk's own keeps alive
    bpf_task_release: (): number => 0,
    // mirrors the kfunc bpf_task_from_pid(): the task of that pid in the initial pid namespace with a reference, or NULL
    bpf_task_from_pid: (pid: bigint): bigint => this.tasks?.taskAddrByPid(Number(BigInt.asIntN(32, pid))) ?? 0n,
    // mirrors the kfunc bpf_cgroup_from_id(): cgroup_get_from_id() of the default hierarchy with a reference, or NULL
    bpf_cgroup_from_id: (id: bigint): bigint => this.cgroups?.byCgroupId(id)?.region.addr ?? 0n,
    // mirrors the kfunc bpf_cgroup_ancestor(): cgroup_ancestor() reads cgrp->ancestors[level] (NULL past cgrp->level or
    // below 0), with a reference (cgroup_tryget() of a live cgroup)
    bpf_cgroup_ancestor: (cgrpAddr: bigint, level: bigint): bigint => {
      const cgrp = this.cgroups?.byCssAddr(cgrpAddr);
      const lv = Number(BigInt.asIntN(32, level));
      if (!cgrp || lv < 0 || lv > cgrp.level) return 0n;
      let a: typeof cgrp | null = cgrp;
      while (a && a.level > lv) a = a.parent;
      return a?.region.addr ?? 0n;
    },
    // mirrors the kfunc bpf_cgroup_acquire(): cgroup_tryget() of a cgroup the walk holds, so it always succeeds
    bpf_cgroup_acquire: (cgrpAddr: bigint): bigint => cgrpAddr,
    // mirrors the kfunc bpf_cgroup_release(): cgroup_put() of a reference the hierarchy's own keeps alive
    bpf_cgroup_release: (): number => 0,
    // the read-side section is the verifier's concern: a simulated run has nothing to lock
    bpf_rcu_read_lock: (): number => 0,
    // mirrors bpf_spin_lock() / bpf_spin_unlock() (kernel/bpf/helpers.c): the simulated machine runs one program at a
    // time, so the lock in the map value is always free when taken; both return 0
    bpf_spin_lock: (): number => 0,
    bpf_spin_unlock: (): number => 0,
    bpf_rcu_read_unlock: (): number => 0,
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
    // mirrors bpf_find_vma() (kernel/bpf/task_iter.c): -EINVAL for flags, -ENOENT without an mm or a vma holding addr,
    // else the callback once with (task, vma, ctx) and 0 (the mmap lock is never contended here: no -EBUSY)
    bpf_find_vma: (taskAddr: bigint, addr: bigint, fnAddr: bigint, ctxAddr: bigint, flags: bigint, callback: CallbackInvoker): number => {
      if (flags !== 0n) return -ERRNO.EINVAL;
      const found = this.tasks?.vmaAt(taskAddr, addr);
      if (!found?.mm || found.vma === undefined) return -ERRNO.ENOENT;
      callback(fnAddr, [taskAddr, found.vma, ctxAddr, 0n, 0n]);
      return 0;
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
    // the open-coded kmem_cache iterator (kernel/bpf/kmem_cache_iter.c): struct bpf_iter_kmem_cache_kern { struct
    // kmem_cache *pos; }, KMEM_CACHE_POS_START after new(), NULL once drained; destroy() drops the last reference
    bpf_iter_kmem_cache_new: (itAddr: bigint): number => { this.writeU64(itAddr, KMEM_CACHE_POS_START); return 0; },
    bpf_iter_kmem_cache_next: (itAddr: bigint): bigint => {
      const raw = this.memory.read(itAddr, 8);
      const prev = raw ? new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true) : 0n;
      if (prev === 0n) return 0n;
      const next = kmemCacheNext(this as unknown as Kernel, prev);
      this.writeU64(itAddr, next);
      return next;
    },
    bpf_iter_kmem_cache_destroy: (itAddr: bigint): number => {
      const raw = this.memory.read(itAddr, 8);
      const pos = raw ? new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true) : 0n;
      if (pos !== 0n && pos !== KMEM_CACHE_POS_START) kmemCachePut(this as unknown as Kernel, pos);
      return 0;
    },
    // the open-coded bits iterator (userKfuncs.ts)
    bpf_iter_bits_new: (itAddr: bigint, ptr: bigint, nrWords: bigint): number => bitsIterNew(this.memory, itAddr, ptr, nrWords),
    bpf_iter_bits_next: (itAddr: bigint): bigint => bitsIterNext(this.memory, itAddr),
    bpf_iter_bits_destroy: (): number => 0,
    // mirrors the kfunc bpf_iter_task_new() (kernel/bpf/task_iter.c): pos cleared first; BPF_TASK_ITER_PROC_THREADS
    // walks `task`'s threads from it, the others every task from init_task; other flags, or no task: -EINVAL
    bpf_iter_task_new: (itAddr: bigint, task: bigint, flags: bigint): number => {
      const f = Number(BigInt.asUintN(32, flags));
      this.writeIterTask(itAddr, 0n, 0n, 0);
      if (f > BPF_TASK_ITER_PROC_THREADS || (f === BPF_TASK_ITER_PROC_THREADS && task === 0n)) return -ERRNO.EINVAL;
      const start = f === BPF_TASK_ITER_PROC_THREADS ? task : this.tasks?.initTask.addr ?? 0n;
      this.writeIterTask(itAddr, start, start, f);
      return 0;
    },
    // mirrors the kfunc bpf_iter_task_next(): returns pos, and moves it to the next thread (__next_thread()) or, past
    // a process's last thread (at once for ALL_PROCS), to the next process (next_task()) until init_task comes back
    bpf_iter_task_next: (itAddr: bigint): bigint => {
      const raw = this.memory.read(itAddr, 24);
      if (!raw) return 0n;
      const v = new DataView(raw.buffer, raw.byteOffset, 24);
      let task = v.getBigUint64(0, true);
      const pos = v.getBigUint64(8, true), flags = v.getUint32(16, true);
      if (pos === 0n || !this.tasks) return pos;
      if (flags !== BPF_TASK_ITER_ALL_PROCS) {
        const thread = this.tasks.nextThread(pos);
        if (thread !== 0n || flags === BPF_TASK_ITER_PROC_THREADS) { this.writeIterTask(itAddr, task, thread, flags); return pos; }
      }
      task = this.tasks.nextTask(task);
      this.writeIterTask(itAddr, task, task === this.tasks.initTask.addr ? 0n : task, flags);
      return pos;
    },
    // mirrors the kfunc bpf_iter_task_destroy(): nothing to release
    bpf_iter_task_destroy: (): number => 0,
    // mirrors the kfunc bpf_iter_task_vma_new(): kit->data (task, where the walk stands) from the kernel's allocator;
    // -ENOENT without an mm (the lock is never contended here: no -EBUSY); a failed new() leaves data NULL
    bpf_iter_task_vma_new: (itAddr: bigint, task: bigint, addr: bigint): number => {
      this.writeU64(itAddr, 0n);
      if (!this.tasks?.vmaAfter(task, 0n).mm) return -ERRNO.ENOENT;
      const data = this.memory.alloc(16, 'struct bpf_iter_task_vma_kern_data');
      data.view.setBigUint64(0, task, true);
      data.view.setBigUint64(8, BigInt.asUintN(64, addr), true);
      this.writeU64(itAddr, data.addr);
      return 0;
    },
    // mirrors the kfunc bpf_iter_task_vma_next(): vma_next() from where the walk stands, NULL when none is left
    bpf_iter_task_vma_next: (itAddr: bigint): bigint => {
      const data = this.openIterData(itAddr);
      if (!data) return 0n;
      const found = this.tasks?.vmaAfter(data.view.getBigUint64(0, true), data.view.getBigUint64(8, true)).vma;
      if (!found) return 0n;
      data.view.setBigUint64(8, found.end, true);
      return found.addr;
    },
    // mirrors the kfunc bpf_iter_task_vma_destroy(): unlock, put the task, free kit->data
    bpf_iter_task_vma_destroy: (itAddr: bigint): number => {
      const data = this.openIterData(itAddr);
      if (data) this.memory.free(data);
      this.writeU64(itAddr, 0n);
      return 0;
    },
    // mirrors the kfunc bpf_iter_css_new(): start cleared first; only the three walk orders are taken
    bpf_iter_css_new: (itAddr: bigint, start: bigint, flags: bigint): number => {
      const f = Number(BigInt.asUintN(32, flags));
      this.writeIterTask(itAddr, 0n, 0n, 0);
      if (f !== CGROUP_ITER_ORDER.descendants_pre && f !== CGROUP_ITER_ORDER.descendants_post && f !== CGROUP_ITER_ORDER.ancestors_up) return -ERRNO.EINVAL;
      this.writeIterTask(itAddr, start, 0n, f);
      return 0;
    },
    // mirrors the kfunc bpf_iter_css_next(): css_next_descendant_pre()/post() below start, or up the parents
    bpf_iter_css_next: (itAddr: bigint): bigint => {
      const raw = this.memory.read(itAddr, 24);
      if (!raw) return 0n;
      const v = new DataView(raw.buffer, raw.byteOffset, 24);
      const start = v.getBigUint64(0, true), pos = v.getBigUint64(8, true), flags = v.getUint32(16, true);
      const cgroups = this.cgroups;
      const root = start === 0n ? undefined : cgroups?.byCssAddr(start);
      if (!cgroups || !root) return 0n;
      const at = pos === 0n ? null : cgroups.byCssAddr(pos) ?? null;
      const next = flags === CGROUP_ITER_ORDER.descendants_pre ? nextDescendantPre(at, root)
        : flags === CGROUP_ITER_ORDER.descendants_post ? nextDescendantPost(at, root)
          : at ? at.parent : root;
      const nextAddr = next ? next.region.addr : 0n;
      this.writeIterTask(itAddr, start, nextAddr, flags);
      return nextAddr;
    },
    // mirrors the kfunc bpf_iter_css_destroy(): nothing to release
    bpf_iter_css_destroy: (): number => 0,
    // mirrors the kfunc bpf_iter_css_task_new(): flags 0, PROCS (1), PROCS | THREADED (3), else -EINVAL (measured: 2 is
    // -22); kit->css_it holds the css, the flags and how far the walk went
    bpf_iter_css_task_new: (itAddr: bigint, css: bigint, flags: bigint): number => {
      const f = BigInt.asUintN(32, flags);
      this.writeU64(itAddr, 0n);
      if (f !== 0n && f !== CSS_TASK_ITER_PROCS && f !== (CSS_TASK_ITER_PROCS | CSS_TASK_ITER_THREADED)) return -ERRNO.EINVAL;
      const data = this.memory.alloc(24, 'struct css_task_iter');
      data.view.setBigUint64(0, css, true); data.view.setBigUint64(8, f, true);
      this.writeU64(itAddr, data.addr);
      return 0;
    },
    // mirrors the kfunc bpf_iter_css_task_next(): the cgroup's next task, NULL at the end or after a failed new()
    bpf_iter_css_task_next: (itAddr: bigint): bigint => {
      const data = this.openIterData(itAddr);
      if (!data) return 0n;
      const cgroup = this.cgroups?.byCssAddr(data.view.getBigUint64(0, true));
      const procs = (data.view.getBigUint64(8, true) & CSS_TASK_ITER_PROCS) !== 0n, at = Number(data.view.getBigUint64(16, true));
      const next = cgroup && this.tasks ? this.tasks.cgroupTaskList(cgroup.region.addr, procs)[at] : undefined;
      if (next === undefined) return 0n;
      data.view.setBigUint64(16, BigInt(at + 1), true);
      return next;
    },
    // mirrors the kfunc bpf_iter_css_task_destroy(): css_task_iter_end() and kit->css_it freed
    bpf_iter_css_task_destroy: (itAddr: bigint): number => {
      const data = this.openIterData(itAddr);
      if (data) this.memory.free(data);
      this.writeU64(itAddr, 0n);
      return 0;
    },
    // the socket casts and bpf_sock_destroy() (kernel/net/helpers.ts)
    bpf_skc_to_tcp_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_tcp_sock(this.net, sk),
    bpf_skc_to_tcp6_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_tcp6_sock(this.net, sk),
    bpf_skc_to_udp6_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_udp6_sock(this.net, sk),
    bpf_skc_to_tcp_timewait_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_tcp_timewait_sock(this.net, sk),
    bpf_skc_to_tcp_request_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_tcp_request_sock(this.net, sk),
    bpf_skc_to_unix_sock: (sk: bigint): bigint => SOCKET_CASTS.bpf_skc_to_unix_sock(this.net, sk),
    bpf_sock_destroy: (sk: bigint): number => sockDestroy(this.net, sk),
    // mirrors bpf_sk_storage_get_tracing() / bpf_sk_storage_delete_tracing() (net/core/bpf_sk_storage.c)
    bpf_sk_storage_get: (mapAddr: bigint, sk: bigint, valueAddr: bigint, flags: bigint): bigint => {
      const map = this.mapsByAddr.get(mapAddr);
      if (!map) return 0n;
      const init = valueAddr !== 0n ? this.memory.read(valueAddr, map.valueSize) : null;
      if (valueAddr !== 0n && !init) return 0n;
      return skStorageGetFromProg(this as unknown as Kernel, map, sk, init ? init.slice() : null, flags);
    },
    bpf_sk_storage_delete: (mapAddr: bigint, sk: bigint): number => {
      const map = this.mapsByAddr.get(mapAddr);
      return map ? skStorageDeleteFromProg(this as unknown as Kernel, map, sk) : -ERRNO.EINVAL;
    },
    // mirrors bpf_get_socket_ptr_cookie(): 0 for NULL, else sk->__sk_common.skc_cookie (__sock_gen_cookie(): the
    // simulated sockets get theirs when the namespace is built, in creation order, where the kernel takes the next
    // value of a global counter the first time one is asked)
    bpf_get_socket_cookie: (sk: bigint): bigint => {
      if (sk === 0n) return 0n;
      const raw = this.memory.read(sk + SKC_COOKIE_OFFSET, 8);
      return raw ? new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true) : 0n;
    },
    // mirrors bpf_sock_from_file() -> sock_from_file(): file->private_data, the struct socket, when file->f_op is
    // socket_file_ops, else NULL. A task's file `socket:[ino]` is the socket of that inode in the reader's network
    // namespace; a socket file the namespace does not have (another namespace's) gives NULL here.
    bpf_sock_from_file: (fileAddr: bigint): bigint => {
      const path = this.tasks?.pathAt(fileAddr + FILE_F_PATH_OFFSET);
      const ino = path === undefined ? undefined : /^socket:\[(\d+)\]$/.exec(path)?.[1];
      return ino === undefined || !this.net ? 0n : this.net.socketByInode(Number(ino));
    },
  };
}

/** CSS_TASK_ITER_PROCS and CSS_TASK_ITER_THREADED (include/linux/cgroup.h), the flags of bpf_iter_css_task_new() */
const CSS_TASK_ITER_PROCS = 1n, CSS_TASK_ITER_THREADED = 2n;
/** the flags of bpf_iter_task_new() (kernel/bpf/task_iter.c's enum) */
const BPF_TASK_ITER_ALL_PROCS = 0;
const BPF_TASK_ITER_PROC_THREADS = 2;
/** offsetof(struct file, f_path): the key of SimulatedTasks.pathAt() */
const FILE_F_PATH_OFFSET = BigInt(kernelBtf.file.fields.find((f) => f.name === 'f_path')!.offset);

/** offsetof(struct sock_common, skc_cookie) */
const SKC_COOKIE_OFFSET = BigInt(NET_BTF_STRUCTS.sock_common.fields.find((f) => f.name === 'skc_cookie')!.offset);

/** BPF_LOCAL_STORAGE_GET_F_CREATE of uapi bpf.h */
const BPF_LOCAL_STORAGE_GET_F_CREATE = 1n;

/** BPF_MAX_LOOPS: the bound of bpf_loop() and of a numbers iterator's range */
const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/** The simulated trace buffer keeps this many messages of one run (the real one is a ring that overwrites). */
const MAX_TRACE_LOG_LINES = 10_000;

/** How a helper calls the program back: the callback's address and its u64 arguments R1-R5; returns R0. */
export type CallbackInvoker = (fnAddr: bigint, args: bigint[]) => bigint;

/** Helper size arguments are u32 in the kernel; anything else would be a verifier bug, answered with -EINVAL. */
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

function validSize(n: number): boolean { return Number.isInteger(n) && n >= 0 && n <= 0xffffffff && n < (1 << 30); }
