/**
 * Big scenario files read from their bytes, a window at a time: the `entries` lists of plain integer elements
 * (`{"key": 1, "value": 2}`, what a user exports from a live map) are scanned straight into numbers, with no
 * JSON.parse object per element, no decoded copy of the text and no buffer of the whole file (fresh memory costs a
 * page fault per 4 KiB); the rest of the file (small) is decoded and given to JSON.parse and the schema validator
 * as usual, with those lists as `[]`. Anything this scanner does not take on (an element of another
 * shape, a number that is not a small integer, a syntax error) leaves that list, or the whole file, to the text
 * path, which reports every problem with its range: this is only a faster way to the same scenario.
 */
import type { ScenarioEntry } from './scenario';

/** The listed entries of one map, all of the plain integer form, as numbers in file order. */
export class IntegerEntries {
  constructor(readonly count: number, readonly keys: Float64Array,
    /** NaN where an entry has no "value" (zeros) */
    readonly values: Float64Array) {}

  /** The entries as the text path's objects (for the code that is not about big maps: the real-kernel run, other map types). */
  toEntries(): ScenarioEntry[] {
    const out = new Array<ScenarioEntry>(this.count);
    for (let i = 0; i < this.count; i++) {
      const v = this.values[i];
      out[i] = Number.isNaN(v) ? { key: this.keys[i] } : { key: this.keys[i], value: v };
    }
    return out;
  }
}

/** The scenario's text without the lists taken, and those lists by the index of their map in "maps". */
export interface SplitScenario { text: string; lists: Map<number, IntegerEntries> }

/** Lists shorter than this stay in the text (the schema validator reads them in no time). */
const MIN_LIST = 256;

const enum C { TAB = 9, LF = 10, CR = 13, SPACE = 32, QUOTE = 34, COMMA = 44, MINUS = 45, ZERO = 48, NINE = 57, COLON = 58, LBRACKET = 91, BACKSLASH = 92, RBRACKET = 93, LBRACE = 123, RBRACE = 125 }

/** A byte sequence this scanner does not take on: the text path decides. */
class NotTaken extends Error {}

/** Reads up to `length` bytes of the file at `position` into `into` at `offset` (fs.readSync's order); 0 at the end. */
export type ReadAt = (into: Uint8Array, offset: number, length: number, position: number) => number;

/** A ReadAt over bytes in memory. */
export function readAtBytes(bytes: Uint8Array): ReadAt {
  return (into, offset, length, position) => {
    const n = Math.max(0, Math.min(length, bytes.length - position));
    into.set(bytes.subarray(position, position + n), offset);
    return n;
  };
}

/** The window a file is read through; it grows only for a token longer than it (a huge string). */
const WINDOW = 1 << 20;
/** Bytes kept ahead of an element of a list: a longer element (whitespace in it) leaves the file to the text path. */
const ELEMENT_SPAN = 4096;

/**
 * Splits a scenario file (UTF-8 JSON, read through `read`) into the text without its long integer entry lists and
 * those lists; undefined when there is no such list or the file is not what the scanner walks (then parse the whole
 * text).
 */
export function splitIntegerEntryLists(read: ReadAt | Uint8Array, size = read instanceof Uint8Array ? read.length : Infinity, window = WINDOW): SplitScenario | undefined {
  const scanner = new Scanner(read instanceof Uint8Array ? readAtBytes(read) : read, size, window);
  try {
    scanner.root();
  } catch (e) {
    if (e instanceof NotTaken || e instanceof RangeError) return undefined; // RangeError: nesting too deep for the stack
    throw e;
  }
  if (scanner.lists.size === 0) return undefined;
  return { text: scanner.text, lists: scanner.lists };
}

/**
 * A JSON walker over a file's bytes that knows where it is only as far as /maps/N/entries; values elsewhere are
 * skipped and end up in `text`. Positions are file offsets; the window holds bytes base..base+len-1.
 */
class Scanner {
  /** the window and one byte more: a NUL after the last byte read, which no token matches */
  private b: Uint8Array;
  private base = 0;
  private len = 0;
  private eof = false;
  /** the next byte to look at */
  private pos = 0;
  /** the first byte not yet in `text` */
  private textFrom = 0;
  /** the first byte a name being read needs kept (Infinity: none) */
  private pin = Infinity;
  /** while a list is scanned: its '[' (its bytes are not text unless it is given back), and whether bytes of it were dropped */
  private listStart = -1;
  private listLost = false;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  text = '';
  readonly lists = new Map<number, IntegerEntries>();
  /** bytes kept ahead of a list's element */
  private readonly span: number;
  constructor(private readonly read: ReadAt, private readonly size: number, private readonly window: number) {
    this.b = new Uint8Array(window + 1);
    this.span = Math.min(ELEMENT_SPAN, window >> 2);
    this.more(0);
  }

