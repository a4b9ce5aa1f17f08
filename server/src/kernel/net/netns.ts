/**
 * The reader's network namespace: its TCP, UDP, unix and netlink sockets and its IPv6 routes, each a kernel
 * object in simulated memory laid out from this kernel's BTF (layout.ts), kept in the hash tables the
 * socket iterators walk (tcp_ipv4.c, udp.c, af_unix.c, af_netlink.c, ip6_fib.c) so they come out in the
 * kernel's bucket order.
 *
 * Hash seeds that are random on a real kernel (net_hash_mix(), inet_ehash_secret, the rhashtable seed) are
 * fixed numbers of the scenario: the order within a run is the kernel's for those seeds; a live kernel's order
 * differs from run to run, so differential tests compare sets of lines.
 */
import type { KernelMemory } from '../memory';
import { be32Value, htons, isV4Mapped, parseEndpoint, parsePrefix6, type Endpoint } from './addr';
import { fieldAt, KObject, structSize } from './layout';

// include/net/tcp_states.h
export const TCP_STATE: Readonly<Record<string, number>> = {
  established: 1, syn_sent: 2, syn_recv: 3, fin_wait1: 4, fin_wait2: 5, time_wait: 6, close: 7, close_wait: 8,
  last_ack: 9, listen: 10, closing: 11, new_syn_recv: 12,
};
export const AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16;
export const IPPROTO_TCP = 6, IPPROTO_UDP = 17;
export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5, SOCK_RAW = 3;
/** socket_state of include/uapi/linux/net.h */
const SS_UNCONNECTED = 1, SS_CONNECTED = 3;
/** LOOPBACK4_IPV6 (include/net/ipv6.h): htonl(127.0.0.6) as the __be32 field holds it */
const LOOPBACK4_IPV6 = be32Value(Uint8Array.of(127, 0, 0, 6));
/** net.core.rmem_default and wmem_default (SK_RMEM_MAX, SK_WMEM_MAX on 64-bit): what sock_init_data() gives a socket */
const SYSCTL_MEM_DEFAULT = 212992;
/** listen()'s backlog bound and default (net.core.somaxconn) */
const SOMAXCONN = 4096;
/** net.unix.max_dgram_qlen's default: a unix socket's sk_max_ack_backlog until listen() */
const UNIX_MAX_DGRAM_QLEN = 10;
/** rtnetlink's RTPROT_KERNEL: the protocol of the routes the kernel makes itself (fib6_null_entry_template) */
const RTPROT_KERNEL = 2;

/** Table sizes of this machine (dmesg: "TCP established hash table entries: 262144" ...). */
export const LHASH2_MASK = 16383;
export const EHASH_MASK = 262143;
export const UDP_HASH_MASK = 16383;
/** UNIX_HASH_SIZE (256): pathname and unbound sockets in 0..255, abstract ones in 256..511 */
export const UNIX_HASH_MOD = 255;
/** nl_table[] has MAX_LINKS protocols; each a rhashtable, modelled with this many buckets */
export const MAX_LINKS = 32;
const NETLINK_BUCKETS = 16;

// ------------------------------------------------------------------ what a scenario describes (already checked)

export interface InetSocketSpec {
  protocol: 'tcp' | 'udp';
  /** tcp: a TCP_STATE name; udp: "close" (bound) or "established" (connected) */
  state: string;
  local: string;
  remote?: string;
  uid: number;
  inode: number;
  rxQueue?: number;
  txQueue?: number;
  srttUs?: number;
  sndCwnd?: number;
  /** listen(): the accept queue bound (sk_max_ack_backlog) */
  backlog?: number;
  retransmits?: number;
}
export interface UnixSocketSpec {
  protocol: 'unix';
  type: 'stream' | 'dgram' | 'seqpacket';
  /** "listen", "established" (connected) or "close" (unconnected) */
  state: string;
  /** a file system path, "@name" for an abstract name, absent for an unbound socket */
  path?: string;
  /** index (in the scenario's socket list) of the connected peer */
  peer?: number;
  /** listen(): the accept queue bound (sk_max_ack_backlog) */
  backlog?: number;
  uid: number;
  inode: number;
}
export interface NetlinkSocketSpec {
  protocol: 'netlink';
  family: number;
  portid: number;
  /** multicast groups bitmap (first 32 groups) */
  groups: number;
  dstPortid?: number;
  uid: number;
  inode: number;
}
export type SocketSpec = InetSocketSpec | UnixSocketSpec | NetlinkSocketSpec;

export interface Ipv6RouteSpec {
  dst: string;
  /** routing table id (254 main, 255 local) */
  table: number;
  metric: number;
  flags: number;
  dev: string;
  gateway?: string;
  protocol: number;
  type: number;
}

export interface NetSpec {
  /** net_hash_mix() of this namespace (random per namespace on a real kernel) */
  hashMix: number;
  /** inet_ehash_secret (random per boot) */
  ehashSecret: number;
  sockets: SocketSpec[];
  ipv6Routes: Ipv6RouteSpec[];
  /** network devices by name (ifindex in order, lo is 1) */
  devices: string[];
}

// ------------------------------------------------------------------ simulated objects

export type SockKind = 'tcp' | 'tcp_tw' | 'tcp_req' | 'udp' | 'unix' | 'netlink';

