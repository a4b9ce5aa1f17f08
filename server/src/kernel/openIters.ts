/**
 * The open-coded iterators of Linux 6.18 (KF_ITER_NEW / KF_ITER_NEXT / KF_ITER_DESTROY kfuncs over a `struct
 * bpf_iter_<kind>` on the program's stack), one row of facts per kind: the checker (lang/checker/helpers.ts builds the
 * three kfuncs' table entries from it, helperCalls.ts checks the stack slot and the RCU rule, verifier.ts the leak),
 * the loop bound (controlFlow.ts) and hover/completion (service/docs.ts) read it; the simulated kfuncs are in
 * bpfHelpers.ts. Mirrors the BTF_ID_FLAGS() of kernel/bpf/helpers.c and process_iter_arg() / is_kfunc_rcu_protected()
 * of kernel/bpf/verifier.c; each row measured on Linux 6.18.
 */

export type IterKindName = 'num' | 'bits' | 'task' | 'task_vma' | 'css' | 'css_task' | 'kmem_cache';

/** What next() returns besides NULL. */
export type IterNextValue =
  /** a read-only pointer to the iterator's current int (bpf_iter_num_next()) */
  | { kind: 'int' }
  /** PTR_TO_BTF_ID of `struct`: MEM_RCU when the kind's new() is KF_RCU_PROTECTED, else PTR_TRUSTED */
  | { kind: 'btf'; struct: string; rcu: boolean };

export interface IterKind {
  kind: IterKindName;
  /** the program's opaque struct (what sizeof() and the stack slot cover) */
  struct: string;
  size: number;
  /** what the diagnostics call it: "numbers iterator" */
  description: string;
  newKfunc: string;
  nextKfunc: string;
  destroyKfunc: string;
  /**
   * the arguments of new() after the iterator: a number, or a KF_TRUSTED_ARGS pointer to the BTF struct `btf`
   * (`nullable`: a `__nullable` parameter, which takes the constant NULL; `rcu`: KF_RCU, an RCU pointer will do)
   */
  newArgs: IterNewArg[];
  /** new()'s C parameters after the iterator, as the kernel declares them (hover, completion) */
  newParams: string;
  next: IterNextValue;
  /**
   * KF_RCU_PROTECTED (on new()): new() needs an RCU read-side section (a non-sleepable program is always in one; a sleepable
   * one needs bpf_rcu_read_lock()), and bpf_rcu_read_unlock() ends every such iterator alive: next()/destroy() on it
   * are refused ("expected an RCU CS when using %s").
   */
  rcuProtected: boolean;
  /** KF_SLEEPABLE on the three kfuncs: only a sleepable program (SEC("iter.s/...")) may call them */
  sleepable?: boolean;
  /** one line on what it walks, for hover */
  walks: string;
  /** the three kfuncs' BTF_ID_FLAGS(), for hover */
  flags: { new: string; next: string; destroy: string };
}

export type IterNewArg = { kind: 'scalar' } | { kind: 'trusted'; btf: string; nullable?: boolean; rcu?: boolean };

const any: IterNewArg = { kind: 'scalar' };

