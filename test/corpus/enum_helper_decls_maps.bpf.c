// Helpers declared as Cilium's and tetragon's api.h declare them, without libbpf's bpf_helpers.h: a static function
// pointer initialized with the helper's enumerator from vmlinux.h's enum bpf_func_id (not a number, and not const).
// clang folds each into a helper call; output from the real kernel.
#include "vmlinux.h"

#define SEC(name) __attribute__((section(name), used))
#define __maybe_unused __attribute__((__unused__))
#define HELPER(NAME, ...) (*NAME)(__VA_ARGS__) __maybe_unused = (void *)BPF_FUNC_##NAME

static void *HELPER(map_lookup_elem, void *map, const void *key);
static long HELPER(seq_printf, struct seq_file *m, const char *fmt, __u32 fmt_size, const void *data, __u32 data_len);

char LICENSE[] SEC("license") = "GPL";

struct {
	int (*type)[BPF_MAP_TYPE_ARRAY];
	int (*max_entries)[1];
	__u32 *key;
	__u64 *value;
} seen SEC(".maps");

SEC("iter/bpf_map")
int listed(struct bpf_iter__bpf_map *ctx)
{
	static const char fmt[] = "%s #%llu\n";
	struct bpf_map *map = ctx->map;
	__u32 zero = 0;
	__u64 *count, args[2];

	if (!map || map->name[0] != 'e' || map->name[1] != 'h' || map->name[2] != '_')
		return 0;
	count = map_lookup_elem(&seen, &zero);
	if (!count)
		return 0;
	*count += 1;
	args[0] = (__u64)map->name;
	args[1] = *count;
	seq_printf(ctx->meta->seq, fmt, sizeof(fmt), args, sizeof(args));
	return 0;
}
