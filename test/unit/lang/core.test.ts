/**
 * CO-RE for structs a program declares itself (no vmlinux.h): lowering relocates each access to a field of a
 * preserve_access_index record by name against the simulated kernel's BTF, as libbpf does; the checker reuses a
 * load clang -O2 reuses and never a CO-RE one. Offsets below are Linux 6.18's (server/src/kernel/btfTable.ts).
 */
import * as assert from 'assert';
import { compileFile } from '../../../server/src/lang/compile';
import { createMemoryHost } from '../../../server/src/service/host';
import { essentialName, lowerProgram } from '../../../server/src/lang/lower';
import { CORE_POISON_HELPER_ID, Expr, Stmt } from '../../../server/src/lang/ir';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { kernelBtf, btfField } from '../../../server/src/kernel/btf';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost as createServiceHost } from '../../../server/src/service/host';

const TYPES = 'typedef unsigned char __u8; typedef unsigned short __u16; typedef unsigned int __u32; typedef unsigned long long __u64;\n'
  + 'typedef signed char __s8; typedef short __s16; typedef int __s32; typedef long long __s64;\n'
  + 'typedef __u16 __be16; typedef __u32 __be32; typedef __u32 __wsum;\n'
  + 'typedef __u32 u32; typedef __u64 u64; typedef __s64 s64;\n';

function program(structs: string, body: string): string {
  return `#include "types.h"\n#include <bpf/bpf_helpers.h>\n${structs}\nchar LICENSE[] SEC("license") = "GPL";\n`
    + `SEC("iter/bpf_map")\nint prog(struct bpf_iter__bpf_map *ctx)\n{\n${body}\n\treturn 0;\n}\n`;
}

function lower(text: string) {
  const file = '/virtual/core.bpf.c';
  const compilation = compileFile(file, text, createMemoryHost({ [file]: text, '/virtual/types.h': TYPES }));
  assert.deepStrictEqual(compilation.diagnostics.filter((d) => d.category === 'error').map((d) => d.message), []);
  return lowerProgram(compilation, { objectName: 'core', coreTarget: (name) => kernelBtf[name] });
}

/** Every memory read of the program in evaluation order: [kind, offset, bytes, core]. */
function reads(text: string): Array<[string, number, number, boolean]> {
  const out: Array<[string, number, number, boolean]> = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(visit); return; }
    const e = node as Expr;
    for (const [key, value] of Object.entries(node)) if (key !== 'loc' && key !== 'type') visit(value);
    if (e.op === 'load') out.push(['load', e.offset, e.type.bits / 8, e.core === true]);
    if (e.op === 'loadPtr') out.push(['loadPtr', e.offset, 8, e.core === true]);
    if (e.op === 'callHelper' && e.helperId === CORE_POISON_HELPER_ID) out.push([`poison ${e.name}`, 0, 0, true]);
  };
  visit(lower(text).program.functions[0].body as Stmt);
  return out;
}

const CTX = 'struct bpf_iter_meta { struct seq_file *seq; };\nstruct bpf_iter__bpf_map { struct bpf_iter_meta *meta; struct bpf_map *map; };\n';
const off = (field: string) => btfField('bpf_map', field).offset;

