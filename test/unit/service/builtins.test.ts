import * as assert from 'assert';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { parse } from '../../../server/src/lang/parser';
import { planGotoRegions } from '../../../server/src/lang/gotoRegions';
import type * as ast from '../../../server/src/lang/ast';
import { lex } from '../lang/parser-lexer.test';
import { serviceFor, FIXTURE_PATH } from './fourslash';

/**
 * goto, the atomic builtins, bswap, memcmp and the CO-RE builtins through the front end, lowering and checker:
 * which programs are accepted, and where clang 14 / libbpf really refuse (each case measured with
 * `clang -target bpf -O2 -c` on this very template and llvm-objdump; the corpus programs goto_*, atomics_maps, bswap_memcmp_maps and
 * core_builtins_maps carry the real kernel's output).
 */
const PRELUDE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
static __u64 g64; static __u32 g32; static __u16 g16;
__u64 shared64;
`;

function program(body: string, extra = ''): string {
  return `${PRELUDE}${extra}
SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	__u64 r = 0, local64 = 1;
	if (!map)
		return 0;
${body}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu %llu %u %u\\n", r, g64, g32, g16);
	return 0;
}
`;
}

function codes(text: string, severity = 1): string[] {
  const service = serviceFor();
  return service.validate(FIXTURE_PATH, text).filter((d) => d.severity === severity).map((d) => `${d.code}`);
}

const code = (d: { code: number }): string => `BPF${d.code}`;

describe('builtins and goto through the front end and the checker', () => {
  it('goto: forward, backward and cleanup labels are accepted; a backward goto is a loop', () => {
    const text = program(`	int tries = 0;
	if (map->key_size > 4)
		goto out;
again:
	tries++;
	if (tries < 3)
		goto again;
	r = tries;
