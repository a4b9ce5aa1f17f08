// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "record.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int dump_records(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct map_record rec;

	if (!map)
		return 0;
	if (map->name[0] != 'b' || map->name[1] != 'r' || map->name[2] != '_')
		return 0;

	rec.magic = RECORD_MAGIC;
	rec.type = map->map_type;
	rec.key_size = map->key_size;
	rec.value_size = map->value_size;
	rec.max_entries = map->max_entries;
	__builtin_memcpy(rec.name, map->name, sizeof(rec.name));
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
