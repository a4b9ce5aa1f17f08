/**
 * `npm run fuzz`: the long-running fuzzed-editing variant. FUZZ_WORKERS=N runs N processes with seeds
 * FUZZ_SEED, FUZZ_SEED+1, ... (one per core: a million edits is hours of one core) and prints their totals. Applies random edit sequences to the example
 * programs forever (or for FUZZ_SECONDS / FUZZ_EDITS), validating after every edit and running every other
 * request (hover, completion, lenses, symbols, run) after each sequence, whose diagnostics must equal a fresh
 * analysis's (assertSameAsFresh: what the service reused from the edits before is what it would compute); prints edits/s as it goes and the
 * totals at the end. Exits 1 on the first failure, printing the counterexample.
 * First it runs the slow pathological inputs once and prints how long each request took.
 */
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { seedPrograms, editArbitrary, applyEdit, fuzzService, exerciseService, MAIN_FILE, PATHOLOGICAL_CASES, startTimer, assertWithinBound } from './editFuzzer';

const BOUND_MS = Number(process.env.FUZZ_BOUND_MS ?? 60_000);

/** A worker's CPU time so far, s (Linux: /proc/PID/stat utime + stime), or undefined where there is no /proc. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch { return undefined; }
}

/**
 * A worker stalls when it uses FUZZ_STALL_SECONDS (default 900) of CPU without a progress line (it prints one at
 * least every 30 s of progress, after an edit or a sequence): far past any request's bound, and a request that never
 * returns cannot fail its bound, so the supervisor fails the run (seed 19101 once sat for an hour in one validation,
 * unreported). A worker starved by the machine uses little CPU and is not a stall.
 */
const STALL_CPU_SECONDS = Number(process.env.FUZZ_STALL_SECONDS ?? 900);

/** Runs `workers` fuzz processes side by side, forwards their output, and prints their totals. */
function supervise(workers: number): Promise<void> {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const started = Date.now();
  const progress = Array.from({ length: workers }, () => ({ edits: 0, sequences: 0, cpuAtLastLine: 0 }));
  const total = (): string => {
    const edits = progress.reduce((sum, p) => sum + p.edits, 0);
    const sequences = progress.reduce((sum, p) => sum + p.sequences, 0);
    const s = (Date.now() - started) / 1000;
    return `fuzz: total ${edits} edits in ${sequences} sequences across ${workers} workers (seeds ${seed}..${seed + workers - 1}), ${s.toFixed(0)} s, ${(edits / s).toFixed(1)} edits/s`;
  };
  console.log(`fuzz: ${workers} workers, seeds ${seed}..${seed + workers - 1}`);
  const traceOf = (i: number): string => (process.env.FUZZ_TRACE ? `${process.env.FUZZ_TRACE}.${i}` : path.join(os.tmpdir(), `bpf-iter-fuzz-${seed + i}.json`));
  const children = progress.map((p, i) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FUZZ_WORKER: String(i), FUZZ_SEED: String(seed + i) };
    if (i > 0) env.FUZZ_SKIP_PATHOLOGICAL = '1';
    // always kept: a stalled or crashed worker's sequence is the counterexample
    env.FUZZ_TRACE = traceOf(i);
    if (process.env.FUZZ_EDITS) env.FUZZ_EDITS = String(Math.ceil(Number(process.env.FUZZ_EDITS) / workers));
    const child = cp.spawn(process.execPath, [...process.execArgv, __filename], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const forward = (chunk: Buffer, stream: NodeJS.WriteStream): void => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const m = /^fuzz: (\d+) edits in (\d+) sequences/.exec(line);
        if (m) { p.edits = Number(m[1]); p.sequences = Number(m[2]); p.cpuAtLastLine = cpuSecondsOf(child.pid) ?? 0; }
        stream.write(`[worker ${i}] ${line}\n`);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => forward(chunk, process.stdout));
    child.stderr.on('data', (chunk: Buffer) => forward(chunk, process.stderr));
    return child;
  });
  let stalled = false;
  const timer = setInterval(() => {
    console.log(total());
    children.forEach((child, i) => {
      const cpu = cpuSecondsOf(child.pid);
      if (stalled || cpu === undefined || cpu - progress[i].cpuAtLastLine < STALL_CPU_SECONDS) return;
      stalled = true;
      console.error(`fuzz: FAILED: worker ${i} (seed ${seed + i}) used ${(cpu - progress[i].cpuAtLastLine).toFixed(0)} s of CPU without finishing a sequence; the sequence is in ${traceOf(i)}`);
      child.kill('SIGKILL');
    });
  }, 30_000);
  return new Promise((resolve) => {
    let running = workers;
    let failed = false;
    for (const child of children) {
      child.on('exit', (code, signal) => {
        if ((code !== 0 || signal) && !failed) {
          failed = true;
          // The first failure ends the run: its counterexample is above.
          for (const other of children) if (other !== child) other.kill('SIGTERM');
        }
        if (--running === 0) {
          clearInterval(timer);
          console.log(total());
          if (failed) process.exitCode = 1;
          resolve();
        }
      });
    }
  });
}

