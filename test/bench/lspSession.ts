/**
 * A language server in a child process driven as an editor drives it, shared by the benches that measure at the
 * wire (wire.bench.ts: `bpf-iter lsp --stdio`; service.bench.ts: clangd on the same program): initialize, open,
 * await the diagnostics published for each document version, time requests, read the peak RSS, shut down.
 */
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, InitializeRequest, InitializedNotification,
  DidOpenTextDocumentNotification, PublishDiagnosticsNotification, HoverRequest, CompletionRequest, ShutdownRequest,
  ExitNotification, ProtocolConnection, Diagnostic, Position,
} from 'vscode-languageserver-protocol/node';
import { URI } from '../../server/src/service/uri';

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface LspSession {
  connection: ProtocolConnection;
  uri: string;
  /** Resolves with the diagnostics published for document `version` (set up before sending the change). */
  diagnosticsFor(version: number): Promise<Diagnostic[]>;
  /** didOpen as version 1; resolves with the time to its diagnostics. */
  open(text: string): Promise<{ ms: number; diagnostics: Diagnostic[] }>;
  /** p95 of `count` hovers at `hoverAt` and `count` completions at `completeAt`. */
  hoverAndCompletionP95(hoverAt: Position, completeAt: Position, count: number): Promise<{ hoverP95: number; completionP95: number }>;
  /** The server's peak resident set (VmHWM), MiB. */
  peakRssMiB(): number;
  /**
   * CPU time the server's main thread has used so far, ms (/proc/PID/schedstat, nanoseconds), or NaN where there
   * is no /proc. Wall times at the wire count the waits for a busy machine's cores; CPU time does not.
   */
  serverCpuMs(): number;
  /**
   * CPU time the server's other threads have used so far, ms (each /proc/PID/task/TID/schedstat but the main
   * thread's): V8's background compilers and GC helpers. On a 2-core machine they compete with the main thread and
   * the client for the cores, so they count in the wall times though not in `serverCpuMs`. NaN without /proc.
   */
  serverOtherThreadsCpuMs(): number;
  /**
   * Minor page faults the server has taken so far (/proc/PID/stat minflt), NaN without /proc: the first write to a
   * page V8 committed or discarded since costs one, about 15-20 µs each on this virtual machine.
   */
  serverPageFaults(): number;
  close(): Promise<void>;
}

/** Starts `command args` in `file`'s folder and initializes it for that file. */
export async function startLspSession(command: string, args: string[], file: string, env?: NodeJS.ProcessEnv): Promise<LspSession> {
  const debug = Boolean(process.env.BENCH_DEBUG);
  const child = cp.spawn(command, args, { cwd: path.dirname(file), stdio: 'pipe', env: env ?? process.env });
  if (debug) child.stderr.on('data', (d) => process.stderr.write(d));
  else child.stderr.resume();
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = new Map<number, (diagnostics: Diagnostic[]) => void>();
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (debug) console.error('publish', p.version, p.diagnostics.length);
    if (p.version !== undefined) waiters.get(p.version)?.(p.diagnostics);
  });
  connection.onRequest('workspace/configuration', () => [null]);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const uri = URI.fromPath(file);
  const diagnosticsFor = (version: number) => new Promise<Diagnostic[]>((resolve) => waiters.set(version, resolve));
  const timed = async (request: () => Promise<unknown>) => { const t = performance.now(); await request(); return performance.now() - t; };
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid, rootUri: URI.fromPath(path.dirname(file)), workspaceFolders: null,
    capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection, uri, diagnosticsFor,
    async open(text) {
      const started = performance.now();
      const published = diagnosticsFor(1);
      await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'c', version: 1, text } });
      const diagnostics = await published;
      return { ms: performance.now() - started, diagnostics };
    },
    async hoverAndCompletionP95(hoverAt, completeAt, count) {
      const hovers: number[] = [];
      const completions: number[] = [];
      for (let i = 0; i < count; i++) hovers.push(await timed(() => connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: hoverAt })));
      for (let i = 0; i < count; i++) completions.push(await timed(() => connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: completeAt })));
      return { hoverP95: percentile(hovers, 95), completionP95: percentile(completions, 95) };
    },
    peakRssMiB() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    serverCpuMs() {
      try { return Number(fs.readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6; } catch { return NaN; }
    },
    serverOtherThreadsCpuMs() {
      try {
        let ns = 0;
        for (const task of fs.readdirSync(`/proc/${child.pid}/task`)) {
          if (task === String(child.pid)) continue;
          // a thread may end between the listing and the read
          try { ns += Number(fs.readFileSync(`/proc/${child.pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]); } catch { /* gone */ }
        }
        return ns / 1e6;
      } catch { return NaN; }
    },
    serverPageFaults() {
      // the fields after the command name, which may hold spaces: state is the first, minflt the eighth
      try { return Number(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]); } catch { return NaN; }
    },
    async close() {
      try { await connection.sendRequest(ShutdownRequest.type); await connection.sendNotification(ExitNotification.type); } catch { /* gone */ }
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      connection.dispose();
    },
  };
}
