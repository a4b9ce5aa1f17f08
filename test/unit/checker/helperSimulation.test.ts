import * as assert from 'assert';
import { Kernel } from '../../../server/src/kernel';
import { HELPERS_NOT_SIMULATED, iterHelperNames, lookupHelper, NOT_MODELLED_BUT_SIMULATED, notModelledHelperNames } from '../../../server/src/lang/checker/helpers';
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

  it('of the helpers the checker does not model, the simulated kernel runs exactly NOT_MODELLED_BUT_SIMULATED', () => {
    const simulated = new Set(Object.keys(new Kernel().helpers));
    const notModelled = notModelledHelperNames();
    assert.ok(notModelled.every((name) => lookupHelper(name).status === 'notModelled'));
    assert.deepStrictEqual(notModelled.filter((name) => simulated.has(name)).sort(), [...NOT_MODELLED_BUT_SIMULATED].sort());
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
    // still untrusted after the paths of a `?:` (or an if/else) met again, or after a join with NULL
    ['task_vma', 'bpf_iter__task_vma', 'struct vm_area_struct *v = ctx->vma; struct file *f; if (!v) return 0; f = v->vm_file; buf[0] = v->vm_flags & 1 ? \'s\' : \'p\'; if (f) bpf_d_path(&f->f_path, buf, sizeof(buf));', true],
    ['task_vma', 'bpf_iter__task_vma', 'struct vm_area_struct *v = ctx->vma; struct file *f = 0; if (!v) return 0; if (v->vm_flags & 4) f = v->vm_file; if (f) bpf_d_path(&f->f_path, buf, sizeof(buf));', true],
  ];
  for (const [n, [target, ctxType, body, refused]] of cases.entries()) {
    it(`iter/${target}: ${refused ? 'refused' : 'loads'} (case ${n + 1})`, () => {
      const found = untrusted(program(target, ctxType, body));
      assert.strictEqual(found.length, refused ? 1 : 0, JSON.stringify(found));
      if (refused) assert.match(String(found[0].message), /untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_/);
    });
  }
});

