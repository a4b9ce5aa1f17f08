/**
 * Built-in knowledge shown by hover and completion and used by code lenses: ctx fields, iterator targets,
 * kfuncs, map types, format specifiers. One table, read by every feature (like the CSS language service's
 * property data). Helper documentation is not here: it is read from the comment above each helper's
 * declaration in libbpf's bpf_helper_defs.h, bundled or real, so it is always the header's own text.
 */

import { ITER_TARGETS as KERNEL_ITER_TARGETS, IterCtxField, IterTargetInfo, btfRegTypeName } from '../kernel/iterTargets';
import { SIMULATED_ITER_TARGETS } from '../kernel/kernel';
import { ITER_KINDS, type IterKind } from '../kernel/openIters';

export interface CtxFieldDoc {
  /** `ctx->map`, `meta->seq_num` ... as the user writes it. */
  label: string;
  type: string;
  nullable: boolean;
  access: 'read-only' | 'read-write' | 'trusted pointer' | 'read-only scalar';
  doc: string;
  /** Which iterator targets have it. */
  targets: string[];
}

const HAND_WRITTEN_CTX_FIELDS: Record<string, CtxFieldDoc> = {
  'bpf_iter__bpf_map.meta': {
    label: 'ctx->meta', type: 'struct bpf_iter_meta *', nullable: false, access: 'trusted pointer', targets: ['bpf_map'],
    doc: 'Iteration state shared by every iterator: the seq_file to print into, the session id and the number of the object being shown. Never NULL.',
  },
  'bpf_iter__bpf_map.map': {
    label: 'ctx->map', type: 'struct bpf_map *', nullable: true, access: 'trusted pointer', targets: ['bpf_map'],
    doc: 'The map being visited. Maps are visited in ascending map id. After the last map the iterator calls the program one more time with `map == NULL` (the in_stop call) so it can print a footer: check it for NULL before reading any field, or the verifier rejects the program with `invalid mem access \'trusted_ptr_or_null_\'`.',
  },
  'bpf_iter__bpf_map_elem.meta': {
    label: 'ctx->meta', type: 'struct bpf_iter_meta *', nullable: false, access: 'trusted pointer', targets: ['bpf_map_elem'],
    doc: 'Iteration state shared by every iterator: the seq_file to print into, the session id and the number of the element being shown. Never NULL.',
  },
  'bpf_iter__bpf_map_elem.map': {
    label: 'ctx->map', type: 'struct bpf_map *', nullable: false, access: 'trusted pointer', targets: ['bpf_map_elem'],
    doc: 'The map the link was attached to (`bpftool iter pin ... map id N`). Set in every call, the final one included; never NULL.',
  },
  'bpf_iter__bpf_map_elem.key': {
    label: 'ctx->key', type: 'void *', nullable: true, access: 'read-only', targets: ['bpf_map_elem'],
    doc: 'The element\'s key (arrays: the u32 index). Read-only: a write is rejected with `cannot write into rdonly_buf`. NULL in the final call after the last element, so check it first. The largest offset+size the program reads through it must not exceed the map\'s key_size, or attaching fails with EACCES.',
  },
  'bpf_iter__bpf_map_elem.value': {
    label: 'ctx->value', type: 'void *', nullable: true, access: 'read-write', targets: ['bpf_map_elem'],
    doc: 'The element\'s value. Writable: for hash and array maps writes change the map; for per-CPU maps it points at a copy of all CPUs\' values, `round_up(value_size, 8)` bytes per CPU in CPU order, and writes do not reach the map. NULL in the final call. Accesses beyond value_size (per-CPU: `round_up(value_size, 8) * num_possible_cpus()`) make attach fail with EACCES.',
  },
  'bpf_iter_meta.seq': {
    label: 'meta->seq', type: 'struct seq_file *', nullable: false, access: 'trusted pointer', targets: ['bpf_map', 'bpf_map_elem'],
    doc: 'The seq_file the iterator prints into with `bpf_seq_printf()` / `bpf_seq_write()` (`BPF_SEQ_PRINTF`). What is written is what `cat` of the pinned iterator shows.',
  },
  'bpf_iter_meta.session_id': {
    label: 'meta->session_id', type: '__u64', nullable: false, access: 'read-only scalar', targets: ['bpf_map', 'bpf_map_elem'],
    doc: 'Number of this iteration session: a global counter incremented each time an iterator file is opened (`BPF_ITER_CREATE` or `open()` of the pinned path); the first session is 1.',
  },
  'bpf_iter_meta.seq_num': {
    label: 'meta->seq_num', type: '__u64', nullable: false, access: 'read-only scalar', targets: ['bpf_map', 'bpf_map_elem'],
    doc: 'Number of the object being shown in this session, from 0. It only grows when the iterator moves to a next object, so an object retried after a full buffer or a `return 1` sees the same seq_num, and the final NULL call sees the seq_num of the last object (0 when there was none).',
  },
};