export interface SimSock {
  kind: SockKind;
  /** the object programs see (struct tcp_sock, inet_timewait_sock, request_sock, udp_sock, unix_sock, netlink_sock) */
  obj: KObject;
  family: number;
  protocol: number;
  type: number;
  state: number;
  uid: number;
  /** sk_unhashed(): bpf_sock_destroy() took it out of its table */
  unhashed: boolean;
  /** the scenario entry it came from (-1 for the kernel's own sockets) */
  index: number;
  /** for a request sock, the listener it belongs to (uid comes from it) */
  listener?: SimSock;
}

export interface SimRoute { obj: KObject; table: number; addr: Uint8Array; plen: number }

/** An ordered hash table: bucket number -> objects, newest first (hlist add-head). */
export class BucketTable<T> {
  private readonly buckets = new Map<number, T[]>();
  private sortedKeys: number[] | null = null;
  constructor(readonly size: number) {}
  addHead(bucket: number, obj: T): void {
    const list = this.buckets.get(bucket);
    if (list) list.unshift(obj); else { this.buckets.set(bucket, [obj]); this.sortedKeys = null; }
  }
  remove(bucket: number, obj: T): void {
    const list = this.buckets.get(bucket);
    const i = list ? list.indexOf(obj) : -1;
    if (i >= 0) list!.splice(i, 1);
  }
  /** the first bucket >= from that holds anything, or -1 */
  nextBucket(from: number): number {
    if (!this.sortedKeys) this.sortedKeys = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const k of this.sortedKeys) if (k >= from && (this.buckets.get(k)?.length ?? 0) > 0) return k;
    return -1;
  }
  bucket(n: number): readonly T[] { return this.buckets.get(n) ?? []; }
}

// ------------------------------------------------------------------ hashes (include/linux/jhash.h)

function rol32(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }
/** __jhash_final() */
function jhashFinal(a: number, b: number, c: number): number {
  c ^= b; c = (c - rol32(b, 14)) >>> 0;
  a ^= c; a = (a - rol32(c, 11)) >>> 0;
  b ^= a; b = (b - rol32(a, 25)) >>> 0;
  c ^= b; c = (c - rol32(b, 16)) >>> 0;
  a ^= c; a = (a - rol32(c, 4)) >>> 0;
  b ^= a; b = (b - rol32(a, 14)) >>> 0;
  c ^= b; c = (c - rol32(b, 24)) >>> 0;
  return c >>> 0;
}
const JHASH_INITVAL = 0xdeadbeef;
/** jhash_3words() / jhash_1word(): __jhash_nwords() with the word count folded into the initval */
export function jhashWords(words: number[], initval: number): number {
  const iv = (initval + JHASH_INITVAL + (words.length << 2)) >>> 0;
  return jhashFinal((words[0] ?? 0) + iv >>> 0, (words[1] ?? 0) + iv >>> 0, (words[2] ?? 0) + iv >>> 0);
}
/** jhash2() over k u32 words */
function jhash2Words(k: number[], initval: number): number {
  let a = (JHASH_INITVAL + (k.length << 2) + initval) >>> 0, b = a, c = a;
  let i = 0;
  let len = k.length;
  while (len > 3) {
    a = (a + k[i]) >>> 0; b = (b + k[i + 1]) >>> 0; c = (c + k[i + 2]) >>> 0;
    // __jhash_mix()
    a = (a - c) >>> 0; a ^= rol32(c, 4); c = (c + b) >>> 0;
    b = (b - a) >>> 0; b ^= rol32(a, 6); a = (a + c) >>> 0;
    c = (c - b) >>> 0; c ^= rol32(b, 8); b = (b + a) >>> 0;
    a = (a - c) >>> 0; a ^= rol32(c, 16); c = (c + b) >>> 0;
    b = (b - a) >>> 0; b ^= rol32(a, 19); a = (a + c) >>> 0;
    c = (c - b) >>> 0; c ^= rol32(b, 4); b = (b + a) >>> 0;
    a >>>= 0; b >>>= 0; c >>>= 0;
    len -= 3; i += 3;
  }
  if (len === 0) return c;
  if (len >= 3) c = (c + k[i + 2]) >>> 0;
  if (len >= 2) b = (b + k[i + 1]) >>> 0;
  a = (a + k[i]) >>> 0;
  return jhashFinal(a, b, c);
}

/** mirrors ipv4_portaddr_hash() / ipv6_portaddr_hash(): the lhash2 and UDP hash2 key */
export function portaddrHash(ep: Endpoint, hashMix: number): number {
  if (ep.family === 'inet') return (jhashWords([be32Value(ep.addr)], hashMix) ^ ep.port) >>> 0;
  if (ep.addr.every((b) => b === 0)) return (jhashWords([0], hashMix) ^ ep.port) >>> 0;
  if (isV4Mapped(ep.addr)) return (jhashWords([be32Value(ep.addr, 12)], hashMix) ^ ep.port) >>> 0;
  const words = [0, 4, 8, 12].map((o) => be32Value(ep.addr, o));
  return (jhash2Words(words, hashMix) ^ ep.port) >>> 0;
}

