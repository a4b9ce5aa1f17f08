// source: formatting a number into a stack buffer through a moving pointer (`*p++ = hexdigit(...)`), as exporters and tracers write hex ids

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline char hexdigit(__u32 d)
{
	d &= 0xf;
	return d < 10 ? '0' + d : 'a' + d - 10;
}

SEC("iter/bpf_map")
int hex_fill(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char line[12];
	char *p = line;
	__u32 v;
	int i;

	if (!map)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	v = map->max_entries;
	/* two stores and two steps a pass: the verifier walks 4 passes, each at a constant offset */
	for (i = 0; i < 4; i++) {
		__u8 b = v >> (24 - 8 * i);
		*p++ = hexdigit(b >> 4);
		*p++ = hexdigit(b);
	}
	*p++ = ' ';
	*p++ = hexdigit(map->key_size);
	*p++ = hexdigit(map->value_size);
	*p = '\n';
	bpf_seq_write(ctx->meta->seq, line, sizeof(line));
	return 0;
}
