// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Kernel symbols of BPF programs and of one module, with their addresses: a symbolizer for
 * stack traces that end in JITed programs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MODULE_NAME_LEN 56
#define KSYM_NAME_LEN 512

const volatile char module_filter[MODULE_NAME_LEN] = "";
__u32 bpf_syms, module_syms;

static __always_inline bool is_bpf_sym(const char *name)
{
	return name[0] == 'b' && name[1] == 'p' && name[2] == 'f' && name[3] == '_';
}

SEC("iter/ksym")
int bpf_syms_dump(struct bpf_iter__ksym *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kallsym_iter *iter = ctx->ksym;
	char name[KSYM_NAME_LEN];

	if (!iter)
		return 0;
	if (iter->show_value == 0)
		return 0;
	if (iter->module_name[0] && module_filter[0]) {
		if (bpf_strncmp(iter->module_name, MODULE_NAME_LEN, (const char *)module_filter) == 0) {
			module_syms++;
			BPF_SEQ_PRINTF(seq, "%llx %c %s [%s]\n", iter->value, iter->type, iter->name, iter->module_name);
		}
		return 0;
	}
	__builtin_memcpy(name, iter->name, 8);
	if (iter->type == 't' && is_bpf_sym(name) && ctx->meta->seq_num < 100000) {
		bpf_syms++;
		BPF_SEQ_PRINTF(seq, "%llx %s\n", iter->value, iter->name);
	}
	return 0;
}
