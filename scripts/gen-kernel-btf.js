#!/usr/bin/env node
// Generates server/src/kernel/btfTable.ts from the running kernel's BTF
// (`bpftool btf dump file /sys/kernel/btf/vmlinux format raw`), so CO-RE field
// offsets of the simulated kernel match Linux on the machine that ran this script.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

// The map targets' structs, then every iterator target's ctx struct (kernel/iterTargets.ts) and the objects the
// simulated machine lays out as kernel memory (tasks, files, VMAs, programs, links, symbols, cgroups, sockets).
const STRUCTS = ['bpf_map', 'bpf_iter_meta', 'seq_file', 'bpf_iter__bpf_map', 'bpf_iter__bpf_map_elem', 'atomic64_t', 'atomic_t',
  'bpf_iter__bpf_prog', 'bpf_iter__bpf_link', 'bpf_iter__task', 'bpf_iter__task_file', 'bpf_iter__task_vma', 'bpf_iter__tcp',
  'bpf_iter__udp', 'bpf_iter__unix', 'bpf_iter__netlink', 'bpf_iter__ipv6_route', 'bpf_iter__ksym', 'bpf_iter__cgroup',
  'bpf_iter__kmem_cache', 'bpf_iter__dmabuf', 'bpf_iter__sockmap', 'bpf_iter__bpf_sk_storage_map',
  'task_struct', 'mm_struct', 'cred', 'files_struct', 'fdtable', 'file', 'path', 'dentry', 'qstr', 'inode', 'vm_area_struct',
  'pid', 'upid', 'pid_namespace', 'nsproxy', 'signal_struct', 'kuid_t', 'kgid_t', 'pt_regs', 'thread_struct',
  'bpf_prog', 'bpf_prog_aux', 'bpf_link', 'kallsym_iter', 'cgroup', 'kernfs_node', 'cgroup_subsys_state', 'kmem_cache', 'dma_buf',
  'sock_common', 'sock', 'inet_sock', 'inet_connection_sock', 'tcp_sock', 'udp_sock', 'unix_sock', 'netlink_sock', 'socket',
  'fib6_info', 'fib6_nh', 'in6_addr', 'possible_net_t', 'net'];
