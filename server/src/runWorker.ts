/**
 * Runs iterators off the language server's main thread (worker_threads), so diagnostics, hover and completion
 * stay responsive during a long run, and a `$/cancelRequest` stops it: the main thread raises a flag in shared
 * memory that the executor polls (the worker's own event loop never needs to run for that).
 */
import { parentPort, Worker } from 'worker_threads';
import * as path from 'path';
import { RunResult } from '../../shared/src/protocol';
import { createMemoryHost, createNodeHost } from './service/host';
import { createLanguageService, LanguageService, RunOptions, Settings } from './service/languageService';
import { runResultForWire, type RunProgressStats } from './exec/runner';
import { outputPager } from './service/runOutput';

export interface RunJob {
  id: number;
  path: string;
  text: string;
  options: Omit<RunOptions, 'isCancelled' | 'onProgress'>;
  settings: Settings;
  /** Open documents (an unsaved scenario, say) by path. */
  overlays: Record<string, string>;
  /** Int32Array over it: [0] becomes 1 when the run is cancelled. */
  cancel: SharedArrayBuffer;
  /** Send the output as it is read (its first keepBytes bytes, in pages) instead of in the result. */
  streamOutput?: { keepBytes: number };
}

type WorkerMessage =
  | { id: number; kind: 'result'; result: RunResult }
  | { id: number; kind: 'progress'; stats: RunProgressStats }
  | { id: number; kind: 'output'; offset: number; page: Uint8Array }
  | { id: number; kind: 'error'; message: string };

// ---- worker side ----
if (parentPort && process.env.BPF_ITER_RUN_WORKER === '1') {
  const port = parentPort;
  let cached: { key: string; service: LanguageService; overlays: Record<string, string> } | undefined;
  port.on('message', async (job: RunJob) => {
    try {
      const flag = new Int32Array(job.cancel);
      const key = JSON.stringify(job.settings);
      if (!cached || cached.key !== key) {
        const overlays: Record<string, string> = {};
        cached = { key, overlays, service: createLanguageService(createMemoryHost(overlays, createNodeHost()), job.settings) };
      }
      for (const k of Object.keys(cached.overlays)) delete cached.overlays[k];
      Object.assign(cached.overlays, job.overlays, { [job.path]: job.text });
      const pager = job.streamOutput
        ? outputPager(job.streamOutput.keepBytes, (offset, page) => port.postMessage({ id: job.id, kind: 'output', offset, page } satisfies WorkerMessage, [page.buffer as ArrayBuffer]))
        : undefined;
      const result = await cached.service.run(job.path, job.text, {
        ...job.options,
        isCancelled: () => Atomics.load(flag, 0) === 1,
        onProgress: (stats) => port.postMessage({ id: job.id, kind: 'progress', stats } satisfies WorkerMessage),
        ...(pager ? { onOutput: (chunk: Uint8Array) => pager.write(chunk) } : {}),
      });
      // the last page goes before the answer: the client has the whole kept output when the result arrives
      pager?.flush();
      const wire = runResultForWire(result);
      port.postMessage({ id: job.id, kind: 'result', result: pager ? { ...wire, streamed: pager.totals } : wire } satisfies WorkerMessage);
    } catch (e) {
      port.postMessage({ id: job.id, kind: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies WorkerMessage);
    }
  });
}

// ---- server side ----
export interface RunHandle {
  result: Promise<RunResult>;
  cancel(): void;
}

/** One worker, started on first use and restarted after a crash; runs are queued in it one at a time. */
export class RunWorkerPool {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, {
    resolve(r: RunResult): void; reject(e: Error): void;
    onProgress?: (s: RunProgressStats) => void;
    onOutput?: (offset: number, page: Uint8Array) => void;
  }>();

  constructor(private readonly entry: string = defaultEntry()) {}

  /** `onOutput` takes the pages of a job that asked for `streamOutput`, in order, all before the result. */
  run(job: Omit<RunJob, 'id' | 'cancel'>, onProgress?: (s: RunProgressStats) => void, onOutput?: (offset: number, page: Uint8Array) => void): RunHandle {
    const id = this.nextId++;
    const cancel = new SharedArrayBuffer(4);
    const result = new Promise<RunResult>((resolve, reject) => this.pending.set(id, { resolve, reject, onProgress, onOutput }));
    this.ensureWorker().postMessage({ ...job, id, cancel } satisfies RunJob);
    return { result, cancel: () => Atomics.store(new Int32Array(cancel), 0, 1) };
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.entry, { env: { ...process.env, BPF_ITER_RUN_WORKER: '1' }, stdout: false, stderr: false });
    worker.on('message', (m: WorkerMessage) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.kind === 'progress') { p.onProgress?.(m.stats); return; }
      if (m.kind === 'output') { p.onOutput?.(m.offset, m.page); return; }
      this.pending.delete(m.id);
      if (m.kind === 'result') p.resolve(m.result);
      else p.reject(new Error(m.message));
    });
    const fail = (why: string) => {
      for (const [, p] of this.pending) p.reject(new Error(why));
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', (e) => fail(`the run worker failed: ${e.message}`));
    worker.on('exit', (code) => fail(`the run worker exited with code ${code}`));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** dist/runWorker.js beside the bundle (scripts/bundle.js makes it), or out/server/src/runWorker.js under tsc. */
function defaultEntry(): string {
  return path.join(__dirname, 'runWorker.js');
}
