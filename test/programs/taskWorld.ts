/**
 * The programs of the task-world differential tests, in one place: test/oracle/kernel.taskWorld.test.ts reads each
 * under `env -i A=1 B=hello unshare --fork --pid --mount-proc` on the running kernel, and the unit tests
 * (test/unit/targets/taskWorld.test.ts) run the same text on a scenario of that world on any machine.
 */
export const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_copy_from_user_task_str(void *dst, __u32 dst__sz, const void *unsafe_ptr__ign, struct task_struct *tsk, __u64 flags) __weak __ksym;
extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __weak __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __weak __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __weak __ksym;
`;

export const PROGRAMS: Record<string, string> = {
  // the environment through bpf_copy_from_user_task() and exit_signal, with its bits summed by the bits iterator
  environ: HEAD + `SEC("iter.s/task")
int environ(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bpf_iter_bits it;
	char env[64] = {};
	__u64 mask;
	int *bit, sum = 0;
	long n, err;
	if (!t || !t->mm)
		return 0;
	n = t->mm->env_end - t->mm->env_start;
	if (n <= 0 || n > 63)
		n = 63;
	err = bpf_copy_from_user_task(env, n & 63, (void *)t->mm->env_start, t, 0);
	mask = t->exit_signal & 0xff;
	bpf_iter_bits_new(&it, &mask, 1);
	while ((bit = bpf_iter_bits_next(&it)))
		sum += *bit;
	bpf_iter_bits_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s envlen=%ld err=%ld first=%s sig=%d bitsum=%d\\n", t->comm, (long)(t->mm->env_end - t->mm->env_start),
		err, env, t->exit_signal, sum);
	return 0;
}
`,
  // the strings of argv and the environment through the kfunc, cut, padded and faulting
  copy_str: HEAD + `SEC("iter.s/task")
int copy_str(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	char a[4], b[16];
	int r1, r2, r3, r4;
	if (!t || !t->mm)
		return 0;
	r1 = bpf_copy_from_user_task_str(a, sizeof(a), (void *)(t->mm->env_start + 4), t, 0);
	r2 = bpf_copy_from_user_task_str(b, sizeof(b), (void *)t->mm->arg_start, t, 1);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %d [%s] %d [%s]", t->comm, r1, a, r2, b);
	r3 = bpf_copy_from_user_task_str(b, sizeof(b), (void *)8, t, 1);
	r4 = bpf_copy_from_user_task_str(a, sizeof(a), (void *)t->mm->arg_start, t, 2);
	BPF_SEQ_PRINTF(ctx->meta->seq, " %d %d %d\\n", r3, b[0] | b[15], r4);
	return 0;
}
`,
  // the parent dentry of each open file: "/" at a mount root (/dev/null, the bpffs pin)
  mount_parent: HEAD + `SEC("iter/task_file")
int mount_parent(struct bpf_iter__task_file *ctx)
{
	struct file *f = ctx->file;
	struct dentry *d, *p;
	// stdout is the test's pipe (a unix socket under node) and node may leave a descriptor open past 3
	if (!f || ctx->fd == 1 || ctx->fd > 3)
		return 0;
	d = f->f_path.dentry;
	p = d->d_parent;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %s <- %s top=%d\\n", ctx->fd, d->d_name.name, p->d_name.name, p == p->d_parent);
	return 0;
}
`,
  // the first bytes of each mapped file's first area (an ELF header), and of the areas without a file
  areas: HEAD + `SEC("iter.s/task_vma")
int areas(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *v = ctx->vma;
	struct task_struct *t = ctx->task;
	unsigned char h[20] = {};
	long err;
	if (!t || !v || (v->vm_file && v->vm_pgoff != 0))
		return 0;
	err = bpf_copy_from_user_task(h, sizeof(h), (void *)v->vm_start, t, 0);
	if (v->vm_file)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s %s err=%ld %c%c%c class=%u machine=%u\\n", t->comm, v->vm_file->f_path.dentry->d_name.name,
			err, h[1], h[2], h[3], h[4], h[18] | (h[19] << 8));
	else
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s anon flags=%lx err=%ld\\n", t->comm, v->vm_flags, err);
	return 0;
}
`,
  // fourth round: the cgroup of each task: task->cgroups->dfl_cgrp, its level and kernfs name
  task_cgroup: HEAD + `#include <bpf/bpf_core_read.h>
