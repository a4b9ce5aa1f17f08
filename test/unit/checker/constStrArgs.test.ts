/**
 * ARG_PTR_TO_CONST_STR (bpf_strncmp()'s second string, bpf_snprintf()'s format): the verifier reads the string at
 * load, so it must be at a constant offset of a frozen read-only map (measured on 6.18: a .data string gives "R3 does
 * not point to a readonly map'", task->comm "R3 type=trusted_ptr_ expected=map_value"). And where clang places a
 * static array: one whose address escapes (a helper's argument, a BPF_SEQ_PRINTF argument) stays writable (.data).
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const program = (decl: string, body: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, char[8]); } names SEC(".maps");
${decl}
SEC("iter/task")
int p(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	__u32 z = 0;
	char *v;
	long r = 0;
	if (!t)
		return 0;
	${body}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%ld\\n", r);
	return 0;
}
`;
const errorsOf = (text: string): string[] => {
  const file = '/const-str/p.bpf.c';
  const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
  return service.validate(file, text).filter((d) => d.severity === 1).map((d) => String(d.code));
};

describe('checker: constant string arguments (check_reg_const_str)', () => {
  it('a string literal, a const volatile global (.rodata) load', () => {
    assert.deepStrictEqual(errorsOf(program('', 'r = bpf_strncmp(t->comm, 8, "bash");')), []);
    assert.deepStrictEqual(errorsOf(program('const volatile char g[8] = "bash";', 'r = bpf_strncmp(t->comm, 8, (const char *)g);')), []);
  });

  it('a .data global, a static array passed to the helper (clang keeps it in .data), a map value, task->comm: refused', () => {
    assert.deepStrictEqual(errorsOf(program('char g[8] = "bash";', 'r = bpf_strncmp(t->comm, 8, g);')), ['BPF2057']);
    assert.deepStrictEqual(errorsOf(program('static char g[8] = "bash";', 'r = bpf_strncmp(t->comm, 8, g);')), ['BPF2057']);
    assert.deepStrictEqual(errorsOf(program('', 'v = bpf_map_lookup_elem(&names, &z); if (v) r = bpf_strncmp(t->comm, 8, v);')), ['BPF2057']);
    assert.deepStrictEqual(errorsOf(program('', 'r = bpf_strncmp("bash", 4, t->comm);')), ['BPF2057']);
  });

  it('a static initialised array a helper writes through its decayed address is writable (.data), as clang places it', () => {
    assert.deepStrictEqual(errorsOf(program('static char tag[8] = "task";', 'bpf_probe_read_kernel_str(tag, sizeof(tag), t->comm); r = tag[0];')), []);
  });
});
