// bpf_htonl/bpf_htons/bpf_ntohl (__builtin_bswap*), __builtin_memset/memcpy, and the __builtin_memcmp forms clang inlines; output from the real kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
char LICENSE[] SEC("license") = "GPL";

struct rec { __u32 a; __u16 b; __u8 c[6]; };

SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	struct rec r1, r2;
	char name[8];
	__u32 ks;

	if (!map)
		return 0;
	if (map->name[0] != 'b' || map->name[1] != 's' || map->name[2] != '_')
		return 0;
	ks = map->key_size;
	__builtin_memset(&r1, 0, sizeof(r1));
	r1.a = bpf_htonl(ks);
	r1.b = bpf_htons((__u16)map->max_entries);
	__builtin_memcpy(&r2, &r1, sizeof(r1));
	__builtin_memcpy(name, map->name, sizeof(name));
	name[7] = 0;
	r2.c[0] = 1;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s a=%x b=%x n=%x l=%llx same=%d cmp=%d\n", name, r1.a, r1.b,
		       bpf_ntohl(r2.a), __builtin_bswap64((__u64)map->max_entries << 8),
		       __builtin_memcmp(&r1, &r2, 4) == 0, __builtin_memcmp(&r2.c, &r1.c, 1) > 0);
	return 0;
}
