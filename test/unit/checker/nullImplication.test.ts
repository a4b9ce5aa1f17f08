/**
 * A NULL check remembered by an error code: `if (!v) err = -ENOMEM; ... if (err) return 0; *v` and
 * `c = v ? work(task) : -EACCES; if (c) return 0; *v`. The verifier walks the sides apart and never sees v NULL at
 * the dereference (measured: clang 14 + Linux 6.18 load both, and refuse each program of the second test;
 * Ereborlabs/erebor-runtime's task iterator is written so). A hash map: an array lookup with a constant in-range
 * key is not NULL on 6.18 anyway. The checker joins the sides; the joined code remembers its value on the NULL side
 * (nullImplication.ts).
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const program = (body: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static int claim(struct task_struct *task)
{
	return task->pid > 100 ? 1 : 0;
}

SEC("iter/task")
int walk(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u32 zero = 0;
	__u64 *v;
	int err = 0, c;

	if (!task)
		return 0;
	v = bpf_map_lookup_elem(&counts, &zero);
	${body}
	*v += 1;
	return 0;
}
`;

describe('checker: a NULL check remembered by an error code', () => {
  const codesOf = (text: string): string[] => {
    const file = '/null-implication/walk.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).map((d) => String(d.code));
  };

  it('knows the pointer is not NULL once the code is outside what it was on the NULL side', () => {
    assert.deepStrictEqual(codesOf(program('if (!v) err = -12; if (err) return 0;')), []);
    assert.deepStrictEqual(codesOf(program('c = v ? claim(task) : -13; if (c > 0) return 0; if (c < 0) return 0;')), []);
    assert.deepStrictEqual(codesOf(program('c = v ? claim(task) : -13; if (c == -13) return 0;')), []);
    assert.deepStrictEqual(codesOf(program('if (v) err = claim(task) + 1; if (!err) return 0;')), []);
  });

  it('still reports the dereference when the test leaves the NULL side possible', () => {
    assert.ok(codesOf(program('if (!v) err = -12; if (err == -5) return 0;')).includes('BPF2001'));
    assert.ok(codesOf(program('c = v ? claim(task) : 0; if (c) return 0;')).includes('BPF2001'));
    assert.ok(codesOf(program('if (!v) err = -12; err = 0; if (err) return 0;')).includes('BPF2001'));
    assert.ok(codesOf(program('if (!v) err = -12; if (err < -20) return 0;')).includes('BPF2001'));
  });
});