SEC("iter/task")
int task_cgroup(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct cgroup *cg;
	if (!t)
		return 0;
	cg = t->cgroups->dfl_cgrp;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s level=%d name=[%s] leader=%d\\n", t->comm, cg->level, cg->kn->name, t == t->group_leader);
	return 0;
}
`,
  // fourth round: a binary record per task through bpf_seq_write(), as bpftop pid_iter writes them
  seq_write_record: HEAD + `#include <bpf/bpf_core_read.h>
struct rec { char comm[16]; int prio; int nthreads; unsigned int flags_kthread; };
SEC("iter/task")
int record(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct rec r;
	if (!t)
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), t->group_leader->comm);
	r.prio = t->prio;
	r.nthreads = t->signal->nr_threads;
	r.flags_kthread = !!(t->flags & 0x00200000);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
`,
  // fourth round: twelve arguments to one BPF_SEQ_PRINTF: priorities, policy, CPUs, credentials, mm counters
  many_args: HEAD + `#include <bpf/bpf_core_read.h>
SEC("iter/task")
int many(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	if (!t || !t->mm)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s p=%d sp=%d np=%d pol=%u cpus=%d sig=%d uid=%u euid=%u thr=%d users=%d %s\\n",
		t->comm, t->prio, t->static_prio, t->normal_prio, t->policy, t->nr_cpus_allowed, t->exit_signal,
		t->cred->uid.val, t->cred->euid.val, t->signal->nr_threads, t->mm->mm_users.counter, t->mm->map_count > 10 ? "many" : "few");
	return 0;
}
`,
  // fourth round: the pages of anonymous, file and stack areas, summed in globals and printed by the final call
  vma_sizes: HEAD + `#include <bpf/bpf_core_read.h>
__u64 anon, file, stack;
SEC("iter/task_vma")
int sizes(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *v = ctx->vma;
	if (!v) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "anon_pages=%llu file_pages=%llu stack_pages=%llu\\n", anon >> 12, file >> 12, stack >> 12);
		return 0;
	}
	if (v->vm_file)
		file += v->vm_end - v->vm_start;
	else if (v->vm_flags & 0x100)
		stack += v->vm_end - v->vm_start;
	else
		anon += v->vm_end - v->vm_start;
	return 0;
}
`,
  // fourth round: a variable searched for in the environment read with bpf_copy_from_user_task()
  env_lookup: HEAD + `#include <bpf/bpf_core_read.h>
