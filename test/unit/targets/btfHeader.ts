/**
 * A vmlinux.h made from the simulated kernel's BTF table (server/src/kernel/btfTable.ts), so tests of the non-map
 * targets can read task_struct, file, vm_area_struct... with exactly the simulated kernel's layouts, whatever the
 * bundled vmlinux.h is (it is the whole 6.18 one now). Fields keep the BTF offsets (explicit padding); fields sharing an offset become an
 * anonymous union; embedded structs the table does not describe are byte arrays of their size.
 */
import * as path from 'path';
import { kernelBtf, BtfField } from '../../../server/src/kernel/btf';
import { FIXTURE_PATH } from '../service/fourslash';
import { ITER_KINDS } from '../../../server/src/kernel/openIters';

const INTS: Record<number, [string, string]> = { 1: ['__s8', '__u8'], 2: ['__s16', '__u16'], 4: ['__s32', '__u32'], 8: ['__s64', '__u64'] };
const SIGNED = new Set(['int', 'long', 'long long', 'short', 'signed char', 's8', 's16', 's32', 's64', 'loff_t', 'ssize_t', 'pid_t', 'ktime_t']);

function declare(f: BtfField, name: string): string {
  const t = f.typeName.replace(/\b(const|volatile)\s+/g, '').trim();
  if (t.endsWith('*')) {
    const m = /^(struct|union) ([A-Za-z_]\w*) \*$/.exec(t);
    if (m) return `${m[1]} ${m[2]} *${name}`;
    if (/^(unsigned )?char \*$/.test(t) || t === 'char *') return `${t.replace(' *', '')} *${name}`;
    return `void *${name}`;
  }
  const arr = /^(.*)\[(\d+)\]$/.exec(t);
  if (arr) {
    if (arr[1] === 'char') return `char ${name}[${arr[2]}]`;
    // an array of a struct the table describes (signal_struct.rlim) stays one, so CO-RE finds its elements' fields
    const of = /^struct ([A-Za-z_]\w*)$/.exec(arr[1]);
    if (of && kernelBtf[of[1]] && kernelBtf[of[1]].size * Number(arr[2]) === f.size) return `struct ${of[1]} ${name}[${arr[2]}]`;
    // an array of struct pointers (css_set.subsys) stays one, so CO-RE indexes it and follows each pointer
    const ptrs = /^(struct|union) ([A-Za-z_]\w*) \*$/.exec(arr[1]);
    if (ptrs && 8 * Number(arr[2]) === f.size) return `${ptrs[1]} ${ptrs[2]} *${name}[${arr[2]}]`;
    return `unsigned char ${name}[${f.size}]`;
  }
  // an enum stays an enum: libbpf relocates an int field only against an int (bpf_core_fields_are_compat())
  const en = /^enum ([A-Za-z_]\w*)$/.exec(t);
  if (en && f.size === 4) return `enum ${en[1]} ${name}`;
  const composite = /^(struct|union) ([A-Za-z_]\w*)$/.exec(t);
  if (composite && kernelBtf[composite[2]]) return `struct ${composite[2]} ${name}`;
  if (kernelBtf[t]) return `struct ${t} ${name}`;
  if (composite || !INTS[f.size]) return `unsigned char ${name}[${f.size}]`;
  return `${INTS[f.size][SIGNED.has(t) ? 0 : 1]} ${name}`;
}

function structBody(name: string): string {
  const s = kernelBtf[name];
  const fields = s.fields.filter((f) => !f.bitfield && f.name !== '(anon)').sort((a, b) => a.offset - b.offset);
  const out: string[] = [];
  let at = 0;
  let pad = 0;
  for (let i = 0; i < fields.length;) {
    const group = [fields[i]];
    while (i + group.length < fields.length && fields[i + group.length].offset < fields[i].offset + Math.max(1, fields[i].size)) group.push(fields[i + group.length]);
    i += group.length;
    const start = group[0].offset;
    if (start < at) continue;
    if (start > at) out.push(`\tunsigned char __pad${pad++}[${start - at}];`);
    if (group.length === 1) out.push(`\t${declare(group[0], group[0].name)};`);
    else out.push(`\tunion {\n${group.filter((g) => g.offset === start).map((g) => `\t\t${declare(g, g.name)};`).join('\n')}\n\t};`);
    at = start + Math.max(...group.filter((g) => g.offset === start).map((g) => g.size));
  }
  if (s.size > at) out.push(`\tunsigned char __pad${pad++}[${s.size - at}];`);
  return `struct ${name} {\n${out.join('\n')}\n};`;
}

