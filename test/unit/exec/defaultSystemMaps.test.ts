import * as assert from 'assert';
import { serviceFor } from '../service/fourslash';

/**
 * Without a scenario file a program runs in the default system, whose maps are other tools' maps (the profiler's
 * `events` and `counts`): a program's own map of the same name is another map beside them, as libbpf creates an
 * object's maps anew, never the system's map with a size the program does not define.
 */
describe('exec: the default system\'s maps and the program\'s maps of the same names', () => {
  const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 id;

	if (!map)
		return 0;
	id = map->id;
	if (bpf_map_lookup_elem(&counts, &id))
		return 0;
	if (map->name[0] == 'c' && map->name[1] == 'o' && map->name[2] == 'u' && map->name[6] == 0)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s %u %u\\n", map->name, map->key_size, map->value_size);
	return 0;
}

SEC("iter/bpf_map_elem")
int dump_counts(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *value = ctx->value;

	if (!key || !value)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu\\n", *key, *value);
	return 0;
}
`;
  const file = '/project/counts.bpf.c';

  // the program names its map, so the map outlives the object's closing as bpftool iter pin does it (used_maps)
  it('both maps exist, the system\'s first (key 32 B) and the program\'s after it (key 4 B)', async () => {
    const result = await serviceFor({ [file]: PROGRAM }).run(file, PROGRAM, { program: 'list_maps' });
    assert.ok(!result.error, JSON.stringify(result.error));
    assert.strictEqual(result.output, 'counts 32 8\ncounts 4 8\n');
  });

  it('an element iterator attached by the name runs over the program\'s own map', async () => {
    const result = await serviceFor({ [file]: PROGRAM }).run(file, PROGRAM, { program: 'dump_counts', map: 'counts' });
    assert.ok(!result.error, JSON.stringify(result.error));
    assert.strictEqual(result.output, '');
  });
});
