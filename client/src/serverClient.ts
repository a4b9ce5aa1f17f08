import * as vscode from 'vscode';
import {
  CloseAction, CloseHandlerResult, ErrorAction, ErrorHandler, ErrorHandlerResult,
  LanguageClient, LanguageClientOptions, NotificationType, RequestParam, RequestType, ServerOptions, State, TransportKind,
} from 'vscode-languageclient/node';
import { WATCHED_FILES_GLOB, type InitializationOptions } from '../../shared/src/protocol';
import { shouldReportCSyntaxErrors } from './cSyntaxPolicy';

/** Every C document: the server validates the BPF program sources (server/src/service/bpfSources.ts: `*.bpf.c`, a `.c` with a BPF section, a `.c` built for BPF); a header's change re-validates the programs. */
export const BPF_C_SELECTOR = [{ scheme: 'file', language: 'c' }];

export type ServerState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

/** How many crashes in CRASH_WINDOW_MS we restart from before giving up (vscode-languageclient's default too). */
const MAX_RESTARTS = 4;
const CRASH_WINDOW_MS = 3 * 60 * 1000;

/**
 * Owns the language client: starts the bundled server over Node IPC, restarts it after a crash (the client
 * re-sends the open documents on start), and restarts it when a setting that the server reads at start changes.
 */
export class ServerClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private currentState: ServerState = 'stopped';
  private crashTimes: number[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, readonly outputChannel: vscode.LogOutputChannel) {
    this.disposables.push(this.stateEmitter, vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('bpfIter.reportCSyntaxErrorsWithOtherCExtensions')) void this.restart();
    }));
  }

  get state(): ServerState {
    return this.currentState;
  }

  /** The server's process id while it runs (tests kill it to check crash recovery). */
  get serverPid(): number | undefined {
    return this.client?.serverProcess?.pid;
  }

  async start(): Promise<void> {
    if (this.client) return;
    const serverModule = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: BPF_C_SELECTOR,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher(WATCHED_FILES_GLOB) },
      initializationOptions: this.initializationOptions(),
      outputChannel: this.outputChannel,
      errorHandler: this.errorHandler(),
    };
    const client = new LanguageClient('bpfIter', 'BPF Iterator Lab', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) this.setState('running');
      else if (e.newState === State.Starting) this.setState(this.currentState === 'restarting' ? 'restarting' : 'starting');
      else if (this.currentState !== 'failed' && this.currentState !== 'restarting') this.setState('stopped');
    });
    this.setState('starting');
    try {
      await client.start();
    } catch (err) {
      this.setState('failed');
      this.outputChannel.appendLine(`Server failed to start: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  async restart(): Promise<void> {
    this.crashTimes = [];
    const old = this.client;
    this.client = undefined;
    this.setState('restarting');
    if (old) {
      try { await old.stop(2000); } catch { /* a dead server cannot be stopped politely; dispose below */ }
      await old.dispose().catch(() => undefined);
    }
    await this.start();
  }

  /** Handles a server notification (RunProgressNotification) while the client runs; dispose to stop. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): vscode.Disposable {
    return this.client ? this.client.onNotification(type, handler) : new vscode.Disposable(() => undefined);
  }

  async sendRequest<P, R>(type: RequestType<P, R, void>, params: RequestParam<P>, token?: vscode.CancellationToken): Promise<R> {
    if (!this.client) await this.start();
    const client = this.client!;
    if (!client.isRunning()) await waitUntilRunning(client);
    return client.sendRequest(type, params, token);
  }

  private initializationOptions(): InitializationOptions {
    const reportAlongside = vscode.workspace.getConfiguration('bpfIter').get<boolean>('reportCSyntaxErrorsWithOtherCExtensions', false);
    return { reportCSyntaxErrors: shouldReportCSyntaxErrors(vscode.extensions.all.map((e) => e.id), reportAlongside) };
  }

  private errorHandler(): ErrorHandler {
    return {
      error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue, handled: true }),
      closed: (): CloseHandlerResult => {
        const now = Date.now();
        this.crashTimes = this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS);
        this.crashTimes.push(now);
        if (this.crashTimes.length > MAX_RESTARTS) {
          this.setState('failed');
          return { action: CloseAction.DoNotRestart, message: `The BPF Iterator Lab server crashed ${this.crashTimes.length} times in 3 minutes and will not be restarted. Run "BPF Iterator: Restart Server" after fixing the cause (see the output channel).` };
        }
        this.setState('restarting');
        this.outputChannel.appendLine(`Server connection closed; restarting (${this.crashTimes.length} of ${MAX_RESTARTS} in 3 minutes).`);
        return { action: CloseAction.Restart, handled: true };
      },
    };
  }

  private setState(state: ServerState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateEmitter.fire(state);
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables) d.dispose();
    const client = this.client;
    this.client = undefined;
    if (client) await client.dispose().catch(() => undefined);
  }
}

function waitUntilRunning(client: LanguageClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error('The BPF Iterator Lab server is not running.')); }, 30_000);
    const sub = client.onDidChangeState((e) => {
      if (e.newState === State.Running) { clearTimeout(timer); sub.dispose(); resolve(); }
    });
    if (client.isRunning()) { clearTimeout(timer); sub.dispose(); resolve(); }
  });
}
