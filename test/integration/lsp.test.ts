/**
 * The real server process (`dist/cli.js lsp --stdio`) driven by the real LSP client library over stdio.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { HoverRequest, CompletionRequest, MarkupContent, CompletionItem, CompletionList } from 'vscode-languageserver-protocol/node';
import { RunRequestMethod, ListProgramsRequestMethod, RunResult, ListProgramsResult, RunOutputNotificationMethod, RunOutputParams } from '../../shared/src/protocol';
import { TestLspClient, repoRoot } from './lspClient';
import { URI } from '../../server/src/service/uri';

const EXAMPLE = path.join(repoRoot, 'examples/map_summary.bpf.c');

describe('LSP server over stdio (real process, real client)', function () {
  this.timeout(60000);
  let client: TestLspClient;
  const uri = URI.fromPath(EXAMPLE);
  const text = fs.readFileSync(EXAMPLE, 'utf8');

  before(async () => { client = await TestLspClient.start(); });
  after(async () => { if (client) await client.stop(); });

  it('publishes diagnostics for the opened version: none for the example', async () => {
    await client.open(uri, text, 1);
    const published = await client.waitForDiagnostics((p) => p.uri === uri && p.version === 1);
    assert.deepStrictEqual(published.diagnostics, []);
  });

  it('a burst of changes publishes only for the latest version, never for a stale one', async () => {
    const broken = text.replace('if (!map) {', 'if (0) {');
    await client.change(uri, broken, 2);
    await client.change(uri, broken + '\n', 3);
    const published = await client.waitForDiagnostics((p) => p.uri === uri && p.version === 3);
    assert.ok(published.diagnostics.some((d) => d.code === 'BPF2001' && d.codeDescription?.href.endsWith('#bpf2001')), JSON.stringify(published.diagnostics));
    assert.ok(!client.diagnostics.some((p) => p.uri === uri && p.version === 2), 'version 2 was superseded before its debounce ran out');
    await client.change(uri, text, 4);
    const fixed = await client.waitForDiagnostics((p) => p.uri === uri && p.version === 4);
    assert.deepStrictEqual(fixed.diagnostics, []);
  });

  it('hover on ctx->map answers with the ctx field doc', async () => {
    const line = text.split('\n').findIndex((l) => l.includes('= ctx->map;'));
    const character = text.split('\n')[line].indexOf('ctx->map') + 'ctx->'.length;
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
    assert.ok(hover);
    assert.match((hover.contents as MarkupContent).value, /ctx->map[\s\S]*may be NULL/);
  });

  it('completion after ctx->meta-> lists seq, seq_num and session_id', async () => {
    const edited = text.replace('__u64 seq_num = ctx->meta->seq_num;', '__u64 seq_num = ctx->meta->');
    await client.change(uri, edited, 5);
    const line = edited.split('\n').findIndex((l) => l.endsWith('__u64 seq_num = ctx->meta->'));
    const character = edited.split('\n')[line].length;
    const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } })
      .finally(() => client.change(uri, text, 6));
    const items = (Array.isArray(result) ? result : (result as CompletionList).items) as CompletionItem[];
    assert.deepStrictEqual(items.map((i) => i.label).sort(), ['seq', 'seq_num', 'session_id']);
  });

  it('bpfIter/listPrograms lists the program and the scenario maps', async () => {
    const result = await client.connection.sendRequest(ListProgramsRequestMethod, { uri }) as ListProgramsResult;
    assert.deepStrictEqual(result.programs.map((p) => [p.name, p.target]), [['dump_bpf_map', 'bpf_map']]);
    assert.deepStrictEqual(result.maps, ['conntrack', 'pkt_count', 'dns_cache', 'events']);
  });

  it('bpfIter/run returns the same output as the CLI, with link info and stats', async () => {
    const result = await client.connection.sendRequest(RunRequestMethod, { uri }) as RunResult;
    assert.strictEqual(result.error, null);
    assert.strictEqual(result.output, fs.readFileSync(path.join(repoRoot, 'test/fixtures/service/cli/map_summary.run.stdout'), 'utf8'));
    assert.strictEqual(result.link?.target_name, 'bpf_map');
    assert.ok(result.maps.length >= 4);
  });

  it('bpfIter/run of binary output: output null, output_base64 and output_hex with the bytes the CLI writes', async () => {
    const file = path.join(repoRoot, 'test/fixtures/binary/binary_records.bpf.c');
    const binUri = URI.fromPath(file);
    await client.open(binUri, fs.readFileSync(file, 'utf8'), 1);
    const result = await client.connection.sendRequest(RunRequestMethod, { uri: binUri }) as RunResult;
    assert.strictEqual(result.error, null);
    assert.strictEqual(result.output, null);
    const cli = spawnSync(process.execPath, [path.join(repoRoot, 'bin/bpf-iter.js'), 'run', file], { cwd: repoRoot });
    assert.strictEqual(cli.status, 0);
    assert.ok(Buffer.from(result.output_base64!, 'base64').equals(cli.stdout));
    assert.strictEqual(result.output_hex, cli.stdout.toString('hex'));
  });

  it('bpfIter/run with streamOutput: the output arrives in pages before the answer, which carries none of it', async () => {
    const expected = fs.readFileSync(path.join(repoRoot, 'test/fixtures/service/cli/map_summary.run.stdout'));
    const stream = async (progressId: string, keepBytes: number) => {
      const pages: RunOutputParams[] = [];
      const listening = client.connection.onNotification(RunOutputNotificationMethod, (p: RunOutputParams) => { if (p.progressId === progressId) pages.push(p); });
      try {
        const result = await client.connection.sendRequest(RunRequestMethod, { uri, progressId, streamOutput: { keepBytes } }) as RunResult;
        return { result, pages: [...pages] };
      } finally { listening.dispose(); }
    };
    const whole = await stream('stream-whole', 1 << 30);
    assert.strictEqual(whole.result.error, null);
    assert.strictEqual(whole.result.output, '');
    assert.deepStrictEqual(whole.result.streamed, { bytes: expected.length, sentBytes: expected.length });
    let offset = 0;
    for (const page of whole.pages) { assert.strictEqual(page.offset, offset); offset += Buffer.from(page.base64, 'base64').length; }
    assert.ok(Buffer.concat(whole.pages.map((p) => Buffer.from(p.base64, 'base64'))).equals(expected), 'the pages are the output');
    // a reader that keeps 100 bytes gets those and a count of the rest
    const cut = await stream('stream-cut', 100);
    assert.deepStrictEqual(cut.result.streamed, { bytes: expected.length, sentBytes: 100 });
    assert.ok(Buffer.concat(cut.pages.map((p) => Buffer.from(p.base64, 'base64'))).equals(expected.subarray(0, 100)));
    // streamOutput without a progressId (nowhere to send pages) or with a bad size is refused
    await assert.rejects(client.connection.sendRequest(RunRequestMethod, { uri, streamOutput: { keepBytes: 10 } }), /streamOutput needs a progressId/);
    await assert.rejects(client.connection.sendRequest(RunRequestMethod, { uri, progressId: 'x', streamOutput: { keepBytes: -1 } }), /streamOutput needs/);
  });

  it('shutdown then exit ends the process with code 0', async () => {
    const code = await client.stop();
    client = undefined as unknown as TestLspClient;
    assert.strictEqual(code, 0);
  });
});
