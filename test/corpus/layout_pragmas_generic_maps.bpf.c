// SPDX-License-Identifier: GPL-2.0 OR MIT
// Loads, and prints what the kernel prints: records laid out under #pragma pack and __attribute__((packed)) with
// bit-fields, an anonymous union, a range designator, _Generic and __builtin_choose_expr (both chosen by clang at
// compile time).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define type_name(x) _Generic((x), int: "int", unsigned int: "uint", __u64: "u64", default: "other")
#define pick(c, a, b) __builtin_choose_expr(c, a, b)

struct __attribute__((packed)) hdr { __u8 kind; __u32 len; __u16 flags : 4, prio : 3, more : 9; };
#pragma pack(push, 1)
struct rec { __u8 a; __u64 b; };
#pragma pack(push, 2)
struct rec2 { __u8 a; __u32 b; __u8 c; };
#pragma pack(pop)
struct rec1 { __u8 a; __u16 b; };
#pragma pack(pop)
struct natural { __u8 a; __u64 b; };
union val { __u64 u; struct { __u32 lo, hi; }; };
struct item { int id; union { __u32 u32v; __u8 bytes[4]; }; _Bool ok; };

static const int lut[8] = { [0 ... 3] = 1, [4 ... 7] = 2 };

_Static_assert(sizeof(struct hdr) == 7, "packed");
_Static_assert(sizeof(struct rec) == 9, "pack 1");
_Static_assert(sizeof(struct rec2) == 8, "pack 2");
_Static_assert(sizeof(struct rec1) == 3, "pack 1 again after the inner pop");
_Static_assert(sizeof(struct natural) == 16, "no pack after the last pop");

SEC("iter/bpf_map")
int layouts(struct bpf_iter__bpf_map *ctx)
{
	struct hdr h = { .kind = 1, .len = 7, .flags = 3, .prio = 5, .more = 300 };
	union val v = { .u = 0x100000002ULL };
	struct item it = { .id = 9, .bytes = { 1, 2, 3, 4 }, .ok = 1 };
	typeof(h.len) l = h.len;

	if (ctx->map)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %s %u %u %u %u %u %u %d %d\n", type_name(l), type_name(v.u), h.flags, h.prio, h.more,
		       v.lo, v.hi, it.u32v, lut[5], pick(sizeof(l) == 4, 40, 80));
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u %u %u\n", (unsigned)sizeof(struct rec), (unsigned)sizeof(struct rec2),
		       (unsigned)__builtin_offsetof(struct rec2, c), (unsigned)sizeof(struct natural));
	return 0;
}
