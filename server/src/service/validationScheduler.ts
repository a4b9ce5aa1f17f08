/**
 * When the server validates a document: as soon as the messages that arrived with its change have been handled,
 * and a burst of changes coalesced into one validation of the latest text.
 *
 * vscode-jsonrpc hands over each queued message on an event-loop turn of its own (a setImmediate), so the
 * validation waits for quiet: it looks once per turn and starts when one whole turn passed in which the document
 * was not scheduled again or closed. Its first look comes before the handling of the message right behind the
 * change (that one's turn was queued after it), so it never validates on its first look. An idle server thus
 * answers two turns after the change, microseconds later, without sleeping on a timer (a process woken from a
 * timer on a busy machine waits for a core); a burst (open, change, close, ...) is validated once, as its last
 * version, or not at all once closed. Not an adaptive debounce: a fast validation is never made to wait behind a
 * delay tuned for a slow one (issue 18).
 */
export class ValidationScheduler {
  /** Queued documents, each with how many times it was scheduled again since it was queued. */
  private readonly queued = new Map<string, { activity: number }>();

  constructor(
    private readonly validate: (uri: string) => void,
    /** Runs a function at the event loop's next turn; tests pass their own. */
    private readonly defer: (fn: () => void) => void = (fn) => { setImmediate(fn); },
  ) {}

  /** Validates `uri` once the messages around this change were handled (the run reads the latest text). */
  schedule(uri: string): void {
    const queued = this.queued.get(uri);
    if (queued) { queued.activity++; return; }
    const entry = { activity: 0 };
    this.queued.set(uri, entry);
    this.look(uri, entry, 0, true);
  }

  /** No document is waiting for its validation. */
  get idle(): boolean {
    return this.queued.size === 0;
  }

  /** Forgets a queued validation (the document was closed). */
  cancel(uri: string): void {
    this.queued.delete(uri);
  }

  /** One look per turn: validate after a whole turn without activity on the document (see the module comment). */
  private look(uri: string, entry: { activity: number }, seen: number, first: boolean): void {
    this.defer(() => {
      if (this.queued.get(uri) !== entry) return;
      if (first || entry.activity !== seen) { this.look(uri, entry, entry.activity, false); return; }
      this.queued.delete(uri);
      this.validate(uri);
    });
  }
}
