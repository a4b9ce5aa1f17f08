// mirrors include/linux/jhash.h (Bob Jenkins' lookup3, as used by hashtab.c's htab_map_hash())
const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

/** One mixing state; a, b, c are u32. */
interface Abc { a: number; b: number; c: number }

function jhashMix(s: Abc): void {
  s.a = (s.a - s.c) >>> 0; s.a = (s.a ^ rol32(s.c, 4)) >>> 0; s.c = (s.c + s.b) >>> 0;
  s.b = (s.b - s.a) >>> 0; s.b = (s.b ^ rol32(s.a, 6)) >>> 0; s.a = (s.a + s.c) >>> 0;
  s.c = (s.c - s.b) >>> 0; s.c = (s.c ^ rol32(s.b, 8)) >>> 0; s.b = (s.b + s.a) >>> 0;
  s.a = (s.a - s.c) >>> 0; s.a = (s.a ^ rol32(s.c, 16)) >>> 0; s.c = (s.c + s.b) >>> 0;
  s.b = (s.b - s.a) >>> 0; s.b = (s.b ^ rol32(s.a, 19)) >>> 0; s.a = (s.a + s.c) >>> 0;
  s.c = (s.c - s.b) >>> 0; s.c = (s.c ^ rol32(s.b, 4)) >>> 0; s.b = (s.b + s.a) >>> 0;
}

function jhashFinal(s: Abc): void {
  s.c = (s.c ^ s.b) >>> 0; s.c = (s.c - rol32(s.b, 14)) >>> 0;
  s.a = (s.a ^ s.c) >>> 0; s.a = (s.a - rol32(s.c, 11)) >>> 0;
  s.b = (s.b ^ s.a) >>> 0; s.b = (s.b - rol32(s.a, 25)) >>> 0;
  s.c = (s.c ^ s.b) >>> 0; s.c = (s.c - rol32(s.b, 16)) >>> 0;
  s.a = (s.a ^ s.c) >>> 0; s.a = (s.a - rol32(s.c, 4)) >>> 0;
  s.b = (s.b ^ s.a) >>> 0; s.b = (s.b - rol32(s.a, 14)) >>> 0;
  s.c = (s.c ^ s.b) >>> 0; s.c = (s.c - rol32(s.b, 24)) >>> 0;
}

function u32le(k: Uint8Array, i: number): number {
  return (k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24)) >>> 0;
}

/** mirrors jhash(): arbitrary byte keys. The kernel reads u32 words in native (little-endian) order. */
export function jhash(key: Uint8Array, initval: number): number {
  let length = key.length;
  const s: Abc = { a: 0, b: 0, c: 0 };
  s.a = s.b = s.c = (JHASH_INITVAL + length + initval) >>> 0;
  let i = 0;
  while (length > 12) {
    s.a = (s.a + u32le(key, i)) >>> 0; s.b = (s.b + u32le(key, i + 4)) >>> 0; s.c = (s.c + u32le(key, i + 8)) >>> 0;
    jhashMix(s);
    length -= 12; i += 12;
  }
  // the kernel's fall-through switch over the 1..12 tail bytes, written as cumulative adds
  if (length > 0) {
    for (let t = length - 1; t >= 0; t--) {
      const add = (key[i + t] << ((t % 4) * 8)) >>> 0;
      if (t >= 8) s.c = (s.c + add) >>> 0; else if (t >= 4) s.b = (s.b + add) >>> 0; else s.a = (s.a + add) >>> 0;
    }
    jhashFinal(s);
  }
  return s.c;
}

/** mirrors jhash2(): keys that are whole u32 words (length counted in words). */
export function jhash2(key: Uint8Array, words: number, initval: number): number {
  let length = words;
  const s: Abc = { a: 0, b: 0, c: 0 };
  s.a = s.b = s.c = (JHASH_INITVAL + ((length << 2) >>> 0) + initval) >>> 0;
  let i = 0;
  while (length > 3) {
    s.a = (s.a + u32le(key, i)) >>> 0; s.b = (s.b + u32le(key, i + 4)) >>> 0; s.c = (s.c + u32le(key, i + 8)) >>> 0;
    jhashMix(s);
    length -= 3; i += 12;
  }
  if (length > 0) {
    // the kernel's fall-through switch over the last 1..3 words
    if (length >= 3) s.c = (s.c + u32le(key, i + 8)) >>> 0;
    if (length >= 2) s.b = (s.b + u32le(key, i + 4)) >>> 0;
    s.a = (s.a + u32le(key, i)) >>> 0;
    jhashFinal(s);
  }
  return s.c;
}

/** mirrors htab_map_hash() */
export function htabMapHash(key: Uint8Array, keySize: number, hashrnd: number): number {
  return keySize % 4 === 0 ? jhash2(key, keySize / 4, hashrnd) : jhash(key.subarray(0, keySize), hashrnd);
}
