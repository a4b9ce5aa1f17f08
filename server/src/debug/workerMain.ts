/** Worker entry for the compiled (unbundled) adapter; the bundle uses dist/debug.js itself as the worker. */
import { workerData } from 'worker_threads';
import { isDebugWorkerData, runDebugWorker } from './worker';

if (isDebugWorkerData(workerData)) void runDebugWorker(workerData);