out:
	;`);
    assert.deepStrictEqual(codes(text), []);
    assert.deepStrictEqual(codes(text, 2), [], 'a counter compared with a constant bounds the retry loop');
    const unbounded = program('again:\n\tr = bpf_get_prandom_u32();\n\tif (r & 1)\n\t\tgoto again;');
    assert.deepStrictEqual(codes(unbounded), []);
    assert.deepStrictEqual(codes(unbounded, 2), [code(Diagnostics.LoopBoundNotProven)], 'the retry loop goes through the loop rules');
  });

  it('goto: a backward goto with no way out is an infinite loop, as the verifier says', () => {
    assert.deepStrictEqual(codes(program('spin:\n\tr++;\n\tgoto spin;')), [code(Diagnostics.InfiniteLoop)]);
  });

  it('goto: a jump into a nested block is reported as not simulated, not silently dropped', () => {
    const text = program(`	if (map->key_size)
		goto inside;
	{
		r = 1;
inside:
		r += 2;
	}`);
    // a warning on the jump (clang compiles it), never a refusal of the file
    assert.deepStrictEqual(codes(text), []);
    assert.ok(codes(text, 2).includes(code(Diagnostics.UnsupportedConstruct)), codes(text, 2).join(', '));
  });

  it('goto: an undeclared label is clang\'s error', () => {
    assert.deepStrictEqual(codes(program('\tgoto nowhere;')), [code(Diagnostics.UndeclaredLabel)]);
  });

  it('atomics: what clang 14 compiles is accepted with no implicit-declaration warning', () => {
    const text = program(`	r = __sync_fetch_and_add(&g64, 1);
	r += __sync_fetch_and_or(&g64, 2) + __sync_and_and_fetch(&g64, 3) + __sync_fetch_and_xor(&g64, 4);
	__sync_fetch_and_add(&g32, 1);
	r += __sync_val_compare_and_swap(&g64, 1, 2) + __sync_bool_compare_and_swap(&g64, 2, 3);
	r += __sync_lock_test_and_set(&g64, 5) + __atomic_exchange_n(&g64, 6, __ATOMIC_SEQ_CST);
	r += __atomic_fetch_sub(&g64, 1, __ATOMIC_RELAXED) + __atomic_add_fetch(&g64, 1, __ATOMIC_RELAXED);
	r += __atomic_load_n(&local64, __ATOMIC_RELAXED);`);
    assert.deepStrictEqual(codes(text), []);
    assert.deepStrictEqual(codes(text, 2), []);
  });

  it('atomics: each form clang 14 refuses for BPF is an error naming clang\'s reason', () => {
    const cases: Array<[string, string]> = [
      ['\t__sync_fetch_and_add(&g16, 1);', '32/64 bit version'],
      ['\t__sync_fetch_and_or(&g32, 1);', 'please use 64 bit version'],
      ['\tr = __sync_fetch_and_add(&g32, 1);', 'XADD return value'],
      ['\t__sync_fetch_and_sub(&g32, 1);', 'Cannot select'],
      ['\t__sync_fetch_and_nand(&g64, 1);', 'Cannot select'],
      ['\tr = __sync_val_compare_and_swap(&g32, 1, 2);', 'please use 64 bit version'],
      // a global user space can see is never optimized away, so clang must select the atomic load/store it has not
      ['\tr = __atomic_load_n(&shared64, __ATOMIC_RELAXED);', 'Cannot select'],
      ['\t__atomic_store_n(&shared64, map->key_size, __ATOMIC_RELAXED);', 'Cannot select'],
      ['\t__sync_lock_release(&shared64);', 'Cannot select'],
    ];
    for (const [body, reason] of cases) {
      const diagnostics = serviceFor().validate(FIXTURE_PATH, program(body)).filter((d) => d.severity === 1);
      assert.deepStrictEqual(diagnostics.map((d) => d.code), [code(Diagnostics.AtomicNotCompiled)], body);
      const message = String(diagnostics[0].message);
      assert.ok(message.includes(reason), `${body}: ${message}`);
    }
  });

  it('atomics: the verifier\'s check_atomic() refusals come from the same rules as stores (measured on the kernel)', () => {
    const ro = 'const volatile __u64 ro = 1;\n';
    assert.deepStrictEqual(codes(program('\t__sync_fetch_and_add((__u64 *)&ro, 1);', ro)), [code(Diagnostics.WriteIntoReadonlyMap)]);
    assert.deepStrictEqual(codes(program('\t__sync_fetch_and_add(&ctx->meta->seq_num, 1);')), [code(Diagnostics.WriteIntoKernelStruct)]);
  });

  it('memcmp: the inlined forms are accepted, a call of memcmp is refused as libbpf refuses it', () => {
    const extra = 'struct pair { char a[8]; char b[8]; };\n';
    const ok = program('\tstruct pair p = {};\n\tr = __builtin_memcmp(p.a, p.b, 1) + (__builtin_memcmp(p.a, p.b, 4) == 0);\n\tif (!__builtin_memcmp(p.a, p.b, 2))\n\t\tr++;', extra);
    assert.deepStrictEqual(codes(ok), []);
    for (const body of ['\tstruct pair p = {};\n\tr = __builtin_memcmp(p.a, p.b, 8) == 0;', '\tstruct pair p = {};\n\tr = __builtin_memcmp(p.a, p.b, 4);']) {
      assert.deepStrictEqual(codes(program(body, extra)), [code(Diagnostics.MemcmpNotInlined)], body);
    }
  });

  it('bpf_core_type_matches (BPF_TYPE_MATCHES) is clang 14\'s backend error; bpf_core_type_exists and the type size compile', () => {
    assert.deepStrictEqual(codes(program('\tr = __builtin_preserve_type_info(*(typeof(struct bpf_map) *)0, 0) + __builtin_preserve_type_info(*(typeof(struct bpf_map) *)0, 1);')), []);
    assert.deepStrictEqual(codes(program('\tr = __builtin_preserve_type_info(*(typeof(struct bpf_map) *)0, 2);')), [code(Diagnostics.TypeMatchesNotCompiled)]);
  });

  it('memcpy/memset of a size clang cannot see is clang\'s error, not a simulator limit', () => {
    for (const [body, name] of [['\t__builtin_memcpy(&r, &local64, map->key_size & 7);', 'memcpy'], ['\t__builtin_memset(&r, 0, map->key_size & 7);', 'memset']]) {
      const diagnostics = serviceFor().validate(FIXTURE_PATH, program(body)).filter((d) => d.severity === 1);
      assert.deepStrictEqual(diagnostics.map((d) => [d.code, String(d.message)]), [[code(Diagnostics.BuiltinCallNotSupported), `A call to built-in function '${name}' is not supported.`]], body);
    }
  });

  it('memcpy of a size, or strlen of a string, that only clang\'s optimizer makes constant is no diagnostic, and runs', async () => {
    // measured: clang 14 -O2 compiles this template (the inlined strlen of "maps" and n = 4 fold) and Linux 6.18
    // loads it; a size read from memory stays clang's error (the test above)
    const extra = `static __always_inline void put_name(char *dst, const char *name)
{
	__u64 len = __builtin_strlen(name);
	if (len > 7)
		len = 7;
	__builtin_memcpy(dst, name, len);
}`;
    const text = program('\tchar tag[8] = {};\n\t__u32 n = 4;\n\t__builtin_memcpy(&r, &local64, n);\n\tput_name(tag, "maps");', extra);
    assert.deepStrictEqual(codes(text), []);
    assert.deepStrictEqual(codes(text, 2), []);
    const result = await serviceFor().run(FIXTURE_PATH, text, {});
    assert.strictEqual(result.error, null, JSON.stringify(result.error));
  });

  it('a struct-valued statement expression (BPF_CORE_READ of a struct member) is read where its last expression is', async () => {
    // measured: clang 14 compiles it, Linux 6.18 prints usercnt 1 for a map a loader holds and 0 for the iterator
    // object's own .rodata (which no user descriptor holds once the link exists)
    const text = `${PRELUDE}#include <bpf/bpf_core_read.h>
