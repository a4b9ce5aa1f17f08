// CO-RE builtins (bpf_core_field_exists/size/offset, bpf_core_type_exists/size, bpf_core_enum_value(_exists)) resolved as libbpf does at load; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";

struct bpf_map___old { int no_such_field; } __attribute__((preserve_access_index));
struct lab_private_stats { int x; };
enum bpf_map_type___future { BPF_MAP_TYPE_FUTURE___future = 99 };

SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	if (map->name[0] != 'c' || map->name[1] != 'r' || map->name[2] != '_')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s exists=%d/%d size=%u off=%u type=%d tsize=%u\n", map->name,
		       bpf_core_field_exists(map->max_entries), bpf_core_field_exists(((struct bpf_map___old *)map)->no_such_field),
		       bpf_core_field_size(map->max_entries), bpf_core_field_offset(map->max_entries),
		       bpf_core_type_exists(struct bpf_map), bpf_core_type_size(struct bpf_map));
	BPF_SEQ_PRINTF(ctx->meta->seq, "enum=%d val=%lld future=%d private=%d meta=%u seqsize=%u\n",
		       bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_ARRAY),
		       bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_ARRAY),
		       bpf_core_enum_value_exists(enum bpf_map_type___future, BPF_MAP_TYPE_FUTURE___future),
		       bpf_core_type_exists(struct lab_private_stats), bpf_core_field_offset(struct bpf_iter_meta, seq_num),
		       bpf_core_type_size(struct seq_file));
	return 0;
}
