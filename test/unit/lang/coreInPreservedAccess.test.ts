/**
 * Inside __builtin_preserve_access_index (BPF_CORE_READ's) clang relocates every member access, those of the
 * program's own structs too. libbpf relocates such an access by the struct's name without its ___flavor: a struct
 * the kernel has not (a local `struct walk_ctx`) leaves the relocation unresolved and the instruction poisoned (measured
 * on 6.18: "failed to resolve CO-RE relocation <byte_off> [..] struct walk_ctx.task"); a flavor of a kernel struct
 * declared without the attribute reads the kernel's field.
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const PROLOGUE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_core_read.h>\nchar LICENSE[] SEC("license") = "GPL";\n';
const program = (body: string) => `${PROLOGUE}
struct walk_ctx { struct task_struct *task; __u32 depth; };
struct task_struct___lite { int pid; int tgid; };
SEC("iter/task")
int walk(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct walk_ctx w = {}, *wp = &w;
	struct task_struct *p;
	int pid = 0;
	if (!task)
		return 0;
	w.task = task;
	${body}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d\\n", pid, p ? 1 : 0);
	return 0;
}
`;
const FILE = '/core-in-preserved-access/walk.bpf.c';
const serviceOf = (text: string) => createLanguageService(createMemoryHost({ [FILE]: text }, createNodeHost()), defaultSettings());
const errorsOf = (text: string): string[] => serviceOf(text).validate(FILE, text).filter((d) => d.severity === 1).map((d) => String(d.code));

describe('lang: member accesses inside __builtin_preserve_access_index are relocated by the struct\'s name', () => {
  it('a local struct the kernel has not, through a pointer or a dot: the relocation is poisoned (BPF2990)', () => {
    assert.deepStrictEqual(errorsOf(program('p = BPF_CORE_READ(wp->task, real_parent);')), ['BPF2990']);
    assert.deepStrictEqual(errorsOf(program('p = BPF_CORE_READ(w.task, real_parent);')), ['BPF2990']);
  });

  it('the same pointer read out of the local struct first is relocated against task_struct only', () => {
    assert.deepStrictEqual(errorsOf(program('struct task_struct *t = wp->task; p = BPF_CORE_READ(t, real_parent);')), []);
  });

  it('a ___flavor of a kernel struct declared without the attribute reads the kernel\'s field', async () => {
    const text = program('pid = BPF_CORE_READ((struct task_struct___lite *)task, pid); p = task;');
    assert.deepStrictEqual(errorsOf(text), []);
    const r = await serviceOf(text).run(FILE, text, {}) as unknown as { output: string | null; error?: { message: string } };
    assert.ok(!r.error, r.error?.message);
    assert.strictEqual((r.output ?? '').split('\n')[0], '1 1');
  });
});