struct pair { __u32 first, second; };
SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	if (!map)
		return 0;
	atomic64_t users = BPF_CORE_READ(map, usercnt);
	struct pair p = ({ struct pair t = { map->id, 7 }; t; });
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %u %lld %lld\\n", p.first == map->id, p.second, users.counter, BPF_CORE_READ(map, usercnt).counter);
	return 0;
}
`;
    assert.deepStrictEqual(codes(text), []);
    assert.deepStrictEqual(codes(text, 2), []);
    const result = await serviceFor().run(FIXTURE_PATH, text, {});
    assert.strictEqual(result.error, null, JSON.stringify(result.error));
    const lines = result.output!.trim().split('\n');
    assert.ok(lines.length > 1, result.output!);
    for (const line of lines) assert.match(line, /^1 7 ([01]) \1$/);
    assert.ok(lines.some((line) => line.endsWith(' 1 1')) && lines.some((line) => line.endsWith(' 0 0')), result.output!);
  });

  it('a call of a _Generic selection of functions calls the selected one (clang resolves it at compile time)', async () => {
    // measured: clang 14 compiles it, Linux 6.18 prints each map's id and id + 1000
    const extra = `static __always_inline __u32 from_map(struct bpf_map *m, __u32 add) { return m->id + add; }
static __always_inline __u32 from_task(struct task_struct *t, __u32 add) { return t->pid + add; }
#define object_key(obj, add) _Generic((obj), struct bpf_map *: from_map, struct task_struct *: from_task)((obj), (add))`;
    const text = program('\tr = object_key(map, 1000) - map->id;', extra);
    assert.deepStrictEqual(codes(text), []);
    assert.deepStrictEqual(codes(text, 2), []);
    const result = await serviceFor().run(FIXTURE_PATH, text, {});
    assert.strictEqual(result.error, null, JSON.stringify(result.error));
    assert.match(result.output!, /^1000 0 0 0\n/);
  });

  it('a struct by value: clang inlines it where it can; a __noinline call or a kept struct return stops its build', () => {
    // measured with clang 14 -O2: "pass by value not supported" at the call, "functions with VarArgs or StructRet are
    // not supported" at a kept function; the static, inlinable and global forms without __noinline build and load
    const pair = 'struct pair { __u64 a; __u64 b; };\n';
    const taking = (attrs: string) => `${pair}${attrs} __u64 addp(struct pair p) { return p.a + p.b; }\n`;
    const body = '\tstruct pair p = { map->key_size, 2 };\n\tr = addp(p);';
    for (const attrs of ['static', '', 'static __always_inline']) assert.deepStrictEqual(codes(program(body, taking(attrs))), [], attrs);
    for (const attrs of ['static __noinline', '__noinline']) {
      assert.deepStrictEqual(codes(program(body, taking(attrs))), [code(Diagnostics.StructArgNotCompiled)], attrs);
    }
    const returning = (attrs: string) => `${pair}${attrs} struct pair mk(__u64 a) { struct pair p = { a, a + 1 }; return p; }\n`;
    const use = '\tstruct pair p = mk(map->key_size);\n\tr = p.b;';
    assert.deepStrictEqual(codes(program(use, returning('static'))), []);
    assert.deepStrictEqual(codes(program(use, returning('static __noinline'))), [code(Diagnostics.StructReturnNotCompiled)]);
    assert.deepStrictEqual(codes(program('', returning('static __noinline'))), [], 'a static function nothing calls is not emitted');
    assert.deepStrictEqual(codes(program('', returning(''))), [code(Diagnostics.StructReturnNotCompiled)]);
  });

  it('runs goto, atomics, bswap and CO-RE builtins to the values clang and the kernel give', async () => {
    const text = `${PRELUDE}#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
struct bpf_map___gone { int gone_field; } __attribute__((preserve_access_index));
SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	__u64 i = 0, old;
	if (ctx->map)
		return 0;
	g64 = 10;
loop:
	__sync_fetch_and_add(&g64, 5);
	if (++i < 4)
		goto loop;
	old = __sync_fetch_and_and(&g64, 6);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu %llu %x %llx %d %d %u %lld\\n", old, g64,
		       bpf_htonl(0x11223344), __builtin_bswap64(0x0102030405060708ULL),
		       bpf_core_field_exists(((struct bpf_map___gone *)0)->gone_field), bpf_core_field_exists(struct bpf_map, max_entries),
		       bpf_core_type_size(struct bpf_map), bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_HASH));
	return 0;
}
`;
    assert.deepStrictEqual(codes(text), []);
    const result = await serviceFor().run(FIXTURE_PATH, text, {});
    assert.strictEqual(result.error, null, JSON.stringify(result.error));
    assert.strictEqual(result.output, '30 6 44332211 807060504030201 0 1 296 1\n');
  });
});

