import type { SearchMatch } from './messages';

/**
 * The seq output of one run, held by the extension and sent to the webview a window of lines at a time,
 * so a 100 MB output never becomes one DOM text node or one postMessage.
 * Lines are split on '\n' only, as `cat` shows them; a trailing newline does not start an extra line.
 */
export class OutputDocument {
  /** Offset in `text` where each line starts; [0, lineCount) are used, the rest is room to grow. */
  private lineStarts: Uint32Array | Float64Array = new Uint32Array(16);
  private count = 0;
  /**
   * The text as appended, piece by piece, with each piece's offset: a streamed output grows by pages, and one
   * string grown by += would be copied whole (flattened by V8) at the next read of a character, once per page.
   */
  private readonly pieces: string[] = [];
  private readonly pieceStarts: number[] = [];
  private length = 0;
  private endsWithNewline = false;
  /** `text`, joined on first use after an append. */
  private joined: string | undefined = '';

  constructor(text: string) {
    this.append(text);
  }

  get text(): string {
    this.joined ??= this.pieces.join('');
    return this.joined;
  }

  get lineCount(): number {
    return this.count;
  }

  /**
   * Adds text at the end (a streamed run's next page). Only the new text is searched for line breaks, so a
   * growing output costs its own length once, whatever the number of pages.
   */
  append(piece: string): void {
    if (piece.length === 0) return;
    const before = this.length;
    // the text's last newline starts a line only now that something follows it
    if (before === 0 || this.endsWithNewline) this.pushLineStart(before);
    this.pieces.push(piece);
    this.pieceStarts.push(before);
    this.length += piece.length;
    this.endsWithNewline = piece.charCodeAt(piece.length - 1) === 10;
    this.joined = this.pieces.length === 1 ? piece : undefined;
    for (let i = piece.indexOf('\n'); i !== -1; i = piece.indexOf('\n', i + 1)) {
      if (i + 1 < piece.length) this.pushLineStart(before + i + 1);
    }
  }

  private pushLineStart(offset: number): void {
    if (this.count === this.lineStarts.length || (offset > 0xffffffff && this.lineStarts instanceof Uint32Array)) {
      const wider = offset > 0xffffffff || this.lineStarts instanceof Float64Array;
      const grown = wider ? new Float64Array(this.lineStarts.length * 2) : new Uint32Array(this.lineStarts.length * 2);
      grown.set(this.lineStarts.subarray(0, this.count));
      this.lineStarts = grown;
    }
    this.lineStarts[this.count++] = offset;
  }

  /** The text in [start, end), read from the pieces it spans. */
  private slice(start: number, end: number): string {
    if (this.joined !== undefined) return this.joined.slice(start, end);
    let lo = 0;
    let hi = this.pieceStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.pieceStarts[mid] <= start) lo = mid; else hi = mid - 1;
    }
    let out = '';
    for (let i = lo; i < this.pieces.length && this.pieceStarts[i] < end; i++) {
      out += this.pieces[i].slice(Math.max(0, start - this.pieceStarts[i]), end - this.pieceStarts[i]);
    }
    return out;
  }

  /** UTF-8 size, what `cat | wc -c` prints. */
  get byteLength(): number {
    let bytes = 0;
    for (const piece of this.pieces) bytes += Buffer.byteLength(piece, 'utf8');
    return bytes;
  }

  line(index: number): string {
    const start = this.lineStarts[index];
    const end = index + 1 < this.lineCount ? this.lineStarts[index + 1] : this.length;
    const text = this.slice(start, end);
    return text.charCodeAt(text.length - 1) === 10 ? text.slice(0, -1) : text;
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
