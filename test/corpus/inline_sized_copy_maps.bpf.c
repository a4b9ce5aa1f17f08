// Copies whose size C does not make a constant but clang folds after inlining, as logging and event-building code
// of tracing projects writes them: an __always_inline copy helper taking its size as a parameter, a clamped
// __builtin_strlen() of a file name literal passed down to an inline logger (tracee logs __FILE__ so), a memset of
// a parameter's size. clang builds them all (the sizes are constants at each inlined call); output from the real
// kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

#define TAG_LEN 12

struct row {
	char name[16];
	char tag[TAG_LEN];
	__u32 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct row);
} scratch SEC(".maps");

static __always_inline void copy_bytes(void *dst, const void *src, __u32 len)
{
	__builtin_memcpy(dst, src, len);
}

static __always_inline void clear_bytes(void *dst, __u32 len)
{
	__builtin_memset(dst, 0, len);
}

static __always_inline void set_tag(struct row *r, const char *where)
{
	__u64 n = __builtin_strlen(where);

	if (n >= TAG_LEN)
		n = TAG_LEN - 1;
	__builtin_memcpy(r->tag, where, n);
	r->tag[n] = '\0';
}

#define TAG(r) set_tag(r, "sized_copy.bpf.c")

SEC("iter/bpf_map")
int copies(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u32 zero = 0;
	struct row *r;

	if (!map || map->name[0] != 'i' || map->name[1] != 's' || map->name[2] != '_')
		return 0;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	clear_bytes(r, sizeof(*r));
	copy_bytes(r->name, map->name, sizeof(r->name));
	TAG(r);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s tag=%s pad=%u\n", r->name, r->tag, r->pad[1]);
	return 0;
}
