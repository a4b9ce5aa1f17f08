import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from './btfHeader';

const DIR = path.dirname(FIXTURE_PATH);
const SCENARIO = path.join(DIR, 'tasks.bpfscenario.json');

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
`;

const TASKS = HEAD + `SEC("iter/task")
int tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	if (!task) {
		BPF_SEQ_PRINTF(seq, "end seq_num=%llu\\n", ctx->meta->seq_num);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "%llu %d %d %d %s %u %d\\n", ctx->meta->seq_num, task->pid, task->tgid, task->real_parent->tgid,
		task->comm, task->cred->uid.val, task->mm ? 1 : 0);
	return 0;
}
`;

const FILES = HEAD + `SEC("iter/task_file")
int files(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	char buf[64];
	if (!task || !file)
		return 0;
	bpf_d_path(&file->f_path, buf, sizeof(buf));
	BPF_SEQ_PRINTF(seq, "%d %u %s %s %x %lld\\n", task->pid, ctx->fd, file->f_path.dentry->d_name.name, buf, file->f_flags, file->f_pos);
	return 0;
}
`;

const VMAS = HEAD + `SEC("iter/task_vma")
int vmas(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	if (!task || !vma)
		return 0;
	BPF_SEQ_PRINTF(seq, "%d %lx-%lx %lx %s\\n", task->pid, vma->vm_start, vma->vm_end, vma->vm_flags & 0xf,
		vma->vm_file ? (const char *)vma->vm_file->f_path.dentry->d_name.name : "-");
	return 0;
}
`;

const WORLD = {
  processes: [
    { pid: 1, ppid: 0, comm: 'init', vmas: [{ start: '0x400000', end: '0x401000', perms: 'r-xp', path: '/sbin/init' }],
      files: [{ fd: 0, path: '/dev/null', flags: ['O_RDWR'] }, { fd: 5, path: '/var/log/x.log', flags: ['O_WRONLY', 'O_APPEND'], pos: 77 }] },
    { pid: 2, ppid: 0, comm: 'kthreadd', kthread: true },
    { pid: 40, comm: 'worker', uid: 1000, gid: 1000, files: [{ fd: 3, path: 'socket:[99]', dname: 'TCP' }],
      vmas: [{ start: 8192, end: 16384, perms: 'rw-p', path: '[heap]' }, { start: 4096, end: 8192, perms: 'r--p', path: '/usr/bin/worker' }] },
    { pid: 41, tgid: 40, comm: 'worker-t' },
  ],
};

async function run(text: string, scenario: object = WORLD, attach?: object): Promise<{ output: string; error?: string; bpftool?: string; fdinfo?: string }> {
  const json = attach ? { ...scenario, attach } : scenario;
  const service = serviceFor({ ...TARGET_FILES, [SCENARIO]: JSON.stringify(json) });
  const r = await service.run(FIXTURE_PATH, text, { scenario: SCENARIO }) as unknown as { output: string | null; error?: { message: string }; bpftool?: string; fdinfo?: string };
  return { output: r.output ?? '', error: r.error?.message, bpftool: r.bpftool, fdinfo: r.fdinfo };
}

describe('task targets on the simulated machine (kernel/bpf/task_iter.c order and end)', () => {
  it('iter/task: every thread by pid, parents, creds, kernel threads without mm, then the NULL call with the last seq_num', async () => {
    const r = await run(TASKS);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, [
      '0 1 1 0 init 0 1', '1 2 2 0 kthreadd 0 0', '2 40 40 1 worker 1000 1', '3 41 40 1 worker-t 1000 1', 'end seq_num=3', ''].join('\n'));
  });

  it('iter/task_file: processes by pid (a thread sharing its leader\'s files is skipped), files by fd; d_name, d_path, flags, pos', async () => {
    const r = await run(FILES);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, [
      '1 0 null /dev/null 2 0', '1 5 x.log /var/log/x.log 401 77', '40 3 TCP socket:[99] 0 0', ''].join('\n'));
  });

  it('iter/task_vma: processes with an mm by pid, VMAs by address, vm_file of mapped files only', async () => {
    const r = await run(VMAS);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['1 400000-401000 5 init', '40 1000-2000 1 worker', '40 2000-4000 3 -', ''].join('\n'));
  });

  it('iter/task_vma: a shared mapping of a file keeps VM_SHARED only when written ("rw-s"); "r--s" of a file is a read-only open (do_mmap() drops VM_SHARED and VM_MAYWRITE), shmem keeps it', async () => {
    const shared = HEAD + `SEC("iter/task_vma")