export interface TargetDoc {
  section: string;
  ctxType: string;
  simulated: boolean;
  doc: string;
}

const HAND_WRITTEN_TARGETS: Record<string, Pick<TargetDoc, 'doc'>> = {
  bpf_map: {
    doc: 'Walks every BPF map of the system in ascending map id (`bpf_map_get_curr_or_next()`), taking a reference on each while it is shown, then calls the program once more with `ctx->map == NULL`.',
  },
  bpf_map_elem: {
    doc: 'Walks every element of one map given at attach time (hash, lru_hash, array and their per-CPU variants): hash maps bucket by bucket in list order, arrays by index. Ends with a call where key and value are NULL.',
  },
};

function attachDoc(t: IterTargetInfo): string {
  switch (t.attach) {
    case 'map': return ' Attach needs a map (`link_info.map.map_fd`, `bpftool iter pin ... map id N`).';
    case 'task': return ' Attach may name one thread (`link_info.task.tid`), one process (`pid` or `pid_fd`); more than one of them is EINVAL.';
    case 'cgroup': return ' Attach needs `link_info.cgroup.order` (self_only, descendants_pre/post, ancestors_up: 0 is EINVAL) and a `cgroup_fd` or `cgroup_id` (both: EINVAL; neither: the root).';
    default: return '';
  }
}

/** Iterator targets for hover and completion: the kernel's table (kernel/iterTargets.ts) with the map targets' longer texts. */
export const ITER_TARGETS: Record<string, TargetDoc> = Object.fromEntries(KERNEL_ITER_TARGETS.map((t) => [t.name, {
  section: `iter/${t.name}`, ctxType: `struct ${t.ctxStruct}`, simulated: SIMULATED_ITER_TARGETS.includes(t.name),
  doc: HAND_WRITTEN_TARGETS[t.name]?.doc ?? `Walks ${t.walks} (${t.source}), then calls the program once more with NULL objects.` +
    `${t.resched ? ' Sleepable programs (`iter.s/`) may attach (BPF_ITER_RESCHED).' : ''}${attachDoc(t)}`,
}]));

