// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Which process holds which BPF object fd: every open file whose file_operations is one of the
 * BPF object ones gives a binary record (id, kind, pid, comm) the reader decodes with objstat.h. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "objstat.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* weak: kernels built without CONFIG_KALLSYMS_ALL do not export them (then nothing matches) */
extern const void bpf_map_fops __ksym __weak;
extern const void bpf_prog_fops __ksym __weak;
extern const void bpf_link_fops __ksym __weak;

const volatile __u32 wanted_kind = OBJ_NONE;

struct obj_totals totals = {};

static __always_inline __u32 owner_id(void *priv, enum obj_kind kind)
{
	switch (kind) {
	case OBJ_PROG:
		return BPF_CORE_READ((struct bpf_prog *)priv, aux, id);
	case OBJ_MAP:
		return BPF_CORE_READ((struct bpf_map *)priv, id);
	case OBJ_LINK:
		return BPF_CORE_READ((struct bpf_link *)priv, id);
	default:
		return 0;
	}
}

static __always_inline enum obj_kind kind_of(const struct file *file)
{
	const void *ops = file->f_op;

	if (&bpf_prog_fops && ops == &bpf_prog_fops)
		return OBJ_PROG;
	if (&bpf_map_fops && ops == &bpf_map_fops)
		return OBJ_MAP;
	if (&bpf_link_fops && ops == &bpf_link_fops)
		return OBJ_LINK;
	return OBJ_NONE;
}

SEC("iter/task_file")
int fd_owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct obj_owner rec;
	enum obj_kind kind;

	if (!task || !file)
		return 0;
	kind = kind_of(file);
	if (kind == OBJ_NONE)
		return 0;
	if (wanted_kind != OBJ_NONE && kind != wanted_kind)
		return 0;
	switch (kind) {
	case OBJ_PROG: __sync_fetch_and_add(&totals.progs, 1); break;
	case OBJ_MAP: __sync_fetch_and_add(&totals.maps, 1); break;
	default: __sync_fetch_and_add(&totals.links, 1); break;
	}
	__builtin_memset(&rec, 0, sizeof(rec));
	rec.id = owner_id(file->private_data, kind);
	rec.kind = kind;
	rec.pid = task->tgid;
	bpf_probe_read_kernel_str(rec.comm, sizeof(rec.comm), task->group_leader->comm);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
