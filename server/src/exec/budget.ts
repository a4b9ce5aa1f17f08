/**
 * The instruction budget and cooperative cancellation of one run.
 *
 * The unit is one executed IR statement (a function body, each loop iteration's body and every nested
 * statement count), so a run of straight-line code costs what it looks like and no loop can spin without
 * paying. Both executors keep a countdown `left` and call `refill` when it reaches zero: refill is the slow
 * path that hands out the next chunk, detects exhaustion and polls the cancellation callback. Chunks are
 * cut identically for both executors, so they stop at the same statement with the same error.
 */
import type { Loc } from '../lang/ir';
import { ExecError } from './values';

/** The verifier's limit on processed instructions (BPF_COMPLEXITY_LIMIT_INSNS). */
export const DEFAULT_INSTRUCTION_BUDGET = 1_000_000;
export const DEFAULT_CANCEL_CHECK_INTERVAL = 4096;

export interface BudgetOptions {
  /** Statements a run may execute; default 1,000,000. */
  instructionBudget?: number;
  /** Polled every `cancelCheckInterval` statements; returning true stops the run with a 'cancelled' error. */
  isCancelled?: () => boolean;
  cancelCheckInterval?: number;
}

export class Budget {
  readonly limit: number;
  private readonly interval: number;
  private readonly isCancelled: (() => boolean) | undefined;
  /** Statements handed out so far (including the current chunk). */
  private granted = 0;

  constructor(options: BudgetOptions = {}) {
    const limit = options.instructionBudget ?? DEFAULT_INSTRUCTION_BUDGET;
    this.limit = Number.isFinite(limit) && limit >= 0 ? Math.floor(limit) : DEFAULT_INSTRUCTION_BUDGET;
    const interval = options.cancelCheckInterval ?? DEFAULT_CANCEL_CHECK_INTERVAL;
    this.interval = Number.isFinite(interval) && interval >= 1 ? Math.floor(interval) : DEFAULT_CANCEL_CHECK_INTERVAL;
    this.isCancelled = options.isCancelled;
  }

  /**
   * Called when the countdown is at zero and a statement at `loc` wants to run: returns the new countdown
   * with that statement already paid for, or throws.
   */
  refill(loc: Loc): number {
    if (this.granted >= this.limit) {
      throw new ExecError('budget',
        `instruction budget of ${this.limit} statements exhausted (the verifier's limit is 1000000 instructions); ` +
        'raise it with the setting bpfIter.instructionBudget or the CLI option --budget', loc);
    }
    if (this.isCancelled !== undefined && this.granted > 0 && this.isCancelled()) {
      throw new ExecError('cancelled', `run cancelled after ${this.granted} statements`, loc);
    }
    const chunk = Math.min(this.interval, this.limit - this.granted);
    this.granted += chunk;
    return chunk - 1;
  }

  /** Starts a new run with the full budget. */
  reset(): void { this.granted = 0; }

  /** Grants the first chunk of a run and returns the countdown (0 when the budget is 0: the first statement fails). */
  start(): number {
    this.granted = Math.min(this.interval, this.limit);
    return this.granted;
  }

  /** Statements executed, given the countdown left at the end of the run. */
  used(left: number): number { return this.granted - left; }
}
