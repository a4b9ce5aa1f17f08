import { RUN_PROGRESS_INTERVAL_MS, type RunProgressParams } from '../../../shared/src/protocol';
import type { RunProgressStats } from '../exec/runner';

/**
 * Turns the runner's progress figures into the RunProgressNotification a client shows: at most one every
 * `intervalMs` of the read loop (the first after `intervalMs`, so a quick run sends none), with the rate so far.
 */
export function runProgressReporter(progressId: string, send: (p: RunProgressParams) => void, intervalMs = RUN_PROGRESS_INTERVAL_MS): (s: RunProgressStats) => void {
  let lastSent = 0;
  return (s) => {
    if (s.elapsedMs - lastSent < intervalMs) return;
    lastSent = s.elapsedMs;
    send(runProgressParams(progressId, s));
  };
}

export function runProgressParams(progressId: string, s: RunProgressStats): RunProgressParams {
  return {
    progressId, objects: s.objects, ...(s.total !== undefined ? { total: s.total } : {}), bytes: s.bytes, elapsedMs: Math.round(s.elapsedMs),
    objectsPerSecond: s.elapsedMs > 0 ? Math.round(s.objects / (s.elapsedMs / 1000)) : 0,
    ...(s.target !== undefined ? { target: s.target } : {}),
  };
}

