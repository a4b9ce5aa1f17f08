/**
 * A unit that calls a global function another unit of the project defines, the two linked into one object by
 * `bpftool gen object` (sched-ext's schedulers call their lib/*.bpf.c so, through plain `extern` declarations):
 * libbpf's static linker resolves the extern, so it is no "failed to find BTF for extern" (BPF2050); an iterator
 * program that reaches the call is told the checker knows nothing of it (BPF2058). A function no unit defines, or
 * one only defined `static` elsewhere (the linker cannot see it), is still BPF2050.
 */
import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { definesGlobalFunction } from '../../../server/src/service/linkedLicense';

const CALLER = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int count_slots(__u32 id);

SEC("tp/syscalls/sys_enter_getpid")
int on_getpid(void *ctx)
{
\treturn count_slots(1) > 0;
}

SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
\tstruct bpf_map *map = ctx->map;

\tif (map)
\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%s %d\\n", map->name, count_slots(map->id));
\treturn 0;
}
`;
const LIBRARY = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__weak
int count_slots(__u32 id)
{
\treturn id * 2;
}
`;

function codes(files: Record<string, string>, file: string): string[] {
  const service = createLanguageService(createMemoryHost(files), defaultSettings());
  return service.validate(file, files[file]).map((d) => String(d.code)).sort();
}

describe('service: extern functions another unit of the project defines (bpftool gen object)', () => {
  it('a global function of a sibling unit resolves the extern: no BPF2050; the iterator that calls it gets BPF2058', () => {
    const project = { '/p/compile_flags.txt': '', '/p/src/main.bpf.c': CALLER, '/p/lib/slots.bpf.c': LIBRARY };
    assert.deepStrictEqual(codes(project, '/p/src/main.bpf.c'), ['BPF2058']);
  });

  it('no unit defines it, or only a static one: BPF2050 as before', () => {
    assert.deepStrictEqual(codes({ '/p/compile_flags.txt': '', '/p/main.bpf.c': CALLER }, '/p/main.bpf.c'), ['BPF2050', 'BPF2050']);
    const onlyStatic = { '/p/compile_flags.txt': '', '/p/main.bpf.c': CALLER, '/p/lib.bpf.c': LIBRARY.replace('__weak', 'static') };
    assert.deepStrictEqual(codes(onlyStatic, '/p/main.bpf.c'), ['BPF2050', 'BPF2050']);
  });

  it('reads definitions, not declarations or calls; a macro of a header that defines it counts', () => {
    assert.ok(definesGlobalFunction('__hidden int f(u64 x)\n{\n\treturn 0;\n}\n', 'f'));
    assert.ok(definesGlobalFunction('/* static helpers */\nint\nf(void) __attribute__((noinline))\n{ return 0; }', 'f'));
    assert.ok(definesGlobalFunction('#define REGISTER(cb)\t\\\n\t__hidden int f(u64 ctx)\t\\\n\t{\t\\\n\t\treturn cb(ctx);\t\\\n\t}\n', 'f'));
    assert.ok(!definesGlobalFunction('extern int f(int);\nint g(void) { if (f(1)) { return 1; } return f(2); }', 'f'));
    assert.ok(!definesGlobalFunction('static __always_inline int\nf(int x)\n{\n\treturn x;\n}\n', 'f'));
    assert.ok(!definesGlobalFunction('#define f(x) { (x) }\n', 'f'));
    assert.ok(!definesGlobalFunction('int g(struct s *p) { return p->f(1) { } }', 'f'));
  });
});
