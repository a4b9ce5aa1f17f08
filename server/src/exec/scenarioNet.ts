/**
 * The "network" section of a scenario: the reader's network namespace the socket iterators (iter/tcp, udp, unix,
 * netlink, ipv6_route) walk. Its JSON Schema fragment (part of scenarioSchema.ts) and the conversion to the
 * kernel's NetSpec, with the checks a schema cannot make (addresses that parse, a peer that exists).
 */
import { parseEndpoint, parsePrefix6 } from '../kernel/net/addr';
import { TCP_STATE, type Ipv6RouteSpec, type NetSpec, type SocketSpec } from '../kernel/net/netns';
import type { ScenarioProblem } from './scenario';

/* eslint-disable */
export const networkSchema = {
  "type": "object",
  "additionalProperties": false,
  "description": "The reader's network namespace: the sockets iter/tcp, iter/udp, iter/unix and iter/netlink walk (in the kernel's hash-bucket order) and the IPv6 routes of iter/ipv6_route. The kernel's own netlink sockets (one per protocol) and the main/local route tables with their null entry exist without being listed.",
  "examples": [
    {
      "devices": ["lo", "eth0"],
      "sockets": [
        { "protocol": "tcp", "state": "listen", "local": "0.0.0.0:22", "uid": 0, "inode": 18231, "backlog": 128 },
        { "protocol": "tcp", "state": "established", "local": "10.0.2.15:22", "remote": "10.0.2.2:51234", "uid": 0, "inode": 21877, "srtt_us": 480, "tx_queue": 36 },
        { "protocol": "tcp", "state": "time_wait", "local": "10.0.2.15:40100", "remote": "93.184.216.34:443" },
        { "protocol": "udp", "local": "127.0.0.53:53", "uid": 101, "inode": 17001 },
        { "protocol": "unix", "type": "stream", "state": "listen", "path": "/run/systemd/private", "uid": 0, "inode": 13010 },
        { "protocol": "unix", "type": "dgram", "state": "close", "path": "@/org/kernel/udev/udevd", "uid": 0, "inode": 13011 },
        { "protocol": "netlink", "family": 0, "portid": 612, "groups": 1, "uid": 0, "inode": 15550 }
      ],
      "ipv6_routes": [
        { "dst": "::1/128", "table": 255, "dev": "lo", "type": "local" },
        { "dst": "fe80::/64", "table": 254, "dev": "eth0", "metric": 256 }
      ]
    }
  ],
  "properties": {
    "hash_mix": { "type": "integer", "minimum": 0, "maximum": 4294967295, "default": 0,
      "description": "net_hash_mix() of the namespace (random per namespace in the kernel): seeds the listening, UDP and netlink hash buckets, so it decides the walk order." },
    "ehash_secret": { "type": "integer", "minimum": 0, "maximum": 4294967295, "default": 0,
      "description": "inet_ehash_secret (random per boot): seeds the TCP established-table buckets." },
    "devices": { "type": "array", "items": { "type": "string", "maxLength": 15 }, "default": ["lo"],
      "description": "Network device names; ifindex follows this order (lo first)." },
    "sockets": { "type": "array", "items": { "$ref": "#/definitions/socket" },
      "description": "Sockets of the namespace, oldest first (a bucket lists its newest socket first)." },
    "ipv6_routes": { "type": "array", "items": { "$ref": "#/definitions/ipv6Route" } }
  }
};

