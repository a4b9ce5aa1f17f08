/**
 * Helpers and kfuncs for iterator programs (BPF_PROG_TYPE_TRACING with expected_attach_type BPF_TRACE_ITER),
 * with their uapi ids (enum bpf_func_id), the argument kinds the verifier checks (enum bpf_arg_type) and
 * whether they are GPL-only. Mirrors tracing_prog_func_proto() -> bpf_tracing_func_proto() ->
 * bpf_base_func_proto(), plus the seq helpers that only BPF_TRACE_ITER gets.
 */

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
  /** ARG_PTR_TO_CONST_STR and other arguments not checked here. */
  | { kind: 'anything' }
  /** A kfunc argument with KF_TRUSTED_ARGS: a trusted, non-NULL pointer to the BTF struct `btf`. */
  | { kind: 'trusted'; btf: string }
  /** ARG_PTR_TO_FUNC: a static function of the program, called back by the helper. */
  | { kind: 'func' }
  /** ARG_PTR_TO_STACK_OR_NULL: the callback's context, on the program's stack (or NULL). */
  | { kind: 'stackOrNull' }
  /** KF_ARG_PTR_TO_ITER of struct bpf_iter_num: `new` needs an unused slot, `next`/`destroy` an initialised one. */
  | { kind: 'iterNum'; op: 'new' | 'next' | 'destroy' };

export type HelperReturn = 'mapValueOrNull' | 'long' | 'u64' | 'u32' | 'cpu' | 'void' | 'int' | 'iterNumNext' | 'btfOrNull';

export interface HelperInfo {
  name: string;
  id: number;
  gplOnly: boolean;
  args: HelperArgKind[];
  returns: HelperReturn;
  /** returns 'btfOrNull': the struct of the PTR_TO_BTF_ID_OR_NULL (RET_PTR_TO_BTF_ID_OR_NULL with ret_btf_id) */
  returnStruct?: string;
  isKfunc?: boolean;
}

const any: HelperArgKind = { kind: 'anything' };

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
  { name: 'bpf_probe_read_str', id: 45, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_map_push_elem', id: 87, gplOnly: false, args: [{ kind: 'map' }, { kind: 'mapValue', mapArg: 0 }, any], returns: 'long' },
  { name: 'bpf_map_pop_elem', id: 88, gplOnly: false, args: [{ kind: 'map' }, any], returns: 'long' },
  { name: 'bpf_map_peek_elem', id: 89, gplOnly: false, args: [{ kind: 'map' }, any], returns: 'long' },
  { name: 'bpf_send_signal', id: 109, gplOnly: false, args: [any], returns: 'long' },
  { name: 'bpf_probe_read_user', id: 112, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_probe_read_kernel', id: 113, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_probe_read_user_str', id: 114, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_probe_read_kernel_str', id: 115, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_jiffies64', id: 118, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_ktime_get_boot_ns', id: 125, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_seq_printf', id: 126, gplOnly: true, args: [{ kind: 'seq' }, { kind: 'memRead', sizeArg: 2 }, any, { kind: 'memRead', sizeArg: 4, nullable: true }, any], returns: 'long' },
  { name: 'bpf_seq_write', id: 127, gplOnly: true, args: [{ kind: 'seq' }, { kind: 'memRead', sizeArg: 2 }, any], returns: 'long' },
  { name: 'bpf_ringbuf_output', id: 130, gplOnly: false, args: [{ kind: 'map' }, { kind: 'memRead', sizeArg: 2 }, any, any], returns: 'long' },
  { name: 'bpf_get_task_stack', id: 141, gplOnly: false, args: [any, { kind: 'memWrite', sizeArg: 2 }, any, any], returns: 'long' },
  { name: 'bpf_d_path', id: 147, gplOnly: false, args: [any, { kind: 'memWrite', sizeArg: 2 }, any], returns: 'long' },
  { name: 'bpf_snprintf_btf', id: 149, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any, any, any], returns: 'long' },
  { name: 'bpf_seq_printf_btf', id: 150, gplOnly: true, args: [{ kind: 'seq' }, any, any, any], returns: 'long' },
  { name: 'bpf_get_current_task_btf', id: 158, gplOnly: true, args: [], returns: 'u64' },
  { name: 'bpf_ktime_get_coarse_ns', id: 160, gplOnly: false, args: [], returns: 'u64' },
  { name: 'bpf_for_each_map_elem', id: 164, gplOnly: false, args: [{ kind: 'map' }, { kind: 'func' }, { kind: 'stackOrNull' }, any], returns: 'long' },
  { name: 'bpf_snprintf', id: 165, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any, { kind: 'memRead', sizeArg: 4, nullable: true }, any], returns: 'long' },
  { name: 'bpf_trace_vprintk', id: 177, gplOnly: true, args: [{ kind: 'memRead', sizeArg: 1 }, any, { kind: 'memRead', sizeArg: 3, nullable: true }, any], returns: 'long' },
  { name: 'bpf_task_pt_regs', id: 175, gplOnly: true, args: [any], returns: 'u64' },
  { name: 'bpf_loop', id: 181, gplOnly: false, args: [any, { kind: 'func' }, { kind: 'stackOrNull' }, any], returns: 'long' },
  { name: 'bpf_strncmp', id: 182, gplOnly: false, args: [{ kind: 'memRead', sizeArg: 1 }, any, any], returns: 'long' },
  { name: 'bpf_copy_from_user_task', id: 191, gplOnly: true, args: [{ kind: 'memWrite', sizeArg: 1 }, any, any, any, any], returns: 'long' },
  { name: 'bpf_map_lookup_percpu_elem', id: 195, gplOnly: false, args: [{ kind: 'map' }, { kind: 'mapKey', mapArg: 0 }, any], returns: 'mapValueOrNull' },
  { name: 'bpf_ktime_get_tai_ns', id: 208, gplOnly: false, args: [], returns: 'u64' },
  // the socket casts of net/core/filter.c (ARG_PTR_TO_BTF_ID_SOCK_COMMON -> RET_PTR_TO_BTF_ID_OR_NULL): NULL unless the
  // socket is of that kind, so the result needs a NULL check
  { name: 'bpf_skc_to_tcp6_sock', id: 136, gplOnly: false, args: [any], returns: 'btfOrNull', returnStruct: 'tcp6_sock' },
  { name: 'bpf_skc_to_tcp_sock', id: 137, gplOnly: false, args: [any], returns: 'btfOrNull', returnStruct: 'tcp_sock' },
  { name: 'bpf_skc_to_tcp_timewait_sock', id: 138, gplOnly: false, args: [any], returns: 'btfOrNull', returnStruct: 'tcp_timewait_sock' },
  { name: 'bpf_skc_to_tcp_request_sock', id: 139, gplOnly: false, args: [any], returns: 'btfOrNull', returnStruct: 'tcp_request_sock' },
  { name: 'bpf_skc_to_udp6_sock', id: 140, gplOnly: false, args: [any], returns: 'btfOrNull', returnStruct: 'udp6_sock' },
  { name: 'bpf_skc_to_unix_sock', id: 178, gplOnly: false, args: [any], returns: 'btfOrNull', returnStruct: 'unix_sock' },
  // bpf_sock_destroy() (net/core/filter.c): KF_TRUSTED_ARGS, allowed for BPF_TRACE_ITER (tracing_iter_filter()); only
  // the tcp and udp iterators give trusted sockets, so it works there only
  { name: 'bpf_sock_destroy', id: -1, gplOnly: false, args: [{ kind: 'trusted', btf: 'sock_common' }], returns: 'int', isKfunc: true },
  { name: 'bpf_map_sum_elem_count', id: -1, gplOnly: false, args: [{ kind: 'trusted', btf: 'bpf_map' }], returns: 'long', isKfunc: true },
  // the numbers iterator (kernel/bpf/bpf_iter.c), in common_btf_ids: every program type may use it
  { name: 'bpf_iter_num_new', id: -1, gplOnly: false, args: [{ kind: 'iterNum', op: 'new' }, any, any], returns: 'int', isKfunc: true },
  { name: 'bpf_iter_num_next', id: -1, gplOnly: false, args: [{ kind: 'iterNum', op: 'next' }], returns: 'iterNumNext', isKfunc: true },
  { name: 'bpf_iter_num_destroy', id: -1, gplOnly: false, args: [{ kind: 'iterNum', op: 'destroy' }], returns: 'void', isKfunc: true },
];

