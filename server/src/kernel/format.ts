import { ERRNO } from './errno';
import { KernelMemory } from './memory';

/** MAX_BPRINTF_VARARGS */
export const MAX_BPRINTF_VARARGS = 12;
/** MAX_BPRINTF_BIN_ARGS: the temp area strings, chars, IPs and ints are copied into */
export const MAX_BPRINTF_BIN_ARGS = 512;
/** MAX_BPRINTF_BUF: bpf_snprintf/bpf_trace_printk text limit */
export const MAX_BPRINTF_BUF = 1024;

const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isPunct = (c: number): boolean => isPrint(c) && c !== 0x20 && !/[A-Za-z0-9]/.test(String.fromCharCode(c));
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlnum = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * The index of the last letter or digit of the run after a %p conversion that ends at `i`: bstr_printf() skips the
 * whole run (`while (isalnum(*fmt)) fmt++`), so `%pI6c` prints no `c` (and no compressed address: the IP was already
 * formatted by bpf_bprintf_prepare() with its own two-letter `%pI6`), `%pI4h` no `h`, `%pxabc` no `abc`.
 */
function skipPointerSuffix(fmt: Uint8Array, i: number): number {
  while (isAlnum(fmt[i + 1])) i++;
  return i;
}

type Piece =
  | { kind: 'text'; text: string }
  | { kind: 'int'; flags: string; width: number; conv: string; wide: boolean; value: bigint }
  | { kind: 'char'; flags: string; width: number; value: number }
  | { kind: 'str'; flags: string; width: number; value: string }
  | { kind: 'ptr'; flags: string; width: number; conv: string; value: bigint }
  | { kind: 'ip'; conv: string; bytes: Uint8Array };

/**
 * mirrors bpf_bprintf_prepare() followed by the vsnprintf() the kernel runs on the prepared arguments.
 * Returns the formatted bytes or a negative errno.
 */
