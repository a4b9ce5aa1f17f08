// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A kallsyms filter: the symbols of loaded modules and the TCP entry points of the core kernel, in
 * /proc/kallsyms' format, from iter/ksym instead of parsing the whole /proc file in user space. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

static bool has_prefix(const char *s, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

SEC("iter/ksym")
int filter_ksyms(struct bpf_iter__ksym *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kallsym_iter *sym = ctx->ksym;
	char type;

	if (!sym || !sym->name[0])
		return 0;
	if (sym->module_name[0]) {
		/* BPF programs and the kernel's own trampolines are not modules */
		if (has_prefix(sym->module_name, "bpf", 4) || has_prefix(sym->module_name, "__builtin__", 11))
			return 0;
		type = sym->exported ? sym->type & ~0x20 : sym->type | 0x20;
		BPF_SEQ_PRINTF(seq, "%016lx %c %s\t[%s]\n", sym->value, type, sym->name, sym->module_name);
		return 0;
	}
	if (has_prefix(sym->name, "tcp_", 4))
		BPF_SEQ_PRINTF(seq, "%016lx %c %s\n", sym->value, sym->type, sym->name);
	return 0;
}