/** mirrors inet_ehashfn() / inet6_ehashfn(): the established-table hash */
export function ehashFn(local: Endpoint, remote: Endpoint, secret: number, hashMix: number): number {
  const ports = ((local.port << 16) | htons(remote.port)) >>> 0;
  const seed = (secret + hashMix) >>> 0;
  if (local.family === 'inet') return jhashWords([be32Value(local.addr), be32Value(remote.addr), ports], seed);
  const lhash = be32Value(local.addr, 12);
  const fhash = jhash2Words([0, 4, 8, 12].map((o) => be32Value(remote.addr, o)), seed);
  return jhashWords([lhash, fhash, ports], seed);
}

/** csum_fold(csum_partial(buf, len, 0)): the 16-bit one's complement checksum, inverted */
function csumFold(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += bytes[i] | ((bytes[i + 1] ?? 0) << 8);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ------------------------------------------------------------------ the namespace

const NETNS_INUM = 4026531840; // proc_alloc_inum() of init_net (PROC_NET_INIT_INO)
/** The netlink sockets the kernel opens in every namespace (rtnetlink, sock_diag, xfrm, audit, fib_lookup,
 * netfilter, uevent, generic), as a fresh `unshare --net` shows them. */
export const KERNEL_NETLINK_PROTOCOLS = [0, 4, 6, 9, 10, 12, 15, 16];

/**
 * nl_table[protocol].groups: what the protocol's kernel socket asked for, at least 32 (__netlink_kernel_create());
 * rtnetlink asks for RTNLGRP_MAX (39 on 6.18, measured). Generic netlink grows its count as families register
 * multicast groups (netlink_change_ngroups()), which depends on the machine: 32 here.
 */
function netlinkTableGroups(protocol: number): number {
  const NETLINK_ROUTE = 0, RTNLGRP_MAX = 39;
  return protocol === NETLINK_ROUTE ? RTNLGRP_MAX : 32;
}

export class NetNamespace {
  readonly net: KObject;
  readonly lhash2 = new BucketTable<SimSock>(LHASH2_MASK + 1);
  readonly ehash = new BucketTable<SimSock>(EHASH_MASK + 1);
  readonly udpHash2 = new BucketTable<SimSock>(UDP_HASH_MASK + 1);
  readonly unixTable = new BucketTable<SimSock>(2 * (UNIX_HASH_MOD + 1));
  /** nl_table[protocol]: bucket = protocol * NETLINK_BUCKETS + rhashtable bucket */
  readonly netlinkTable = new BucketTable<SimSock>(MAX_LINKS * NETLINK_BUCKETS);
  /** every socket in creation order, and by the address programs see */
  readonly sockets: SimSock[] = [];
  private readonly byAddr = new Map<bigint, SimSock>();
  /** IPv6 routes in the ipv6_route walk order */
  readonly routes: SimRoute[] = [];
  private readonly devices = new Map<string, KObject>();
  private cookie = 1n;
  private readonly bucketOf = new Map<SimSock, [BucketTable<SimSock>, number]>();

  constructor(private readonly memory: KernelMemory, readonly spec: NetSpec) {
    this.net = KObject.alloc(memory, 'net', 'struct net (the reader\'s network namespace)');
    this.net.set('hash_mix', spec.hashMix).set('ns.inum', NETNS_INUM + 8);
    spec.devices.forEach((name, i) => this.device(name, i + 1));
    for (const protocol of KERNEL_NETLINK_PROTOCOLS) this.addNetlink({ protocol: 'netlink', family: protocol, portid: 0, groups: 0, uid: 0, inode: 0 }, -1);
    const made: Array<SimSock | null> = [];
    spec.sockets.forEach((s, i) => made.push(this.addSocket(s, i, made)));
    // unix peers may name a socket defined later
    spec.sockets.forEach((s, i) => {
      if (s.protocol === 'unix' && s.peer !== undefined && made[i] && made[s.peer]) made[i]!.obj.set('peer', made[s.peer]!.obj.addr);
    });
    this.buildRoutes(spec.ipv6Routes);
  }

  /** The socket whose object starts at addr (what a bpf_skc_to_*() cast looks at), or undefined. */
  socketAt(addr: bigint): SimSock | undefined { return this.byAddr.get(addr); }
  /**
   * The name of the proto a socket file's sock was created with (sk->sk_prot_creator->name), which sock_alloc_file()
   * gives its dentry: TCP, TCPv6, UDP, UDPv6, UNIX-STREAM, UNIX (dgram and seqpacket), NETLINK; undefined for an inode
   * no socket of this namespace has.
   */
  protocolNameByInode(ino: number): string | undefined {
    if (ino === 0) return undefined;
    const sock = this.sockets.find((x) => x.index >= 0 && this.spec.sockets[x.index]?.inode === ino);
    if (!sock) return undefined;
    switch (sock.kind) {
      case 'tcp': return sock.family === AF_INET6 ? 'TCPv6' : 'TCP';
      case 'udp': return sock.family === AF_INET6 ? 'UDPv6' : 'UDP';
      case 'unix': return sock.type === SOCK_STREAM ? 'UNIX-STREAM' : 'UNIX';
      case 'netlink': return 'NETLINK';
      default: return undefined;
    }
  }

  /** The struct socket of the socket file with this inode number (`socket:[ino]`), or 0n when none is here. */
  socketByInode(ino: number): bigint { return this.socketsByInode.get(ino) ?? 0n; }
  private readonly socketsByInode = new Map<number, bigint>();

  /** sk_fullsock(): not a time-wait or request mini socket */
  static fullSock(s: SimSock): boolean { return s.kind !== 'tcp_tw' && s.kind !== 'tcp_req'; }

  /** bpf_sock_destroy() -> tcp_abort()/udp_abort(): the socket is closed and leaves its hash table */
  destroy(s: SimSock): void {
    if (s.unhashed) return;
    s.unhashed = true;
    s.state = TCP_STATE.close;
    s.obj.set(s.kind === 'tcp' ? 'inet_conn.icsk_inet.sk.__sk_common.skc_state' : 'inet.sk.__sk_common.skc_state', TCP_STATE.close);
    const where = this.bucketOf.get(s);
    if (where) where[0].remove(where[1], s);
  }

  private device(name: string, ifindex: number): KObject {
    let d = this.devices.get(name);
    if (!d) {
      d = KObject.alloc(this.memory, 'net_device', `struct net_device ${name}`);
      d.setBytes('name', new TextEncoder().encode(name.slice(0, 15))).set('ifindex', ifindex);
      this.devices.set(name, d);
    }
    return d;
  }

  private register(s: SimSock, table: BucketTable<SimSock>, bucket: number): SimSock {
    table.addHead(bucket, s);
    this.bucketOf.set(s, [table, bucket]);
    this.sockets.push(s);
    this.byAddr.set(s.obj.addr, s);
    return s;
  }

  /** struct socket + its inode (struct socket_alloc), as sock_alloc() makes them */
  private socketInode(sk: KObject, skPath: string, type: number, connected: boolean, inode: number, uid: number): void {
    const sa = KObject.alloc(this.memory, 'socket_alloc', `struct socket_alloc (inode ${inode})`);
    sa.set('socket.state', connected ? SS_CONNECTED : SS_UNCONNECTED).set('socket.type', type).set('socket.sk', sk.addr)
      .set('vfs_inode.i_ino', inode).set('vfs_inode.i_uid', uid).set('vfs_inode.i_mode', 0o140777);
    sk.set(`${skPath}.sk_socket`, sa.addr);
    if (inode !== 0) this.socketsByInode.set(inode, sa.addr);
  }

  /**
   * the struct sock fields every full socket has; sk_wmem_alloc starts at 1 (mirrors sk_alloc(): one reference until
   * sk_free()). The buffers: sock_init_data() gives every socket net.core.rmem_default and wmem_default (212992 each,
   * measured on 6.18 for UDP, unix and netlink sockets); tcp_init_sock() then sets a TCP socket's to tcp_rmem[1] and
   * tcp_wmem[1] (131072, 16384).
   */
  private fillSock(o: KObject, sk: string, family: number, state: number, type: number, protocol: number, uid: number): void {
    const tcp = protocol === IPPROTO_TCP && (family === AF_INET || family === AF_INET6);
    o.set(`${sk}.__sk_common.skc_family`, family).set(`${sk}.__sk_common.skc_state`, state)
      .set(`${sk}.__sk_common.skc_net`, this.net.addr).set(`${sk}.__sk_common.skc_refcnt`, 2)
      .set(`${sk}.__sk_common.skc_cookie`, this.cookie++)
      .set(`${sk}.sk_type`, type).set(`${sk}.sk_protocol`, protocol).set(`${sk}.sk_uid`, uid)
      .set(`${sk}.sk_rcvbuf`, tcp ? 131072 : SYSCTL_MEM_DEFAULT).set(`${sk}.sk_sndbuf`, tcp ? 16384 : SYSCTL_MEM_DEFAULT)
      .set(`${sk}.sk_wmem_alloc`, 1);
  }

  /**
   * The listener an accepted connection came from: a listening TCP socket of the scenario on the connection's local
   * port and family, bound to its address or to the any address.
   */
  private listenerOf(local: Endpoint): InetSocketSpec | undefined {
    return this.spec.sockets.find((p): p is InetSocketSpec => {
      if (p.protocol !== 'tcp' || p.state !== 'listen') return false;
      const l = parseEndpoint(p.local);
      return l !== undefined && l !== null && l.family === local.family && l.port === local.port
        && (l.addr.every((b) => b === 0) || l.addr.every((b, i) => b === local.addr[i]));
    });
  }

  private fillAddrs(o: KObject, common: string, local: Endpoint, remote: Endpoint): void {
    if (local.family === 'inet') {
      o.set(`${common}.skc_rcv_saddr`, be32Value(local.addr)).set(`${common}.skc_daddr`, be32Value(remote.addr));
    } else {
      o.setBytes(`${common}.skc_v6_rcv_saddr`, local.addr).setBytes(`${common}.skc_v6_daddr`, remote.addr);
      // a v4-mapped IPv6 socket keeps the IPv4 addresses in the v4 fields too
      if (isV4Mapped(local.addr)) o.set(`${common}.skc_rcv_saddr`, be32Value(local.addr, 12));
      // mirrors __inet6_bind(), tcp_v6_connect() and tcp_v6_syn_recv_sock(): an IPv6 address with no IPv4 equivalent
      // leaves LOOPBACK4_IPV6 (127.0.0.6) in the IPv4 source field (measured on 6.18: [::1] listener, client and
      // accepted socket)
      else if (local.addr.some((b) => b !== 0)) o.set(`${common}.skc_rcv_saddr`, LOOPBACK4_IPV6);
      if (isV4Mapped(remote.addr)) o.set(`${common}.skc_daddr`, be32Value(remote.addr, 12));
    }
    o.set(`${common}.skc_num`, local.port).set(`${common}.skc_dport`, htons(remote.port));
    // mirrors __inet6_bind(): an IPv6 socket bound to an address that is neither :: nor v4-mapped is IPv6-only
    if (local.family === 'inet6' && !isV4Mapped(local.addr) && local.addr.some((b) => b !== 0)) o.set(`${common}.skc_ipv6only`, 1);
  }

  private addSocket(s: SocketSpec, index: number, made: Array<SimSock | null>): SimSock | null {
    switch (s.protocol) {
      case 'tcp': return this.addTcp(s, index, made);
      case 'udp': return this.addUdp(s, index);
      case 'unix': return this.addUnix(s, index);
      case 'netlink': return this.addNetlink(s, index);
    }
  }

  private endpoints(s: InetSocketSpec): [Endpoint, Endpoint] {
    const local = parseEndpoint(s.local)!;
    const remote = s.remote ? parseEndpoint(s.remote)! : { family: local.family, addr: new Uint8Array(local.family === 'inet' ? 4 : 16), port: 0 };
    return [local, remote];
  }

  /**
   * A time-wait sock's tw_substate: FIN_WAIT2 when the scenario lists its peer (the reverse four-tuple) in close_wait,
   * a connection closed by this side only, whose ACKed FIN turned the orphaned socket into a time-wait sock
   * (mirrors tcp_rcv_state_process()'s TCP_FIN_WAIT1 case calling tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)); else
   * TIME_WAIT (both sides closed).
   */
  private timeWaitSubstate(s: InetSocketSpec): number {
    const [local, remote] = this.endpoints(s);
    const same = (a: Endpoint, b: Endpoint) => a.family === b.family && a.port === b.port && a.addr.every((x, i) => x === b.addr[i]);
    const halfClosed = this.spec.sockets.some((p) => p.protocol === 'tcp' && p.state === 'close_wait' && p.remote !== undefined
      && same(parseEndpoint(p.local)!, remote) && same(parseEndpoint(p.remote)!, local));
    return halfClosed ? TCP_STATE.fin_wait2 : TCP_STATE.time_wait;
  }

  private addTcp(s: InetSocketSpec, index: number, made: Array<SimSock | null>): SimSock {
    const [local, remote] = this.endpoints(s);
    const family = local.family === 'inet' ? AF_INET : AF_INET6;
    const state = TCP_STATE[s.state];
    const mix = this.spec.hashMix;
    if (state === TCP_STATE.time_wait) {
      // inet_twsk_alloc(): the mini socket that replaces a closed connection in its ehash bucket
      const o = KObject.alloc(this.memory, 'inet_timewait_sock', `struct inet_timewait_sock ${s.local}`);
      this.fillAddrs(o, '__tw_common', local, remote);
      o.set('__tw_common.skc_family', family).set('__tw_common.skc_state', state).set('__tw_common.skc_net', this.net.addr)
        .set('__tw_common.skc_refcnt', 1).set('__tw_common.skc_cookie', this.cookie++).set('tw_substate', this.timeWaitSubstate(s))
        .set('tw_sport', htons(local.port));
      const sock: SimSock = { kind: 'tcp_tw', obj: o, family, protocol: IPPROTO_TCP, type: SOCK_STREAM, state, uid: 0, unhashed: false, index };
      return this.register(sock, this.ehash, ehashFn(local, remote, this.spec.ehashSecret, mix) & EHASH_MASK);
    }
    if (state === TCP_STATE.new_syn_recv) {
      // inet_reqsk_alloc(): a request sock in the ehash, pointing at its listener
      const o = KObject.alloc(this.memory, 'tcp_request_sock', `struct tcp_request_sock ${s.local}`);
      this.fillAddrs(o, 'req.req.__req_common', local, remote);
      o.set('req.req.__req_common.skc_family', family).set('req.req.__req_common.skc_state', state)
        .set('req.req.__req_common.skc_net', this.net.addr).set('req.req.__req_common.skc_refcnt', 1)
        .set('req.req.__req_common.skc_cookie', this.cookie++);
      const listener = made.find((m) => m && m.kind === 'tcp' && m.state === TCP_STATE.listen && Number(m.obj.get('inet_conn.icsk_inet.sk.__sk_common.skc_num')) === local.port) ?? undefined;
      if (listener) o.set('req.req.__req_common.skc_listener', listener.obj.addr);
      const sock: SimSock = { kind: 'tcp_req', obj: o, family, protocol: IPPROTO_TCP, type: SOCK_STREAM, state, uid: listener?.uid ?? 0, unhashed: false, index, listener };
      return this.register(sock, this.ehash, ehashFn(local, remote, this.spec.ehashSecret, mix) & EHASH_MASK);
    }
    // an IPv6 socket is a struct tcp6_sock: its tcp_sock first, then the ipv6_pinfo inet_sk(sk)->pinet6 points at
    const o = KObject.alloc(this.memory, 'tcp_sock', `struct tcp_sock ${s.local}${s.remote ? ' ' + s.remote : ''}`,
      family === AF_INET6 ? structSize('tcp6_sock') - structSize('tcp_sock') : 0);
    const sk = 'inet_conn.icsk_inet.sk';
    this.fillSock(o, sk, family, state, SOCK_STREAM, IPPROTO_TCP, s.uid);
    this.fillAddrs(o, `${sk}.__sk_common`, local, remote);
    o.set('inet_conn.icsk_inet.inet_sport', htons(local.port));
    if (local.family === 'inet') o.set('inet_conn.icsk_inet.inet_saddr', be32Value(local.addr));
    else if (!isV4Mapped(local.addr) && local.addr.some((b) => b !== 0)) o.set('inet_conn.icsk_inet.inet_saddr', LOOPBACK4_IPV6);
    if (family === AF_INET6) o.set('inet_conn.icsk_inet.pinet6', o.addr + BigInt(fieldOffsetInet6('tcp6_sock')));
    this.socketInode(o, sk, SOCK_STREAM, state !== TCP_STATE.listen && state !== TCP_STATE.close, s.inode, s.uid);
    const rx = s.rxQueue ?? 0, tx = s.txQueue ?? 0;
    const isn = 0x1000 + index * 0x100000;
    // the peer's FIN takes one sequence number (close_wait, last_ack, closing: ss shows Recv-Q 1), as does an own FIN
    // not acknowledged yet (fin_wait1, closing, last_ack)
    const finIn = state === TCP_STATE.close_wait || state === TCP_STATE.last_ack || state === TCP_STATE.closing ? 1 : 0;
    const finOut = state === TCP_STATE.fin_wait1 || state === TCP_STATE.closing || state === TCP_STATE.last_ack ? 1 : 0;
    o.set('copied_seq', isn).set('rcv_nxt', isn + (state === TCP_STATE.listen ? 0 : rx + finIn))
      .set('snd_una', isn).set('write_seq', isn + tx + finOut)
      .set('srtt_us', (s.srttUs ?? (state === TCP_STATE.listen ? 0 : 50)) << 3)
      .set('snd_cwnd', s.sndCwnd ?? 10).set('mss_cache', local.family === 'inet' ? 65483 : 65464)
      .set('inet_conn.icsk_rto', 200).set('inet_conn.icsk_retransmits', s.retransmits ?? 0);
    // mirrors sk_clone_lock(): an accepted connection is a copy of its listener, sk_max_ack_backlog included
    // (measured on 6.18: the connections accepted from listen(fd, 5) show 5)
    const listener = state === TCP_STATE.listen ? undefined : this.listenerOf(local);
    if (listener) o.set(`${sk}.sk_max_ack_backlog`, listener.backlog ?? SOMAXCONN);
    // mirrors tcp_v6_syn_recv_sock(): an IPv6 connection accepted on an address with no IPv4 equivalent has
    // LOOPBACK4_IPV6 as its IPv4 peer too (measured on 6.18: the [::1]:8443 side 127.0.0.6, the client's 0)
    if (listener && local.family === 'inet6' && !isV4Mapped(local.addr) && local.addr.some((b) => b !== 0)) o.set(`${sk}.__sk_common.skc_daddr`, LOOPBACK4_IPV6);
    if (state === TCP_STATE.listen) {
      o.set(`${sk}.sk_ack_backlog`, rx).set(`${sk}.sk_max_ack_backlog`, s.backlog ?? SOMAXCONN);
      const sock: SimSock = { kind: 'tcp', obj: o, family, protocol: IPPROTO_TCP, type: SOCK_STREAM, state, uid: s.uid, unhashed: false, index };
      return this.register(sock, this.lhash2, portaddrHash(local, mix) & LHASH2_MASK);
    }
    const sock: SimSock = { kind: 'tcp', obj: o, family, protocol: IPPROTO_TCP, type: SOCK_STREAM, state, uid: s.uid, unhashed: false, index };
    return this.register(sock, this.ehash, ehashFn(local, remote, this.spec.ehashSecret, mix) & EHASH_MASK);
  }

  private addUdp(s: InetSocketSpec, index: number): SimSock {
    const [local, remote] = this.endpoints(s);
    const family = local.family === 'inet' ? AF_INET : AF_INET6;
    const state = s.state === 'established' ? TCP_STATE.established : TCP_STATE.close;
    const o = KObject.alloc(this.memory, 'udp_sock', `struct udp_sock ${s.local}`,
      family === AF_INET6 ? structSize('udp6_sock') - structSize('udp_sock') : 0);
    this.fillSock(o, 'inet.sk', family, state, SOCK_DGRAM, IPPROTO_UDP, s.uid);
    this.fillAddrs(o, 'inet.sk.__sk_common', local, remote);
    o.set('inet.inet_sport', htons(local.port));
    if (local.family === 'inet') o.set('inet.inet_saddr', be32Value(local.addr));
    else if (!isV4Mapped(local.addr) && local.addr.some((b) => b !== 0)) o.set('inet.inet_saddr', LOOPBACK4_IPV6);
    if (family === AF_INET6) o.set('inet.pinet6', o.addr + BigInt(fieldOffsetInet6('udp6_sock')));
    this.socketInode(o, 'inet.sk', SOCK_DGRAM, state === TCP_STATE.established, s.inode, s.uid);
    const sock: SimSock = { kind: 'udp', obj: o, family, protocol: IPPROTO_UDP, type: SOCK_DGRAM, state, uid: s.uid, unhashed: false, index };
    // udp_lib_get_port() puts the socket in hash2 by (address, port): the table the iterator walks
    return this.register(sock, this.udpHash2, portaddrHash(local, this.spec.hashMix) & UDP_HASH_MASK);
  }

  private addUnix(s: UnixSocketSpec, index: number): SimSock {
    const type = s.type === 'stream' ? SOCK_STREAM : s.type === 'dgram' ? SOCK_DGRAM : SOCK_SEQPACKET;
    const state = TCP_STATE[s.state] ?? TCP_STATE.close;
    const o = KObject.alloc(this.memory, 'unix_sock', `struct unix_sock ${s.path ?? '(unbound)'}`);
    this.fillSock(o, 'sk', AF_UNIX, state, type, 0, s.uid);
    // mirrors unix_create1(): sk_max_ack_backlog = net.unix.max_dgram_qlen (10); listen() sets the backlog
    o.set('sk.sk_max_ack_backlog', state === TCP_STATE.listen ? s.backlog ?? SOMAXCONN : UNIX_MAX_DGRAM_QLEN);
    this.socketInode(o, 'sk', type, state === TCP_STATE.established, s.inode, s.uid);
    let bucket: number;
    if (s.path !== undefined) {
      // unix_address: refcnt, len (sizeof(sun_family) + the name's bytes), struct sockaddr_un name[]
      const abstract = s.path.startsWith('@');
      const name = new TextEncoder().encode(abstract ? s.path.slice(1) : s.path);
      const pathBytes = new Uint8Array(abstract ? name.length + 1 : name.length + 1);
      pathBytes.set(name, abstract ? 1 : 0);
      // a pathname's length counts its NUL (unix_mkname_bsd()); an abstract name has none
      const len = 2 + (abstract ? name.length + 1 : name.length + 1);
      // the kernel allocates sizeof(*addr) + len; here the whole struct sockaddr_un follows, zero past the name, so a
      // %s of an abstract name (which has no NUL of its own) stops at its end instead of at a neighbour's bytes
      const a = KObject.alloc(this.memory, 'unix_address', `struct unix_address ${s.path}`, Math.max(110, 2 + pathBytes.length));
      a.set('refcnt', 1).set('len', len);
      a.region.view.setUint16(8, AF_UNIX, true);
      a.region.bytes.set(pathBytes, 10);
      o.set('addr', a.addr);
      if (abstract) {
        // unix_abstract_hash(): the checksum of the address, folded, xor the type, in the upper half
        const addrBytes = new Uint8Array(len);
        new DataView(addrBytes.buffer).setUint16(0, AF_UNIX, true);
        addrBytes.set(pathBytes.subarray(0, len - 2), 2);
        let h = csumFold(addrBytes);
        h ^= h >>> 8;
        h ^= type;
        bucket = UNIX_HASH_MOD + 1 + (h & UNIX_HASH_MOD);
      } else {
        bucket = s.inode & UNIX_HASH_MOD;  // unix_bsd_hash(): the inode number of the socket file
      }
    } else {
      // unix_unbound_hash(): the socket's address folded, xor its type
      let h = Number(o.addr & 0xffffffffn);
      h = (h ^ (h >>> 16)) >>> 0;
      h = (h ^ (h >>> 8)) >>> 0;
      h ^= type;
      bucket = h & UNIX_HASH_MOD;
    }
    const sock: SimSock = { kind: 'unix', obj: o, family: AF_UNIX, protocol: 0, type, state, uid: s.uid, unhashed: false, index };
    return this.register(sock, this.unixTable, bucket);
  }

  private addNetlink(s: NetlinkSocketSpec, index: number): SimSock {
    const o = KObject.alloc(this.memory, 'netlink_sock', `struct netlink_sock protocol ${s.family} portid ${s.portid}`);
    const kernelSock = index < 0;
    this.fillSock(o, 'sk', AF_NETLINK, 7, SOCK_RAW, s.family, s.uid);
    if (!kernelSock) this.socketInode(o, 'sk', SOCK_RAW, false, s.inode, s.uid);
    // mirrors netlink_realloc_groups(): a socket that joins groups gets ngroups = nl_table[protocol].groups, others 0
    o.set('portid', s.portid).set('dst_portid', s.dstPortid ?? 0).set('ngroups', s.groups !== 0 ? netlinkTableGroups(s.family) : 0)
      .set('subscriptions', popcount(s.groups));
    if (s.groups !== 0) {
      const g = this.memory.alloc(8, 'netlink groups bitmap', true);
      g.view.setUint32(0, s.groups >>> 0, true);
      o.set('groups', g.addr);
    }
    if (!kernelSock) o.set('bound', 1);
    // mirrors __netlink_kernel_create(): set_bit(NETLINK_F_KERNEL_SOCKET, &nlk->flags), bit 0
    else o.set('flags', 1);
    const sock: SimSock = { kind: 'netlink', obj: o, family: AF_NETLINK, protocol: s.family, type: SOCK_RAW, state: 7, uid: s.uid, unhashed: false, index };
    // nl_table[protocol].hash: an rhashtable keyed by (net, portid); the kernel socket was inserted first
    const bucket = s.family * NETLINK_BUCKETS + (jhashWords([s.portid], this.spec.hashMix) & (NETLINK_BUCKETS - 1));
    return this.register(sock, this.netlinkTable, bucket);
  }

  /**
   * The fib6 tables: fib_table_hash (256 buckets by tb6_id & 255), each table's tree walked as fib6_walk_continue()
   * does: a node's children before its own routes, the left (0 bit) child first; the root shows its default
   * route, or the null entry (no table, RTF_REJECT) when the table has none.
   */
  private buildRoutes(specs: Ipv6RouteSpec[]): void {
    const tables = new Map<number, KObject>();
    const tableObj = (id: number): KObject => {
      let t = tables.get(id);
      if (!t) { t = KObject.alloc(this.memory, 'fib6_table', `struct fib6_table ${id}`); t.set('tb6_id', id); tables.set(id, t); }
      return t;
    };
    tableObj(254); tableObj(255);   // fib6_tables_init(): main and local exist in every namespace
    for (const r of specs) tableObj(r.table);
    // mirrors fib6_null_entry_template: RTN_UNREACHABLE, RTF_REJECT | RTF_NONEXTHOP, RTPROT_KERNEL (measured on 6.18: proto 2)
    const nullEntry = this.routeObject(null, { addr: new Uint8Array(16), plen: 0 }, { metric: 0xffffffff, flags: 0x00200200, dev: 'lo', protocol: RTPROT_KERNEL, type: 7 });
    const ids = [...tables.keys()].sort((a, b) => ((a & 255) - (b & 255)) || (a - b));
    for (const id of ids) {
      const mine = specs.filter((r) => r.table === id).map((r) => ({ spec: r, prefix: parsePrefix6(r.dst)! }));
      mine.sort((a, b) => comparePostOrder(a.prefix, b.prefix));
      for (const { spec, prefix } of mine) {
        if (prefix.plen === 0) continue;
        this.routes.push({ obj: this.routeObject(tableObj(id), prefix, spec), table: id, ...prefix });
      }
      const dflt = mine.find((m) => m.prefix.plen === 0);
      if (dflt) this.routes.push({ obj: this.routeObject(tableObj(id), dflt.prefix, dflt.spec), table: id, ...dflt.prefix });
      else this.routes.push({ obj: nullEntry, table: 0, addr: new Uint8Array(16), plen: 0 });
    }
  }

  private routeObject(table: KObject | null, prefix: { addr: Uint8Array; plen: number },
    r: { metric: number; flags: number; dev: string; gateway?: string; protocol: number; type: number }): KObject {
    // struct fib6_info ends in fib6_nh[]: one nexthop follows it
    const o = KObject.alloc(this.memory, 'fib6_info', `struct fib6_info ${prefix.plen}`, 96);
    if (table) o.set('fib6_table', table.addr);
    o.setBytes('fib6_dst.addr', prefix.addr).set('fib6_dst.plen', prefix.plen).set('fib6_metric', r.metric)
      .set('fib6_flags', r.flags).set('fib6_protocol', r.protocol).set('fib6_type', r.type).set('fib6_ref', 1);
    const nh = new KObject(o.region, 'fib6_nh', o.region.bytes.length - 96);
    nh.set('nh_common.nhc_dev', this.device(r.dev, this.devices.size + 1).addr).set('nh_common.nhc_family', AF_INET6);
    if (r.gateway) {
      const gw = parsePrefix6(`${r.gateway}/128`);
      if (gw) { nh.setBytes('nh_common.nhc_gw', gw.addr).set('nh_common.nhc_gw_family', AF_INET6); }
    }
    return o;
  }
}

function popcount(x: number): number { let n = 0; for (x >>>= 0; x; x &= x - 1) n++; return n; }

/** where the ipv6_pinfo of a tcp6_sock/udp6_sock lives (inet_sk(sk)->pinet6 points at it) */
function fieldOffsetInet6(struct: 'tcp6_sock' | 'udp6_sock'): number { return fieldAt(struct, 'inet6').offset; }

/**
 * fib6 tree order of two prefixes of one table: a prefix's more specific routes (its subtree) come before it,
 * and between disjoint prefixes the one whose first differing bit is 0 comes first.
 */
function comparePostOrder(a: { addr: Uint8Array; plen: number }, b: { addr: Uint8Array; plen: number }): number {
  const common = Math.min(a.plen, b.plen);
  for (let bit = 0; bit < common; bit++) {
    const x = (a.addr[bit >> 3] >> (7 - (bit & 7))) & 1;
    const y = (b.addr[bit >> 3] >> (7 - (bit & 7))) & 1;
    if (x !== y) return x - y;
  }
  if (a.plen !== b.plen) return b.plen - a.plen;  // the longer (inside the other's subtree) first
  return 0;
}