export function bprintf(fmtBytes: Uint8Array, args: readonly bigint[], memory: KernelMemory): Uint8Array | number {
  const nul = fmtBytes.indexOf(0);
  if (nul < 0) return -ERRNO.EINVAL;
  const fmt = fmtBytes.subarray(0, nul + 1); // keep the NUL so fmt[i+1] lookups see it like C
  const pieces: Piece[] = [];
  let text = '';
  let numSpec = 0;
  let tmpUsed = 0;
  const flushText = (): void => { if (text) { pieces.push({ kind: 'text', text }); text = ''; } };
  const align4 = (): void => { tmpUsed = (tmpUsed + 3) & ~3; };
  for (let i = 0; i < nul; i++) {
    const c = fmt[i];
    if (!isPrint(c) && !isSpace(c)) return -ERRNO.EINVAL;
    if (c !== 0x25 /* % */) { text += String.fromCharCode(c); continue; }
    if (fmt[i + 1] === 0x25) { text += '%'; i++; continue; }
    if (numSpec >= args.length) return -ERRNO.EINVAL;
    const arg = args[numSpec] ?? 0n;
    i++;
    let flags = '';
    while (fmt[i] === 0x30 || fmt[i] === 0x2b || fmt[i] === 0x2d || fmt[i] === 0x20) { flags += String.fromCharCode(fmt[i]); i++; }
    let width = 0;
    if (fmt[i] >= 0x31 && fmt[i] <= 0x39) {
      while (isDigit(fmt[i])) { width = width * 10 + (fmt[i] - 0x30); i++; }
    }
    flushText();
    const next = fmt[i + 1] ?? 0;
    if (fmt[i] === 0x70 /* p */) {
      if (next === 0 || isSpace(next) || isPunct(next) || next === 0x4b || next === 0x78 || next === 0x73 || next === 0x53 || next === 0x42) {
        const conv = next === 0 || isSpace(next) || isPunct(next) ? 'p' : 'p' + String.fromCharCode(next);
        if (conv !== 'p') i++;
        align4();
        if (MAX_BPRINTF_BIN_ARGS - tmpUsed < 8) return -ERRNO.ENOSPC;
        tmpUsed += 8;
        pieces.push({ kind: 'ptr', flags, width, conv, value: arg });
        numSpec++;
        i = skipPointerSuffix(fmt, i);
        continue;
      }
      if ((next === 0x6b || next === 0x75) && fmt[i + 2] === 0x73) {
        // %pks / %pus: a string, with the checks of %s (what follows it is no letter or digit), copied whole:
        // bstr_printf() prints the prepared string without the width
        i += 2;
        const after = fmt[i + 1] ?? 0;
        if (after !== 0 && !isSpace(after) && !isPunct(after)) return -ERRNO.EINVAL;
        const r = copyString(arg);
        if (typeof r === 'number') return r;
        pieces.push({ kind: 'str', flags: '', width: 0, value: r });
        numSpec++;
        continue;
      }
      if ((next === 0x69 || next === 0x49) && (fmt[i + 2] === 0x34 || fmt[i + 2] === 0x36)) {
        const size = fmt[i + 2] === 0x34 ? 4 : 16;
        const conv = 'p' + String.fromCharCode(next, fmt[i + 2]);
        i += 2;
        if (MAX_BPRINTF_BIN_ARGS - tmpUsed < size) return -ERRNO.ENOSPC;
        tmpUsed += size;
        const bytes = memory.read(arg, size);
        pieces.push({ kind: 'ip', conv, bytes: bytes ? bytes.slice() : new Uint8Array(size) });
        numSpec++;
        i = skipPointerSuffix(fmt, i);
        continue;
      }
      return -ERRNO.EINVAL;
    }
    if (fmt[i] === 0x63 /* c */) {
      if (tmpUsed >= MAX_BPRINTF_BIN_ARGS) return -ERRNO.ENOSPC;
      tmpUsed += 1;
      pieces.push({ kind: 'char', flags, width, value: Number(arg & 0xffn) });
      numSpec++;
      continue;
    }
    if (fmt[i] === 0x73 /* s */) {
      if (next !== 0 && !isSpace(next) && !isPunct(next)) return -ERRNO.EINVAL;
      const r = copyString(arg);
      if (typeof r === 'number') return r;
      pieces.push({ kind: 'str', flags, width, value: r });
      numSpec++;
      continue;
    }
    let wide = false;
    if (fmt[i] === 0x6c /* l */) { wide = true; i++; }
    if (fmt[i] === 0x6c) { wide = true; i++; }
    const conv = String.fromCharCode(fmt[i]);
    if (!'iduxX'.includes(conv) || fmt[i] === 0) return -ERRNO.EINVAL;
    align4();
    const size = wide ? 8 : 4;
    if (MAX_BPRINTF_BIN_ARGS - tmpUsed < size) return -ERRNO.ENOSPC;
    tmpUsed += size;
    pieces.push({ kind: 'int', flags, width, conv, wide, value: arg });
    numSpec++;
  }
  flushText();
  return Buffer.from(pieces.map(render).join(''), 'latin1');

  function copyString(addr: bigint): string | number {
    if (tmpUsed >= MAX_BPRINTF_BIN_ARGS) return -ERRNO.ENOSPC;
    const room = MAX_BPRINTF_BIN_ARGS - tmpUsed;
    // strncpy_from_kernel_nofault(tmp_buf, addr, room): a fault leaves an empty string
    const s = memory.readString(addr, room - 1);
    const bytes = s ?? new Uint8Array(0);
    tmpUsed += bytes.length + 1;
    return Buffer.from(bytes).toString('latin1');
  }
}