export const networkDefinitions = {
  "socket": {
    "type": "object",
    "additionalProperties": false,
    "required": ["protocol"],
    "properties": {
      "protocol": { "enum": ["tcp", "udp", "unix", "netlink"] },
      "state": { "type": "string", "description": "tcp: established, syn_sent, syn_recv, fin_wait1, fin_wait2, time_wait, close, close_wait, last_ack, listen, closing or new_syn_recv (a request sock of a listener on the same port); udp: close (bound, the default) or established (connected); unix: listen, established (connected) or close (the default)." },
      "local": { "type": "string", "description": "tcp/udp: \"a.b.c.d:port\" or \"[ipv6]:port\"; the family follows the address." },
      "remote": { "type": "string", "description": "tcp/udp: the peer, same form; absent for listening and unconnected sockets." },
      "uid": { "type": "integer", "minimum": 0, "maximum": 4294967295, "default": 0, "description": "Owner (sock_i_uid(), ctx->uid)." },
      "inode": { "type": "integer", "minimum": 0, "default": 0, "description": "Inode number of the socket file (sock_i_ino())." },
      "rx_queue": { "type": "integer", "minimum": 0, "description": "tcp: bytes received not yet read (rcv_nxt - copied_seq); for a listener, the accept queue length." },
      "tx_queue": { "type": "integer", "minimum": 0, "description": "tcp: bytes sent not yet acknowledged (write_seq - snd_una)." },
      "srtt_us": { "type": "integer", "minimum": 0, "description": "tcp: smoothed RTT in microseconds (tcp_sock.srtt_us holds it << 3)." },
      "snd_cwnd": { "type": "integer", "minimum": 0 },
      "backlog": { "type": "integer", "minimum": 0, "description": "tcp and unix listen(): sk_max_ack_backlog (default 4096, net.core.somaxconn); a TCP connection accepted from the listener has the same (sk_clone_lock()), a unix socket that does not listen has 10 (net.unix.max_dgram_qlen)." },
      "retransmits": { "type": "integer", "minimum": 0, "maximum": 255 },
      "type": { "enum": ["stream", "dgram", "seqpacket"], "description": "unix: the socket type (default stream)." },
      "path": { "type": "string", "description": "unix: the bound path, \"@name\" for an abstract name; absent for unbound sockets." },
      "peer": { "type": "integer", "minimum": 0, "description": "unix: index in this list of the connected peer socket." },
      "family": { "type": "integer", "minimum": 0, "maximum": 31, "description": "netlink: the protocol (NETLINK_ROUTE 0, NETLINK_SOCK_DIAG 4, NETLINK_GENERIC 16...)." },
      "portid": { "type": "integer", "minimum": 0, "maximum": 4294967295, "description": "netlink: the bound port id (usually the owner's pid)." },
      "groups": { "type": "integer", "minimum": 0, "maximum": 4294967295, "description": "netlink: multicast groups 1..32 as a bitmap." },
      "dst_portid": { "type": "integer", "minimum": 0, "maximum": 4294967295 }
    }
  },
  "ipv6Route": {
    "type": "object",
    "additionalProperties": false,
    "required": ["dst"],
    "properties": {
      "dst": { "type": "string", "description": "The destination prefix, \"2001:db8::/64\"." },
      "table": { "type": "integer", "minimum": 1, "maximum": 4294967295, "default": 254, "description": "254 main, 255 local." },
      "dev": { "type": "string", "default": "lo" },
      "gateway": { "type": "string", "description": "The nexthop address (RTF_GATEWAY)." },
      "metric": { "type": "integer", "minimum": 0, "maximum": 4294967295, "description": "Default 0 for local routes, 1024 otherwise." },
      "flags": { "type": "integer", "minimum": 0, "maximum": 4294967295, "description": "fib6_flags; derived when absent: RTF_UP, RTF_GATEWAY with a gateway, RTF_LOCAL|RTF_NONEXTHOP for local routes." },
      "protocol": { "type": "integer", "minimum": 0, "maximum": 255, "description": "RTPROT_*: default 2 (kernel)." },
      "type": { "enum": ["unicast", "local"], "default": "unicast" }
    }
  }
};
/* eslint-enable */

export interface NetworkJson {
  hash_mix?: number; ehash_secret?: number; devices?: string[];
  sockets?: Array<Record<string, unknown>>;
  ipv6_routes?: Array<{ dst: string; table?: number; dev?: string; gateway?: string; metric?: number; flags?: number; protocol?: number; type?: string }>;
}

const RTF_UP = 0x1, RTF_GATEWAY = 0x2, RTF_NONEXTHOP = 0x200000, RTF_LOCAL = 0x80000000;
const RTN_UNICAST = 1, RTN_LOCAL = 2, RTPROT_KERNEL = 2;

