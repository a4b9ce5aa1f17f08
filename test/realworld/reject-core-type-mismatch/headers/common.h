/* Minimal kernel types for the programs of this module; no vmlinux.h is generated.
 * Bug: map_type is declared __u32 where the kernel has enum bpf_map_type; libbpf refuses the CO-RE
 * relocation (an integer and an enum are not compatible), so the object does not load. */
#ifndef __COMMON_H__
#define __COMMON_H__

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed int __s32;
typedef signed long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
};

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_map {
	__u32 map_type;
	__u32 max_entries;
	__u32 id;
	char name[16];
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

#endif