describe('checker/helpers: a memory argument takes a kernel object only when it is trusted (measured on 6.18)', () => {
  const program = (target: string, body: string, sleepable = false): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    `SEC("iter${sleepable ? '.s' : ''}/${target}") int p(struct bpf_iter__${target} *ctx) { struct seq_file *seq = ctx->meta->seq; ${body} return 0; }`,
    '',
  ].join('\n');
  const refusals = (text: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1);
  // [target, body, sleepable, the kernel's register type in its refusal, or undefined when the program loads]
  const cases: Array<[string, string, boolean, string | undefined]> = [
    ['ksym', 'struct kallsym_iter *k = ctx->ksym; if (!k) return 0; if (bpf_strncmp(k->name, 4, "bpf_") == 0) bpf_seq_write(seq, "x", 1);', false, 'ptr_'],
    ['ksym', 'struct kallsym_iter *k = ctx->ksym; if (!k) return 0; bpf_seq_write(seq, &k->value, 8);', false, 'ptr_'],
    ['task_file', 'struct file *f = ctx->file; if (!f) return 0; bpf_seq_write(seq, &f->f_flags, 4);', false, 'ptr_'],
    ['tcp', 'struct sock_common *s = ctx->sk_common; struct tcp_sock *tp; if (!s) return 0; tp = bpf_skc_to_tcp_sock(s); if (!tp) return 0; bpf_seq_write(seq, &tp->snd_cwnd, 4);', false, 'ptr_'],
    ['task', 'struct task_struct *t = ctx->task; if (!t) return 0; bpf_seq_write(seq, t->mm, 8);', false, 'untrusted_ptr_'],
    ['task_vma', 'struct vm_area_struct *v = ctx->vma; if (!v) return 0; bpf_seq_write(seq, v->vm_file, 8);', false, 'untrusted_ptr_'],
    ['task', 'struct task_struct *t = ctx->task; if (!t) return 0; if (bpf_strncmp(t->group_leader->comm, 4, "bash") == 0) bpf_seq_write(seq, "x", 1);', false, 'rcu_ptr_'],
    ['task', 'struct task_struct *t = ctx->task; if (!t) return 0; bpf_seq_write(seq, t->group_leader, 8);', true, 'untrusted_ptr_'],
    ['cgroup', 'struct cgroup *c = ctx->cgroup; if (!c) return 0; bpf_seq_write(seq, c->kn, 8);', false, 'rcu_ptr_'],
    // trusted: the iterated task, the map of iter/bpf_map, a socket of iter/tcp, and members of them
    ['task', 'struct task_struct *t = ctx->task; if (!t) return 0; if (bpf_strncmp(t->comm, 4, "bash") == 0) bpf_seq_write(seq, &t->pid, 4);', false, undefined],
    ['task', 'struct task_struct *t = ctx->task; if (!t) return 0; BPF_SEQ_PRINTF(seq, "%s\\n", t->group_leader->comm);', false, undefined],
    ['bpf_map', 'struct bpf_map *m = ctx->map; if (!m) return 0; bpf_seq_write(seq, m->name, 8);', false, undefined],
    ['tcp', 'struct sock_common *s = ctx->sk_common; if (!s) return 0; bpf_seq_write(seq, &s->skc_daddr, 4);', false, undefined],
  ];
  // not a memory argument: the value of a sockmap update is a socket (resolve_map_arg_type(): an iter/sockmap
  // program may copy ctx->sk into another sockmap; sockmap iterators cannot be loaded on the measuring machine, EPERM)
  const sockmap = 'struct { __uint(type, 15 /* BPF_MAP_TYPE_SOCKMAP */); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } dst SEC(".maps");\n';
  it('a map key or value may not be a trusted kernel object either (not read-only memory: "may write into memory")', () => {
    const hash = 'struct { __uint(type, 1); __uint(max_entries, 64); __type(key, int); __type(value, int); } m SEC(".maps");\n';
    const text = (body: string): string => program('task', body).replace('SEC("iter/', hash + 'SEC("iter/');
    for (const [body, helper, reg] of [
      ['struct task_struct *t = ctx->task; int *v; if (!t) return 0; v = bpf_map_lookup_elem(&m, &t->pid); if (v) bpf_seq_write(seq, v, 4);', 'bpf_map_lookup_elem', 'R2'],
      ['struct task_struct *t = ctx->task; int k = 1; if (!t) return 0; bpf_map_update_elem(&m, &k, &t->pid, 0);', 'bpf_map_update_elem', 'R3'],
    ]) {
      const found = refusals(text(body));
      assert.deepStrictEqual(found.map((d) => d.code), [`BPF${Diagnostics.WriteIntoKernelStruct.code}`], JSON.stringify(found));
      assert.ok(String(found[0].message).includes(`${helper}() may write into memory pointed by ${reg} type=trusted_ptr_`), String(found[0].message));
    }
    assert.deepStrictEqual(refusals(text('struct task_struct *t = ctx->task; int pid; int *v; if (!t) return 0; pid = t->pid; v = bpf_map_lookup_elem(&m, &pid); if (v) bpf_seq_write(seq, v, 4);')), []);
  });

  it('iter/sockmap: bpf_map_update_elem(&sockmap, &key, ctx->sk, 0) loads; a stack value or an unchecked ctx->sk is refused', () => {
    const text = (body: string): string => program('sockmap', body).replace('SEC("iter/', sockmap + 'SEC("iter/');
    assert.deepStrictEqual(refusals(text('struct sock *sk = ctx->sk; __u32 k = 0; if (!sk) return 0; bpf_map_update_elem(&dst, &k, sk, 0);')), []);
    const stackValue = refusals(text('__u64 v = 0; __u32 k = 0; bpf_map_update_elem(&dst, &k, &v, 0);'));
    assert.deepStrictEqual(stackValue.map((d) => d.code), [`BPF${Diagnostics.SocketArgNotSocket.code}`]);
    const unchecked = refusals(text('__u32 k = 0; bpf_map_update_elem(&dst, &k, ctx->sk, 0);'));
    assert.deepStrictEqual(unchecked.map((d) => d.code), [`BPF${Diagnostics.SocketArgNotSocket.code}`]);
  });
  for (const [target, body, sleepable, type] of cases) {
    it(`iter${sleepable ? '.s' : ''}/${target}: ${body.replace(/.*return 0; /, '')} ${type ? `is refused (${type})` : 'loads'}`, () => {
      const found = refusals(program(target, body, sleepable));
      if (type === undefined) { assert.deepStrictEqual(found, []); return; }
      assert.strictEqual(found.length, 1, JSON.stringify(found));
      assert.strictEqual(found[0].code, `BPF${Diagnostics.HelperMemArgNotTrusted.code}`);
      assert.match(String(found[0].message), new RegExp(`R\\d type=${type} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`));
    });
  }
});