function pad(body: string, flags: string, width: number, zeroOk: boolean): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body + ' '.repeat(width - body.length);
  if (zeroOk && flags.includes('0')) {
    const sign = /^[-+ ]/.test(body) ? body[0] : '';
    return sign + '0'.repeat(width - body.length) + body.slice(sign.length);
  }
  return ' '.repeat(width - body.length) + body;
}

/**
 * ptr_to_id(): the kernel hashes %p values with a boot-time key and keeps 32 bits; here a fixed siphash-like mix
 * keeps output stable. NULL and error pointers (IS_ERR_OR_NULL) print as they are.
 */
function hashedPointer(v: bigint): bigint {
  if (v === 0n || v >= 0xfffffffffffff001n) return v;
  let h = (v ^ 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  h = ((h ^ (h >> 33n)) * 0xff51afd7ed558ccdn) & 0xffffffffffffffffn;
  h = ((h ^ (h >> 33n)) * 0xc4ceb9fe1a85ec53n) & 0xffffffffffffffffn;
  return h & 0xffffffffn;
}

/**
 * mirrors pointer_string(): hexadecimal; without a width, 16 digits with zeros (the `-` flag then pads with spaces on
 * the right); with one, number()'s padding of that width (`%20px` of 1 is 19 spaces and `1`).
 */
function pointerString(value: bigint, flags: string, width: number): string {
  const digits = BigInt.asUintN(64, value).toString(16);
  return width > 0 ? pad(digits, flags, width, true) : pad(digits, flags + '0', 16, true);
}

function render(p: Piece): string {
  switch (p.kind) {
    case 'text': return p.text;
    case 'char': return pad(String.fromCharCode(p.value), p.flags.replace('0', ''), p.width, false);
    case 'str': return pad(p.value, p.flags, p.width, false);
    case 'ip': {
      const b = p.bytes;
      if (p.conv === 'pI4') return Array.from(b).join('.');
      if (p.conv === 'pi4') return Array.from(b, (x) => String(x).padStart(3, '0')).join('.');
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      if (p.conv === 'pi6') return hex;
      return hex.match(/..../g)!.join(':');
    }
    case 'ptr': {
      if (p.conv === 'px') return pointerString(p.value, p.flags, p.width);
      if (p.conv === 'ps' || p.conv === 'pS' || p.conv === 'pB') return pad('0x' + p.value.toString(16), p.flags, p.width, false);
      // Linux 6.18 prints a NULL %p as zeros (checked against the real kernel), not "(null)"
      return pointerString(hashedPointer(p.value), p.flags, p.width);
    }
    case 'int': {
      const signed = p.conv === 'd' || p.conv === 'i';
      let v = p.wide ? BigInt.asUintN(64, p.value) : BigInt.asUintN(32, p.value);
      if (signed) v = p.wide ? BigInt.asIntN(64, v) : BigInt.asIntN(32, v);
      let body: string;
      if (p.conv === 'x') body = v.toString(16);
      else if (p.conv === 'X') body = v.toString(16).toUpperCase();
      else body = v.toString(10);
      if (signed && v >= 0n) {
        if (p.flags.includes('+')) body = '+' + body; else if (p.flags.includes(' ')) body = ' ' + body;
      }
      return pad(body, p.flags, p.width, true);
    }
  }
}

// ------------------------------------------------------------------ the compiled-format fast path

/**
 * A format whose conversions are only integers, characters and %p/%px/%ps/%pS/%pB, compiled once: the
 * bpf_bprintf_prepare() checks of such a format depend on the format alone (its temp-buffer use is fixed), so
 * they run once, and each call writes its text straight into the seq buffer, without a string per argument.
 * Formats with %s, %pks/%pus or %pI4/%pi6 (whose checks depend on the data) take bprintf().
 */
interface CompiledSpec {
  kind: 'int' | 'char' | 'ptr'; flags: string; width: number; conv: string; wide: boolean;
  /** the flags and conversion decoded once: %d/%i, '-', '0', '+', ' ', 10 or 16, 0x20 for %X */
  signed: boolean; left: boolean; zero: boolean; plus: boolean; space: boolean; base: number; upper: number;
}
interface CompiledFormat { fmt: Uint8Array; texts: Uint8Array[]; specs: CompiledSpec[] }

const compiledFormats = new WeakMap<ArrayBufferLike, Map<number, { fmt: Uint8Array; compiled: CompiledFormat | null }>>();

/** The compiled form of the NUL-terminated format at fmtBytes, or null when bprintf() must handle it. */
function compiledFormat(fmtBytes: Uint8Array): CompiledFormat | null {
  return compiledFormatAt(fmtBytes, 0, fmtBytes.length);
}

/** compiledFormat() of bytes[offset, offset + size), without making that view unless the format is new. */
function compiledFormatAt(bytes: Uint8Array, offset: number, size: number): CompiledFormat | null {
  // the format of the last call first (a program printing per element uses one or two formats)
  const last = lastFormat;
  if (last !== null && last.bytes === bytes && last.offset === offset && sameFormat(last.entry.fmt, bytes, offset, size)) return last.entry.compiled;
  const buffer = bytes.buffer;
  let byOffset = compiledFormats.get(buffer);
  if (!byOffset) { byOffset = new Map(); compiledFormats.set(buffer, byOffset); }
  // keyed by where the format lives, checked against its bytes (a writable format may change between calls)
  const at = bytes.byteOffset + offset;
  let entry = byOffset.get(at);
  if (entry === undefined || !sameFormat(entry.fmt, bytes, offset, size)) {
    const fmtBytes = bytes.subarray(offset, offset + size);
    const nul = fmtBytes.indexOf(0);
    entry = { fmt: fmtBytes.slice(0, nul < 0 ? fmtBytes.length : nul + 1), compiled: compileFormat(fmtBytes) };
    byOffset.set(at, entry);
  }
  lastFormat = { bytes, offset, entry };
  return entry.compiled;
}
let lastFormat: { bytes: Uint8Array; offset: number; entry: { fmt: Uint8Array; compiled: CompiledFormat | null } } | null = null;

/** Whether bytes[offset, offset + size) is the format `a` (its bytes up to its NUL, or all of them when it had none). */
function sameFormat(a: Uint8Array, bytes: Uint8Array, offset: number, size: number): boolean {
  if (size < a.length || (a[a.length - 1] !== 0 && size !== a.length)) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== bytes[offset + i]) return false;
  return true;
}

