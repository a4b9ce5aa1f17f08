/**
 * The sockmap and bpf_sk_storage_map iterator targets (net/core/sock_map.c, net/core/bpf_sk_storage.c) and the
 * socket elements of sockmap, sockhash and sk_storage maps. The maps themselves are created by mapAlloc.ts (their
 * creation checks); the sockets they hold are the simulated network namespace's (kernel/net/netns.ts), put there
 * by a scenario as user space would with a socket fd (BPF_MAP_UPDATE_ELEM).
 */
import type { IterProgramSpec, IterSession, IterSeqOps, IterTarget } from '../iter';
import { jhash } from '../jhash';
import type { Kernel } from '../kernel';
import type { BpfMap } from '../maps';
import { BPF_MAP_TYPE } from '../mapTypes';
import type { Region, Resolved } from '../memory';
import { NetNamespace, type SimSock, TCP_STATE } from './netns';

interface SockElem { key: Region; sock: SimSock }
interface StorageElem { sock: SimSock; value: Region; bucket: number }
/** What each socket map holds, by map (the map object stays the kernel's generic one). */
const sockElems = new WeakMap<BpfMap, Array<SockElem | null>>();
const hashBuckets = new WeakMap<BpfMap, Map<number, SockElem[]>>();
const storages = new WeakMap<BpfMap, StorageElem[]>();

const roundUpPow2 = (n: number): number => { let p = 1; while (p < n) p *= 2; return p; };

/**
 * mirrors sock_map_sk_is_suitable() + sock_map_sk_state_allowed() for an update from user space: TCP sockets
 * that are established or listening, UDP and unix sockets; time-wait, request and netlink sockets are EOPNOTSUPP.
 */
function suitableForSockmap(s: SimSock): boolean {
  if (s.kind === 'tcp') return s.state === TCP_STATE.established || s.state === TCP_STATE.listen;
  return s.kind === 'udp' || s.kind === 'unix';
}

function socketOf(kernel: Kernel, index: number): SimSock {
  const s = kernel.net.sockets.find((x) => x.index === index);
  if (!s) kernel.raise('EBADF', `no socket ${index} in the network section`);
  return s;
}

/** BPF_MAP_UPDATE_ELEM of a sockmap or sockhash with the socket of scenario entry `sockIndex` as the value. */
export function sockMapUpdate(kernel: Kernel, map: BpfMap, key: Uint8Array, sockIndex: number): void {
  const sock = socketOf(kernel, sockIndex);
  if (!NetNamespace.fullSock(sock) || !suitableForSockmap(sock)) kernel.raise('EOPNOTSUPP', `${map.typeName} cannot hold this socket (only established or listening TCP, UDP and unix sockets)`);
  const keyRegion = kernel.memory.alloc(Math.max(key.length, 1), `${map.typeName} key`, true);
  keyRegion.bytes.set(key);
  if (map.type === BPF_MAP_TYPE.SOCKMAP) {
    const index = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    if (index >= map.maxEntries) kernel.raise('E2BIG', `sockmap index ${index} is not below max_entries ${map.maxEntries}`);
    let slots = sockElems.get(map);
    if (!slots) { slots = new Array<SockElem | null>(map.maxEntries).fill(null); sockElems.set(map, slots); }
    slots[index] = { key: keyRegion, sock };
    return;
  }
  // mirrors sock_hash_update_common(): bucket jhash(key, key_size, 0) & (n_buckets - 1), new elements at the head
  const nBuckets = roundUpPow2(map.maxEntries);
  const bucket = jhash(key, 0) & (nBuckets - 1);
  let buckets = hashBuckets.get(map);
  if (!buckets) { buckets = new Map(); hashBuckets.set(map, buckets); }
  const list = buckets.get(bucket) ?? [];
  const same = list.findIndex((e) => Buffer.compare(Buffer.from(e.key.bytes.subarray(0, key.length)), Buffer.from(key)) === 0);
  if (same >= 0) list.splice(same, 1);
  else if ([...buckets.values()].reduce((n, l) => n + l.length, 0) >= map.maxEntries) kernel.raise('E2BIG', 'sockhash is full');
  list.unshift({ key: keyRegion, sock });
  buckets.set(bucket, list);
}

