import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TestLspClient, repoRoot } from './lspClient';
import { RunRequestMethod, RunResult } from '../../shared/src/protocol';

describe('language server: a long run is cancelled by $/cancelRequest', function () {
  this.timeout(120000);
  let client: TestLspClient;
  before(async () => { client = await TestLspClient.start(); });
  after(async () => { await client.stop(); });

  it('stops a run over 400,000 elements soon after the cancellation, with RequestCancelled', async () => {
    const file = path.join(repoRoot, 'test/fixtures/lsp/slow.bpf.c');
    const uri = pathToFileURL(file).toString();
    await client.open(uri, fs.readFileSync(file, 'utf8'), 1);
    // vscode-jsonrpc sends $/cancelRequest when the token given to sendRequest is cancelled.
    const { CancellationTokenSource } = await import('vscode-languageserver-protocol');
    const source = new CancellationTokenSource();
    const started = Date.now();
    const pending = client.connection.sendRequest<RunResult>(RunRequestMethod, { uri }, source.token);
    setTimeout(() => source.cancel(), 1500);
    let error: unknown;
    try { await pending; } catch (e) { error = e; }
    const elapsed = Date.now() - started;
    assert.ok(error, 'the request was expected to fail as cancelled');
    assert.strictEqual((error as { code?: number }).code, -32800, `expected RequestCancelled, got ${String(error)}`);
    // The whole run takes over a minute; the cancellation must take effect within a few seconds.
    assert.ok(elapsed < 15000, `the run stopped only after ${elapsed} ms`);
    // The server keeps working after the cancellation.
    const diags = await client.waitForDiagnostics((p) => p.uri === uri);
    assert.ok(Array.isArray(diags.diagnostics));
  });
});
