/**
 * Big scenario files read from their bytes: the `entries` lists of plain integer elements (`{"key": 1, "value": 2}`,
 * what a user exports from a live map) are scanned straight into numbers, with no JSON.parse object per element
 * and no decoded copy of the text; the rest of the file (small) is decoded and given to JSON.parse and the schema
 * validator as usual, with those lists as `[]`. Anything this scanner does not take on (an element of another
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

/**
 * Splits scenario bytes (UTF-8 JSON) into the text without its long integer entry lists and those lists; undefined
 * when there is no such list or the file is not what the scanner walks (then parse the whole text).
 */
export function splitIntegerEntryLists(bytes: Uint8Array): SplitScenario | undefined {
  const scanner = new Scanner(bytes);
  try {
    scanner.root();
  } catch (e) {
    if (e instanceof NotTaken || e instanceof RangeError) return undefined; // RangeError: nesting too deep for the stack
    throw e;
  }
  if (scanner.taken.length === 0) return undefined;
  const decode = (from: number, to?: number): string => Buffer.from(bytes.buffer, bytes.byteOffset + from, (to ?? bytes.length) - from).toString('utf8');
  let text = '';
  let from = 0;
  const lists = new Map<number, IntegerEntries>();
  for (const t of scanner.taken) {
    text += decode(from, t.start) + '[]';
    from = t.end;
    lists.set(t.map, t.list);
  }
  text += decode(from);
  return { text, lists };
}

/** A JSON walker over bytes that knows where it is only as far as /maps/N/entries; values elsewhere are skipped. */
class Scanner {
  pos = 0;
  readonly taken: Array<{ map: number; start: number; end: number; list: IntegerEntries }> = [];
  constructor(private readonly b: Uint8Array) {}

  root(): void {
    this.ws();
    if (this.b[this.pos] !== C.LBRACE) throw new NotTaken();
    let sawMaps = false;
    this.object((name) => {
      if (name !== 'maps') { this.value(); return; }
      if (sawMaps) throw new NotTaken(); // JSON.parse keeps the last of repeated names
      sawMaps = true;
      if (this.b[this.pos] !== C.LBRACKET) { this.value(); return; }
      let index = 0;
      this.array(() => {
        const at = index++;
        if (this.b[this.pos] !== C.LBRACE) { this.value(); return; }
        let sawEntries = false;
        this.object((field) => {
          if (field !== 'entries') { this.value(); return; }
          if (sawEntries) throw new NotTaken();
          sawEntries = true;
          const start = this.pos;
          const list = this.b[start] === C.LBRACKET ? integerEntries(this.b, start) : undefined;
          if (list === undefined || list.list.count < MIN_LIST) { this.value(); return; }
          this.pos = list.end;
          this.taken.push({ map: at, start, end: list.end, list: list.list });
        });
      });
    });
    this.ws();
    if (this.pos !== this.b.length) throw new NotTaken();
  }

  private ws(): void {
    const b = this.b;
    let p = this.pos;
    while (p < b.length && (b[p] === C.SPACE || b[p] === C.LF || b[p] === C.CR || b[p] === C.TAB)) p++;
    this.pos = p;
  }

  /** An object at pos: each member's name to `member`, which consumes the value; pos after the closing brace. */
  private object(member: (name: string) => void): void {
    this.pos++;
    this.ws();
    if (this.b[this.pos] === C.RBRACE) { this.pos++; return; }
    for (;;) {
      if (this.b[this.pos] !== C.QUOTE) throw new NotTaken();
      const start = this.pos;
      this.string();
      const raw = this.b.subarray(start, this.pos);
      const name = raw.includes(C.BACKSLASH) ? String(JSON.parse(Buffer.from(raw).toString('utf8'))) : asciiOf(raw, 1, raw.length - 1);
      this.ws();
      if (this.b[this.pos] !== C.COLON) throw new NotTaken();
      this.pos++;
      this.ws();
      member(name);
      this.ws();
      const c = this.b[this.pos++];
      if (c === C.RBRACE) return;
      if (c !== C.COMMA) throw new NotTaken();
      this.ws();
    }
  }

  private array(element: () => void): void {
    this.pos++;
    this.ws();
    if (this.b[this.pos] === C.RBRACKET) { this.pos++; return; }
    for (;;) {
      element();
      this.ws();
      const c = this.b[this.pos++];
      if (c === C.RBRACKET) return;
      if (c !== C.COMMA) throw new NotTaken();
      this.ws();
    }
  }

  /** Skips a string (its escapes and characters are JSON.parse's to check: skipped text is parsed later). */
  private string(): void {
    const b = this.b;
    let p = this.pos + 1;
    for (;;) {
      if (p >= b.length) throw new NotTaken();
      const c = b[p++];
      if (c === C.QUOTE) break;
      if (c === C.BACKSLASH) p++;
    }
    this.pos = p;
  }