const raw = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { maxBuffer: 1 << 30 }).toString();
const types = new Map();
let current = null;
for (const line of raw.split('\n')) {
  const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
  if (head) {
    const rest = head[4];
    const num = (k) => { const m = new RegExp(`\\b${k}=(\\d+)`).exec(rest); return m ? Number(m[1]) : undefined; };
    current = { id: Number(head[1]), kind: head[2], name: head[3], size: num('size'), typeId: num('type_id'),
      nrElems: num('nr_elems'), bits: num('bits'), encoding: (/encoding=(\w+)/.exec(rest) || [])[1], members: [] };
    types.set(current.id, current);
    continue;
  }
  const member = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?/.exec(line);
  if (member && current && (current.kind === 'STRUCT' || current.kind === 'UNION')) {
    current.members.push({ name: member[1], typeId: Number(member[2]), bitsOffset: Number(member[3]), bitfieldSize: member[4] ? Number(member[4]) : 0 });
  }
}
function sizeOf(id) {
  const t = types.get(id);
  if (!t) return 0;
  switch (t.kind) {
    case 'PTR': return 8;
    case 'INT': case 'STRUCT': case 'UNION': case 'ENUM': case 'ENUM64': case 'FLOAT': return t.size;
    case 'ARRAY': { const m = /elem_type_id=(\d+)/.exec(''); void m; return sizeOf(t.elemTypeId) * t.nrElems; }
    default: return t.typeId !== undefined ? sizeOf(t.typeId) : 0;
  }
}
function nameOf(id) {
  const t = types.get(id);
  if (!t) return 'void';
  switch (t.kind) {
    case 'PTR': return nameOf(t.typeId) + ' *';
    case 'CONST': return 'const ' + nameOf(t.typeId);
    case 'VOLATILE': return 'volatile ' + nameOf(t.typeId);
    case 'ARRAY': return `${nameOf(t.elemTypeId)}[${t.nrElems}]`;
    case 'STRUCT': return t.name === '(anon)' ? 'struct (anon)' : 'struct ' + t.name;
    case 'UNION': return t.name === '(anon)' ? 'union (anon)' : 'union ' + t.name;
    case 'ENUM': case 'ENUM64': return 'enum ' + t.name;
    default: return t.name;
  }
}
// ARRAY lines carry elem type in "type_id=" and nr_elems; re-parse them.
for (const line of raw.split('\n')) {
  const m = /^\[(\d+)\] ARRAY '[^']*' type_id=(\d+) index_type_id=\d+ nr_elems=(\d+)/.exec(line);
  if (m) { const t = types.get(Number(m[1])); t.elemTypeId = Number(m[2]); t.nrElems = Number(m[3]); }
}
const out = {};
for (const name of STRUCTS) {
  const t = [...types.values()].find((x) => (x.kind === 'STRUCT' || x.kind === 'TYPEDEF') && x.name === name);
  if (!t) throw new Error(`struct ${name} not in kernel BTF`);
  const s = t.kind === 'TYPEDEF' ? types.get(t.typeId) : t;
  // __bpf_md_ptr() wraps each ctx pointer in an anonymous union { type *name; __u64 :64; }: name the field after it.
  const named = (mb) => {
    const u = types.get(mb.typeId);
    // (its second member is the `__u64 :64` padding, not an anonymous struct: sock_common's skc_addrpair/skc_portpair
    // unions hold a struct of skc_daddr/skc_rcv_saddr and skc_dport/skc_num there, which flatten() must reach)
    const pad = u && u.kind === 'UNION' && u.members.length === 2 ? types.get(u.members[1].typeId) : undefined;
    if (mb.name === '(anon)' && u && u.kind === 'UNION' && u.members.length === 2 && u.members[0].name !== '(anon)' && u.members[1].name === '(anon)' &&
        !(pad && (pad.kind === 'STRUCT' || pad.kind === 'UNION'))) {
      return { ...mb, name: u.members[0].name, typeId: u.members[0].typeId };
    }
    return mb;
  };
  // An anonymous struct or union's members are the parent's, as C names them (vm_area_struct.vm_start, qstr.name):
  // they are listed at their offsets from the parent so a field is found by its name alone.
  const flatten = (members, base) => members.map(named).flatMap((mb) => {
    const inner = types.get(mb.typeId);
    if (mb.name === '(anon)' && inner && (inner.kind === 'STRUCT' || inner.kind === 'UNION')) return flatten(inner.members, base + mb.bitsOffset);
    const bits = base + mb.bitsOffset;
    return [{ name: mb.name, offset: bits >> 3, size: sizeOf(mb.typeId), typeName: nameOf(mb.typeId),
      ...(mb.bitfieldSize ? { bitfield: { bitOffset: bits, bitSize: mb.bitfieldSize } } : {}) }];
  });
  out[name] = { size: s.size, fields: flatten(s.members, 0) };
}
// Typedefs the fields name: which stand for structs/unions (kuid_t, atomic_long_t) and which for signed integers,
// so the CO-RE compatibility check (btf.ts btfTypeShape) knows a field's kind without the whole BTF.
const compositeTypedefs = new Set();
const signedTypedefs = new Set();
const strip = (id) => { let t = types.get(id); while (t && (t.kind === 'CONST' || t.kind === 'VOLATILE' || t.kind === 'TYPEDEF')) t = types.get(t.typeId); return t; };
for (const t of types.values()) {
  if (t.kind !== 'TYPEDEF') continue;
  const r = strip(t.typeId);
  if (r && (r.kind === 'STRUCT' || r.kind === 'UNION')) compositeTypedefs.add(t.name);
  else if (r && r.kind === 'INT' && r.encoding === 'SIGNED') signedTypedefs.add(t.name);
}
const used = new Set();
for (const s of Object.values(out)) for (const f of s.fields) for (const w of f.typeName.replace(/[*\[\]0-9]/g, ' ').split(/\s+/)) used.add(w);
const release = execFileSync('uname', ['-r']).toString().trim();
const text = `// Generated by scripts/gen-kernel-btf.js from /sys/kernel/btf/vmlinux of Linux ${release}. Do not edit.\n` +
  `import type { BtfStruct } from './btf';\n\nexport const KERNEL_BTF_RELEASE = ${JSON.stringify(release)};\n\n` +
  `export const KERNEL_BTF_STRUCTS: Readonly<Record<string, BtfStruct>> = ${JSON.stringify(out, null, 2)};\n\n` +
  `/** Typedefs of the fields above that name a struct or union. */\n` +
  `export const KERNEL_BTF_COMPOSITE_TYPEDEFS: readonly string[] = ${JSON.stringify([...compositeTypedefs].filter((n) => used.has(n)).sort())};\n` +
  `/** Typedefs of the fields above that name a signed integer (BTF_INT_SIGNED). */\n` +
  `export const KERNEL_BTF_SIGNED_TYPEDEFS: readonly string[] = ${JSON.stringify([...signedTypedefs].filter((n) => used.has(n)).sort())};\n`;
fs.writeFileSync(path.join(__dirname, '..', 'server', 'src', 'kernel', 'btfTable.ts'), text);
console.log(`wrote btfTable.ts (${Object.keys(out).length} structs)`);
