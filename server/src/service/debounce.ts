/**
 * How long the server waits after a change before it validates a document: as long as validating it usually
 * takes, between 50 and 500 ms, like clangd's DebouncePolicy (the median of the last 15 rebuilds, clamped).
 * A small program gets its diagnostics 50 ms after typing stops; a 10 MB file that takes a second to check is
 * not checked again on every keystroke.
 */
export class DebouncePolicy {
  static readonly MIN_MS = 50;
  static readonly MAX_MS = 500;
  private static readonly HISTORY = 15;
  private readonly history: number[] = [];

  /** Records how long one validation took. */
  record(ms: number): void {
    this.history.push(ms);
    if (this.history.length > DebouncePolicy.HISTORY) this.history.shift();
  }

  delayMs(): number {
    if (this.history.length === 0) return DebouncePolicy.MIN_MS;
    const sorted = [...this.history].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    return Math.min(DebouncePolicy.MAX_MS, Math.max(DebouncePolicy.MIN_MS, median));
  }
}
