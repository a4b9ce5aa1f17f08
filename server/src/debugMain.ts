/**
 * `node dist/debug.js`: the bpf-iter debug adapter over stdio. The same file is the adapter's worker thread
 * (it runs the iterator), so the bundle is one file.
 */
import { isMainThread, workerData } from 'worker_threads';
import { DebugSession } from '@vscode/debugadapter';
import { BpfIterDebugSession } from './debug/adapter';
import { isDebugWorkerData, runDebugWorker } from './debug/worker';

class StdioDebugSession extends BpfIterDebugSession {
  constructor() { super({ workerScript: __filename }); }
}

if (!isMainThread && isDebugWorkerData(workerData)) void runDebugWorker(workerData);
else if (isMainThread) DebugSession.run(StdioDebugSession);
