// source: a number or a name written into a stack buffer after a prefix one side of an `if` writes (a sign, a flag letter), through a moving pointer or a counted index, as exporters format their fields

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int conditional_prefix(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char num[6];
	char tag[4];
	char dots[7];
	char letters[8];
	char *p = num;
	int n = 0, i, v;
	unsigned int u;

	if (!map)
		return 0;
	if (map->name[0] != 'l' || map->name[1] != 'a' || map->name[2] != 'b' || map->name[3] != '_')
		return 0;
	/* a sign first on one path only: every later store is at a constant offset on each path */
	v = (int)map->value_size - 10;
	u = v;
	if (v < 0) {
		*p++ = '-';
		u = -v;
	}
	*p++ = '0' + (u / 10) % 10;
	*p++ = '0' + u % 10;
	*p++ = ' ';
	*p++ = '|';
	bpf_seq_write(ctx->meta->seq, num, 4);
	/* a counted index stepped under a test, then the letters it counts */
	if (map->map_type == BPF_MAP_TYPE_HASH)
		tag[n++] = 'h';
	tag[n++] = map->name[4];
	tag[n++] = '\n';
	bpf_seq_write(ctx->meta->seq, tag, n);
	/* a counter a loop steps under a test, used as an index after it */
	n = 0;
	for (i = 0; i < 6; i++) {
		if (map->name[4 + i] == 'a')
			n++;
	}
	for (i = 0; i < 7; i++)
		dots[i] = '.';
	dots[n] = '\n';
	bpf_seq_write(ctx->meta->seq, dots, n + 1);
	/* the letters a loop copies under a test, then a newline: bytes [0, n) written on each path */
	n = 0;
	for (i = 0; i < 6; i++) {
		char c = map->name[4 + i];

		if (c >= 'a' && c <= 'm')
			letters[n++] = c;
	}
	letters[n++] = '\n';
	bpf_seq_write(ctx->meta->seq, letters, n);
	return 0;
}
