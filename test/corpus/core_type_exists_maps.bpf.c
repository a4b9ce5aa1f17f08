// bpf_core_type_exists() is relocated against the kernel's own types, not the program's: a struct of an older kernel
// declared for CO-RE (as projects declare removed types, or carry them in an older vmlinux.h: struct mm_rss_stat is
// gone since Linux 6.2) does not exist on 6.18, and the branch that reads it is dead code the verifier never sees.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";

struct mm_rss_stat {
	long count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat rss_stat;
} __attribute__((preserve_access_index));

SEC("iter/bpf_map")
int types(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	long pages = -1;

	if (!map || map->name[0] != 't' || map->name[1] != 'e' || map->name[2] != '_')
		return 0;
	if (bpf_core_type_exists(struct mm_rss_stat)) {
		struct mm_struct___old *mm = (void *)map;

		pages = BPF_CORE_READ(mm, rss_stat.count[1]);
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s bpf_map=%d mm_rss_stat=%d map_type=%d attr=%d pages=%ld\n", map->name,
		       bpf_core_type_exists(struct bpf_map), bpf_core_type_exists(struct mm_rss_stat),
		       bpf_core_type_exists(enum bpf_map_type), bpf_core_type_exists(union bpf_attr), pages);
	return 0;
}
