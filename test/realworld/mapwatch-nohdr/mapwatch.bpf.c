// SPDX-License-Identifier: GPL-2.0 OR MIT
/* No vmlinux.h: the kernel structs this iterator reads are declared here and relocated by CO-RE. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#include <bpf/bpf_helpers.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};
struct bpf_map {
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 id;
	char name[16];
};
struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
};
#pragma clang attribute pop

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int watch(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 bytes;

	if (!map || map->name[0] != 'n' || map->name[1] != 'h' || map->name[2] != '_')
		return 0;
	bytes = (__u64)(map->key_size + map->value_size) * map->max_entries;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s: %u x (%u + %u) = %llu bytes\n", map->name, map->max_entries,
		       map->key_size, map->value_size, bytes);
	return 0;
}
