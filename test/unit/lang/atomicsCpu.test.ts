/**
 * What clang compiles of the atomic builtins for BPF, per -mcpu (lang/atomics.ts clangRejectsAtomic), against the
 * table recorded with clang 14 (test/fixtures/atomics/clang14-bpf-atomics.json; test/oracle/clang-atomics.test.ts
 * measures it again where clang is installed), and the build setup's -mcpu reaching the diagnostics.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { bpfCpuOf } from '../../../server/src/lang/atomics';
import { ATOMICS_TABLE, AtomicsTable, ourClass } from './atomicsTable';
import { parseCompileArguments } from '../../../server/src/lang/headers';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';

describe('atomics: what clang compiles for BPF, by -mcpu', () => {
  it('agrees with every row clang 14 gave for the default CPU, v2 and v3 (768 rows)', () => {
    const table = JSON.parse(fs.readFileSync(ATOMICS_TABLE, 'utf8')) as AtomicsTable;
    let rows = 0;
    for (const cpu of ['v1', 'v2', 'v3'] as const) {
      for (const [row, clang] of Object.entries(table.cpus[cpu])) {
        assert.strictEqual(ourClass(row, cpu), clang, `${row} with -mcpu=${cpu}`);
        rows++;
      }
    }
    assert.strictEqual(rows, 768);
  });

  it('reads -mcpu from the build flags; generic is v1, probe v3; an unknown value is no CPU', () => {
    assert.strictEqual(parseCompileArguments(['-target', 'bpf', '-mcpu=v3', '-O2'], '/p').mcpu, 'v3');
    assert.deepStrictEqual(['generic', 'v1', 'v2', 'v3', 'probe', 'v4', 'v9', undefined].map(bpfCpuOf), ['v1', 'v1', 'v2', 'v3', 'v3', 'v4', undefined, 'v1']);
  });

  it('a project built with -mcpu=v3 gets no error for the 32-bit atomics clang then compiles; without it, clang\'s refusal', () => {
    const program = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n__u32 counter, flags;\n'
      + 'SEC("iter/bpf_map") int f(struct bpf_iter__bpf_map *ctx) {\n\tif (!ctx->map) return 0;\n'
      + '\t__u32 old = __sync_fetch_and_add(&counter, 1);\n\t__u32 prev = __sync_fetch_and_or(&flags, 4);\n'
      + '\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u %u\\n", old, prev);\n\treturn 0;\n}\n';
    const files: Record<string, string> = { '/proj/src/slots.bpf.c': program, '/proj/compile_flags.txt': '-target\nbpf\n-mcpu=v3\n-O2\n' };
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    const errors = () => service.validate('/proj/src/slots.bpf.c', program).filter((d) => d.severity === 1).map((d) => String(d.message));
    assert.deepStrictEqual(errors(), []);
    // the flags are read at each analysis: the same service, the default CPU
    files['/proj/compile_flags.txt'] = '-target\nbpf\n-O2\n';
    const refused = errors();
    assert.strictEqual(refused.length, 2, refused.join('\n'));
    assert.match(refused[0], /__sync_fetch_and_add: clang 14 -target bpf cannot compile .*XADD return value/);
    files['/proj/compile_flags.txt'] = '-target\nbpf\n-mcpu=v2\n';
    assert.match(errors()[1] ?? '', /__sync_fetch_and_or: clang 14 -target bpf -mcpu=v2 cannot compile .*please use 64 bit version/);
  });
});
