import * as assert from 'assert';
import { serviceFor } from '../service/fourslash';

/**
 * Map definitions as libbpf reads them (parse_btf_map_def(), init_map_in_map_slots(), pinning): a map of maps
 * declared with `__array(values, struct inner)` gets 4-byte values and is created with a template of the inner
 * definition; `.values = { [0] = &inner_map }` fills its slots; a map pinned by name outlives the object's closing.
 */
describe('exec: map definitions with __array(values, ...), initial slots and LIBBPF_PIN_BY_NAME', () => {
  const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_counts SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};
struct inner inner_one SEC(".maps");
struct inner inner_two SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [2] = &inner_two, [0] = &inner_one },
};

static __u64 visits;

static __always_inline void show_slot(struct seq_file *seq, __u32 slot)
{
	__u32 zero = 0, *value = 0;
	void *inner = bpf_map_lookup_elem(&outer, &slot);

	if (inner)
		value = bpf_map_lookup_elem(inner, &zero);
	BPF_SEQ_PRINTF(seq, "slot %u: %s %u\\n", slot, inner ? "map" : "empty", value ? *value : 0);
}

SEC("iter/bpf_map")
int walk(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 slot, zero = 0, *value;
	void *inner;

	if (!map) {
		show_slot(ctx->meta->seq, 0);
		show_slot(ctx->meta->seq, 1);
		show_slot(ctx->meta->seq, 2);
		return 0;
	}
	visits++;
	slot = 2;
	inner = bpf_map_lookup_elem(&outer, &slot);
	value = inner ? bpf_map_lookup_elem(inner, &zero) : 0;
	if (value)
		*value += 1;
	if (map->name[0] == 'p' && map->name[1] == 'i' || map->name[0] == 'i' && map->name[1] == 'n' || map->name[0] == 'o' && map->name[1] == 'u')
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s type %u value_size %u\\n", map->name, map->map_type, map->value_size);
	return 0;
}
`;
  const file = '/project/maps.bpf.c';

  it('the map of maps is created (value_size 4, its slots filled), and the pinned map is listed though the program never names it', async () => {
    const result = await serviceFor({ [file]: PROGRAM }).run(file, PROGRAM, { scenario: undefined });
    assert.ok(!result.error, JSON.stringify(result.error));
    const lines = result.output!.split('\n').filter(Boolean);
    assert.deepStrictEqual(lines.filter((l) => !l.startsWith('slot')).sort(), [
      'inner_one type 2 value_size 4', 'inner_two type 2 value_size 4', 'outer type 12 value_size 4', 'pinned_counts type 1 value_size 8',
    ]);
    // slot 2 is inner_two, which every visit incremented; slot 1 was never filled
    const slots = lines.filter((l) => l.startsWith('slot'));
    assert.deepStrictEqual(slots.slice(0, 2), ['slot 0: map 0', 'slot 1: empty 0']);
    assert.match(slots[2], /^slot 2: map [1-9]\d*$/);
  });
});
