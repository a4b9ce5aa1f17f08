import * as assert from 'assert';
import * as fc from 'fast-check';
import * as ast from '../../../server/src/lang/ast';
import { buildPreamble, compileTokens, createFrontEnd, preambleBounds, PreprocessedFile } from '../../../server/src/lang/compile';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { parse } from '../../../server/src/lang/parser';
import { analyze } from '../../../server/src/lang/sema/analyzer';
import { sizeOf, typeToString } from '../../../server/src/lang/types';
import { scan } from '../../../server/src/lang/scanner';
import { TokenKind } from '../../../server/src/lang/token';
import { lex } from './parser-lexer.test';

function check(text: string): { codes: number[]; messages: string[] } {
  const parsed = parse(lex(text));
  assert.deepStrictEqual(parsed.diagnostics.map((d) => d.message), [], 'parses cleanly');
  const model = analyze(parsed.unit);
  const errors = model.diagnostics.filter((d) => d.category === 'error');
  return { codes: errors.map((d) => d.code), messages: errors.map((d) => d.message) };
}

const HEADER = `
typedef unsigned int __u32; typedef unsigned long long __u64; typedef int __s32;
struct seq_file { int x; };
struct bpf_iter_meta { union { struct seq_file *seq; }; __u64 session_id; __u64 seq_num; };
struct bpf_map { __u32 id; char name[16]; __u32 max_entries; };
struct bpf_iter__bpf_map { union { struct bpf_iter_meta *meta; }; union { struct bpf_map *map; }; };
enum bpf_map_type { BPF_MAP_TYPE_UNSPEC, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY };
static long (* const bpf_seq_printf)(struct seq_file *m, const char *fmt, __u32 fmt_size, const void *data, __u32 data_len) = (void *) 126;
static void *(* const bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
`;

