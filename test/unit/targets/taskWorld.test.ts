/**
 * What a scenario now tells the task targets about a process beyond its files and areas, each measured on Linux 6.18
 * in a new pid namespace (`env -i A=1 B=hello unshare --fork --pid --mount-proc sh -c "cat PIN"`): the environment at
 * mm->env_start, exit_signal, the mount roots a d_parent walk meets, and the bytes of a memory area.
 */
import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from './btfHeader';
import { PROGRAMS } from '../../programs/taskWorld';

const SCENARIO = path.join(path.dirname(FIXTURE_PATH), 'world.bpfscenario.json');
const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
`;
const ELF = '7f454c46020101000000000000000000' + '03003e00';

function world(extra: { sh?: object; cat?: object; top?: object } = {}): object {
  return {
    ...extra.top,
    processes: [
      { pid: 1, ppid: 0, comm: 'sh', cmdline: ['sh', '-c', 'cat /sys/fs/bpf/p'], environ: ['A=1', 'B=hello'],
        files: [{ fd: 0, path: '/dev/null' }, { fd: 1, path: 'pipe:[7]' }],
        vmas: [{ start: '0x400000', end: '0x402000', perms: 'r--p', path: '/usr/bin/dash', data: ELF },
          { start: '0x402000', end: '0x403000', perms: '---p', path: '/usr/bin/dash', pgoff: 2 },
          { start: '0x7f0000000000', end: '0x7f0000004000', perms: 'r--p', path: '[vvar]' },
          { start: '0x7ffc00000000', end: '0x7ffc00021000', perms: 'rw-p', path: '[stack]' }], ...extra.sh },
      { pid: 2, ppid: 1, comm: 'cat', cmdline: ['cat', '/sys/fs/bpf/p'],
        files: [{ fd: 3, path: '/sys/fs/bpf/p' }, { fd: 4, path: '/var/log/x.log' }, { fd: 5, path: '/dev/pts/0' }, { fd: 6, path: '/dev' }], ...extra.cat },
    ],
  };
}

async function run(text: string, scenario: object): Promise<{ output: string; error?: string }> {
  const service = serviceFor({ ...TARGET_FILES, [SCENARIO]: JSON.stringify(scenario) });
  const r = await service.run(FIXTURE_PATH, text, { scenario: SCENARIO }) as unknown as { output: string | null; error?: { message: string } };
  return { output: r.output ?? '', error: r.error?.message };
}

describe('the task targets\' world: environment, exit_signal, mount roots, memory areas (measured on 6.18)', () => {
  it('environ: the strings at mm->env_start..env_end, right after argv (arg_end == env_start); none by default', async () => {
    const text = HEAD + `SEC("iter.s/task")
int env(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	char e[32] = {};
	unsigned long n;
	if (!t || !t->mm)
		return 0;
	n = t->mm->env_end - t->mm->env_start;
	if (n > sizeof(e))
		n = sizeof(e);
	long err = bpf_copy_from_user_task(e, n, (void *)t->mm->env_start, t, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s len=%lu err=%ld follows=%d first=%s\\n", t->comm, t->mm->env_end - t->mm->env_start, err,
		t->mm->arg_end == t->mm->env_start, e);
	return 0;
}
`;
    const r = await run(text, world());
    assert.ok(!r.error, r.error);
    // "A=1\\0B=hello\\0" is 12 bytes (measured: sh envlen=12, first A=1)
    assert.strictEqual(r.output, 'sh len=12 err=0 follows=1 first=A=1\ncat len=0 err=0 follows=1 first=\n');
  });

  it('exit_signal: what the scenario says (17 for the first process of a new pid namespace), else copy_process()\'s', async () => {
    const text = HEAD + `SEC("iter/task")
