/**
 * The edit path rehearsed while the server is idle after its first publishes (issue 18). The first keystrokes after
 * an open ran in code V8 had not optimized yet: about twice as slow as the later ones, with V8's compilers busy on
 * the other core meanwhile. A few validations of the open document on a scratch analyzer, each started only after a
 * quiet moment, let V8 do that work while the user reads the file.
 *
 * A round runs only after a quiet moment: nothing happened since it was armed (no change, request or publish: the
 * server's activity count did not move) and no validation is queued or under way; one that finds the server busy
 * waits for the next publish. The rounds are few and counted for the whole process (the edit path is the same code
 * for every file).
 */
export class Rehearsal {
  private left: number;
  private waiting = false;
  /** The server's activity count when the waiting round was armed. */
  private armedAt = 0;

  constructor(
    rounds: number,
    /** No validation queued or under way. */
    private readonly isIdle: () => boolean,
    /** Runs one rehearsal; false when there was nothing to rehearse (no open program): the next publish tries again. */
    private readonly rehearse: () => boolean,
    private readonly options: RehearsalOptions = {},
  ) {
    this.left = rounds;
  }

  private get activity(): () => number { return this.options.activity ?? (() => 0); }

  /** Rounds not run yet. */
  get remaining(): number {
    return this.left;
  }

  /** No more rounds (one failed: the real validations will say why). */
  stop(): void {
    this.left = 0;
  }

  /** Call after each publish: the next round comes after a quiet moment, if the server is idle then. */
  afterPublish(): void {
    if (this.left <= 0 || this.waiting) return;
    this.waiting = true;
    this.armedAt = this.activity();
    (this.options.later ?? ((fn: () => void) => { setTimeout(fn, QUIET_MS); }))(() => this.round());
  }

  private round(): void {
    this.waiting = false;
    if (this.left <= 0 || this.activity() !== this.armedAt || !this.isIdle()) return;
    const now = this.options.now ?? (() => performance.now());
    const started = now();
    if (!this.rehearse()) return;
    // (the rehearsal may have called stop(), when it failed)
    this.left = Math.max(0, this.left - 1);
    // a document this slow to validate (megabytes of code) would make a keystroke wait for a whole round
    if (now() - started > (this.options.roundLimitMs ?? ROUND_LIMIT_MS)) this.left = 0;
    this.afterPublish();
  }
}

export interface RehearsalOptions {
  /** Runs a function after a quiet moment (default: 10 ms later); tests pass their own. */
  later?: (fn: () => void) => void;
  /** A count the server moves at every message it handles and every publish: a round needs it unmoved. */
  activity?: () => number;
  /** The clock a round is timed with (milliseconds); tests pass their own. */
  now?: () => number;
  /** A round longer than this ends the rehearsal (default 50 ms; a round of a small program takes ~10). */
  roundLimitMs?: number;
}

/** Between rounds and after a publish: an editor sends the next change of fast typing within a few milliseconds. */
const QUIET_MS = 10;
/** A keystroke that arrives during a round waits for it: rounds longer than this are not worth it. */
const ROUND_LIMIT_MS = 50;
