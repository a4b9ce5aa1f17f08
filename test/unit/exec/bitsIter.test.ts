import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __weak __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __weak __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __weak __ksym;
`;

async function run(text: string): Promise<string> {
  const scenario = path.join(path.dirname(FIXTURE_PATH), 'bits.bpfscenario.json');
  const service = serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify({ processes: [{ pid: 1, ppid: 0, comm: 'sh' }, { pid: 2, ppid: 1, comm: 'cat' }] }) });
  const r = await service.run(FIXTURE_PATH, text, { scenario }) as unknown as { output: string | null; error?: { message: string } };
  assert.ok(!r.error, JSON.stringify(r.error));
  return r.output ?? '';
}

// bpf_iter_bits_new/next/destroy of Linux 6.18 (kernel/bpf/helpers.c); measured in iter/task in a new pid
// namespace: the bits of exit_signal 17 (0 and 4) add up to 4 for sh and cat.
describe('exec: the open-coded bits iterator (bpf_iter_bits_new/next/destroy)', () => {
  it('is a kfunc iterators may use, checked without a warning; walks the set bits lowest first, of one word or more', async () => {
    const text = HEAD + `SEC("iter/task")
int bits(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bpf_iter_bits it;
	__u64 mask, words[2] = { 0x8000000000000001ULL, 0x5 };
	int *bit, n = 0, r;
	if (!t)
		return 0;
	mask = t->exit_signal & 0xff;
	bpf_iter_bits_new(&it, &mask, 1);
	while ((bit = bpf_iter_bits_next(&it)))
		n += *bit;
	bpf_iter_bits_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s bitsum=%d:", t->comm, n);
	r = bpf_iter_bits_new(&it, words, 2);
	while ((bit = bpf_iter_bits_next(&it)))
		BPF_SEQ_PRINTF(ctx->meta->seq, " %d", *bit);
	bpf_iter_bits_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, " (%d)", r);
	r = bpf_iter_bits_new(&it, words, 0);
	BPF_SEQ_PRINTF(ctx->meta->seq, " zero=%d next=%d", r, bpf_iter_bits_next(&it) != 0);
	bpf_iter_bits_destroy(&it);
	r = bpf_iter_bits_new(&it, words, 512);
	bpf_iter_bits_destroy(&it);
	BPF_SEQ_PRINTF(ctx->meta->seq, " big=%d\\n", r);
	return 0;
}
`;
    const problems = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1 || d.severity === 2).map((d) => `${d.code}: ${d.message}`);
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(await run(text), 'sh bitsum=0: 0 63 64 66 (0) zero=-22 next=0 big=-7\ncat bitsum=4: 0 63 64 66 (0) zero=-22 next=0 big=-7\n');
  });

  it('the iterator must be created before next() and destroyed before the program ends (as for the other kinds)', () => {
    const text = HEAD + `SEC("iter/task")
int leak(struct bpf_iter__task *ctx)
{
	struct bpf_iter_bits it;
	__u64 m = 3;
	bpf_iter_bits_new(&it, &m, 1);
	return 0;
}
`;
    const errors = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1);
    assert.strictEqual(errors.length, 1, errors.map((d) => d.message).join('\n'));
  });
});

const KMEM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_kmem_cache_new(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern struct kmem_cache *bpf_iter_kmem_cache_next(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern void bpf_iter_kmem_cache_destroy(struct bpf_iter_kmem_cache *it) __weak __ksym;
SEC("SECTION/task")
int caches(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *s;
	if (!t || t->pid != 1)
		return 0;
	bpf_iter_kmem_cache_new(&it);
	while ((s = bpf_iter_kmem_cache_next(&it)))
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s %u ref=%d\\n", s->name, s->object_size, s->refcount);
	bpf_iter_kmem_cache_destroy(&it);
	return 0;
}
`;

// bpf_iter_kmem_cache_new/next/destroy of Linux 6.18 (kernel/bpf/kmem_cache_iter.c): KF_SLEEPABLE, so iter.s only
// (measured: "program must be sleepable to call sleepable kfunc bpf_iter_kmem_cache_new", EACCES, in iter/task)
describe('exec: the open-coded kmem_cache iterator (bpf_iter_kmem_cache_new/next/destroy)', () => {
  it('is refused in a program that is not sleepable (BPF2091), checked without a warning in iter.s', () => {
    const diags = (section: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, KMEM.replace('SECTION', section)).filter((d) => d.severity === 1 || d.severity === 2).map((d) => `${d.code}: ${d.message}`);
    assert.match(diags('iter')[0] ?? '', /^BPF2091: .*sleepable kfunc bpf_iter_kmem_cache_new/);
    assert.deepStrictEqual(diags('iter.s'), []);
  });

  it('walks the slab caches in slab_caches order with a reference on the current one (boot caches keep -1)', async () => {
    const scenario = path.join(path.dirname(FIXTURE_PATH), 'slabs.bpfscenario.json');
    const world = { processes: [{ pid: 1, ppid: 0, comm: 'sh' }], kernel_objects: { slab_caches: [
      { name: 'task_struct', object_size: 10496, align: 64 }, { name: 'dentry', object_size: 192, refcount: 2 },
      { name: 'kmem_cache', object_size: 232, align: 64, refcount: -1 }] } };
    const service = serviceFor({ ...TARGET_FILES, [scenario]: JSON.stringify(world) });
    const r = await service.run(FIXTURE_PATH, KMEM.replace('SECTION', 'iter.s'), { scenario }) as unknown as { output: string | null; error?: { message: string } };
    assert.ok(!r.error, JSON.stringify(r.error));
    assert.strictEqual(r.output, 'task_struct 10496 ref=2\ndentry 192 ref=3\nkmem_cache 232 ref=-1\n');
  });
});
