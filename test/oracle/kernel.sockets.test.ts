import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { firstLine, PinDir, realKernelUnavailable, run, tempDir } from './kernelOracle';

const repoRoot = path.join(__dirname, '../../..');
const programsDir = path.join(repoRoot, 'test/realworld/ss-sockets/src');
const worldScript = path.join(repoRoot, 'test/oracle/socketWorld.py');

/** The world both sides see: built for real by socketWorld.py in a fresh network namespace, described to the simulator. */
function worldScenario(unixPath: string): object {
  return {
    description: 'the loopback world socketWorld.py builds under unshare --net',
    network: {
      sockets: [
        { protocol: 'tcp', state: 'listen', local: '127.0.0.1:8080', backlog: 5, inode: 1 },
        { protocol: 'tcp', state: 'listen', local: '127.0.0.1:22', backlog: 16, inode: 2 },
        { protocol: 'tcp', state: 'listen', local: '[::1]:8443', backlog: 8, inode: 3 },
        { protocol: 'tcp', state: 'established', local: '127.0.0.1:40000', remote: '127.0.0.1:8080', inode: 4 },
        { protocol: 'tcp', state: 'established', local: '127.0.0.1:8080', remote: '127.0.0.1:40000', inode: 5 },
        { protocol: 'tcp', state: 'time_wait', local: '127.0.0.1:40001', remote: '127.0.0.1:8080' },
        { protocol: 'tcp', state: 'close_wait', local: '127.0.0.1:8080', remote: '127.0.0.1:40001', inode: 6 },
        { protocol: 'tcp', state: 'established', local: '[::1]:40002', remote: '[::1]:8443', inode: 7 },
        { protocol: 'tcp', state: 'established', local: '[::1]:8443', remote: '[::1]:40002', inode: 8 },
        { protocol: 'udp', local: '127.0.0.1:53', inode: 9 },
        { protocol: 'udp', local: '127.0.0.1:5353', remote: '127.0.0.1:53', inode: 10 },
        { protocol: 'udp', local: '[::1]:546', inode: 11 },
        { protocol: 'unix', type: 'stream', state: 'listen', path: unixPath, backlog: 16, inode: 12 },
        { protocol: 'unix', type: 'dgram', state: 'close', path: '@bil-abstract', inode: 13 },
        { protocol: 'unix', type: 'stream', state: 'established', peer: 15, inode: 14 },
        { protocol: 'unix', type: 'stream', state: 'established', peer: 14, inode: 15 },
        { protocol: 'unix', type: 'dgram', state: 'close', inode: 16 },
        { protocol: 'netlink', family: 0, portid: 4242, groups: 5, inode: 17 },
        { protocol: 'netlink', family: 16, portid: 4243, inode: 18 },
      ],
      ipv6_routes: [{ dst: '::1/128', type: 'local' }],
    },
  };
}

/** Lines that do not depend on the live machine: inode numbers masked; sorted, since the hash seeds are random. */
function comparable(text: string): string[] {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = lines.length && /^(State|Netid|Eth)/.test(lines[0]) ? [lines.shift()!] : [];
  return [...header, ...lines.map((l) => l.replace(/ \d+$/, ' #')).sort()];
}

/**
 * Programs of our own beside the realworld ones, each printing a field the world decides: whether a netlink socket is
 * the kernel's (NETLINK_F_KERNEL_SOCKET in nlk->flags) and how many groups it may join (ngroups), a time-wait sock's tw_substate (FIN_WAIT2 for a connection
 * closed by one side, whose peer is in close_wait), an IPv6 socket bound to an address being IPv6-only.
 */
const OWN_PROGRAMS: Record<string, string> = {
  // fourth round: an ss-like TCP dump of states and ports, IPv4 and IPv6 (inspektor-gadget socket collector style)
  tcp_states_ports: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
char LICENSE[] SEC("license") = "GPL";
static const char *names[] = { "?", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
	"UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV" };
SEC("iter/tcp")
int tcp_states_ports(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	unsigned int st;
	if (!skc)
		return 0;
	st = skc->skc_state;
	if (st > 12)
		st = 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s fam=%d %u -> %u v4=%pI4 peer4=%pI4\\n", names[st & 15], skc->skc_family, skc->skc_num, bpf_ntohs(skc->skc_dport),
		&skc->skc_rcv_saddr, &skc->skc_daddr);
	return 0;
}
`,
  // fourth round: the listeners only, through the tcp_sock cast, with their accept-queue bound
  tcp_listeners: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/tcp")
int tcp_listeners(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;
	if (!skc || skc->skc_state != 10)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "listen %u backlog=%u fam=%d\\n", skc->skc_num, tp->inet_conn.icsk_inet.sk.sk_max_ack_backlog, skc->skc_family);
	return 0;
}
`,
  // fourth round: UDP sockets with both ends and whether connected
  udp_ends: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/udp")
