// mirrors include/linux/jhash.h (Bob Jenkins' lookup3, as used by hashtab.c's htab_map_hash())
// The state (a, b, c) lives in three u32 locals, mixed in place: no object per hash, since a bulk insert of a
// million keys hashes a million times.
const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

function u32le(k: Uint8Array, i: number): number {
  return (k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24)) >>> 0;
}

/** __jhash_final(a, b, c), returning c */
function jhashFinal(a: number, b: number, c: number): number {
  c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  return c;
}

/** The 12-byte blocks before the tail, each added and mixed (__jhash_mix); leaves a, b, c in ABC. */
function jhashBlocks(key: Uint8Array, at: number, blocks: number, a: number, b: number, c: number): void {
  let i = at;
  for (let n = 0; n < blocks; n++, i += 12) {
    a = (a + u32le(key, i)) >>> 0; b = (b + u32le(key, i + 4)) >>> 0; c = (c + u32le(key, i + 8)) >>> 0;
    // __jhash_mix
    a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
  }
  ABC[0] = a; ABC[1] = b; ABC[2] = c;
}
/** the a, b, c a tail adds to (one shared scratch array: hashing is synchronous) */
const ABC = new Uint32Array(3);

/** mirrors jhash(): arbitrary byte keys. The kernel reads u32 words in native (little-endian) order. */
export function jhash(key: Uint8Array, initval: number, at = 0, length = key.length - at): number {
  const init = (JHASH_INITVAL + length + initval) >>> 0;
  const blocks = length > 12 ? Math.floor((length - 1) / 12) : 0;
  const rest = length - blocks * 12;
  // the kernel's fall-through switch over the 1..12 tail bytes, written as cumulative adds
  jhashBlocks(key, at, blocks, init, init, init);
  if (rest === 0) return ABC[2];
  const i = at + blocks * 12;
  for (let t = rest - 1; t >= 0; t--) {
    const slot = t >= 8 ? 2 : t >= 4 ? 1 : 0;
    ABC[slot] = (ABC[slot] + ((key[i + t] << ((t % 4) * 8)) >>> 0)) >>> 0;
  }
  return jhashFinal(ABC[0], ABC[1], ABC[2]);
}

/** mirrors jhash2(): keys that are whole u32 words (length counted in words), read from `at`. */
export function jhash2(key: Uint8Array, words: number, initval: number, at = 0): number {
  const init = (JHASH_INITVAL + ((words << 2) >>> 0) + initval) >>> 0;
  if (words === 1) {
    // the one-word key of most maps: the switch's case 1 straight to __jhash_final
    return jhashFinal((init + u32le(key, at)) >>> 0, init, init);
  }
  const blocks = words > 3 ? Math.floor((words - 1) / 3) : 0;
  const rest = words - blocks * 3;
  jhashBlocks(key, at, blocks, init, init, init);
  if (rest === 0) return ABC[2];
  const i = at + blocks * 12;
  // the kernel's fall-through switch over the last 1..3 words
  if (rest >= 3) ABC[2] = (ABC[2] + u32le(key, i + 8)) >>> 0;
  if (rest >= 2) ABC[1] = (ABC[1] + u32le(key, i + 4)) >>> 0;
  ABC[0] = (ABC[0] + u32le(key, i)) >>> 0;
  return jhashFinal(ABC[0], ABC[1], ABC[2]);
}

/**
 * jhash2() of a one-word key (the 4-byte key of most maps) given as that word, in int32 arithmetic: small enough
 * for a bulk insert's loop to inline (the same bits as jhash2(key, 1, initval)).
 */
export function jhashWord(word: number, initval: number): number {
  const init = (JHASH_INITVAL + 4 + initval) | 0;
  let a = (init + word) | 0, b = init, c = init;
  // __jhash_final
  c ^= b; c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c; a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a; b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b; c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c; a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a; b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b; c = (c - ((b << 24) | (b >>> 8))) | 0;
  return c >>> 0;
}

/** mirrors htab_map_hash(); the key is `keySize` bytes of `key` from `at` */
export function htabMapHash(key: Uint8Array, keySize: number, hashrnd: number, at = 0): number {
  if (keySize === 4) return jhashWord(key[at] | (key[at + 1] << 8) | (key[at + 2] << 16) | (key[at + 3] << 24), hashrnd);
  return keySize % 4 === 0 ? jhash2(key, keySize / 4, hashrnd, at) : jhash(key, hashrnd, at, keySize);
}
