import { HEXDUMP_BYTES_PER_LINE, hexDump, hexDumpLine, hexDumpLineCount } from '../../../shared/src/hexdump';
import type { SearchMatch } from './messages';
import { lineWindow } from './outputDocument';

/**
 * Output that is not UTF-8 (binary records from bpf_seq_write) as `hexdump -C` lays it out: 16 bytes a line.
 * Only the bytes are kept; a line is formatted when the webview asks for its window, so a large output costs
 * its bytes, not a string per line.
 */
export class HexDocument {
  readonly lineCount: number;

  constructor(readonly bytes: Uint8Array) {
    this.lineCount = hexDumpLineCount(bytes.length);
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  /** The whole dump (what Copy copies in the hex view). */
  get text(): string {
    return hexDump(this.bytes);
  }

  line(index: number): string {
    return hexDumpLine(this.bytes, index);
  }

  lines(start: number, count: number): string[] {
    return lineWindow(this, start, count);
  }

  /** The line that holds byte `offset`. */
  lineAt(offset: number): number {
    return Math.floor(offset / HEXDUMP_BYTES_PER_LINE);
  }

  /** Case-insensitive search in the dump's lines (an offset, hex digits such as "ff 80", or ASCII-column text). */
  search(query: string, limit = 1000): { matches: SearchMatch[]; truncated: boolean } {
    const matches: SearchMatch[] = [];
    if (query.length === 0 || query.includes('\n')) return { matches, truncated: false };
    const needle = query.toLowerCase();
    for (let line = 0; line < this.lineCount; line++) {
      const text = this.line(line).toLowerCase();
      for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) {
        if (matches.length === limit) return { matches, truncated: true };
        matches.push({ line, column: i, length: query.length });
      }
    }
    return { matches, truncated: false };
  }
}