describe('sema', () => {
  it('a constant expression with an undeclared name is that one error, as clang says it (no "not an integer constant expression" after it)', () => {
    // source: errno names in case labels when the header defining them is missing (exporters' map-error switches)
    const { codes, messages } = check(`struct s { int f : NOPE_W; };
enum { X = NOPE_E + 1 };
_Static_assert(NOPE_A == 1, "a");
int f(int e)
{
\tswitch (e) {
\tcase -NOPE_C: return 1;
\tcase NOPE_L ... NOPE_H: return 2;
\tcase 1 + 2 * 3: return 3;
\t}
\treturn 0;
}
int g(int e) { switch (e) { case e: return 1; } return 0; }`);
    assert.deepStrictEqual(codes.filter((c) => c !== Diagnostics.UndeclaredIdentifier.code), [Diagnostics.NotIntegerConstant.code], messages.join('; '));
    assert.deepStrictEqual(messages.filter((m) => m.startsWith('use of undeclared')).length, 6);
  });

  it('an enum with a fixed underlying type (`enum E : u8 {`, clang\'s C extension) has that type\'s size, and so have its enumerators; `enum E : 3` in a struct stays a bit-field', () => {
    // source: enums declared with a one-byte type to keep event records small, as in tracing tools' headers
    const { messages } = check(`typedef unsigned char u8; typedef unsigned long long u64;
enum small : u8 { S_A, S_B = 200 };
enum wide : u64 { W_TOP = 1ULL << 40 };
enum fwd : short;
struct rec { enum small kind; char c; enum fwd f; enum small : 3; int last; };
_Static_assert(sizeof(enum small) == 1, "one byte");
_Static_assert(sizeof(S_B) == 1, "enumerator of the underlying type");
_Static_assert(sizeof(enum wide) == 8, "eight bytes");
_Static_assert((W_TOP >> 40) == 1, "wide value");
_Static_assert(sizeof(enum fwd) == 2, "declared with its type");
_Static_assert(__builtin_offsetof(struct rec, f) == 2, "after the one-byte members");
_Static_assert(__builtin_offsetof(struct rec, last) == 8, "after the bit-field");
_Static_assert(S_B + 100 == 300, "promoted as unsigned char");
`);
    assert.deepStrictEqual(messages, []);
  });

  it('a record that names itself as an unnamed member (found by npm run fuzz) reports the member as clang does, without recursing forever', () => {
    const { messages } = check('struct s { struct s; int y; };\nint f(struct s *p) { return p->x + p->y; }\nunion u { union u; };\nint g(union u *q) { return q->z; }\n');
    assert.deepStrictEqual(messages, ["no member named 'x' in 'struct s'", "no member named 'z' in 'union u'"]);
  });

  it('a tagged struct defined inside another declares no member; an untagged one is an anonymous member (clang without -fms-extensions)', () => {
    const { messages } = check('struct a { struct b { int x; }; int y; };\nint f(struct a *p) { return p->x + p->y; }\nstruct c { union { int u; }; struct { int v; }; };\nint g(struct c *q) { return q->u + q->v; }\nint h(struct b *r) { return r->x; }\n');
    assert.deepStrictEqual(messages, ["no member named 'x' in 'struct a'"]);
  });

  it('a switch on a struct, a float or a pointer is rejected as clang does', () => {
    const { messages } = check('struct s { int a; };\nint f(struct s v, float g, int *p) { switch (v) { case 1: return 1; } switch (g) { default: break; } switch (p) { default: break; } return 0; }\n');
    assert.deepStrictEqual(messages, ["statement requires expression of integer type ('struct s' invalid)",
      "statement requires expression of integer type ('float' invalid)", "statement requires expression of integer type ('int *' invalid)"]);
  });

  it('a member declarator left without a name by a syntax error declares nothing (npm run fuzz, seed 808: the record contained itself)', () => {
    const parsed = parse(lex('struct flow_key { int a; struct flow_key); };\nint f(struct flow_key *k) { return k->a + k->b; }\n'));
    assert.deepStrictEqual(parsed.diagnostics.map((d) => d.message), ['expected identifier']);
    const model = analyze(parsed.unit);
    assert.deepStrictEqual(model.diagnostics.map((d) => d.message), ["no member named 'b' in 'struct flow_key'"]);
  });

  it('types a libbpf-style iterator program without errors and resolves members through anonymous unions', () => {
    const text = HEADER + `
      struct { int (*type)[BPF_MAP_TYPE_HASH]; int (*max_entries)[64]; __u32 *key; __u64 *value; } counts __attribute__((section(".maps"), used));
      char LICENSE[] __attribute__((section("license"), used)) = "Dual BSD/GPL";
      __attribute__((section("iter/bpf_map"), used)) int dump(struct bpf_iter__bpf_map *ctx) {
        struct seq_file *seq = ctx->meta->seq;
        struct bpf_map *map = ctx->map;
        __u64 args[2] = { map->id, ctx->meta->seq_num };
        __u32 key = map->id;
        __u64 *v = bpf_map_lookup_elem(&counts, &key);
        if (!map) return 0;
        bpf_seq_printf(seq, "%u %llu\\n", sizeof("%u %llu\\n"), args, sizeof(args));
        return v ? (int)*v : 0;
      }`;
    const tokens = lex(text);
    const compilation = compileTokens(tokens);
    assert.deepStrictEqual(compilation.diagnostics.map((d) => d.message), []);
    const program = compilation.program;
    assert.deepStrictEqual(program.functions.map((f) => [f.name, f.section]), [['dump', 'iter/bpf_map']]);
    assert.strictEqual(program.license, 'Dual BSD/GPL');
    assert.strictEqual(program.maps.length, 1);
    const map = program.maps[0];
    assert.deepStrictEqual([map.name, map.type, map.maxEntries, map.keySize, map.valueSize], ['counts', 1, 64, 4, 8]);
    // Hover / go-to-definition data: `->seq_num` resolves to the field with its offset.
    const offset = text.indexOf('seq_num };');
    const reference = compilation.symbolAt(0, offset);
    assert.strictEqual(reference?.field?.name, 'seq_num');
    assert.strictEqual(reference?.field?.offset, 16);
    const useOffset = text.lastIndexOf('map->id');
    const mapReference = compilation.symbolAt(0, useOffset);
    assert.strictEqual(mapReference?.symbol?.name, 'map');
    assert.strictEqual(typeToString(mapReference!.symbol!.type), 'struct bpf_map *');
    const node = compilation.nodeAt(0, useOffset + 'map->'.length);
    assert.ok(node && (node.kind === 'Identifier' || node.kind === 'Member'));
  });

  it('decodes `__type(value, char[128])` as a 128-byte value, not as the number 128 (libbpf reads key/value as types by name)', () => {
    const text = HEADER + `
      struct { int (*type)[BPF_MAP_TYPE_ARRAY]; int (*max_entries)[1]; __u32 *key; typeof(char[128]) *value; } args_buf __attribute__((section(".maps"), used));
      struct { int (*type)[BPF_MAP_TYPE_HASH]; int (*max_entries)[8]; typeof(char[6]) *key; typeof(__u64[4]) *value; } by_mac __attribute__((section(".maps"), used));`;
    const compilation = compileTokens(lex(text));
    assert.deepStrictEqual(compilation.diagnostics.map((d) => d.message), []);
    const sizes = compilation.program.maps.map((m) => [m.name, m.type, m.maxEntries, m.keySize, m.valueSize]);
    assert.deepStrictEqual(sizes, [['args_buf', 2, 1, 4, 128], ['by_mac', 1, 8, 6, 32]]);
  });

  it('reports what clang rejects, at the offending range', () => {
    const cases: Array<[string, number]> = [
      ['int f(void) { return y; }', Diagnostics.UndeclaredIdentifier.code],
      ['struct s { int a; }; int f(struct s *p) { return p->b; }', Diagnostics.NoMember.code],
      ['int x; int x = 1; int x = 2;', Diagnostics.Redefinition.code],
      ['int f(void) { int a; int a; return 0; }', Diagnostics.Redefinition.code],
      ['int f(void) { 1 = 2; return 0; }', Diagnostics.NotAssignable.code],
      ['int f(void) { int a = 0; a(); return 0; }', Diagnostics.NotCallable.code],
      ['int g(int a, int b); int f(void) { return g(1); }', Diagnostics.TooFewArguments.code],
      ['int g(int a); int f(void) { return g(1, 2); }', Diagnostics.TooManyArgumentsOne.code],
      ['int g(int a, int b); int f(void) { return g(1, 2, 3); }', Diagnostics.TooManyArguments.code],
      ['struct s { int a; }; int f(void) { struct s v; int i = 0; v = i; return 0; }', Diagnostics.IncompatibleAssignment.code],
      ['struct s { int a; }; int f(struct s v) { return v; }', Diagnostics.IncompatibleReturn.code],
      ['int f(void) { const int c = 1; c = 2; return c; }', Diagnostics.ConstAssignment.code],
      ['int f(int *p) { return p.x; }', Diagnostics.MemberBaseNotRecord.code],
      ['int f(int p) { return *p; }', Diagnostics.IndirectionOfNonPointer.code],
      ['_Static_assert(sizeof(int) == 8, "int is 4");', Diagnostics.StaticAssertFailed.code],
      ['int f(void) { goto nowhere; }', Diagnostics.UndeclaredLabel.code],
      ['int f(void) { break; }', Diagnostics.BreakOutsideLoop.code],
      ['struct s; int f(void) { return sizeof(struct s); }', Diagnostics.SizeofIncompleteType.code],
      ['struct s { int a : 40; };', Diagnostics.InvalidBitFieldWidth.code],
      ['int a[1 / 0];', Diagnostics.DivisionByZero.code],
      ['int f(int a, int b);  int f(int a);', Diagnostics.ConflictingTypes.code],
    ];
    for (const [text, code] of cases) assert.deepStrictEqual(check(text).codes, [code], text);
    const located = analyze(parse(lex('int f(void) { return undeclared_thing + 1; }')).unit).diagnostics[0];
    assert.deepStrictEqual([located.pos, located.end], [21, 21 + 'undeclared_thing'.length]);
  });

  it('a parameter with a parenthesised name of function type (`bool (less)(...)`) is that function adjusted to a pointer; a typedef name in the parentheses still opens a parameter list', () => {
    // source: libbpf's bpf_experimental.h declares bpf_rbtree_add_impl(..., bool (less)(...), ...), which the
    // bpftool-dumped vmlinux.h declares with bool (*less)(...): clang 14 takes both (bpf-developer-tutorial, scx)
    const same = [
      'int kf(int (*cb)(int a), int x); int kf(int (cb)(int a), int x);',
      'int kf(int (cb)(int a)); int kf(int (*cb)(int));',
      'int kf(int ((cb))(int a)); int kf(int cb(int));',
      'int kf(int (x)); int kf(int y);',
    ];
    for (const text of same) assert.deepStrictEqual(check(text).codes, [], text);
    // still conflicts: a different function type, and a typedef name in the parentheses (an unnamed function
    // parameter taking a T, C11 6.7.6.3p11) is not an int parameter
    const differ = [
      'int kf(int (*cb)(int a)); int kf(int (cb)(long a));',
      'typedef int T; int kf(int (T)); int kf(int t);',
    ];
    for (const text of differ) assert.deepStrictEqual(check(text).codes, [Diagnostics.ConflictingTypes.code], text);
  });

  it('a redeclaration clang refused is reported once: later ones compare with the valid declaration (conflicting types) or are not compared (a third definition)', () => {
    // expectations from clang 14 -target bpf -fsyntax-only on the same text; the pattern: bpf-developer-tutorial's
    // sslsniff defines BPF_UPROBE and BPF_URETPROBE three times each when libbpf lacks those macros (one error each)
    const at = (text: string) => analyze(parse(lex(text)).unit).diagnostics.filter((d) => d.category === 'error')
      .map((d) => `${text.slice(0, d.pos).split('\n').length} ${d.code}`);
    const { ConflictingTypes, Redefinition, RedefinitionDifferentType } = Diagnostics;
    assert.deepStrictEqual(at('int f(void) { return 0; }\nint f(void) { return 1; }\nint f(void) { return 2; }\n'), [`2 ${Redefinition.code}`]);
    assert.deepStrictEqual(at('int g(int);\nint g(long);\nint g(char);\nint g(int a) { return a; }\n'), [`2 ${ConflictingTypes.code}`, `3 ${ConflictingTypes.code}`]);
    assert.deepStrictEqual(at('int u(int a) { return a; }\nint u(long a) { return a; }\nint u(int a) { return a; }\n'), [`2 ${ConflictingTypes.code}`, `3 ${Redefinition.code}`]);
    assert.deepStrictEqual(at('int y;\nlong y;\nint y;\n'), [`2 ${RedefinitionDifferentType.code}`]);
    // unchanged: each redefinition of an initialized variable is its own error, as clang says
    assert.deepStrictEqual(at('int x = 1;\nint x = 2;\nint x = 3;\n'), [`2 ${Redefinition.code}`, `3 ${Redefinition.code}`]);
  });

  it('member references: clang\'s words, its caret (the operator, or the member), its recovery', () => {
    // expectations from clang 14 -fsyntax-only on the same text (test/oracle/clang-diagnostics.test.ts compares live)
    const text = 'struct foo { int a; }; struct bar;\n'
      + 'int g(struct foo f, struct foo *p, int x, int *q, void *v, struct bar *b, struct foo arr[2]) {\n'
      + '  return x.y + q->y + x->y + v->a + b->z + f->a + p.a + f->nope + (f->a + 1) * 2; }';
    const model = analyze(parse(lex(text)).unit);
    const line = text.lastIndexOf('\n') + 1;
    const at = (d: { pos: number; end: number }) => `${d.pos - line + 1}-${d.end - line + 1}`;
    assert.deepStrictEqual(model.diagnostics.map((d) => `${at(d)} ${d.message}`), [
      "11-12 member reference base type 'int' is not a structure or union",
      "17-19 member reference base type 'int' is not a structure or union",
      "26-27 member reference type 'int' is not a pointer",
      "31-33 member reference base type 'void' is not a structure or union",
      "38-40 incomplete definition of type 'struct bar'",
      "45-47 member reference type 'struct foo' is not a pointer; did you mean to use '.'?",
      "52-53 member reference type 'struct foo *' is a pointer; did you mean to use '->'?",
      "58-60 member reference type 'struct foo' is not a pointer; did you mean to use '.'?",
      "60-64 no member named 'nope' in 'struct foo'",
      "69-71 member reference type 'struct foo' is not a pointer; did you mean to use '.'?",
    ]);
    // the note on the forward declaration, as clang's "forward declaration of 'struct bar'"
    const incomplete = model.diagnostics.find((d) => d.code === Diagnostics.MemberOfIncompleteType.code)!;
    assert.deepStrictEqual(incomplete.related?.map((r) => [text.slice(r.pos, r.end), r.message]), [['bar', "forward declaration of 'struct bar'"]]);
    // recovered as `.`: the sum's type is int, no cascade on `+ 1` and `* 2`
    assert.strictEqual(model.diagnostics.length, 10);
  });

  it('accepts what clang accepts with warnings only (implicit declarations, pointer/int mixes)', () => {
    assert.deepStrictEqual(check('int f(void) { int *p = 0; long x = (long)p; p = (int *)x; return undeclared_fn(1); }').codes, []);
  });

  it('sizeof of a variable-length array is valid C (BPF_SEQ_PRINTF with 13 arguments sizes its array by the 13th); an array sized by an undeclared name says that alone', () => {
    assert.deepStrictEqual(check('int f(int n) { unsigned long long a[n]; return sizeof(a); }').codes, []);
    assert.deepStrictEqual(check('struct row { char name[NAME_LEN]; }; int f(struct row *r) { return sizeof(r->name); }').codes, [Diagnostics.UndeclaredIdentifier.code]);
  });

  it('evaluates constant expressions with exact 64-bit wrap and C conversions', () => {
    const text = `enum e { A = -1, B = 0xffffffff, C };
      const unsigned long v1 = (unsigned int)-1 + 1;
      const unsigned long v2 = 0xffffffffffffffffULL * 3;
      const long v3 = -9223372036854775807L - 1;
      const unsigned long v4 = -1 < 0u;
      const unsigned long v5 = sizeof(enum e) + C;
      const unsigned long v6 = 1ULL << 63 >> 63;
      const unsigned long v7 = (char)200 + (unsigned char)200;
      const unsigned long v8 = __builtin_bswap32(0x11223344) + __builtin_choose_expr(1, 2, 3);
      struct s { char a; struct { int b[3]; } in; long c; };
      const unsigned long v9 = __builtin_offsetof(struct s, in.b[2]) * 100 + _Alignof(struct s);`;
    const model = analyze(parse(lex(text)).unit);
    assert.deepStrictEqual(model.diagnostics, []);
    const value = (name: string): bigint | undefined => model.evaluate(model.fileScope.symbols.get(name)!.initializer as ast.Expression);
    assert.strictEqual(value('v1'), 0n);
    assert.strictEqual(value('v2'), 0xfffffffffffffffdn);
    assert.strictEqual(value('v3'), -9223372036854775808n);
    assert.strictEqual(value('v4'), 0n);
    assert.strictEqual(value('v5'), 8n + 0x100000000n);
    assert.strictEqual(value('v6'), 1n);
    assert.strictEqual(value('v7'), 144n);
    assert.strictEqual(value('v8'), 0x44332211n + 2n);
    assert.strictEqual(value('v9'), 1200n + 8n);
  });

  it('folds the classic offsetof, `(unsigned long)&((T *)0)->member`, where C wants a constant, as clang does (tetragon\'s `case offsetof(struct pt_regs, r15):`)', () => {
    const text = `struct regs { long r15, r14; struct { int x[4]; char c; } in; };
      const unsigned long v1 = ((unsigned long)&((struct regs *)0)->r14);
      const unsigned long v2 = ((unsigned long)&((struct regs *)0)->in.x[3]) + ((unsigned long)&((struct regs *)0)->in.c);
      int pick(long off) { switch (off) { case ((unsigned long)&((struct regs *)0)->r15): return 1; case ((unsigned long)&((struct regs *)0)->r14): return 2; } return 0; }
      char size_from_it[((unsigned long)&((struct regs *)0)->in)];`;
    const model = analyze(parse(lex(text)).unit);
    assert.deepStrictEqual(model.diagnostics.map((d) => d.message), []);
    const value = (name: string): bigint | undefined => model.evaluate(model.fileScope.symbols.get(name)!.initializer as ast.Expression);
    assert.strictEqual(value('v1'), 8n);
    assert.strictEqual(value('v2'), 28n + 32n);
    assert.strictEqual(sizeOf(model.fileScope.symbols.get('size_from_it')!.type), 16);
    // the address of a variable is no constant of C
    const other = analyze(parse(lex('int g; const unsigned long at = (unsigned long)&g;')).unit);
    assert.strictEqual(other.evaluate(other.fileScope.symbols.get('at')!.initializer as ast.Expression), undefined);
  });

  it('types the __sync/__atomic builtins as clang does: the pointee, _Bool or void, with no implicit declaration', () => {
    const text = `unsigned short h; volatile unsigned int u; long long ll; int f(void) {
      long a = __sync_fetch_and_add(&u, 1); long b = __atomic_add_fetch(&ll, 1, 5); long c = __sync_bool_compare_and_swap(&ll, 1, 2);
      long d = __atomic_compare_exchange_n(&ll, &ll, 1, 0, 5, 5); long e = __sync_val_compare_and_swap(&h, 1, 2);
      __atomic_store_n(&u, 1, 0); return 0; }`;
    const parsed = parse(lex(text));
    const model = analyze(parsed.unit);
    assert.deepStrictEqual(model.diagnostics.map((d) => d.message), []);
    const fn = parsed.unit.declarations[3] as ast.FunctionDefinition;
    const types = fn.body.items.filter((i): i is ast.Declaration => i.kind === 'Declaration')
      .map((d) => typeToString(model.typeOf(d.declarators[0].initializer as ast.Expression)!));
    assert.deepStrictEqual(types, ['unsigned int', 'long long', '_Bool', '_Bool', 'unsigned short']);
    const store = (fn.body.items.find((i) => i.kind === 'ExpressionStatement') as ast.ExpressionStatement).expression!;
    assert.strictEqual(typeToString(model.typeOf(store)!), 'void');
    assert.deepStrictEqual(check('int f(int *p) { return __sync_fetch_and_add(p); }').codes, [Diagnostics.TooFewArguments.code]);
  });

  it('types expressions: pointer arithmetic, usual conversions, string literals, conditional', () => {
    const text = 'int f(void) { char *p = 0; long d = (p + 1) - p; unsigned u = 1; return d; }';
    const parsed = parse(lex(text));
    const model = analyze(parsed.unit);
    const fn = parsed.unit.declarations[0] as ast.FunctionDefinition;
    const init = (index: number): ast.Expression => (fn.body.items[index] as ast.Declaration).declarators[0].initializer as ast.Expression;
    assert.strictEqual(typeToString(model.typeOf(init(1))!), 'long');
    const difference = init(1) as ast.BinaryExpression;
    assert.strictEqual(typeToString(model.typeOf(difference.left)!), 'char *');
    const strings = analyze(parse(lex('const char *s = "abc"; unsigned long n = sizeof("abc"); long m = 1u + 1L; unsigned long q = 1u + 1;')).unit);
    const typeOfInit = (name: string): string => typeToString(strings.typeOf(strings.fileScope.symbols.get(name)!.initializer as ast.Expression)!);
    assert.strictEqual(typeOfInit('s'), 'char[4]');
    assert.strictEqual(typeOfInit('m'), 'long');
    assert.strictEqual(typeOfInit('q'), 'unsigned int');
  });

  it('handles pathological nesting and chains without overflowing the stack', () => {
    const inputs = [
      'int x = ' + '1 + '.repeat(100000) + '1;',
      'int f(int a) { return ' + 'a = '.repeat(10000) + '1; }',
      'int g(int a) { return ' + 'a ? '.repeat(10000) + '1' + ' : 2'.repeat(10000) + '; }',
      'int h(int a) { return ' + 'a ? 1 : '.repeat(10000) + '2; }',
      'int k(int *p) { return p' + '[0]'.repeat(10000) + '; }',
      'int m(void) { return ' + '('.repeat(10000) + '1' + ')'.repeat(10000) + '; }',
      'int n(void) { ' + 'if (1) '.repeat(10000) + 'return 1; }',
      'int o = ' + '!'.repeat(100000) + '1;',
    ];
    for (const text of inputs) {
      const compilation = compileTokens(lex(text));
      assert.ok(Array.isArray(compilation.diagnostics), text.slice(0, 30));
    }
    const sum = analyze(parse(lex('const unsigned long s = ' + '1 + '.repeat(100000) + '1;')).unit);
    assert.strictEqual(sum.evaluate(sum.fileScope.symbols.get('s')!.initializer as ast.Expression), 100001n);
  });

  it('never throws on random edits of a typed program', () => {
    const base = HEADER + 'int dump(struct bpf_iter__bpf_map *ctx) { struct bpf_map *m = ctx->map; __u64 a[2] = { m->id, 1 }; if (!m) return 0; return bpf_seq_printf(ctx->meta->seq, "%u", 3, a, sizeof(a)); }';
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length), fc.nat(12), fc.constantFrom('', '*', '&', '->', '.', '(', ')', '{', '}', ';', 'x', 'struct ', '[1]', '0', '"s"')), { maxLength: 5 }), (edits) => {
      let text = base;
      for (const [at, remove, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + remove);
      const compilation = compileTokens(lex(text));
      assert.ok(Array.isArray(compilation.diagnostics));
    }), { numRuns: 300, seed: 11 });
  });

  it('reuses a preamble: user code sees its typedefs, tags and helpers without re-parsing it', () => {
    const preamble = buildPreamble(lex(HEADER, 1));
    assert.deepStrictEqual(preamble.diagnostics, []);
    const user = 'int dump(struct bpf_iter__bpf_map *ctx) { __u64 n = ctx->meta->seq_num; return bpf_seq_printf(ctx->meta->seq, "x", 2, 0, 0) + (int)n; }';
    const compilation = compileTokens(lex(user, 0), { preamble });
    assert.deepStrictEqual(compilation.diagnostics, []);
    const field = compilation.symbolAt(0, user.indexOf('seq_num'));
    assert.strictEqual(field?.field?.name, 'seq_num');
    const broken = compileTokens(lex('int g(struct bpf_map *m) { return m->nope; }', 0), { preamble });
    assert.deepStrictEqual(broken.diagnostics.map((d) => d.code), [Diagnostics.NoMember.code]);
    assert.strictEqual(broken.diagnostics[0].message, "no member named 'nope' in 'struct bpf_map'");
  });
});