int udp_ends(struct bpf_iter__udp *ctx)
{
	struct udp_sock *u = ctx->udp_sk;
	struct inet_sock *inet;
	if (!u)
		return 0;
	inet = &u->inet;
	BPF_SEQ_PRINTF(ctx->meta->seq, "udp fam=%d %u -> %u connected=%d bucket_ok=%d\\n", inet->sk.__sk_common.skc_family,
		bpf_ntohs(inet->inet_sport), bpf_ntohs(inet->sk.__sk_common.skc_dport), inet->sk.__sk_common.skc_state == 1, ctx->bucket >= 0);
	return 0;
}
`,
  // fourth round: unix sockets with their paths (the sun_path, an abstract name shown from its second byte) and types
  unix_paths: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/unix")
int unix_paths(struct bpf_iter__unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;
	struct unix_address *a;
	char path[32] = {};
	if (!u)
		return 0;
	a = u->addr;
	if (a && a->len > 2) {
		bpf_probe_read_kernel(path, sizeof(path) - 1, a->name[0].sun_path);
		if (path[0] == 0)
			path[0] = '@';
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "unix type=%d state=%d peer=%d path=%s\\n", u->sk.sk_type, u->sk.__sk_common.skc_state, u->peer != 0,
		a ? (a->len > 2 ? (path[0] == '@' ? "@" : "/") : "unnamed") : "-");
	return 0;
}
`,
  // fourth round: netlink sockets by protocol, port id and groups
  netlink_groups: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/netlink")
int netlink_groups(struct bpf_iter__netlink *ctx)
{
	struct netlink_sock *n = ctx->sk;
	unsigned long g = 0;
	if (!n)
		return 0;
	if (n->groups)
		bpf_probe_read_kernel(&g, sizeof(g), n->groups);
	if (n->portid == 0)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "nl proto=%d portid=%u groups=%lx\\n", n->sk.sk_protocol, n->portid, g);
	return 0;
}
`,
  nl_kernel_flag: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/netlink")
int nl_kernel_flag(struct bpf_iter__netlink *ctx)
{
	struct netlink_sock *nlk = ctx->sk;

	if (!nlk)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "proto=%d bound=%d kernel=%d ngroups=%u\\n", nlk->sk.sk_protocol, nlk->portid != 0, (int)(nlk->flags & 1),
		nlk->ngroups);
	return 0;
}
`,
  tcp_tw_substate: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/tcp")
int tcp_tw_substate(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_timewait_sock *tw;

	if (!skc)
		return 0;
	tw = bpf_skc_to_tcp_timewait_sock(skc);
	if (tw)
		BPF_SEQ_PRINTF(ctx->meta->seq, "tw port=%u state=%d substate=%d\\n", skc->skc_num, skc->skc_state, tw->tw_sk.tw_substate);
	else
		BPF_SEQ_PRINTF(ctx->meta->seq, "full port=%u state=%d\\n", skc->skc_num, skc->skc_state);
	return 0;
}
`,
  udp_v6only: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/udp")
int udp_v6only(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp_sk = ctx->udp_sk;
	struct sock_common *skc;

	if (!udp_sk)
		return 0;
	skc = &udp_sk->inet.sk.__sk_common;
	BPF_SEQ_PRINTF(ctx->meta->seq, "family=%d port=%u v6only=%d reuse=%d\\n", skc->skc_family, bpf_ntohs(udp_sk->inet.inet_sport),
		skc->skc_ipv6only, skc->skc_reuse);
	return 0;
}
`,
  // the buffers sock_init_data() gives (net.core.[rw]mem_default), tcp_init_sock()'s own, and the accept-queue bounds:
  // listen(5) and listen(16) of socketWorld.py, the connections accepted from a listener (sk_clone_lock() copies it),
  // a unix socket that does not listen (net.unix.max_dgram_qlen); a connected TCP socket's sk_sndbuf is not printed:
  // tcp_sndbuf_expand() sizes it by the congestion control's sndbuf_expand (3 for BBR, 2 otherwise)
  sock_buffers_unix: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/unix")
int sock_buffers_unix(struct bpf_iter__unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;

	if (!u)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "type=%u rcv=%d snd=%d backlog=%u unix\\n", u->sk.sk_type, u->sk.sk_rcvbuf, u->sk.sk_sndbuf,
		u->sk.sk_max_ack_backlog);
	return 0;
}
`,
  sock_buffers_udp: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/udp")
int sock_buffers_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *u = ctx->udp_sk;

	if (!u)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "port=%u rcv=%d snd=%d udp\\n", u->inet.sk.__sk_common.skc_num, u->inet.sk.sk_rcvbuf, u->inet.sk.sk_sndbuf);
	return 0;
}
`,
  sock_buffers_nl: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/netlink")