export const ITER_KINDS: readonly IterKind[] = [
  {
    kind: 'num', struct: 'bpf_iter_num', size: 8, description: 'numbers iterator',
    newKfunc: 'bpf_iter_num_new', nextKfunc: 'bpf_iter_num_next', destroyKfunc: 'bpf_iter_num_destroy',
    newArgs: [any, any], newParams: 'int start, int end', next: { kind: 'int' }, rcuProtected: false,
    walks: 'the integers start..end-1 (at most 8M of them; -EINVAL if start > end, -E2BIG past the bound)',
    flags: { new: 'KF_ITER_NEW', next: 'KF_ITER_NEXT | KF_RET_NULL', destroy: 'KF_ITER_DESTROY' },
  },
  {
    // bpf_iter_bits_new(it, const u64 *unsafe_ptr__ign, u32 nr_words) (kernel/bpf/helpers.c, common_btf_ids): the
    // pointer is any (__ign: read with bpf_probe_read_kernel()), next gives a read-only int, the set bit's index
    kind: 'bits', struct: 'bpf_iter_bits', size: 16, description: 'bits iterator',
    newKfunc: 'bpf_iter_bits_new', nextKfunc: 'bpf_iter_bits_next', destroyKfunc: 'bpf_iter_bits_destroy',
    newArgs: [any, any], newParams: 'const __u64 *unsafe_ptr__ign, __u32 nr_words', next: { kind: 'int' }, rcuProtected: false,
    walks: 'the indexes of the set bits of nr_words 64-bit words copied from the pointer at new(), lowest first; -EINVAL for a NULL pointer or 0 words, -E2BIG past 511 words, -EFAULT if the words cannot be read',
    flags: { new: 'KF_ITER_NEW', next: 'KF_ITER_NEXT | KF_RET_NULL', destroy: 'KF_ITER_DESTROY' },
  },
  {
    // bpf_iter_task_new(it, struct task_struct *task__nullable, unsigned int flags): KF_ITER_NEW | KF_TRUSTED_ARGS |
    // KF_RCU_PROTECTED, which marks the slot MEM_RCU; next (KF_ITER_NEXT | KF_RET_NULL) of such a slot gives an
    // rcu_ptr_task_struct, and next/destroy refuse it once bpf_rcu_read_unlock() made it PTR_UNTRUSTED
    kind: 'task', struct: 'bpf_iter_task', size: 24, description: 'task iterator',
    newKfunc: 'bpf_iter_task_new', nextKfunc: 'bpf_iter_task_next', destroyKfunc: 'bpf_iter_task_destroy',
    newArgs: [{ kind: 'trusted', btf: 'task_struct', nullable: true }, any], newParams: 'struct task_struct *task, unsigned int flags',
    next: { kind: 'btf', struct: 'task_struct', rcu: true }, rcuProtected: true,
    flags: { new: 'KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED', next: 'KF_ITER_NEXT | KF_RET_NULL', destroy: 'KF_ITER_DESTROY' },
    walks: 'every task of the machine from init_task (swapper/0) in fork order, whatever the reader\'s pid namespace: BPF_TASK_ITER_ALL_PROCS (0) the processes, BPF_TASK_ITER_ALL_THREADS (1) every thread, BPF_TASK_ITER_PROC_THREADS (2) the threads of `task` from it on; other flags, or PROC_THREADS with a NULL task: -EINVAL',
  },
  {
    // bpf_iter_task_vma_new(it, struct task_struct *task, u64 addr): KF_ITER_NEW | KF_RCU (a trusted or RCU task,
    // never NULL: "Possibly NULL pointer passed to trusted arg1"); next gives a trusted_ptr_vm_area_struct
    kind: 'task_vma', struct: 'bpf_iter_task_vma', size: 8, description: 'VMA iterator',
    newKfunc: 'bpf_iter_task_vma_new', nextKfunc: 'bpf_iter_task_vma_next', destroyKfunc: 'bpf_iter_task_vma_destroy',
    newArgs: [{ kind: 'trusted', btf: 'task_struct', rcu: true }, any], newParams: 'struct task_struct *task, __u64 addr',
    next: { kind: 'btf', struct: 'vm_area_struct', rcu: false }, rcuProtected: false,
    flags: { new: 'KF_ITER_NEW | KF_RCU', next: 'KF_ITER_NEXT | KF_RET_NULL', destroy: 'KF_ITER_DESTROY' },
    walks: 'the memory areas of `task`\'s mm in address order, from the one holding or after `addr` (its mmap lock held until destroy()); -ENOENT for a task without an mm (a kernel thread), -EBUSY if the lock is contended',
  },
  {
    // bpf_iter_css_new(it, struct cgroup_subsys_state *start, unsigned int flags): KF_ITER_NEW | KF_TRUSTED_ARGS |
    // KF_RCU_PROTECTED; next gives an rcu_ptr_cgroup_subsys_state
    kind: 'css', struct: 'bpf_iter_css', size: 24, description: 'css iterator',
    newKfunc: 'bpf_iter_css_new', nextKfunc: 'bpf_iter_css_next', destroyKfunc: 'bpf_iter_css_destroy',
    newArgs: [{ kind: 'trusted', btf: 'cgroup_subsys_state' }, any], newParams: 'struct cgroup_subsys_state *start, unsigned int flags',
    next: { kind: 'btf', struct: 'cgroup_subsys_state', rcu: true }, rcuProtected: true,
    flags: { new: 'KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED', next: 'KF_ITER_NEXT | KF_RET_NULL', destroy: 'KF_ITER_DESTROY' },
    walks: 'the cgroup hierarchy from `start` (`&cgrp->self`): BPF_CGROUP_ITER_DESCENDANTS_PRE (2) parents before children, BPF_CGROUP_ITER_DESCENDANTS_POST (3) children first and `start` last, BPF_CGROUP_ITER_ANCESTORS_UP (4) `start` then its parents to the root; other flags: -EINVAL',
  },
  {
    // bpf_iter_css_task_new(it, struct cgroup_subsys_state *css, unsigned int flags) (kernel/bpf/task_iter.c):
    // KF_ITER_NEW | KF_TRUSTED_ARGS, so a css walked from a task (task->cgroups->dfl_cgrp->self, MEM_RCU) is refused
    // ("R2 must be referenced or trusted", EINVAL) and &ctx->cgroup->self or an acquired cgroup's is taken; next gives a
    // trusted task. check_css_task_iter_allowlist() takes it in every iterator (BPF_TRACE_ITER), LSM and sleepable
    // programs (measured on 6.18 in iter/cgroup and iter/task)
    kind: 'css_task', struct: 'bpf_iter_css_task', size: 8, description: 'css task iterator',
    newKfunc: 'bpf_iter_css_task_new', nextKfunc: 'bpf_iter_css_task_next', destroyKfunc: 'bpf_iter_css_task_destroy',
    newArgs: [{ kind: 'trusted', btf: 'cgroup_subsys_state' }, any], newParams: 'struct cgroup_subsys_state *css, unsigned int flags',
    next: { kind: 'btf', struct: 'task_struct', rcu: false }, rcuProtected: false,
    flags: { new: 'KF_ITER_NEW | KF_TRUSTED_ARGS', next: 'KF_ITER_NEXT | KF_RET_NULL', destroy: 'KF_ITER_DESTROY' },
    walks: 'the tasks of the css\'s cgroup (not of its children) in the order they joined it: flags 0 every thread, CSS_TASK_ITER_PROCS (1) or PROCS | CSS_TASK_ITER_THREADED (3) the processes; other flags: -EINVAL',
  },
  {
    // bpf_iter_kmem_cache_new(it) (kernel/bpf/kmem_cache_iter.c): the three kfuncs are KF_SLEEPABLE ("program must be
    // sleepable to call sleepable kfunc", EACCES, measured on 6.18 in iter/task); next gives a trusted kmem_cache
    kind: 'kmem_cache', struct: 'bpf_iter_kmem_cache', size: 8, description: 'slab cache iterator',
    newKfunc: 'bpf_iter_kmem_cache_new', nextKfunc: 'bpf_iter_kmem_cache_next', destroyKfunc: 'bpf_iter_kmem_cache_destroy',
    newArgs: [], newParams: '', next: { kind: 'btf', struct: 'kmem_cache', rcu: false }, rcuProtected: false, sleepable: true,
    flags: { new: 'KF_ITER_NEW | KF_SLEEPABLE', next: 'KF_ITER_NEXT | KF_RET_NULL | KF_SLEEPABLE', destroy: 'KF_ITER_DESTROY | KF_SLEEPABLE' },
    walks: 'the slab caches in slab_caches order, as iter/kmem_cache does (a reference held on the current one); sleepable programs only',
  },
];

const byKind = new Map<IterKindName, IterKind>(ITER_KINDS.map((k) => [k.kind, k]));

export function iterKind(kind: IterKindName): IterKind {
  return byKind.get(kind)!;
}

/** The kind whose new/next/destroy kfunc this is. */
export function iterKindOfKfunc(name: string): { kind: IterKind; op: 'new' | 'next' | 'destroy' } | undefined {
  for (const k of ITER_KINDS) {
    if (name === k.newKfunc) return { kind: k, op: 'new' };
    if (name === k.nextKfunc) return { kind: k, op: 'next' };
    if (name === k.destroyKfunc) return { kind: k, op: 'destroy' };
  }
  return undefined;
}

/** iter_type_str() in the verifier's words: "iter_num", "iter_task". */
export function iterTypeName(k: IterKind): string {
  return `iter_${k.kind}`;
}
