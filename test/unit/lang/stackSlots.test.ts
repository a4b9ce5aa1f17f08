/**
 * Stack slots of blocks whose lifetimes do not overlap share the frame, as clang 14's stack coloring lays them out
 * (measured: eight BPF_SEQ_PRINTF calls of 12 arguments keep a 96-byte frame; a 160-byte buffer in each branch of an
 * if shares its bytes).
 */
import * as assert from 'assert';
import { compileFile } from '../../../server/src/lang/compile';
import { createMemoryHost } from '../../../server/src/service/host';
import { lowerProgram } from '../../../server/src/lang/lower';

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
`;

function frame(body: string): number {
  const file = '/virtual/slots.bpf.c';
  const source = `${HEAD}SEC("iter/bpf_map")\nint p(struct bpf_iter__bpf_map *ctx)\n{\n${body.replace(/^/gm, "\t")}\n}\n`;
  const compilation = compileFile(file, source, createMemoryHost({ [file]: source }));
  assert.deepStrictEqual(compilation.diagnostics.filter((d) => d.category === 'error').map((d) => d.message), []);
  const ir = lowerProgram(compilation, {} as never).program;
  return ir.functions.find((f) => f.name === 'p')!.stackSize;
}

describe('lowering: a closed block gives its stack back (clang\'s stack coloring)', () => {
  it('sibling blocks and statement expressions share their bytes; nested ones do not', () => {
    const seq = 'BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %d\\n", 1, 2, 3);';
    assert.strictEqual(frame(`${seq}\n${seq}\n${seq}\nreturn 0;`), 24);
    assert.strictEqual(frame('if (ctx->map) { char a[160]; bpf_probe_read_kernel(a, 8, ctx->map); } else { char b[100]; bpf_probe_read_kernel(b, 8, ctx); }\nreturn 0;'), 160);
    assert.strictEqual(frame('{ char a[64]; bpf_probe_read_kernel(a, 8, ctx); { char b[32]; bpf_probe_read_kernel(b, 8, a); } }\nreturn 0;'), 96);
  });

  it('a statement expression keeps its locals for its value; a function with goto keeps every block\'s', () => {
    assert.strictEqual(frame('long r = ({ char a[40]; bpf_probe_read_kernel(a, 8, ctx); a[1]; });\n{ char b[16]; bpf_probe_read_kernel(b, 8, ctx); }\nreturn r;'), 40);
    assert.strictEqual(frame('{ char a[40]; bpf_probe_read_kernel(a, 8, ctx); }\n{ char b[16]; bpf_probe_read_kernel(b, 8, ctx); goto out; }\nout:\nreturn 0;'), 56);
  });
});