int sock_buffers_nl(struct bpf_iter__netlink *ctx)
{
	struct netlink_sock *n = ctx->sk;

	if (!n)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "proto=%u rcv=%d snd=%d netlink\\n", n->sk.sk_protocol, n->sk.sk_rcvbuf, n->sk.sk_sndbuf);
	return 0;
}
`,
  tcp_accept_backlog: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/tcp")
int tcp_accept_backlog(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;

	if (!skc)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "port=%u state=%u rcv=%d max_backlog=%u tcp\\n", skc->skc_num, skc->skc_state,
		tp->inet_conn.icsk_inet.sk.sk_rcvbuf, tp->inet_conn.icsk_inet.sk.sk_max_ack_backlog);
	if (skc->skc_state == 10)
		BPF_SEQ_PRINTF(ctx->meta->seq, "listener port=%u snd=%d\\n", skc->skc_num, tp->inet_conn.icsk_inet.sk.sk_sndbuf);
	return 0;
}
`,
  // bpf_rdonly_cast() to the kernel's struct sock (the kernel's own socket-iterator tests do so): the run reads the same socket
  tcp_rdonly_cast: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
SEC("iter/tcp")
int tcp_rdonly_cast(struct bpf_iter__tcp *ctx)
{
	struct sock *sk = (struct sock *)ctx->sk_common;

	if (!sk)
		return 0;
	sk = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
	/* only sock_common: a time-wait or request sock ends there */
	BPF_SEQ_PRINTF(ctx->meta->seq, "family=%u port=%u state=%u cast\\n", sk->__sk_common.skc_family, sk->__sk_common.skc_num,
		sk->__sk_common.skc_state);
	return 0;
}
`,
  // fib6_null_entry (a table without a default route shows it): RTPROT_KERNEL, RTN_UNREACHABLE
  route_protocol: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/ipv6_route")
int route_protocol(struct bpf_iter__ipv6_route *ctx)
{
	struct fib6_info *rt = ctx->rt;

	if (!rt)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "plen=%u type=%u protocol=%u route\\n", rt->fib6_dst.plen, rt->fib6_type, rt->fib6_protocol);
	return 0;
}
`,
};

describe('oracle: socket iterators walk the same world as the kernel (unshare --net)', function () {
  this.timeout(120000);
  const programs = ['ss_tcp', 'ss_udp', 'ss_unix', 'nl_list', 'ipv6_routes', ...Object.keys(OWN_PROGRAMS)];
  const sourceOf = (p: string): string => (p in OWN_PROGRAMS ? path.join(work, `${p}.bpf.c`) : path.join(programsDir, `${p}.bpf.c`));
  let work = '';
  let pins: PinDir | null = null;
  const kernelOut = new Map<string, string>();

  before(function () {
    const why = realKernelUnavailable(['bpftool', 'clang', 'unshare', 'ip', 'python3']);
    if (why) { console.log(`    skipped: socket iterator oracle needs root, clang, bpftool, unshare, ip and python3 (${why})`); this.skip(); }
    const probe = spawnSync('unshare', ['--net', 'true'], { encoding: 'utf8' });
    if (probe.status !== 0) { console.log(`    skipped: cannot make a network namespace (${firstLine(probe.stderr)})`); this.skip(); }
    work = tempDir();
    pins = new PinDir();
    fs.writeFileSync(path.join(work, 'vmlinux.h'), run('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c']));
    fs.writeFileSync(path.join(work, 'world.bpfscenario.json'), JSON.stringify(worldScenario(path.join(work, 'ux.sock')), null, 1));
    for (const [name, text] of Object.entries(OWN_PROGRAMS)) fs.writeFileSync(path.join(work, `${name}.bpf.c`), text);
    const pinned: string[] = [];
    for (const p of programs) {
      const obj = path.join(work, `${p}.o`);
      run('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', '-I', work, '-I', programsDir, '-c', sourceOf(p), '-o', obj]);
      const pin = path.join(pins.dir, p);
      const r = spawnSync('bpftool', ['iter', 'pin', obj, pin], { encoding: 'utf8' });
      if (r.status !== 0) { console.log(`    skipped: the kernel refuses to load ${p} here (${firstLine(r.stderr)})`); this.skip(); }
      pinned.push(pin);
    }
    const read = spawnSync('unshare', ['--net', 'python3', worldScript, path.join(work, 'world.bpfscenario.json'), ...pinned], { encoding: 'utf8' });
    if (read.status !== 0) { console.log(`    skipped: could not build the socket world (${firstLine(read.stderr)})`); this.skip(); }
    for (const section of read.stdout.split(/^==== /m).slice(1)) {
      const nl = section.indexOf('\n');
      kernelOut.set(path.basename(section.slice(0, nl)), section.slice(nl + 1));
    }
  });
  after(() => {
    pins?.remove();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  for (const p of programs) {
    it(`${p}: the same lines as cat of the pinned iterator (order and inode numbers aside)`, function () {
      const sim = spawnSync('node', [path.join(repoRoot, 'bin/bpf-iter.js'), 'run', sourceOf(p),
        '--scenario', path.join(work, 'world.bpfscenario.json'), '-I', work], { encoding: 'utf8', cwd: programsDir });
      assert.strictEqual(sim.status, 0, sim.stderr);
      const kernel = kernelOut.get(p);
      assert.ok(kernel !== undefined && kernel.length > 0, `no kernel output for ${p}`);
      assert.deepStrictEqual(comparable(sim.stdout), comparable(kernel));
    });
  }
});
