/**
 * A string read whose source is the address of a pointer: `bpf_probe_read_kernel_str(buf, sz, &kn->name)` where
 * `name` is a `const char *`. libbpf's BPF_CORE_READ_STR_INTO(&buf, t, cgroups, dfl_cgrp, kn, name) expands to
 * exactly this (its last accessor is read at `&src->name`, right for a `char name[]` array, wrong for a pointer):
 * clang compiles it and the kernel runs it, but the helper copies the pointer's own eight bytes (a kernel address,
 * and whatever follows it up to a NUL) as the string. No scenario can make those bytes agree with a kernel's, so
 * the read is warned where it is written.
 */
import * as ast from './ast';
import { Compilation } from './compile';
import { Diagnostics, FrontEndDiagnostic, formatMessage } from './diagnostics';
import { resolve, typeToString, type CType } from './types';

/** the kernel-memory string helpers (bpf_core_read_str() is bpf_probe_read_kernel_str() of the CO-RE address) */
const KERNEL_STRING_READS = new Set(['bpf_probe_read_kernel_str', 'bpf_probe_read_str']);

function isCharPointer(t: CType | undefined): boolean {
  if (!t) return false;
  const r = resolve(t);
  if (r.kind !== 'pointer') return false;
  const to = resolve(r.to);
  return to.kind === 'int' && to.size === 1;
}

/** the expression a source argument takes the address of, through casts and __builtin_preserve_access_index() */
function addressTaken(e: ast.Expression): ast.Expression | undefined {
  let at: ast.Expression = e;
  for (let depth = 0; depth < 16; depth++) {
    if (at.kind === 'Cast') at = at.operand;
    else if (at.kind === 'Call' && at.callee.kind === 'Identifier' && at.callee.name === '__builtin_preserve_access_index' && at.args.length === 1) at = at.args[0];
    else break;
  }
  return at.kind === 'Unary' && at.operator === '&' ? at.operand : undefined;
}

export function pointerReadAsString(c: Compilation): FrontEndDiagnostic[] {
  const out: FrontEndDiagnostic[] = [];
  const m = Diagnostics.PointerReadAsString;
  for (const f of c.program.functions) {
    if (f.inHeader) continue;
    ast.walk(f.definition.body, (node) => {
      if (node.kind !== 'Call' || node.callee.kind !== 'Identifier' || !KERNEL_STRING_READS.has(node.callee.name) || node.args.length !== 3) return;
      const target = addressTaken(node.args[2]);
      if (!target) return;
      const type = c.model.typeOf(target);
      if (!isCharPointer(type)) return;
      const name = target.kind === 'Member' ? target.member.name : target.kind === 'Identifier' ? target.name : 'the source';
      out.push({ code: m.code, category: m.category, message: formatMessage(m.message, [name, typeToString(type!), node.callee.name]),
        file: node.file, pos: node.pos, end: node.end });
    });
  }
  return out;
}
