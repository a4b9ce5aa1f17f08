/**
 * A switch on a value the checker knows enters at its case only: clang folds it, so the verifier never sees the
 * other cases (libbpf's BPF_CORE_READ_BITFIELD switches on a field's CO-RE size; finding 15, test/fixtures/findings).
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const program = (discriminant: string, extraCase = '') => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_map")
int sizes(struct bpf_iter__bpf_map *ctx)
{
	unsigned long long val;
	if (!ctx->map)
		return 0;
	switch (${discriminant}) {
	case 1: val = 1; break;
	case 4: val = 4; break;
	${extraCase}
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\\n", val);
	return 0;
}
`;

describe('checker: a switch on a known value', () => {
  const codesOf = (text: string): string[] => {
    const file = '/constant-switch/sizes.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).map((d) => String(d.code));
  };
  it('a constant that matches a case: the other cases and the missing default are not paths', () => {
    assert.deepStrictEqual(codesOf(program('sizeof(int)')), []);
  });
  it('a constant that matches no case leaves the switch as it came (val unassigned), and a default is then entered', () => {
    assert.ok(codesOf(program('2')).includes('BPF2016'));
    assert.deepStrictEqual(codesOf(program('2', 'default: val = 0;')), []);
  });
  it('an unknown value may match no case: val may be unassigned', () => {
    assert.ok(codesOf(program('bpf_get_prandom_u32() & 7')).includes('BPF2016'));
  });
});
