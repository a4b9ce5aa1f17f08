/**
 * When the server validates a document: almost at once when it is idle, and a burst of changes coalesced into one
 * validation of the latest text. A change schedules the document COALESCE_MS later; every change, open or close
 * that arrives meanwhile joins it (a close cancels it), so a burst is validated once, as its last version.
 * Not the next event-loop turn: vscode-jsonrpc hands over each queued message on a turn of its own, so a
 * validation there ran between an open and the change right behind it (10,000 open/change/close cycles then
 * validated every one, minutes instead of seconds). And not an adaptive debounce: a fast validation is never
 * made to wait behind a delay tuned for a slow one (issue 18).
 */
export const COALESCE_MS = 4;

export class ValidationScheduler {
  private readonly queued = new Set<string>();

  constructor(
    private readonly validate: (uri: string) => void,
    /** Runs a function COALESCE_MS later; tests pass their own. */
    private readonly defer: (fn: () => void) => void = (fn) => { setTimeout(fn, COALESCE_MS); },
  ) {}

  /** Validates `uri` soon unless it is queued already (the queued run reads the latest text). */
  schedule(uri: string): void {
    if (this.queued.has(uri)) return;
    this.queued.add(uri);
    this.defer(() => {
      if (!this.queued.delete(uri)) return;
      this.validate(uri);
    });
  }

  /** Forgets a queued validation (the document was closed). */
  cancel(uri: string): void {
    this.queued.delete(uri);
  }
}
