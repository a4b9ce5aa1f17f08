import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { main, TRACE_PREFIX } from '../../server/src/cli';

/** bpf_printk() writes to the trace log of the run, shown beside the seq output and never in it. */
const corpusDir = path.resolve(__dirname, '../../../test/corpus');
const program = path.join(corpusDir, 'printk_maps.bpf.c');

describe('trace log: bpf_printk() beside the seq output', () => {
  const service = createLanguageService(createNodeHost(), defaultSettings());

  it('RunResult.trace has one message per call, formatted by bpf_trace_printk(), and the output has none', async () => {
    const r = await service.run(program, fs.readFileSync(program, 'utf8'), {});
    assert.strictEqual(r.error, null, JSON.stringify(r.error));
    assert.deepStrictEqual(r.trace, ['map lab_hash max 16', 'map lab_array max 4', 'map lab_nopre max 8']);
    assert.ok(r.output !== null && !r.output.includes('map '), String(r.output));
  });

  it('a format with 4 conversions fails with -EINVAL (MAX_TRACE_PRINTK_VARARGS is 3) and logs nothing', async () => {
    const text = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_map")
int p(struct bpf_iter__bpf_map *ctx)
{
	static const char fmt[] = "%d %d %d %d";
	long r;

	if (!ctx->map)
		return 0;
	r = bpf_trace_printk(fmt, sizeof(fmt), 1, 2, 3);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%ld\\n", r);
	return 0;
}
`;
    const file = path.join(corpusDir, 'printk_maps.bpf.c');
    const r = await service.run(file, text, {});
    assert.strictEqual(r.error, null, JSON.stringify(r.error));
    assert.deepStrictEqual(r.trace, []);
    assert.match(r.output ?? '', /^-22\n/);
  });

  it('bpf_printk() with more than 3 arguments goes through bpf_trace_vprintk() (libbpf\'s ___bpf_pick_printk)', async () => {
    const text = fs.readFileSync(program, 'utf8').replace('bpf_printk("map %s max %u", map->name, map->max_entries);',
      'bpf_printk("%s id=%u max=%u type=%u", map->name, map->id, map->max_entries, map->map_type);');
    const r = await service.run(program, text, {});
    assert.strictEqual(r.error, null, JSON.stringify(r.error));
    assert.deepStrictEqual(r.trace, ['lab_hash id=1 max=16 type=1', 'lab_array id=2 max=4 type=2', 'lab_nopre id=3 max=8 type=1']);
  });

  it('the CLI prints the trace to stderr with a prefix, the seq output alone to stdout', async () => {
    let out = '', err = '';
    const code = await main(['run', program], { stdout: (s) => { out += s; }, stdoutBytes: (b) => { out += Buffer.from(b).toString('utf8'); }, stderr: (s) => { err += s; } });
    assert.strictEqual(code, 0, err);
    assert.strictEqual(out, 'lab_hash\nlab_array\nlab_nopre\n');
    assert.strictEqual(err, `${TRACE_PREFIX}map lab_hash max 16\n${TRACE_PREFIX}map lab_array max 4\n${TRACE_PREFIX}map lab_nopre max 8\n`);
  });
});
