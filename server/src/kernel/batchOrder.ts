/**
 * The order in which HashMap.updateBatch() (maps.ts) inserts a window of a batch into a big map. In the order the
 * records come, slots (so keys, values and links) are handed out in that order, and a walk in bucket order
 * (bpf_hash_map_seq_find_next(), htab_map_get_next_key()) reads them at random: in a map of millions, a cache miss on
 * each element's link, key and value. Sorted by groups of neighbouring buckets, a window's elements of neighbouring
 * buckets sit side by side, and a walk reads each cache line of them once.
 *
 * The map is the same either way: records of one bucket keep their order (so do repeated keys), so every chain comes
 * out the same, and a window is sorted only when it fits in the free slots, so no insert fails and E2BIG cannot
 * depend on the order. Only which slot an element takes differs, which is the simulator's choice: the kernel's
 * elements come from its per-CPU freelist.
 */
import { htabMapHash, jhashWord } from './jhash';

/** Records of a batch ordered at a time: a window's keys and values stay in the cache (the loader's chunk size). */
export const BATCH_WINDOW = 8192;
/** Buckets a map needs before its batches are sorted: below, its arrays stay in the CPU's caches anyway. */
const GROUPED_INSERT_MIN_BUCKETS = 65536;
/** Groups of neighbouring buckets a window is sorted into: a full window has 4 records a group. */
const BUCKET_GROUP_BITS = 11;

// scratch shared by every map (a batch never runs inside another): each record's hash, the order, the group starts
let hashes = new Int32Array(0);
let order = new Int32Array(0);
const groupStarts = new Int32Array((1 << BUCKET_GROUP_BITS) + 1);

/** The hashes windowInsertOrder() computed, by record offset in the window (valid until the next call). */
export function windowHashes(): Int32Array { return hashes; }

/**
 * Records w..w+wn-1 of a batch (keys at keyAt + i * keyStride) in the order they are to be inserted, as offsets from
 * w: stably sorted by the top BUCKET_GROUP_BITS bits of their bucket; or null: in batch order, for a small map or a
 * window that may not fit in the `freeSlots` left.
 */
export function windowInsertOrder(keys: Uint8Array, keyAt: number, keyStride: number, w: number, wn: number,
  keySize: number, hashrnd: number, nBuckets: number, freeSlots: number): Int32Array | null {
  if (nBuckets < GROUPED_INSERT_MIN_BUCKETS || wn < 2 || freeSlots < wn) return null;
  if (hashes.length < wn) { hashes = new Int32Array(wn); order = new Int32Array(wn); }
  const mask = nBuckets - 1, groupShift = Math.max(0, Math.log2(nBuckets) - BUCKET_GROUP_BITS);
  const wordKey = keySize === 4;
  groupStarts.fill(0);
  for (let j = 0; j < wn; j++) {
    const k = keyAt + (w + j) * keyStride;
    const hash = wordKey ? jhashWord(keys[k] | (keys[k + 1] << 8) | (keys[k + 2] << 16) | (keys[k + 3] << 24), hashrnd) : htabMapHash(keys, keySize, hashrnd, k);
    hashes[j] = hash;
    groupStarts[((hash & mask) >>> groupShift) + 1]++;
  }
  for (let g = 1; g < groupStarts.length; g++) groupStarts[g] += groupStarts[g - 1];
  for (let j = 0; j < wn; j++) order[groupStarts[(hashes[j] & mask) >>> groupShift]++] = j;
  return order;
}
