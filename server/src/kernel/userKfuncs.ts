/**
 * Two kfuncs of kernel/bpf/helpers.c that work on memory the program names by address: bpf_copy_from_user_task_str()
 * (a task's user string) and the open-coded bits iterator (bpf_iter_bits_new/next/destroy over words it copies).
 */
import { ERRNO } from './errno';
import type { KernelMemory } from './memory';

/**
 * mirrors the kfunc bpf_copy_from_user_task_str() -> copy_remote_vm_str(): the NUL-terminated string at the task's
 * user address, cut to dst__sz - 1 bytes and always terminated; the string's length plus one, 0 for an empty dst,
 * -EINVAL for a flag but BPF_F_PAD_ZEROS, which zeroes the rest of dst (all of it after a fault: -EFAULT). Measured on
 * 6.18: "B=hello" into 4 bytes is "B=h" and 4, into 16 bytes 8. `readUser` reads one byte of the task's memory.
 */
export function copyFromUserTaskStr(memory: KernelMemory, readUser: (addr: bigint) => Uint8Array | null, dstAddr: bigint, size: number, userAddr: bigint, flags: bigint): number {
  if ((flags & ~1n) !== 0n) return -ERRNO.EINVAL;
  if (size === 0) return 0;
  const pad = (flags & 1n) !== 0n;
  const out = new Uint8Array(size);
  let n = 0;
  for (; n < size - 1; n++) {
    const b = readUser(userAddr + BigInt(n));
    if (!b) {
      // copy_remote_vm_str() ends the string at the fault and returns -EFAULT; BPF_F_PAD_ZEROS then zeroes all of dst
      memory.write(dstAddr, pad ? new Uint8Array(size) : out.subarray(0, n + 1));
      return -ERRNO.EFAULT;
    }
    if (b[0] === 0) break;
    out[n] = b[0];
  }
  memory.write(dstAddr, pad ? out : out.subarray(0, n + 1));
  return n + 1;
}

/** struct bpf_iter_bits_kern { union { u64 *bits; u64 bits_copy; }; int nr_bits; int bit; } (16 bytes) */
function writeIterBits(memory: KernelMemory, itAddr: bigint, word: bigint, nrBits: number, bit: number): void {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt.asUintN(64, word), true);
  v.setInt32(8, nrBits, true);
  v.setInt32(12, bit, true);
  memory.write(itAddr, b);
}

/**
 * mirrors the kfunc bpf_iter_bits_new(): one word is copied into the iterator (bits_copy), more into memory of their
 * own (bpf_mem_alloc()); bit starts at -1. -EINVAL for a NULL pointer or no words, -E2BIG past 511 words
 * (BITS_ITER_NR_WORDS_MAX), -EFAULT when the words cannot be read (bpf_probe_read_kernel_common()).
 */
export function bitsIterNew(memory: KernelMemory, itAddr: bigint, ptr: bigint, nrWords: bigint): number {
  const words = Number(BigInt.asUintN(32, nrWords));
  writeIterBits(memory, itAddr, 0n, 0, -1);
  if (ptr === 0n || words === 0) return -ERRNO.EINVAL;
  if (words > 511) return -ERRNO.E2BIG;
  const src = memory.read(ptr, words * 8);
  if (!src) return -ERRNO.EFAULT;
  if (words === 1) { writeIterBits(memory, itAddr, new DataView(src.buffer, src.byteOffset, 8).getBigUint64(0, true), 64, -1); return 0; }
  const copy = memory.alloc(words * 8, 'bpf_iter_bits words (bpf_mem_alloc)', true);
  copy.bytes.set(src);
  writeIterBits(memory, itAddr, copy.addr, words * 64, -1);
  return 0;
}

/** mirrors the kfunc bpf_iter_bits_next(): find_next_bit() after bit; a pointer to bit, or NULL once past nr_bits */
export function bitsIterNext(memory: KernelMemory, itAddr: bigint): bigint {
  const raw = memory.read(itAddr, 16);
  if (!raw) return 0n;
  const v = new DataView(raw.buffer, raw.byteOffset, 16);
  const word0 = v.getBigUint64(0, true), nrBits = v.getInt32(8, true), bit = v.getInt32(12, true);
  if (nrBits === 0 || bit >= nrBits) return 0n;
  const words = nrBits === 64 ? null : memory.read(word0, nrBits / 8);
  const isSet = (i: number): boolean => {
    const w = words ? new DataView(words.buffer, words.byteOffset).getBigUint64(8 * (i >> 6), true) : word0;
    return ((w >> BigInt(i & 63)) & 1n) === 1n;
  };
  let next = bit + 1;
  while (next < nrBits && !isSet(next)) next++;
  writeIterBits(memory, itAddr, word0, nrBits, next);
  return next >= nrBits ? 0n : itAddr + 12n;
}
