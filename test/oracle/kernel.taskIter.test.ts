/**
 * Differential tests of the task targets against the running kernel: the iterator is read inside a new pid namespace
 * (`unshare --pid --fork --mount-proc`), where it sees only the reader's few processes (task_seq_get_next walks the
 * reader's pid namespace); task->pid stays global there, so the programs print what does not depend on it. The
 * same programs run on a scenario describing that world. And the verdicts: a missing NULL check on each task
 * target is refused by the kernel with the text the checker gives.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { have, realKernelUnavailable, tempDir, firstLine } from './kernelOracle';
import { serviceFor, FIXTURE_PATH } from '../unit/service/fourslash';
import { TARGET_FILES } from '../unit/targets/btfHeader';

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
`;

/** comm, thread-group leader, has an mm, euid, the parent in the same walk: nothing that depends on global pids */
const SNAPSHOT = HEAD + `SEC("iter/task")
int snapshot(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	if (!task) {
		BPF_SEQ_PRINTF(seq, "tasks=%llu\\n", ctx->meta->seq_num);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "%s leader=%d mm=%d euid=%u kthread=%d\\n", task->comm, task->pid == task->tgid,
		task->mm != 0, task->cred->euid.val, (task->flags & 0x00200000) != 0);
	return 0;
}
`;

/**
 * The open-coded task iterator (bpf_iter_task_new/next/destroy) from each task of the namespace: its own threads from
 * it on (PROC_THREADS, the namespace's processes only), the first task of a global walk (init_task, whatever the
 * namespace: the later ones are the whole machine's and cannot be compared), and the -EINVAL cases.
 */
const OPEN_CODED = HEAD + `extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
SEC("iter/task")
int open_coded(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task, *t;
	struct bpf_iter_task it;
	int r, n = 0;

	if (!task)
		return 0;
	BPF_SEQ_PRINTF(seq, "%s:", task->comm);
	bpf_iter_task_new(&it, task, BPF_TASK_ITER_PROC_THREADS);
	while ((t = bpf_iter_task_next(&it))) {
		BPF_SEQ_PRINTF(seq, " %s", t->comm);
		n++;
	}
	bpf_iter_task_destroy(&it);
	bpf_iter_task_new(&it, task, BPF_TASK_ITER_ALL_THREADS);
	t = bpf_iter_task_next(&it);
	if (t)
		BPF_SEQ_PRINTF(seq, " (%d) first=%d %s", n, t->pid, t->comm);
	bpf_iter_task_destroy(&it);
	r = bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_PROC_THREADS);
	t = bpf_iter_task_next(&it);
	bpf_iter_task_destroy(&it);
	n = bpf_iter_task_new(&it, task, 3);
	bpf_iter_task_destroy(&it);
	BPF_SEQ_PRINTF(seq, " null=%d/%d flags=%d\\n", r, t != 0, n);
	return 0;
}
`;

/**
 * argv[0] of each process through bpf_copy_from_user_task() of a fixed 64-byte buffer: "sh" and "cat" have shorter
 * command lines than that, and the read succeeds because the environment follows argv on the process's stack.
 */
const ARGV0 = HEAD + `SEC("iter.s/task")
int argv0(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	char buf[64] = {};
	long err;

	if (!task || !task->mm)
		return 0;
	err = bpf_copy_from_user_task(buf, sizeof(buf), (void *)task->mm->arg_start, task, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s err=%ld argv0=%s\\n", task->comm, err, buf);
	return 0;
}
`;

/**
 * The pid side of each task, by what holds in any pid namespace: numbers[0] is the global pid, the namespace's
 * level is the pid's, its child reaper is the namespace's first process, one signal_struct per thread group.
 */
const PID_SIDE = HEAD + `SEC("iter/task")
int pid_side(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct pid *p;
	struct pid_namespace *ns;

	if (!task)
		return 0;
	p = task->thread_pid;
	ns = task->nsproxy->pid_ns_for_children;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s nr0=%d level=%d reaper=%s threads=%d live=%d", task->comm, p->numbers[0].nr == task->pid,
		ns->level == p->level, ns->child_reaper->comm, task->signal->nr_threads, task->signal->live.counter);
	BPF_SEQ_PRINTF(ctx->meta->seq, " group=%d tgid_pid=%d normal_prio=%d\\n", task->signal == task->group_leader->signal,
		task->signal->pids[PIDTYPE_TGID] == task->group_leader->thread_pid, task->normal_prio);
	return 0;
}
`;