int shared(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	if (!ctx->task || !vma)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lx %lx\\n", vma->vm_start, vma->vm_flags & 0xff);
	return 0;
}
`;
    const r = await run(shared, { processes: [{ pid: 1, ppid: 0, comm: 'sh', vmas: [
      { start: '0x1000', end: '0x2000', perms: 'r--s', path: '/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache' },
      { start: '0x2000', end: '0x3000', perms: 'rw-s', path: '/dev/shm/ring' },
      { start: '0x3000', end: '0x4000', perms: 'r--s', path: '/memfd:wayland-shm (deleted)' },
      { start: '0x4000', end: '0x5000', perms: 'r--p', path: '/usr/bin/dash' }] }] });
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['1000 d1', '2000 fb', '3000 f9', '4000 71', ''].join('\n'));
  });

  it('iter/task_vma: the areas of one mapped file share its struct file and inode (elf_map() maps every segment from one open file), another file has its own', async () => {
    const world = { processes: [{ pid: 7, comm: 'tool', vmas: [
      { start: '0x1000', end: '0x2000', perms: 'r--p', path: '/usr/bin/tool' },
      { start: '0x2000', end: '0x3000', perms: 'r-xp', path: '/usr/bin/tool', pgoff: 1 },
      { start: '0x3000', end: '0x4000', perms: 'rw-p', path: '[heap]' },
      { start: '0x5000', end: '0x6000', perms: 'r--p', path: '/usr/lib/libc.so.6' },
      { start: '0x6000', end: '0x7000', perms: 'r-xp', path: '/usr/lib/libc.so.6', pgoff: 1 }] }] };
    const text = HEAD + `struct file *prev;
unsigned long prev_ino;
SEC("iter/task_vma")
int same(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct file *f;
	if (!ctx->task || !vma)
		return 0;
	f = vma->vm_file;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lx file=%d same=%d same_ino=%d\\n", vma->vm_start, f != 0, f && f == prev,
		f && prev && f->f_inode->i_ino == prev_ino);
	prev = f;
	prev_ino = f ? f->f_inode->i_ino : 0;
	return 0;
}
`;
    const r = await run(text, world);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['1000 file=1 same=0 same_ino=0', '2000 file=1 same=1 same_ino=1', '3000 file=0 same=0 same_ino=0',
      '5000 file=1 same=0 same_ino=0', '6000 file=1 same=1 same_ino=1', ''].join('\n'));
  });

  it('iter/task_file: a socket file\'s dentry is named after its sock\'s proto when the scenario lists the socket (sock_alloc_file()); a dname given wins', async () => {
    const world = {
      processes: [{ pid: 9, comm: 'server', files: [
        { fd: 3, path: 'socket:[501]' }, { fd: 4, path: 'socket:[502]' }, { fd: 5, path: 'socket:[503]' }, { fd: 6, path: 'socket:[504]' },
        { fd: 7, path: 'socket:[505]' }, { fd: 8, path: 'socket:[506]', dname: 'MINE' }, { fd: 9, path: 'socket:[999]' }] }],
      network: { sockets: [
        { protocol: 'tcp', state: 'listen', local: '127.0.0.1:80', inode: 501 },
        { protocol: 'tcp', state: 'listen', local: '[::]:443', inode: 502 },
        { protocol: 'udp', local: '0.0.0.0:53', inode: 503 },
        { protocol: 'unix', type: 'stream', inode: 504 },
        { protocol: 'unix', type: 'dgram', inode: 505 },
        { protocol: 'netlink', family: 0, portid: 9, inode: 506 }] },
    };
    const text = HEAD + `SEC("iter/task_file")
