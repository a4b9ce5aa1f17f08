// source: cilium/tetragon bpf/lib/errmetrics.h (a helper wrapper that asserts at compile time, through an extern with
// clang's error attribute, that an inline lookup of the file's name gave a known id); libbpf's bpf_endian.h
// (a __builtin_constant_p shortcut that computes the same value). Every assertion holds once clang inlines and
// folds, so clang builds the object and the calls are gone; output from the real kernel.

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

#define glue1(a, b) a##b
#define glue(a, b) glue1(a, b)
#define assert_at(cond, what, n)                                                           \
	do {                                                                                  \
		extern __attribute__((__error__("assertion failed: " what))) void glue(ct_fail_, n)(void); \
		if (!(cond))                                                                      \
			glue(ct_fail_, n)();                                                          \
	} while (0)
#define must_hold(cond, what) assert_at(cond, what, __COUNTER__)

/* which source file this is, by its name: a chain of compares clang folds for a literal */
static __always_inline __u16 unit_id(const char *name)
{
	if (name[0] == 'm' && name[1] == 'a' && name[2] == 'p')
		return 3;
	if (name[0] == 't')
		return 5;
	return 0;
}

#define tagged(value) ({                                          \
	__u16 id = unit_id("maps.c");                                 \
	if (!__builtin_constant_p(id) || !id)                         \
		must_hold(0, "add the file to the id table");             \
	((__u64)id << 32) | (__u32)(value);                           \
})

#define swap16(x) (__builtin_constant_p(x) ? (__u16)((((x) & 0xff) << 8) | (((x) >> 8) & 0xff)) : __builtin_bswap16(x))

SEC("iter/bpf_map")
int dump_tagged(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u16 port;

	must_hold(sizeof(struct bpf_map) > 64, "struct bpf_map is larger than 64 bytes");
	if (!map)
		return 0;
	if (__builtin_memcmp(map->name, "cta_", 4) != 0)
		return 0;
	port = (__u16)map->max_entries;
	BPF_SEQ_PRINTF(seq, "%s tag=%llx swapped=%u const=%u\n", map->name, tagged(map->key_size), swap16(port), swap16(0x1234));
	return 0;
}
