import * as assert from 'assert';
import * as fc from 'fast-check';
import * as ast from '../../../server/src/lang/ast';
import { parse, parseExpression, MAX_NESTING_DEPTH } from '../../../server/src/lang/parser';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { lex } from './parser-lexer.test';

function parseText(text: string): ReturnType<typeof parse> {
  return parse(lex(text));
}
function expressionShape(expression: ast.Expression): string {
  switch (expression.kind) {
    case 'Identifier': return expression.name;
    case 'IntegerLiteral': return String(expression.value);
    case 'Binary': return `(${expressionShape(expression.left)} ${expression.operator} ${expressionShape(expression.right)})`;
    case 'Unary': return `(${expression.operator}${expressionShape(expression.operand)})`;
    case 'Assignment': return `(${expressionShape(expression.left)} ${expression.operator} ${expressionShape(expression.right)})`;
    case 'Conditional': return `(${expressionShape(expression.condition)} ? ${expression.whenTrue ? expressionShape(expression.whenTrue) : ''} : ${expressionShape(expression.whenFalse)})`;
    case 'Cast': return `(cast ${expressionShape(expression.operand)})`;
    case 'Call': return `${expressionShape(expression.callee)}(${expression.args.map(expressionShape).join(', ')})`;
    case 'Member': return `${expressionShape(expression.object)}${expression.arrow ? '->' : '.'}${expression.member.name}`;
    case 'Index': return `${expressionShape(expression.object)}[${expressionShape(expression.index)}]`;
    default: return expression.kind;
  }
}
function shape(text: string): string {
  const result = parseExpression(lex(text));
  assert.deepStrictEqual(result.diagnostics, []);
  return expressionShape(result.expression);
}

const ITERATOR_PROGRAM = `
typedef unsigned int __u32;
typedef unsigned long long __u64;
struct seq_file;
struct bpf_iter_meta { union { struct seq_file *seq; }; __u64 session_id; __u64 seq_num; };
struct bpf_map { __u32 id; char name[16]; __u32 max_entries; };
struct bpf_iter__bpf_map { union { struct bpf_iter_meta *meta; }; union { struct bpf_map *map; }; };
static long (* const bpf_seq_printf)(struct seq_file *m, const char *fmt, __u32 fmt_size, const void *data, __u32 data_len) = (void *) 126;
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
__attribute__((section("iter/bpf_map"), used))
int dump_bpf_map(struct bpf_iter__bpf_map *ctx)
{
  struct seq_file *seq = ctx->meta->seq;
  __u64 seq_num = ctx->meta->seq_num;
  struct bpf_map *map = ctx->map;
  if (!map) return 0;
  if (seq_num == 0) {
    static const char header[] = "id name max_entries\\n";
    bpf_seq_printf(seq, header, sizeof(header), (void *)0, 0);
  }
  ({ static const char ___fmt[] = "%4u %-16s%6d\\n"; unsigned long long ___param[3];
     ___param[0] = map->id; ___param[1] = (unsigned long long)map->name; ___param[2] = map->max_entries;
     bpf_seq_printf(seq, ___fmt, sizeof(___fmt), ___param, sizeof(___param)); });
  return 0;
}
`;