int names(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	if (!ctx->task || !file)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u [%s]\\n", ctx->fd, file->f_path.dentry->d_name.name);
	return 0;
}
`;
    const r = await run(text, world);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['3 [TCP]', '4 [TCPv6]', '5 [UDP]', '6 [UNIX-STREAM]', '7 [UNIX]', '8 [MINE]', '9 []', ''].join('\n'));
  });

  it('nsproxy: the initial mount, uts, ipc and cgroup namespaces (their /proc/PID/ns inode numbers on 6.18) and the network namespace of the sockets', async () => {
    const world = {
      processes: [{ pid: 9, comm: 'server', files: [{ fd: 3, path: 'socket:[501]' }] }],
      network: { sockets: [{ protocol: 'tcp', state: 'listen', local: '127.0.0.1:80', inode: 501 }] },
    };
    const text = HEAD + `SEC("iter/task_file")
int ns(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct socket *sock;
	struct nsproxy *nsp;
	if (!task || !ctx->file)
		return 0;
	sock = bpf_sock_from_file(ctx->file);
	if (!sock || !sock->sk)
		return 0;
	nsp = task->nsproxy;
	BPF_SEQ_PRINTF(ctx->meta->seq, "mnt=%u uts=%u ipc=%u cgroup=%u same_net=%d\\n", nsp->mnt_ns->ns.inum, nsp->uts_ns->ns.inum,
		nsp->ipc_ns->ns.inum, nsp->cgroup_ns->ns.inum, sock->sk->__sk_common.skc_net.net == nsp->net_ns);
	return 0;
}
`;
    const service = serviceFor({ [SCENARIO]: JSON.stringify(world) });
    const r = await service.run(FIXTURE_PATH, text, { scenario: SCENARIO }) as unknown as { output: string | null; error?: { message: string } };
    assert.ok(!r.error, r.error?.message);
    assert.strictEqual(r.output, 'mnt=4026531832 uts=4026531838 ipc=4026531839 cgroup=4026531835 same_net=1\n');
  });

  it('exit_signal: SIGCHLD for a forked process and a kernel thread kthreadd started, -1 for a thread, 0 for init and kthreadd (copy_process()), measured on 6.18', async () => {
    const text = HEAD + `SEC("iter/task")
int sig(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	if (!t)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d\\n", t->pid, t->exit_signal);
	return 0;
}
`;
    const r = await run(text, { processes: [...WORLD.processes, { pid: 3, comm: 'kworker/0:0', kthread: true }] });
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['1 0', '2 0', '3 17', '40 17', '41 -1', ''].join('\n'));
  });

  it('attach: tid walks one thread, pid one process; more than one is EINVAL; link info names them', async () => {
    const one = await run(TASKS, WORLD, { tid: 41 });
    assert.strictEqual(one.output, '0 41 40 1 worker-t 1000 1\nend seq_num=0\n');
    assert.ok(one.bpftool?.includes('target_name task  tid 41 '), one.bpftool);
    assert.ok(one.fdinfo?.includes('task_type:\ttid\ntid:\t41\n'), one.fdinfo);
    const proc = await run(TASKS, WORLD, { pid: 40 });
    assert.strictEqual(proc.output, '0 40 40 1 worker 1000 1\n1 41 40 1 worker-t 1000 1\nend seq_num=1\n');
    const both = await run(TASKS, WORLD, { tid: 41, pid: 40 });
    assert.ok(both.error?.includes('EINVAL') || /at most one/.test(both.error ?? ''), both.error);
  });

  it('without a ppid, pid 1 and kthreadd are init_task\'s children (never their own parents); others pid 1\'s or kthreadd\'s', async () => {
    const PARENTS = HEAD + `SEC("iter/task")
int parents(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	if (!task)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %s\\n", task->pid, task->real_parent->pid, task->real_parent->comm);
	return 0;
}
`;
    const world = { processes: [{ pid: 1, comm: 'sh' }, { pid: 2, comm: 'kthreadd', kthread: true }, { pid: 3, comm: 'kworker', kthread: true },
      { pid: 4, comm: 'cat' }, { pid: 5, tgid: 1, comm: 'sh-thread' }] };
    const r = await run(PARENTS, world);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, '1 0 swapper/0\n2 0 swapper/0\n3 2 kthreadd\n4 1 sh\n5 0 swapper/0\n');
  });

  it('the pid side of a task: struct pid in init_pid_ns, nsproxy, a signal_struct per thread group, normal_prio', async () => {
    // (the test header has no struct pid.numbers[]: numbers[0].nr is read where it starts, after the struct)
    const IDS = HEAD + `SEC("iter/task")
