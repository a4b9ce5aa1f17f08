import type { SearchMatch } from './messages';

/**
 * The seq output of one run, held by the extension and sent to the webview a window of lines at a time,
 * so a 100 MB output never becomes one DOM text node or one postMessage.
 * Lines are split on '\n' only, as `cat` shows them; a trailing newline does not start an extra line.
 */
export class OutputDocument {
  /** Offset in `text` where each line starts. */
  private readonly lineStarts: Uint32Array | Float64Array;
  readonly lineCount: number;

  constructor(readonly text: string) {
    const starts: number[] = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      if (i + 1 < text.length) starts.push(i + 1);
    }
    this.lineCount = text.length === 0 ? 0 : starts.length;
    this.lineStarts = text.length <= 0xffffffff ? Uint32Array.from(starts) : Float64Array.from(starts);
  }

  /** UTF-8 size, what `cat | wc -c` prints. */
  get byteLength(): number {
    return Buffer.byteLength(this.text, 'utf8');
  }

  line(index: number): string {
    const start = this.lineStarts[index];
    const next = index + 1 < this.lineCount ? this.lineStarts[index + 1] - 1 : this.text.length;
    const end = next > start && this.text.charCodeAt(next - 1) === 10 ? next - 1 : next;
    return this.text.slice(start, end);
  }

  /** Lines [start, start+count) clamped to the document; a window past the end is empty. */
  lines(start: number, count: number): string[] {
    return lineWindow(this, start, count);
  }

  /** The line that contains text offset `offset` (binary search over line starts). */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.lineCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Case-insensitive plain-text search. Stops after `limit` matches so a one-letter query on a huge output
   * answers at once; the caller shows "first N matches".
   */
  search(query: string, limit = 1000): { matches: SearchMatch[]; truncated: boolean } {
    const matches: SearchMatch[] = [];
    if (query.length === 0 || query.includes('\n')) return { matches, truncated: false };
    const needle = query.toLowerCase();
    const haystack = needle === query.toUpperCase() ? this.text : this.text.toLowerCase();
    for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) {
      if (matches.length === limit) return { matches, truncated: true };
      const line = this.lineAt(i);
      matches.push({ line, column: i - this.lineStarts[line], length: query.length });
    }
    return { matches, truncated: false };
  }
}

/** Lines [start, start+count) of a document, clamped to it: the one windowing both the text and the hex view use. */
export function lineWindow(doc: { lineCount: number; line(index: number): string }, start: number, count: number): string[] {
  const from = Math.max(0, Math.min(start, doc.lineCount));
  const to = Math.max(from, Math.min(doc.lineCount, from + Math.max(0, count)));
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(doc.line(i));
  return out;
}