/** bpf_task_from_pid(): the task itself by its global pid, NULL for pid 0 (the idle task) and for a pid nobody has. */
const FROM_PID = HEAD + `extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
SEC("iter/task")
int from_pid(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task, *t, *idle, *none;

	if (!task)
		return 0;
	t = bpf_task_from_pid(task->pid);
	idle = bpf_task_from_pid(0);
	none = bpf_task_from_pid(-5);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s same=%d idle=%d none=%d\\n", task->comm, t == task, idle != 0, none != 0);
	if (t)
		bpf_task_release(t);
	if (idle)
		bpf_task_release(idle);
	if (none)
		bpf_task_release(none);
	return 0;
}
`;

/**
 * Per process, how many of its memory areas map a file and how many share the struct file of the area before them:
 * the segments of one binary are mapped from one open file.
 */
const SHARED_FILE = HEAD + `struct file *prev_file;
__u32 cur_pid;
int areas, files, shared;

SEC("iter/task_vma")
int shared_file(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct file *f;

	if (!task || !vma) {
		if (cur_pid)
			BPF_SEQ_PRINTF(ctx->meta->seq, "areas=%d files=%d shared=%d\\n", areas, files, shared);
		return 0;
	}
	if (task->tgid != cur_pid) {
		if (cur_pid)
			BPF_SEQ_PRINTF(ctx->meta->seq, "areas=%d files=%d shared=%d\\n", areas, files, shared);
		cur_pid = task->tgid;
		areas = files = shared = 0;
		prev_file = NULL;
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s: ", task->comm);
	}
	areas++;
	f = vma->vm_file;
	if (f) {
		files++;
		if (f == prev_file)
			shared++;
	}
	prev_file = f;
	return 0;
}
`;

/** Each socket a task holds past its standard streams: bpf_sock_from_file() of its file, the struct socket and its sock, the file's dentry name. */
const SOCK_FILES = HEAD + `SEC("iter/task_file")
int sock_files(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct task_struct *task = ctx->task;
	struct socket *sock;
	struct sock *sk;

	/* 0-2 are whatever the test runner gave the reader */
	if (!file || !task || ctx->fd < 3)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	sk = sock->sk;
	if (!sk)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s fd=%u type=%d state=%d family=%d port=%u", task->comm, ctx->fd, sock->type,
		sk->__sk_common.skc_state, sk->__sk_common.skc_family, sk->__sk_common.skc_num);
	BPF_SEQ_PRINTF(ctx->meta->seq, " sstate=%d dname=%s\\n", sock->state, file->f_path.dentry->d_name.name);
	return 0;
}
`;

/** The reader holding sockets: a TCP listener, a bound UDPv6 socket and an unbound unix stream socket; then cat. */
const SOCKET_HOLDER = `import json, os, socket, subprocess, sys
subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM); l.bind(('127.0.0.1', 8080)); l.listen(5)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(('::1', 5353))
x = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sys.stdout.write(subprocess.run(['cat', sys.argv[1]], capture_output=True, text=True).stdout)
print(json.dumps([[s.fileno(), os.fstat(s.fileno()).st_ino] for s in (l, u, x)]), file=sys.stderr)
`;

/** The namespaces a task lives in (nsproxy), as namespace filters read them (BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum)). */
const NAMESPACES = HEAD + `#include <bpf/bpf_core_read.h>
SEC("iter/task")
int namespaces(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	unsigned int uts, ipc, cgroup, mnt, net;

	if (!task)
		return 0;
	uts = BPF_CORE_READ(task, nsproxy, uts_ns, ns.inum);
	ipc = BPF_CORE_READ(task, nsproxy, ipc_ns, ns.inum);
	cgroup = BPF_CORE_READ(task, nsproxy, cgroup_ns, ns.inum);
	mnt = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	net = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s uts=%u ipc=%u cgroup=%u mnt=%d net=%d\\n", task->comm, uts, ipc, cgroup, mnt != 0, net != 0);
	return 0;
}
`;

/** The reader: python3 as the namespace's pid 1 with two threads named w1 and w2 (prctl), which runs cat. */
const THREADED_READER = `import ctypes, subprocess, sys, threading
libc = ctypes.CDLL(None)
ready, done = threading.Barrier(3), threading.Event()
def worker(name):
    libc.prctl(15, name.encode())
    ready.wait()
    done.wait()
ts = [threading.Thread(target=worker, args=(n,)) for n in ('w1', 'w2')]
for t in ts: t.start()
ready.wait()
sys.stdout.write(subprocess.run(['cat', sys.argv[1]], capture_output=True, text=True).stdout)
done.set()
for t in ts: t.join()
`;

