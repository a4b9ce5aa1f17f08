/**
 * Settings and file watching through the real server process: initializationOptions, workspace/configuration
 * and didChangeConfiguration, wrong values, and headers re-read when they change on disk.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DidChangeConfigurationNotification, DidChangeTextDocumentNotification, DidChangeWatchedFilesNotification, DidOpenTextDocumentNotification,
  FileChangeType, PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { RunRequestMethod, RunResult } from '../../shared/src/protocol';
import { TestLspClient, repoRoot } from './lspClient';
import { URI } from '../../server/src/service/uri';

const EXAMPLE = path.join(repoRoot, 'examples/map_summary.bpf.c');
const exampleText = fs.readFileSync(EXAMPLE, 'utf8');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('LSP settings and watched files (real process)', function () {
  this.timeout(60000);
  let client: TestLspClient | undefined;
  afterEach(async () => { await client?.stop(); client = undefined; });

  it('bpfIter.maxOutputBytes from workspace/configuration stops a run with ELIMIT naming the setting and the CLI flag', async () => {
    client = await TestLspClient.start({ configuration: { maxOutputBytes: 64 } });
    const uri = URI.fromPath(EXAMPLE);
    await client.open(uri, exampleText, 1);
    await client.waitForDiagnostics((p) => p.uri === uri);
    const result = await client.connection.sendRequest(RunRequestMethod, { uri }) as RunResult;
    assert.strictEqual(result.error?.errno, 'ELIMIT', JSON.stringify(result.error));
    assert.match(result.error!.message, /passed 64 bytes/);
    assert.match(result.error!.message, /--max-output/);
    assert.match(result.error!.message, /bpfIter\.maxOutputBytes/);
  });

  it('settings per folder (multi-root): each document is checked and run with its own folder\'s settings', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-roots-'));
    try {
      const limited = path.join(work, 'limited');
      const open = path.join(work, 'open');
      for (const folder of [limited, open]) {
        fs.mkdirSync(folder);
        fs.copyFileSync(EXAMPLE, path.join(folder, 'map_summary.bpf.c'));
        fs.copyFileSync(EXAMPLE.replace(/\.bpf\.c$/, '.bpfscenario.json'), path.join(folder, 'map_summary.bpfscenario.json'));
      }
      client = await TestLspClient.start({ configuration: null });
      const c = client;
      c.folderConfiguration = { [URI.fromPath(limited) + '/']: { maxOutputBytes: 64 }, [URI.fromPath(open) + '/']: { maxOutputBytes: null } };
      const limitedUri = URI.fromPath(path.join(limited, 'map_summary.bpf.c'));
      const openUri = URI.fromPath(path.join(open, 'map_summary.bpf.c'));
      await c.open(limitedUri, exampleText, 1);
      await c.open(openUri, exampleText, 1);
      await c.waitForDiagnostics((p) => p.uri === limitedUri);
      await c.waitForDiagnostics((p) => p.uri === openUri);
      const limitedRun = await c.connection.sendRequest(RunRequestMethod, { uri: limitedUri }) as RunResult;
      const openRun = await c.connection.sendRequest(RunRequestMethod, { uri: openUri }) as RunResult;
      assert.strictEqual(limitedRun.error?.errno, 'ELIMIT', JSON.stringify(limitedRun.error));
      assert.strictEqual(openRun.error, null, JSON.stringify(openRun.error));
      assert.strictEqual(openRun.output, fs.readFileSync(path.join(repoRoot, 'test/fixtures/service/cli/map_summary.run.stdout'), 'utf8'));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('didChangeConfiguration re-reads the settings: a run limited, then unlimited', async () => {
    client = await TestLspClient.start({ configuration: { maxOutputBytes: 64 } });
    const c = client;
    const uri = URI.fromPath(EXAMPLE);
    await c.open(uri, exampleText, 1);
    await c.waitForDiagnostics((p) => p.uri === uri);
    assert.strictEqual((await c.connection.sendRequest(RunRequestMethod, { uri }) as RunResult).error?.errno, 'ELIMIT');
    c.configuration = { maxOutputBytes: null };
    await c.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const output = await until('an unlimited run', async () => {
      const r = await c.connection.sendRequest(RunRequestMethod, { uri }) as RunResult;
      return r.error === null ? r.output : undefined;
    });
    assert.strictEqual(output, fs.readFileSync(path.join(repoRoot, 'test/fixtures/service/cli/map_summary.run.stdout'), 'utf8'));
  });

  it('a wrong value is logged with its name and ignored: the instruction budget stays the verifier\'s', async () => {
    client = await TestLspClient.start({ configuration: { instructionBudget: 'lots' } });
    const c = client;
    const uri = URI.fromPath(EXAMPLE);
    await c.open(uri, exampleText, 1);
    await c.waitForDiagnostics((p) => p.uri === uri);
    assert.ok(c.log.some((l) => /bpfIter\.instructionBudget must be a whole number/.test(l)), c.log.join('\n'));
    assert.strictEqual((await c.connection.sendRequest(RunRequestMethod, { uri }) as RunResult).error, null);
  });

  it('reportCSyntaxErrors from initializationOptions survives the workspace settings', async () => {
    const broken = `${exampleText}\nint broken = ;\n`;
    const syntaxCodes = async (options: Parameters<typeof TestLspClient.start>[0]) => {
      client = await TestLspClient.start(options);
      const uri = URI.fromPath(path.join(repoRoot, 'test/fixtures/service/syntax_error.bpf.c'));
      await client.open(uri, broken, 1);
      const published = await client.waitForDiagnostics((p) => p.uri === uri && p.version === 1);
      await client.stop();
      client = undefined;
      return published.diagnostics.map((d) => d.code);
    };
    const reported = await syntaxCodes({ configuration: { cpus: 2 } });
    assert.ok(reported.length > 0, 'the syntax error is reported by default');
    assert.deepStrictEqual(await syntaxCodes({ initializationOptions: { reportCSyntaxErrors: false }, configuration: { cpus: 2 } }), []);
  });

  /**
   * A program and a header in a temporary directory, the program opened in a fresh server; `edit` changes the
   * header somehow, and the program's next diagnostics are returned.
   */
  async function afterHeaderEdit(headerText: string, programText: string, check: (first: PublishDiagnosticsParams) => void,
    edit: (c: TestLspClient, header: string) => Promise<void>): Promise<PublishDiagnosticsParams> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-header-'));
    try {
      const header = path.join(dir, 'shared.h');
      const program = path.join(dir, 'program.bpf.c');
      fs.writeFileSync(header, headerText);
      fs.writeFileSync(program, programText);
      client = await TestLspClient.start();
      const c = client;
      const uri = URI.fromPath(program);
      await c.open(uri, programText, 1);
      check(await c.waitForDiagnostics((p) => p.uri === uri));
      c.diagnostics.splice(0);
      await edit(c, header);
      return await c.waitForDiagnostics((p) => p.uri === uri);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('an open header edited in the editor (same length) re-publishes the programs that include it', async () => {
    const program = '#include "vmlinux.h"\n#include "shared.h"\n_Static_assert(N == 8, "N is not 8");\n';
    const second = await afterHeaderEdit('#define N 4\n', program,
      (first) => assert.ok(first.diagnostics.some((d) => /N is not 8/.test(String(d.message))), JSON.stringify(first.diagnostics)),
      async (c, header) => {
        const headerUri = URI.fromPath(header);
        await c.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: headerUri, languageId: 'c', version: 1, text: '#define N 4\n' } });
        await c.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: headerUri, version: 2 }, contentChanges: [{ text: '#define N 8\n' }] });
      });
    assert.deepStrictEqual(second.diagnostics.filter((d) => d.severity === 1), []);
  });

  it('didChangeWatchedFiles re-reads a header that changed on disk and re-publishes', async () => {
    const program = '#include "vmlinux.h"\n#include "shared.h"\nint port_of(struct flow *f) { return f->port; }\n';
    const second = await afterHeaderEdit('struct flow { int port; };\n', program,
      (first) => assert.deepStrictEqual(first.diagnostics.filter((d) => d.severity === 1), []),
      async (c, header) => {
        fs.writeFileSync(header, 'struct flow { int dport; };\n');
        await c.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: URI.fromPath(header), type: FileChangeType.Changed }] });
      });
    const errors = second.diagnostics.filter((d) => d.severity === 1);
    assert.strictEqual(errors.length, 1, JSON.stringify(second.diagnostics));
    assert.match(String(errors[0].message), /no member named 'port' in 'struct flow'/);
    assert.strictEqual(errors[0].range.start.line, 2);
  });
});
