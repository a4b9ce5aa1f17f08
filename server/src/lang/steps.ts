/**
 * Work in steps: a generator that yields between its phases, so a caller can stop it there (an editor drops an
 * analysis when a newer version of the document has arrived: service/analysis.ts runStepsUnlessObsolete) or run it
 * to the end at once (`runSteps`).
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs steps to their end at once. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
