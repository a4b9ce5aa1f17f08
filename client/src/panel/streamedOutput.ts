import { OutputDocument } from './outputDocument';

/**
 * A run's output as its pages arrive (RunOutputNotification): shown as text while it streams, and at the end either
 * that text or, when the bytes are not UTF-8 (bpf_seq_write() records), the exact bytes for the hex view.
 * The pages hold the first `keepBytes` of the output; the server counts the rest (RunResult.streamed).
 */
export class StreamedOutput {
  readonly document = new OutputDocument('');
  // ignoreBOM keeps a leading BOM as U+FEFF, as RunResult.output does: the text is then exactly the bytes
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** The pages once the output turned out binary (from its start); while it is text, its text is its bytes. */
  private pages: Uint8Array[] = [];
  /** The last (up to 3) bytes received while the output is text: an unfinished character there is inside the decoder. */
  private recent: Uint8Array = new Uint8Array(0);
  private received = 0;
  /** Set when a page was not UTF-8: the text view then stops growing and the end result is binary. */
  private notText = false;

  /** Bytes received so far. */
  get byteLength(): number {
    return this.received;
  }

  get binary(): boolean {
    return this.notText;
  }

  /** Takes the page at `offset`; a page that does not continue the output (a lost or repeated one) is an error. */
  append(offset: number, page: Uint8Array): void {
    if (offset !== this.received) throw new Error(`output page at byte ${offset}, expected ${this.received}`);
    const before = this.received;
    this.received += page.length;
    if (this.notText) { this.pages.push(page); return; }
    try {
      this.document.append(this.decoder.decode(page, { stream: true }));
      const joined = new Uint8Array(this.recent.length + Math.min(page.length, 3));
      joined.set(this.recent);
      joined.set(page.subarray(page.length - Math.min(page.length, 3)), this.recent.length);
      this.recent = joined.slice(joined.length - Math.min(joined.length, 3));
    } catch {
      this.becomeBinary(before, page);
    }
  }

  /** Rebuilds the bytes so far from the text (lossless: it decoded without error) and the decoder's unfinished tail. */
  private becomeBinary(before: number, page?: Uint8Array): void {
    this.notText = true;
    const decoded = new TextEncoder().encode(this.document.text);
    const tail = this.recent.subarray(this.recent.length - (before - decoded.length));
    this.pages = [decoded, tail, ...(page ? [page] : [])];
    this.recent = new Uint8Array(0);
  }

  /**
   * The end of the stream: the text, or the bytes when they are not UTF-8. `truncated`: the server stopped sending at
   * keepBytes, so an unfinished character at the end is the cut, not a binary byte.
   */
  finish(truncated: boolean): { text: OutputDocument } | { bytes: Uint8Array } {
    if (!this.notText && !truncated) {
      try { this.document.append(this.decoder.decode()); } catch { this.becomeBinary(this.received); }
    }
    if (!this.notText) return { text: this.document };
    const bytes = new Uint8Array(this.received);
    let at = 0;
    for (const page of this.pages) { bytes.set(page, at); at += page.length; }
    return { bytes };
  }
}