SEC("iter.s/task")
int env_lookup(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	char env[64] = {};
	long n, i;
	if (!t || !t->mm)
		return 0;
	n = t->mm->env_end - t->mm->env_start;
	if (n > 63)
		n = 63;
	if (n <= 0)
		return 0;
	if (bpf_copy_from_user_task(env, n, (void *)t->mm->env_start, t, 0))
		return 0;
	for (i = 0; i < 60; i++) {
		if (env[i] == 'B' && env[i + 1] == '=' && (i == 0 || env[i - 1] == 0)) {
			BPF_SEQ_PRINTF(ctx->meta->seq, "%s B at %ld: %s\\n", t->comm, i, &env[i + 2]);
			return 0;
		}
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s no B\\n", t->comm);
	return 0;
}
`,
  // fourth round: bpf_get_task_stack() in iter.s/task (the depth is the kernel one; only its success is compared)
  task_stack: HEAD + `#include <bpf/bpf_core_read.h>
__u64 entries[8];
SEC("iter.s/task")
int stacks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	long n;
	if (!t)
		return 0;
	n = bpf_get_task_stack(t, entries, sizeof(entries), 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s depth_ok=%d\\n", t->comm, n >= 0);
	return 0;
}
`,
  // fourth round: the open-coded task iterator over the threads of the ctx task (BPF_TASK_ITER_PROC_THREADS)
  proc_threads: HEAD + `#include <bpf/bpf_core_read.h>
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
SEC("iter/task")
int threads(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task, *pos;
	struct bpf_iter_task it;
	int n = 0;
	if (!t)
		return 0;
	bpf_iter_task_new(&it, t, 2);
	while ((pos = bpf_iter_task_next(&it)))
		n++;
	bpf_iter_task_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s threads=%d\\n", t->comm, n);
	return 0;
}
`,
  // fourth round: the css_task iterator over the cgroup of the task, from bpf_cgroup_from_id()
  css_task_peers: HEAD + `#include <bpf/bpf_core_read.h>
extern int bpf_iter_css_task_new(struct bpf_iter_css_task *it, struct cgroup_subsys_state *css, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it) __weak __ksym;
extern void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it) __weak __ksym;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
SEC("iter/task")
int peers(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task, *p;
	struct bpf_iter_css_task it;
	struct cgroup *cg;
	int self = 0;
	if (!t)
		return 0;
	cg = bpf_cgroup_from_id(t->cgroups->dfl_cgrp->kn->id);
	if (!cg)
		return 0;
	bpf_iter_css_task_new(&it, &cg->self, 1);
	while ((p = bpf_iter_css_task_next(&it)))
		if (p == t)
			self = 1;
	bpf_iter_css_task_destroy(&it);
	bpf_cgroup_release(cg);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s in its cgroup: %d\\n", t->comm, self);
	return 0;
}
`,
  // fourth round: two nested open-coded numbers iterators
  num_nested: HEAD + `#include <bpf/bpf_core_read.h>
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;
SEC("iter/task")
int nested(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bpf_iter_num a, b;
	int *i, *j;
	__u64 sum = 0;
	if (!t || t->comm[0] != 'c')
		return 0;
	bpf_iter_num_new(&a, 0, 4);
	while ((i = bpf_iter_num_next(&a))) {
		bpf_iter_num_new(&b, 0, 3);
		while ((j = bpf_iter_num_next(&b)))
			sum += (*i) * 10 + *j;
		bpf_iter_num_destroy(&b);
	}
	bpf_iter_num_destroy(&a);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s sum=%llu\\n", t->comm, sum);
	return 0;
}
`,
  // fourth round: bpf_task_from_pid() of the pid of each task gives it back
  task_from_pid: HEAD + `#include <bpf/bpf_core_read.h>
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
SEC("iter/task")
int from_pid(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task, *again;
	if (!t)
		return 0;
	again = bpf_task_from_pid(t->pid);
	if (!again)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s same=%d comm=%s\\n", t->comm, again == t, again->comm);
	bpf_task_release(again);
	return 0;
}
`,
  // fourth round: the open-coded kmem_cache iterator in iter.s/task, its counter compared inside the loop
  kmem_in_task: HEAD + `#include <bpf/bpf_core_read.h>
extern int bpf_iter_kmem_cache_new(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern struct kmem_cache *bpf_iter_kmem_cache_next(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern void bpf_iter_kmem_cache_destroy(struct bpf_iter_kmem_cache *it) __weak __ksym;
SEC("iter.s/task")
int kmem_in_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *s;
	unsigned int biggest = 0;
	if (!t || t->comm[0] != 'c')
		return 0;
	bpf_iter_kmem_cache_new(&it);
	while ((s = bpf_iter_kmem_cache_next(&it)))
		if (s->size > biggest)
			biggest = s->size;
	bpf_iter_kmem_cache_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s found=%d\\n", t->comm, biggest > 0);
	return 0;
}
`,
  // fourth round: the resource limits, as a fd-usage reporter reads them (signal->rlim[RLIMIT_NOFILE], the stack, core)
  rlimits: HEAD + `SEC("iter/task")
int rlimits(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct rlimit *r;
	if (!t)
		return 0;
	r = t->signal->rlim;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s nofile=%lu/%lu stack=%lu/%lu core=%lu/%lu nproc=%lu\\n", t->comm, r[7].rlim_cur, r[7].rlim_max,
		r[3].rlim_cur, r[3].rlim_max, r[4].rlim_cur, r[4].rlim_max, r[6].rlim_cur);
	return 0;
}
`,
  // fourth round: vm_pgoff of the areas of sh without a file (vm_start >> 12, the stack from STACK_TOP_MAX) and PF_RANDOMIZE
  anon_pgoff: HEAD + `SEC("iter/task_vma")
