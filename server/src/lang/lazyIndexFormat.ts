/**
 * The stored form of a lazy header index (lazyHeader.ts), as the on-disk cache keeps it between processes: one
 * binary file that the next start reads without parsing. JSON of arrays cost about 25 ms of every start (parse,
 * then Maps of 32,000 names, then a Set-like of 60,000 identifiers); here the numbers are typed-array views of
 * the file, and the name tables answer by binary search over names stored sorted, built on nothing.
 *
 * Layout (u32 words in the machine's order): magic, format version, index version, text length, payload length, then
 * the payload's SHA-256 (8 words) and the header's content hash (8 words); then the sections, each a u32 byte length
 * followed by its bytes padded to 4. A file whose magic (so byte order), versions, text length, hash or checksum
 * differ, or whose sections do not fit, is refused: the index is built again. The checksum is what finds a damaged
 * entry: the entries are not checked one by one (a loop over 16,000 declarations and 32,000 names was a few ms of
 * every start, for what the checksum already vouches for).
 */
import { createHash } from 'crypto';

const MAGIC = 0x42494c58; // 'XLIB' in memory on a little-endian machine; another byte order reads another number
const FORMAT_VERSION = 3;
const HEADER_WORDS = 5 + 8 + 8;

/** The parts of an index that are stored (lazyHeader.ts turns them into a `LazyHeaderIndex`). */
export interface StoredIndexParts {
  guard?: string;
  declarations: Int32Array;
  directiveLines: readonly number[];
  /** Tag names in the table's order and the declaration of each. */
  tags: ReadonlyArray<readonly [string, number]>;
  symbols: ReadonlyArray<readonly [string, number]>;
  typedefNames: readonly string[];
  identifiers: Iterable<string>;
  alwaysExpanded: readonly number[];
}

/** A name -> declaration table read from a stored index (the Map it was made from, without building one). */
export interface IndexNameTable {
  get(name: string): number | undefined;
  keys(): IterableIterator<string>;
  readonly size: number;
}

export interface LoadedIndexParts {
  guard?: string;
  declarations: Int32Array;
  directiveLines: number[];
  tags: IndexNameTable;
  symbols: IndexNameTable;
  typedefNames: Set<string>;
  alwaysExpanded: number[];
  /** May the identifier be in the header? false: it is not; true: it may be (a 32-bit hash of it is). */
  mayHaveIdentifier(name: string): boolean;
}

/** FNV-1a over the UTF-16 code units: the identifiers' hashes, stored sorted. */
export function identifierHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function encodeIndex(parts: StoredIndexParts, indexVersion: number, hash: string, textLength: number): Uint8Array {
  const encoder = new TextEncoder();
  const sections: Uint8Array[] = [];
  const addBytes = (bytes: Uint8Array) => sections.push(bytes);
  const addInts = (values: ArrayLike<number>) => addBytes(new Uint8Array(Int32Array.from(values as ArrayLike<number>).buffer));
  const addTable = (entries: ReadonlyArray<readonly [string, number]> | readonly string[], withValues: boolean) => {
    const names = entries.map((entry) => (typeof entry === 'string' ? entry : entry[0]));
    addBytes(encoder.encode(names.join(' ')));
    const starts: number[] = [];
    let offset = 0;
    for (const name of names) { starts.push(offset); offset += name.length + 1; }
    addInts(starts);
    const order = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
    addInts(order);
    if (withValues) addInts((entries as ReadonlyArray<readonly [string, number]>).map((entry) => entry[1]));
  };
  addBytes(encoder.encode(parts.guard ?? ''));
  addInts([parts.guard === undefined ? 0 : 1]);
  addInts(parts.declarations);
  addInts(parts.directiveLines);
  addTable(parts.tags, true);
  addTable(parts.symbols, true);
  addTable(parts.typedefNames, false);
  const hashes = new Uint32Array([...parts.identifiers].map(identifierHash)).sort();
  addBytes(new Uint8Array(hashes.buffer));
  addInts(parts.alwaysExpanded);
  let payloadLength = 0;
  for (const s of sections) payloadLength += 4 + align4(s.length);
  const out = new Uint8Array(HEADER_WORDS * 4 + payloadLength);
  const words = new Uint32Array(out.buffer, 0, HEADER_WORDS);
  let at = HEADER_WORDS * 4;
  for (const s of sections) {
    new DataView(out.buffer).setUint32(at, s.length, true);
    out.set(s, at + 4);
    at += 4 + align4(s.length);
  }
  words.set([MAGIC, FORMAT_VERSION, indexVersion, textLength, payloadLength]);
  words.set(hexWords(sha256(out.subarray(HEADER_WORDS * 4))), 5);
  words.set(hexWords(hash), 13);
  return out;
}