describe('compile facade', () => {
  it('finds the preamble bounds like clangd: leading comments, blank lines and directives', () => {
    const text = '// SPDX\n/* multi\n line */\n#include "vmlinux.h"\n#define X(a) \\\n  (a)\n\n#include <bpf/bpf_helpers.h>\nint x;\n#include "late.h"\n';
    assert.strictEqual(preambleBounds(text), text.indexOf('int x;'));
    assert.strictEqual(preambleBounds('int y;'), 0);
    // CR and CRLF line endings end lines as LF does (the scanner's lines); a CR-only file was one line
    for (const lineEnding of ['\r', '\r\n']) {
      const other = text.replace(/\n/g, lineEnding);
      assert.strictEqual(preambleBounds(other), other.indexOf('int x;'), JSON.stringify(lineEnding));
    }
  });

  it('ends the preamble outside every comment and after each directive\'s logical line', () => {
    const cases: Array<[string, string]> = [
      // code after a block comment that closes on its line (the code was once swallowed as an unterminated comment)
      ['/* a\n b */ int x = 1;\n', '/* a\n b */ int x = 1;\n'],
      ['#include <a.h>\n  /* a\n b */ int x;\n', '/* a\n b */ int x;\n'],
      ['#include <a.h>\n/* c */ /* d\n e */ int k;\n', '/* d\n e */ int k;\n'],
      // a block comment in a directive carries the directive to the line where it closes
      ['#define X 1 /* a\n b */ + 2\nint y;\n', 'int y;\n'],
      // a `//` comment ending in a backslash goes on over the next line
      ['// c \\\nint x;\nint y;\n', 'int y;\n'],
      ['#include "a.h" // x \\\n still comment\nint z;\n', 'int z;\n'],
      // quotes in a directive: no comment inside a string; an apostrophe of #error ends at the line
      ['#define S "a/*b"\nint x;\n', 'int x;\n'],
      ["#error don't\nint x;\n", 'int x;\n'],
      ['#define L \\\n  (1)\n\nint x;\n', 'int x;\n'],
    ];
    for (const [text, rest] of cases) assert.strictEqual(text.slice(preambleBounds(text)), rest, JSON.stringify(text));
    assert.strictEqual(preambleBounds('/* unclosed\nint x;'), '/* unclosed\nint x;'.length);
  });

  it('never ends the preamble inside a conditional group: it ends where the outermost open one begins (Falco\'s #ifdef after its includes)', () => {
    const cases: Array<[string, string]> = [
      ['#include <a.h>\n#ifdef CAPTURE\nint f(void);\n#endif\n', '#ifdef CAPTURE\nint f(void);\n#endif\n'],
      ['#include <a.h>\n#ifndef G\n#define G\n#endif\n#if A\n# if B\n#endif\nint x;\n#endif\n', '#if A\n# if B\n#endif\nint x;\n#endif\n'],
      ['#include <a.h>\n/* c\n */ #ifdef X\nint y;\n#endif\n', '/* c\n */ #ifdef X\nint y;\n#endif\n'],
      // a group closed within the preamble leaves it whole
      ['#ifndef H\n#define H\n#endif\nint z;\n', 'int z;\n'],
    ];
    for (const [text, rest] of cases) assert.strictEqual(text.slice(preambleBounds(text)), rest, JSON.stringify(text));
  });

  it('splits a file where scanning the two parts apart gives the tokens of the whole (property)', () => {
    const piece = fc.constantFrom(
      '#include "vmlinux.h"\n', '#define A 1 /* a\n b */ + 2\n', '#define B \\\n 3\n', '/* multi\n line */', '/* one */ ', '// c\n', '// c \\\n',
      '\n', '   ', 'int x;', ' y = 1;\n', '#if 1\n', '#endif\n', '"s/*"', "'/'", '\r\n', '\r', '\\\n', '#error it\'s\n', '*/', '/*',
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const text = pieces.join('');
      const bound = preambleBounds(text);
      const shape = (token: { kind: TokenKind; text: string; pos: number; end: number }): string => `${token.kind}:${token.text}@${token.pos}-${token.end}`;
      const significant = (tokens: ReturnType<typeof scan>): string[] => tokens.filter((t) => t.kind !== TokenKind.Newline && t.kind !== TokenKind.EndOfFile).map(shape);
      const blanked = text.slice(0, bound).replace(/[^\r\n]/g, ' ');
      const apart = [...significant(scan(text.slice(0, bound), 0)), ...significant(scan(blanked + text.slice(bound), 0))];
      assert.deepStrictEqual(apart, significant(scan(text, 0)), JSON.stringify(text));
    }), { numRuns: 2000 });
  });

  it('reuses the preamble across edits of the user part and rebuilds it when header tokens change', () => {
    let header = HEADER;
    // A stand-in preprocessor: `#include "vmlinux.h"` yields the header's tokens (file 1); with a state it
    // continues after the preamble and yields only the main file's tokens (file 0).
    let preprocessRuns = 0;
    const preprocess = (_path: string, text: string, _host: unknown, _options: unknown, state?: string): PreprocessedFile<string> => {
      preprocessRuns++;
      if (state === undefined) return { tokens: lex(header, 1), files: [{ path: 'main.c' }, { path: 'vmlinux.h', text: header }], includes: [{ includedFile: 1 }], diagnostics: [], state: 'after-preamble' };
      assert.strictEqual(state, 'after-preamble');
      return { tokens: lex(text, 0), files: [{ path: 'main.c' }], diagnostics: [] };
    };
    const host = { readFile: (path: string): string | undefined => (path === 'vmlinux.h' ? header : undefined) };
    const frontEnd = createFrontEnd(preprocess);
    const source = (body: string): string => `#include "vmlinux.h"\nint dump(struct bpf_iter__bpf_map *ctx) { ${body} }\n`;
    const first = frontEnd.compileFile('main.c', source('return ctx->map->id;'), host, {});
    assert.deepStrictEqual([first.preambleReused, first.diagnostics.length], [false, 0]);
    const second = frontEnd.compileFile('main.c', source('return ctx->map->nope;'), host, {});
    assert.strictEqual(second.preambleReused, true);
    assert.strictEqual(second.preamble, first.preamble);
    assert.deepStrictEqual(second.diagnostics.map((d) => d.message), ["no member named 'nope' in 'struct bpf_map'"]);
    const source2 = source('return ctx->map->nope;');
    assert.strictEqual(second.diagnostics[0].pos, source2.indexOf('nope'), 'offsets are those of the real text');
    assert.strictEqual(preprocessRuns, 3, 'the preamble was preprocessed once');
    header = header.replace('__u32 max_entries;', '__u32 max_entries; __u32 nope;');
    const third = frontEnd.compileFile('main.c', source('return ctx->map->nope;'), host, {});
    assert.deepStrictEqual([third.preambleReused, third.diagnostics.length], [false, 0]);
  });

  it('shares the parsed preamble when an edit of the preamble leaves its tokens as they were (a comment), not otherwise', () => {
    let header = HEADER;
    let preprocessRuns = 0;
    const preprocess = (_path: string, text: string, _host: unknown, _options: unknown, state?: string): PreprocessedFile<string> => {
      preprocessRuns++;
      if (state === undefined) return { tokens: lex(header, 1), files: [{ path: 'main.c' }, { path: 'vmlinux.h', text: header }], includes: [{ includedFile: 1 }], diagnostics: [], state: 'after-preamble' };
      return { tokens: lex(text, 0), files: [{ path: 'main.c' }], diagnostics: [] };
    };
    const host = { readFile: (path: string): string | undefined => (path === 'vmlinux.h' ? header : undefined) };
    const frontEnd = createFrontEnd(preprocess);
    const source = (comment: string): string => `/* ${comment} */\n#include "vmlinux.h"\nint dump(struct bpf_iter__bpf_map *ctx) { return ctx->map->id; }\n`;
    const first = frontEnd.compileFile('main.c', source('one'), host, {});
    const second = frontEnd.compileFile('main.c', source('one, then two'), host, {});
    assert.strictEqual(second.preambleReused, false, 'another preamble text is preprocessed again');
    assert.strictEqual(preprocessRuns, 4);
    assert.strictEqual(second.preamble, first.preamble, 'but its tokens are the same: the parse is shared');
    assert.deepStrictEqual(second.diagnostics, []);
    header = header.replace('__u32 max_entries;', '__u32 max_entries; __u32 more;');
    const third = frontEnd.compileFile('main.c', source('three'), host, {});
    assert.notStrictEqual(third.preamble, first.preamble, 'other header tokens: parsed again');
  });
});

