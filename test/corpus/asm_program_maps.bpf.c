// source: small inline-assembly programs with forward jumps that keep a bound the verifier must see, as projects write them: libbpf-tools' clamp_umax (`if %0 <= %[max] goto +1; %0 = %[max]`), sched_ext's MEMBER_VPTR (`if %0 <= %[max] goto +2; %0 = 0; goto +1; %0 += %1`), tetragon's errno filter (`if %0 s< -4095 goto +1; if %0 s<= 0 goto +1; %0 = -1`) and masks with an "i" operand (`%[len] &= %1`).

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

#define SLOTS 16
#define LEN_MASK 0x3f

__u64 hits[SLOTS];
__u8 seen[4096];

#define clamp_max(var, max) \
	asm volatile("if %0 <= %[m] goto +1\n" \
		     "%0 = %[m]\n" \
		     : "+r"(var) : [m] "i"(max))

#define keep_errno(x) \
	asm volatile("if %0 s< -4095 goto +1\n" \
		     "if %0 s<= 0 goto +1\n" \
		     "%0 = -1\n" \
		     : "+r"(x))

SEC("iter/bpf_map")
int asm_programs(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u64 slot, off, base = 1000, scaled;
	long err, small;
	__u32 len;

	if (!map)
		return 0;
	if (map->name[0] != 'a' || map->name[1] != 'p' || map->name[2] != '_')
		return 0;
	/* the table index is bounded only by the asm: without it the verifier refuses the access */
	slot = map->max_entries;
	clamp_max(slot, SLOTS - 1);
	hits[slot] += 1;

	off = map->key_size * 8ULL;
	asm volatile("if %0 <= %[max] goto +2\n"
		     "%0 = 0\n"
		     "goto +1\n"
		     "%0 += %1\n"
		     : "+r"(off)
		     : "r"(base), [max] "i"(64));

	err = -(long)map->value_size;
	keep_errno(err);
	/* the signed bounds the filter keeps, [-4095, 0]: without them the verifier refuses the index */
	seen[-err] += 1;
	small = map->max_entries;
	keep_errno(small);

	len = map->max_entries * 0x10001;
	asm volatile("%[len] &= %1;\n" : [len] "+r"(len) : "i"(LEN_MASK));

	asm volatile("%0 = %1\n"
		     "%0 *= 3\n"
		     "%0 += 1\n"
		     : "=r"(scaled)
		     : "r"(off));

	BPF_SEQ_PRINTF(seq, "%s slot=%llu hits=%llu off=%llu err=%ld seen=%u small=%ld len=%u scaled=%llu\n", map->name,
		       slot, hits[slot], off, err, seen[-err], small, len, scaled);
	return 0;
}
