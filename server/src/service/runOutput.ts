/**
 * A streamed run's output as the reader receives it: pages of the first `keepBytes` bytes, sent in order, and a
 * count of the rest. The seq_file hands `cat` one read() at a time; the language server hands the editor pages the
 * same way, so a 1 GB output never sits in the server or in one JSON message.
 */
export interface OutputPager {
  /** Takes one read()'s bytes; the pager copies what it keeps, so the caller may reuse its buffer. */
  write(chunk: Uint8Array): void;
  /** Sends what is pending; called at the end of the run, before its answer. */
  flush(): void;
  /** The output's size so far and how many of its bytes were (or are about to be) sent. */
  readonly totals: { bytes: number; sentBytes: number };
}

/** Pages of at least this many bytes (or what came within PAGE_INTERVAL_MS), so a long run shows its output live. */
export const PAGE_BYTES = 64 * 1024;
export const PAGE_INTERVAL_MS = 100;

export function outputPager(
  keepBytes: number,
  send: (offset: number, page: Uint8Array) => void,
  options: { pageBytes?: number; intervalMs?: number; now?: () => number } = {},
): OutputPager {
  const pageBytes = options.pageBytes ?? PAGE_BYTES;
  const intervalMs = options.intervalMs ?? PAGE_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let total = 0;
  let sent = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let lastSend = now();
  const flush = (): void => {
    lastSend = now();
    if (pendingBytes === 0) return;
    const page = new Uint8Array(pendingBytes);
    let at = 0;
    for (const part of pending) { page.set(part, at); at += part.length; }
    send(sent, page);
    sent += pendingBytes;
    pending = [];
    pendingBytes = 0;
  };
  return {
    write(chunk) {
      total += chunk.length;
      const room = keepBytes - sent - pendingBytes;
      if (room <= 0) return;
      pending.push(chunk.slice(0, Math.min(room, chunk.length)));
      pendingBytes += Math.min(room, chunk.length);
      if (pendingBytes >= pageBytes || now() - lastSend >= intervalMs) flush();
    },
    flush,
    get totals() { return { bytes: total, sentBytes: sent + pendingBytes }; },
  };
}