/** The stored parts, or undefined when the file is not one this version wrote for this text (any damage). */
export function decodeIndex(data: Uint8Array, indexVersion: number, hash: string, textLength: number): LoadedIndexParts | undefined {
  if (data.length < HEADER_WORDS * 4) return undefined;
  // typed-array views need 4-byte alignment: a file read into a pooled buffer may start anywhere
  const bytes = data.byteOffset % 4 === 0 ? data : data.slice();
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS);
  if (words[0] !== MAGIC || words[1] !== FORMAT_VERSION || words[2] !== indexVersion || words[3] !== textLength) return undefined;
  if (words[4] !== bytes.length - HEADER_WORDS * 4) return undefined;
  if (!sameWords(words.subarray(13, 21), hexWords(hash))) return undefined;
  const payload = bytes.subarray(HEADER_WORDS * 4);
  if (!sameWords(words.subarray(5, 13), hexWords(sha256(payload)))) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
  let at = 0;
  const next = (): Uint8Array => {
    if (at + 4 > payload.length) throw new RangeError('truncated');
    const length = view.getUint32(at, true);
    if (at + 4 + length > payload.length) throw new RangeError('truncated');
    const section = payload.subarray(at + 4, at + 4 + length);
    at += 4 + align4(length);
    return section;
  };
  const ints = (section: Uint8Array) => new Int32Array(section.buffer, section.byteOffset, section.length >> 2);
  const decoder = new TextDecoder();
  try {
    const guardText = decoder.decode(next());
    const guard = ints(next())[0] === 1 ? guardText : undefined;
    const declarations = ints(next());
    const directiveLines = [...ints(next())];
    if (declarations.length % 3 !== 0 || (declarations.length > 0 && declarations[declarations.length - 2] > textLength)) return undefined;
    if (!directiveLines.every((n) => n >= 0 && n <= textLength)) return undefined;
    const count = declarations.length / 3;
    const tags = nameTable(decoder.decode(next()), ints(next()), ints(next()), ints(next()), count);
    const symbols = nameTable(decoder.decode(next()), ints(next()), ints(next()), ints(next()), count);
    const typedefText = decoder.decode(next());
    next(); // the typedef names' starts and order: a Set is built from them (a few thousand)
    next();
    const typedefNames = new Set(typedefText === '' ? [] : typedefText.split(' '));
    const hashSection = next();
    const hashes = new Uint32Array(hashSection.buffer, hashSection.byteOffset, hashSection.length >> 2);
    const alwaysExpanded = [...ints(next())];
    if (!tags || !symbols || at !== payload.length || !alwaysExpanded.every((d) => d >= 0 && d < count)) return undefined;
    return { guard, declarations, directiveLines, tags, symbols, typedefNames, alwaysExpanded, mayHaveIdentifier: (name) => hasWord(hashes, identifierHash(name)) };
  } catch {
    return undefined;
  }
}

/**
 * A table over names joined by spaces, `starts[i]` where name i starts: `order` lists them sorted (binary search),
 * `values` the declaration of each. The sizes are checked; the entries are what the checksum vouched for.
 */
function nameTable(joined: string, starts: Int32Array, order: Int32Array, values: Int32Array, declarationCount: number): IndexNameTable | undefined {
  const size = starts.length;
  if (order.length !== size || values.length !== size || (size === 0) !== (joined === '') || declarationCount === 0 && size > 0) return undefined;
  const nameAt = (i: number): string => joined.slice(starts[i], i + 1 < size ? starts[i + 1] - 1 : joined.length);
  return {
    size,
    get(name) {
      let low = 0;
      let high = size - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const candidate = nameAt(order[middle]);
        if (candidate === name) return values[order[middle]];
        if (candidate < name) low = middle + 1;
        else high = middle - 1;
      }
      return undefined;
    },
    *keys() { for (let i = 0; i < size; i++) yield nameAt(i); },
  };
}

function hasWord(sorted: Uint32Array, word: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] === word) return true;
    if (sorted[middle] < word) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

const align4 = (n: number): number => (n + 3) & ~3;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
function hexWords(hex: string): number[] {
  const words: number[] = [];
  for (let i = 0; i < 64; i += 8) words.push(parseInt(hex.slice(i, i + 8), 16) >>> 0);
  return words;
}
function sameWords(a: Uint32Array, b: number[]): boolean {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}