function spec(kind: CompiledSpec['kind'], flags: string, width: number, conv: string, wide: boolean): CompiledSpec {
  return {
    kind, flags, width, conv, wide, signed: conv === 'd' || conv === 'i', left: flags.includes('-'), zero: flags.includes('0'),
    plus: flags.includes('+'), space: flags.includes(' '), base: conv === 'x' || conv === 'X' ? 16 : 10, upper: conv === 'X' ? 0x20 : 0,
  };
}

function compileFormat(fmtBytes: Uint8Array): CompiledFormat | null {
  const nul = fmtBytes.indexOf(0);
  if (nul < 0) return null;
  const fmt = fmtBytes.subarray(0, nul + 1);
  const texts: Uint8Array[] = [];
  const specs: CompiledSpec[] = [];
  let text: number[] = [];
  let tmpUsed = 0;
  for (let i = 0; i < nul; i++) {
    const c = fmt[i];
    if (!isPrint(c) && !isSpace(c)) return null;
    if (c !== 0x25) { text.push(c); continue; }
    if (fmt[i + 1] === 0x25) { text.push(0x25); i++; continue; }
    i++;
    let flags = '';
    while (fmt[i] === 0x30 || fmt[i] === 0x2b || fmt[i] === 0x2d || fmt[i] === 0x20) { flags += String.fromCharCode(fmt[i]); i++; }
    let width = 0;
    if (fmt[i] >= 0x31 && fmt[i] <= 0x39) while (isDigit(fmt[i])) { width = width * 10 + (fmt[i] - 0x30); i++; }
    texts.push(Uint8Array.from(text));
    text = [];
    const next = fmt[i + 1] ?? 0;
    if (fmt[i] === 0x70) {
      if (!(next === 0 || isSpace(next) || isPunct(next) || next === 0x4b || next === 0x78 || next === 0x73 || next === 0x53 || next === 0x42)) return null;
      const conv = next === 0 || isSpace(next) || isPunct(next) ? 'p' : 'p' + String.fromCharCode(next);
      if (conv === 'pK') return null;
      if (conv !== 'p') i++;
      i = skipPointerSuffix(fmt, i);
      tmpUsed = ((tmpUsed + 3) & ~3) + 8;
      specs.push(spec('ptr', flags, width, conv, true));
    } else if (fmt[i] === 0x63) {
      tmpUsed += 1;
      specs.push(spec('char', flags, width, 'c', false));
    } else {
      let wide = false;
      if (fmt[i] === 0x6c) { wide = true; i++; }
      if (fmt[i] === 0x6c) { wide = true; i++; }
      const conv = String.fromCharCode(fmt[i]);
      if (fmt[i] === 0 || !'iduxX'.includes(conv)) return null;
      tmpUsed = ((tmpUsed + 3) & ~3) + (wide ? 8 : 4);
      specs.push(spec('int', flags, width, conv, wide));
    }
    if (tmpUsed > MAX_BPRINTF_BIN_ARGS) return null;
  }
  texts.push(Uint8Array.from(text));
  return { fmt: fmt.slice(), texts, specs };
}

