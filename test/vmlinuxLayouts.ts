/**
 * vmlinux.h as bpftool 7.3 and later write it (Linux 6.8 on; the form a user on a current distribution generates,
 * and libbpf-tools' checked-in x86/vmlinux.h): before the types, `__ksym`, `__weak` and `__bpf_fastcall` defined
 * under `#ifndef` / `#if __has_attribute(...)`; after them, a comment line and the kfuncs' prototypes
 * (`extern ... __weak __ksym;`) inside `#ifndef BPF_NO_KFUNC_PROTOTYPES`. Made here from a header of the earlier
 * layout (this machine's bpftool 7.1 output, or the bundled one): bpftool's layout, our text. Used by the unit test
 * of the layout and by the wire benchmark.
 */

/** The macros bpftool writes before the types. */
const MACROS = `#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif

#ifndef __weak
#define __weak __attribute__((weak))
#endif

#ifndef __bpf_fastcall
#if __has_attribute(bpf_fastcall)
#define __bpf_fastcall __attribute__((bpf_fastcall))
#else
#define __bpf_fastcall
#endif
#endif
`;

/** A few of Linux 6.18's kfuncs, with the prototypes the kernel's BTF gives them. */
export const KFUNC_PROTOTYPES: readonly string[] = [
  'extern __bpf_fastcall void *bpf_cast_to_kern_ctx(void *obj) __weak __ksym;',
  'extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __weak __ksym;',
  'extern void bpf_rcu_read_lock(void) __weak __ksym;',
  'extern void bpf_rcu_read_unlock(void) __weak __ksym;',
  'extern struct task_struct *bpf_task_from_pid(s32 pid) __weak __ksym;',
  'extern void bpf_task_release(struct task_struct *p) __weak __ksym;',
];

const PUSH = '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n';
const POP = '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n';

/** `header` (bpftool 7.1's layout) laid out as bpftool 7.5 writes it. */
export function bpftool75Layout(header: string): string {
  if (!header.includes(PUSH) || !header.includes(POP)) throw new Error('not a vmlinux.h of bpftool 7.1\'s layout: no preserve_access_index pragmas');
  const kfuncs = `\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n${KFUNC_PROTOTYPES.join('\n')}\n#endif\n\n`;
  const at = header.lastIndexOf(POP);
  return (header.slice(0, at) + kfuncs + header.slice(at)).replace(PUSH, `${PUSH}\n${MACROS}`);
}
