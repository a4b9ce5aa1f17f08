import * as assert from 'assert';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/**
 * bpf_rdonly_cast(obj, bpf_core_type_id_kernel(T)) (how the kernel's own socket-iterator tests read a struct sock
 * from a socket iterator): the same address as an untrusted T, measured on 6.18: reading its fields loads, passing it to
 * bpf_seq_write() ("R2 type=untrusted_ptr_ expected=fp, ...") or bpf_find_vma() ("R1 type=untrusted_ptr_ expected=ptr_,
 * ...") is refused, EACCES.
 */
const program = (use: string): string => [
  '#include "vmlinux.h"',
  '#include <bpf/bpf_helpers.h>',
  '#include <bpf/bpf_core_read.h>',
  'char LICENSE[] SEC("license") = "GPL";',
  'extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;',
  'static long cb(struct task_struct *task, struct vm_area_struct *vma, void *data) { return 0; }',
  'SEC("iter/task") int p(struct bpf_iter__task *ctx) {',
  '  struct task_struct *t = ctx->task, *r; __u64 d = 0; char c[4];',
  '  if (!t) return 0;',
  '  r = bpf_rdonly_cast(t, bpf_core_type_id_kernel(struct task_struct));',
  `  ${use}`,
  '  return 0;',
  '}',
  '',
].join('\n');

describe('checker/kfuncs: bpf_rdonly_cast() gives an untrusted pointer of the type (check_kfunc_call()), measured on 6.18', () => {
  const diagnostics = (text: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).map((d) => `${d.severity} ${d.code}`);
  it('loads: its fields are read, and the run reads the object itself (no "not modelled" warning, no BTF id warning)', async () => {
    const text = program('c[0] = r->comm[0]; BPF_SEQ_PRINTF(ctx->meta->seq, "%c%d\\n", c[0], r->pid == t->pid);');
    assert.deepStrictEqual(diagnostics(text), []);
    const result = await serviceFor(TARGET_FILES).run(FIXTURE_PATH, text, {}) as unknown as { output: string | null; error?: unknown };
    assert.ok(result.output && /^(.1\n)+$/.test(result.output), JSON.stringify(result));
  });
  it('refused: the result given to bpf_seq_write() as memory, or to bpf_find_vma() as the task', () => {
    assert.deepStrictEqual(diagnostics(program('bpf_seq_write(ctx->meta->seq, r->comm, 4);')), [`1 BPF${Diagnostics.HelperMemArgNotTrusted.code}`]);
    assert.deepStrictEqual(diagnostics(program('bpf_find_vma(r, 0, cb, &d, 0);')), [`1 BPF${Diagnostics.HelperArgUntrusted.code}`]);
  });
  it('a bpf_core_type_id_kernel() outside bpf_rdonly_cast() is still a value bpf-iter-lab cannot simulate (a warning)', () => {
    assert.deepStrictEqual(diagnostics(program('d = bpf_core_type_id_kernel(struct task_struct); c[0] = d;')), [`2 BPF${Diagnostics.UnsupportedConstruct.code}`]);
  });
});
