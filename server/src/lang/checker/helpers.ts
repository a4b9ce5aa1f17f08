/**
 * Helpers and kfuncs for iterator programs (BPF_PROG_TYPE_TRACING with expected_attach_type BPF_TRACE_ITER),
 * with their uapi ids (enum bpf_func_id), the argument kinds the verifier checks (enum bpf_arg_type) and
 * whether they are GPL-only. Mirrors tracing_prog_func_proto() -> bpf_tracing_func_proto() ->
 * bpf_base_func_proto(), plus the seq helpers that only BPF_TRACE_ITER gets.
 */

import { ITER_KINDS, type IterKindName, type IterNewArg } from '../../kernel/openIters';

export type HelperArgKind =
  /** CONST_MAP_PTR: `&map`. */
  | { kind: 'map' }
  /** ARG_PTR_TO_MAP_KEY / ARG_PTR_TO_MAP_VALUE: key_size / value_size bytes of the map in argument `mapArg` are read. */
  | { kind: 'mapKey'; mapArg: number }
  | { kind: 'mapValue'; mapArg: number }
  /** ARG_PTR_TO_MEM | MEM_RDONLY with its size in argument `sizeArg`. */
  | { kind: 'memRead'; sizeArg: number; nullable?: boolean }
  /** ARG_PTR_TO_UNINIT_MEM / ARG_PTR_TO_MEM (written by the helper) with its size in `sizeArg`. */
  | { kind: 'memWrite'; sizeArg: number }
  /** ARG_PTR_TO_MEM of a fixed size. */
  | { kind: 'memWriteFixed'; size: number }
  /** ARG_PTR_TO_BTF_ID of struct seq_file (meta->seq). */
  | { kind: 'seq' }
  /**
   * ARG_PTR_TO_BTF_ID_SOCK_COMMON: a BTF pointer to a socket (struct sock_common, or a struct that starts with it);
   * `nullable`: | PTR_MAYBE_NULL (bpf_get_socket_cookie() takes NULL, the socket casts do not).
   */
  | { kind: 'sockCommon'; nullable?: boolean }
  /**
   * ARG_PTR_TO_CONST_STR: a NUL-terminated string at a constant offset in a frozen read-only map (a string literal,
   * a const or never-written static global in .rodata) (check_reg_const_str()).
   */
  | { kind: 'constStr' }
  /** Arguments not checked here. */
  | { kind: 'anything' }
  /**
   * ARG_PTR_TO_BTF_ID of a helper that refuses PTR_UNTRUSTED (bpf_d_path()'s struct path): no walked pointer, and no
   * pointer that may be NULL; `nullable`: ARG_PTR_TO_BTF_ID_OR_NULL (bpf_task_storage_get()'s task) takes one.
   */
  | { kind: 'notWalked'; nullable?: boolean }
  /**
   * A kfunc argument with KF_TRUSTED_ARGS: a trusted, non-NULL pointer to the BTF struct `btf`. `rcu`: KF_RCU, an RCU
   * pointer (MEM_RCU) is taken too; `nullable`: a `__nullable` parameter, the constant NULL is taken (a pointer that
   * may be NULL is still not trusted).
   */
  | { kind: 'trusted'; btf: string; rcu?: boolean; nullable?: boolean }
  /** ARG_PTR_TO_FUNC: a static function of the program, called back by the helper. */
  | { kind: 'func' }
  /** ARG_PTR_TO_STACK_OR_NULL: the callback's context, on the program's stack (or NULL). */
  | { kind: 'stackOrNull' }
  /**
   * KF_RELEASE: the pointer must hold a reference a KF_ACQUIRE kfunc gave (and, as KF_RELEASE implies trusted
   * arguments, must not be NULL); the reference ends there.
   */
  | { kind: 'release'; btf: string }
  /** KF_ARG_PTR_TO_ITER of struct bpf_iter_<iter>: `new` needs an unused slot, `next`/`destroy` an initialised one. */
  | { kind: 'iter'; iter: IterKindName; op: 'new' | 'next' | 'destroy' };

export type HelperReturn = 'mapValueOrNull' | 'long' | 'u64' | 'u32' | 'cpu' | 'void' | 'int' | 'btfOrNull'
  /** PTR_TO_BTF_ID | PTR_UNTRUSTED: fields may be read (as probe reads), the pointer goes to no helper or kfunc. */
  | 'btfUntrusted'
  /** KF_ITER_NEXT | KF_RET_NULL: the iterator's next item (its kind's `next`), or NULL once drained. */
  | 'iterNext'
  /** A negative errno or at most the size in argument `boundArg` (do_refine_retval_range()). */
  | 'sizeBounded'
  /** RET_PTR_TO_BTF_ID_TRUSTED: a trusted, non-NULL pointer to `returnStruct`. */
  | 'btfTrusted'
  /** KF_ACQUIRE | KF_RET_NULL: a referenced, trusted pointer to `returnStruct`, or NULL; the reference must be released. */
  | 'acquiredOrNull';

