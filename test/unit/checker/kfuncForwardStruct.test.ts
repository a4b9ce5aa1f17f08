import * as assert from 'assert';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
`;

function errors(text: string): Array<{ code: unknown; message: string }> {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, HEAD + text).filter((d) => d.severity === 1)
    .map((d) => ({ code: d.code, message: typeof d.message === 'string' ? d.message : d.message.value }));
}

// clang 14 + libbpf + Linux 6.18, measured: a struct the ctx points at and the program never reads is a BTF forward
// declaration in the object, and libbpf refuses a kfunc prototype naming it ("func_proto [N] incompatible with kernel")
describe('lang: an extern kfunc whose prototype names a struct clang emits only as a forward declaration (BPF2066)', () => {
  it('bpf_task_from_pid() + bpf_task_release() in an iter/task that reads no task field: refused, libbpf\'s words', () => {
    const e = errors(`SEC("iter/task")
int p(struct bpf_iter__task *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	if (!t)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "x\\n");
	bpf_task_release(t);
	return 0;
}
`);
    assert.deepStrictEqual(e.map((d) => d.code), ['BPF2066']);
    assert.match(e[0].message, /extern \(func ksym\) 'bpf_task_from_pid': func_proto \[N\] incompatible with kernel/);
  });

  it('bpf_task_acquire(ctx->task) and an iter/task_file (whose ctx points at the task too) are refused the same way', () => {
    assert.deepStrictEqual(errors(`SEC("iter/task")
int p(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task, *a;
	if (!t)
		return 0;
	a = bpf_task_acquire(t);
	if (a)
		bpf_task_release(a);
	return 0;
}
`).map((d) => d.code), ['BPF2066']);
    assert.deepStrictEqual(errors(`SEC("iter/task_file")
int p(struct bpf_iter__task_file *ctx)
{
	struct file *f = ctx->file;
	struct task_struct *t;
	if (!f || ctx->fd != 0)
		return 0;
	t = bpf_task_from_pid(1);
	if (!t)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lld\\n", f->f_pos);
	bpf_task_release(t);
	return 0;
}
`).map((d) => d.code), ['BPF2066']);
  });

  it('loads once a field of the struct is read (t->pid or BPF_CORE_READ): clang emits the struct', () => {
    for (const read of ['t->pid', 'BPF_CORE_READ(t, pid)']) {
      assert.deepStrictEqual(errors(`SEC("iter/task")
int p(struct bpf_iter__task *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);
	if (!t)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", ${read});
	bpf_task_release(t);
	return 0;
}
`), [], read);
    }
  });
});