int ids(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct pid *p;
	struct pid_namespace *ns;
	int nr = -1;
	if (!task)
		return 0;
	p = task->thread_pid;
	bpf_probe_read_kernel(&nr, sizeof(nr), (char *)p + sizeof(*p));
	ns = task->nsproxy->pid_ns_for_children;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d level=%u nr=%d ns=%x reaper=%d threads=%d live=%d shared=%d np=%d\\n", task->pid, p->level,
		nr, ns->ns.inum, ns->child_reaper->pid, task->signal->nr_threads, task->signal->live.counter,
		task->signal == task->group_leader->signal, task->normal_prio);
	return 0;
}
`;
    const r = await run(IDS);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, [
      '1 level=0 nr=1 ns=effffffc reaper=1 threads=1 live=1 shared=1 np=120',
      '2 level=0 nr=2 ns=effffffc reaper=1 threads=1 live=1 shared=1 np=120',
      '40 level=0 nr=40 ns=effffffc reaper=1 threads=2 live=2 shared=1 np=120',
      '41 level=0 nr=41 ns=effffffc reaper=1 threads=2 live=2 shared=1 np=120', ''].join('\n'));
  });

  it('the default system prints processes, files and VMAs on first run', async () => {
    const service = serviceFor(TARGET_FILES);
    for (const text of [TASKS, FILES, VMAS]) {
      const r = await service.run(FIXTURE_PATH, text, {}) as unknown as { output: string | null; error?: { message: string } };
      assert.ok(!r.error, r.error?.message);
      assert.ok((r.output ?? '').split('\n').length > 10, r.output ?? '');
    }
  });

  it('bpf_find_vma: the callback gets the vma holding the address (a thread finds its leader\'s); -ENOENT for a kernel thread or an unmapped address', async () => {
    const FIND = HEAD + `static long cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	__u64 *out = data;
	*out = vma->vm_end - vma->vm_start;
	return 0;
}
SEC("iter/task")
int find(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u64 size = 0;
	long a, b;
	if (!task)
		return 0;
	a = bpf_find_vma(task, 0x1800, cb, &size, 0);
	b = bpf_find_vma(task, 0x400010, cb, &size, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %ld %ld %llx\\n", task->pid, a, b, size);
	return 0;
}
`;
    const r = await run(FIND);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['1 -2 0 1000', '2 -2 -2 0', '40 0 -2 1000', '41 0 -2 1000', ''].join('\n'));
  });

  it('task local storage: a value per task, created with F_CREATE from the initial value, found again through another task, deleted once; NULL without F_CREATE or for unknown flags', async () => {
    const STORAGE = HEAD + `struct {
	__uint(type, 29); /* BPF_MAP_TYPE_TASK_STORAGE */
	__uint(map_flags, 1); /* BPF_F_NO_PREALLOC */
	__type(key, int);
	__type(value, __u64);
} st SEC(".maps");
SEC("iter/task")
int storage(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u64 init, *before, *mine, *leader;
	long d1, d2;
	if (!task)
		return 0;
	before = bpf_task_storage_get(&st, task, 0, 0);
	init = task->pid * 10;
	mine = bpf_task_storage_get(&st, task, &init, 1 /* BPF_LOCAL_STORAGE_GET_F_CREATE */);
	if (!mine)
		return 0;
	*mine += 1;
	leader = bpf_task_storage_get(&st, task->group_leader, 0, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %llu %llu", task->pid, before != 0, *mine, leader ? *leader : 0);
	if (task->pid == task->tgid) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "\\n");
		return 0;
	}
	d1 = bpf_task_storage_delete(&st, task);
	d2 = bpf_task_storage_delete(&st, task);
	BPF_SEQ_PRINTF(ctx->meta->seq, " %ld %ld %d\\n", d1, d2, bpf_task_storage_get(&st, task, 0, 2) != 0);
	return 0;
}
`;
    const r = await run(STORAGE);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['1 0 11 11', '2 0 21 21', '40 0 401 401', '41 0 411 401 0 -2 0', ''].join('\n'));
  });

  it('scenario problems: a thread of a missing process, a duplicate pid, unaligned VMAs', async () => {
    const bad = { processes: [{ pid: 5, comm: 'a' }, { pid: 5, comm: 'b' }, { pid: 6, tgid: 9, comm: 'c' }, { pid: 7, comm: 'd', vmas: [{ start: 1, end: 4096 }] }] };
    const r = await run(TASKS, bad);
    assert.ok(r.error?.includes('pid 5 appears twice'), r.error);
  });
});

const TCP = HEAD + `SEC("iter/tcp")
int tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	if (!skc)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u\\n", skc->skc_family, ctx->uid);
	return 0;
}
`;

describe('the run result carries the simulated machine for the Run panel (world: processes and sockets)', () => {
  type World = NonNullable<import('../../../shared/src/protocol').RunResult['world']>;
  const worldOf = async (text: string, scenario: object): Promise<{ world?: World; error?: string }> => {
    const service = serviceFor({ ...TARGET_FILES, [SCENARIO]: JSON.stringify(scenario) });
    const r = await service.run(FIXTURE_PATH, text, { scenario: SCENARIO }) as unknown as { world?: World; error?: { message: string } };
    return { world: r.world, error: r.error?.message };
  };

  it('an iter/task run returns every task with pid, tgid, comm, state and the file count its table holds', async () => {
    const r = await worldOf(TASKS, { processes: [...WORLD.processes, { pid: 50, comm: 'zombie', state: 'Z' }] });
    assert.ok(!r.error, r.error);
    assert.deepStrictEqual(r.world?.processes.rows.map((p) => [p.pid, p.tgid, p.ppid, p.comm, p.state, p.uid, p.kthread, p.files]), [
      [1, 1, 0, 'init', 'S', 0, false, 2], [2, 2, 0, 'kthreadd', 'I', 0, true, 0], [40, 40, 1, 'worker', 'S', 1000, false, 1],
      [41, 40, 1, 'worker-t', 'S', 1000, false, 1], [50, 50, 1, 'zombie', 'Z', 0, false, 0]]);
    assert.strictEqual(r.world?.processes.total, 5);
  });

  it('an iter/tcp run returns the namespace\'s sockets: protocol, family, state, addresses, uid, inode', async () => {
    const network = { sockets: [
      { protocol: 'tcp', state: 'listen', local: '0.0.0.0:22', uid: 0, inode: 500 },
      { protocol: 'tcp', state: 'established', local: '[::1]:8080', remote: '[::1]:40000', uid: 1000, inode: 501 },
      { protocol: 'udp', local: '127.0.0.1:53', uid: 101, inode: 502 },
      { protocol: 'unix', state: 'listen', path: '/run/x.sock', inode: 503 },
    ] };
    const r = await worldOf(TCP, { ...WORLD, network });
    assert.ok(!r.error, r.error);
    const own = r.world!.sockets.rows.filter((s) => s.protocol !== 'netlink');
    assert.deepStrictEqual(own, [
      { protocol: 'tcp', family: 'inet', state: 'listen', local: '0.0.0.0:22', remote: '', uid: 0, inode: 500 },
      { protocol: 'tcp', family: 'inet6', state: 'established', local: '[::1]:8080', remote: '[::1]:40000', uid: 1000, inode: 501 },
      { protocol: 'udp', family: 'inet', state: 'close', local: '127.0.0.1:53', remote: '', uid: 101, inode: 502 },
      { protocol: 'unix', family: 'unix', state: 'listen', local: '/run/x.sock', remote: '', uid: 0, inode: 503 },
    ]);
    // the kernel's own netlink sockets are part of the namespace too
    assert.ok(r.world!.sockets.rows.some((s) => s.protocol === 'netlink' && s.local === 'portid 0 protocol 0'));
    assert.strictEqual(r.world!.sockets.total, r.world!.sockets.rows.length);
  });

  it('a run refused before the kernel exists (a verifier error) has no world', async () => {
    const r = await worldOf(TASKS.replace('if (!task) {', 'if (0) {'), WORLD);
    assert.ok(r.error, 'expected a refusal');
    assert.strictEqual(r.world, undefined);
  });
});
