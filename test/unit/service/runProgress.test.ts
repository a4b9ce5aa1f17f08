import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RunProgressParams } from '../../../shared/src/protocol';
import { runProgressReporter } from '../../../server/src/service/runProgress';
import { serviceFor } from './fourslash';

const PROLOGUE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n';
const SUM = `${PROLOGUE}__u64 total;
SEC("iter/bpf_map_elem")
int sum(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *val = ctx->value;
	if (!val) { BPF_SEQ_PRINTF(ctx->meta->seq, "sum %llu\\n", total); return 0; }
	total += *val;
	return 0;
}
`;
const PRINT = `${PROLOGUE}SEC("iter/bpf_map_elem")
int print(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;
	if (!key || !val) return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu\\n", *key, *val);
	return 0;
}
`;

describe('service: progress of a long run and its cancel (RunProgressNotification)', function () {
  this.timeout(120_000);
  let dir: string;
  const N = 400_000;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-progress-'));
    fs.writeFileSync(path.join(dir, 'big.json'), JSON.stringify({ cpus: 2, maps: [{ name: 'big', type: 'hash', key_size: 4, value_size: 8, max_entries: N,
      generate: { count: N, value: { start: 1, step: 1 } } }], attach: { map: 'big' } }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('notifications arrive during the read loop with the walk\'s total, growing counts and a rate; the run then completes', async () => {
    const sent: RunProgressParams[] = [];
    const file = path.join(dir, 'sum.bpf.c');
    const result = await serviceFor({ [file]: SUM }).run(file, SUM, { scenario: path.join(dir, 'big.json'), onProgress: runProgressReporter('r1', (p) => sent.push(p), 0) });
    assert.strictEqual(result.error, null, JSON.stringify(result.error));
    assert.strictEqual(result.output, `sum ${(N * (N + 1)) / 2}\n`);
    assert.ok(sent.length >= 2, `${sent.length} notifications`);
    assert.ok(sent.every((p) => p.progressId === 'r1' && p.total === N && p.objectsPerSecond >= 0));
    // one read() shows every element of this program (it prints once): progress comes from inside that read too
    assert.ok(sent.some((p) => p.objects > 0 && p.objects < N), JSON.stringify(sent.map((p) => p.objects)));
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i].objects >= sent[i - 1].objects && sent[i].elapsedMs >= sent[i - 1].elapsedMs);
    assert.strictEqual(sent[sent.length - 1].objects, N);
  });

  it('the reporter sends at most one notification per interval of the read loop', () => {
    const sent: RunProgressParams[] = [];
    const report = runProgressReporter('r2', (p) => sent.push(p), 200);
    for (let ms = 0; ms <= 1000; ms += 10) report({ objects: ms * 100, bytes: 0, reads: 1, elapsedMs: ms });
    assert.deepStrictEqual(sent.map((p) => p.elapsedMs), [200, 400, 600, 800, 1000]);
    assert.strictEqual(sent[0].objectsPerSecond, 100_000);
  });

  it('cancelling after the first notification ends the run with ECANCELED before the walk finishes', async () => {
    let cancelled = false;
    const sent: RunProgressParams[] = [];
    const file = path.join(dir, 'print.bpf.c');
    const result = await serviceFor({ [file]: PRINT }).run(file, PRINT, {
      scenario: path.join(dir, 'big.json'), isCancelled: () => cancelled,
      onProgress: runProgressReporter('r3', (p) => { sent.push(p); cancelled = true; }, 0),
    });
    assert.strictEqual(result.error?.errno, 'ECANCELED', JSON.stringify(result.error));
    assert.ok(sent.length >= 1);
    assert.ok(result.stats.objects < N, `${result.stats.objects} objects shown`);
  });
});

describe('service: a scenario map filled from a binary entries file', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-entries-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const scenario = (file: string): string => JSON.stringify({ cpus: 2, maps: [{ name: 'm', type: 'hash', key_size: 4, value_size: 8, max_entries: 10, entries_file: file }], attach: { map: 'm' } }, null, 2);

  it('runs on the records of the file next to the scenario', async () => {
    const bytes = Buffer.alloc(3 * 12);
    for (let i = 0; i < 3; i++) { bytes.writeUInt32LE(i + 1, i * 12); bytes.writeBigUInt64LE(BigInt(100 * (i + 1)), i * 12 + 4); }
    fs.writeFileSync(path.join(dir, 'm.entries'), bytes);
    fs.writeFileSync(path.join(dir, 'ok.json'), scenario('m.entries'));
    const file = path.join(dir, 'print.bpf.c');
    const result = await serviceFor({ [file]: PRINT }).run(file, PRINT, { scenario: path.join(dir, 'ok.json') });
    assert.strictEqual(result.error, null, JSON.stringify(result.error));
    assert.deepStrictEqual(result.output!.split('\n').filter(Boolean).sort(), ['1 100', '2 200', '3 300']);
  });

  it('a file of the wrong size is reported at "entries_file" in the scenario, and the run does not start', async () => {
    fs.writeFileSync(path.join(dir, 'odd.entries'), Buffer.alloc(30));
    fs.writeFileSync(path.join(dir, 'odd.json'), scenario('odd.entries'));
    const file = path.join(dir, 'print.bpf.c');
    const service = serviceFor({ [file]: PRINT });
    const resolved = service.analyze(file, PRINT, { scenario: path.join(dir, 'odd.json') }).scenario;
    assert.deepStrictEqual(resolved.problems.map((p) => p.path), ['/maps/0/entries_file']);
    assert.match(resolved.problems[0].message, /odd\.entries: the entries file has 30 bytes, not a whole number of 12-byte records/);
    const result = await service.run(file, PRINT, { scenario: path.join(dir, 'odd.json') });
    assert.ok(result.error && /entries_file/.test(result.error.message), JSON.stringify(result.error));
    assert.strictEqual(result.stats.objects, 0);
  });
});

describe('service: streamed output (onOutput) is not kept', function () {
  this.timeout(60_000);
  it('the chunks are the whole output, in read() pages; the result keeps no bytes of it, only their count', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-stream-'));
    try {
      const n = 20_000;
      fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify({ cpus: 2, maps: [{ name: 'm', type: 'hash', key_size: 4, value_size: 8, max_entries: n,
        generate: { count: n, value: { start: 7, step: 3 } } }], attach: { map: 'm' } }));
      const file = path.join(dir, 'print.bpf.c');
      const service = serviceFor({ [file]: PRINT });
      const whole = await service.run(file, PRINT, { scenario: path.join(dir, 's.json') });
      const chunks: Uint8Array[] = [];
      const streamed = await service.run(file, PRINT, { scenario: path.join(dir, 's.json'), readSize: 4096, onOutput: (c) => { chunks.push(c); } });
      assert.strictEqual(streamed.error, null);
      assert.ok(chunks.length > 10 && chunks.every((c) => c.length <= 4096), `${chunks.length} chunks`);
      assert.strictEqual(Buffer.concat(chunks).toString('utf8'), whole.output);
      assert.strictEqual(streamed.outputBytes.length, 0);
      assert.strictEqual(streamed.stats.bytes, whole.outputBytes.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
