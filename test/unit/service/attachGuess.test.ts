/**
 * A bpf_map_elem program without a scenario naming attach.map is checked against the file's only map. When the
 * program passes that map to helpers itself it is more likely its output than the map it iterates (the user pins it
 * with `map name X` for another map), so what attaching to it would refuse is a warning, not an error: the program
 * compiles and loads (clang 14; the load of bpf_map_elem programs is refused here with EPERM, the attach check is
 * bpf_iter_attach_map()'s, derived from the kernel source).
 */
import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';

const FILE = '/attach/sum.bpf.c';
const program = (body: string): string => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");
SEC("iter/bpf_map_elem")
int sum_elems(struct bpf_iter__bpf_map_elem *ctx)
{
	struct { __u64 a, b; } *val = ctx->value;
	__u32 zero = 0;
	if (!val)
		return 0;
${body}
	return 0;
}
`;

function diagnostics(text: string, files: Record<string, string> = {}): string[] {
  const service = createLanguageService(createMemoryHost({ ...files, [FILE]: text }), defaultSettings());
  return service.validate(FILE, text).map((d) => `${d.severity === 1 ? 'error' : 'warning'} ${d.code}`);
}

describe('service: the attach map a bpf_map_elem program is checked against, when no scenario names it', () => {
  const usesTotals = program('\t__u64 *t = bpf_map_lookup_elem(&totals, &zero);\n\tif (t)\n\t\t*t += val->a + val->b;');
  it('the file\'s only map, used by the program itself (its output): a warning naming the guess', () => {
    assert.deepStrictEqual(diagnostics(usesTotals), ['warning BPF3005']);
  });

  it('the same map named by the scenario\'s attach.map: the error', () => {
    const scenario = JSON.stringify({ maps: [{ name: 'totals', type: 'array', key_size: 4, value_size: 8, max_entries: 1 }], attach: { map: 'totals' } });
    assert.deepStrictEqual(diagnostics(usesTotals, { '/attach/sum.bpfscenario.json': scenario }), ['error BPF3002']);
  });

  it('the file\'s only map, not used by the program (the map it iterates): the error', () => {
    assert.deepStrictEqual(diagnostics(program('\tbpf_printk("%llu", val->a + val->b);\n\t(void)zero;')), ['error BPF3002']);
  });
});
