import * as assert from 'assert';
import { Kernel } from '../../../server/src/kernel';
import { HELPERS_NOT_SIMULATED, iterHelperNames, lookupHelper } from '../../../server/src/lang/checker/helpers';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

describe('checker/helpers: what the checker accepts and what the simulated kernel runs', () => {
  it('every helper of the table is run by the simulated kernel or listed as not simulated, never both', () => {
    const simulated = new Set(Object.keys(new Kernel().helpers));
    for (const name of iterHelperNames()) {
      if (lookupHelper(name).status !== 'allowed' || name.startsWith('bpf_iter_')) continue;
      assert.notStrictEqual(simulated.has(name), HELPERS_NOT_SIMULATED.has(name), `${name}: simulated ${simulated.has(name)}, listed as not simulated ${HELPERS_NOT_SIMULATED.has(name)}`);
    }
  });

  it('warns at a call the run cannot go past (bpf_get_current_pid_tgid in an iterator reads the reader, cat)', () => {
    const text = [
      '#include "vmlinux.h"',
      '#include <bpf/bpf_helpers.h>',
      'char LICENSE[] SEC("license") = "GPL";',
      'SEC("iter/task") int current(struct bpf_iter__task *ctx) {',
      '  __u64 id = bpf_get_current_pid_tgid();',
      '  if (!ctx->task) return 0;',
      '  BPF_SEQ_PRINTF(ctx->meta->seq, "%d %llu\\n", ctx->task->pid, id >> 32);',
      '  return 0;',
      '}',
      '',
    ].join('\n');
    const diagnostics = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text);
    const warning = diagnostics.find((d) => d.code === `BPF${Diagnostics.HelperNotSimulated.code}`);
    assert.ok(warning, JSON.stringify(diagnostics));
    assert.strictEqual(warning!.severity, 2);
    assert.match(String(warning!.message), /bpf_get_current_pid_tgid .*process reading it \(cat\)/);
  });
});

describe('checker/helpers: bpf_d_path refuses a pointer read out of a kernel struct (measured on 6.18)', () => {
  const program = (target: string, ctxType: string, body: string): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    `SEC("iter/${target}") int p(struct ${ctxType} *ctx) { char buf[64]; ${body} return 0; }`,
    '',
  ].join('\n');
  const untrusted = (text: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.code === `BPF${Diagnostics.HelperArgUntrusted.code}`);
  const cases: Array<[string, string, string, boolean]> = [
    ['task', 'bpf_iter__task', 'struct task_struct *t = ctx->task; if (!t || !t->mm) return 0; bpf_d_path(&t->mm->exe_file->f_path, buf, sizeof(buf));', true],
    ['task_vma', 'bpf_iter__task_vma', 'struct vm_area_struct *v = ctx->vma; if (!v || !v->vm_file) return 0; bpf_d_path(&v->vm_file->f_path, buf, sizeof(buf));', true],
    ['task_file', 'bpf_iter__task_file', 'struct file *f = ctx->file; if (!f) return 0; bpf_d_path(&f->f_path, buf, sizeof(buf));', false],
  ];
  for (const [target, ctxType, body, refused] of cases) {
    it(`iter/${target}: ${refused ? 'refused' : 'loads'}`, () => {
      const found = untrusted(program(target, ctxType, body));
      assert.strictEqual(found.length, refused ? 1 : 0, JSON.stringify(found));
      if (refused) assert.match(String(found[0].message), /untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_/);
    });
  }
});
