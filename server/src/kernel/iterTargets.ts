/**
 * Every iterator target Linux 6.18 registers with bpf_iter_reg_target(), as facts: the ctx struct and the register
 * type each of its fields gives a program (the target's ctx_arg_info, read by btf_ctx_access()), whether the target
 * has BPF_ITER_RESCHED (only those take sleepable `iter.s/` programs), and which part of union bpf_iter_link_info
 * its attach_target reads. The checker, hover/completion and the simulated kernel all read this one table.
 *
 * Measured on 6.18 (a program dereferencing each field without a NULL check, and `iter.s/` pins): the messages
 * name `trusted_ptr_or_null_` for task, cgroup, kmem_cache, tcp, udp (PTR_TRUSTED in ctx_arg_info) and
 * `ptr_or_null_` for the others; sleepable programs attach to task, task_file, task_vma, ksym, kmem_cache, dmabuf
 * and cgroup (its attach needs an order, so a plain pin fails with EINVAL first).
 *
 * Adding a target's simulation: register an IterTarget (kernel/iter.ts interface: attach + openSession returning
 * the seq_ops) in Kernel's constructor; nothing else names the target.
 */

/** The register type btf_ctx_access() gives a load of a ctx field. */
export type IterCtxFieldType =
  /** struct bpf_iter_meta *: always present, trusted */
  | { kind: 'meta' }
  /** PTR_TO_BTF_ID, NULL in the final call when `nullable` (PTR_MAYBE_NULL); `trusted` adds PTR_TRUSTED */
  | { kind: 'btf'; struct: string; nullable: boolean; trusted: boolean }
  /** PTR_TO_BUF | PTR_MAYBE_NULL, read-only for keys (MEM_RDONLY): the map targets' key and value */
  | { kind: 'buf'; readonly: boolean }
  /** a plain integer field (task_file's fd, the socket targets' uid) */
  | { kind: 'scalar' };

export interface IterCtxField { name: string; offset: number; size: number; type: IterCtxFieldType }

/** Which union bpf_iter_link_info member attach_target reads (none: the target takes no parameters). */
export type IterAttachParams = 'none' | 'map' | 'task' | 'cgroup';

export interface IterTargetInfo {
  name: string;
  /** struct bpf_iter__<name> */
  ctxStruct: string;
  ctxSize: number;
  fields: IterCtxField[];
  /** BPF_ITER_RESCHED in the target's feature: sleepable programs may attach */
  resched: boolean;
  attach: IterAttachParams;
  /** The kernel file that registers the target (what hover cites). */
  source: string;
  /** One line on what the target walks, for hover. */
  walks: string;
}

const meta: IterCtxField = { name: 'meta', offset: 0, size: 8, type: { kind: 'meta' } };
const btf = (name: string, offset: number, struct: string, trusted: boolean, nullable = true): IterCtxField =>
  ({ name, offset, size: 8, type: { kind: 'btf', struct, nullable, trusted } });
const buf = (name: string, offset: number, readonly: boolean): IterCtxField => ({ name, offset, size: 8, type: { kind: 'buf', readonly } });
const scalar = (name: string, offset: number, size: number): IterCtxField => ({ name, offset, size, type: { kind: 'scalar' } });

function target(name: string, size: number, fields: IterCtxField[], resched: boolean, attach: IterAttachParams, source: string, walks: string): IterTargetInfo {
  return { name, ctxStruct: `bpf_iter__${name}`, ctxSize: size, fields: [meta, ...fields], resched, attach, source, walks };
}