export interface HelperInfo {
  name: string;
  id: number;
  gplOnly: boolean;
  args: HelperArgKind[];
  returns: HelperReturn;
  /** returns 'btfOrNull': the struct of the PTR_TO_BTF_ID_OR_NULL (RET_PTR_TO_BTF_ID_OR_NULL with ret_btf_id) */
  returnStruct?: string;
  isKfunc?: boolean;
  /** returns 'sizeBounded': the argument whose value bounds the result. */
  boundArg?: number;
  /** Only these iterator targets get the helper (a target's own get_func_proto). */
  targets?: string[];
  /** bpf_rcu_read_lock() / bpf_rcu_read_unlock(): open or close the RCU read-side section the verifier tracks. */
  rcu?: 'lock' | 'unlock';
  /** A might_sleep helper: "helper call might sleep in a non-sleepable prog" unless the program is sleepable. */
  sleepableOnly?: boolean;
  /**
   * A sleepable program gets a might_sleep proto of this helper (bpf_get_task_stack_sleepable_proto,
   * bpf_get_stack_sleepable_proto): like the sleepableOnly ones, refused inside bpf_rcu_read_lock() there.
   */
  mightSleepWhenSleepable?: boolean;
}

const any: HelperArgKind = { kind: 'anything' };
const sockCommon: HelperArgKind = { kind: 'sockCommon' };

