'use strict';
// Generates server/headers/vmlinux.h: the subset of this kernel's vmlinux.h that map iterator programs
// touch, with every type the roots use by value defined exactly as in the BTF, and the types they only
// point to closed over with forward declarations. Keeps the real file's guard and
// `#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)` framing.
// Usage: node scripts/gen-vmlinux-subset.js [path/to/vmlinux.h]
//   (default: `bpftool btf dump file /sys/kernel/btf/vmlinux format c`).
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const roots = [
  'struct bpf_iter_meta', 'struct seq_file', 'struct bpf_map', 'struct bpf_iter__bpf_map', 'struct bpf_iter__bpf_map_elem',
  'atomic64_t', 'atomic_t', 'enum bpf_map_type', 'enum bpf_prog_type', 'enum bpf_attach_type', 'enum bpf_func_id',
  'struct bpf_iter__bpf_prog', 'struct bpf_iter__bpf_link', 'struct bpf_iter__task', 'struct bpf_iter__task_file',
  'struct bpf_iter__task_vma', 'struct bpf_iter__bpf_sk_storage_map', 'struct bpf_iter__sockmap', 'struct bpf_iter__cgroup',
  'struct bpf_iter__ksym', 'struct bpf_iter__netlink', 'struct bpf_iter__tcp', 'struct bpf_iter__udp', 'struct bpf_iter__unix',
  'struct bpf_iter__ipv6_route', 'struct bpf_iter__bpf_map_elem', 'struct pt_regs', 'struct bpf_spin_lock', 'struct bpf_timer',
  'struct bpf_list_head', 'struct bpf_list_node', 'struct bpf_rb_root', 'struct bpf_rb_node', 'struct bpf_dynptr',
  '__s8', '__u8', '__s16', '__u16', '__s32', '__u32', '__s64', '__u64', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64',
  '__be16', '__be32', '__be64', '__le16', '__le32', '__le64', '__wsum', 'bool', 'size_t', 'ssize_t', 'pid_t', 'uid_t', 'gid_t',
  'uintptr_t', 'loff_t', 'atomic_long_t',
  // Anonymous enums holding the map flags and update flags programs use (BPF_ANY, BPF_F_NO_PREALLOC...).
  'enumerator BPF_ANY', 'enumerator BPF_F_NO_PREALLOC', 'enumerator BPF_F_INDEX_MASK', 'enumerator BPF_F_RDONLY_PROG',
];

const source = process.argv[2] ? fs.readFileSync(process.argv[2], 'utf8')
  : execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 28 }).toString();
const lines = source.split('\n');

// Top-level declarations: each starts at column 0 and ends with a line `};` or a `;`-terminated line.
const blocks = [];
for (let i = 0; i < lines.length; i++) {
  const line = lines[i];
  if (line === '' || line.startsWith('#')) continue;
  let end = i;
  if (line.endsWith('{')) {
    while (end < lines.length && !/^}.*;$/.test(lines[end])) end++;
  }
  const text = lines.slice(i, end + 1).join('\n');
  blocks.push({ index: blocks.length, text, name: declaredName(text) });
  i = end;
}