/** The kernel's NetSpec of a schema-valid network section; problems name their JSON path. */
export function networkFromJson(json: NetworkJson, problems: ScenarioProblem[]): NetSpec {
  const sockets: SocketSpec[] = [];
  const list = json.sockets ?? [];
  list.forEach((raw, i) => {
    const path = `/network/sockets/${i}`;
    const r = raw as Record<string, never>;
    const num = (k: string, d = 0): number => (typeof r[k] === 'number' ? r[k] as number : d);
    const str = (k: string): string | undefined => (typeof r[k] === 'string' ? r[k] as string : undefined);
    const uid = num('uid'), inode = num('inode');
    switch (r.protocol as string) {
      case 'tcp': case 'udp': {
        const protocol = r.protocol as 'tcp' | 'udp';
        const local = str('local');
        if (local === undefined) { problems.push({ path, message: `a ${protocol} socket needs "local": its address and port ("127.0.0.1:22")` }); return; }
        const l = parseEndpoint(local);
        if (!l) { problems.push({ path: `${path}/local`, message: `"${local}" is not an address:port ("127.0.0.1:22" or "[::1]:22")` }); return; }
        const remote = str('remote');
        const rem = remote === undefined ? null : parseEndpoint(remote);
        if (remote !== undefined && !rem) { problems.push({ path: `${path}/remote`, message: `"${remote}" is not an address:port` }); return; }
        if (rem && rem.family !== l.family) { problems.push({ path: `${path}/remote`, message: 'local and remote addresses must be of one family (write an IPv4 peer of an IPv6 socket as [::ffff:a.b.c.d])' }); return; }
        const state = str('state') ?? (protocol === 'udp' ? (remote ? 'established' : 'close') : 'established');
        const ok = protocol === 'tcp' ? TCP_STATE[state] !== undefined : state === 'close' || state === 'established';
        if (!ok) { problems.push({ path: `${path}/state`, message: `"${state}" is not a ${protocol} socket state` }); return; }
        if (protocol === 'tcp' && state !== 'listen' && state !== 'close' && !remote) {
          problems.push({ path, message: `a ${state} TCP socket needs "remote": its peer's address and port` }); return;
        }
        sockets.push({ protocol, state, local, remote, uid, inode, rxQueue: num('rx_queue'), txQueue: num('tx_queue'),
          srttUs: typeof r.srtt_us === 'number' ? r.srtt_us : undefined, sndCwnd: typeof r.snd_cwnd === 'number' ? r.snd_cwnd : undefined,
          backlog: typeof r.backlog === 'number' ? r.backlog : undefined, retransmits: num('retransmits') });
        return;
      }
      case 'unix': {
        const state = str('state') ?? 'close';
        if (!['listen', 'established', 'close'].includes(state)) { problems.push({ path: `${path}/state`, message: `"${state}" is not a unix socket state (listen, established, close)` }); return; }
        const peer = typeof r.peer === 'number' ? r.peer as number : undefined;
        if (peer !== undefined && (peer >= list.length || peer === i || list[peer].protocol !== 'unix')) {
          problems.push({ path: `${path}/peer`, message: `peer ${peer} is not another unix socket of this list` }); return;
        }
        sockets.push({ protocol: 'unix', type: (str('type') ?? 'stream') as 'stream', state, path: str('path'), peer, uid, inode,
          backlog: typeof r.backlog === 'number' ? r.backlog : undefined });
        return;
      }
      case 'netlink': {
        sockets.push({ protocol: 'netlink', family: num('family'), portid: num('portid'), groups: num('groups'),
          dstPortid: num('dst_portid'), uid, inode });
        return;
      }
    }
  });
  const ipv6Routes: Ipv6RouteSpec[] = [];
  const devices = [...(json.devices ?? ['lo'])];
  if (!devices.includes('lo')) devices.unshift('lo');
  (json.ipv6_routes ?? []).forEach((r, i) => {
    const path = `/network/ipv6_routes/${i}`;
    if (!parsePrefix6(r.dst)) { problems.push({ path: `${path}/dst`, message: `"${r.dst}" is not an IPv6 prefix ("2001:db8::/64")` }); return; }
    if (r.gateway !== undefined && !parsePrefix6(`${r.gateway}/128`)) { problems.push({ path: `${path}/gateway`, message: `"${r.gateway}" is not an IPv6 address` }); return; }
    const dev = r.dev ?? 'lo';
    if (!devices.includes(dev)) devices.push(dev);
    const local = r.type === 'local';
    const flags = r.flags ?? ((RTF_UP | (r.gateway ? RTF_GATEWAY : 0) | (local ? RTF_LOCAL | RTF_NONEXTHOP : 0)) >>> 0);
    ipv6Routes.push({ dst: r.dst, table: r.table ?? (local ? 255 : 254), metric: r.metric ?? (local ? 0 : 1024), flags, dev,
      gateway: r.gateway, protocol: r.protocol ?? RTPROT_KERNEL, type: local ? RTN_LOCAL : RTN_UNICAST });
  });
  return { hashMix: json.hash_mix ?? 0, ehashSecret: json.ehash_secret ?? 0, sockets, ipv6Routes, devices };
}