const allowed: HelperInfo[] = [
  { name: 'bpf_map_lookup_elem', id: 1, gplOnly: false, args: [{ kind: 'map' }, { kind: 'mapKey', mapArg: 0 }], returns: 'mapValueOrNull' },
  { name: 'bpf_map_update_elem', id: 2, gplOnly: false, args: [{ kind: 'map' }, { kind: 'mapKey', mapArg: 0 }, { kind: 'mapValue', mapArg: 0 }, any], returns: 'long' },
  { name: 'bpf_map_delete_elem', id: 3, gplOnly: false, args: [{ kind: 'map' }, { kind: 'mapKey', mapArg: 0 }], returns: 'long' },
  { name: 'bpf_probe_read', id: 4, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_ktime_get_ns', id: 5, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_trace_printk', id: 6, gplOnly: true, args: [{ kind: 'memRead', sizeArg: 1 }, any, any, any, any], returns: 'long' },
  { name: 'bpf_get_prandom_u32', id: 7, gplOnly: false, args: [], returns: 'u32' },
  { name: 'bpf_get_smp_processor_id', id: 8, gplOnly: false, args: [], returns: 'cpu' },
  { name: 'bpf_tail_call', id: 12, gplOnly: false, args: [any, any, any], returns: 'long' },
  { name: 'bpf_get_current_pid_tgid', id: 14, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_get_current_uid_gid', id: 15, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_get_current_comm', id: 16, gplOnly: false, args: [{ kind: 'memWrite', sizeArg: 1 }, any], returns: 'long' },
  { name: 'bpf_perf_event_output', id: 25, gplOnly: true, args: [any, any, any, { kind: 'memRead', sizeArg: 4 }, any], returns: 'long' },
  { name: 'bpf_get_current_task', id: 35, gplOnly: true, args: [], returns: 'u64' },
  { name: 'bpf_get_numa_node_id', id: 42, gplOnly: false, args: [], returns: 'long' },
  { name: 'bpf_probe_read_str', id: 45, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'sizeBounded', boundArg: 1 },
  { name: 'bpf_map_push_elem', id: 87, gplOnly: false, args: [{ kind: 'map' }, { kind: 'mapValue', mapArg: 0 }, any], returns: 'long' },
  { name: 'bpf_map_pop_elem', id: 88, gplOnly: false, args: [{ kind: 'map' }, any], returns: 'long' },
  { name: 'bpf_map_peek_elem', id: 89, gplOnly: false, args: [{ kind: 'map' }, any], returns: 'long' },
  { name: 'bpf_send_signal', id: 109, gplOnly: false, args: [any], returns: 'long' },
  { name: 'bpf_probe_read_user', id: 112, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_probe_read_kernel', id: 113, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_probe_read_user_str', id: 114, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'sizeBounded', boundArg: 1 },
  { name: 'bpf_probe_read_kernel_str', id: 115, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'sizeBounded', boundArg: 1 },
  { name: 'bpf_jiffies64', id: 118, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_ktime_get_boot_ns', id: 125, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_seq_printf', id: 126, gplOnly: true, args: [{ kind: 'seq' }, { kind: 'memRead', sizeArg: 2 }, any, { kind: 'memRead', sizeArg: 4, nullable: true }, any], returns: 'long' },
  { name: 'bpf_seq_write', id: 127, gplOnly: true, args: [{ kind: 'seq' }, { kind: 'memRead', sizeArg: 2 }, any], returns: 'long' },
  { name: 'bpf_ringbuf_output', id: 130, gplOnly: false, args: [{ kind: 'map' }, { kind: 'memRead', sizeArg: 2 }, any, any], returns: 'long' },
  { name: 'bpf_get_task_stack', id: 141, gplOnly: false, args: [{ kind: 'notWalked' }, { kind: 'memWrite', sizeArg: 2 }, any, any], returns: 'sizeBounded', boundArg: 2, mightSleepWhenSleepable: true },
  { name: 'bpf_d_path', id: 147, gplOnly: false, args: [{ kind: 'notWalked' }, { kind: 'memWrite', sizeArg: 2 }, any], returns: 'long' },
  { name: 'bpf_snprintf_btf', id: 149, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any, any, any], returns: 'long' },
  { name: 'bpf_seq_printf_btf', id: 150, gplOnly: true, args: [{ kind: 'seq' }, any, any, any], returns: 'long' },
  { name: 'bpf_get_current_task_btf', id: 158, gplOnly: true, args: [], returns: 'btfTrusted', returnStruct: 'task_struct' },
  { name: 'bpf_for_each_map_elem', id: 164, gplOnly: false, args: [{ kind: 'map' }, { kind: 'func' }, { kind: 'stackOrNull' }, any], returns: 'long' },
  { name: 'bpf_snprintf', id: 165, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, { kind: 'constStr' }, { kind: 'memRead', sizeArg: 4, nullable: true }, any], returns: 'long' },
  { name: 'bpf_trace_vprintk', id: 177, gplOnly: true, args: [{ kind: 'memRead', sizeArg: 1 }, any, { kind: 'memRead', sizeArg: 3, nullable: true }, any], returns: 'long' },
  { name: 'bpf_task_pt_regs', id: 175, gplOnly: true, args: [{ kind: 'notWalked' }], returns: 'u64' },
  // ARG_PTR_TO_BTF_ID of the task, then the callback (set_find_vma_callback_state(): R1 the task as passed, R2 the
  // vm_area_struct as a plain PTR_TO_BTF_ID, R3 the context) and its context on the stack
  { name: 'bpf_find_vma', id: 180, gplOnly: false, args: [{ kind: 'notWalked' }, any, { kind: 'func' }, { kind: 'stackOrNull' }, any], returns: 'long' },
  { name: 'bpf_loop', id: 181, gplOnly: false, args: [any, { kind: 'func' }, { kind: 'stackOrNull' }, any], returns: 'long' },
  { name: 'bpf_strncmp', id: 182, gplOnly: false, args: [{ kind: 'memRead', sizeArg: 1 }, any, { kind: 'constStr' }], returns: 'long' },
  { name: 'bpf_map_lookup_percpu_elem', id: 195, gplOnly: false, args: [{ kind: 'map' }, { kind: 'mapKey', mapArg: 0 }, any], returns: 'mapValueOrNull' },
  { name: 'bpf_ktime_get_tai_ns', id: 208, gplOnly: false, args: [], returns: 'u64' },
  // Measured on 6.18 for iter/bpf_map: the rest of bpf_tracing_func_proto() and tracing_prog_func_proto()
  { name: 'bpf_get_cgroup_classid', id: 17, gplOnly: false, args: [], returns: 'long' },
  // bpf_get_socket_ptr_cookie_proto: ARG_PTR_TO_BTF_ID_SOCK_COMMON | PTR_MAYBE_NULL (a NULL socket's cookie is 0)
  { name: 'bpf_get_socket_cookie', id: 46, gplOnly: false, args: [{ kind: 'sockCommon', nullable: true }], returns: 'u64' },
  { name: 'bpf_get_current_cgroup_id', id: 80, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_get_current_ancestor_cgroup_id', id: 123, gplOnly: false, args: [any], returns: 'u64' },
  { name: 'bpf_send_signal_thread', id: 117, gplOnly: false, args: [any], returns: 'long' },
  // bpf_strtol()/bpf_strtoul() (kernel/bpf/helpers.c, bpf_base_func_proto()): the string is read, *res (8 bytes) written
  { name: 'bpf_strtol', id: 105, gplOnly: false, args: [{ kind: 'memRead', sizeArg: 1 }, any, any, { kind: 'memWriteFixed', size: 8 }], returns: 'long' },
  { name: 'bpf_strtoul', id: 106, gplOnly: false, args: [{ kind: 'memRead', sizeArg: 1 }, any, any, { kind: 'memWriteFixed', size: 8 }], returns: 'long' },
  // the socket local storage of net/core/bpf_sk_storage.c (bpf_sk_storage_tracing_allowed(): BPF_TRACE_ITER may)
  { name: 'bpf_sk_storage_get', id: 107, gplOnly: false, args: [{ kind: 'map' }, any, any, any], returns: 'mapValueOrNull' },
  { name: 'bpf_sk_storage_delete', id: 108, gplOnly: false, args: [{ kind: 'map' }, any], returns: 'long' },
  // the task local storage of kernel/bpf/bpf_task_storage.c (bpf_tracing_func_proto(): the _recur protos, same
  // arguments): the map, the task (ARG_PTR_TO_BTF_ID_OR_NULL), the initial value or NULL, the flags
  { name: 'bpf_task_storage_get', id: 156, gplOnly: false, args: [{ kind: 'map' }, { kind: 'notWalked', nullable: true }, any, any], returns: 'mapValueOrNull' },
  { name: 'bpf_task_storage_delete', id: 157, gplOnly: false, args: [{ kind: 'map' }, { kind: 'notWalked', nullable: true }], returns: 'long' },
  // bpf_get_stack() is given to tracing programs too; its result is bounded by the size (do_refine_retval_range())
  { name: 'bpf_get_stack', id: 67, gplOnly: true, args: [any, { kind: 'memWrite', sizeArg: 2 }, any, any], returns: 'sizeBounded', boundArg: 2, mightSleepWhenSleepable: true },
  // RET_PTR_TO_BTF_ID_OR_NULL of struct socket: NULL for a file that is not a socket
  { name: 'bpf_sock_from_file', id: 162, gplOnly: false, args: [any], returns: 'btfOrNull', returnStruct: 'socket' },
  // the socket iterators' own protos (bpf_iter_tcp_get_func_proto(), bpf_iter_unix_get_func_proto()): BTF socket in R1
  { name: 'bpf_setsockopt', id: 49, gplOnly: false, args: [any, any, any, { kind: 'memRead', sizeArg: 4 }, any], returns: 'long', targets: ['tcp', 'unix'] },
  { name: 'bpf_getsockopt', id: 57, gplOnly: false, args: [any, any, any, { kind: 'memWrite', sizeArg: 4 }, any], returns: 'long', targets: ['tcp', 'unix'] },
  // might_sleep helpers: only a sleepable program (SEC("iter.s/...")) may call them
  { name: 'bpf_copy_from_user', id: 148, gplOnly: false, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long', sleepableOnly: true },
  { name: 'bpf_copy_from_user_task', id: 191, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any, { kind: 'notWalked' }, any], returns: 'long', sleepableOnly: true },
  // the kfunc bpf_copy_from_user_task_str() (kernel/bpf/helpers.c, common_btf_ids, KF_SLEEPABLE): dst and its size
  // (a __sz pair), a user address, a task that is not walked; only a sleepable program may call it ("program must be
  // sleepable to call sleepable kfunc", EACCES, measured on 6.18)
  { name: 'bpf_copy_from_user_task_str', id: -1, gplOnly: false, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any, { kind: 'notWalked' }, any], returns: 'int', isKfunc: true, sleepableOnly: true },
  // the socket casts of net/core/filter.c (ARG_PTR_TO_BTF_ID_SOCK_COMMON -> RET_PTR_TO_BTF_ID_OR_NULL): NULL unless the
  // socket is of that kind, so the result needs a NULL check
  { name: 'bpf_skc_to_tcp6_sock', id: 136, gplOnly: false, args: [sockCommon], returns: 'btfOrNull', returnStruct: 'tcp6_sock' },
  { name: 'bpf_skc_to_tcp_sock', id: 137, gplOnly: false, args: [sockCommon], returns: 'btfOrNull', returnStruct: 'tcp_sock' },
  { name: 'bpf_skc_to_tcp_timewait_sock', id: 138, gplOnly: false, args: [sockCommon], returns: 'btfOrNull', returnStruct: 'tcp_timewait_sock' },
  { name: 'bpf_skc_to_tcp_request_sock', id: 139, gplOnly: false, args: [sockCommon], returns: 'btfOrNull', returnStruct: 'tcp_request_sock' },
  { name: 'bpf_skc_to_udp6_sock', id: 140, gplOnly: false, args: [sockCommon], returns: 'btfOrNull', returnStruct: 'udp6_sock' },
  { name: 'bpf_skc_to_unix_sock', id: 178, gplOnly: false, args: [sockCommon], returns: 'btfOrNull', returnStruct: 'unix_sock' },
  // bpf_sock_destroy() (net/core/filter.c): KF_TRUSTED_ARGS, allowed for BPF_TRACE_ITER (tracing_iter_filter()); only
  // the tcp and udp iterators give trusted sockets, so it works there only
  { name: 'bpf_sock_destroy', id: -1, gplOnly: false, args: [{ kind: 'trusted', btf: 'sock_common' }], returns: 'int', isKfunc: true },
  { name: 'bpf_map_sum_elem_count', id: -1, gplOnly: false, args: [{ kind: 'trusted', btf: 'bpf_map' }], returns: 'long', isKfunc: true },
  // kernel/bpf/helpers.c, in generic_btf_ids (every program type): bpf_task_acquire() is KF_ACQUIRE | KF_RCU |
  // KF_RET_NULL (a trusted or RCU task in, a counted reference or NULL out), bpf_task_release() KF_RELEASE;
  // bpf_rcu_read_lock()/unlock() open and close the section check_kfunc_call() tracks (active_rcu_lock)
  { name: 'bpf_task_acquire', id: -1, gplOnly: false, args: [{ kind: 'trusted', btf: 'task_struct', rcu: true }], returns: 'acquiredOrNull', returnStruct: 'task_struct', isKfunc: true },
  { name: 'bpf_task_release', id: -1, gplOnly: false, args: [{ kind: 'release', btf: 'task_struct' }], returns: 'void', isKfunc: true },
  // bpf_task_from_pid() is KF_ACQUIRE | KF_RET_NULL: a task looked up by its global pid, released by bpf_task_release()
  { name: 'bpf_task_from_pid', id: -1, gplOnly: false, args: [any], returns: 'acquiredOrNull', returnStruct: 'task_struct', isKfunc: true },
  // the cgroup counterparts (kernel/bpf/helpers.c, generic_btf_ids): bpf_cgroup_acquire() KF_ACQUIRE | KF_RCU |
  // KF_RET_NULL, bpf_cgroup_from_id() KF_ACQUIRE | KF_RET_NULL, bpf_cgroup_release() KF_RELEASE
  { name: 'bpf_cgroup_acquire', id: -1, gplOnly: false, args: [{ kind: 'trusted', btf: 'cgroup', rcu: true }], returns: 'acquiredOrNull', returnStruct: 'cgroup', isKfunc: true },
  { name: 'bpf_cgroup_from_id', id: -1, gplOnly: false, args: [any], returns: 'acquiredOrNull', returnStruct: 'cgroup', isKfunc: true },
  // bpf_cgroup_ancestor() KF_ACQUIRE | KF_RCU | KF_RET_NULL: a reference to the ancestor at a level, released as the others
  { name: 'bpf_cgroup_ancestor', id: -1, gplOnly: false, args: [{ kind: 'trusted', btf: 'cgroup', rcu: true }, any], returns: 'acquiredOrNull', returnStruct: 'cgroup', isKfunc: true },
  { name: 'bpf_cgroup_release', id: -1, gplOnly: false, args: [{ kind: 'release', btf: 'cgroup' }], returns: 'void', isKfunc: true },
  // bpf_rdonly_cast(obj, bpf_core_type_id_kernel(T)) (kernel/bpf/helpers.c, common_btf_ids, KF_FASTCALL): the same
  // address as a PTR_TO_BTF_ID | PTR_UNTRUSTED of T (check_kfunc_call()): read-only, taken by no helper
  { name: 'bpf_rdonly_cast', id: -1, gplOnly: false, args: [any, any], returns: 'btfUntrusted', isKfunc: true },
  { name: 'bpf_rcu_read_lock', id: -1, gplOnly: false, args: [], returns: 'void', isKfunc: true, rcu: 'lock' },
  { name: 'bpf_rcu_read_unlock', id: -1, gplOnly: false, args: [], returns: 'void', isKfunc: true, rcu: 'unlock' },
  // the open-coded iterators (numbers, tasks...: kernel/openIters.ts), in common_btf_ids / generic_btf_ids: every program
  // type may use them
  ...ITER_KINDS.flatMap((k): HelperInfo[] => [
    { name: k.newKfunc, id: -1, gplOnly: false, args: [{ kind: 'iter', iter: k.kind, op: 'new' }, ...k.newArgs.map(iterNewArg)], returns: 'int', isKfunc: true, ...sleepable(k) },
    { name: k.nextKfunc, id: -1, gplOnly: false, args: [{ kind: 'iter', iter: k.kind, op: 'next' }], returns: 'iterNext', isKfunc: true, ...sleepable(k) },
    { name: k.destroyKfunc, id: -1, gplOnly: false, args: [{ kind: 'iter', iter: k.kind, op: 'destroy' }], returns: 'void', isKfunc: true, ...sleepable(k) },
  ]),
];