describe('sema: __func__', () => {
  it('is the function\'s name inside a function; outside every function clang warns and gives the empty string', () => {
    const text = 'const char *where = __func__;\nint f(void) { const char *n = __func__; return n[0]; }\n';
    const c = compileTokens(lex(text));
    const warnings = c.diagnostics.filter((d) => d.code === Diagnostics.PredefinedIdentifierOutsideFunction.code);
    assert.deepStrictEqual(warnings.map((d) => [d.category, text.slice(d.pos, d.end)]), [['warning', '__func__']]);
    assert.deepStrictEqual(c.diagnostics.filter((d) => d.category === 'error'), []);
    const strings: string[] = [];
    const visit = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      const node = n as { kind?: string; value?: string };
      if (node.kind === 'StringLiteral') strings.push(node.value ?? '');
      for (const v of Object.values(n)) if (typeof v === 'object') visit(v);
    };
    visit(c.ast);
    assert.deepStrictEqual(strings, ['', 'f']);
  });
});

describe('compile facade: the front end in steps', () => {
  it('yields after a new preamble, after preprocessing the rest and after its parse; stopped, it does no more work', () => {
    let preprocessRuns = 0;
    const preprocess = (_path: string, text: string, _host: unknown, _options: unknown, state?: string): PreprocessedFile<string> => {
      preprocessRuns++;
      if (state === undefined) return { tokens: lex(HEADER, 1), files: [{ path: 'main.c' }, { path: 'vmlinux.h', text: HEADER }], includes: [{ includedFile: 1 }], diagnostics: [], state: 'after-preamble' };
      return { tokens: lex(text, 0), files: [{ path: 'main.c' }], diagnostics: [] };
    };
    const host = { readFile: (path: string): string | undefined => (path === 'vmlinux.h' ? HEADER : undefined) };
    const source = (body: string): string => `#include "vmlinux.h"\nint dump(struct bpf_iter__bpf_map *ctx) { ${body} }\n`;
    const frontEnd = createFrontEnd(preprocess);
    const steps = frontEnd.compileFileSteps('main.c', source('return ctx->map->nope;'), host, {});
    assert.strictEqual(steps.next().done, false);
    assert.strictEqual(preprocessRuns, 1, 'the first step made the preamble only');
    assert.strictEqual(steps.next().done, false);
    assert.strictEqual(preprocessRuns, 2, 'the second preprocessed the rest of the file');
    let last = steps.next();
    let count = 3;
    for (; !last.done; last = steps.next()) count++;
    assert.strictEqual(count, 4, 'then the parse, then the binding');
    assert.deepStrictEqual(last.value.diagnostics.map((d) => d.message), ["no member named 'nope' in 'struct bpf_map'"]);
    // the same as compileFile, which runs the steps at once; the preamble is reused from here on (one step less)
    const whole = createFrontEnd(preprocess).compileFile('main.c', source('return ctx->map->nope;'), host, {});
    assert.deepStrictEqual(last.value.diagnostics, whole.diagnostics);
    let reusedSteps = 0;
    const again = frontEnd.compileFileSteps('main.c', source('return ctx->map->id;'), host, {});
    let next = again.next();
    for (; !next.done; next = again.next()) reusedSteps++;
    assert.strictEqual(reusedSteps, 2);
    assert.strictEqual(next.value.preambleReused, true);
    // dropped after its first step: the rest of the file is never preprocessed
    const before = preprocessRuns;
    frontEnd.compileFileSteps('main.c', source('return 0;'), host, {}).next();
    assert.strictEqual(preprocessRuns, before + 1);
    const dropped = frontEnd.compileFileSteps('main.c', source('return 1;'), host, {});
    dropped.next();
    dropped.return(undefined as never);
    assert.strictEqual(preprocessRuns, before + 2, 'a dropped compilation did nothing after the step it was at');
  });
});

