/** The same server over Node IPC (`dist/cli.js lsp --node-ipc`), as VS Code's TransportKind.ipc starts it. */
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  createProtocolConnection, IPCMessageReader, IPCMessageWriter, InitializeRequest, InitializedNotification,
  DidOpenTextDocumentNotification, PublishDiagnosticsNotification, PublishDiagnosticsParams, ShutdownRequest, ExitNotification,
} from 'vscode-languageserver-protocol/node';
import { URI } from '../../server/src/service/uri';

const repoRoot = path.join(__dirname, '../../..');

describe('LSP server over --node-ipc', function () {
  this.timeout(60000);

  it('initializes, publishes diagnostics for an opened file and exits 0 after shutdown/exit', async () => {
    const child = cp.fork(path.join(repoRoot, 'dist/cli.js'), ['lsp', '--node-ipc'], { silent: true });
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30000);
    try {
      const diagnostics = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification(PublishDiagnosticsNotification.type, resolve));
      connection.onRequest('workspace/configuration', () => [null]);
      connection.onRequest('client/registerCapability', () => null);
      connection.listen();
      const init = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
      assert.strictEqual(init.serverInfo?.name, 'bpf-iter-lab');
      await connection.sendNotification(InitializedNotification.type, {});
      const file = path.join(repoRoot, 'examples/hash_dump.bpf.c');
      const uri = URI.fromPath(file);
      const broken = fs.readFileSync(file, 'utf8').replace('char LICENSE[] SEC("license") = "GPL";', '');
      await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'c', version: 7, text: broken } });
      const published = await diagnostics;
      assert.strictEqual(published.uri, uri);
      assert.strictEqual(published.version, 7);
      assert.ok(published.diagnostics.some((d) => /licen[cs]e/i.test(String(d.message))), JSON.stringify(published.diagnostics));
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      assert.strictEqual(await exited, 0);
    } finally {
      clearTimeout(killer);
      connection.dispose();
    }
  });
});
