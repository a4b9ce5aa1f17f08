

// ---------------------------------------------------------------- literal decoding

export function parseNumber(text: string): { kind: 'int'; value: bigint; unsigned: boolean; longs: number; decimal: boolean } | { kind: 'float'; value: number } | undefined {
  const lower = text.toLowerCase();
  const isHex = lower.startsWith('0x');
  const isFloat = isHex ? /[.p]/.test(lower) : /[.e]/.test(lower);
  if (isFloat) {
    const body = lower.replace(/[fl]$/, '');
    const value = isHex ? parseHexFloat(body) : Number(body);
    return Number.isNaN(value) ? undefined : { kind: 'float', value };
  }
  const match = /^(0x[0-9a-f]+|0b[01]+|0[0-7]*|[1-9][0-9]*)(u?l{0,2}|l{1,2}u)$/.exec(lower.replace(/'/g, ''));
  if (!match || /lL|Ll/.test(text)) return undefined;
  const digits = match[1];
  const suffix = match[2];
  const value = digits.startsWith('0b') ? BigInt(digits) : digits.startsWith('0x') ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
  return { kind: 'int', value, unsigned: suffix.includes('u'), longs: (suffix.match(/l/g) ?? []).length, decimal: !digits.startsWith('0') || digits === '0' };
}

function parseHexFloat(body: string): number {
  const match = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?p([+-]?\d+)$/.exec(body);
  if (!match) return NaN;
  const mantissa = parseInt((match[1] || '0') + (match[2] ?? ''), 16);
  return mantissa * Math.pow(2, Number(match[3]) - 4 * (match[2]?.length ?? 0));
}

const SIMPLE_ESCAPES = new Map<string, number>(Object.entries({ n: 10, t: 9, r: 13, '0': 0, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 }));

/** Decodes the escapes of a literal's body into code units. */
function decodeEscapes(body: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i + 1 >= body.length) { units.push(body.charCodeAt(i)); continue; }
    const e = body[++i];
    if (e === 'x') {
      let j = i + 1;
      while (j < body.length && /[0-9a-fA-F]/.test(body[j])) j++;
      units.push(parseInt(body.slice(i + 1, j) || '0', 16));
      i = j - 1;
    } else if (/[0-7]/.test(e)) {
      let j = i;
      while (j < body.length && j < i + 3 && /[0-7]/.test(body[j])) j++;
      units.push(parseInt(body.slice(i, j), 8));
      i = j - 1;
    } else {
      units.push(SIMPLE_ESCAPES.get(e) ?? e.charCodeAt(0));
    }
  }
  return units;
}

export function charValue(text: string): bigint {
  const quote = text.indexOf("'");
  const body = text.slice(quote + 1, text.endsWith("'") ? -1 : undefined);
  // Without escapes the code units are the characters: only the first (a prefixed literal) or the last four are read.
  const plain = body.indexOf('\\') < 0;
  let units: number[];
  if (plain) {
    units = [];
    for (let i = quote > 0 ? 0 : Math.max(0, body.length - 4), end = quote > 0 ? Math.min(1, body.length) : body.length; i < end; i++) units.push(body.charCodeAt(i));
  } else units = decodeEscapes(body);
  if (quote > 0) return BigInt(units[0] ?? 0);
  // Plain `char` is signed on BPF: '\xff' is -1.
  // Only the last four bytes survive in the int (clang: "character constant too long for its type"); keeping the
  // rest grew a BigInt byte by byte, quadratic in the literal (an unclosed ' before a 10 MB line: hours; fuzz seed 19101)
  let value = 0n;
  for (let i = Math.max(0, units.length - 4); i < units.length; i++) value = (value << 8n) | BigInt(units[i] & 0xff);
  return units.length === 1 ? BigInt.asIntN(8, value) : BigInt.asIntN(32, value);
}

export function decodeStringBody(text: string): string {
  const quote = text.indexOf('"');
  const body = text.slice(quote + 1, text.endsWith('"') && text.length > quote + 1 ? -1 : undefined);
  // Most literals have no escape: the body is the value (a self-including file copied a 1 MB one 64 times).
  if (body.indexOf('\\') < 0) return body;
  const units = decodeEscapes(body);
  const chunks: string[] = [];
  for (let i = 0; i < units.length; i += 8192) chunks.push(String.fromCharCode(...units.slice(i, i + 8192)));
  return chunks.join('');
}
