/**
 * A real LSP client for tests: spawns the built server (`dist/cli.js lsp --stdio`) and talks JSON-RPC to it
 * over its stdio with vscode-languageserver-protocol, the same library VS Code's client uses.
 */
import * as cp from 'child_process';
import * as path from 'path';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, ProtocolConnection,
  InitializeRequest, InitializedNotification, PublishDiagnosticsNotification, PublishDiagnosticsParams,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, ShutdownRequest, ExitNotification,
} from 'vscode-languageserver-protocol/node';

export const repoRoot = path.join(__dirname, '../../..');

export class TestLspClient {
  readonly connection: ProtocolConnection;
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  private waiters: Array<{ pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }> = [];
  readonly stderr: string[] = [];
  /** window/logMessage texts (the server's console). */
  readonly log: string[] = [];
  /** What the client answers to `workspace/configuration` for the section bpfIter. */
  configuration: unknown = null;
  /** A folder's own settings (a multi-root workspace): items whose scopeUri starts with the key get the value. */
  folderConfiguration: Record<string, unknown> = {};

  private constructor(readonly child: cp.ChildProcessWithoutNullStreams) {
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    child.stderr.on('data', (d) => this.stderr.push(String(d)));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.push(p);
      this.waiters = this.waiters.filter((w) => { if (w.pred(p)) { w.resolve(p); return false; } return true; });
    });
    this.connection.onRequest('workspace/configuration', (p: { items: Array<{ scopeUri?: string; section?: string }> }) => p.items.map((item) => {
      const folder = Object.keys(this.folderConfiguration).find((prefix) => item.scopeUri?.startsWith(prefix));
      return folder !== undefined ? this.folderConfiguration[folder] : this.configuration;
    }));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onNotification('window/logMessage', (p: { message: string }) => { this.log.push(p.message); });
    this.connection.listen();
  }

  static async start(options: { initializationOptions?: unknown; configuration?: unknown } = {}): Promise<TestLspClient> {
    const child = cp.spawn(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'lsp', '--stdio'], { stdio: 'pipe' });
    const client = new TestLspClient(child);
    client.configuration = options.configuration ?? null;
    await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid, rootUri: null, workspaceFolders: null, initializationOptions: options.initializationOptions,
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'c', version, text } });
  }

  change(uri: string, text: string, version: number): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  waitForDiagnostics(pred: (p: PublishDiagnosticsParams) => boolean, timeoutMs = 20000): Promise<PublishDiagnosticsParams> {
    const already = this.diagnostics.find(pred);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics within ${timeoutMs} ms; got ${JSON.stringify(this.diagnostics)}; stderr ${this.stderr.join('')}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } catch { /* the server may already be gone */ }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }
}
