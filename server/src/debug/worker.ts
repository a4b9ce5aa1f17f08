/**
 * The worker-thread side: runs a DebugEngine whose pauses block the worker on Atomics.wait while the main thread
 * keeps serving the Debug Adapter Protocol. Commands arrive on a MessagePort read synchronously
 * (receiveMessageOnPort); the shared words say when to wake up and that commands are waiting.
 */
import { parentPort, receiveMessageOnPort, type MessagePort } from 'worker_threads';
import { DebugEngine } from './engine';
import { PENDING, WAKE, type FromEngine, type LaunchArguments, type ToEngine } from './messages';

export interface WorkerData { bpfIterDebugWorker: true; launch: LaunchArguments; signal: SharedArrayBuffer; port: MessagePort }

export function isDebugWorkerData(data: unknown): data is WorkerData {
  return typeof data === 'object' && data !== null && (data as WorkerData).bpfIterDebugWorker === true;
}

export async function runDebugWorker(data: WorkerData): Promise<void> {
  const words = new Int32Array(data.signal);
  const engine = new DebugEngine(data.launch, {
    post: (m: FromEngine) => parentPort!.postMessage(m),
    receive: () => {
      Atomics.store(words, PENDING, 0);
      const got = receiveMessageOnPort(data.port);
      return got?.message as ToEngine | undefined;
    },
    wait: () => {
      Atomics.wait(words, WAKE, 0);
      Atomics.store(words, WAKE, 0);
    },
    pending: () => Atomics.load(words, PENDING) !== 0,
  });
  await engine.main();
  data.port.close();
}
