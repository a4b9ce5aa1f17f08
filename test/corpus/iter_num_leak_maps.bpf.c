// A numbers iterator that is never destroyed: bpf_iter_num_new() took a reference the program's exit leaks.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

__u64 first;

SEC("iter/bpf_map")
int iter_leak(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 3);
	v = bpf_iter_num_next(&it);
	if (v)
		first = *v;
	return 0;
}