export const ITER_TARGETS: readonly IterTargetInfo[] = [
  // the map a bpf_map_elem/sockmap/sk_storage program is attached to is a plain (non-NULL) trusted PTR_TO_BTF_ID
  target('bpf_map', 16, [btf('map', 8, 'bpf_map', true)], false, 'none', 'kernel/bpf/map_iter.c', 'every BPF map, by map id'),
  target('bpf_map_elem', 32, [btf('map', 8, 'bpf_map', true, false), buf('key', 16, true), buf('value', 24, false)], false, 'map',
    'kernel/bpf/map_iter.c', 'the elements of one hash or array map (link_info.map.map_fd)'),
  target('bpf_prog', 16, [btf('prog', 8, 'bpf_prog', false)], false, 'none', 'kernel/bpf/prog_iter.c', 'every loaded BPF program, by program id'),
  target('bpf_link', 16, [btf('link', 8, 'bpf_link', false)], false, 'none', 'kernel/bpf/link_iter.c', 'every BPF link, by link id'),
  target('task', 16, [btf('task', 8, 'task_struct', true)], true, 'task', 'kernel/bpf/task_iter.c',
    'every task (thread) by pid in the reader\'s pid namespace, or one thread / one process (link_info.task)'),
  target('task_file', 32, [btf('task', 8, 'task_struct', false), scalar('fd', 16, 4), btf('file', 24, 'file', false)], true, 'task',
    'kernel/bpf/task_iter.c', 'the open files of every process, by pid then fd (threads sharing their leader\'s file table are skipped)'),
  target('task_vma', 24, [btf('task', 8, 'task_struct', false), btf('vma', 16, 'vm_area_struct', false)], true, 'task',
    'kernel/bpf/task_iter.c', 'the memory areas of every process, by pid then address (kernel threads have none)'),
  target('tcp', 24, [btf('sk_common', 8, 'sock_common', true), scalar('uid', 16, 4)], false, 'none', 'net/ipv4/tcp_ipv4.c',
    'TCP sockets of the reader\'s network namespace: listening hash, then established hash'),
  target('udp', 32, [btf('udp_sk', 8, 'udp_sock', true), scalar('uid', 16, 4), scalar('bucket', 24, 4)], false, 'none', 'net/ipv4/udp.c',
    'UDP sockets of the reader\'s network namespace, by hash bucket'),
  target('unix', 24, [btf('unix_sk', 8, 'unix_sock', false), scalar('uid', 16, 4)], false, 'none', 'net/unix/af_unix.c',
    'unix sockets of the reader\'s network namespace, by hash bucket'),
  target('netlink', 16, [btf('sk', 8, 'netlink_sock', false)], false, 'none', 'net/netlink/af_netlink.c', 'netlink sockets, by protocol and hash'),
  target('ipv6_route', 16, [btf('rt', 8, 'fib6_info', false)], false, 'none', 'net/ipv6/route.c', 'the IPv6 routes of the reader\'s network namespace'),
  target('ksym', 16, [btf('ksym', 8, 'kallsym_iter', false)], true, 'none', 'kernel/kallsyms.c', 'kernel symbols as /proc/kallsyms lists them, modules and BPF included'),
  target('cgroup', 16, [btf('cgroup', 8, 'cgroup', true)], true, 'cgroup', 'kernel/bpf/cgroup_iter.c',
    'a cgroup and its descendants or ancestors in the order link_info.cgroup.order asks'),
  target('kmem_cache', 16, [btf('s', 8, 'kmem_cache', true)], true, 'none', 'kernel/bpf/kmem_cache_iter.c', 'every slab cache, in slab_caches list order'),
  target('dmabuf', 16, [btf('dmabuf', 8, 'dma_buf', false)], true, 'none', 'kernel/bpf/dmabuf_iter.c', 'every dma-buf, newest first'),
  target('sockmap', 32, [btf('map', 8, 'bpf_map', true, false), buf('key', 16, true), btf('sk', 24, 'sock', false)], false, 'map',
    'net/core/sock_map.c', 'the sockets of one sockmap or sockhash (link_info.map.map_fd)'),
  target('bpf_sk_storage_map', 32, [btf('map', 8, 'bpf_map', true, false), btf('sk', 16, 'sock', false), buf('value', 24, false)], false, 'map',
    'net/core/bpf_sk_storage.c', 'the socket-local storage of one sk_storage map (link_info.map.map_fd)'),
];

const byName = new Map(ITER_TARGETS.map((t) => [t.name, t]));

export function iterTargetInfo(name: string): IterTargetInfo | undefined { return byName.get(name); }

export const ITER_TARGET_NAMES: readonly string[] = ITER_TARGETS.map((t) => t.name);

/** The field of a target's ctx struct at a byte offset. */
export function iterCtxFieldAt(targetName: string, offset: number): IterCtxField | undefined {
  return byName.get(targetName)?.fields.find((f) => f.offset === offset);
}

/** The verifier's reg_type_str() of a PTR_TO_BTF_ID ctx field: `trusted_ptr_or_null_`, `ptr_or_null_`, `rcu_ptr_`... */
export function btfRegTypeName(type: { trusted: boolean; rcu?: boolean }, maybeNull: boolean): string {
  return `${type.trusted ? 'trusted_' : type.rcu ? 'rcu_' : ''}ptr_${maybeNull ? 'or_null_' : ''}`;
}