/** Dependencies first: a struct embedding another needs its definition. */
function ordered(): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (n: string): void => {
    if (done.has(n)) return;
    done.add(n);
    for (const f of kernelBtf[n].fields) {
      const t = f.typeName.replace(/\b(const|volatile)\s+/g, '').trim();
      const m = /^(?:struct |union )?([A-Za-z_]\w*)$/.exec(t);
      if (m && kernelBtf[m[1]] && !t.endsWith('*')) visit(m[1]);
    }
    order.push(n);
  };
  for (const n of Object.keys(kernelBtf)) visit(n);
  return order;
}

export function btfVmlinuxHeader(): string {
  const names = ordered();
  const forward = new Set<string>();
  for (const n of names) for (const f of kernelBtf[n].fields) {
    const m = /(?:struct|union) ([A-Za-z_]\w*) \*/.exec(f.typeName);
    if (m) forward.add(m[1]);
  }
  const enums = new Set<string>();
  for (const n of names) for (const f of kernelBtf[n].fields) {
    const m = /^(?:const )?enum ([A-Za-z_]\w*)$/.exec(f.typeName.trim());
    if (m && f.size === 4 && m[1] !== 'bpf_map_type') enums.add(m[1]);
  }
  return `#ifndef __VMLINUX_H__
#define __VMLINUX_H__
typedef signed char __s8; typedef unsigned char __u8; typedef short __s16; typedef unsigned short __u16;
typedef int __s32; typedef unsigned int __u32; typedef long long __s64; typedef unsigned long long __u64;
typedef __u8 u8; typedef __u16 u16; typedef __u32 u32; typedef __u64 u64; typedef __s8 s8; typedef __s16 s16; typedef __s32 s32; typedef __s64 s64;
typedef _Bool bool;
enum { false = 0, true = 1 };
typedef int pid_t; typedef unsigned int uid_t; typedef unsigned int gid_t; typedef long long loff_t;
typedef __u16 __be16; typedef __u32 __be32; typedef __u32 __wsum;
enum bpf_map_type { BPF_MAP_TYPE_UNSPEC = 0, BPF_MAP_TYPE_HASH = 1, BPF_MAP_TYPE_ARRAY = 2 };
${[...enums].map((e) => `enum ${e} { ${e}___first = 0 };`).join('\n')}
${ITER_KINDS.map((k) => `struct ${k.struct} { __u64 __opaque[${k.size / 8}]; } __attribute__((aligned(8)));`).join('\n')}
enum { BPF_TASK_ITER_ALL_PROCS = 0, BPF_TASK_ITER_ALL_THREADS = 1, BPF_TASK_ITER_PROC_THREADS = 2 };
enum { BPF_CGROUP_ITER_ORDER_UNSPEC = 0, BPF_CGROUP_ITER_SELF_ONLY = 1, BPF_CGROUP_ITER_DESCENDANTS_PRE = 2, BPF_CGROUP_ITER_DESCENDANTS_POST = 3, BPF_CGROUP_ITER_ANCESTORS_UP = 4 };
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
${[...forward].filter((n) => !kernelBtf[n]).map((n) => `struct ${n};`).join('\n')}
${names.filter((n) => !kernelBtf[n] || true).map((n) => `struct ${n};`).join('\n')}
${names.map(structBody).join('\n')}
#pragma clang attribute pop
#endif
`;
}

/** vmlinux.h beside the service fixture, made from the simulated kernel's BTF (every target's structs on any machine). */
export const TARGET_FILES: Record<string, string> = { [path.join(path.dirname(FIXTURE_PATH), 'vmlinux.h')]: btfVmlinuxHeader() };