/** KF_SLEEPABLE iterator kfuncs (the kmem_cache iterator's) */
function sleepable(k: { sleepable?: boolean }): { sleepableOnly?: boolean } {
  return k.sleepable ? { sleepableOnly: true } : {};
}

/** An argument of an iterator's new() kfunc as the checker takes it. */
function iterNewArg(a: IterNewArg): HelperArgKind {
  return a.kind === 'scalar' ? any : { kind: 'trusted', btf: a.btf, ...(a.nullable ? { nullable: true } : {}), ...(a.rcu ? { rcu: true } : {}) };
}

/**
 * Helpers that exist in the kernel but whose func_proto for iterator programs is NULL ("program of this type cannot
 * use helper"): measured on Linux 6.18 by loading an iter/bpf_map program that calls each helper id (see
 * test/oracle/kernel-helpers.test.ts). bpf_get_func_ip is given, then refused: only fentry/fexit/fmod_ret may.
 */
const notAllowedForIter: Array<[string, number]> = [
  ['bpf_skb_store_bytes', 9], ['bpf_l3_csum_replace', 10], ['bpf_l4_csum_replace', 11], ['bpf_clone_redirect', 13], ['bpf_skb_vlan_push', 18],
  ['bpf_skb_vlan_pop', 19], ['bpf_skb_get_tunnel_key', 20], ['bpf_skb_set_tunnel_key', 21], ['bpf_redirect', 23], ['bpf_get_route_realm', 24],
  ['bpf_skb_load_bytes', 26], ['bpf_csum_diff', 28], ['bpf_skb_get_tunnel_opt', 29], ['bpf_skb_set_tunnel_opt', 30], ['bpf_skb_change_proto', 31],
  ['bpf_skb_change_type', 32], ['bpf_skb_under_cgroup', 33], ['bpf_get_hash_recalc', 34], ['bpf_probe_write_user', 36], ['bpf_skb_change_tail', 38],
  ['bpf_skb_pull_data', 39], ['bpf_csum_update', 40], ['bpf_set_hash_invalid', 41], ['bpf_skb_change_head', 43], ['bpf_xdp_adjust_head', 44],
  ['bpf_get_socket_uid', 47], ['bpf_set_hash', 48], ['bpf_skb_adjust_room', 50], ['bpf_redirect_map', 51], ['bpf_sk_redirect_map', 52],
  ['bpf_sock_map_update', 53], ['bpf_xdp_adjust_meta', 54], ['bpf_perf_prog_read_value', 56], ['bpf_override_return', 58],
  ['bpf_sock_ops_cb_flags_set', 59], ['bpf_msg_redirect_map', 60], ['bpf_msg_apply_bytes', 61], ['bpf_msg_cork_bytes', 62], ['bpf_msg_pull_data', 63],
  ['bpf_bind', 64], ['bpf_xdp_adjust_tail', 65], ['bpf_skb_get_xfrm_state', 66], ['bpf_skb_load_bytes_relative', 68], ['bpf_fib_lookup', 69],
  ['bpf_sock_hash_update', 70], ['bpf_msg_redirect_hash', 71], ['bpf_sk_redirect_hash', 72], ['bpf_lwt_push_encap', 73], ['bpf_lwt_seg6_store_bytes', 74],
  ['bpf_lwt_seg6_adjust_srh', 75], ['bpf_lwt_seg6_action', 76], ['bpf_rc_repeat', 77], ['bpf_rc_keydown', 78], ['bpf_skb_cgroup_id', 79],
  ['bpf_get_local_storage', 81], ['bpf_sk_select_reuseport', 82], ['bpf_skb_ancestor_cgroup_id', 83], ['bpf_sk_lookup_tcp', 84], ['bpf_sk_lookup_udp', 85],
  ['bpf_sk_release', 86], ['bpf_msg_push_data', 90], ['bpf_msg_pop_data', 91], ['bpf_rc_pointer_rel', 92], ['bpf_sk_fullsock', 95], ['bpf_tcp_sock', 96],
  ['bpf_skb_ecn_set_ce', 97], ['bpf_get_listener_sock', 98], ['bpf_skc_lookup_tcp', 99], ['bpf_tcp_check_syncookie', 100], ['bpf_sysctl_get_name', 101],
  ['bpf_sysctl_get_current_value', 102], ['bpf_sysctl_get_new_value', 103], ['bpf_sysctl_set_new_value', 104], ['bpf_tcp_gen_syncookie', 110],
  ['bpf_tcp_send_ack', 116], ['bpf_read_branch_records', 119], ['bpf_get_netns_cookie', 122], ['bpf_sk_assign', 124], ['bpf_sk_cgroup_id', 128],
  ['bpf_sk_ancestor_cgroup_id', 129], ['bpf_csum_level', 135], ['bpf_load_hdr_opt', 142], ['bpf_store_hdr_opt', 143], ['bpf_reserve_hdr_opt', 144],
  ['bpf_inode_storage_get', 145], ['bpf_inode_storage_delete', 146], ['bpf_skb_cgroup_classid', 151], ['bpf_redirect_neigh', 152], ['bpf_redirect_peer', 155],
  ['bpf_bprm_opts_set', 159], ['bpf_ktime_get_coarse_ns', 160], ['bpf_ima_inode_hash', 161], ['bpf_check_mtu', 163], ['bpf_sys_bpf', 166],
  ['bpf_btf_find_by_name_kind', 167], ['bpf_sys_close', 168], ['bpf_get_func_ip', 173], ['bpf_get_attach_cookie', 174], ['bpf_kallsyms_lookup_name', 179],
  ['bpf_get_func_arg', 183], ['bpf_get_func_ret', 184], ['bpf_get_func_arg_cnt', 185], ['bpf_get_retval', 186], ['bpf_set_retval', 187],
  ['bpf_xdp_load_bytes', 189], ['bpf_xdp_store_bytes', 190], ['bpf_skb_set_tstamp', 192], ['bpf_ima_file_hash', 193],
  ['bpf_tcp_raw_gen_syncookie_ipv4', 204], ['bpf_tcp_raw_gen_syncookie_ipv6', 205], ['bpf_tcp_raw_check_syncookie_ipv4', 206],
  ['bpf_tcp_raw_check_syncookie_ipv6', 207],
];

