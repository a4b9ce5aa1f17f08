import * as assert from 'assert';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

/**
 * Global `__noinline` functions are verified on their own from their prototype (btf_prepare_func_args(),
 * btf_check_subprog_call()). Every verdict below was measured with clang 14 and `bpftool iter pin` on Linux 6.18.
 */
describe('checker/global functions: checked on their own, from their prototype', () => {
  const program = (fns: string, body: string): string => [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    fns,
    `SEC("iter/task") int p(struct bpf_iter__task *ctx) { struct task_struct *t = ctx->task; ${body} return 0; }`,
    '',
  ].join('\n');
  const errors = (text: string) => serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1);
  const code = (m: { code: number }): string => `BPF${m.code}`;
  // [what, functions, entry body, the expected error code and a piece of its kernel text, or undefined: loads]
  const cases: Array<[string, string, string, [string, string] | undefined]> = [
    ['a trusted task passed for struct task_struct *', '__noinline int f(struct task_struct *t) { return t ? t->pid : 0; }',
      'if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(t));', [code(Diagnostics.GlobalFuncArgInvalid), "Caller passes invalid args into func#? ('f')"]],
    ['t->comm passed for const char *', '__noinline int f(const char *s) { if (!s) return 0; return s[0] == 0x6b; }',
      'if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(t->comm));', [code(Diagnostics.GlobalFuncArgInvalid), "Caller passes invalid args into func#? ('f')"]],
    ['the ctx passed for struct bpf_iter__task *', '__noinline int f(struct bpf_iter__task *c) { struct task_struct *t = c->task; if (!t) return 0; BPF_SEQ_PRINTF(c->meta->seq, "%d\\n", t->pid); return 0; }',
      'return f(ctx);', [code(Diagnostics.GlobalFuncArgInvalid), 'invalid bpf_context access']],
    ['a 4-byte local passed for an 8-byte struct', 'struct acc { int n; int sum; };\n__noinline int f(struct acc *a, int v) { if (!a) return -1; a->n++; a->sum += v; return 0; }',
      'int x = 0; if (!t) return 0; f((struct acc *)&x, t->pid);', [code(Diagnostics.GlobalFuncArgInvalid), 'invalid read from stack']],
    ['a string literal passed for const char *', '__noinline int f(const char *s) { if (!s) return 0; return s[0]; }',
      'if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f("abc"));', [code(Diagnostics.GlobalFuncArgInvalid), 'write into map forbidden']],
    ['a const volatile global passed for const int *', 'const volatile int limit = 5;\n__noinline int f(const int *x) { if (!x) return 0; return *x; }',
      'if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f((const int *)&limit));', [code(Diagnostics.GlobalFuncArgInvalid), 'write into map forbidden']],
    ['a pointer converted to the integer a parameter takes', '__noinline int f(long x) { return x > 5; }',
      'if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f((long)t));', [code(Diagnostics.GlobalFuncArgInvalid), 'R1 is not a scalar']],
    ['a void * parameter', '__noinline int f(void *p) { return p != 0; }',
      'char b[8] = {}; if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(b));', [code(Diagnostics.GlobalFuncArgInvalid), "reference type('UNKNOWN ') size cannot be determined"]],
    ['a void global function', 'int cnt;\n__noinline void f(int x) { if (x > 5) cnt++; }',
      'if (!t) return 0; f(t->pid);', [code(Diagnostics.GlobalFuncReturnNotScalar), "Global function f() doesn't return scalar"]],
    ['a pointer parameter dereferenced without a NULL check', '__noinline int f(char *b) { return b[0]; }',
      'char b[8] = {}; if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(b));', [code(Diagnostics.NullDereference), "invalid mem access 'mem_or_null'"]],
    ['char * is one byte to the verifier', '__noinline int f(char *b) { if (!b) return 0; b[1] = 3; return b[0]; }',
      'char b[8] = {}; if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d\\n", f(b), b[1]);', [code(Diagnostics.MemOutOfBounds), 'invalid access to memory, mem_size=1 off=1 size=1']],
    ['__u64 * walked past its 8 bytes', '__noinline int sum(__u64 *vals, int n) { __u64 s = 0; if (!vals) return 0; for (int i = 0; i < n && i < 4; i++) s += vals[i]; return s; }',
      '__u64 v[4] = {1, 2, 3, 4}; if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", sum(v, t->pid & 3));', [code(Diagnostics.MemOutOfBounds), 'invalid access to memory, mem_size=8']],
    ['an integer argument indexing a global array', 'int arr[16];\n__noinline int f(int i) { return arr[i]; }',
      'if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(t->pid & 7));', [code(Diagnostics.MapValueOutOfBounds), 'invalid access to map value']],
    // loads
    ['a NULL-checked struct pointer to a stack struct, read back after the call', 'struct acc { int n; int sum; };\n__noinline int f(struct acc *a, int v) { if (!a) return -1; a->n++; a->sum += v; return 0; }',
      'struct acc a = {}; if (!t) return 0; f(&a, t->pid); if (a.n < 3) BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", a.sum);', undefined],
    ['a map value that may be NULL', 'struct acc { int n; int sum; };\nstruct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, struct acc); } accm SEC(".maps");\n__noinline int f(struct acc *a, int v) { if (!a) return -1; a->n++; a->sum += v; return 0; }',
      'int k = 0; struct acc *a = bpf_map_lookup_elem(&accm, &k); if (!t) return 0; f(a, t->pid);', undefined],
    ['a global variable of the right size', 'int total;\n__noinline int f(int *x, int v) { if (!x) return 0; *x += v; return 1; }',
      'if (!t) return 0; f(&total, t->pid);', undefined],
    ['a global calling a global', '__noinline int g(int v) { return v * 2; }\n__noinline int f(int v) { return g(v) + 1; }',
      'if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(t->pid));', undefined],
    ['NULL for a struct pointer', '__noinline int f(struct seq_file *seq) { return 0; }', 'f(0);', undefined],
    ['a parameter tagged arg:trusted (not modelled: checked with the caller\'s arguments)', '__noinline int f(struct task_struct *t __attribute__((btf_decl_tag("arg:trusted")))) { return t->pid; }',
      'if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(t));', undefined],
    ['a hidden global function (libbpf verifies it as static)', '__attribute__((visibility("hidden"))) __noinline int f(char *b) { return b[0]; }',
      'char b[8] = {}; if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(b));', undefined],
    ['a global function clang may inline (no __noinline)', 'int f(char *b) { return b[0]; }',
      'char b[8] = {}; if (!t) return 0; BPF_SEQ_PRINTF(ctx->meta->seq, "%d\\n", f(b));', undefined],
    ['a struct filled in a loop of calls', 'struct line { char b[32]; };\n__noinline int fill(struct line *l, int pid) { if (!l) return 0; l->b[0] = 0x30 + (pid & 7); l->b[1] = 0; return 1; }',
      'struct line l; if (!t) return 0; for (int i = 0; i < 3; i++) fill(&l, t->pid + i); BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", l.b);', undefined],
  ];
  for (const [what, fns, body, expected] of cases) {
    it(`${what}: ${expected ? `refused (${expected[0]})` : 'loads'}`, () => {
      const found = errors(program(fns, body));
      if (!expected) { assert.deepStrictEqual(found.map((d) => `${d.code} ${d.message}`), []); return; }
      assert.ok(found.length >= 1, 'no error');
      assert.strictEqual(found[0].code, expected[0], JSON.stringify(found));
      assert.ok(String(found[0].message).includes(expected[1]), String(found[0].message));
    });
  }
});
