/**
 * The socket and route iterator targets: tcp (net/ipv4/tcp_ipv4.c), udp (net/ipv4/udp.c), unix (net/unix/af_unix.c),
 * netlink (net/netlink/af_netlink.c), ipv6_route (net/ipv6/ip6_fib.c). Each walks the reader's network namespace
 * (kernel.net) in its hash-bucket order and ends with the NULL call of its seq_stop.
 */
import type { IterSeqOps, IterSession, IterTarget } from '../iter';
import { BucketTable, NetNamespace, SimRoute, SimSock, TCP_STATE } from './netns';

/** Where a batched walk stands: which table, which bucket, how many of that bucket were already shown. */
interface BatchCursor { table: number; bucket: number; offset: number; batch: SimSock[]; index: number }

/**
 * mirrors the batching of bpf_iter_tcp_batch() / bpf_iter_udp_batch() / bpf_iter_unix_batch(): a bucket's
 * sockets are taken at once (with references), shown one by one; a read that stops inside a bucket resumes at
 * the same bucket, skipping the `offset` sockets already shown.
 */
function batchedWalk(session: IterSession, tables: Array<BucketTable<SimSock>>,
  show: (s: SimSock, bucket: number) => number, startsWithToken: boolean): IterSeqOps<BatchCursor> {
  let pos = { table: 0, bucket: 0, offset: 0 };
  // The first start() of a session returns SEQ_START_TOKEN, which show() skips (SEQ_SKIP): the kernel then lowers
  // seq_num, so an empty walk's final NULL call sees seq_num (u64)-1, as measured on 6.18.
  let started = !startsWithToken;
  const startToken: BatchCursor = { table: -1, bucket: 0, offset: 0, batch: [], index: 0 };
  const fill = (table: number, bucket: number, offset: number): BatchCursor | null => {
    for (let t = table; t < tables.length; t++) {
      let b = t === table ? bucket : 0;
      let skip = t === table ? offset : 0;
      for (;;) {
        b = tables[t].nextBucket(b);
        if (b < 0) break;
        const batch = tables[t].bucket(b).filter((s) => !s.unhashed);
        if (batch.length > skip) return { table: t, bucket: b, offset: skip, batch, index: skip };
        b++;
        skip = 0;
      }
    }
    pos = { table: tables.length, bucket: 0, offset: 0 };
    return null;
  };
  return {
    start: () => {
      if (!started) { started = true; return startToken; }
      return fill(pos.table, pos.bucket, pos.offset);
    },
    next: (c) => {
      if (c === startToken) return fill(0, 0, 0);
      c.index++;
      c.offset++;
      pos = { table: c.table, bucket: c.bucket, offset: c.offset };
      if (c.index < c.batch.length) return c;
      return fill(c.table, c.bucket + 1, 0);
    },
    stop: (c) => {
      if (c === null) session.runProgramWithCtx(null, true);
      else if (c !== startToken) pos = { table: c.table, bucket: c.bucket, offset: c.offset };
    },
    show: (c, inStop) => (c === null || inStop ? session.runProgramWithCtx(null, true)
      : c === startToken ? 1 : show(c.batch[c.index], c.bucket)),
    fini: () => undefined,
  };
}

function net(session: IterSession): NetNamespace { return session.kernel.net; }

/** bpf_iter__tcp { meta; sk_common; uid; } */
export const tcpTarget: IterTarget = {
  name: 'tcp',
  resched: false, // no BPF_ITER_RESCHED here: a sleepable program's attach fails with EINVAL (measured on 6.18)
  openSession(session) {
    const ns = net(session);
    return batchedWalk(session, [ns.lhash2, ns.ehash], (s) => {
      if (s === null) return session.runProgramWithCtx(null, true);
      // bpf_iter_tcp_seq_show(): a time-wait sock has no owner (uid 0), a request sock reports its listener's
      const uid = s.state === TCP_STATE.time_wait ? 0 : s.kind === 'tcp_req' ? (s.listener?.uid ?? 0) : s.uid;
      return session.runProgramWithCtx((v) => { v.setBigUint64(8, s.obj.addr, true); v.setUint32(16, uid, true); }, false);
    }, true) as IterSeqOps<unknown>;
  },
};

/** bpf_iter__udp { meta; udp_sk; uid; bucket; } */
export const udpTarget: IterTarget = {
  name: 'udp',
  resched: false,
  openSession(session) {
    const ns = net(session);
    return batchedWalk(session, [ns.udpHash2], (s, bucket) => {
      if (s === null) return session.runProgramWithCtx(null, true);
      return session.runProgramWithCtx((v) => { v.setBigUint64(8, s.obj.addr, true); v.setUint32(16, s.uid, true); v.setInt32(24, bucket, true); }, false);
    }, true) as IterSeqOps<unknown>;
  },
};

/** bpf_iter__unix { meta; unix_sk; uid; } */
export const unixTarget: IterTarget = {
  name: 'unix',
  resched: false,
  openSession(session) {
    const ns = net(session);
    return batchedWalk(session, [ns.unixTable], (s) => {
      if (s === null) return session.runProgramWithCtx(null, true);
      return session.runProgramWithCtx((v) => { v.setBigUint64(8, s.obj.addr, true); v.setUint32(16, s.uid, true); }, false);
    }, true) as IterSeqOps<unknown>;
  },
};

/** bpf_iter__netlink { meta; sk; }: nl_table[0..MAX_LINKS) walked with rhashtable_walk, one protocol after another */
export const netlinkTarget: IterTarget = {
  name: 'netlink',
  resched: false,
  openSession(session) {
    const ns = net(session);
    return batchedWalk(session, [ns.netlinkTable], (s) => {
      if (s === null) return session.runProgramWithCtx(null, true);
      return session.runProgramWithCtx((v) => { v.setBigUint64(8, s.obj.addr, true); }, false);
    }, false) as IterSeqOps<unknown>;
  },
};

/** bpf_iter__ipv6_route { meta; rt; }: every table of fib_table_hash, each tree walked by fib6_walk_continue() */
export const ipv6RouteTarget: IterTarget = {
  name: 'ipv6_route',
  resched: false,
  openSession(session) {
    const routes = net(session).routes;
    let index = 0;
    const at = (i: number): SimRoute | null => (i < routes.length ? routes[i] : null);
    return {
      start: () => at(index),
      next: () => { index++; return at(index); },
      stop: (p: SimRoute | null) => { if (p === null) session.runProgramWithCtx(null, true); },
      show: (p: SimRoute | null, inStop: boolean) => (p === null || inStop
        ? session.runProgramWithCtx(null, true)
        : session.runProgramWithCtx((v) => v.setBigUint64(8, p.obj.addr, true), false)),
      fini: () => undefined,
    } as IterSeqOps<unknown>;
  },
};

export const SOCKET_TARGETS: readonly IterTarget[] = [tcpTarget, udpTarget, unixTarget, netlinkTarget, ipv6RouteTarget];
