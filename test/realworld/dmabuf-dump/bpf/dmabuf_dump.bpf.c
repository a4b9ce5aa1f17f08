// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A dma-buf accounting dump (size, inode, exporter, name), the kind of table memory trackers build from
 * iter/dmabuf instead of /sys/kernel/debug/dma_buf/bufinfo. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/dmabuf")
int dump_dmabufs(struct bpf_iter__dmabuf *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct dma_buf *buf = ctx->dmabuf;
	char name[32] = {};

	if (!buf)
		return 0;
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%10s %8s %-12s %s\n", "SIZE", "INODE", "EXPORTER", "NAME");
	if (buf->name)
		bpf_probe_read_kernel_str(name, sizeof(name), buf->name);
	BPF_SEQ_PRINTF(seq, "%10lu %8lu %-12s %s\n", buf->size, buf->file->f_inode->i_ino, buf->exp_name, name[0] ? name : "-");
	return 0;
}