/**
 * Helpers iterator programs may call (measured as above) that this checker does not model: their arguments are not
 * checked and their result is unknown to it (a warning says so), never a false "unknown func".
 */
const allowedNotModelled: Array<[string, number]> = [
  ['bpf_perf_event_read', 22], ['bpf_get_stackid', 27], ['bpf_current_task_under_cgroup', 37], ['bpf_perf_event_read_value', 55], ['bpf_spin_lock', 93],
  ['bpf_spin_unlock', 94], ['bpf_skb_output', 111], ['bpf_get_ns_current_pid_tgid', 120], ['bpf_xdp_output', 121], ['bpf_ringbuf_reserve', 131],
  ['bpf_ringbuf_submit', 132], ['bpf_ringbuf_discard', 133], ['bpf_ringbuf_query', 134], ['bpf_per_cpu_ptr', 153], ['bpf_this_cpu_ptr', 154],
  ['bpf_timer_init', 169], ['bpf_timer_set_callback', 170], ['bpf_timer_start', 171],
  ['bpf_timer_cancel', 172], ['bpf_get_branch_snapshot', 176], ['bpf_xdp_get_buff_len', 188], ['bpf_kptr_xchg', 194],
  ['bpf_skc_to_mptcp_sock', 196], ['bpf_dynptr_from_mem', 197], ['bpf_ringbuf_reserve_dynptr', 198], ['bpf_ringbuf_submit_dynptr', 199],
  ['bpf_ringbuf_discard_dynptr', 200], ['bpf_dynptr_read', 201], ['bpf_dynptr_write', 202], ['bpf_dynptr_data', 203], ['bpf_user_ringbuf_drain', 209],
  ['bpf_cgrp_storage_get', 210], ['bpf_cgrp_storage_delete', 211],
];

