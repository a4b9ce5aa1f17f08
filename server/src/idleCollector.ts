/**
 * The young generation's collection between validations instead of inside one (issue 18, latency at the wire).
 *
 * A validation allocates about 1 MB (tokens, trees, types, states) that is garbage once its diagnostics are out.
 * V8 collects the young generation when it is full, and that moment falls inside a later validation, whose own
 * live tokens, trees and states (1-1.5 MB) the scavenge then copies: 4-15 ms added to that keystroke. Collected
 * right after a publish, the young generation holds little more than the analysis the server keeps, and the same
 * collection costs about a millisecond that no keystroke waits for. Chrome gets this from V8's idle-time GC; Node
 * has no idle notification, so the collection is asked for (`gc({ type: 'minor' })`, the function `--expose-gc`
 * gives) when the next validation would fill the young generation past the point where V8 collects it, and only
 * then.
 * Nothing here is required to work: without the function, V8 collects as it always does.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

export interface YoungGeneration {
  /** Bytes allocated in the young generation since its last collection. */
  used: number;
  /** Bytes left of its capacity (V8 collects it before they are all used: see TASK_TRIGGER). */
  available: number;
}

/** What is used and left of V8's new space. */
export function youngGeneration(): YoungGeneration {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return { used: space?.space_used_size ?? 0, available: space?.space_available_size ?? Infinity };
}

/**
 * V8's `gc` asking for a scavenge only, or undefined where it cannot be had. The flag is set just long enough
 * for one new context to get the function: no other context (a worker, the code cache's loader) sees a `gc`.
 */
export function minorCollector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    v8.setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? () => { (gc as (options: { type: 'minor' }) => void)({ type: 'minor' }); } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How far V8 lets the old generation grow past what its last full collection kept before it collects again, in
 * percent (`--heap-growing-percent`; V8's own factor is up to 300 % on a small heap).
 *
 * The analysis the server keeps for a document lives through the next keystroke's validation, so the scavenges
 * promote it, and it dies in the old generation a keystroke later: about one analysis of garbage per edit. Measured
 * in process on the wire bench's 481-line file (200 edits, two runs each, a loaded machine): V8's own factor let the
 * old generation reach 90 MB, 21 MB of it live, and the RSS 202-208 MiB; at 100 % the peak is 156-164 MiB for the
 * same CPU per edit (28-30 ms against 28-33 ms); at 30 % it is 142 MiB but each edit costs 15 % more CPU and the
 * full collections land inside edits (p95 doubled).
 */
export const OLD_GENERATION_GROWTH_PERCENT = 100;

/**
 * Sets OLD_GENERATION_GROWTH_PERCENT for this process (V8 reads it at each full collection). The server sets it at its
 * first publish, not at start: during the open the heap grows by the header index, and a tighter factor there made
 * full collections that cost the next start 60 ms of CPU (measured at the wire with the real vmlinux.h).
 */
export function boundOldGenerationGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}

/** Margin over the largest recent validation's allocation: the next one may be a little bigger. */
const MARGIN = 1.25;
/** V8 posts a scavenge task once the young generation is this full (`--minor-gc-task-trigger`, 80 %). */
const TASK_TRIGGER = 0.8;
/** How fast the remembered largest allocation forgets a big one (the open of a file allocates far more than an edit). */
const DECAY = 0.8;

export class IdleCollector {
  /** The largest young-generation growth of recent validations, bytes (decaying). */
  private expectedGrowth = 0;
  /** Collections asked for so far (tests and benches). */
  collections = 0;

  constructor(
    /** `minorCollector()`; undefined where there is none. */
    private readonly collect: (() => void) | undefined,
    private readonly measure: () => YoungGeneration = youngGeneration,
  ) {}

  /** Call as a validation starts; pass the result to `validated`. */
  validating(): number {
    return this.measure().used;
  }

  /** Call as the validation ends: learns how much one allocates. */
  validated(usedBefore: number): void {
    const used = this.measure().used;
    // fewer bytes than before: V8 collected during the validation, and the difference says nothing
    if (used < usedBefore) return;
    this.expectedGrowth = Math.max(used - usedBefore, this.expectedGrowth * DECAY);
  }

  /** Call when the server is idle (its diagnostics are out): collects now if the next validation would make V8 do it. */
  collectIfNextWouldNotFit(): boolean {
    if (!this.collect || this.expectedGrowth === 0) return false;
    const { used, available } = this.measure();
    if (used + this.expectedGrowth * MARGIN < (used + available) * TASK_TRIGGER) return false;
    this.collect();
    this.collections++;
    return true;
  }
}
