/**
 * When the server validates a document: at once when it is idle, and a burst of changes coalesced into one
 * validation of the latest text. A change schedules the document on the next turn of the event loop (after
 * every message already received has been applied), so edits that arrive together, or while a validation runs
 * (it runs on this thread: they queue in the stream meanwhile), are validated once, as their last version.
 * No timer: a fast validation is never made to wait behind a debounce tuned for a slow one (issue 18).
 */
export class ValidationScheduler {
  private readonly queued = new Set<string>();

  constructor(
    private readonly validate: (uri: string) => void,
    /** Runs a function on the next turn of the event loop (setImmediate); tests pass their own. */
    private readonly defer: (fn: () => void) => void = (fn) => { setImmediate(fn); },
  ) {}

  /** Validates `uri` on the next turn unless it is queued already (the queued run reads the latest text). */
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