function ctxFieldDoc(t: IterTargetInfo, f: IterCtxField): CtxFieldDoc {
  const label = `ctx->${f.name}`;
  const ty = f.type;
  switch (ty.kind) {
    case 'meta': return { label, type: 'struct bpf_iter_meta *', nullable: false, access: 'trusted pointer', targets: [t.name],
      doc: 'Iteration state shared by every iterator: the seq_file to print into, the session id and the number of the object being shown. Never NULL.' };
    case 'btf': return { label, type: `struct ${ty.struct} *`, nullable: ty.nullable, access: 'trusted pointer', targets: [t.name],
      doc: `The \`struct ${ty.struct}\` being shown, kernel memory read through BTF (read-only).` + (ty.nullable
        ? ` NULL in the final call after the last object: check it before reading a field, or the verifier rejects the program with \`invalid mem access '${btfRegTypeName(ty, true)}'\`.`
        : ' Never NULL.') };
    case 'buf': return { label, type: 'void *', nullable: true, access: ty.readonly ? 'read-only' : 'read-write', targets: [t.name],
      doc: `The element's ${ty.readonly ? 'key (read-only)' : 'value'}; NULL in the final call.` };
    default: return { label, type: f.size === 4 ? '__u32' : '__u64', nullable: false, access: 'read-only scalar', targets: [t.name],
      doc: f.name === 'fd' ? 'The file descriptor number of `ctx->file` in the task\'s file table.' : f.name === 'uid' ? 'The socket owner\'s uid, as seen from the reader\'s user namespace.' : `The ${f.name} of the object being shown.` };
  }
}

/** ctx fields of every target: the kernel's table, with the map targets' longer texts. */
export const CTX_FIELDS: Record<string, CtxFieldDoc> = {
  ...Object.fromEntries(KERNEL_ITER_TARGETS.flatMap((t) => t.fields.map((f): [string, CtxFieldDoc] => [`${t.ctxStruct}.${f.name}`, ctxFieldDoc(t, f)]))),
  ...HAND_WRITTEN_CTX_FIELDS,
  ...Object.fromEntries(['seq', 'session_id', 'seq_num'].map((n) => [`bpf_iter_meta.${n}`,
    { ...HAND_WRITTEN_CTX_FIELDS[`bpf_iter_meta.${n}`], targets: KERNEL_ITER_TARGETS.map((t) => t.name) }])),
};

export interface KfuncDoc { signature: string; doc: string; flags: string }

/**
 * The entry of a documentation table for a name from the user's text, or undefined: an own property only, so a name
 * such as `__proto__` or `constructor` is no entry (the fuzzer's `__proto__(` made signature help throw).
 */
export function docEntry<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

export const KFUNCS: Record<string, KfuncDoc> = {
  bpf_map_sum_elem_count: {
    signature: 's64 bpf_map_sum_elem_count(const struct bpf_map *map)',
    flags: 'KF_TRUSTED_ARGS',
    doc: 'Sum of the map\'s per-CPU element counters over all possible CPUs: the number of elements of hash, lru_hash, their per-CPU variants and hash_of_maps (evictions and deletes included). 0 for maps without counters (arrays and others) and for NULL. Declare it with `extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;`.',
  },
  bpf_task_acquire: {
    signature: 'struct task_struct *bpf_task_acquire(struct task_struct *p)',
    flags: 'KF_ACQUIRE | KF_RCU | KF_RET_NULL',
    doc: 'Takes a reference on a task, so it stays valid after the RCU read-side section that gave it (`task->real_parent` under `bpf_rcu_read_lock()`). Takes a trusted or RCU pointer, never NULL; returns the task or NULL (a task whose last reference is already gone). Check the result against NULL; every path that got a task must give it back with `bpf_task_release()` before the program exits, or the verifier refuses the program ("Unreleased reference"). Declare it with `extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;`.',
  },
  bpf_task_release: {
    signature: 'void bpf_task_release(struct task_struct *p)',
    flags: 'KF_RELEASE',
    doc: 'Gives back a reference `bpf_task_acquire()` took. Only that pointer may be released, never NULL (check the result of the acquire first); the pointer must not be used after. Declare it with `extern void bpf_task_release(struct task_struct *p) __ksym;`.',
  },
  bpf_rcu_read_lock: {
    signature: 'void bpf_rcu_read_lock(void)',
    flags: 'none',
    doc: 'Opens an RCU read-side section. Sections do not nest ("nested rcu read lock"), and the program must close it with `bpf_rcu_read_unlock()` on every path before it exits. A non-sleepable iterator runs inside one anyway; in an `iter.s/` program it makes RCU-protected fields (`task->real_parent`, `task->group_leader`) usable as RCU pointers. Declare it with `extern void bpf_rcu_read_lock(void) __ksym;`.',
  },
  bpf_rcu_read_unlock: {
    signature: 'void bpf_rcu_read_unlock(void)',
    flags: 'none',
    doc: 'Closes the RCU read-side section `bpf_rcu_read_lock()` opened; without one open before it the verifier refuses the program ("unmatched rcu read unlock"). Declare it with `extern void bpf_rcu_read_unlock(void) __ksym;`.',
  },
  ...Object.assign({}, ...ITER_KINDS.map(iterKfuncDocs)) as Record<string, KfuncDoc>,
};