/** Where a formatted text goes: bytes at `pos` of `buf`, up to `end`; `full` once a byte did not fit. */
export class ByteSink {
  pos = 0;
  full = false;
  constructor(public buf: Uint8Array, public end: number) {}
  byte(c: number): void { if (this.pos < this.end) this.buf[this.pos++] = c; else this.full = true; }
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.end) { this.full = true; return; }
    // a format's literal text is a few bytes: a loop is cheaper than set() for those
    if (n <= 16) { const buf = this.buf; let p = this.pos; for (let i = 0; i < n; i++) buf[p++] = b[i]; this.pos = p; } else { this.buf.set(b, this.pos); this.pos += n; }
  }
  repeat(c: number, n: number): void { for (let i = 0; i < n; i++) this.byte(c); }
  /** latin1 text (the rare cases: values past 2^53, hashed pointers) */
  text(s: string): void { for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i)); }
}

/**
 * bprintf() for a compiled format, into `sink`: the same bytes bprintf() would return. Returns the number of
 * bytes, a negative errno when the checks fail, or undefined when the format needs bprintf().
 */
export function bprintfInto(fmtBytes: Uint8Array, args: readonly bigint[], sink: ByteSink): number | undefined {
  const f = compiledFormat(fmtBytes);
  if (f === null) return undefined;
  // bpf_bprintf_prepare() refuses a format with more conversions than arguments before it formats anything
  if (f.specs.length > args.length) return -ERRNO.EINVAL;
  const start = sink.pos;
  for (let s = 0; s < f.specs.length; s++) {
    sink.bytes(f.texts[s]);
    const spec = f.specs[s];
    const arg = args[s];
    if (spec.kind === 'int') writeInt(sink, spec, arg);
    else if (spec.kind === 'char') writePadded(sink, String.fromCharCode(Number(arg & 0xffn)), spec.flags.replace('0', ''), spec.width, false);
    else writePadded(sink, render({ kind: 'ptr', flags: spec.flags, width: spec.width, conv: spec.conv, value: arg }), '', 0, false);
  }
  sink.bytes(f.texts[f.specs.length]);
  return sink.pos - start;
}