const UNCHECKED = (target: string, field: string, member: string) => HEAD + `SEC("iter/${target}")
int unchecked(struct bpf_iter__${target} *ctx)
{
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lx\\n", (long)ctx->${field}->${member});
	return 0;
}
`;

let skip: string | null = null;
let dir = '';

function compileAndPin(name: string, text: string): { pin?: string; log: string } {
  const src = path.join(dir, `${name}.bpf.c`);
  fs.writeFileSync(src, text);
  const obj = path.join(dir, `${name}.o`);
  const cc = spawnSync('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', `-I${dir}`, '-c', src, '-o', obj], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`clang: ${cc.stderr}`);
  const pin = `/sys/fs/bpf/bil_task_${process.pid.toString(36)}_${name}`;
  const r = spawnSync('bpftool', ['-d', 'iter', 'pin', obj, pin], { encoding: 'utf8' });
  return r.status === 0 ? { pin, log: '' } : { log: r.stderr };
}

describe('oracle: task targets against the kernel (pid namespace of the reader, verifier verdicts)', function () {
  this.timeout(120000);
  before(function () {
    skip = realKernelUnavailable(['clang', 'bpftool']) ?? (have('unshare') ? null : 'unshare not installed');
    if (!skip) {
      dir = tempDir();
      const dump = spawnSync('sh', ['-c', `bpftool btf dump file /sys/kernel/btf/vmlinux format c > ${dir}/vmlinux.h`]);
      if (dump.status !== 0) skip = 'no kernel BTF to make vmlinux.h from';
    }
    if (!skip) {
      const probe = compileAndPin('probe', SNAPSHOT);
      if (!probe.pin) skip = `the kernel refuses an iter/task program here (${firstLine(probe.log.split('\n').filter((l) => /Error|error|denied/.test(l)).pop())})`;
      else {
        const ns = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']);
        if (ns.status !== 0) skip = 'unshare --pid --fork --mount-proc is not allowed here';
        fs.rmSync(probe.pin, { force: true });
      }
    }
    if (skip) { console.log(`      skipped: ${skip}`); this.skip(); }
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it('iter/task in a new pid namespace: the shell and cat, in pid order, then the NULL call; the simulator agrees', async () => {
    const { pin } = compileAndPin('snapshot', SNAPSHOT);
    assert.ok(pin);
    let kernelOut = '';
    try {
      // sh stays the namespace's init (pid 1) because of the second command; cat is its child (pid 2)
      const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', `cat ${pin}; true`], { encoding: 'utf8' });
      kernelOut = r.stdout;
    } finally { fs.rmSync(pin!, { force: true }); }
    const euid = process.geteuid ? process.geteuid() : 0;
    const world = { processes: [
      { pid: 1, comm: 'sh', uid: euid, cmdline: ['sh', '-c', 'cat'] },
      { pid: 2, ppid: 1, comm: 'cat', uid: euid },
    ] };
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'ns.bpfscenario.json');
    const service = serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify(world) });
    const ours = await service.run(FIXTURE_PATH, SNAPSHOT, { scenario }) as unknown as { output: string | null };
    assert.strictEqual(ours.output, kernelOut);
    assert.strictEqual(kernelOut, `sh leader=1 mm=1 euid=${euid} kthread=0\ncat leader=1 mm=1 euid=${euid} kthread=0\ntasks=1\n`);
  });

  it('bpf_copy_from_user_task() of a buffer longer than the command line succeeds (the environment follows argv); the simulator agrees', async () => {
    const { pin, log } = compileAndPin('argv0', ARGV0);
    assert.ok(pin, log);
    let kernelOut = '';
    try {
      kernelOut = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', `cat ${pin}; true`], { encoding: 'utf8' }).stdout;
    } finally { fs.rmSync(pin!, { force: true }); }
    const world = { processes: [
      { pid: 1, comm: 'sh', cmdline: ['sh', '-c', 'cat'] },
      { pid: 2, ppid: 1, comm: 'cat', cmdline: ['cat', pin!] },
    ] };
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'argv.bpfscenario.json');
    const service = serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify(world) });
    const ours = await service.run(FIXTURE_PATH, ARGV0, { scenario }) as unknown as { output: string | null; error?: unknown };
    assert.strictEqual(ours.output, kernelOut, JSON.stringify(ours.error));
    assert.strictEqual(kernelOut, 'sh err=0 argv0=sh\ncat err=0 argv0=cat\n');
  });

  it('the pid side of a task (struct pid, nsproxy, pid namespace, signal_struct, normal_prio) in a new pid namespace; the simulator agrees', async () => {
    const { pin, log } = compileAndPin('pid_side', PID_SIDE);
    assert.ok(pin, log);
    let kernelOut = '';
    try {
      kernelOut = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', `cat ${pin}; true`], { encoding: 'utf8' }).stdout;
    } finally { fs.rmSync(pin!, { force: true }); }
    // the reader inherits this process's nice value (tests may run under `nice`): prio 120 + nice
    const prio = 120 + os.getPriority();
    const world = { processes: [{ pid: 1, comm: 'sh', prio }, { pid: 2, ppid: 1, comm: 'cat', prio }] };
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'pidside.bpfscenario.json');
    // the kernel's own vmlinux.h: the test header has struct pid.numbers[] and signal_struct.pids[] as bytes
    const vmlinux = { [path.join(path.dirname(FIXTURE_PATH), 'vmlinux.h')]: fs.readFileSync(path.join(dir, 'vmlinux.h'), 'utf8') };
    const service = serviceFor({ ...vmlinux, [scenario]: JSON.stringify(world) });
    const ours = await service.run(FIXTURE_PATH, PID_SIDE, { scenario }) as unknown as { output: string | null; error?: unknown };
    assert.strictEqual(ours.output, kernelOut, JSON.stringify(ours.error));
    const line = (comm: string) => `${comm} nr0=1 level=1 reaper=sh threads=1 live=1 group=1 tgid_pid=1 normal_prio=${prio}\n`;
    assert.strictEqual(kernelOut, line('sh') + line('cat'));
  });

  it('bpf_task_from_pid() finds a task by its global pid, NULL for pid 0 and a negative pid; the simulator agrees', async () => {
    const { pin, log } = compileAndPin('from_pid', FROM_PID);
    assert.ok(pin, log);
    let kernelOut = '';
    try {
      kernelOut = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', `cat ${pin}; true`], { encoding: 'utf8' }).stdout;
    } finally { fs.rmSync(pin!, { force: true }); }
    const world = { processes: [{ pid: 1, comm: 'sh' }, { pid: 2, ppid: 1, comm: 'cat' }] };
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'frompid.bpfscenario.json');
    const service = serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify(world) });
    const ours = await service.run(FIXTURE_PATH, FROM_PID, { scenario }) as unknown as { output: string | null; error?: unknown };
    assert.strictEqual(ours.output, kernelOut, JSON.stringify(ours.error));
    assert.strictEqual(kernelOut, 'sh same=1 idle=0 none=0\ncat same=1 idle=0 none=0\n');
  });

  it('the open-coded task iterator: a thread group from any of its threads, init_task first, -EINVAL cases; the simulator agrees', async function () {
    if (!have('python3')) { console.log('      skip: python3 is not installed (the reader with threads is a python script)'); this.skip(); }
    const { pin, log } = compileAndPin('open_coded', OPEN_CODED);
    assert.ok(pin, log);
    let kernelOut = '';
    try {
      const script = path.join(dir, 'reader.py');
      fs.writeFileSync(script, THREADED_READER);
      kernelOut = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'python3', script, pin!], { encoding: 'utf8' }).stdout;
    } finally { fs.rmSync(pin!, { force: true }); }
    const world = { processes: [
      { pid: 1, comm: 'python3' },
      { pid: 2, tgid: 1, comm: 'w1' },
      { pid: 3, tgid: 1, comm: 'w2' },
      { pid: 4, ppid: 1, comm: 'cat' },
    ] };
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'threads.bpfscenario.json');
    const service = serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify(world) });
    const ours = await service.run(FIXTURE_PATH, OPEN_CODED, { scenario }) as unknown as { output: string | null; error?: unknown };
    assert.strictEqual(ours.output, kernelOut, JSON.stringify(ours.error));
    const tail = ' first=0 swapper/0 null=-22/0 flags=-22\n';
    assert.strictEqual(kernelOut, `python3: python3 w1 w2 (3)${tail}w1: w1 w2 (2)${tail}w2: w2 (1)${tail}cat: cat (1)${tail}`);
  });

  it('task_vma: the areas of one mapped binary share one struct file (dash, libc, ld.so: five areas each), the special mappings none; the simulator agrees on the maps /proc shows', async () => {
    const { pin, log } = compileAndPin('shared_file', SHARED_FILE);
    assert.ok(pin, log);
    let kernelOut = '';
    let maps: string[] = [];
    try {
      // sh's maps, and those of a cat like the one that reads the iterator (same binary, same libraries and locale files)
      const r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', `cat /proc/1/maps; echo ====; cat /proc/self/maps; echo ====; cat ${pin}; true`], { encoding: 'utf8' });
      maps = r.stdout.split('====\n');
      kernelOut = maps[2] ?? '';
    } finally { fs.rmSync(pin!, { force: true }); }
    assert.strictEqual(maps.length, 3, 'sh -c printed its three parts');
    // /proc/PID/maps lines; [vsyscall] is the gate area, not one of the mm's areas, and the iterator does not show it
    const vmas = (text: string) => text.split('\n').filter((l) => l.trim() && !l.endsWith('[vsyscall]')).map((l) => {
      const [range, perms, offset, , ino, ...rest] = l.trim().split(/\s+/);
      const [start, end] = range.split('-');
      const pathName = rest.join(' ');
      return { start: `0x${start}`, end: `0x${end}`, perms, pgoff: Number(BigInt(`0x${offset}`) / 4096n), ...(pathName ? { path: pathName } : {}), ...(Number(ino) ? { ino: Number(ino) } : {}) };
    });
    const world = { processes: [{ pid: 1, comm: 'sh', vmas: vmas(maps[0]) }, { pid: 2, ppid: 1, comm: 'cat', vmas: vmas(maps[1]) }] };
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'maps.bpfscenario.json');
    const service = serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify(world) });
    const ours = await service.run(FIXTURE_PATH, SHARED_FILE, { scenario }) as unknown as { output: string | null; error?: unknown };
    assert.strictEqual(ours.output, kernelOut, JSON.stringify(ours.error));
    assert.match(kernelOut, /^sh: areas=\d+ files=\d+ shared=\d+\ncat: /);
  });

  it('task_file: bpf_sock_from_file() of a process\'s TCP, UDPv6 and unix sockets (type, state, family, port, socket state, the dentry\'s proto name); the simulator agrees', async function () {
    if (!have('python3') || !have('ip')) { console.log('      skip: python3 and ip are needed (the reader holding sockets is a python script)'); this.skip(); }
    const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--net', 'true']);
    if (probe.status !== 0) { console.log('      skip: unshare --net is not allowed here'); this.skip(); }
    const { pin, log } = compileAndPin('sock_files', SOCK_FILES);
    assert.ok(pin, log);
    let r: ReturnType<typeof spawnSync>;
    try {
      const script = path.join(dir, 'sockets.py');
      fs.writeFileSync(script, SOCKET_HOLDER);
      r = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--net', 'python3', script, pin!], { encoding: 'utf8' });
    } finally { fs.rmSync(pin!, { force: true }); }
    assert.strictEqual(r.status, 0, String(r.stderr));
    const [tcp, udp, unix] = JSON.parse(String(r.stderr).trim().split('\n').pop()!) as Array<[number, number]>;
    const socketFile = ([fd, ino]: [number, number]) => ({ fd, path: `socket:[${ino}]`, flags: ['O_RDWR'] });
    const world = {
      processes: [{ pid: 1, comm: 'python3', files: [socketFile(tcp), socketFile(udp), socketFile(unix)] }, { pid: 2, ppid: 1, comm: 'cat' }],
      network: { sockets: [
        { protocol: 'tcp', state: 'listen', local: '127.0.0.1:8080', backlog: 5, inode: tcp[1] },
        { protocol: 'udp', local: '[::1]:5353', inode: udp[1] },
        { protocol: 'unix', type: 'stream', inode: unix[1] },
      ] },
    };
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'sockfiles.bpfscenario.json');
    // the kernel's own vmlinux.h: the test header's sock_common lacks the port and state fields
    const vmlinux = { [path.join(path.dirname(FIXTURE_PATH), 'vmlinux.h')]: fs.readFileSync(path.join(dir, 'vmlinux.h'), 'utf8') };
    const service = serviceFor({ ...vmlinux, [scenario]: JSON.stringify(world) });
    const ours = await service.run(FIXTURE_PATH, SOCK_FILES, { scenario }) as unknown as { output: string | null; error?: unknown };
    assert.strictEqual(ours.output, r.stdout, JSON.stringify(ours.error));
    assert.match(String(r.stdout), /fd=\d+ type=1 state=10 family=2 port=8080 sstate=1 dname=TCP\n/);
  });

  it('the namespaces of a task (nsproxy): the initial uts, ipc and cgroup inodes, a mount and a network namespace; the simulator agrees', async function () {
    // the simulated processes live in the initial namespaces; a test run inside a container does not
    const own = (ns: string) => Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/self/ns/${ns}`))?.[1]);
    if (own('uts') !== 0xeffffffe || own('ipc') !== 0xefffffff || own('cgroup') !== 0xeffffffb) {
      console.log('      skip: this test runs outside the initial uts/ipc/cgroup namespaces'); this.skip();
    }
    const { pin, log } = compileAndPin('namespaces', NAMESPACES);
    assert.ok(pin, log);
    let kernelOut = '';
    try {
      kernelOut = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', `cat ${pin}; true`], { encoding: 'utf8' }).stdout;
    } finally { fs.rmSync(pin!, { force: true }); }
    const world = { processes: [{ pid: 1, comm: 'sh' }, { pid: 2, ppid: 1, comm: 'cat' }] };
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'ns2.bpfscenario.json');
    const vmlinux = { [path.join(path.dirname(FIXTURE_PATH), 'vmlinux.h')]: fs.readFileSync(path.join(dir, 'vmlinux.h'), 'utf8') };
    const service = serviceFor({ ...vmlinux, [scenario]: JSON.stringify(world) });
    const ours = await service.run(FIXTURE_PATH, NAMESPACES, { scenario }) as unknown as { output: string | null; error?: unknown };
    assert.strictEqual(ours.output, kernelOut, JSON.stringify(ours.error));
    assert.strictEqual(kernelOut, 'sh uts=4026531838 ipc=4026531839 cgroup=4026531835 mnt=1 net=1\ncat uts=4026531838 ipc=4026531839 cgroup=4026531835 mnt=1 net=1\n');
  });

  // corpus programs whose scenario is this very world: read by cat in a new pid namespace, run by the CLI on the scenario
  const corpusDir = path.resolve(__dirname, '../../../test/corpus');
  const bin = path.resolve(__dirname, '../../../bin/bpf-iter.js');
  const nsWorld = fs.readdirSync(corpusDir).filter((f) => f.endsWith('.bpfscenario.json')
    && (JSON.parse(fs.readFileSync(path.join(corpusDir, f), 'utf8')) as { description?: string }).description === 'sh and cat in a new pid namespace');
  for (const file of nsWorld) {
    const name = file.replace(/\.bpfscenario\.json$/, '');
    it(`corpus ${name}: cat in a new pid namespace (sh, then cat) prints what the simulator prints on its scenario`, () => {
      const source = path.join(corpusDir, `${name}.bpf.c`);
      const { pin, log } = compileAndPin(name, fs.readFileSync(source, 'utf8'));
      assert.ok(pin, log);
      let kernelOut = '';
      try {
        kernelOut = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', `cat ${pin}; true`], { encoding: 'utf8' }).stdout;
      } finally { fs.rmSync(pin!, { force: true }); }
      const ours = spawnSync('node', [bin, 'run', source, '-I', dir], { encoding: 'utf8' });
      assert.strictEqual(ours.status, 0, ours.stderr);
      assert.strictEqual(ours.stdout, kernelOut);
    });
  }

  for (const [target, field, member] of [['task', 'task', 'pid'], ['task_file', 'file', 'f_flags'], ['task_vma', 'vma', 'vm_start']]) {
    it(`${target}: ctx->${field} without a NULL check: refused by the kernel with the checker's message`, () => {
      const text = UNCHECKED(target, field, member);
      const { pin, log } = compileAndPin(`unchecked_${target}`, text);
      if (pin) fs.rmSync(pin, { force: true });
      assert.strictEqual(pin, undefined, 'the kernel loaded it');
      const kernelLine = /R\d invalid mem access '[a-z_]+'/.exec(log)?.[0];
      assert.ok(kernelLine, log);
      const ours = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1).map((d) => String(d.message));
      assert.strictEqual(ours.length, 1, JSON.stringify(ours));
      assert.ok(ours[0].includes(kernelLine!.replace(/^R\d/, 'R?')), `${ours[0]} vs ${kernelLine}`);
    });
  }
});