describe('gotoRegions: the structured form of a block\'s gotos', () => {
  function items(body: string): ReadonlyArray<ast.Statement | ast.Declaration | ast.StaticAssert> {
    const unit = parse(lex(`int f(int a) { ${body} }`)).unit;
    const fn = unit.declarations[0] as ast.FunctionDefinition;
    return fn.body.items;
  }
  it('a forward goto makes a region ending before its label, a backward one a region starting at it', () => {
    const plan = planGotoRegions(items('if (a) goto out; a++; back: a--; if (a) goto back; out: return a;'));
    assert.deepStrictEqual(plan.map((r) => [r.kind, r.label, r.first, r.last]), [['forward', 'out', 0, 3], ['backward', 'back', 2, 3]]);
  });
  it('overlapping forward regions are widened to nest (two cleanup labels)', () => {
    const plan = planGotoRegions(items('if (a) goto e2; if (a > 1) goto e1; e2: a = 2; e1: return a;'));
    assert.deepStrictEqual(plan.map((r) => [r.label, r.first, r.last]), [['e1', 0, 2], ['e2', 0, 1]]);
  });
  it('a jump into a loop from before it (irreducible) is left out', () => {
    const plan = planGotoRegions(items('if (a) goto mid; top: a++; mid: a--; if (a) goto top; return a;'));
    assert.deepStrictEqual(plan.map((r) => r.label), ['mid']);
  });
});