/**
 * bprintfInto() of the format at fmt[fmtOffset, fmtOffset + fmtSize) with the arguments read from `count` u64s at `at`
 * of `view` (the program's argument array, as bpf_seq_printf() reads it): the same bytes, without a BigInt per integer
 * argument that fits in a double.
 */
export function bprintfFromView(fmt: Uint8Array, fmtOffset: number, fmtSize: number, view: DataView, at: number, count: number, sink: ByteSink): number | undefined {
  const f = compiledFormatAt(fmt, fmtOffset, fmtSize);
  if (f === null) return undefined;
  if (f.specs.length > count) return -ERRNO.EINVAL;
  const start = sink.pos;
  for (let s = 0; s < f.specs.length; s++) {
    sink.bytes(f.texts[s]);
    const spec = f.specs[s];
    const p = at + s * 8;
    if (spec.kind === 'int') writeIntParts(sink, spec, view.getUint32(p, true), view.getUint32(p + 4, true));
    else if (spec.kind === 'char') writePadded(sink, String.fromCharCode(view.getUint8(p)), spec.flags.replace('0', ''), spec.width, false);
    else writePadded(sink, render({ kind: 'ptr', flags: spec.flags, width: spec.width, conv: spec.conv, value: view.getBigUint64(p, true) }), '', 0, false);
  }
  sink.bytes(f.texts[f.specs.length]);
  return sink.pos - start;
}

function writePadded(sink: ByteSink, body: string, flags: string, width: number, zeroOk: boolean): void {
  sink.text(width > 0 ? pad(body, flags, width, zeroOk) : body);
}

/** %d %i %u %x %X with their flags and width, digits written straight into the sink */
function writeInt(sink: ByteSink, spec: CompiledSpec, value: bigint): void {
  let v = spec.wide ? BigInt.asUintN(64, value) : BigInt.asUintN(32, value);
  if (spec.signed) v = spec.wide ? BigInt.asIntN(64, v) : BigInt.asIntN(32, v);
  const negative = v < 0n;
  const mag = negative ? -v : v;
  if (mag > 9007199254740991n) {
    // past 2^53: the string path (rare)
    const pieceText = render({ kind: 'int', flags: spec.flags, width: spec.width, conv: spec.conv, wide: spec.wide, value });
    sink.text(pieceText);
    return;
  }
  writeDigits(sink, spec, negative, Number(mag));
}

/**
 * writeInt() of the u64 whose u32 halves are lo and hi (an argument read from the program's u64 array), with
 * numbers only while the value is exact in a double; the same bytes.
 */
function writeIntParts(sink: ByteSink, spec: CompiledSpec, lo: number, hi: number): void {
  if (!spec.wide) {
    const n = spec.signed ? lo | 0 : lo;
    writeDigits(sink, spec, n < 0, n < 0 ? -n : n);
    return;
  }
  const h = spec.signed ? hi | 0 : hi;
  // |h * 2^32 + lo| <= 2^53 - 1 for h in (-2^21, 2^21)
  if (h > -2097152 && h < 2097152) {
    const n = h * 4294967296 + lo;
    writeDigits(sink, spec, n < 0, n < 0 ? -n : n);
    return;
  }
  writeInt(sink, spec, (BigInt(hi) << 32n) | BigInt(lo));
}

const DIGITS = new Uint8Array(64);
/** "00".."99" as bytes */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 0x30 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));
const HEX_LOWER = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66];

/**
 * Digit loops take a value below 2^31 in int32 arithmetic: on a double (a u64's halves joined, `h * 2^32 + lo`, is
 * one even when h is 0) `%` is a call of fmod, and the division by 100 of a small integer is a multiplication.
 */
const INT32_LIMIT = 2147483648;
/**
 * n % 100 of an integer n below 2^53, without fmod: n / 100 is below 2^47, where a double's spacing is at most 2^-6,
 * so a quotient 0.01 short of an integer never rounds up to it, and the floor is exact.
 */