describe('parser', () => {
  it('parses an iter/bpf_map program as libbpf users write it, without diagnostics', () => {
    const result = parseText(ITERATOR_PROGRAM);
    assert.deepStrictEqual(result.diagnostics, []);
    const kinds = result.unit.declarations.map((d) => d.kind);
    assert.strictEqual(kinds[kinds.length - 1], 'FunctionDefinition');
    const fn = result.unit.declarations[kinds.length - 1] as ast.FunctionDefinition;
    assert.strictEqual(fn.declarator.name?.name, 'dump_bpf_map');
    assert.deepStrictEqual(fn.specifiers.attributes.map((a) => a.name), ['section', 'used']);
  });

  it('keeps libbpf helper declarators: const pointer to function initialised with a cast', () => {
    const result = parseText('static long (* const bpf_seq_printf)(void *m, const char *fmt, unsigned int n, ...) = (void *) 126;');
    assert.deepStrictEqual(result.diagnostics, []);
    const declaration = result.unit.declarations[0] as ast.Declaration;
    const declarator = declaration.declarators[0].declarator;
    assert.strictEqual(declarator.name?.name, 'bpf_seq_printf');
    assert.deepStrictEqual(declarator.derivations.map((d) => d.kind), ['Function', 'Pointer']);
    const pointer = declarator.derivations[1];
    assert.ok(pointer.kind === 'Pointer' && pointer.qualifiers.includes('const'));
    const fn = declarator.derivations[0];
    assert.ok(fn.kind === 'Function' && fn.variadic && fn.parameters.length === 3);
  });

  it('orders derivations innermost first for arrays of pointers and pointers to arrays', () => {
    const result = parseText('int *a[3]; int (*b)[3]; int c[2][3]; void (*(*f)(int))(long);');
    assert.deepStrictEqual(result.diagnostics, []);
    const kinds = result.unit.declarations.map((d) => (d as ast.Declaration).declarators[0].declarator.derivations.map((x) => x.kind).join(','));
    // f: pointer to function(int) returning pointer to function(long) returning void.
    assert.deepStrictEqual(kinds, ['Pointer,Array', 'Array,Pointer', 'Array,Array', 'Function,Pointer,Function,Pointer']);
  });

  it('disambiguates typedef names from identifiers by scope', () => {
    const result = parseText('typedef int T; int f(void) { T x = 1; { int T = 2; return T * x; } }');
    assert.deepStrictEqual(result.diagnostics, []);
    const body = (result.unit.declarations[1] as ast.FunctionDefinition).body;
    const inner = body.items[1] as ast.CompoundStatement;
    const ret = inner.items[1] as ast.ReturnStatement;
    assert.strictEqual(ret.value?.kind, 'Binary');
  });

  it('accepts structs with anonymous unions, bitfields, flexible arrays and attributes in GNU positions', () => {
    const result = parseText(`
      struct __attribute__((packed)) s { union { int a; struct { short b : 3, : 0, c : 5; }; }; char d[] __attribute__((aligned(8))); } __attribute__((aligned(16)));
      enum e { A = 1 << 2, B, C = A + B, } __attribute__((packed));
      struct { __u32 (*type)[2]; } m __attribute__((section(".maps"), used));
      _Static_assert(sizeof(struct s) > 0, "size");
      typedef struct bpf_map *map_ptr __attribute__((btf_type_tag("user")));`.replace(/__u32/g, 'int'));
    assert.deepStrictEqual(result.diagnostics, []);
  });

  it('parses designated and nested initializers', () => {
    const result = parseText('struct p { int a[4]; struct { int x, y; } q; } v = { .a = { [1] = 2, [2 ... 3] = 4 }, .q.y = 5, };');
    assert.deepStrictEqual(result.diagnostics, []);
    const init = (result.unit.declarations[0] as ast.Declaration).declarators[0].initializer as ast.InitializerList;
    assert.strictEqual(init.items.length, 2);
    assert.deepStrictEqual(init.items[1].designators.map((d) => d.kind), ['FieldDesignator', 'FieldDesignator']);
  });

  it('parses every statement form, GNU case ranges and labels', () => {
    const result = parseText(`int f(int n) { int s = 0;
      for (int i = 0; i < n; i++) { if (i & 1) continue; else s += i; }
      while (n--) { do { s++; } while (0); }
      switch (s) { case 1 ... 3: s = 0; break; case 4: default: goto out; }
      asm volatile("" ::: "memory");
      out: return s; }`);
    assert.deepStrictEqual(result.diagnostics, []);
  });

  it('gives C precedence and associativity', () => {
    assert.strictEqual(shape('a + b * c - d'), '((a + (b * c)) - d)');
    assert.strictEqual(shape('a = b = c'), '(a = (b = c))');
    assert.strictEqual(shape('a || b && c | d ^ e & f == g < h << i'), '(a || (b && (c | (d ^ (e & (f == (g < (h << i))))))))');
    assert.strictEqual(shape('!a ? b : c ? d : e'), '((!a) ? b : (c ? d : e))');
    assert.strictEqual(shape('*p->q[1]'), '(*p->q[1])');
    assert.strictEqual(shape('(long)x + 1'), '((cast x) + 1)');
    assert.strictEqual(shape('f(a, b)(c)'), 'f(a, b)(c)');
    assert.strictEqual(shape('a ?: b'), '(a ?  : b)');
  });

  it('parses builtins, sizeof forms, compound literals, _Generic and statement expressions', () => {
    const result = parseText(`struct s { int a[2]; }; int g(void) {
      unsigned long n = sizeof(struct s) + sizeof n + _Alignof(long) + __alignof__(int) + __builtin_offsetof(struct s, a[1]);
      int t = __builtin_types_compatible_p(int, long) + _Generic(n, int: 1, default: 2);
      typeof(n) m = ({ int z = 3; z + 1; });
      struct s v = (struct s){ .a = { 1, 2 } };
      return __builtin_expect(!!(m), 1) + __builtin_bswap32(t) + v.a[0]; }`);
    assert.deepStrictEqual(result.diagnostics, []);
  });

  it('decodes integer, character and string literals', () => {
    const literal = parseExpression(lex('0xffffffffffffffffULL')).expression as ast.IntegerLiteral;
    assert.strictEqual(literal.value, 0xffffffffffffffffn);
    assert.ok(literal.unsigned && literal.longs === 2);
    const ch = parseExpression(lex("'\\xff'")).expression as ast.CharLiteral;
    assert.strictEqual(ch.value, -1n);
    const str = parseExpression(lex('"a\\n" "b\\0"')).expression as ast.StringLiteral;
    assert.strictEqual(str.value, 'a\nb\0');
  });

  it('reports a missing semicolon once and parses the rest of the file', () => {
    const result = parseText('int a = 1\nint b = 2;\nint c(void) { return b }\nint d;');
    // clang's words name what the `;` ends
    assert.deepStrictEqual(result.diagnostics.map((d) => d.message), ["expected ';' after top level declarator", "expected ';' after return statement"]);
    assert.strictEqual(result.unit.declarations.length, 4);
    assert.strictEqual(result.diagnostics[0].pos, 'int a = 1'.length);
  });

  it('an identifier list (K&R) takes only names: a declaration after a bare first name is "expected identifier" there, as clang 14 says', () => {
    // source: `int BPF_UPROBE(add_test, struct data *d)` when the libbpf found has no BPF_UPROBE (bpf-developer-tutorial)
    const at = (text: string) => parseText(text).diagnostics.map((d) => `${d.pos} ${d.message}`);
    assert.deepStrictEqual(at('int f(a, struct s *d) { return 0; }'), ['9 expected identifier']);
    assert.deepStrictEqual(at('int f(a, b, struct x *p, c);'), ['12 expected identifier']);
    assert.deepStrictEqual(at('int f(a, ...);'), ['9 expected identifier']);
    assert.deepStrictEqual(at('typedef int u32; int f(a, u32 b);'), ["26 unexpected type name 'u32': expected identifier"]);
    // the parameters are the names before it: `d` is not one
    const names = (parseText('int g(a, struct s *d);').unit.declarations[0] as ast.Declaration).declarators[0].declarator.derivations
      .flatMap((x) => x.kind === 'Function' ? x.parameters.map((p) => p.declarator.name?.name) : []);
    assert.deepStrictEqual(names, ['a']);
    // still accepted: names only, a prototype, and a bare name after typed parameters (clang: implicit int, a warning)
    for (const text of ['int f(a, b);', 'int f(int a, struct s *d);', 'int f(int x, a) { return 0; }', 'int f(void);'])
      assert.deepStrictEqual(at(text), [], text);
  });

  it('reports a missing closing brace once and still parses the following function', () => {
    const result = parseText('int f(void) {\n  if (1) {\n    return 1;\n  \n  return 0;\n}\nint g(void) { return 2; }\n');
    assert.strictEqual(result.diagnostics.length, 1);
    assert.strictEqual(result.diagnostics[0].code, Diagnostics.MissingClosingBrace.code);
    const names = result.unit.declarations.map((d) => d.kind === 'FunctionDefinition' ? d.declarator.name?.name : d.kind);
    assert.deepStrictEqual(names, ['f', 'g']);
  });

  it('parses declarations in column 0 inside a body as declarations; only a column-0 function definition ends it', () => {
    // clang 14 compiles these: a body's declarations need no indentation
    for (const text of ['int f(void)\n{\nint r = 1;\nreturn r;\n}\n', 'int f(void) {\nstruct s { int a; } v = { 1 };\nint (*fp)(int);\nreturn v.a;\n}\n',
      'int f(void)\n{\nlong r = ({ int q = 2; q; });\nreturn r;\n}\n']) {
      const result = parseText(text);
      assert.deepStrictEqual(result.diagnostics.map((d) => d.message), [], text);
      assert.strictEqual(result.unit.declarations.length, 1, text);
    }
    const missing = parseText('int f(void) {\n  return 0;\nstatic int g(int x) __attribute__((unused)) {\n  return x;\n}\n');
    assert.deepStrictEqual(missing.diagnostics.map((d) => d.code), [Diagnostics.MissingClosingBrace.code]);
    assert.strictEqual(missing.unit.declarations.length, 2);
  });

  it('caps nesting at clang bracket depth instead of overflowing the stack', () => {
    const deep = 'int x = ' + '('.repeat(10000) + '1' + ')'.repeat(10000) + ';\nint y;';
    const result = parseText(deep);
    assert.ok(result.diagnostics.some((d) => d.code === Diagnostics.NestingTooDeep.code));
    assert.strictEqual(result.unit.declarations.length, 2);
    const braces = parseText('int f(void) ' + '{'.repeat(10000) + '}'.repeat(10000));
    assert.ok(braces.diagnostics.some((d) => d.code === Diagnostics.NestingTooDeep.code));
    const casts = parseText('int z = ' + '(int)'.repeat(5000) + '1;' + '\nint w = ' + '-'.repeat(5000) + '1;');
    assert.ok(casts.diagnostics.some((d) => d.code === Diagnostics.NestingTooDeep.code));
    assert.ok(MAX_NESTING_DEPTH === 256);
  });

  it('treats identifiers named like Object.prototype members as plain identifiers', () => {
    const result = parseText('int constructor = 1; int toString(int __proto__) { return __proto__ + constructor + hasOwnProperty; }');
    assert.deepStrictEqual(result.diagnostics, []);
  });

  it('records exact node ranges', () => {
    const text = 'int  value = (1 + 2) * 3;';
    const declaration = parseText(text).unit.declarations[0] as ast.Declaration;
    const init = declaration.declarators[0].initializer as ast.Expression;
    assert.strictEqual(text.slice(init.pos, init.end), '(1 + 2) * 3');
    assert.strictEqual(text.slice(declaration.pos, declaration.end), text);
  });

  it('never throws on random edits of a valid program and stays fast', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(ITERATOR_PROGRAM.length), fc.nat(20), fc.string({ maxLength: 8 })), { maxLength: 6 }),
      (edits) => {
        let text = ITERATOR_PROGRAM;
        for (const [at, remove, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + remove);
        const started = Date.now();
        const result = parseText(text);
        assert.ok(Date.now() - started < 2000);
        assert.strictEqual(result.unit.kind, 'TranslationUnit');
      },
    ), { numRuns: 300, seed: 42 });
  });

  it('never throws on random token soup', () => {
    const pieces = ['int', 'struct', 'x', '(', ')', '{', '}', '[', ']', ';', ',', '*', '=', '1', '"s"', 'typedef', '__attribute__', 'sizeof', '...', ':', '?', 'case', 'for', 'if', 'else', 'enum', '.', '->'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), (words) => {
      const result = parseText(words.join(' '));
      assert.ok(Array.isArray(result.diagnostics));
    }), { numRuns: 500, seed: 7 });
  });
});
