/**
 * A program in a static function: libbpf 1.x refuses the object at open ("sec '...': program '...' is static and
 * not supported", measured with bpftool 7.1 / libbpf 1.1 on an iterator); cilium/ebpf loads it, so a warning.
 * Pattern: bpfman's Go examples (bpf2go) declare their kprobe and uprobe programs static.
 */
import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { Diagnostics } from '../../../server/src/lang/diagnostics';

const program = (storage: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static int print_id(struct seq_file *seq, __u32 id)
{
\treturn bpf_seq_write(seq, &id, sizeof(id));
}

SEC("iter/bpf_map")
${storage}int dump_ids(struct bpf_iter__bpf_map *ctx)
{
\tstruct bpf_map *map = ctx->map;

\tif (map)
\t\tprint_id(ctx->meta->seq, map->id);
\treturn 0;
}
`;

function found(text: string): Array<{ code: string; line: number; message: string }> {
  const service = createLanguageService(createMemoryHost({ '/p/compile_flags.txt': '', '/p/maps.bpf.c': text }), defaultSettings());
  return service.validate('/p/maps.bpf.c', text).map((d) => ({ code: String(d.code), line: d.range.start.line, message: typeof d.message === 'string' ? d.message : d.message.value }));
}

describe('lang: a program in a static function', () => {
  it('is a warning at its name with libbpf\'s words; a static helper without a section is not', () => {
    const code = `BPF${Diagnostics.StaticProgram.code}`;
    const got = found(program('static ')).filter((d) => d.code === code || d.code === String(Diagnostics.StaticProgram.code));
    assert.strictEqual(got.length, 1, JSON.stringify(found(program('static '))));
    assert.strictEqual(got[0].line, 11);
    assert.ok(got[0].message.includes("sec 'iter/bpf_map': program 'dump_ids' is static and not supported"), got[0].message);
    assert.deepStrictEqual(found(program('')).filter((d) => d.code === code || d.code === String(Diagnostics.StaticProgram.code)), []);
  });
});