int sig(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	if (t)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s %d\\n", t->comm, t->exit_signal);
	return 0;
}
`;
    assert.strictEqual((await run(text, world())).output, 'sh 0\ncat 17\n');
    assert.strictEqual((await run(text, world({ sh: { exit_signal: 17 } }))).output, 'sh 17\ncat 17\n');
  });

  it('mounts: a file directly under a mount point has the mounted root "/" as d_parent (itself its own parent); a mount point names that root', async () => {
    const text = HEAD + `SEC("iter/task_file")
int up(struct bpf_iter__task_file *ctx)
{
	struct file *f = ctx->file;
	struct dentry *d, *p;
	if (!f)
		return 0;
	d = f->f_path.dentry;
	p = d->d_parent;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %s <- %s top=%d\\n", ctx->fd, d->d_name.name, p->d_name.name, p == p->d_parent);
	return 0;
}
`;
    // measured: /dev/null and a bpffs pin have "/" as d_parent; pipes hang off pipefs's root, their own dentry here
    const dflt = await run(text, world());
    assert.ok(!dflt.error, dflt.error);
    assert.strictEqual(dflt.output, ['0 null <- / top=1', '1  <-  top=1', '3 p <- / top=1', '4 x.log <- log top=0', '5 0 <- / top=1', '6 / <- / top=1', ''].join('\n'));
    // without mounts the directories of the root file system are the parents, as before
    const none = await run(text, world({ top: { mounts: [] } }));
    assert.strictEqual(none.output, ['0 null <- dev top=0', '1  <-  top=1', '3 p <- bpf top=0', '4 x.log <- log top=0', '5 0 <- pts top=0', '6 dev <- / top=1', ''].join('\n'));
  });

  it('bpf_copy_from_user_task() of an area: its `data`, then zeros; an area without VM_READ or a VM_IO | VM_PFNMAP one ([vvar]) faults', async () => {
    const text = HEAD + `SEC("iter.s/task_vma")
int bytes(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *v = ctx->vma;
	struct task_struct *t = ctx->task;
	unsigned char h[20] = {};
	__u64 tail = 1;
	long err, err2;
	if (!t || !v)
		return 0;
	err = bpf_copy_from_user_task(h, sizeof(h), (void *)v->vm_start, t, 0);
	err2 = bpf_copy_from_user_task(&tail, sizeof(tail), (void *)(v->vm_end - 8), t, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lx err=%ld %c%c%c class=%u machine=%u tail err=%ld %llu flags=%lx\\n", v->vm_start, err,
		h[1], h[2], h[3], h[4], h[18] | (h[19] << 8), err2, tail, v->vm_flags);
	return 0;
}
`;
    const r = await run(text, world());
    assert.ok(!r.error, r.error);
    // measured vm_flags: r--p 0x71, ---p 0x70, [vvar] 0x4044411, [stack] 0x100173 (VM_GROWSDOWN, VM_ACCOUNT)
    assert.strictEqual(r.output, [
      '400000 err=0 ELF class=2 machine=62 tail err=0 0 flags=71',
      '402000 err=-14 \0\0\0 class=0 machine=0 tail err=-14 0 flags=70',
      '7f0000000000 err=-14 \0\0\0 class=0 machine=0 tail err=-14 0 flags=4044411',
      '7ffc00000000 err=0 \0\0\0 class=0 machine=0 tail err=0 0 flags=100173', ''].join('\n'));
  });

  it('bpf_copy_from_user_task_str(): the string cut to the buffer and terminated, its length + 1; -EFAULT (all zeros with BPF_F_PAD_ZEROS), -EINVAL for other flags', async () => {
    const text = HEAD + `extern int bpf_copy_from_user_task_str(void *dst, __u32 dst__sz, const void *unsafe_ptr__ign, struct task_struct *tsk, __u64 flags) __weak __ksym;