/** bpf_sk_storage_map update from user space (key: the socket's fd): the socket's value in this map. */
export function skStorageUpdate(kernel: Kernel, map: BpfMap, value: Uint8Array, sockIndex: number): void {
  const sock = socketOf(kernel, sockIndex);
  if (!NetNamespace.fullSock(sock)) kernel.raise('EOPNOTSUPP', 'only full sockets have local storage');
  skStorageAdd(kernel, map, sock, value);
}

function skStorageAdd(kernel: Kernel, map: BpfMap, sock: SimSock, value: Uint8Array): void {
  let list = storages.get(map);
  if (!list) { list = []; storages.set(map, list); }
  const known = list.find((e) => e.sock === sock);
  if (known) { known.value.bytes.set(value.subarray(0, map.valueSize)); return; }
  const region = kernel.memory.alloc(Math.max(map.valueSize, 1), `sk_storage value of ${map.name}`, false);
  region.bytes.set(value.subarray(0, map.valueSize));
  // mirrors select_bucket(): hash_ptr(selem, bucket_log) over max(2, roundup_pow_of_two(num_possible_cpus())) buckets
  const bits = Math.log2(Math.max(2, roundUpPow2(kernel.cpus)));
  const bucket = Number(BigInt.asUintN(64, region.addr * 0x61c8864680b583ebn) >> BigInt(64 - bits));
  list.unshift({ sock, value: region, bucket }); // hlist_add_head_rcu()
}

/**
 * mirrors bpf_sk_storage_get_tracing() (an iterator is a tracing program): NULL for a NULL or not full socket or
 * unknown flags; the socket's value in this map, else with BPF_SK_STORAGE_GET_F_CREATE a new one, zeroed or a copy of
 * `init` (bpf_selem_alloc()), added at the head of its bucket as skStorageUpdate() adds one.
 */
export function skStorageGetFromProg(kernel: Kernel, map: BpfMap, sk: bigint, init: Uint8Array | null, flags: bigint): bigint {
  if (map.type !== BPF_MAP_TYPE.SK_STORAGE || sk === 0n || flags > 1n || flags < 0n) return 0n;
  const sock = kernel.net.socketAt(sk);
  if (!sock || !NetNamespace.fullSock(sock)) return 0n;
  const known = storages.get(map)?.find((e) => e.sock === sock);
  if (known) return known.value.addr;
  if (flags !== 1n) return 0n;
  skStorageAdd(kernel, map, sock, init ?? new Uint8Array(map.valueSize));
  return storages.get(map)!.find((e) => e.sock === sock)!.value.addr;
}

/** mirrors bpf_sk_storage_delete_tracing(): -EINVAL without a socket, -ENOENT when it has no value in the map */
export function skStorageDeleteFromProg(kernel: Kernel, map: BpfMap, sk: bigint): number {
  if (sk === 0n) return -22;
  const sock = kernel.net.socketAt(sk);
  const list = storages.get(map);
  const at = list && sock ? list.findIndex((e) => e.sock === sock) : -1;
  if (!list || at < 0) return -2;
  kernel.memory.free(list[at].value);
  list.splice(at, 1);
  return 0;
}

export const isSocketMapType = (type: number): boolean => type === BPF_MAP_TYPE.SOCKMAP || type === BPF_MAP_TYPE.SOCKHASH;

/** mirrors sock_map_iter_attach_target() / bpf_iter_attach_map() of bpf_sk_storage.c */
function attachSocketMap(kind: 'sockmap' | 'sk_storage') {
  return (kernel: Kernel, prog: IterProgramSpec, mapFd: number): BpfMap => {
    if (mapFd === 0) kernel.raise('EBADF', `a ${kind === 'sockmap' ? 'sockmap' : 'bpf_sk_storage_map'} iterator needs a map (link_info.map.map_fd is 0)`);
    const map = kernel.mapGetWithUref(mapFd);
    const ok = kind === 'sockmap' ? isSocketMapType(map.type) : map.type === BPF_MAP_TYPE.SK_STORAGE;
    if (!ok) {
      kernel.mapPutWithUref(map);
      kernel.raise('EINVAL', `map type ${map.typeName} cannot be iterated by iter/${kind === 'sockmap' ? 'sockmap (sockmap or sockhash only)' : 'bpf_sk_storage_map (sk_storage only)'}`);
    }
    const tooFar = kind === 'sockmap' ? prog.maxRdonlyAccess > map.keySize : prog.maxRdwrAccess > map.valueSize;
    if (tooFar) {
      kernel.mapPutWithUref(map);
      kernel.raise('EACCES', kind === 'sockmap'
        ? `program reads ${prog.maxRdonlyAccess} key bytes but map '${map.name}' has key_size ${map.keySize}`
        : `program accesses ${prog.maxRdwrAccess} value bytes but map '${map.name}' has value_size ${map.valueSize}`);
    }
    return map;
  };
}