describe('sema: the errors clang gives in switches, labels and void functions', () => {
  const notes = (text: string) => {
    const model = analyze(parse(lex(text)).unit);
    return model.diagnostics.filter((d) => d.category === 'error').map((d) => [d.pos, d.message, d.related?.[0]?.pos, d.related?.[0]?.message]);
  };
  it('duplicate case values, through enumerators too, with the previous case as the note; ranges and nested switches are not duplicates', () => {
    const text = 'enum e { A = 1 }; int f(int x, int y) { switch (x) { case A: return 1; case 4 ... 5: case 2: switch (y) { case 1: break; } case 1: return 2; } return 0; }';
    assert.deepStrictEqual(notes(text), [[text.lastIndexOf('case 1:') + 5, "duplicate case value '1'", text.indexOf('case A') + 5, 'previous case defined here']]);
  });
  it('a second default is reported on the first (clang walks cases backwards), a label defined twice on the second', () => {
    const text = 'int f(int x) { l: switch (x) { default: return 1; default: return 2; } l: return 0; }';
    const first = text.indexOf('default');
    assert.deepStrictEqual(notes(text), [
      [text.lastIndexOf('l:'), "redefinition of label 'l'", text.indexOf('l:'), 'previous definition is here'],
      [first, 'multiple default labels in one switch', text.indexOf('default', first + 1), 'previous case defined here'],
    ]);
  });
  it('a typedef redefined with another type is an error in any scope; the same type again is not, and the first stays (clang 14)', () => {
    const text = 'typedef unsigned int __u32; typedef __u32 u32; typedef unsigned int u32; typedef unsigned long long u32;\n'
      + 'void f(void) { typedef int t; typedef long t; typedef int t; u32 x = 0; (void)x; }';
    assert.deepStrictEqual(notes(text), [
      // the note names the latest declaration, and its spelling of the type
      [text.indexOf('u32;', text.indexOf('long long')), "typedef redefinition with different types ('unsigned long long' vs 'unsigned int')", text.indexOf('u32;', text.indexOf('int u32')), 'previous definition is here'],
      [text.indexOf('t;', text.indexOf('long t')), "typedef redefinition with different types ('long' vs 'int')", text.indexOf('t;'), 'previous definition is here'],
    ]);
  });
  it('a void function returning a value is an error, returning a void expression is not', () => {
    assert.deepStrictEqual(notes('void g(void) {} void v(void) { return 1; } void w(void) { return g(); }').map((n) => n[1]), ["void function 'v' should not return a value"]);
  });
});