async function main(): Promise<void> {
  const workers = Number(process.env.FUZZ_WORKERS ?? 1);
  if (workers > 1 && process.env.FUZZ_WORKER === undefined) return supervise(workers);
  const seconds = Number(process.env.FUZZ_SECONDS ?? 600);
  const maxEdits = Number(process.env.FUZZ_EDITS ?? Infinity);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const seeds = seedPrograms();
  console.log(`fuzz: seed ${seed}, ${seconds} s${Number.isFinite(maxEdits) ? `, at most ${maxEdits} edits` : ''}`);
  // A process that dies (out of memory, a native crash) cannot report its counterexample: FUZZ_TRACE names a
  // file that always holds the sequence being run.
  const tracePath = process.env.FUZZ_TRACE;
  const { service, files } = fuzzService();

  if (process.env.FUZZ_SKIP_PATHOLOGICAL !== '1') {
    for (const [name, make] of PATHOLOGICAL_CASES) {
      const slowest = await exerciseService(service, files, make(seeds[0]), 7, BOUND_MS, true);
      console.log(`pathological: ${name}: slowest request ${slowest.request} ${slowest.ms.toFixed(0)} ms`);
    }
  }

  const started = Date.now();
  let edits = 0;
  let sequences = 0;
  let lastReport = started;
  const arbitrary = fc.tuple(fc.nat(), fc.array(editArbitrary({ maxNestDepth: 10_000, maxLongLine: 40_000, maxGrowBytes: 10 * 1024 * 1024 }), { minLength: 1, maxLength: 20 }), fc.nat());
  const report = () => {
    const s = (Date.now() - started) / 1000;
    console.log(`fuzz: ${edits} edits in ${sequences} sequences, ${s.toFixed(0)} s, ${(edits / s).toFixed(1)} edits/s, 0 failures (seed ${seed})`);
  };
  try {
    await fc.assert(fc.asyncProperty(arbitrary, async ([seedIndex, sequence, positionSeed]) => {
      let text = seeds[seedIndex % seeds.length];
      if (tracePath) fs.writeFileSync(tracePath, JSON.stringify({ seedIndex, sequence, positionSeed }));
      for (const edit of sequence) {
        text = applyEdit(text, edit, seeds);
        files[MAIN_FILE] = text;
        const stop = startTimer();
        const diagnostics = service.validate(MAIN_FILE, text);
        if (!Array.isArray(diagnostics)) throw new Error('validate returned no array');
        assertWithinBound('validate', BOUND_MS, stop());
        edits++;
        // a line at least every 30 s of progress, inside long sequences too (the supervisor's stall watch reads them)
        if (Date.now() - lastReport > 30_000) { lastReport = Date.now(); report(); }
      }
      await exerciseService(service, files, text, positionSeed, BOUND_MS, true, true);
      sequences++;
      if (Date.now() - lastReport > 30_000) { lastReport = Date.now(); report(); }
    }), {
      seed, numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false,
      skipAllAfterTimeLimit: seconds * 1000,
      ...(Number.isFinite(maxEdits) ? { numRuns: Math.ceil(maxEdits / 10) } : {}),
    });
  } catch (e) {
    report();
    // fast-check attaches the property's own error as the cause.
    const cause = e instanceof Error && e.cause instanceof Error ? `\ncaused by: ${e.cause.stack ?? e.cause.message}` : '';
    console.error(`fuzz: FAILED after ${edits} edits: ${e instanceof Error ? e.message : String(e)}${cause}`);
    process.exit(1);
  }
  report();
}

void main();