/** Helpers that exist in the kernel but whose func_proto for tracing programs is NULL (networking, kprobe-only). */
const notAllowedForIter: Array<[string, number]> = [
  ['bpf_skb_store_bytes', 9], ['bpf_l3_csum_replace', 10], ['bpf_l4_csum_replace', 11], ['bpf_clone_redirect', 13],
  ['bpf_get_cgroup_classid', 17], ['bpf_skb_vlan_push', 18], ['bpf_skb_vlan_pop', 19], ['bpf_redirect', 23],
  ['bpf_skb_load_bytes', 26], ['bpf_csum_diff', 28], ['bpf_get_hash_recalc', 34], ['bpf_probe_write_user', 36],
  ['bpf_xdp_adjust_head', 44], ['bpf_get_socket_cookie', 46], ['bpf_redirect_map', 51], ['bpf_sk_redirect_map', 52],
  ['bpf_override_return', 58], ['bpf_xdp_adjust_tail', 65], ['bpf_get_stack', 67], ['bpf_fib_lookup', 69],
  ['bpf_get_local_storage', 81], ['bpf_sk_lookup_tcp', 84], ['bpf_sk_release', 86], ['bpf_get_func_ip', 173],
  ['bpf_get_attach_cookie', 174], ['bpf_get_func_arg', 183], ['bpf_get_func_ret', 184], ['bpf_get_retval', 186],
  ['bpf_set_retval', 187],
];

const byName = new Map<string, HelperInfo>(allowed.map((h) => [h.name, h]));
const disallowedByName = new Map<string, number>(notAllowedForIter);

const nameById = new Map<number, string>([
  ...allowed.filter((h) => !h.isKfunc).map((h): [number, string] => [h.id, h.name]),
  ...notAllowedForIter.map(([name, id]): [number, string] => [id, name]),
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
  | { status: 'unknown' };

/** Mirrors check_helper_call(): get_func_proto() → "unknown func" / "program of this type cannot use helper". */
export function lookupHelper(name: string): HelperLookup {
  const info = byName.get(name);
  if (info) return { status: 'allowed', info };
  const id = disallowedByName.get(name);
  if (id !== undefined) return { status: 'notAllowed', id };
  return { status: 'unknown' };
}

/** A kfunc the simulated 6.18 kernel's BTF has: what libbpf resolves an extern `__ksym` function against. */
export function isKernelKfunc(name: string): boolean {
  return byName.get(name)?.isKfunc === true;
}

export function iterHelperNames(): string[] { return allowed.map((h) => h.name); }