function lowPair(n: number): number { return n - Math.floor(n / 100) * 100; }

/** The digits of mag (an exact integer below 2^53) with the sign, flags and width of spec. */
function writeDigits(sink: ByteSink, spec: CompiledSpec, negative: boolean, mag: number): void {
  if (spec.base === 10 && spec.width === 0 && !negative && !(spec.signed && (spec.plus || spec.space))) {
    // the common case (%u, %llu, %d of a non-negative value, no width): straight into the buffer, last digit first
    let len = 1;
    for (let t = 10; t <= mag; t *= 10) len++;
    let p = sink.pos + len;
    if (p <= sink.end) {
      const buf = sink.buf;
      sink.pos = p;
      let n = mag;
      while (n >= INT32_LIMIT) {
        const r = lowPair(n);
        n = (n - r) / 100;
        buf[--p] = DIGIT_PAIRS[2 * r + 1];
        buf[--p] = DIGIT_PAIRS[2 * r];
      }
      n |= 0;
      while (n >= 100) {
        const q = (n / 100) | 0, r = n - q * 100;
        n = q;
        buf[--p] = DIGIT_PAIRS[2 * r + 1];
        buf[--p] = DIGIT_PAIRS[2 * r];
      }
      if (n >= 10) { buf[--p] = DIGIT_PAIRS[2 * n + 1]; buf[--p] = DIGIT_PAIRS[2 * n]; } else buf[--p] = 0x30 + n;
      return;
    }
  }
  let n = mag;
  let len = 0;
  const base = spec.base;
  if (base === 10) {
    // two digits per division, from a table; the quotient of an exact multiple is exact
    while (n >= INT32_LIMIT) {
      const r = lowPair(n);
      n = (n - r) / 100;
      DIGITS[len++] = DIGIT_PAIRS[2 * r + 1];
      DIGITS[len++] = DIGIT_PAIRS[2 * r];
    }
    n |= 0;
    while (n >= 100) {
      const q = (n / 100) | 0, r = n - q * 100;
      n = q;
      DIGITS[len++] = DIGIT_PAIRS[2 * r + 1];
      DIGITS[len++] = DIGIT_PAIRS[2 * r];
    }
    if (n >= 10) { DIGITS[len++] = DIGIT_PAIRS[2 * n + 1]; DIGITS[len++] = DIGIT_PAIRS[2 * n]; } else DIGITS[len++] = 0x30 + n;
  } else {
    while (n >= INT32_LIMIT) {
      const d = n % base;
      DIGITS[len++] = d < 10 ? 0x30 + d : HEX_LOWER[d] - spec.upper;
      n = (n - d) / base;
    }
    n |= 0;
    do {
      const d = n & 15;   // base 16 (%x, %X): the only other base
      DIGITS[len++] = d < 10 ? 0x30 + d : HEX_LOWER[d] - spec.upper;
      n >>>= 4;
    } while (n > 0);
  }
  let sign = 0;
  if (negative) sign = 0x2d;
  else if (spec.signed && spec.plus) sign = 0x2b;
  else if (spec.signed && spec.space) sign = 0x20;
  const bodyLen = len + (sign ? 1 : 0);
  const padLen = spec.width > bodyLen ? spec.width - bodyLen : 0;
  const left = spec.left;
  if (padLen && !left && spec.zero) {
    if (sign) sink.byte(sign);
    sink.repeat(0x30, padLen);
  } else {
    if (padLen && !left) sink.repeat(0x20, padLen);
    if (sign) sink.byte(sign);
  }
  const buf = sink.buf;
  if (sink.pos + len <= sink.end) {
    for (let i = len - 1; i >= 0; i--) buf[sink.pos++] = DIGITS[i];
  } else {
    for (let i = len - 1; i >= 0; i--) sink.byte(DIGITS[i]);
  }
  if (padLen && left) sink.repeat(0x20, padLen);
}
