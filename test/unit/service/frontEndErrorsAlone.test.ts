/**
 * A file with a front-end error is never compiled, so clang prints that error alone: no word about what only its
 * backend would refuse, and nothing about the later uses of a declaration the error made invalid.
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const errorsOf = (text: string): string[] => {
  const file = '/front-end-errors/prog.bpf.c';
  const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
  return service.validate(file, text).filter((d) => d.severity === 1).map((d) => `${d.range.start.line + 1}: ${String(d.code)}`);
};

const program = (size: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct row { __u32 id; char name[${size}]; };
SEC("iter/bpf_prog")
int list(struct bpf_iter__bpf_prog *ctx)
{
	struct bpf_prog *prog = ctx->prog;
	struct row r = {};
	if (!prog)
		return 0;
	__builtin_memcpy(r.name, prog->aux->name, sizeof(r.name));
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", r.name);
	return 0;
}
`;

describe('service: a front-end error is reported alone, as clang does', () => {
  it('an array size naming an undeclared macro: that error only (no incomplete sizeof, no memcpy the backend refuses)', () => {
    assert.deepStrictEqual(errorsOf(program('BPF_OBJ_NAME_LEN')), ['4: BPF1200']);
  });

  it('the same program with a declared size has no error', () => {
    assert.deepStrictEqual(errorsOf(program('16')), []);
  });
});
