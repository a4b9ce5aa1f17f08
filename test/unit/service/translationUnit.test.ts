/**
 * A translation unit is all of its files: a project header's functions, `.maps`, globals and even programs are
 * part of the program exactly as clang + libbpf see them (issue 15, requirement 3), whether the header is in the
 * shared preamble (leading #includes) or included further down.
 */
import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';

const MAPS_H = `#pragma once
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u64);
} seen_ids SEC(".maps");

static __u64 objects_seen;
static __u64 never_used_in_header;

static __always_inline int remember(__u32 id)
{
  __u64 one = 1;
  objects_seen++;
  return bpf_map_update_elem(&seen_ids, &id, &one, BPF_NOEXIST);
}
`;

const ITER_H = `#pragma once
SEC("iter/bpf_map")
int dump_from_header(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  if (map) BPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", map->id);
  return 0;
}
`;

const MAIN = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "maps.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  if (!map) { BPF_SEQ_PRINTF(ctx->meta->seq, "seen %llu\\n", objects_seen); return 0; }
  if (remember(map->id) == 0) BPF_SEQ_PRINTF(ctx->meta->seq, "new %u\\n", map->id);
  return 0;
}
`;

function serviceWith(files: Record<string, string>) {
  return createLanguageService(createMemoryHost(files), { ...defaultSettings(), defines: { __TARGET_ARCH_x86: '1' } });
}

describe('service: a translation unit is all of its files', () => {
  for (const placement of ['in the preamble', 'after the first declaration'] as const) {
    it(`a header's map, static global and static inline function are the program's (${placement})`, async () => {
      const main = placement === 'in the preamble' ? MAIN : MAIN.replace('#include "maps.h"\n', '').replace('char LICENSE[] SEC("license") = "GPL";\n', 'char LICENSE[] SEC("license") = "GPL";\n#include "maps.h"\n');
      const files = { '/p/maps.h': MAPS_H, '/p/main.bpf.c': main };
      const service = serviceWith(files);
      assert.deepStrictEqual(service.validate('/p/main.bpf.c', main).filter((d) => d.severity === 1).map((d) => d.message), []);
      const { analysis } = service.analyze('/p/main.bpf.c', main);
      assert.deepStrictEqual(analysis.lowered.program.maps.map((m) => [m.name, m.key_size, m.value_size, m.max_entries]), [['seen_ids', 4, 8, 64]]);
      // clang emits the used static and drops the unused one; libbpf's unused inline functions produce no code.
      assert.deepStrictEqual(analysis.lowered.program.globals.filter((g) => g.section === '.bss').map((g) => g.name), ['objects_seen']);
      assert.deepStrictEqual(analysis.lowered.program.functions.map((f) => f.name).sort(), ['dump', 'remember']);
      const result = await service.run('/p/main.bpf.c', main, {});
      assert.strictEqual(result.error, null);
      const lines = (result.output ?? "").trim().split('\n');
      const fresh = lines.filter((line) => line.startsWith('new ')).length;
      assert.ok(fresh > 0);
      assert.strictEqual(lines[lines.length - 1], `seen ${fresh}`);
    });
  }

  it('an iterator program defined in an included header is found and run', async () => {
    const main = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include "iter.h"\nchar LICENSE[] SEC("license") = "GPL";\n';
    const service = serviceWith({ '/p/iter.h': ITER_H, '/p/main.bpf.c': main });
    assert.deepStrictEqual(service.validate('/p/main.bpf.c', main).filter((d) => d.severity === 1).map((d) => d.message), []);
    assert.deepStrictEqual(service.listPrograms('/p/main.bpf.c', main).programs.map((p) => p.name), ['dump_from_header']);
    const result = await service.run('/p/main.bpf.c', main, {});
    assert.strictEqual(result.error, null);
    assert.match(result.output ?? "", /^\d+\n/);
  });
  it('a function defined twice: the redefinition clang refuses is reported, and is in no program (nothing lowers it)', () => {
    // clang 14: "redefinition of 'pick'" and nothing else; a file including itself twice made 65,536 such copies
    const main = [
      '#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', 'char LICENSE[] SEC("license") = "GPL";',
      'static __always_inline int pick(__u32 id) { return id & 1; }',
      'SEC("iter/bpf_map") int dump(struct bpf_iter__bpf_map *ctx) {',
      '  struct bpf_map *map = ctx->map;',
      '  if (!map) return 0;',
      '  if (pick(map->id)) BPF_SEQ_PRINTF(ctx->meta->seq, "odd %u\\n", map->id);',
      '  return 0;',
      '}',
      'static __always_inline int pick(__u32 id) { return *(int *)0; }',
      '',
    ].join('\n');
    const service = serviceWith({ '/p/main.bpf.c': main });
    assert.deepStrictEqual(service.validate('/p/main.bpf.c', main).filter((d) => d.severity === 1).map((d) => d.message), ["redefinition of 'pick'"]);
    const { analysis } = service.analyze('/p/main.bpf.c', main);
    assert.deepStrictEqual(analysis.lowered.program.functions.map((f) => f.name).sort(), ['dump', 'pick']);
    const pick = analysis.lowered.program.functions.find((f) => f.name === 'pick')!;
    assert.ok(pick.loc.pos < main.indexOf('SEC("iter'), 'the first definition is the one lowered');
  });
});

describe('service: a construct the simulator cannot run, and programs of other types', () => {
  const OTHERS = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";

static __noinline int uses_asm(int x)
{
  int y;
  asm volatile("%0 = %1\\n%0 >>= 4" : "=r"(y) : "r"(x));
  return y;
}

SEC("tc")
int classify(void *skb) { return uses_asm(1); }

SEC("xdp")
int pass(void *xdp) { return 2; }

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(on_open, int dfd, const char *name) { return dfd > 0; }

SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  if (!map) return 0;
  BPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", map->id);
  return 0;
}
`;

  it('is no warning where only programs that are never run reach it (a tc program); the iterator runs', async () => {
    const service = serviceWith({ '/p/others.bpf.c': OTHERS });
    const diagnostics = service.validate('/p/others.bpf.c', OTHERS);
    assert.deepStrictEqual(diagnostics.filter((d) => d.severity === 1).map((d) => d.message), []);
    assert.deepStrictEqual(diagnostics.filter((d) => d.code === 'BPF1390').map((d) => d.message), []);
    const result = await service.run('/p/others.bpf.c', OTHERS, {});
    assert.strictEqual(result.error, null);
    assert.match(result.output ?? "", /^1\n2\n/);
  });

  it('where the iterator calls the function with the construct: a warning on it, and a run stops with ENOTSUP naming it', async () => {
    const text = OTHERS.replace('if (!map) return 0;', 'if (!map) { uses_asm(0); return 0; }');
    const service = serviceWith({ '/p/needs.bpf.c': text });
    const diagnostics = service.validate('/p/needs.bpf.c', text);
    assert.deepStrictEqual(diagnostics.filter((d) => d.severity === 1).map((d) => d.message), []);
    // the iterator reaches it now: a warning on the construct
    const unsupported = diagnostics.filter((d) => d.code === 'BPF1390');
    assert.deepStrictEqual(unsupported.map((d) => [d.severity, d.range.start.line, d.message]), [[2, 8, 'bpf-iter-lab cannot simulate inline assembly yet']]);
    const result = await service.run('/p/needs.bpf.c', text, {});
    assert.strictEqual(result.error?.errno, 'ENOTSUP');
    assert.strictEqual(result.error?.message, 'dump needs inline assembly (in uses_asm, which dump calls), which bpf-iter-lab cannot simulate yet');
    assert.strictEqual(result.error?.range?.start.line, 8);
  });

  it('locals and parameters named like vmlinux.h typedefs shadow them', async () => {
    const text = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
static int twice(int key_t) { int u64 = 3; return key_t * 2 + u64; }
SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  u32 pid;
  int s32 = 1, task = 2;
  struct file *file = 0;
  if (!map || file) return 0;
  pid = map->id;
  BPF_SEQ_PRINTF(ctx->meta->seq, "%u %d\\n", pid, twice(s32) + task);
  return 0;
}
`;
    const service = serviceWith({ '/p/shadow.bpf.c': text });
    assert.deepStrictEqual(service.validate('/p/shadow.bpf.c', text).filter((d) => d.severity === 1 || d.severity === 2).map((d) => d.message), []);
    const result = await service.run('/p/shadow.bpf.c', text, {});
    assert.strictEqual(result.error, null);
    assert.match(result.output ?? "", /^1 7\n2 7\n/);
  });
});
