/**
 * A pointer counter bounded by its distance from a base, `for (c = buf; (c - buf) < n; ++c)`: clang folds the
 * distance into an index, which the verifier bounds as any counter (finding 10, test/fixtures/findings).
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const PROLOGUE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n';
const program = (helper: string, call: string) => `${PROLOGUE}${helper}
SEC("iter/bpf_map")
int walk(struct bpf_iter__bpf_map *ctx)
{
	char buf[16] = {};
	__u32 words[4] = {};
	if (!ctx->map)
		return 0;
	${call}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %u\\n", buf, words[0]);
	return 0;
}
`;

describe('checker: a loop bounded by a pointer\'s distance from its base', () => {
  const codesOf = (text: string): string[] => {
    const file = '/pointer-distance/walk.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).map((d) => String(d.code));
  };

  it('is bounded by a char pointer counted up to a constant, and by a u32 pointer (the distance in elements)', () => {
    assert.deepStrictEqual(codesOf(program('static void blank(char *buf, __u64 size) { for (char *c = buf; (__u64)(c - buf) < size && *c; ++c) if (*c == \'\\n\') *c = \' \'; }', 'blank(buf, sizeof(buf));')), []);
    assert.deepStrictEqual(codesOf(program('', 'for (__u32 *p = words; p - words < 4; p++) *p = 7;')), []);
  });

  it('is not proven when the base moves inside the loop, or the counter moves away from the bound', () => {
    assert.ok(codesOf(program('', 'char *base = buf; for (char *c = buf; c - base < 8; ++c) { base++; *c = 1; }')).includes('BPF2027'));
    assert.ok(codesOf(program('', 'char *end = buf + 8; for (char *c = end; c - buf < 16; --c) *c = 1;')).includes('BPF2027'));
  });

  it('is still refused when the bound is any u64 (the verifier walks the index up to it)', () => {
    const codes = codesOf(program('', '__u64 n = bpf_get_prandom_u32() * 1000000ULL; for (char *c = buf; (__u64)(c - buf) < n; ++c) if (c - buf < 16) *c = 1;'));
    assert.ok(codes.includes('BPF2010') || codes.includes('BPF2027'), codes.join(' '));
  });
});