  /** Makes byte `need` readable if the file has it: text before what must be kept is decoded, the window moved and refilled. */
  private more(need: number): void {
    let keepFrom = Math.min(this.pos, this.pin);
    if (this.listStart >= 0) {
      this.flushText(this.listStart);
      // a list's bytes stay while they fill at most half the window (one of another shape is given back as text);
      // a longer one is taken, or the file is left to the text path
      if (this.listStart >= this.base && this.len - (this.listStart - this.base) <= this.window / 2) keepFrom = this.listStart;
      else this.listLost = true;
    } else this.flushText(keepFrom);
    const drop = keepFrom - this.base;
    if (drop > 0) {
      this.b.copyWithin(0, drop, this.len);
      this.len -= drop;
      this.base += drop;
    }
    while (need - this.base >= this.b.length - 1) {
      const grown = new Uint8Array((this.b.length - 1) * 2 + 1);
      grown.set(this.b.subarray(0, this.len));
      this.b = grown;
    }
    while (!this.eof && this.len < this.b.length - 1) {
      const n = this.read(this.b, this.len, this.b.length - 1 - this.len, this.base + this.len);
      if (n <= 0) this.eof = true; else this.len += n;
    }
    this.b[this.len] = 0;
  }
  private flushText(to: number): void {
    if (to <= this.textFrom) return;
    this.text += this.decoder.decode(this.b.subarray(this.textFrom - this.base, to - this.base), { stream: true });
    this.textFrom = to;
  }
  /** The byte at file offset p, or -1 past the end. */
  private at(p: number): number {
    if (p - this.base >= this.len) { if (this.eof) return -1; this.more(p); if (p - this.base >= this.len) return -1; }
    return this.b[p - this.base];
  }

  root(): void {
    this.ws();
    if (this.at(this.pos) !== C.LBRACE) throw new NotTaken();
    let sawMaps = false;
    this.object((name) => {
      if (name !== 'maps') { this.value(); return; }
      if (sawMaps) throw new NotTaken(); // JSON.parse keeps the last of repeated names
      sawMaps = true;
      if (this.at(this.pos) !== C.LBRACKET) { this.value(); return; }
      let index = 0;
      this.array(() => {
        const map = index++;
        if (this.at(this.pos) !== C.LBRACE) { this.value(); return; }
        let sawEntries = false;
        this.object((field) => {
          if (field !== 'entries') { this.value(); return; }
          if (sawEntries) throw new NotTaken();
          sawEntries = true;
          if (this.at(this.pos) === C.LBRACKET) this.entries(map); else this.value();
        });
      });
    });
    this.ws();
    if (this.at(this.pos) !== -1) throw new NotTaken();
    this.flushText(this.base + this.len);
    this.text += this.decoder.decode();
  }

  /** An "entries" list at pos: taken as numbers, or given back as text (skipped) when it is short or of another shape. */
  private entries(map: number): void {
    const start = this.pos;
    this.listStart = start;
    this.listLost = false;
    const list = this.integerEntries();
    this.listStart = -1;
    if (list !== undefined && (list.count >= MIN_LIST || this.listLost)) {
      this.flushText(start);
      this.text += '[]';
      this.textFrom = this.pos;
      this.lists.set(map, list);
      return;
    }
    if (this.listLost) throw new NotTaken(); // its bytes are gone: the text path reads the file again
    this.pos = start;
    this.value();
  }

  private ws(): void {
    for (let c = this.at(this.pos); c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB; c = this.at(++this.pos));
  }

  /** An object at pos: each member's name to `member`, which consumes the value; pos after the closing brace. */
  private object(member: (name: string) => void): void {
    this.pos++;
    this.ws();
    if (this.at(this.pos) === C.RBRACE) { this.pos++; return; }
    for (;;) {
      if (this.at(this.pos) !== C.QUOTE) throw new NotTaken();
      const start = this.pos;
      this.pin = start;
      this.string();
      const raw = this.b.subarray(start - this.base, this.pos - this.base);
      this.pin = Infinity;
      const name = raw.includes(C.BACKSLASH) ? String(JSON.parse(new TextDecoder().decode(raw))) : String.fromCharCode(...raw.subarray(1, raw.length - 1));
      this.ws();
      if (this.at(this.pos) !== C.COLON) throw new NotTaken();
      this.pos++;
      this.ws();
      member(name);
      this.ws();
      const c = this.at(this.pos++);
      if (c === C.RBRACE) return;
      if (c !== C.COMMA) throw new NotTaken();
      this.ws();
    }
  }

  private array(element: () => void): void {
    this.pos++;
    this.ws();
    if (this.at(this.pos) === C.RBRACKET) { this.pos++; return; }
    for (;;) {
      element();
      this.ws();
      const c = this.at(this.pos++);
      if (c === C.RBRACKET) return;
      if (c !== C.COMMA) throw new NotTaken();
      this.ws();
    }
  }

