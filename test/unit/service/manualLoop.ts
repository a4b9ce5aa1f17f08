/**
 * A deferred-function queue a test runs by hand: the event loop's next turn (ValidationScheduler) or a quiet moment
 * (Rehearsal), made explicit.
 */
export function manualLoop(): { defer: (fn: () => void) => void; turn: () => void; pending: () => number } {
  let queue: Array<() => void> = [];
  return {
    defer: (fn) => { queue.push(fn); },
    turn: () => { const now = queue; queue = []; for (const fn of now) fn(); },
    pending: () => queue.length,
  };
}
