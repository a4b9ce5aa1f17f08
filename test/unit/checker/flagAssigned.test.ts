/**
 * A local assigned under a condition whose truth a flag keeps, used under a test of that flag
 * (`if (c) { x = v; ok = 1; } ... if (ok) use(x);`): the verifier walks the sides of the first test apart and never
 * reads x where ok is 0; the checker joins them, and a false BPF2016 ("used before it is assigned") came at the use.
 * Measured on Linux 6.18: such programs load and print x (corpus flag_assigned_local_maps).
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const program = (body: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int flagged(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	int ok = 0, seen = 0;
	__u32 x;

	if (!map)
		return 0;
${body}
	return 0;
}
`;

describe('checker: a local assigned where a flag is set, used where the flag is tested', () => {
  const uses = (text: string): number => {
    const file = '/flag-assigned/flagged.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).filter((d) => d.code === 'BPF2016').length;
  };
  const set = '\tif (map->key_size == 4) {\n\t\tx = map->max_entries;\n\t\tok = 1;\n\t}\n\tseen = map->id;\n';

  it('the test of the flag proves the local assigned', () => {
    assert.strictEqual(uses(program(`${set}\tif (ok)\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", x);`)), 0);
    assert.strictEqual(uses(program(`${set}\tif (ok == 1)\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u %d\\n", x, seen);`)), 0);
    assert.strictEqual(uses(program(`${set}\tif (!ok)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", x);`)), 0);
  });

  it('still reports a use where the flag says it is unassigned, or without a test', () => {
    assert.strictEqual(uses(program(`${set}\tif (!ok)\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", x);`)), 1);
    assert.strictEqual(uses(program(`${set}\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", x);`)), 1);
    assert.strictEqual(uses(program(`${set}\tif (seen)\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", x);`)), 1);
  });
});