  /** Skips any value: its boundaries are found here, its validity is JSON.parse's. */
  private value(): void {
    const c = this.b[this.pos];
    if (c === C.LBRACE) this.object(() => this.value());
    else if (c === C.LBRACKET) this.array(() => this.value());
    else if (c === C.QUOTE) this.string();
    else {
      // a number or a literal: up to the next delimiter
      const b = this.b;
      let p = this.pos;
      while (p < b.length && b[p] !== C.COMMA && b[p] !== C.RBRACE && b[p] !== C.RBRACKET && b[p] !== C.SPACE && b[p] !== C.LF && b[p] !== C.CR && b[p] !== C.TAB) p++;
      if (p === this.pos) throw new NotTaken();
      this.pos = p;
    }
  }
}

function asciiOf(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]);
  return s;
}

// "key" and "value" as the bytes after the opening quote, closing quote included
const KEY = [107, 101, 121, C.QUOTE];
const VALUE = [118, 97, 108, 117, 101, C.QUOTE];

/**
 * The list at `start` ('[') when every element is an object of an integer "key" and an optional integer "value"
 * and nothing else, each integer in JSON's syntax with at most 15 digits (exact as a double); undefined otherwise.
 * Strict JSON: the bytes it takes never reach JSON.parse.
 */
function integerEntries(b: Uint8Array, start: number): { list: IntegerEntries; end: number } | undefined {
  const n = b.length;
  // 64k elements, then at once the most the rest of the bytes could hold ({"key":0} and a comma): capacity never
  // written costs no memory, a copy of a grown array would be the list's memory touched twice
  let keys = new Float64Array(Math.min(Math.floor((n - start) / 10) + 1, 1 << 16));
  let values = new Float64Array(keys.length);
  let count = 0;
  let p = start + 1;
  const isWs = (c: number): boolean => c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB;
  while (p < n && isWs(b[p])) p++;
  if (b[p] === C.RBRACKET) return undefined; // empty: nothing to gain
  for (;;) {
    if (b[p] !== C.LBRACE) return undefined;
    p++;
    let key = NaN, value = NaN, haveKey = false, haveValue = false;
    for (;;) {
      while (p < n && isWs(b[p])) p++;
      if (b[p] !== C.QUOTE) return undefined;
      p++;
      let isKey: boolean;
      if (b[p] === KEY[0] && b[p + 1] === KEY[1] && b[p + 2] === KEY[2] && b[p + 3] === KEY[3]) { isKey = true; p += 4; }
      else if (b[p] === VALUE[0] && b[p + 1] === VALUE[1] && b[p + 2] === VALUE[2] && b[p + 3] === VALUE[3] && b[p + 4] === VALUE[4] && b[p + 5] === VALUE[5]) { isKey = false; p += 6; }
      else return undefined;
      if (isKey ? haveKey : haveValue) return undefined; // a repeated name: JSON.parse keeps the last
      while (p < n && isWs(b[p])) p++;
      if (b[p] !== C.COLON) return undefined;
      p++;
      while (p < n && isWs(b[p])) p++;
      // -?(0|[1-9][0-9]*), 15 digits at most, not followed by a fraction or exponent
      const negative = b[p] === C.MINUS;
      if (negative) p++;
      const first = p;
      let x = 0;
      while (p < n && b[p] >= C.ZERO && b[p] <= C.NINE) { x = x * 10 + (b[p] - C.ZERO); p++; }
      const digits = p - first;
      if (digits === 0 || digits > 15 || (digits > 1 && b[first] === C.ZERO)) return undefined;
      if (negative) x = -x;
      if (isKey) { key = x; haveKey = true; } else { value = x; haveValue = true; }
      while (p < n && isWs(b[p])) p++;
      const c = b[p++];
      if (c === C.RBRACE) break;
      if (c !== C.COMMA) return undefined; // '.', 'e' and anything else
    }
    if (!haveKey) return undefined;
    if (count === keys.length) {
      const grown = count + Math.floor((n - p) / 10) + 1;
      const k2 = new Float64Array(grown); k2.set(keys); keys = k2;
      const v2 = new Float64Array(grown); v2.set(values); values = v2;
    }
    keys[count] = key;
    values[count] = haveValue ? value : NaN;
    count++;
    while (p < n && isWs(b[p])) p++;
    const c = b[p++];
    if (c === C.RBRACKET) return { list: new IntegerEntries(count, keys, values), end: p };
    if (c !== C.COMMA) return undefined;
    while (p < n && isWs(b[p])) p++;
  }
}
