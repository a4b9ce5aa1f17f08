/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Records the object-inventory iterators write with bpf_seq_write; the user-space reader shares this header. */
#ifndef OBJSTAT_H
#define OBJSTAT_H

#define OBJ_COMM_LEN 16

enum obj_kind {
	OBJ_NONE = 0,
	OBJ_PROG = 1,
	OBJ_MAP = 2,
	OBJ_LINK = 3,
};

struct obj_owner {
	__u32 id;
	__u32 kind;
	__s32 pid;
	char comm[OBJ_COMM_LEN];
};

struct obj_totals {
	__u64 progs;
	__u64 maps;
	__u64 links;
};

#endif
