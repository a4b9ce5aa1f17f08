/**
 * Checks many files over the machine's cores, as run-clang-tidy does: worker threads, each with its own
 * language service, so each keeps its parsed headers (the header cache and the preamble) across the files it
 * is handed. Files are handed out one at a time as workers finish (a big file does not hold back a queue), and
 * results are delivered in the order of the input list, whatever order they finish in.
 *
 * The worker is this same module (`dist/cli.js` when bundled, `out/server/src/cli/checkPool.js` in tests),
 * started with `workerData.bpfIterCheckWorker` set.
 */
import * as os from 'os';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { createNodeHost, FileHost } from '../service/host';
import { createLanguageService, LanguageService, Settings, ValidateOptions } from '../service/languageService';
import { LspDiagnostic } from '../service/diagnostics';

export interface CheckJob {
  /** Absolute path (the build setup and the scenario are found from it). */
  path: string;
  /** The text to check instead of the file's (stdin); read from the file when absent. */
  text?: string;
}

export interface CheckOutcome {
  text: string;
  diagnostics: LspDiagnostic[];
  /** Set when the file could not be read. */
  readError?: string;
}

interface WorkerSetup { bpfIterCheckWorker: true; settings: Settings; options: ValidateOptions }
type ToWorker = { index: number; job: CheckJob };
type FromWorker = { index: number; outcome: CheckOutcome } | { index: number; internalError: string };

/** Checks one file with a service; the same code in a worker and in the main thread. */
export function checkFile(service: LanguageService, host: FileHost, job: CheckJob, options: ValidateOptions): CheckOutcome {
  const text = job.text ?? host.readFile(job.path);
  if (text === undefined) return { text: '', diagnostics: [], readError: `cannot read ${job.path}` };
  return { text, diagnostics: service.validate(job.path, text, options) };
}

export interface PoolOptions {
  settings: Settings;
  options: ValidateOptions;
  /** Worker threads at most; 1 checks in this thread. Default: the cores available. */
  jobs?: number;
  /** Called with each file's outcome, in input order. */
  onResult(index: number, outcome: CheckOutcome): void;
  /** Called when any file finishes (in finishing order), for a progress line. */
  onProgress?(done: number, total: number, file: string): void;
}

export function defaultJobs(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export async function checkFiles(jobs: readonly CheckJob[], pool: PoolOptions): Promise<void> {
  const width = Math.min(pool.jobs ?? defaultJobs(), jobs.length);
  if (width <= 1) {
    const host = createNodeHost();
    const service = createLanguageService(host, pool.settings);
    for (let i = 0; i < jobs.length; i++) {
      const outcome = checkFile(service, host, jobs[i], pool.options);
      pool.onProgress?.(i + 1, jobs.length, jobs[i].path);
      pool.onResult(i, outcome);
    }
    return;
  }
  const results: Array<CheckOutcome | undefined> = new Array(jobs.length);
  let delivered = 0, next = 0, done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const setup: WorkerSetup = { bpfIterCheckWorker: true, settings: pool.settings, options: pool.options };
      const feed = (worker: Worker) => {
        if (next < jobs.length) { const index = next++; worker.postMessage({ index, job: jobs[index] } satisfies ToWorker); }
      };
      for (let w = 0; w < width; w++) {
        const worker = new Worker(__filename, { workerData: setup });
        workers.push(worker);
        worker.on('message', (m: FromWorker) => {
          if ('internalError' in m) { reject(new Error(`checking ${jobs[m.index].path}: ${m.internalError}`)); return; }
          results[m.index] = m.outcome;
          done++;
          pool.onProgress?.(done, jobs.length, jobs[m.index].path);
          try {
            while (delivered < jobs.length && results[delivered]) {
              pool.onResult(delivered, results[delivered]!);
              results[delivered] = undefined; // printed: let it go
              delivered++;
            }
          } catch (e) { reject(e); return; }
          if (delivered === jobs.length) resolve();
          else feed(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => { if (delivered < jobs.length) reject(new Error(`a check worker exited with code ${code}`)); });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// ---- worker side ----
if (!isMainThread && parentPort && (workerData as WorkerSetup | undefined)?.bpfIterCheckWorker) {
  const setup = workerData as WorkerSetup;
  const port = parentPort;
  const host = createNodeHost();
  const service = createLanguageService(host, setup.settings);
  port.on('message', (m: ToWorker) => {
    try {
      port.postMessage({ index: m.index, outcome: checkFile(service, host, m.job, setup.options) } satisfies FromWorker);
    } catch (e) {
      port.postMessage({ index: m.index, internalError: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies FromWorker);
    }
  });
}
