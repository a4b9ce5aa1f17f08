/**
 * Socket helpers and the kfunc the socket iterators allow: the bpf_skc_to_*() casts (net/core/filter.c) and
 * bpf_sock_destroy() (net/core/filter.c, a kfunc of BPF_PROG_TYPE_TRACING iterators on tcp and udp).
 */
import { ERRNO } from '../errno';
import { AF_INET6, AF_UNIX, IPPROTO_TCP, IPPROTO_UDP, NetNamespace, SOCK_STREAM, TCP_STATE, type SimSock } from './netns';

type Cast = (ns: NetNamespace, addr: bigint) => bigint;

const sockAt = (ns: NetNamespace, addr: bigint): SimSock | undefined => ns.socketAt(BigInt.asUintN(64, addr));

/** sk_is_tcp() on a full socket: what bpf_skc_to_tcp_sock() accepts */
const fullTcp = (s: SimSock | undefined): s is SimSock =>
  !!s && NetNamespace.fullSock(s) && s.protocol === IPPROTO_TCP && s.type === SOCK_STREAM;

export const SOCKET_CASTS: Readonly<Record<string, Cast>> = {
  // mirrors bpf_skc_to_tcp_sock(): a full TCP socket, else NULL
  bpf_skc_to_tcp_sock: (ns, addr) => (fullTcp(sockAt(ns, addr)) ? addr : 0n),
  // mirrors bpf_skc_to_tcp6_sock(): a full TCP socket of AF_INET6
  bpf_skc_to_tcp6_sock: (ns, addr) => { const s = sockAt(ns, addr); return fullTcp(s) && s.family === AF_INET6 ? addr : 0n; },
  // mirrors bpf_skc_to_udp6_sock(): a full UDP socket of AF_INET6
  bpf_skc_to_udp6_sock: (ns, addr) => {
    const s = sockAt(ns, addr);
    return s && NetNamespace.fullSock(s) && s.protocol === IPPROTO_UDP && s.family === AF_INET6 ? addr : 0n;
  },
  // mirrors bpf_skc_to_tcp_timewait_sock(): the time-wait mini socket
  bpf_skc_to_tcp_timewait_sock: (ns, addr) => (sockAt(ns, addr)?.state === TCP_STATE.time_wait ? addr : 0n),
  // mirrors bpf_skc_to_tcp_request_sock(): the request mini socket
  bpf_skc_to_tcp_request_sock: (ns, addr) => (sockAt(ns, addr)?.state === TCP_STATE.new_syn_recv ? addr : 0n),
  // mirrors bpf_skc_to_unix_sock(): a full socket of AF_UNIX
  bpf_skc_to_unix_sock: (ns, addr) => { const s = sockAt(ns, addr); return s && NetNamespace.fullSock(s) && s.family === AF_UNIX ? addr : 0n; },
};

/**
 * mirrors bpf_sock_destroy(): only a full socket (else -EINVAL); TCP and UDP sockets are aborted through
 * their proto's diag_destroy (tcp_abort(), udp_abort()), which unhashes them; other protocols -EOPNOTSUPP.
 */
export function sockDestroy(ns: NetNamespace, addr: bigint): number {
  const s = sockAt(ns, addr);
  if (!s || !NetNamespace.fullSock(s)) return -ERRNO.EINVAL;
  if (s.protocol !== IPPROTO_TCP && s.protocol !== IPPROTO_UDP) return -ERRNO.EOPNOTSUPP;
  ns.destroy(s);
  return 0;
}
