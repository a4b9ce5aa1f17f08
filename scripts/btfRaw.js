// The one reader of this machine's kernel BTF for the generators (gen-kernel-btf.js, gen-net-btf.js): parses
// `bpftool btf dump file /sys/kernel/btf/vmlinux format raw` into types by id, and names and sizes a type as the
// generated tables spell them.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

/** Types by id: { id, kind, name, size, typeId, nrElems, bits, encoding, members: [{ name, typeId, bitsOffset, bitfieldSize }] }. */
function readKernelBtf() {
  const raw = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { maxBuffer: 1 << 30 }).toString();
  const types = new Map();
  let current = null;
  for (const line of raw.split('\n')) {
    const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
    if (head) {
      const rest = head[4];
      const num = (k) => { const m = new RegExp(`\\b${k}=(\\d+)`).exec(rest); return m ? Number(m[1]) : undefined; };
      // An ARRAY's type_id is its element type (index_type_id does not match \btype_id).
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
  return types;
}

/** The type behind typedefs and qualifiers. */
function stripType(types, id) {
  let t = types.get(id);
  while (t && ['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'].includes(t.kind)) t = types.get(t.typeId);
  return t;
}

function sizeOf(types, id) {
  const t = stripType(types, id);
  if (!t) return 0;
  if (t.kind === 'PTR') return 8;
  if (t.kind === 'ARRAY') return sizeOf(types, t.typeId) * t.nrElems;
  return t.size ?? 0;
}

function nameOf(types, id) {
  const t = types.get(id);
  if (!t) return 'void';
  switch (t.kind) {
    case 'PTR': return nameOf(types, t.typeId) + ' *';
    case 'CONST': return 'const ' + nameOf(types, t.typeId);
    case 'VOLATILE': return 'volatile ' + nameOf(types, t.typeId);
    case 'ARRAY': return `${nameOf(types, t.typeId)}[${t.nrElems}]`;
    case 'STRUCT': return t.name === '(anon)' ? 'struct (anon)' : 'struct ' + t.name;
    case 'UNION': return t.name === '(anon)' ? 'union (anon)' : 'union ' + t.name;
    case 'ENUM': case 'ENUM64': return 'enum ' + t.name;
    default: return t.name;
  }
}

/** The struct (or the struct a typedef names) called `name`; throws when this kernel has none. */
function findStruct(types, name) {
  const t = [...types.values()].find((x) => (x.kind === 'STRUCT' || x.kind === 'TYPEDEF') && x.name === name);
  if (!t) throw new Error(`struct ${name} not in kernel BTF`);
  return t.kind === 'TYPEDEF' ? stripType(types, t.id) : t;
}

function kernelRelease() {
  return execFileSync('uname', ['-r']).toString().trim();
}

/** Writes a generated file under the repository and says so. */
function writeGenerated(relativePath, text, what) {
  fs.writeFileSync(path.join(__dirname, '..', relativePath), text);
  console.log(`wrote ${path.basename(relativePath)} (${what})`);
}

module.exports = { readKernelBtf, stripType, sizeOf, nameOf, findStruct, kernelRelease, writeGenerated };
