import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { captureScenario, CaptureHost, CaptureOptions } from '../../../server/src/realHost/capture';
import { captureMain } from '../../../server/src/cli/capture';
import { ipv6Text, parseMaps, parseProcNetInet, parseStat } from '../../../server/src/realHost/procCapture';
import { parseScenario } from '../../../server/src/exec/scenario';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createNodeHost } from '../../../server/src/service/host';
import { btfVmlinuxHeader } from '../targets/btfHeader';

/** A /proc tree written here: three processes (one with a thread), a kernel thread, another user's process, sockets. */
function writeFakeProc(root: string): void {
  const put = (file: string, text: string) => { fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true }); fs.writeFileSync(path.join(root, file), text); };
  // stat fields after the comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime ...
  const stat = (pid: number, comm: string, state: string, ppid: number, flags: number, priority: number, start: number) =>
    `${pid} (${comm}) ${state} ${ppid} ${pid} ${pid} 0 -1 ${flags} 0 0 0 0 0 0 0 0 ${priority} 0 1 0 ${start} 0 0\n`;
  const status = (uid: number, euid: number, gid: number) => `Name:\tx\nUid:\t${uid}\t${euid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\n`;
  const proc = (pid: number, comm: string, opts: { state?: string; ppid?: number; flags?: number; uid?: number; euid?: number; gid?: number; prio?: number; start?: number; cmdline?: string; threads?: Array<[number, string]> }) => {
    put(`${pid}/stat`, stat(pid, comm, opts.state ?? 'S', opts.ppid ?? 1, opts.flags ?? 0x400000, opts.prio ?? 20, opts.start ?? 100));
    put(`${pid}/status`, status(opts.uid ?? 0, opts.euid ?? opts.uid ?? 0, opts.gid ?? 0));
    put(`${pid}/cmdline`, opts.cmdline ?? '');
    put(`${pid}/task/${pid}/stat`, stat(pid, comm, opts.state ?? 'S', opts.ppid ?? 1, opts.flags ?? 0x400000, opts.prio ?? 20, opts.start ?? 100));
    for (const [tid, tcomm] of opts.threads ?? []) {
      put(`${pid}/task/${tid}/stat`, stat(tid, tcomm, 'S', opts.ppid ?? 1, 0x400040, opts.prio ?? 20, (opts.start ?? 100) + 1));
      put(`${pid}/task/${tid}/status`, status(opts.uid ?? 0, opts.euid ?? opts.uid ?? 0, opts.gid ?? 0));
    }
  };
  const fd = (pid: number, n: number, target: string, flags: string, pos = 0, ino?: number) => {
    fs.mkdirSync(path.join(root, `${pid}/fd`), { recursive: true });
    fs.symlinkSync(target, path.join(root, `${pid}/fd/${n}`));
    put(`${pid}/fdinfo/${n}`, `pos:\t${pos}\nflags:\t${flags}\nmnt_id:\t15\n${ino !== undefined ? `ino:\t${ino}\n` : ''}`);
  };
  proc(1, 'init', { ppid: 0, cmdline: '/sbin/init\0splash\0', start: 5 });
  fd(1, 0, '/dev/null', '0100002', 0, 5);
  fd(1, 3, 'socket:[500]', '02000002');
  fd(1, 7, '/var/log/boot.log', '0102001', 4096, 1234);
  put('1/maps', [
    '55d0c2a00000-55d0c2a04000 r--p 00000000 08:01 3391                       /sbin/init',
    '55d0c2a04000-55d0c2a84000 r-xp 00004000 08:01 3391                       /sbin/init',
    '7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0                          [stack]',
    'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]', ''].join('\n'));
  proc(2, 'kthreadd', { ppid: 0, flags: 0x208040, start: 5 });
  proc(40, 'my worker (x)', { state: 'R', uid: 1000, euid: 0, gid: 1000, prio: 0, cmdline: 'worker\0--fast\0', threads: [[41, 'worker-io']] });
  put('40/cgroup', '12:cpuset:/\n0::/system.slice/worker.service\n');
  const limits = (nofile: string) => ['Limit                     Soft Limit           Hard Limit           Units     ',
    ...['Max cpu time              unlimited            unlimited            seconds   ', 'Max file size             unlimited            unlimited            bytes     ',
      'Max data size             unlimited            unlimited            bytes     ', 'Max stack size            8388608              unlimited            bytes     ',
      'Max core file size        0                    unlimited            bytes     ', 'Max resident set          unlimited            unlimited            bytes     ',
      'Max processes             96367                96367                processes ', nofile,
      'Max locked memory         8388608              8388608              bytes     ', 'Max address space         unlimited            unlimited            bytes     ',
      'Max file locks            unlimited            unlimited            locks     ', 'Max pending signals       96367                96367                signals   ',
      'Max msgqueue size         819200               819200               bytes     ', 'Max nice priority         0                    0                    ',
      'Max realtime priority     0                    0                    ', 'Max realtime timeout      unlimited            unlimited            us        '], ''].join('\n');
  put('40/limits', limits('Max open files            1024                 524288               files     '));
  put('1/limits', limits('Max open files            1024                 4096                 files     '));
  put('1/cgroup', '0::/\n');
  fd(40, 0, 'pipe:[77]', '00');
  fd(40, 1, 'socket:[501]', '02');
  fd(40, 2, 'anon_inode:[eventpoll]', '02000002');
  put('40/maps', '00400000-00401000 r-xp 00000000 08:01 99 /usr/bin/worker\n');
  proc(99, 'sshd', { uid: 0, ppid: 1, flags: 0x400100, cmdline: 'sshd: alice\0' }); // no fd/ and no maps: not ours to read
  put('99/loginuid', '1000');
  put('99/sessionid', '4');
  put('1/loginuid', '4294967295');
  put('net/tcp', [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 500 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:1F90 0100007F:C350 01 00000024:00000000 01:00000014 00000002  1000        0 501 1 0000000000000000 20 4 30 10 -1',
    '   2: 0100007F:C351 0100007F:1F90 06 00000000:00000000 03:00000fa0 00000000     0        0 0 3 0000000000000000', ''].join('\n'));
  put('net/tcp6', [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 502 1 0000000000000000 100 0 0 10 0', ''].join('\n'));
  put('net/udp', [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    '  100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 503 2 0000000000000000 0', ''].join('\n'));
  put('net/udp6', [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    '  7: 00000000000000000000000001000000:0143 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   996        0 504 2 0000000000000000 0', ''].join('\n'));
  put('net/unix', [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000000000000: 00000002 00000000 00010000 0001 01 505 /run/dbus/system_bus_socket',
    '0000000000000000: 00000002 00000000 00000000 0002 01 506 @/org/kernel/udev',
    '0000000000000000: 00000003 00000000 00000000 0001 03 507', ''].join('\n'));
  put('net/netlink', [
    'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode',
    '0000000000000000 0   0          00000000 0        0        0     2        0        1',
    '0000000000000000 0   612        00000551 0        0        0     2        0        508', ''].join('\n'));
  put('net/dev', 'Inter-|   Receive\n face |bytes\n    lo: 0 0\n  eth0: 0 0\n');
}

const fakeHost = (procRoot: string): CaptureHost => ({ root: false, cpus: 2, procRoot, run: () => { throw new Error('bpftool must not run with --no-maps'); } });
const worldOnly = (extra: Partial<CaptureOptions['world']> = {}): CaptureOptions => ({
  names: [], ids: [], types: [], maxEntries: 100, maps: false, world: { processes: true, sockets: true, pids: [], maxProcesses: 100, ...extra } });

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
char LICENSE[] SEC("license") = "GPL";
`;
const TASKS = HEAD + `SEC("iter/task")
int tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	if (!task)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %s %u\\n", task->pid, task->tgid, task->comm, task->cred->uid.val);
	return 0;
}
`;
const FILES = HEAD + `SEC("iter/task_file")
int files(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	if (!task || !file)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %u %s %x %lld\\n", task->pid, ctx->fd, file->f_path.dentry->d_name.name, file->f_flags, file->f_pos);
	return 0;
}
`;
const TCP = HEAD + `SEC("iter/tcp")
int tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	if (!skc)
		return 0;
	/* the local port: skc_num, the upper half of skc_portpair (the test header has no member at offset 14) */
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u %u %lu\\n", skc->skc_family, (__u32)skc->skc_portpair >> 16, ctx->uid, bpf_ntohs(skc->skc_dport));
	return 0;
}
`;

async function runOn(dir: string, scenario: object, text: string): Promise<string> {
  const file = path.join(dir, 'host.bpfscenario.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  const prog = path.join(dir, 'p.bpf.c');
  fs.writeFileSync(prog, text);
  // a vmlinux.h with every target's structs (task_struct, sock_common...) made from the simulated kernel's BTF
  fs.writeFileSync(path.join(dir, 'vmlinux.h'), btfVmlinuxHeader());
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const r = await service.run(prog, text, { scenario: file });
  assert.ok(!r.error, JSON.stringify(r.error));
  return r.output ?? '';
}

describe('capture: processes, files, memory areas and sockets from /proc (fake /proc written here)', () => {
  let dir: string;
  let proc: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-proc-'));
    proc = path.join(dir, 'proc');
    writeFakeProc(proc);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every task by pid in the scenario\'s processes form: threads name their process, kernel threads, ids, prio, state', () => {
    const r = captureScenario(fakeHost(proc), worldOnly());
    assert.strictEqual(r.error, undefined);
    const ps = r.scenario!.processes as Array<Record<string, unknown>>;
    assert.deepStrictEqual(ps.map((p) => [p.pid, p.tgid, p.ppid, p.comm, p.state, p.uid, p.euid, p.kthread, p.prio]), [
      [1, undefined, 0, 'init', 'S', 0, undefined, undefined, 120], [2, undefined, 0, 'kthreadd', 'S', 0, undefined, true, 120],
      [40, undefined, 1, 'my worker (x)', 'R', 1000, 0, undefined, 100], [41, 40, 1, 'worker-io', 'S', 1000, 0, undefined, 100],
      [99, undefined, 1, 'sshd', 'S', 0, undefined, undefined, 120]]);
    assert.deepStrictEqual(ps[0].cmdline, ['/sbin/init', 'splash']);
    assert.strictEqual(ps[0].start_time_ns, 50_000_000);
    assert.strictEqual(ps[1].cmdline, undefined);
    assert.strictEqual(ps[3].files, undefined); // a thread shares its process's files
    assert.ok(r.warnings.some((w) => /^1 process of other users: open files or memory areas not readable/.test(w)), r.warnings.join('\n'));
    assert.strictEqual(ps[4].files, undefined);
    // the cgroup v2 line of a process; the root and a thread's are left out
    assert.deepStrictEqual(ps.map((p) => p.cgroup), [undefined, undefined, '/system.slice/worker.service', undefined, undefined]);
    // /proc/PID/limits: what differs from INIT_RLIMITS (systemd's 524288 open files), nothing for init's defaults
    assert.deepStrictEqual(ps.map((p) => p.rlimits), [undefined, undefined, { nofile: [1024, 524288] }, undefined, undefined]);
    // PF_SUPERPRIV in stat's flags (sshd used a capability since its fork): used_privilege
    assert.deepStrictEqual(ps.map((p) => p.used_privilege), [undefined, undefined, undefined, undefined, true]);
    // the audit login identity when a login set it (init's 4294967295 is unset)
    assert.deepStrictEqual(ps.map((p) => [p.loginuid, p.sessionid]), [[undefined, undefined], [undefined, undefined], [undefined, undefined], [undefined, undefined], [1000, 4]]);
  });

  it('open files: fd, the link\'s path, octal flags and pos from fdinfo, inode, the socket protocol as dname', () => {
    const ps = captureScenario(fakeHost(proc), worldOnly()).scenario!.processes as Array<Record<string, unknown>>;
    assert.deepStrictEqual(ps[0].files, [
      { fd: 0, path: '/dev/null', flags: 0o100002, ino: 5 },
      { fd: 3, path: 'socket:[500]', flags: 0o2000002, ino: 500, dname: 'TCP' },
      { fd: 7, path: '/var/log/boot.log', flags: 0o102001, pos: 4096, ino: 1234 }]);
    assert.deepStrictEqual((ps[2].files as unknown[]).map((f) => JSON.stringify(f)), [
      '{"fd":0,"path":"pipe:[77]","flags":0}', '{"fd":1,"path":"socket:[501]","flags":2,"ino":501,"dname":"TCP"}',
      '{"fd":2,"path":"anon_inode:[eventpoll]","flags":524290}']);
  });

  it('memory areas as /proc/PID/maps lists them: 0x addresses, the offset in pages, inode, [stack] and [vsyscall]', () => {
    const ps = captureScenario(fakeHost(proc), worldOnly()).scenario!.processes as Array<Record<string, unknown>>;
    assert.deepStrictEqual(ps[0].vmas, [
      { start: '0x55d0c2a00000', end: '0x55d0c2a04000', perms: 'r--p', path: '/sbin/init', ino: 3391 },
      { start: '0x55d0c2a04000', end: '0x55d0c2a84000', perms: 'r-xp', pgoff: 4, path: '/sbin/init', ino: 3391 },
      { start: '0x7ffd1c000000', end: '0x7ffd1c021000', perms: 'rw-p', path: '[stack]' },
      { start: '0xffffffffff600000', end: '0xffffffffff601000', perms: '--xp', path: '[vsyscall]' }]);
    assert.deepStrictEqual(parseMaps('garbage\n'), []);
  });

  it('sockets in the scenario\'s network form: tcp/tcp6/udp/udp6 addresses, states, queues, uid, inode; unix; netlink; devices', () => {
    const network = captureScenario(fakeHost(proc), worldOnly()).scenario!.network as { devices: string[]; sockets: unknown[] };
    assert.deepStrictEqual(network.devices, ['lo', 'eth0']);
    assert.deepStrictEqual(network.sockets, [
      { protocol: 'tcp', state: 'listen', local: '127.0.0.1:8080', inode: 500, rx_queue: 3 },
      { protocol: 'tcp', state: 'established', local: '127.0.0.1:8080', remote: '127.0.0.1:50000', uid: 1000, inode: 501, tx_queue: 36, retransmits: 2 },
      { protocol: 'tcp', state: 'time_wait', local: '127.0.0.1:50001', remote: '127.0.0.1:8080' },
      { protocol: 'tcp', state: 'listen', local: '[::]:22', inode: 502 },
      { protocol: 'udp', state: 'close', local: '127.0.0.53:53', uid: 101, inode: 503 },
      { protocol: 'udp', state: 'close', local: '[::1]:323', uid: 996, inode: 504 },
      { protocol: 'unix', type: 'stream', state: 'listen', path: '/run/dbus/system_bus_socket', inode: 505 },
      { protocol: 'unix', type: 'dgram', state: 'close', path: '@/org/kernel/udev', inode: 506 },
      { protocol: 'unix', type: 'stream', state: 'established', inode: 507 },
      { protocol: 'netlink', family: 0, portid: 612, groups: 0x551, inode: 508 }]);
    assert.strictEqual(ipv6Text(new Uint8Array([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), '2001:db8::1');
    assert.strictEqual(ipv6Text(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1])), '::ffff:10.0.0.1');
    assert.deepStrictEqual(parseProcNetInet('header\n', 'tcp'), []);
    assert.strictEqual(parseStat('5 (a) b) c) S 1 5 5 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 9 0')?.comm, 'a) b) c');
  });

  it('the captured scenario reads back without problems and the task, task_file and tcp targets run on it', async () => {
    const r = captureScenario(fakeHost(proc), worldOnly());
    assert.deepStrictEqual(parseScenario(JSON.stringify(r.scenario), 'c.json').problems, []);
    assert.strictEqual(await runOn(dir, r.scenario!, TASKS), '1 1 init 0\n2 2 kthreadd 0\n40 40 my worker (x) 1000\n41 40 worker-io 1000\n99 99 sshd 0\n');
    assert.strictEqual(await runOn(dir, r.scenario!, FILES), '1 0 null 8002 0\n1 3 TCP 80002 0\n1 7 boot.log 8401 4096\n40 0  0 0\n40 1 TCP 2 0\n40 2 [eventpoll] 80002 0\n');
    const tcp = (await runOn(dir, r.scenario!, TCP)).trim().split('\n').sort();
    assert.deepStrictEqual(tcp, ['10 22 0 0', '2 50001 0 8080', '2 8080 0 0', '2 8080 1000 50000']);
  });

  it('--pid keeps those processes with their threads; --max-processes bounds the tasks; --no-processes / --no-sockets leave sections out', () => {
    const one = captureScenario(fakeHost(proc), worldOnly({ pids: [40, 12345] }));
    assert.deepStrictEqual((one.scenario!.processes as Array<{ pid: number }>).map((p) => p.pid), [40, 41]);
    assert.ok(one.warnings.includes('--pid 12345: no such process'));
    const few = captureScenario(fakeHost(proc), worldOnly({ maxProcesses: 2 }));
    assert.deepStrictEqual((few.scenario!.processes as Array<{ pid: number }>).map((p) => p.pid), [1, 2]);
    assert.ok(few.warnings.some((w) => /more than 2 tasks: the first 2 by pid captured \(--max-processes\)/.test(w)));
    const noProc = captureScenario(fakeHost(proc), worldOnly({ processes: false }));
    assert.strictEqual(noProc.scenario!.processes, undefined);
    assert.ok(noProc.scenario!.network);
    const noSock = captureScenario(fakeHost(proc), worldOnly({ sockets: false }));
    assert.strictEqual(noSock.scenario!.network, undefined);
  });

  it('the command line: --no-maps needs no root or bpftool; the maps still need root and the error says --no-maps', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
    assert.strictEqual(captureMain(['--no-maps', '--pid', '40', '--no-sockets'], io, fakeHost(proc)), 0);
    const scenario = JSON.parse(out.join(''));
    assert.deepStrictEqual([scenario.maps, scenario.processes.length, scenario.network], [[], 2, undefined]);
    assert.strictEqual(captureMain([], io, fakeHost(proc)), 1);
    assert.match(err[err.length - 1], /capture needs root.*--no-maps captures processes and sockets without root/);
    assert.strictEqual(captureMain(['--pid', 'x'], io, fakeHost(proc)), 2);
    assert.strictEqual(captureMain(['--max-processes', '0'], io, fakeHost(proc)), 2);
  });
});

describe('capture: this machine\'s /proc (live)', function () {
  this.timeout(180000); // all of /proc, then three runs on it: slow on a loaded machine
  it('captures this process and a listening socket of its own, and iter/task and iter/tcp print them', async function () {
    if (process.platform !== 'linux' || !fs.existsSync('/proc/self/stat') || !fs.existsSync('/proc/net/tcp')) {
      this.skip(); // no /proc here (not Linux): nothing to capture
    }
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-live-'));
    try {
      const r = captureScenario({ root: false, procRoot: '/proc', run: () => { throw new Error('no bpftool'); } },
        { names: [], ids: [], types: [], maxEntries: 0, maps: false, world: { processes: true, sockets: true, pids: [], maxProcesses: 100000 } });
      assert.strictEqual(r.error, undefined);
      assert.deepStrictEqual(parseScenario(JSON.stringify(r.scenario), 'live.json').problems, []);
      const comm = fs.readFileSync('/proc/self/comm', 'utf8').trim();
      const tasks = await runOn(dir, r.scenario!, TASKS);
      const mine = tasks.split('\n').find((l) => l.startsWith(`${process.pid} ${process.pid} `));
      assert.ok(mine, `no line for this process (pid ${process.pid}) in:\n${tasks.slice(0, 2000)}`);
      assert.ok(mine!.startsWith(`${process.pid} ${process.pid} ${comm} ${process.getuid!()}`), mine);
      const files = await runOn(dir, r.scenario!, FILES);
      assert.ok(files.split('\n').some((l) => l.startsWith(`${process.pid} `) && / TCP /.test(l)), 'this process\'s listening socket is one of its files');
      const tcp = await runOn(dir, r.scenario!, TCP);
      assert.ok(tcp.split('\n').includes(`2 ${port} ${process.getuid!()} 0`), `the listener on port ${port} is missing:\n${tcp.slice(0, 2000)}`);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
