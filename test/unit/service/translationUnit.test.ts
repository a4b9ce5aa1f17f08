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
  return createLanguageService(createMemoryHost(files), defaultSettings());
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
      const lines = result.output.trim().split('\n');
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
    assert.match(result.output, /^\d+\n/);
  });
});
