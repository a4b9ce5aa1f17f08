/**
 * The `hexdump -C` layout of binary output, one line per 16 bytes, shared by the Run panel and the debugger:
 * `00000010  61 62 63 00 ff 31 32 33  34 35 36 37 38           |abc..12345678|`
 * (offset, two groups of eight hex bytes, the bytes 0x20-0x7e as ASCII and every other byte as '.').
 * Unlike hexdump it never folds repeated lines into '*' and prints no final offset line.
 */
export const HEXDUMP_BYTES_PER_LINE = 16;

export function hexDumpLineCount(byteLength: number): number {
  return Math.ceil(byteLength / HEXDUMP_BYTES_PER_LINE);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Line `index` of the dump of `bytes` (0-based); '' past the end. */
export function hexDumpLine(bytes: Uint8Array, index: number): string {
  const start = index * HEXDUMP_BYTES_PER_LINE;
  if (start >= bytes.length || index < 0) return '';
  const end = Math.min(start + HEXDUMP_BYTES_PER_LINE, bytes.length);
  let hex = '';
  let ascii = '';
  for (let i = 0; i < HEXDUMP_BYTES_PER_LINE; i++) {
    if (i === 8) hex += ' ';
    if (start + i < end) {
      const b = bytes[start + i];
      hex += HEX[b] + ' ';
      ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
    } else hex += '   ';
  }
  return `${start.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`;
}

/** The whole dump, one '\n'-terminated line per 16 bytes (for a copy or a console; the panel asks by line). */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0, n = hexDumpLineCount(bytes.length); i < n; i++) lines.push(hexDumpLine(bytes, i) + '\n');
  return lines.join('');
}