int anon_pgoff(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *v = ctx->vma;
	struct task_struct *t = ctx->task;
	if (!t || !v || v->vm_file || t->comm[0] != 's')
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%lx %lx %lx randomize=%d\\n", v->vm_start, v->vm_end, v->vm_pgoff, (t->flags & 0x400000) != 0);
	return 0;
}
`,
  // fifth round: start_boottime (no suspend: the monotonic start), the mm's page counters by area kind, the audit login identity
  start_boottime: HEAD + `SEC("iter/task")
int start(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	if (!t)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s after_parent=%d boot_ge=%d\\n", t->comm, t->start_time >= t->real_parent->start_time,
		t->start_boottime >= t->start_time);
	return 0;
}
`,
  mm_counters: HEAD + `SEC("iter/task")
int mm(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct mm_struct *mm;
	if (!t || !(mm = t->mm))
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s total=%lu data=%lu stack=%lu exec=%lu maps=%d\\n", t->comm, mm->total_vm, mm->data_vm, mm->stack_vm,
		mm->exec_vm, mm->map_count);
	return 0;
}
`,
  loginuid: HEAD + `#include <bpf/bpf_core_read.h>
SEC("iter/task")
int audit(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	unsigned int luid = 0, sid = 0;
	if (!t)
		return 0;
	if (bpf_core_field_exists(t->loginuid)) {
		luid = BPF_CORE_READ(t, loginuid.val);
		sid = BPF_CORE_READ(t, sessionid);
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s loginuid=%u sessionid=%u\\n", t->comm, luid, sid);
	return 0;
}
`,
  // fifth round: every controller slot of the task's css_set holds a css (this host's controllers are on v1 hierarchies,
  // so only that is compared; test/unit/targets/taskCgroups.test.ts checks which cgroup each slot names)
  subsys_set: HEAD + `SEC("iter/task")
int subsys(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	int i, set = 0;
	if (!t)
		return 0;
	for (i = 0; i < 12; i++)
		if (t->cgroups->subsys[i])
			set++;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s subsys_set=%d\\n", t->comm, set);
	return 0;
}
`,
  // fifth round: PF_SUPERPRIV (0x100) of the namespace's sh, which unshare's child became after mounting /proc; cat, forked, has not
  superpriv: HEAD + `SEC("iter/task")
int superpriv(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	if (!t)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s flags=%x superpriv=%d\\n", t->comm, t->flags & 0xfffffff, (t->flags & 0x100) != 0);
	return 0;
}
`,
};

/**
 * fifth round: a counted loop over a copied command line that tests a byte before it compares the counter with the
 * unknown length (pathSplitLoops.ts). `passes` and the order of the two tests vary; measured on Linux 6.18 with
 * clang 14: the byte test first is refused at 32 and 47 passes ("BPF program is too large"), the comparison first
 * loads at any count, and at 16 passes clang unrolls the loop and it loads.
 */
export function cmdlineLoop(passes: number, order: 'byte_first' | 'bound_first'): string {
  const test = order === 'byte_first' ? 'args[i] == 0 && i + 1 < len' : 'i + 1 < len && args[i] == 0';
  return HEAD + `SEC("iter.s/task")
int cmdline(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	char args[64] = {};
	long len;
	int i;
	if (!t || !t->mm || t->comm[0] != 'c')
		return 0;
	len = t->mm->arg_end - t->mm->arg_start;
	if (len > 63)
		len = 63;
	if (len <= 0)
		return 0;
	if (bpf_copy_from_user_task(args, sizeof(args), (void *)t->mm->arg_start, t, 0))
		return 0;
	for (i = 0; i < ${passes}; i++)
		if (${test})
			args[i] = ' ';
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s: %s\\n", t->comm, args);
	return 0;
}
`;
}