/**
 * Helpers not modelled by the checker (allowedNotModelled) that the simulated kernel runs all the same: a run goes
 * past them. test/unit/checker/helperSimulation.test.ts keeps it equal to what kernel/bpfHelpers.ts has of that list.
 */
export const NOT_MODELLED_BUT_SIMULATED: ReadonlySet<string> = new Set(['bpf_spin_lock', 'bpf_spin_unlock']);

/**
 * Helpers of the table above (their arguments are checked) that the simulated kernel does not run: a run stops at
 * the call. Most read the current task, which for an iterator is the process reading the seq_file (`cat`), and the
 * simulated machine has no reader. test/unit/checker/helperSimulation.test.ts keeps this list equal to what
 * kernel/bpfHelpers.ts lacks.
 */
export const HELPERS_NOT_SIMULATED: ReadonlySet<string> = new Set([
  'bpf_tail_call', 'bpf_get_current_pid_tgid', 'bpf_get_current_uid_gid', 'bpf_get_current_comm', 'bpf_perf_event_output',
  'bpf_get_current_task', 'bpf_send_signal', 'bpf_probe_read_user', 'bpf_probe_read_user_str', 'bpf_ringbuf_output',
  'bpf_snprintf_btf', 'bpf_seq_printf_btf', 'bpf_get_current_task_btf', 'bpf_task_pt_regs', 'bpf_ktime_get_tai_ns', 'bpf_get_cgroup_classid',
  'bpf_get_current_cgroup_id', 'bpf_get_current_ancestor_cgroup_id', 'bpf_send_signal_thread',
  'bpf_get_stack', 'bpf_setsockopt', 'bpf_getsockopt', 'bpf_copy_from_user',
]);