/** The three kfuncs of each open-coded iterator kind, from its row in kernel/openIters.ts. */
function iterKfuncDocs(k: IterKind): Record<string, KfuncDoc> {
  const it = `struct ${k.struct} *it`;
  const item = k.next.kind === 'int' ? 'int *' : `struct ${k.next.struct} *`;
  const rcu = k.rcuProtected
    ? ' KF_RCU_PROTECTED: a non-sleepable program is always inside an RCU read-side section; an `iter.s/` program must call `bpf_rcu_read_lock()` before `new()` ("requires RCU critical section protection"), and any `bpf_rcu_read_unlock()` while the iterator is alive ends it: `next()`/`destroy()` after it are refused ("expected an RCU CS").'
    : '';
  const declare = (ret: string, name: string, params: string): string => `Declare it with \`extern ${ret}${ret.endsWith('*') ? '' : ' '}${name}(${params}) __weak __ksym;\`.`;
  const item2 = k.next.kind === 'int' ? 'a pointer to the current number' : `the next \`struct ${k.next.struct}\`${k.next.rcu ? ' as an RCU pointer (rcu_ptr_): fields can be read, `bpf_task_acquire()` takes it, but a kfunc wanting a trusted pointer (another iterator\'s `new()`, `bpf_task_release()`) does not ("must be referenced or trusted")' : ''}`;
  return {
    [k.newKfunc]: {
      signature: `int ${k.newKfunc}(${it}, ${k.newParams})`, flags: k.flags.new,
      doc: `Starts a ${k.description} in \`it\`, a \`struct ${k.struct}\` (${k.size} bytes) on the program's stack: it walks ${k.walks}. Returns 0 or a negative errno; even then the iterator counts as made: \`${k.destroyKfunc}()\` must end it on every path before the program exits ("would lead to reference leak"), and a second \`new()\` on it before that is refused.${rcu} ${declare('int', k.newKfunc, `${it}, ${k.newParams}`)}`,
    },
    [k.nextKfunc]: {
      signature: `${item}${k.nextKfunc}(${it})`, flags: k.flags.next,
      doc: `The ${k.description}'s next item: ${item2}, or NULL once it is done (or \`new()\` failed). \`while ((x = ${k.nextKfunc}(&it)))\` is a loop the verifier accepts without a bound: it ends when NULL comes. Check the result against NULL before reading through it. ${declare(item, k.nextKfunc, it)}`,
    },
    [k.destroyKfunc]: {
      signature: `void ${k.destroyKfunc}(${it})`, flags: k.flags.destroy,
      doc: `Ends the ${k.description} \`${k.newKfunc}()\` made in \`it\`, on every path, before the program exits. ${declare('void', k.destroyKfunc, it)}`,
    },
  };
}

