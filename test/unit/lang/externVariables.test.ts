import * as assert from 'assert';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { serviceFor } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/**
 * Extern variables the simulator has no value for: one BPF1390 per function and variable, worded by what resolves
 * it (opentelemetry-ebpf-profiler reads its `extern u32 with_debug_output`, defined in a unit llvm-link joins, at every
 * step: 16 warnings in python_tracer.ebpf.c before).
 */
describe('lang: extern variables', () => {
  const file = '/project/externs.bpf.c';
  const text = [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    'extern __u32 with_debug_output;',
    'extern int LINUX_HAS_SYSCALL_WRAPPER __kconfig;',
    'static __always_inline int noisy(__u32 v) { return with_debug_output ? v : 0; }',
    'SEC("iter/bpf_map") int dump(struct bpf_iter__bpf_map *ctx) {',
    '  struct bpf_map *map = ctx->map;',
    '  if (!map) return 0;',
    '  if (with_debug_output) BPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", map->id);',
    '  if (with_debug_output > 1 && LINUX_HAS_SYSCALL_WRAPPER) BPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", noisy(map->id));',
    '  return with_debug_output && LINUX_HAS_SYSCALL_WRAPPER ? 0 : 0;',
    '}',
    '',
  ].join('\n');

  it('one warning per function and variable, at its first read, saying what defines it', () => {
    const found = serviceFor({ ...TARGET_FILES }).validate(file, text).filter((d) => d.code === `BPF${Diagnostics.UnsupportedConstruct.code}`);
    const lines = text.split('\n');
    assert.deepStrictEqual(found.map((d) => [d.range.start.line, lines[d.range.start.line].slice(d.range.start.character, d.range.end.character), d.message]), [
      [5, 'with_debug_output', 'bpf-iter-lab cannot simulate the extern variable with_debug_output, which a unit linked with this one defines yet'],
      [9, 'with_debug_output', 'bpf-iter-lab cannot simulate the extern variable with_debug_output, which a unit linked with this one defines yet'],
    ]);
    // a __kconfig extern is simulated (libbpf's .kconfig map): nothing to say of it
    assert.ok(!found.some((d) => String(d.message).includes('LINUX_HAS_SYSCALL_WRAPPER')));
  });

  it('reading one is no error: its memory is unknown, not NULL (each read was a false BPF2002 in an iterator)', () => {
    const found = serviceFor({ ...TARGET_FILES }).validate(file, text).filter((d) => d.severity === 1);
    assert.deepStrictEqual(found.map((d) => d.message), []);
  });
});