/** Why a helper of HELPERS_NOT_SIMULATED is not, for the warning. */
export function notSimulatedReason(name: string): string {
  return /^bpf_get_current_|^bpf_send_signal|^bpf_probe_read_user|^bpf_copy_from_user$/.test(name)
    ? 'it acts on the current task, which for an iterator is the process reading it (cat), and the simulated machine has no reader'
    : 'the simulated kernel has no implementation of it';
}

/** __BPF_FUNC_MAX_ID - 1 of Linux 6.18: a higher id is "invalid func unknown#N". */
export const LAST_HELPER_ID = 211;

const byName = new Map<string, HelperInfo>(allowed.map((h) => [h.name, h]));
const disallowedByName = new Map<string, number>(notAllowedForIter);

const notModelledByName = new Map<string, number>(allowedNotModelled);

const nameById = new Map<number, string>([
  ...allowed.filter((h) => !h.isKfunc).map((h): [number, string] => [h.id, h.name]),
  ...notAllowedForIter.map(([name, id]): [number, string] => [id, name]),
  ...allowedNotModelled.map(([name, id]): [number, string] => [id, name]),
]);

/**
 * The kernel's name of helper number `id` (what func_id_name() prints), when this table knows it. The call
 * instruction holds only the number, so a project that declares `static long (*seq_printf)(...) = (void *)126;`
 * calls bpf_seq_printf whatever it names the pointer.
 */