export const MAP_TYPE_DOCS: Record<string, string> = {
  BPF_MAP_TYPE_HASH: 'Hash table. Iterated bucket by bucket; new elements go to the head of their bucket. Keeps element counters.',
  BPF_MAP_TYPE_ARRAY: 'Array of max_entries values indexed by a u32 key; always full, elements cannot be deleted.',
  BPF_MAP_TYPE_PERCPU_HASH: 'Hash table with one value per possible CPU; the iterator shows all CPUs\' values in one buffer.',
  BPF_MAP_TYPE_PERCPU_ARRAY: 'Array with one value per possible CPU.',
  BPF_MAP_TYPE_LRU_HASH: 'Hash table that evicts the least recently used element instead of failing with E2BIG when full.',
  BPF_MAP_TYPE_LRU_PERCPU_HASH: 'LRU hash with one value per possible CPU.',
  BPF_MAP_TYPE_RINGBUF: 'Ring buffer; not iterable by iter/bpf_map_elem (attach fails with EINVAL).',
  BPF_MAP_TYPE_QUEUE: 'FIFO queue without keys; not iterable by iter/bpf_map_elem.',
  BPF_MAP_TYPE_STACK: 'LIFO stack without keys; not iterable by iter/bpf_map_elem.',
  BPF_MAP_TYPE_BLOOM_FILTER: 'Bloom filter; not iterable by iter/bpf_map_elem.',
  BPF_MAP_TYPE_LPM_TRIE: 'Longest-prefix-match trie; not iterable by iter/bpf_map_elem.',
  BPF_MAP_TYPE_ARRAY_OF_MAPS: 'Array whose values are inner maps; not iterable by iter/bpf_map_elem.',
  BPF_MAP_TYPE_HASH_OF_MAPS: 'Hash whose values are inner maps; not iterable by iter/bpf_map_elem, but keeps element counters.',
};

export interface FormatSpecDoc { spec: string; doc: string }

/** What bpf_seq_printf accepts (bpf_bprintf_prepare()); anything else fails with -EINVAL. */
export const FORMAT_SPECIFIERS: FormatSpecDoc[] = [
  { spec: '%d', doc: 'int (low 32 bits of the argument), signed decimal' },
  { spec: '%i', doc: 'int, signed decimal' },
  { spec: '%u', doc: 'unsigned int, decimal' },
  { spec: '%x', doc: 'unsigned int, lowercase hex' },
  { spec: '%X', doc: 'unsigned int, uppercase hex' },
  { spec: '%ld', doc: 'long (64 bits), signed decimal' },
  { spec: '%lu', doc: 'unsigned long (64 bits), decimal' },
  { spec: '%lx', doc: 'unsigned long, hex' },
  { spec: '%lld', doc: 'long long (64 bits), signed decimal' },
  { spec: '%llu', doc: 'unsigned long long (64 bits), decimal' },
  { spec: '%llx', doc: 'unsigned long long, hex' },
  { spec: '%c', doc: 'one character (a byte)' },
  { spec: '%s', doc: 'NUL-terminated string read from a kernel address; an unreadable address prints an empty string' },
  { spec: '%p', doc: 'pointer value in hex (hashed in the real kernel unless the address is printed raw with %px)' },
  { spec: '%px', doc: 'raw pointer value in hex' },
  { spec: '%pK', doc: 'kernel pointer, subject to kptr_restrict' },
  { spec: '%pks', doc: 'string at a kernel address' },
  { spec: '%pus', doc: 'string at a user address' },
  { spec: '%pI4', doc: 'IPv4 address from a pointer to 4 bytes, dotted decimal: 10.0.0.1' },
  { spec: '%pi4', doc: 'IPv4 address from a pointer to 4 bytes, zero-padded: 010.000.000.001' },
  { spec: '%pI6', doc: 'IPv6 address from a pointer to 16 bytes, colon-separated groups' },
  { spec: '%pi6', doc: 'IPv6 address from a pointer to 16 bytes, 32 hex digits' },
  { spec: '%pS', doc: 'symbol name with offset for a kernel text address' },
  { spec: '%ps', doc: 'symbol name for a kernel text address' },
  { spec: '%pB', doc: 'symbol for a backtrace address' },
  { spec: '%%', doc: 'a literal %' },
];

export const DOCS_BASE_URL = 'https://github.com/bpf-iter-lab/bpf-iter-lab/blob/main/docs/diagnostics.md';