SEC("iter.s/task")
int str(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	char a[4], b[16], c[16] = "xxxxxxxxxxxxxxx";
	int r1, r2, r3, r4, r5;
	if (!t || !t->mm)
		return 0;
	r1 = bpf_copy_from_user_task_str(a, sizeof(a), (void *)(t->mm->arg_start), t, 0);
	r2 = bpf_copy_from_user_task_str(b, sizeof(b), (void *)(t->mm->env_start + 4), t, 1);
	r3 = bpf_copy_from_user_task_str(c, sizeof(c), (void *)(t->mm->env_start), t, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %d [%s] %d [%s] %d [%s] %c\\n", t->comm, r1, a, r2, b, r3, c, c[5]);
	r4 = bpf_copy_from_user_task_str(b, sizeof(b), (void *)8, t, 1);
	r5 = bpf_copy_from_user_task_str(a, sizeof(a), (void *)(t->mm->arg_start), t, 2);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %d\\n", r4, b[0] | b[15], r5);
	return 0;
}
`;
    const r = await run(text, world({ cat: { environ: ['A=1', 'B=hello'] } }));
    assert.ok(!r.error, r.error);
    // measured on 6.18: "sh" into 4 bytes is 3, "B=hello" into 4 bytes "B=h" and 4, into 16 bytes 8; a fault -14, flags 2 -22
    assert.strictEqual(r.output, 'sh 3 [sh] 8 [B=hello] 4 [A=1] x\n-14 0 -22\ncat 4 [cat] 8 [B=hello] 4 [A=1] x\n-14 0 -22\n');
  });

  it('mm: mm_users counts the tasks sharing the mm; start_brk..brk is the [heap] area; start_stack lies in the VM_GROWSDOWN one', async () => {
    const text = HEAD + `SEC("iter/task_vma")
int mm(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *v = ctx->vma;
	struct mm_struct *m;
	if (!v || !ctx->task)
		return 0;
	m = v->vm_mm;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lx users=%d heap=%d stack=%d\\n", v->vm_start, m->mm_users.counter,
		v->vm_start <= m->brk && v->vm_end >= m->start_brk, v->vm_start <= m->start_stack && m->start_stack < v->vm_end);
	return 0;
}
`;
    const r = await run(text, { processes: [{ pid: 7, comm: 'w', vmas: [{ start: '0x1000', end: '0x2000', perms: 'rw-p', path: '[heap]' },
      { start: '0x7000', end: '0x9000', perms: 'rw-p', path: '[stack]' }, { start: '0xa000', end: '0xb000', perms: 'r-xp', path: '[vdso]' }] },
    { pid: 8, tgid: 7, comm: 'w2' }] });
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, '1000 users=2 heap=1 stack=0\n7000 users=2 heap=0 stack=1\na000 users=2 heap=0 stack=0\n');
  });

  it('vm_pgoff of an area without a file: vm_start >> 12 (mmap, [heap]), STACK_TOP_MAX\'s page less its pages ([stack]), 0 for the vDSO; PF_RANDOMIZE on processes', async () => {
    // measured on 6.18: rw-p and [heap] areas start >> 12, [stack] of 0x21 pages 0x7ffffffde, [vvar] and [vdso] 0; sh and cat flags 0x400000
    const text = HEAD + `SEC("iter/task_vma")
