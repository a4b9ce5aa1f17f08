/**
 * A pointer a counted loop steps by a constant on some passes only, `if ((*dst = *src) != 0) src++;` (a strncpy
 * that pads with the string's last byte, read from task->comm): the verifier walks the passes one by one, each
 * with a constant offset into the struct; the fixpoint here joins the passes and must not widen the offset past
 * the loop's trip count (found in thediveo/beesy's task iterator, which clang 14 builds and Linux 6.18 loads).
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const PROLOGUE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n';
const program = (copy: string, len: number, out = 'char out[16];') => `${PROLOGUE}
static char far[4096];
static void copy_name(char *dst, const char *src, int len)
{
	while (len) {
		${copy}
		dst++;
		len--;
	}
}

SEC("iter/task")
int walk(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	${out}

	if (!task)
		return 0;
	copy_name(out, task->comm, ${len});
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", out);
	return 0;
}
`;

describe('checker: a pointer stepped by a counted loop', () => {
  const codesOf = (text: string): string[] => {
    const file = '/pointer-step/walk.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).map((d) => String(d.code));
  };

  it('reads a kernel struct only as far as the loop\'s passes take the pointer', () => {
    assert.ok(!codesOf(program('if ((*dst = *src) != 0) src++;', 15)).includes('BPF2035'));
    assert.ok(!codesOf(program('*dst = *src; src += 2;', 8)).includes('BPF2035'));
    assert.ok(!codesOf(program('*dst = *src; if (*src) src++; if (*src) src++;', 7)).includes('BPF2035'));
  });

  it('still reports a pointer the passes take past the end of the struct', () => {
    assert.ok(codesOf(program('if ((*dst = *src) != 0) src++;', 4000, 'char *out = far;')).includes('BPF2035'));
    assert.ok(codesOf(program('*dst = *src; src += 4;', 900, 'char *out = far;')).includes('BPF2035'));
  });
});