  /** Skips a string (its escapes and characters are JSON.parse's to check: skipped text is parsed later). */
  private string(): void {
    let p = this.pos + 1;
    for (;;) {
      const c = this.at(p++);
      if (c === -1) throw new NotTaken();
      if (c === C.QUOTE) break;
      if (c === C.BACKSLASH) p++;
    }
    this.pos = p;
  }

  /** Skips any value: its boundaries are found here, its validity is JSON.parse's. */
  private value(): void {
    const c = this.at(this.pos);
    if (c === C.LBRACE) this.object(() => this.value());
    else if (c === C.LBRACKET) this.array(() => this.value());
    else if (c === C.QUOTE) this.string();
    else {
      // a number or a literal: up to the next delimiter
      const from = this.pos;
      for (let d = c; d !== -1 && d !== C.COMMA && d !== C.RBRACE && d !== C.RBRACKET && d !== C.SPACE && d !== C.LF && d !== C.CR && d !== C.TAB; d = this.at(++this.pos));
      if (this.pos === from) throw new NotTaken();
    }
  }

  /**
   * The list at pos ('[') when every element is an object of an integer "key" and an optional integer "value" and
   * nothing else, each integer in JSON's syntax with at most 15 digits (exact as a double); undefined otherwise
   * (pos then anywhere in it). Strict JSON: the bytes it takes never reach JSON.parse. pos after the ']'.
   */
  private integerEntries(): IntegerEntries | undefined {
    // 64k elements, then at once the most the rest of the file could hold: capacity never written costs no memory,
    // a copy of a grown array would be the list's memory touched twice
    let keys = new Float64Array(1 << 16);
    let values = new Float64Array(keys.length);
    let count = 0;
    let b = this.b, base = this.base, len = this.len;
    let p = this.pos + 1 - base;
    const isWs = (c: number): boolean => c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB;
    for (;;) {
      if (len - p < this.span && !this.eof) {
        this.pos = base + p;
        this.more(this.pos + this.span);
        b = this.b; base = this.base; len = this.len;
        p = this.pos - base;
      }
      while (p < len && isWs(b[p])) p++;
      if (count === 0 && b[p] === C.RBRACKET) return undefined; // empty: nothing to gain
      if (b[p] !== C.LBRACE) return undefined;
      p++;
      let key = NaN, value = NaN, haveKey = false, haveValue = false;
      for (;;) {
        while (p < len && isWs(b[p])) p++;
        if (b[p] !== C.QUOTE) return undefined;
        p++;
        let isKey: boolean;
        if (b[p] === 107 && b[p + 1] === 101 && b[p + 2] === 121 && b[p + 3] === C.QUOTE) { isKey = true; p += 4; } // key"
        else if (b[p] === 118 && b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 117 && b[p + 4] === 101 && b[p + 5] === C.QUOTE) { isKey = false; p += 6; } // value"
        else return undefined;
        if (isKey ? haveKey : haveValue) return undefined; // a repeated name: JSON.parse keeps the last
        while (p < len && isWs(b[p])) p++;
        if (b[p] !== C.COLON) return undefined;
        p++;
        while (p < len && isWs(b[p])) p++;
        // -?(0|[1-9][0-9]*), 15 digits at most, not followed by a fraction or exponent
        const negative = b[p] === C.MINUS;
        if (negative) p++;
        const first = p;
        let x = 0;
        while (p < len && b[p] >= C.ZERO && b[p] <= C.NINE) { x = x * 10 + (b[p] - C.ZERO); p++; }
        const digits = p - first;
        if (digits === 0 || digits > 15 || (digits > 1 && b[first] === C.ZERO)) return undefined;
        if (negative) x = -x;
        if (isKey) { key = x; haveKey = true; } else { value = x; haveValue = true; }
        while (p < len && isWs(b[p])) p++;
        if (p >= len) return undefined;
        const c = b[p++];
        if (c === C.RBRACE) break;
        if (c !== C.COMMA) return undefined; // '.', 'e' and anything else
      }
      if (!haveKey) return undefined;
      if (count === keys.length) {
        // the most elements the rest of the file could hold ({"key":0} and a comma), at once: no second copy
        const rest = Number.isFinite(this.size) ? Math.floor((this.size - (base + p)) / 10) + 1 : count;
        const grown = count + Math.max(rest, 1);
        const k2 = new Float64Array(grown); k2.set(keys); keys = k2;
        const v2 = new Float64Array(grown); v2.set(values); values = v2;
      }
      keys[count] = key;
      values[count] = haveValue ? value : NaN;
      count++;
      while (p < len && isWs(b[p])) p++;
      if (p >= len) return undefined;
      const c = b[p++];
      if (c === C.RBRACKET) { this.pos = base + p; return new IntegerEntries(count, keys, values); }
      if (c !== C.COMMA) return undefined;
    }
  }
}