function declaredName(text) {
  const head = /^(struct|union|enum) (\w+)( \{|;)/.exec(text);
  if (head) return { key: `${head[1]} ${head[2]}`, complete: head[3] === ' {' };
  if (text.startsWith('typedef')) {
    const fnPointer = /\(\*(\w+)\)\s*\(/.exec(text);
    const name = fnPointer ? fnPointer[1] : /(\w+)(\[[^\]]*\])*;$/.exec(text)?.[1];
    return { key: name, complete: true };
  }
  return { key: undefined, complete: false };
}

const definitions = new Map();
for (const block of blocks) if (block.name.key && block.name.complete) definitions.set(block.name.key, block);
const typedefNames = new Set(blocks.filter((b) => b.text.startsWith('typedef')).map((b) => b.name.key));

/** Types a block uses: by value (need the definition) or only behind a pointer (a forward declaration suffices). */
function references(block) {
  const byValue = new Set();
  const byPointer = new Set();
  const body = block.text.startsWith('typedef') ? block.text.replace(/^typedef\s+/, '') : block.text.replace(/^[^{]*\{/, '');
  const tagged = /\b(struct|union|enum) (\w+)(\s*\**)/g;
  for (let m = tagged.exec(body); m; m = tagged.exec(body)) {
    const key = `${m[1]} ${m[2]}`;
    if (key === block.name.key) continue;
    (m[3].includes('*') || m[1] === 'enum' && false ? byPointer : byValue).add(key);
  }
  const words = /\b([A-Za-z_]\w*)\b(\s*\**)/g;
  for (let m = words.exec(body); m; m = words.exec(body)) {
    if (!typedefNames.has(m[1]) || m[1] === block.name.key) continue;
    const before = body.slice(Math.max(0, m.index - 7), m.index);
    if (/(struct|union|enum) $/.test(before)) continue;
    (m[2].includes('*') ? byPointer : byValue).add(m[1]);
  }
  // A typedef of a pointer or function pointer still needs the typedef itself, its pointees only forward.
  return { byValue, byPointer };
}

const included = new Set();
const forward = new Set();
const queue = [];
for (const root of roots) {
  if (root.startsWith('enumerator ')) {
    const name = root.slice('enumerator '.length);
    const block = blocks.find((b) => b.text.startsWith('enum {') && new RegExp(`\\b${name} =`).test(b.text));
    if (!block) throw new Error(`no anonymous enum holds ${name}`);
    queue.push(block);
    continue;
  }
  const block = definitions.get(root);
  if (!block) throw new Error(`root ${root} not found in vmlinux.h`);
  queue.push(block);
}
while (queue.length > 0) {
  const block = queue.pop();
  if (included.has(block.index)) continue;
  included.add(block.index);
  const { byValue, byPointer } = references(block);
  for (const key of byValue) {
    const definition = definitions.get(key);
    if (definition) queue.push(definition);
    else forward.add(key);
  }
  for (const key of byPointer) {
    if (typedefNames.has(key)) {
      const definition = definitions.get(key);
      if (definition) queue.push(definition);
    } else if (!key.startsWith('enum ')) forward.add(key);
    else {
      const definition = definitions.get(key);
      if (definition) queue.push(definition);
    }
  }
}
const definedKeys = new Set([...included].map((i) => blocks[i].name.key));
// Forward-declare every pointed-to tag, defined later or not: a prototype parameter needs it declared first.
const forwardDeclarations = [...forward].sort();
void definedKeys;

const version = execFileSync('uname', ['-r']).toString().trim();
const out = [
  '/* Subset of vmlinux.h for BPF map iterator programs, generated by scripts/gen-vmlinux-subset.js from the BTF of',
  ` * Linux ${version} (\`bpftool btf dump file /sys/kernel/btf/vmlinux format c\`). Layouts are exactly the kernel's;`,
  ' * types only pointed to are forward-declared. Regenerate rather than edit. */',
  '#ifndef __VMLINUX_H__',
  '#define __VMLINUX_H__',
  '',
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX',
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)',
  '#endif',
  '',
  ...forwardDeclarations.map((key) => `${key};`),
  '',
];
for (const block of blocks) if (included.has(block.index)) out.push(block.text, '');
out.push('#ifndef BPF_NO_PRESERVE_ACCESS_INDEX', '#pragma clang attribute pop', '#endif', '', '#endif /* __VMLINUX_H__ */', '');
fs.writeFileSync(path.join(__dirname, '..', 'server', 'headers', 'vmlinux.h'), out.join('\n'));
console.log(`vmlinux.h subset: ${included.size} definitions, ${forwardDeclarations.length} forward declarations`);