const at = (r: Region): Resolved => ({ region: r, offset: 0 });
const sockPtr = (s: SimSock): Resolved => ({ region: s.obj.region, offset: s.obj.base });

/** bpf_iter__sockmap { meta; map; key; sk; }: sockmap by index (empty slots too, sk NULL), sockhash by bucket */
export const sockmapTarget: IterTarget = {
  name: 'sockmap',
  resched: false,
  attach: attachSocketMap('sockmap'),
  openSession(session: IterSession) {
    const map = session.map!;
    const kernel = session.kernel;
    kernel.mapIncWithUref(map); // sock_map_init_seq_private(): the iterator's own map reference
    const mapPtr = at(map.region);
    const fini = (): void => kernel.mapPutWithUref(map);
    if (map.type === BPF_MAP_TYPE.SOCKMAP) {
      // mirrors sock_map_seq_*(): every index below max_entries, key = &info->index
      const indexBuf = kernel.memory.alloc(4, 'sockmap iterator index', true);
      const slots = sockElems.get(map) ?? [];
      let index = 0;
      const ops: IterSeqOps<number> = {
        start: () => (index < map.maxEntries ? index : null),
        next: () => { index++; return index < map.maxEntries ? index : null; },
        stop: (p) => { if (p === null) session.runFields([mapPtr, null, null], true); },
        show: (p, inStop) => {
          if (p === null) return session.runFields([mapPtr, null, null], inStop);
          indexBuf.view.setUint32(0, p, true);
          const e = slots[p];
          return session.runFields([mapPtr, at(indexBuf), e ? sockPtr(e.sock) : null], inStop);
        },
        fini: () => { kernel.memory.free(indexBuf); fini(); },
      };
      return ops as IterSeqOps<unknown>;
    }
    // mirrors sock_hash_seq_*(): bucket by bucket, each list from its head
    const buckets = hashBuckets.get(map) ?? new Map<number, SockElem[]>();
    const order = [...buckets.keys()].sort((a, b) => a - b).flatMap((b) => buckets.get(b)!);
    let i = 0;
    const ops: IterSeqOps<number> = {
      start: () => (i < order.length ? i : null),
      next: () => { i++; return i < order.length ? i : null; },
      stop: (p) => { if (p === null) session.runFields([mapPtr, null, null], true); },
      show: (p, inStop) => (p === null ? session.runFields([mapPtr, null, null], inStop)
        : session.runFields([mapPtr, at(order[p].key), sockPtr(order[p].sock)], inStop)),
      fini,
    };
    return ops as IterSeqOps<unknown>;
  },
};

/** bpf_iter__bpf_sk_storage_map { meta; map; sk; value; }: the map's buckets, each newest first */
export const skStorageMapTarget: IterTarget = {
  name: 'bpf_sk_storage_map',
  resched: false,
  attach: attachSocketMap('sk_storage'),
  openSession(session: IterSession) {
    const map = session.map!;
    const kernel = session.kernel;
    kernel.mapIncWithUref(map);
    const mapPtr = at(map.region);
    const list = storages.get(map) ?? [];
    // bpf_sk_storage_map_seq_find_next(): bucket 0 up, each hlist from its head (list keeps newest first)
    const order = [...list].sort((a, b) => a.bucket - b.bucket);
    let i = 0;
    const ops: IterSeqOps<number> = {
      start: () => (i < order.length ? i : null),
      next: () => { i++; return i < order.length ? i : null; },
      stop: (p) => { if (p === null) session.runFields([mapPtr, null, null], true); },
      show: (p, inStop) => (p === null ? session.runFields([mapPtr, null, null], inStop)
        : session.runFields([mapPtr, sockPtr(order[p].sock), at(order[p].value)], inStop)),
      fini: () => kernel.mapPutWithUref(map),
    };
    return ops as IterSeqOps<unknown>;
  },
};

export const SOCKET_MAP_TARGETS: readonly IterTarget[] = [sockmapTarget, skStorageMapTarget];