export function helperNameById(id: number): string | undefined {
  return nameById.get(id);
}

export type HelperLookup =
  | { status: 'allowed'; info: HelperInfo }
  | { status: 'notAllowed'; id: number }
  | { status: 'mightSleep'; id: number }
  | { status: 'kfuncSleepable' }
  | { status: 'kfuncNotAllowed' }
  | { status: 'notModelled'; id: number }
  | { status: 'unknown' };

/** What the calling program is: its iterator target and whether it is sleepable (iter.s). */
export interface HelperCaller { target?: string; sleepable?: boolean }

/**
 * Mirrors check_helper_call(): get_func_proto() (tracing_prog_func_proto(), then the target's own protos) → "program
 * of this type cannot use helper"; a might_sleep proto in a non-sleepable program → "helper call might sleep".
 */
export function lookupHelper(name: string, caller: HelperCaller = {}): HelperLookup {
  const info = byName.get(name);
  if (info) {
    if (info.targets && caller.target !== undefined && !info.targets.includes(caller.target)) return { status: 'notAllowed', id: info.id };
    if (info.sleepableOnly && !caller.sleepable) return info.isKfunc ? { status: 'kfuncSleepable' } : { status: 'mightSleep', id: info.id };
    return { status: 'allowed', info };
  }
  if (KFUNCS_NOT_FOR_TRACING.has(name)) return { status: 'kfuncNotAllowed' };
  const id = disallowedByName.get(name);
  if (id !== undefined) return { status: 'notAllowed', id };
  const notModelled = notModelledByName.get(name);
  if (notModelled !== undefined) return { status: 'notModelled', id: notModelled };
  return { status: 'unknown' };
}

/**
 * Kfuncs of 6.18 registered for other program types only, so check_kfunc_call() finds no kfunc set of a tracing
 * program that has them: "calling kernel function %s is not allowed" (EACCES). fs/bpf_fs_kfuncs.c registers its set
 * for BPF_PROG_TYPE_LSM alone; each measured in an iter/task or iter/task_file program.
 */
const KFUNCS_NOT_FOR_TRACING = new Set(['bpf_get_task_exe_file', 'bpf_put_file', 'bpf_path_d_path', 'bpf_get_file_xattr']);

/** A kfunc the simulated 6.18 kernel's BTF has: what libbpf resolves an extern `__ksym` function against. */
export function isKernelKfunc(name: string): boolean {
  return byName.get(name)?.isKfunc === true;
}

export function iterHelperNames(): string[] { return allowed.map((h) => h.name); }

/** The helpers iterator programs may call that the checker does not model (allowedNotModelled). */
export function notModelledHelperNames(): string[] { return allowedNotModelled.map(([name]) => name); }

/** The kfunc that releases what each KF_ACQUIRE kfunc returns (named in the reference-leak diagnostic). */
export const KFUNC_RELEASE_OF: Readonly<Record<string, string>> = {
  bpf_task_acquire: 'bpf_task_release', bpf_task_from_pid: 'bpf_task_release',
  bpf_cgroup_acquire: 'bpf_cgroup_release', bpf_cgroup_from_id: 'bpf_cgroup_release', bpf_cgroup_ancestor: 'bpf_cgroup_release',
};

/**
 * The arguments of ExternNotResolved for an extern function libbpf cannot resolve (mirrors
 * bpf_object__collect_externs()): an implicit declaration has no BTF, an extern outside .ksyms no kfunc section.
 */
export function externNotResolvedArgs(name: string, kind: 'implicit' | 'notKsym'): string[] {
  return kind === 'implicit'
    ? [name, 'no declaration (clang 14 declares it implicitly, without BTF)', `failed to find BTF for extern '${name}': -2`]
    : [name, 'is not a __ksym kfunc (its extern is outside the .ksyms section)', `failed to find BTF for extern '${name}' [N] section: -2`];
}
