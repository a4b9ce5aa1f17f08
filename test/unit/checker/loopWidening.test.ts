/**
 * A counter read after its loop: the verifier walks a bounded loop's iterations one by one, so the counter keeps the
 * bound it left the loop at. The fixpoint here widens a growing counter to the constants the loop compares with
 * before widening it to the ends of its range.
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const PROLOGUE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n';
const program = (body: string) => `${PROLOGUE}
static char out[110];
SEC("iter/task")
int walk(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	int i, len;
	if (!task)
		return 0;
	len = task->pid;
	${body}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", out);
	return 0;
}
`;

describe('checker: a loop counter used after the loop', () => {
  const codesOf = (text: string): string[] => {
    const file = '/loop-widening/walk.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).map((d) => String(d.code));
  };

  it('keeps the bound of a counter stepped up to a constant and a variable (the unix socket path copy)', () => {
    assert.deepStrictEqual(codesOf(program('for (i = 1; i < 108 && i < len; i++) out[i] = task->comm[i & 15]; out[i] = 0;')), []);
    assert.deepStrictEqual(codesOf(program('for (i = 0; i <= 100; i += 4) out[i] = 1; out[i] = 0;')), []);
    assert.deepStrictEqual(codesOf(program('i = 100; while (i > 3 && i > len) i--; out[i] = 0;')), []);
  });

  it('still reports the counter past the end of the array it indexes', () => {
    const codes = codesOf(program('for (i = 0; i < 200 && i < len; i++) out[i & 63] = 1; out[i] = 0;'));
    assert.ok(codes.length > 0, 'an index up to 200 into a 110-byte array');
  });
});

describe('checker: a stack array written element by element by a counted loop', () => {
  const fill = (loop: string, read: string) => `${PROLOGUE}
SEC("iter/task")
int walk(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u32 counts[16];
	__u32 i, idx;
	if (!task)
		return 0;
	${loop}
	idx = task->pid & 15;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", ${read});
	return 0;
}
`;
  const codesOf = (text: string): string[] => {
    const file = '/loop-fill/walk.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).map((d) => String(d.code));
  };

  it('is written after the loop: no "read before it is written" for any element', () => {
    assert.deepStrictEqual(codesOf(fill('for (i = 0; i < 16; i++) counts[i] = i * 3;', 'counts[idx]')), []);
    assert.deepStrictEqual(codesOf(fill('for (i = 0; i <= 15; i++) { idx = i; counts[i] = idx; }', 'counts[idx]')), []);
  });

  it('still warns when the loop covers part of the array, or may skip the store', () => {
    assert.ok(codesOf(fill('for (i = 0; i < 8; i++) counts[i] = i;', 'counts[idx]')).includes('BPF2014'));
    assert.ok(codesOf(fill('for (i = 0; i < 16; i++) { if (i == task->tgid) continue; counts[i] = i; }', 'counts[idx]')).includes('BPF2014'));
    assert.ok(codesOf(fill('for (i = 0; i < 16; i++) { if (i == task->tgid) break; counts[i] = i; }', 'counts[idx]')).includes('BPF2014'));
  });
});
