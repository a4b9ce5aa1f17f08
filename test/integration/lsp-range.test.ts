import * as assert from 'assert';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TestLspClient, repoRoot } from './lspClient';

describe('language server over stdio: diagnostic ranges', function () {
  this.timeout(60000);
  let client: TestLspClient;
  before(async () => { client = await TestLspClient.start(); });
  after(async () => { await client.stop(); });

  it('publishes the verifier\'s NULL-dereference error at the exact range of ctx->map\'s use', async () => {
    const file = path.join(repoRoot, 'test/fixtures/lsp/null_map.bpf.c');
    const uri = pathToFileURL(file).toString();
    const text = [
      '#include "vmlinux.h"',
      '#include <bpf/bpf_helpers.h>',
      'char LICENSE[] SEC("license") = "GPL";',
      'SEC("iter/bpf_map")',
      'int dump(struct bpf_iter__bpf_map *ctx)',
      '{',
      '\tstruct bpf_map *map = ctx->map;',
      '\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", map->id);',
      '\treturn 0;',
      '}',
      '',
    ].join('\n');
    await client.open(uri, text, 1);
    const published = await client.waitForDiagnostics((p) => p.uri === uri && p.diagnostics.length > 0);
    assert.strictEqual(published.version, 1);
    const d = published.diagnostics.find((x) => x.code === 'BPF2001');
    assert.ok(d, JSON.stringify(published.diagnostics));
    assert.match(typeof d.message === 'string' ? d.message : d.message.value, /invalid mem access 'trusted_ptr_or_null_'/);
    // `map->id` on line 8 (0-based 7), after `BPF_SEQ_PRINTF(ctx->meta->seq, "%u\n", `.
    const line = text.split('\n')[7];
    assert.deepStrictEqual(d.range.start, { line: 7, character: line.indexOf('map->id') });
    assert.deepStrictEqual(d.range.end, { line: 7, character: line.indexOf('map->id') + 'map->id'.length });
  });
});
