/**
 * A map defined in the legacy SEC("maps") section (`struct bpf_map_def` of libbpf 0.x, iproute2's `bpf_elf_map`):
 * libbpf 1.x refuses the object at open ("elf: legacy map definitions in 'maps' section are not supported by libbpf
 * v1.0+", measured with bpftool 7.1 / libbpf 1.1 on merbridge's and caretta's objects); cilium/ebpf and iproute2
 * load it, so a warning. A map in SEC(".maps") is not one.
 */
import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { Diagnostics } from '../../../server/src/lang/diagnostics';

const program = (section: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct legacy_map_def {
\tunsigned int type;
\tunsigned int key_size;
\tunsigned int value_size;
\tunsigned int max_entries;
\tunsigned int map_flags;
};

struct legacy_map_def SEC("${section}") counts = {
\t.type = BPF_MAP_TYPE_HASH,
\t.key_size = 4,
\t.value_size = 8,
\t.max_entries = 16,
};

SEC("iter/task")
int walk(struct bpf_iter__task *ctx)
{
\tstruct task_struct *task = ctx->task;

\tif (task)
\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", task->pid);
\treturn 0;
}
`;

function found(text: string): Array<{ code: string; line: number; message: string }> {
  const service = createLanguageService(createMemoryHost({ '/p/compile_flags.txt': '', '/p/legacy.bpf.c': text }), defaultSettings());
  return service.validate('/p/legacy.bpf.c', text).map((d) => ({ code: String(d.code), line: d.range.start.line, message: typeof d.message === 'string' ? d.message : d.message.value }));
}

describe('lang: a map in the legacy SEC("maps") section', () => {
  const code = `BPF${Diagnostics.LegacyMapsSection.code}`;
  const mine = (text: string) => found(text).filter((d) => d.code === code || d.code === String(Diagnostics.LegacyMapsSection.code));

  it('is a warning at the map with libbpf\'s words', () => {
    const got = mine(program('maps'));
    assert.strictEqual(got.length, 1, JSON.stringify(found(program('maps'))));
    assert.strictEqual(got[0].line, 13);
    assert.ok(got[0].message.includes("legacy map definitions in 'maps' section are not supported by libbpf v1.0+"), got[0].message);
  });

  it('is not said of another section', () => {
    assert.deepStrictEqual(mine(program('maps/counts')), []);
    assert.deepStrictEqual(mine(program('.data.counts')), []);
  });
});