describe('CO-RE relocation of user-declared kernel structs (lower/lvalues.ts)', () => {
  it('reads the kernel offsets under #pragma clang attribute push/pop, whatever the local order and count', () => {
    const text = program(`#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)\nstruct seq_file;\n${CTX}`
      + 'struct bpf_map { u32 max_entries; u32 id; };\n#pragma clang attribute pop\n',
    '\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\treturn map->id + map->max_entries;');
    assert.deepStrictEqual(reads(text), [['loadPtr', 8, 8, true], ['load', off('id'), 4, true], ['load', off('max_entries'), 4, true]]);
  });

  it('applies a pragma that is not among the leading directives, and only between push and pop', () => {
    const text = program(`struct seq_file;\nstruct before { u32 id; };\n#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)\n${CTX}`
      + 'struct bpf_map { u32 id; };\n#pragma clang attribute pop\nstruct after { u32 id; };\n',
    '\tstruct bpf_map *map = ctx->map;\n\tstruct before *b = (void *)map;\n\tstruct after *a = (void *)map;\n\tif (!map) return 0;\n\treturn map->id + b->id + a->id;');
    assert.deepStrictEqual(reads(text).slice(1), [['load', off('id'), 4, true], ['load', 0, 4, false], ['load', 0, 4, false]]);
  });

  it('relocates with the attribute after the struct, and strips a ___flavor from the struct name', () => {
    const text = program(`struct seq_file;\n${CTX.replace(/};/g, '} __attribute__((preserve_access_index));')}`
      + 'struct bpf_map___v1 { u32 id; } __attribute__((preserve_access_index));\n',
    '\tstruct bpf_map___v1 *map = (void *)ctx->map;\n\tif (!map) return 0;\n\treturn map->id;');
    assert.deepStrictEqual(reads(text), [['loadPtr', 8, 8, true], ['load', off('id'), 4, true]]);
    assert.strictEqual(essentialName('bpf_map___v1'), 'bpf_map');
    assert.strictEqual(essentialName('bpf_map___a___b'), 'bpf_map___a');
    assert.strictEqual(essentialName('bpf____map'), 'bpf____map');
  });

  it('also relocates with the attribute before the tag name; without it, the local offsets are used', () => {
    const before = program(`struct seq_file;\n${CTX}struct __attribute__((preserve_access_index)) bpf_map { u32 id; };\n`,
      '\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\treturn map->id;');
    assert.deepStrictEqual(reads(before).slice(1), [['load', off('id'), 4, true]]);
    const plain = program(`struct seq_file;\n${CTX}struct bpf_map { u32 id; };\n`, '\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\treturn map->id;');
    assert.deepStrictEqual(reads(plain), [['loadPtr', 8, 8, false], ['load', 0, 4, false]]);
  });

  it('relocates nested members (map->usercnt.counter), array elements (map->name[2]) and the address of an array', () => {
    const text = program(`#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)\nstruct seq_file;\n${CTX}`
      + 'typedef struct { s64 counter; } atomic64_t;\nstruct bpf_map { char name[16]; atomic64_t usercnt; };\n#pragma clang attribute pop\n',
    '\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\tchar *n = map->name;\n\treturn map->usercnt.counter + map->name[2] + n[0];');
    const loads = reads(text).filter(([kind]) => kind === 'load');
    // map->name decays to map + the kernel offset of name; [2] then reads 2 bytes past it
    assert.deepStrictEqual(loads.slice(0, 2), [['load', off('usercnt'), 8, true], ['load', 2, 1, false]]);
    const lowered = JSON.stringify(lower(text).program.functions[0].body, (_key, v) => (typeof v === 'bigint' ? Number(v) : v));
    assert.ok(lowered.includes(`"value":${off('name')}`), 'the decayed map->name is map + the kernel offset of name');
  });

  it('reads an unsigned field of another size at the kernel size, zero-extended (bpf_core_patch_insn)', () => {
    const text = program(`struct seq_file;\n${CTX}struct bpf_map { u64 max_entries; __u16 key_size; } __attribute__((preserve_access_index));\n`,
      '\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\treturn map->max_entries + map->key_size;');
    assert.deepStrictEqual(reads(text).slice(1), [['load', off('max_entries'), 4, true], ['load', off('key_size'), 4, true]]);
  });

  it('poisons a missing field, a field of another kind and a signed field of another size, as libbpf does', () => {
    const text = program(`struct seq_file;\n${CTX}struct bpf_map { u32 entries; u32 name; s64 max_entries; } __attribute__((preserve_access_index));\n`,
      '\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\treturn map->entries + map->name + map->max_entries;');
    assert.deepStrictEqual(reads(text).filter(([kind]) => kind.startsWith('poison')).map(([kind]) => kind),
      ['poison struct bpf_map.entries', 'poison struct bpf_map.name', 'poison struct bpf_map.max_entries']);
  });

  it('warns when the simulated kernel does not describe the struct, and uses the local offset', () => {
    // (task_struct is described since the task targets run; super_block is not)
    const text = program(`struct seq_file;\n${CTX}struct super_block { int s_count; } __attribute__((preserve_access_index));\n`,
      '\tstruct super_block *t = (void *)ctx->map;\n\tif (!t) return 0;\n\treturn t->s_count;');
    const lowered = lower(text);
    assert.deepStrictEqual(lowered.diagnostics.map((d) => d.code), [Diagnostics.CoreTypeNotSimulated.code]);
    assert.ok(lowered.diagnostics[0].message.includes('struct super_block.s_count'));
  });
});

