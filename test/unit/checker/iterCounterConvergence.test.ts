import * as assert from 'assert';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;
`;

/** a numbers loop with `inside` as its body and `after` after it (each measured on 6.18 with clang 14 -O2) */
function numLoop(inside: string, after: string): string {
  return HEAD + `SEC("iter/task")
int v(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bpf_iter_num it;
	int *v;
	int n = 0, m = 0;
	char buf[16] = {};
	if (!t)
		return 0;
	bpf_iter_num_new(&it, 0, 100);
	while ((v = bpf_iter_num_next(&it))) {
		${inside}
	}
	bpf_iter_num_destroy(&it);
	${after}
	return 0;
}
`;
}

function codes(text: string): Array<string | number | undefined> {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1).map((d) => d.code as string | number | undefined);
}

// Linux 6.18: "BPF program is too large. Processed 1000001 insn" (E2BIG) for the refused rows, loaded for the others
const REFUSED: Array<[string, string, string]> = [
  ['n++ then compared with a constant', 'n++;', 'if (n > 10) BPF_SEQ_PRINTF(ctx->meta->seq, "many %d\\n", n);'],
  ['two counters, one compared with a constant', 'n++; m += 2;', 'if (n > 10) BPF_SEQ_PRINTF(ctx->meta->seq, "many %d %d\\n", n, m);'],
  ['the size of bpf_probe_read_kernel()', 'n++;', 'bpf_probe_read_kernel(buf, n & 15, t->comm); BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", buf);'],
  ['the return value', 'n++;', 'return n > 10;'],
  ['an index into a stack array', 'n++;', 'buf[n & 15] = 1; BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", buf);'],
];
const LOADED: Array<[string, string, string]> = [
  ['only printed', 'n++;', 'BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", n);'],
  ['compared with a value the verifier does not know', 'n++;', 'if (n > t->pid) BPF_SEQ_PRINTF(ctx->meta->seq, "many %d\\n", n);'],
  ['stepped on some passes only', 'if (*v & 1) n++;', 'if (n > 10) BPF_SEQ_PRINTF(ctx->meta->seq, "many %d\\n", n);'],
  ['stepped by an unknown amount', 'n += *v;', 'if (n > 10) BPF_SEQ_PRINTF(ctx->meta->seq, "many %d\\n", n);'],
  ['bounded by a test inside the loop', 'n++; if (n > 50) break;', 'BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", n);'],
];

describe('checker: a counter of an open-coded iterator loop the verifier never converges on (BPF2065)', () => {
  for (const [what, inside, after] of REFUSED) {
    it(`refused as the kernel refuses it: ${what}`, () => {
      assert.deepStrictEqual(codes(numLoop(inside, after)), ['BPF2065']);
    });
  }
  for (const [what, inside, after] of LOADED) {
    it(`loaded as the kernel loads it: ${what}`, () => {
      assert.deepStrictEqual(codes(numLoop(inside, after)), []);
    });
  }

  it('the same over bpf_iter_task_vma (n > 10 refused; the byte sum compared, or `if (n)`, loads) and bpf_iter_kmem_cache', () => {
    const vma = (test: string): string => HEAD + `extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task, __u64 addr) __weak __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __weak __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __weak __ksym;
SEC("iter/task")
int tv(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int n = 0;
	__u64 bytes = 0;
	if (!t)
		return 0;
	bpf_iter_task_vma_new(&it, t, 0);
	while ((vma = bpf_iter_task_vma_next(&it))) {
		n++;
		bytes += vma->vm_end - vma->vm_start;
	}
	bpf_iter_task_vma_destroy(&it);
	if (${test})
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s %d %llu\\n", t->comm, n, bytes);
	return 0;
}
`;
    assert.deepStrictEqual(codes(vma('n > 10')), ['BPF2065']);
    assert.deepStrictEqual(codes(vma('bytes > 4096')), []);
    assert.deepStrictEqual(codes(vma('n')), []);
    const kmem = HEAD + `extern int bpf_iter_kmem_cache_new(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern struct kmem_cache *bpf_iter_kmem_cache_next(struct bpf_iter_kmem_cache *it) __weak __ksym;
extern void bpf_iter_kmem_cache_destroy(struct bpf_iter_kmem_cache *it) __weak __ksym;
SEC("iter.s/task")
int kc(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *s;
	int n = 0;
	if (!t || t->pid != 1)
		return 0;
	bpf_iter_kmem_cache_new(&it);
	while ((s = bpf_iter_kmem_cache_next(&it)))
		n++;
	bpf_iter_kmem_cache_destroy(&it);
	if (n > 10)
		BPF_SEQ_PRINTF(ctx->meta->seq, "many %d\\n", n);
	return 0;
}
`;
    assert.deepStrictEqual(codes(kmem), ['BPF2065']);
  });
});
