/* The record user space reads from the pinned iterator: fixed size, little-endian. */
#ifndef RECORD_H
#define RECORD_H

#define RECORD_MAGIC 0x4d524543 /* "CERM" on the wire */

struct map_record {
	__u32 magic;
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	char name[16];
};

#endif
