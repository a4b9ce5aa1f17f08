import * as assert from 'assert';
import { IterRunContext, Kernel } from '../../../server/src/kernel';
import { fieldAt } from '../../../server/src/kernel/net/layout';
import { LHASH2_MASK, NetSpec, portaddrHash, UDP_HASH_MASK } from '../../../server/src/kernel/net/netns';
import { parseEndpoint } from '../../../server/src/kernel/net/addr';
import { parseScenario, defaultScenario } from '../../../server/src/exec/scenario';
import { attachAndOpen, readAll, spec } from './progs';

/** What a program sees of one visit: the object pointer, uid and (udp) bucket, and seq_num. */
interface Visit { sk: bigint; uid: number; bucket: number; seqNum: bigint }

function walk(k: Kernel, target: string, readSize = 4096, onVisit?: (v: Visit, ctx: IterRunContext) => void): Visit[] {
  const visits: Visit[] = [];
  const { iterFd } = attachAndOpen(k, spec(target, (ctx) => {
    const v = ctx.ctxRegion.view;
    const visit = { sk: v.getBigUint64(8, true), uid: v.getUint32(16, true), bucket: v.getInt32(24, true), seqNum: ctx.seqNum };
    visits.push(visit);
    onVisit?.(visit, ctx);
    // one byte per visit, so small reads stop inside a bucket and resume
    ctx.seq.write(new Uint8Array([0x2e]));
    return 0;
  }));
  readAll(k, iterFd, readSize);
  return visits;
}

function net(sockets: NetSpec['sockets'], extra: Partial<NetSpec> = {}): Kernel {
  const k = new Kernel({ cpus: 2 });
  k.setNetwork({ hashMix: 12345, ehashSecret: 678, sockets, ipv6Routes: [], devices: ['lo'], ...extra });
  return k;
}

const u16At = (k: Kernel, addr: bigint, struct: string, path: string): number => {
  const f = fieldAt(struct, path);
  const at = k.memory.find(addr + BigInt(f.offset))!;
  return f.size === 1 ? at.region.view.getUint8(at.offset) : at.region.view.getUint16(at.offset, true);
};
const i32At = (k: Kernel, addr: bigint, struct: string, path: string): number => {
  const at = k.memory.find(addr + BigInt(fieldAt(struct, path).offset))!;
  return at.region.view.getInt32(at.offset, true);
};

