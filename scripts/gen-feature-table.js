'use strict';
// Regenerates server/src/lang/preprocessor/features.ts: which names __has_builtin, __has_attribute,
// __has_feature, __has_extension, __has_c_attribute and __has_declspec_attribute accept, asked of the real
// `clang -target bpf` on this machine for a candidate list (BPF-relevant builtins, GNU attributes, features).
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const candidates = {
  __has_builtin: [
    '__builtin_preserve_access_index', '__builtin_preserve_field_info', '__builtin_preserve_type_info',
    '__builtin_preserve_enum_value', '__builtin_btf_type_id', '__builtin_bswap16', '__builtin_bswap32',
    '__builtin_bswap64', '__builtin_memcpy', '__builtin_memset', '__builtin_memcmp', '__builtin_memmove',
    '__builtin_expect', '__builtin_constant_p', '__builtin_offsetof', '__builtin_types_compatible_p',
    '__builtin_choose_expr', '__builtin_unreachable', '__builtin_trap', '__builtin_clz', '__builtin_ctz',
    '__builtin_popcount', '__builtin_ffs', '__builtin_va_start', '__builtin_va_end', '__builtin_va_arg',
    '__builtin_strlen', '__builtin_abs', '__builtin_assume', '__builtin_dump_struct', '__builtin_bpf_load_byte',
    '__builtin_bpf_load_half', '__builtin_bpf_load_word', '__builtin_add_overflow', '__builtin_sub_overflow',
    '__builtin_mul_overflow', '__builtin_object_size', '__builtin_dynamic_object_size', '__builtin_frame_address',
    '__builtin_return_address', '__builtin_ia32_pause', '__builtin_bit_cast', '__has_builtin', '__is_identifier',
    '__sync_fetch_and_add', '__sync_fetch_and_sub', '__sync_fetch_and_or', '__sync_fetch_and_and',
    '__sync_fetch_and_xor', '__sync_val_compare_and_swap', '__sync_lock_test_and_set', '__atomic_fetch_add',
    '__atomic_load_n', '__atomic_store_n', '__atomic_exchange_n', '__atomic_compare_exchange_n',
    '__c11_atomic_fetch_add', '__builtin_addressof', '__builtin_align_up', '__builtin_align_down',
    '__builtin_is_aligned', '__builtin_elementwise_max', '__builtin_reduce_max', '__builtin_nondeterministic_value',
  ],
  __has_attribute: [
    'preserve_access_index', 'btf_decl_tag', 'btf_type_tag', 'always_inline', 'noinline', 'section', 'unused',
    'used', 'packed', 'aligned', 'weak', 'visibility', 'deprecated', 'format', 'nonnull', 'warn_unused_result',
    'cold', 'hot', 'pure', 'const', 'nodebug', 'overloadable', 'noreturn', 'fallthrough', 'cleanup',
    'constructor', 'destructor', 'alias', 'annotate', 'mode', 'transparent_union', 'vector_size',
    'ext_vector_type', 'address_space', 'flatten', 'gnu_inline', 'malloc', 'alloc_size', 'no_sanitize',
    'sentinel', 'weakref', 'designated_init', 'randomize_layout', 'no_randomize_layout', 'preserve_static_offset',
    'counted_by', 'bpf_fastcall', 'nocf_check', 'naked', 'target', 'error', 'warning', 'diagnose_if',
    'enable_if', 'noderef', 'swift_attr', 'uninitialized', 'no_stack_protector', 'noipa', 'access',
  ],
  __has_feature: [
    'c_alignas', 'c_alignof', 'c_atomic', 'c_generic_selections', 'c_static_assert', 'c_thread_local',
    'address_sanitizer', 'memory_sanitizer', 'thread_sanitizer', 'attribute_deprecated_with_message',
    'attribute_unavailable_with_message', 'blocks', 'modules', 'objc_arc', 'nullability', 'enumerator_attributes',
    'attribute_overloadable', 'tls', 'cxx_rvalue_references', 'c_fixed_enum', 'safe_stack', 'dataflow_sanitizer',
    'undefined_behavior_sanitizer', 'coverage_sanitizer', 'shadow_call_stack', 'leak_sanitizer', 'xray_instrument',
  ],
  __has_extension: [
    'c_alignas', 'c_alignof', 'c_atomic', 'c_generic_selections', 'c_static_assert', 'c_thread_local',
    'attribute_deprecated_with_message', 'blocks', 'c_fixed_enum', 'gnu_asm', 'matrix_types', 'overloadable_unmarked',
    'pragma_clang_attribute_external_declaration', 'cxx_rvalue_references', 'nullability', 'tls',
  ],
  __has_c_attribute: [
    'deprecated', 'fallthrough', 'maybe_unused', 'nodiscard', 'noreturn',
    '_Noreturn', 'reproducible', 'unsequenced',
  ],
  __has_declspec_attribute: ['dllexport', 'dllimport', 'noinline', 'noreturn', 'selectany', 'thread', 'align', 'allocate'],
};

const lines = [];
const keys = [];
for (const [check, names] of Object.entries(candidates)) {
  for (const name of names) {
    keys.push([check, name]);
    const probe = `probe_${keys.length - 1}`;
    lines.push(`#if defined(${check}) && ${check}(${name})`, `${probe} = 1`, '#else', `${probe} = 0`, '#endif');
  }
}
const output = execFileSync('clang', ['-target', 'bpf', '-E', '-P', '-x', 'c', '-'], { input: lines.join('\n') + '\n' }).toString();
const answers = new Map();
for (const line of output.split('\n')) {
  const match = /^probe_(\d+) = (\d+)$/.exec(line.trim());
  if (match) answers.set(keys[Number(match[1])].join(' '), match[2] === '1');
}
const supported = {};
for (const [check, name] of keys) {
  const answer = answers.get(check + ' ' + name);
  if (answer === undefined) throw new Error(`no answer for ${check}(${name})`);
  (supported[check] ??= []);
  if (answer) supported[check].push(name);
}
const version = execFileSync('clang', ['--version']).toString().split('\n')[0];
const body = [
  `// Generated by scripts/gen-feature-table.js from \`${version}\` (-target bpf). Do not edit by hand;`,
  '// test/oracle/clang-e-features checks every entry (and the candidates answered 0) against the real clang.',
  '',
  '/** Names each feature-check macro answers 1 for; anything else answers 0. */',
  'export const clangBpfFeatureTable: Readonly<Record<string, ReadonlySet<string>>> = {',
  ...Object.entries(supported).map(([check, names]) => `  ${check}: new Set(${JSON.stringify(names)}),`),
  '};',
  '',
  '/** Every name the generator asked about, so the oracle test can check the 0 answers too. */',
  'export const clangBpfFeatureCandidates: Readonly<Record<string, readonly string[]>> = {',
  ...Object.entries(candidates).map(([check, names]) => `  ${check}: ${JSON.stringify(names)},`),
  '};',
  '',
];
fs.writeFileSync(path.join(__dirname, '..', 'server', 'src', 'lang', 'preprocessor', 'features.ts'), body.join('\n'));