int pgoff(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *v = ctx->vma;
	struct task_struct *t = ctx->task;
	if (!v || !t)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lx %lx randomize=%d\\n", v->vm_start, v->vm_pgoff, (t->flags & 0x400000) != 0);
	return 0;
}
`;
    const r = await run(text, { processes: [{ pid: 7, comm: 'w', vmas: [{ start: '0x55ed9b33e000', end: '0x55ed9b35f000', perms: 'rw-p', path: '[heap]' },
      { start: '0x7fd976272000', end: '0x7fd976275000', perms: 'rw-p' }, { start: '0x7fd976280000', end: '0x7fd976281000', perms: 'rw-s' },
      { start: '0x7fd976462000', end: '0x7fd976466000', perms: 'r--p', path: '[vvar]' }, { start: '0x7fd976468000', end: '0x7fd97646a000', perms: 'r-xp', path: '[vdso]' },
      { start: '0x7ffc94d67000', end: '0x7ffc94d88000', perms: 'rw-p', path: '[stack]' }] }] });
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['55ed9b33e000 55ed9b33e', '7fd976272000 7fd976272', '7fd976280000 0', '7fd976462000 0', '7fd976468000 0', '7ffc94d67000 7ffffffde']
      .map((l) => `${l} randomize=1\n`).join(''));
  });

  it('start_boottime is start_time (nothing suspended); loginuid and sessionid from the scenario, unset (-1) by default', async () => {
    const boot = await run(PROGRAMS.start_boottime, world());
    assert.strictEqual(boot.output, 'sh after_parent=1 boot_ge=1\ncat after_parent=1 boot_ge=1\n', boot.error);
    const r = await run(PROGRAMS.loginuid, world({ sh: { loginuid: 1000, sessionid: 3 } }));
    assert.strictEqual(r.output, 'sh loginuid=1000 sessionid=3\ncat loginuid=4294967295 sessionid=4294967295\n', r.error);
  });

  it('mm page counters as vm_stat_account() keeps them: exec (x, not w, not stack), data (w private), stack (VM_GROWSDOWN)', async () => {
    const r = await run(PROGRAMS.mm_counters, world({ sh: { vmas: [
      { start: '0x400000', end: '0x402000', perms: 'r--p', path: '/usr/bin/dash' },
      { start: '0x402000', end: '0x405000', perms: 'r-xp', path: '/usr/bin/dash', pgoff: 2 },
      { start: '0x600000', end: '0x601000', perms: 'rw-p', path: '/usr/bin/dash', pgoff: 5 },
      { start: '0x602000', end: '0x606000', perms: 'rw-p', path: '[heap]' },
      { start: '0x7f0000000000', end: '0x7f0000001000', perms: 'rw-s', path: '/dev/shm/x' },
      { start: '0x7ffc00000000', end: '0x7ffc00021000', perms: 'rw-p', path: '[stack]' }] } }));
    assert.strictEqual(r.output.split('\n')[0], 'sh total=44 data=5 stack=33 exec=3 maps=6', r.error);
  });

  it('PF_SUPERPRIV: set on a task whose scenario says used_privilege (the sh of unshare --mount-proc: 0x400100), not on the others', async () => {
    const r = await run(PROGRAMS.superpriv, world({ sh: { used_privilege: true } }));
    assert.strictEqual(r.output, 'sh flags=400100 superpriv=1\ncat flags=400000 superpriv=0\n', r.error);
  });

  it('signal->rlim[]: the scenario\'s limits by name ("unlimited" is RLIM_INFINITY), INIT_RLIMITS for the others, shared by threads', async () => {
    // measured on 6.18 (sh and cat under a node test: nofile 20000/20000, stack 8388608/unlimited, core 0, nproc 96367)
    const text = HEAD + `SEC("iter/task")
int rl(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct rlimit *r;
	if (!t)
		return 0;
	r = t->signal->rlim;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s nofile=%lu/%lu stack=%lu/%ld core=%lu msgq=%lu\\n", t->comm, r[7].rlim_cur, r[7].rlim_max,
		r[3].rlim_cur, (long)r[3].rlim_max, r[4].rlim_cur, r[12].rlim_cur);
	return 0;
}
`;
    const r = await run(text, { processes: [{ pid: 1, comm: 'sh', rlimits: { nofile: [20000, 20000], core: ['unlimited', 'unlimited'] } },
      { pid: 2, tgid: 1, comm: 'sh-thread' }, { pid: 3, ppid: 1, comm: 'cat' }] });
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, 'sh nofile=20000/20000 stack=8388608/-1 core=18446744073709551615 msgq=819200\n'
      + 'sh-thread nofile=20000/20000 stack=8388608/-1 core=18446744073709551615 msgq=819200\n'
      + 'cat nofile=1024/4096 stack=8388608/-1 core=0 msgq=819200\n');
  });
});