describe('checker/helpers: a task argument (ARG_PTR_TO_BTF_ID) and the RCU section of a sleepable program (measured on 6.18)', () => {
  const storage = 'struct { __uint(type, 29 /* BPF_MAP_TYPE_TASK_STORAGE */); __uint(map_flags, 1 /* BPF_F_NO_PREALLOC */); __type(key, int); __type(value, __u64); } st SEC(".maps");';
  const program = (body: string, sleepable: boolean): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    'extern void bpf_rcu_read_lock(void) __ksym;',
    'extern void bpf_rcu_read_unlock(void) __ksym;',
    storage,
    `SEC("iter${sleepable ? '.s' : ''}/task") int p(struct bpf_iter__task *ctx) { struct task_struct *t = ctx->task, *q; __u64 ips[4]; char buf[8]; long n = 0; if (!t || !t->mm) return 0; ${body} return n > 0; }`,
    '',
  ].join('\n');
  const errors = (text: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1);
  const untrusted = `BPF${Diagnostics.HelperArgUntrusted.code}`;
  const inRcu = `BPF${Diagnostics.SleepableHelperInRcu.code}`;
  // [body, sleepable, the diagnostic the kernel's refusal matches, or undefined when the program loads]
  const cases: Array<[string, boolean, string | undefined]> = [
    // task->parent is no RCU field: untrusted_ptr_ (R1/R2 type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_)
    ['n = bpf_get_task_stack(t->parent, ips, sizeof(ips), 0);', false, untrusted],
    ['n = bpf_task_storage_get(&st, t->parent, 0, 0) != 0;', false, untrusted],
    ['n = bpf_task_pt_regs(t->parent) != 0;', false, untrusted],
    // task->real_parent is one: rcu_ptr_ in a non-sleepable program, which the helpers take
    ['n = bpf_get_task_stack(t->real_parent, ips, sizeof(ips), 0);', false, undefined],
    ['n = bpf_task_storage_get(&st, t->real_parent, 0, 0) != 0;', false, undefined],
    // a sleepable program outside bpf_rcu_read_lock(): untrusted
    ['n = bpf_copy_from_user_task(buf, sizeof(buf), (void *)t->mm->arg_start, t->real_parent, 0);', true, untrusted],
    ['n = bpf_get_task_stack(t->real_parent, ips, sizeof(ips), 0);', true, untrusted],
    ['n = bpf_copy_from_user_task(buf, sizeof(buf), (void *)t->mm->arg_start, t, 0);', true, undefined],
    // inside the section: an RCU pointer, but a helper that may sleep is refused there (EINVAL)
    ['bpf_rcu_read_lock(); q = t->real_parent; if (q) n = q->tgid; bpf_rcu_read_unlock();', true, undefined],
    ['bpf_rcu_read_lock(); q = t->real_parent; if (q) n = bpf_get_task_stack(q, ips, sizeof(ips), 0); bpf_rcu_read_unlock();', true, inRcu],
    ['bpf_rcu_read_lock(); n = bpf_copy_from_user_task(buf, sizeof(buf), (void *)t->mm->arg_start, t, 0); bpf_rcu_read_unlock();', true, inRcu],
    ['bpf_rcu_read_lock(); n = bpf_copy_from_user(buf, sizeof(buf), (void *)t->mm->arg_start); bpf_rcu_read_unlock();', true, inRcu],
    ['bpf_rcu_read_lock(); q = t->real_parent; bpf_rcu_read_unlock(); n = bpf_get_task_stack(t, ips, sizeof(ips), 0);', true, undefined],
  ];
  for (const [n, [body, sleepable, code]] of cases.entries()) {
    it(`iter${sleepable ? '.s' : ''}/task: ${code ? 'refused' : 'loads'} (case ${n + 1}: ${body.slice(0, 60)})`, () => {
      const found = errors(program(body, sleepable));
      assert.deepStrictEqual(found.map((d) => d.code), code ? [code] : [], JSON.stringify(found.map((d) => d.message)));
      if (code === inRcu) assert.match(String(found[0].message), /Verifier: "sleepable helper bpf_\w+#\d+ in rcu_read_lock region"/);
    });
  }
});