describe('CO-RE and the checker: poisoned accesses and the loads clang reuses', () => {
  const service = createLanguageService(createServiceHost({ '/virtual/types.h': TYPES }), defaultSettings());
  const errors = (text: string) => service.validate('/virtual/check.bpf.c', text).filter((d) => d.severity === 1).map((d) => String(d.code));

  it('rejects a reachable poisoned access with BPF2990 and the verifier text libbpf prints', () => {
    const text = program(`struct seq_file;\n${CTX}struct bpf_map { u32 entries; } __attribute__((preserve_access_index));\n`,
      '\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\treturn map->entries != 0;');
    const d = service.validate('/virtual/check.bpf.c', text).filter((x) => x.severity === 1);
    assert.deepStrictEqual(d.map((x) => String(x.code)), [`BPF${Diagnostics.CoreRelocationUnresolved.code}`]);
    assert.ok(String(d[0].message).includes('failed to resolve CO-RE relocation <byte_off> struct bpf_map.entries'), String(d[0].message));
  });

  it('relocates a field of an enum typedef (struct socket\'s socket_state) against the kernel\'s enum, and poisons an int there (measured on 6.18: libbpf refuses int against enum)', () => {
    const structs = (stateType: string) => `struct seq_file;\n${CTX}typedef enum { SS_FREE = 0, SS_UNCONNECTED = 1 } socket_state;\n`
      + `struct socket { ${stateType} state; short type; } __attribute__((preserve_access_index));\n`;
    const body = '\tstruct socket *s = (void *)ctx->map;\n\tif (!s) return 0;\n\treturn s->state == SS_UNCONNECTED;';
    assert.deepStrictEqual(errors(program(structs('socket_state'), body)), []);
    assert.deepStrictEqual(errors(program(structs('int'), body)), [`BPF${Diagnostics.CoreRelocationUnresolved.code}`]);
  });

  it('accepts a poisoned access the verifier proves dead (a frozen .rodata flag)', () => {
    const text = program(`struct seq_file;\n${CTX}struct bpf_map { u32 entries; } __attribute__((preserve_access_index));\nconst volatile int show = 0;\n`,
      '\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\tif (show) return map->entries != 0;');
    assert.deepStrictEqual(errors(text), []);
  });

  it('rejects a relocated field of a local copy that lands past the stack frame (measured: off=68 on Linux 6.18)', () => {
    const text = program(`struct seq_file;\n${CTX}struct bpf_map { u32 max_entries; u32 id; } __attribute__((preserve_access_index));\n`,
      '\tstruct bpf_map m = {};\n\tstruct bpf_map *map = ctx->map;\n\tif (!map) return 0;\n\tbpf_probe_read_kernel(&m, sizeof(m), map);\n\treturn m.id != 0;');
    assert.deepStrictEqual(errors(text), [`BPF${Diagnostics.StackAccessOutsideFrame.code}`]);
    assert.deepStrictEqual(errors(text.replace('u32 id; } __attribute__((preserve_access_index));', 'u32 id; };')), []);
  });

  const reloaded = '\tif (!ctx->map) return 0;\n\treturn ctx->map->id != 0;';
  it('accepts `if (!ctx->map) return 0; ... ctx->map->id` without preserve_access_index: clang loads ctx->map once', () => {
    assert.deepStrictEqual(errors(program(`struct seq_file;\n${CTX}struct bpf_map { char pad[92]; u32 id; };\n`, reloaded)), []);
  });

  it('rejects it with preserve_access_index: each CO-RE load is fresh (trusted_ptr_or_null_)', () => {
    const text = program(`struct seq_file;\n${CTX.replace(/};/g, '} __attribute__((preserve_access_index));')}struct bpf_map { u32 id; } __attribute__((preserve_access_index));\n`, reloaded);
    assert.deepStrictEqual(errors(text), [`BPF${Diagnostics.NullDereference.code}`]);
  });

  it('does not reuse a load across a helper call or on a path that did not make it (both measured: the kernel rejects them)', () => {
    const structs = `struct seq_file;\n${CTX}struct bpf_map { char pad[92]; u32 id; };\n`;
    const afterCall = '\tif (!ctx->map) return 0;\n\tbpf_get_prandom_u32();\n\treturn ctx->map->id != 0;';
    assert.deepStrictEqual(errors(program(structs, afterCall)), [`BPF${Diagnostics.NullDereference.code}`]);
    const onePath = '\tif (bpf_get_prandom_u32() & 1) { if (!ctx->map) return 0; }\n\treturn ctx->map->id != 0;';
    assert.deepStrictEqual(errors(program(structs, onePath)), [`BPF${Diagnostics.NullDereference.code}`]);
  });
});

describe('lowering: what only an uncalled function contains', () => {
  const service = createLanguageService(createServiceHost({}), defaultSettings());
  const errors = (text: string) => service.validate('/virtual/asm.bpf.c', text).filter((d) => d.severity === 1).map((d) => String(d.code));
  const uses = (call: string) => `${TYPES}#include <bpf/bpf_helpers.h>\nstatic __always_inline void spin(void) { asm volatile("r0 = 0" ::: "r0"); }\n`
    + `struct bpf_iter__bpf_map { void *meta; void *map; };\nchar LICENSE[] SEC("license") = "GPL";\n`
    + `SEC("iter/bpf_map")\nint prog(struct bpf_iter__bpf_map *ctx)\n{\n\t${call}\n\treturn 0;\n}\n`;

  it('reports no inline assembly in bpf_helpers.h or a helper no program calls (typedefs before the #include)', () => {
    assert.deepStrictEqual(errors(uses('')), []);
  });

  it('still reports inline assembly in a function a program calls', () => {
    // a warning on the construct (clang compiles it); the run then stops with ENOTSUP where the iterator needs it
    const warnings = service.validate('/virtual/asm.bpf.c', uses('spin();')).filter((d) => d.severity === 2).map((d) => String(d.code));
    assert.ok(warnings.includes(`BPF${Diagnostics.UnsupportedConstruct.code}`), warnings.join(', '));
  });
});
