// Kernel-style C around an iter/bpf_map program: unlikely() NULL check, a static __noinline helper filling a
// struct through a pointer, a switch with __attribute__((fallthrough)), _Static_assert, a format in a local
// array passed to bpf_seq_printf by hand, __kconfig externs (CONFIG_HZ, LINUX_KERNEL_VERSION); output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

extern unsigned long CONFIG_HZ __kconfig;
extern int LINUX_KERNEL_VERSION __kconfig;

enum { F_BIG = 1 << 0, F_PERCPU = 1 << 1, F_LRU = 1 << 2 };

struct row { __u32 id; __u32 flags; __u64 max; };
_Static_assert(sizeof(struct row) == 16, "row layout");

__u32 shown;

static __noinline int fill_row(struct row *r, const struct bpf_map *map)
{
	r->id = map->id;
	r->max = map->max_entries;
	r->flags = 0;
	switch (map->map_type) {
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		r->flags |= F_PERCPU;
		__attribute__((fallthrough));
	case BPF_MAP_TYPE_HASH:
		if (map->max_entries > 100)
			r->flags |= F_BIG;
		break;
	case BPF_MAP_TYPE_LRU_HASH:
		r->flags |= F_LRU;
		break;
	default:
		break;
	}
	return r->flags;
}

SEC("iter/bpf_map")
int rows(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	char fmt[] = "%s flags %x max %llu\n";
	struct row r;
	__u64 data[3];

	if (unlikely(!map)) {
		BPF_SEQ_PRINTF(seq, "%u shown, hz %lu, kernel %x\n", shown, CONFIG_HZ, LINUX_KERNEL_VERSION >> 8);
		return 0;
	}
	if (map->name[0] != 'l' || map->name[1] != 'k' || map->name[2] != '_')
		return 0;
	if (likely(fill_row(&r, map) >= 0)) {
		shown++;
		data[0] = (__u64)map->name;
		data[1] = r.flags;
		data[2] = r.max;
		bpf_seq_printf(seq, fmt, sizeof(fmt), data, sizeof(data));
	}
	return 0;
}