describe('kernel/net: the socket iterators over a simulated network namespace', () => {
  const tcpWorld: NetSpec['sockets'] = [
    { protocol: 'tcp', state: 'established', local: '127.0.0.1:40000', remote: '127.0.0.1:8080', uid: 1000, inode: 3 },
    { protocol: 'tcp', state: 'listen', local: '127.0.0.1:8080', uid: 7, inode: 1 },
    { protocol: 'tcp', state: 'listen', local: '127.0.0.1:22', uid: 0, inode: 2 },
    { protocol: 'tcp', state: 'time_wait', local: '127.0.0.1:40001', remote: '127.0.0.1:8080', uid: 1000, inode: 0 },
    { protocol: 'tcp', state: 'new_syn_recv', local: '127.0.0.1:8080', remote: '127.0.0.1:40005', uid: 0, inode: 0 },
  ];

  it('tcp: listeners first (lhash2 bucket order), then the established table; time-wait uid 0, a request sock its listener\'s uid', () => {
    const k = net(tcpWorld);
    const visits = walk(k, 'tcp');
    assert.strictEqual(visits.length, 5 + 1, 'five sockets and the final NULL call');
    const states = visits.slice(0, 5).map((v) => u16At(k, v.sk, 'sock_common', 'skc_state'));
    assert.deepStrictEqual(states.slice(0, 2), [10, 10]);
    const ports = visits.slice(0, 2).map((v) => u16At(k, v.sk, 'sock_common', 'skc_num'));
    const bucket = (p: number): number => portaddrHash(parseEndpoint(`127.0.0.1:${p}`)!, 12345) & LHASH2_MASK;
    assert.deepStrictEqual(ports, [22, 8080].sort((a, b) => bucket(a) - bucket(b)));
    const byState = new Map(visits.slice(0, 5).map((v) => [u16At(k, v.sk, 'sock_common', 'skc_state'), v.uid]));
    assert.strictEqual(byState.get(6), 0, 'time-wait: uid 0');
    assert.strictEqual(byState.get(12), 7, 'request sock: the listener on 8080 has uid 7');
    assert.strictEqual(byState.get(1), 1000);
    assert.strictEqual(visits[5].sk, 0n);
    assert.deepStrictEqual(visits.map((v) => v.seqNum), [0n, 1n, 2n, 3n, 4n, 4n]);
  });

  it('every full socket holds one sk_wmem_alloc reference (sk_alloc(); measured: netlink, tcp and udp sockets read 1)', () => {
    const k = net([...tcpWorld.slice(0, 2), { protocol: 'udp', state: 'close', local: '127.0.0.1:53', uid: 0, inode: 9 }]);
    const u32At = (addr: bigint, path: string): number => {
      const f = fieldAt('sock', path);
      const at = k.memory.find(addr + BigInt(f.offset))!;
      return at.region.view.getUint32(at.offset, true);
    };
    for (const target of ['tcp', 'udp']) {
      const socks = walk(k, target).filter((v) => v.sk !== 0n);
      assert.ok(socks.length > 0, target);
      for (const v of socks) assert.strictEqual(u32At(v.sk, 'sk_wmem_alloc'), 1, target);
    }
  });

  it('the same visits for any read size (a read stopping inside a bucket resumes after what it showed)', () => {
    const world: NetSpec['sockets'] = Array.from({ length: 12 }, (_, i) => ({ protocol: 'udp' as const, state: 'close', local: `127.0.0.${1 + (i % 3)}:${1000 + (i >> 1)}`, uid: i, inode: i }));
    const all = walk(net(world), 'udp', 4096).map((v) => v.uid);
    for (const size of [1, 2, 3, 5]) assert.deepStrictEqual(walk(net(world), 'udp', size).map((v) => v.uid), all, `read size ${size}`);
  });

  it('an empty tcp/udp/unix walk: only the final call, with seq_num (u64)-1 (the skipped SEQ_START_TOKEN), as measured', () => {
    for (const target of ['tcp', 'udp', 'unix']) {
      const visits = walk(net([]), target);
      assert.deepStrictEqual(visits.map((v) => [v.sk, v.seqNum]), [[0n, -1n]], target);
    }
  });

  it('meta->seq_num in memory is that u64: 0xffffffffffffffff for the empty walk, 0, 1, ... for objects', () => {
    const seen = (world: NetSpec['sockets']): bigint[] => {
      const metas: bigint[] = [];
      walk(net(world), 'udp', 4096, (_v, ctx) => { metas.push(ctx.kernel.memory.find(ctx.metaAddr)!.region.view.getBigUint64(16, true)); });
      return metas;
    };
    assert.deepStrictEqual(seen([]), [0xffffffffffffffffn]);
    assert.deepStrictEqual(seen([{ protocol: 'udp', state: 'close', local: '127.0.0.1:53', uid: 0, inode: 1 }]), [0n, 0n]);
  });

  it('udp: ctx->bucket is the hash2 slot; two ports on one address differ in it by the ports\' xor, as on the kernel', () => {
    const visits = walk(net([
      { protocol: 'udp', state: 'close', local: '127.0.0.1:53', uid: 0, inode: 1 },
      { protocol: 'udp', state: 'established', local: '127.0.0.1:5353', remote: '127.0.0.1:53', uid: 0, inode: 2 },
    ]), 'udp').slice(0, 2);
    assert.strictEqual((visits[0].bucket ^ visits[1].bucket) & UDP_HASH_MASK, (53 ^ 5353) & UDP_HASH_MASK);
  });

  it('a time-wait sock\'s tw_substate: FIN_WAIT2 when its peer is listed in close_wait (closed by one side), else TIME_WAIT (tcp_time_wait())', () => {
    const substates = (sockets: NetSpec['sockets']): number[] => {
      const k = net(sockets);
      return walk(k, 'tcp').filter((v) => v.sk !== 0n && u16At(k, v.sk, 'sock_common', 'skc_state') === 6)
        .map((v) => u16At(k, v.sk, 'inet_timewait_sock', 'tw_substate'));
    };
    // measured on 6.18: a connection closed by its connecting side only reads tw_substate 5 (TCP_FIN_WAIT2)
    assert.deepStrictEqual(substates([...tcpWorld,
      { protocol: 'tcp', state: 'close_wait', local: '127.0.0.1:8080', remote: '127.0.0.1:40001', uid: 1000, inode: 4 }]), [5]);
    assert.deepStrictEqual(substates(tcpWorld), [6]);
  });

  it('the kernel\'s own netlink sockets have NETLINK_F_KERNEL_SOCKET in nlk->flags, a user\'s socket not (__netlink_kernel_create())', () => {
    const k = net([{ protocol: 'netlink', family: 0, portid: 4242, groups: 0, uid: 0, inode: 5 }]);
    const flags = walk(k, 'netlink').filter((v) => v.sk !== 0n).map((v) => {
      const f = fieldAt('netlink_sock', 'flags');
      const portid = fieldAt('netlink_sock', 'portid');
      const at = k.memory.find(v.sk + BigInt(f.offset))!;
      const p = k.memory.find(v.sk + BigInt(portid.offset))!;
      return [p.region.view.getUint32(p.offset, true), Number(at.region.view.getBigUint64(at.offset, true))];
    });
    assert.ok(flags.length > 1);
    for (const [portid, f] of flags) assert.strictEqual(f, portid === 4242 ? 0 : 1, `portid ${portid}`);
  });

  it('nlk->ngroups: RTNLGRP_MAX (39) for a NETLINK_ROUTE socket that joined groups, 0 for sockets that joined none and the kernel\'s (measured on 6.18)', () => {
    const k = net([{ protocol: 'netlink', family: 0, portid: 4242, groups: 5, uid: 0, inode: 5 },
      { protocol: 'netlink', family: 16, portid: 4243, groups: 0, uid: 0, inode: 6 }]);
    const read = (addr: bigint, name: string): number => {
      const f = fieldAt('netlink_sock', name);
      const at = k.memory.find(addr + BigInt(f.offset))!;
      return at.region.view.getUint32(at.offset, true);
    };
    const seen = walk(k, 'netlink').filter((v) => v.sk !== 0n).map((v) => [read(v.sk, 'portid'), read(v.sk, 'ngroups')]);
    for (const [portid, ngroups] of seen) assert.strictEqual(ngroups, portid === 4242 ? 39 : 0, `portid ${portid}`);
  });

  it('an IPv6 socket bound to an address (not :: nor v4-mapped) has skc_ipv6only set, the other bits of its byte kept (__inet6_bind())', () => {
    const k = net([
      { protocol: 'udp', state: 'close', local: '[::1]:546', uid: 0, inode: 1 },
      { protocol: 'udp', state: 'close', local: '[::]:547', uid: 0, inode: 2 },
      { protocol: 'udp', state: 'close', local: '[::ffff:127.0.0.1]:548', uid: 0, inode: 3 },
      { protocol: 'udp', state: 'close', local: '127.0.0.1:549', uid: 0, inode: 4 }]);
    const f = fieldAt('sock_common', 'skc_ipv6only');
    const byPort = new Map(walk(k, 'udp').filter((v) => v.sk !== 0n).map((v) => {
      const at = k.memory.find(v.sk + BigInt(f.offset))!;
      return [u16At(k, v.sk, 'sock_common', 'skc_num'), at.region.view.getUint8(at.offset)];
    }));
    // skc_ipv6only is bit 5 of its byte (skc_reuse the low 4 bits, skc_reuseport bit 4)
    assert.deepStrictEqual([546, 547, 548, 549].map((p) => byPort.get(p)), [0x20, 0, 0, 0]);
  });

  it('an IPv6 socket with an address that has no IPv4 equivalent has LOOPBACK4_IPV6 (127.0.0.6) in skc_rcv_saddr; :: has 0, v4-mapped its IPv4 address', () => {
    // measured on 6.18 (iter/tcp, %pI4 of &skc_rcv_saddr): a [::1] listener, its client and the accepted socket print 127.0.0.6
    const k = net([
      { protocol: 'udp', state: 'close', local: '[::1]:546', uid: 0, inode: 1 },
      { protocol: 'udp', state: 'close', local: '[::]:547', uid: 0, inode: 2 },
      { protocol: 'udp', state: 'close', local: '[::ffff:127.0.0.1]:548', uid: 0, inode: 3 },
      { protocol: 'tcp', state: 'listen', local: '[::1]:8443', uid: 0, inode: 4 },
      { protocol: 'tcp', state: 'established', local: '[::1]:40002', remote: '[::1]:8443', uid: 0, inode: 5 },
      { protocol: 'tcp', state: 'established', local: '[::1]:8443', remote: '[::1]:40002', uid: 0, inode: 6 }]);
    const v4 = (v: Visit, field: string): string => {
      const at = k.memory.find(v.sk + BigInt(fieldAt('sock_common', field).offset))!;
      return [...at.region.bytes.subarray(at.offset, at.offset + 4)].join('.');
    };
    const saddr = (v: Visit): string => v4(v, 'skc_rcv_saddr');
    const udp = new Map(walk(k, 'udp').filter((v) => v.sk !== 0n).map((v) => [u16At(k, v.sk, 'sock_common', 'skc_num'), saddr(v)]));
    assert.deepStrictEqual([546, 547, 548].map((p) => udp.get(p)), ['127.0.0.6', '0.0.0.0', '127.0.0.1']);
    const tcp = walk(k, 'tcp').filter((v) => v.sk !== 0n);
    assert.deepStrictEqual(tcp.map(saddr), ['127.0.0.6', '127.0.0.6', '127.0.0.6']);
    // tcp_v6_syn_recv_sock(): the accepted side's IPv4 peer is LOOPBACK4_IPV6 too; the client's stays 0
    assert.deepStrictEqual(tcp.filter((v) => u16At(k, v.sk, 'sock_common', 'skc_state') === 1).map((v) => [u16At(k, v.sk, 'sock_common', 'skc_num'), v4(v, 'skc_daddr')]).sort(),
      [[40002, '0.0.0.0'], [8443, '127.0.0.6']]);
  });

  it('bpf_skc_to_tcp_sock: a full TCP socket, NULL for time-wait; tcp6 only for IPv6; unix only for unix; bpf_sock_destroy unhashes', () => {
    const k = net([...tcpWorld,
      { protocol: 'tcp', state: 'listen', local: '[::1]:443', uid: 0, inode: 9 },
      { protocol: 'unix', type: 'stream', state: 'listen', path: '/run/x.sock', uid: 0, inode: 10 }]);
    const tcp = walk(k, 'tcp').filter((v) => v.sk !== 0n);
    const h = k.helpers;
    const kinds = tcp.map((v) => [u16At(k, v.sk, 'sock_common', 'skc_state'), h.bpf_skc_to_tcp_sock(v.sk) !== 0n, h.bpf_skc_to_tcp6_sock(v.sk) !== 0n,
      h.bpf_skc_to_tcp_timewait_sock(v.sk) !== 0n]);
    for (const [state, isTcp, isTcp6, isTw] of kinds) {
      assert.strictEqual(isTcp, state !== 6 && state !== 12, `state ${state}`);
      assert.strictEqual(isTw, state === 6);
      if (isTcp6) assert.ok(isTcp);
    }
    assert.strictEqual(kinds.filter((x) => x[2]).length, 1, 'one IPv6 socket');
    const unix = walk(k, 'unix').filter((v) => v.sk !== 0n);
    assert.notStrictEqual(h.bpf_skc_to_unix_sock(unix[0].sk), 0n);
    assert.strictEqual(h.bpf_skc_to_unix_sock(tcp[0].sk), 0n);
    const tw = tcp.find((v) => u16At(k, v.sk, 'sock_common', 'skc_state') === 6)!;
    assert.strictEqual(h.bpf_sock_destroy(tw.sk), -22, 'a time-wait sock is not a full socket: EINVAL');
    assert.strictEqual(h.bpf_sock_destroy(tcp[0].sk), 0);
    assert.strictEqual(walk(k, 'tcp').filter((v) => v.sk !== 0n).length, tcp.length - 1, 'the destroyed socket left its table');
  });

  it('ipv6_route: each table in tree order, the root\'s null entry where a table has no default route', () => {
    const k = net([], { ipv6Routes: [
      { dst: '::1/128', table: 255, metric: 0, flags: 0x80200001, dev: 'lo', protocol: 2, type: 2 },
      { dst: '2001:db8::/64', table: 254, metric: 1024, flags: 1, dev: 'lo', protocol: 2, type: 1 },
      { dst: '2001:db8::1/128', table: 254, metric: 1024, flags: 1, dev: 'lo', protocol: 2, type: 1 },
    ] });
    const plens = walk(k, 'ipv6_route').filter((v) => v.sk !== 0n).map((v) => u16At(k, v.sk, 'fib6_info', 'fib6_dst.plen'));
    assert.deepStrictEqual(plens, [128, 64, 0, 128, 0]);
  });

  it('socket buffers (sock_init_data(): 212992 each; tcp_init_sock(): 131072/16384) and accept-queue bounds (a TCP connection accepted from listen(fd, 5) keeps 5, sk_clone_lock(); a unix socket 10 until listen()), measured on 6.18', () => {
    const k = net([
      { protocol: 'tcp', state: 'listen', local: '127.0.0.1:8080', backlog: 5, uid: 0, inode: 1 },
      { protocol: 'tcp', state: 'established', local: '127.0.0.1:40000', remote: '127.0.0.1:8080', uid: 0, inode: 2 },
      { protocol: 'tcp', state: 'established', local: '127.0.0.1:8080', remote: '127.0.0.1:40000', uid: 0, inode: 3 },
      { protocol: 'tcp', state: 'close_wait', local: '127.0.0.1:8080', remote: '127.0.0.1:40001', uid: 0, inode: 4 },
      { protocol: 'udp', state: 'close', local: '127.0.0.1:53', uid: 0, inode: 5 },
      { protocol: 'unix', type: 'stream', state: 'listen', path: '/run/a.sock', backlog: 16, uid: 0, inode: 6 },
      { protocol: 'unix', type: 'dgram', state: 'close', uid: 0, inode: 7 },
      { protocol: 'netlink', family: 0, portid: 4242, groups: 0, uid: 0, inode: 8 },
    ]);
    const of = (target: string) => walk(k, target).filter((v) => v.sk !== 0n).map((v) => [u16At(k, v.sk, 'sock_common', 'skc_num'),
      i32At(k, v.sk, 'sock', 'sk_rcvbuf'), i32At(k, v.sk, 'sock', 'sk_sndbuf'), i32At(k, v.sk, 'sock', 'sk_max_ack_backlog')]);
    const byPort = (rows: number[][]) => rows.map((r) => r.join(' ')).sort();
    // the listener, the connection accepted from it (8080 -> 40000), the one half closed by its peer, the connecting side
    assert.deepStrictEqual(byPort(of('tcp')), ['40000 131072 16384 0', '8080 131072 16384 5', '8080 131072 16384 5', '8080 131072 16384 5']);
    assert.deepStrictEqual(byPort(of('udp')), ['53 212992 212992 0']);
    assert.deepStrictEqual(byPort(of('unix').map((r) => r.slice(1))), ['212992 212992 10', '212992 212992 16']);
    assert.ok(of('netlink').every((r) => r[1] === 212992 && r[2] === 212992), 'netlink sockets (the kernel\'s own too)');
  });

  it('ipv6_route: the null entry of a table without a default route is the kernel\'s own (fib6_null_entry_template: RTPROT_KERNEL, RTN_UNREACHABLE)', () => {
    const k = net([], { ipv6Routes: [{ dst: '::1/128', table: 255, metric: 0, flags: 0x80200001, dev: 'lo', protocol: 2, type: 2 }] });
    const rows = walk(k, 'ipv6_route').filter((v) => v.sk !== 0n).map((v) => [u16At(k, v.sk, 'fib6_info', 'fib6_dst.plen'),
      u16At(k, v.sk, 'fib6_info', 'fib6_protocol'), u16At(k, v.sk, 'fib6_info', 'fib6_type')]);
    // main (254) has no route here: its null entry, then local (255): ::1, then its null entry (measured: the same three lines)
    assert.deepStrictEqual(rows, [[0, 2, 7], [128, 2, 2], [0, 2, 7]]);
  });

  it('the default system has sockets of every kind and routes, so each socket target prints something on first run', () => {
    const s = defaultScenario();
    assert.ok(s.network, 'the default scenario describes a network namespace');
    const k = new Kernel({ cpus: 2 });
    k.setNetwork(s.network!);
    for (const target of ['tcp', 'udp', 'unix', 'netlink', 'ipv6_route']) {
      assert.ok(walk(k, target).filter((v) => v.sk !== 0n).length >= 2, target);
    }
  });

  it('scenario network section: addresses, states and peers are checked with their JSON path', () => {
    const bad = parseScenario(JSON.stringify({ network: { sockets: [
      { protocol: 'tcp', state: 'listen', local: '300.0.0.1:22' },
      { protocol: 'tcp', state: 'established', local: '127.0.0.1:1' },
      { protocol: 'udp', local: '127.0.0.1:2', state: 'listen' },
      { protocol: 'unix', peer: 0 },
    ], ipv6_routes: [{ dst: '2001:db8::/200' }] } }), 's.json');
    assert.strictEqual(bad.scenario, null);
    assert.deepStrictEqual(bad.problems.map((p) => p.path), ['/network/sockets/0/local', '/network/sockets/1', '/network/sockets/2/state', '/network/sockets/3/peer', '/network/ipv6_routes/0/dst']);
    const unknownField = parseScenario(JSON.stringify({ network: { sockets: [{ protocol: 'tcp', local: '127.0.0.1:1', colour: 'red' }] } }), 's.json');
    assert.strictEqual(unknownField.scenario, null);
    const good = parseScenario(JSON.stringify({ network: { sockets: [{ protocol: 'tcp', state: 'listen', local: '[::]:22' }] } }), 's.json');
    assert.deepStrictEqual(good.problems, []);
    assert.strictEqual(good.scenario!.network!.sockets.length, 1);
  });
});
