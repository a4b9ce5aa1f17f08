/**
 * The language server as a process: it survives exceptions in handlers, cancels long runs on
 * `$/cancelRequest`, publishes diagnostics only for the latest version, and does not grow without bound
 * over 10,000 open/change/close cycles, and
 * `bpf-iter lsp --stdio` is one server whose stdout stays well framed under a burst.
 */
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { CancellationTokenSource, DidCloseTextDocumentNotification, HoverRequest, ResponseError } from 'vscode-languageserver-protocol/node';
import { TestLspClient, repoRoot } from '../integration/lspClient';
import { RunRequestMethod, RunResult } from '../../shared/src/protocol';

const fixtures = path.join(repoRoot, 'test/fixtures/hostile/lifecycle');
const example = fs.readFileSync(path.join(repoRoot, 'examples/map_summary.bpf.c'), 'utf8');

function rssKiB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) : undefined;
  } catch { return undefined; }
}

describe('robustness: language server lifecycle (real process over stdio)', function () {
  this.timeout(180_000);
  let client: TestLspClient;
  before(async () => { client = await TestLspClient.start(); });
  after(async () => { await client.stop(); });

  it('a handler that throws fails its request with InternalError and the server goes on answering', async () => {
    const uri = pathToFileURL(path.join(fixtures, 'throwing.bpf.c')).toString();
    await client.open(uri, example, 1);
    // A position that is not a position makes the hover handler throw inside the service.
    await assert.rejects(
      client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: null as never }),
      (e: unknown) => e instanceof ResponseError && /hover failed/.test(e.message),
    );
    // A run whose uri is not a string throws before the run starts.
    await assert.rejects(client.connection.sendRequest(RunRequestMethod, { uri: 42 }), (e: unknown) => e instanceof ResponseError);
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.ok(hover === null || typeof hover === 'object');
    assert.strictEqual(client.child.exitCode, null, 'the server process is still running');
  });

  it('$/cancelRequest stops a long run (100,000 elements, 2,000 loop iterations each) between reads', async () => {
    const file = path.join(fixtures, 'long_walk.bpf.c');
    const uri = pathToFileURL(file).toString();
    await client.open(uri, fs.readFileSync(file, 'utf8'), 1);
    const source = new CancellationTokenSource();
    const started = Date.now();
    const pending = client.connection.sendRequest(RunRequestMethod, { uri }, source.token) as Promise<RunResult>;
    setTimeout(() => source.cancel(), 500);
    let outcome: string;
    try {
      const result = await pending;
      outcome = result.error?.errno ?? 'completed';
    } catch (e) {
      outcome = e instanceof ResponseError ? `ResponseError ${e.code}` : String(e);
    }
    const elapsed = Date.now() - started;
    // The whole run takes 5-15 s; cancelled, it ends within a read or two.
    assert.ok(outcome === 'ECANCELED' || /ResponseError -32800/.test(outcome), outcome);
    assert.ok(elapsed < 4000, `cancelled run took ${elapsed} ms`);
    console.log(`      cancelled run answered after ${elapsed} ms (${outcome})`);
  });

  it('publishes diagnostics for the latest version only when changes arrive faster than the debounce', async () => {
    const uri = pathToFileURL(path.join(fixtures, 'versions.bpf.c')).toString();
    await client.open(uri, example, 1);
    for (let version = 2; version <= 40; version++) await client.change(uri, `${example}\nint v${version} = ${version};\n`, version);
    const last = await client.waitForDiagnostics((p) => p.uri === uri && p.version === 40);
    assert.strictEqual(last.version, 40);
    await new Promise((r) => setTimeout(r, 400));
    const versions = client.diagnostics.filter((p) => p.uri === uri).map((p) => p.version!);
    // Nothing stale after the latest, and never an older version after a newer one.
    assert.strictEqual(versions[versions.length - 1], 40, JSON.stringify(versions));
    for (let i = 1; i < versions.length; i++) assert.ok(versions[i] >= versions[i - 1], JSON.stringify(versions));
  });

  it('10,000 open/change/close cycles do not grow memory without bound', async () => {
    const pid = client.child.pid!;
    const roundTrip = () => client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: 'file:///none.bpf.c' }, position: { line: 0, character: 0 } });
    let validated = 0;
    const cycles = async (from: number, to: number) => {
      for (let start = from; start < to; start += 500) {
        const sent: Promise<void>[] = [];
        for (let i = start; i < Math.min(to, start + 500); i++) {
          const uri = pathToFileURL(path.join(fixtures, `cycle_${i % 50}.bpf.c`)).toString();
          // Forget what was published before, so that only this cycle's diagnostics can match below.
          if (i % 50 === 49) { await Promise.all(sent.splice(0)); await roundTrip(); client.diagnostics.splice(0); }
          sent.push(client.open(uri, example, 1), client.change(uri, `${example}\n// edit ${i}\n`, 2));
          // One cycle in 50 stays open until its diagnostics arrive, so the checker runs too, not only the debounce.
          if (i % 50 === 49) {
            await Promise.all(sent.splice(0));
            await client.waitForDiagnostics((p) => p.uri === uri && p.version === 2);
            validated++;
          }
          sent.push(client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }));
        }
        await Promise.all(sent);
        await roundTrip();
        if (process.env.ROBUST_VERBOSE) console.log(`      ${Math.min(to, start + 500)} cycles, RSS ${rssKiB(pid)} KiB`);
      }
    };
    await cycles(0, 500);
    const before = rssKiB(pid);
    await cycles(500, 10_000);
    // A request round trip: every notification before it has been processed.
    await roundTrip();
    const after = rssKiB(pid);
    console.log(`      server RSS after 500 cycles ${before} KiB, after 10,000 cycles ${after} KiB (${validated} cycles checked the program)`);
    assert.strictEqual(validated, 200);
    if (before !== undefined && after !== undefined) {
      assert.ok(after - before < 100 * 1024, `RSS grew by ${after - before} KiB over 9,500 cycles`);
    }
    assert.strictEqual(client.child.exitCode, null);
  });

  it('`bpf-iter lsp --stdio` is one server: each request answered once, stdout well framed after 3,000 bursts', async () => {
    // Two servers on one stdio (the CLI once bundled a second self-starting copy) interleave their frames.
    const child = cp.spawn(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'lsp', '--stdio'], { stdio: 'pipe' });
    const chunks: Buffer[] = [];
    let onData = () => {};
    child.stdout.on('data', (d: Buffer) => { chunks.push(d); onData(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const send = (message: object) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    send({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
    send({ method: 'initialized', params: {} });
    for (let i = 0; i < 3000; i++) {
      const uri = `file:///nowhere/burst_${i % 50}.bpf.c`;
      send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'c', version: 1, text: example } } });
      send({ method: 'textDocument/didChange', params: { textDocument: { uri, version: 2 }, contentChanges: [{ text: `${example}// ${i}\n` }] } });
      send({ method: 'textDocument/didClose', params: { textDocument: { uri } } });
    }
    // Like a real client: exit only after the shutdown answer arrived.
    const shutdownAnswered = new Promise<void>((resolve) => { onData = () => { if (/"id":2[,}]/.test(Buffer.concat(chunks).toString('utf8'))) resolve(); }; });
    send({ id: 2, method: 'shutdown' });
    await shutdownAnswered;
    send({ method: 'exit' });
    assert.strictEqual(await exited, 0);
    const stream = Buffer.concat(chunks);
    const messages: { id?: number; method?: string }[] = [];
    for (let at = 0; at < stream.length;) {
      const headerEnd = stream.indexOf('\r\n\r\n', at);
      const header = /^Content-Length: (\d+)$/.exec(stream.subarray(at, headerEnd).toString('ascii'));
      assert.ok(header, `bad frame header at byte ${at}: ${JSON.stringify(stream.subarray(at, at + 80).toString())}`);
      const length = Number(header[1]);
      messages.push(JSON.parse(stream.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')));
      at = headerEnd + 4 + length;
    }
    assert.deepStrictEqual(messages.filter((m) => m.id !== undefined).map((m) => m.id), [1, 2]);
    // One empty publish per close, nothing twice.
    assert.strictEqual(messages.filter((m) => m.method === 'textDocument/publishDiagnostics').length, 3000);
  });
});
