import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
import {
  PreprocessOptions, PreprocessResult, expansionAt, preprocess, tokensToText, userRange,
} from '../../../server/src/lang/preprocessor';
import { TokenKind } from '../../../server/src/lang/token';

function run(source: string, files: Record<string, string> = {}, options: PreprocessOptions = {}): PreprocessResult {
  return preprocess('/src/main.c', source, createMemoryHost(files), { useBundledHeaders: false, ...options });
}

/** Output tokens joined by single spaces, which is what the tests compare. */
function expand(source: string, files: Record<string, string> = {}, options: PreprocessOptions = {}): string {
  const result = run(source, files, options);
  return result.tokens.filter((t) => t.kind !== TokenKind.EndOfFile).map((t) => t.text).join(' ');
}

function codes(result: PreprocessResult): number[] {
  return result.diagnostics.map((d) => d.code);
}

describe('preprocessor: macro expansion', () => {
  it('expands object-like and function-like macros; a function-like name without ( is left alone', () => {
    assert.strictEqual(expand('#define N 4\n#define SQ(x) ((x)*(x))\nint a[N] = SQ(N+1); int SQ;'),
      'int a [ 4 ] = ( ( 4 + 1 ) * ( 4 + 1 ) ) ; int SQ ;');
  });

  it('C11 6.10.3.5 example 3: rescanning, hide sets and nested arguments', () => {
    const source = [
      '#define x 3', '#define f(a) f(x * (a))', '#undef x', '#define x 2', '#define g f', '#define z z[0]',
      '#define h g(~', '#define m(a) a(w)', '#define w 0,1', '#define t(a) a', '#define p() int', '#define q(x) x',
      '#define r(x,y) x ## y', '#define str(x) # x',
      'f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);', 'g(x+(3,4)-w) | h 5) & m', '(f)^m(m);',
      'p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };', 'char c[2][6] = { str(hello), str() };', '',
    ].join('\n');
    const expected = 'f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1);'
      + 'f(2 * (2+(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1);'
      + 'int i[] = { 1, 23, 4, 5, };' + 'char c[2][6] = { "hello", "" };';
    assert.strictEqual(expand(source).replace(/ /g, ''), expected.replace(/ /g, ''));
  });

  it('C11 6.10.3.5 example 4: stringizing and pasting order', () => {
    const source = [
      '#define str(s) # s', '#define xstr(s) str(s)',
      '#define debug(s, t) printf("x" # s "= %d, x" # t "= %s", \\', ' x ## s, x ## t)',
      '#define INCFILE(n) vers ## n', '#define glue(a, b) a ## b', '#define xglue(a, b) glue(a, b)',
      '#define HIGHLOW "hello"', '#define LOW LOW ", world"',
      'debug(1, 2);', 'fputs(str(strncmp("abc\\0d", "abc", \'\\4\') // this goes away', '== 0) str(: @\\n), s);',
      'xstr(INCFILE(2).h)', 'glue(HIGH, LOW);', 'xglue(HIGH, LOW)', '',
    ].join('\n');
    assert.strictEqual(expand(source),
      'printf ( "x" "1" "= %d, x" "2" "= %s" , x1 , x2 ) ; '
      + 'fputs ( "strncmp(\\"abc\\\\0d\\", \\"abc\\", \'\\\\4\') == 0" ": @\\n" , s ) ; '
      + '"vers2.h" "hello" ; "hello" ", world"');
  });

  it('C11 6.10.3.5 example 5: placemarkers', () => {
    assert.strictEqual(expand('#define t(x,y,z) x ## y ## z\nint j[] = { t(1,2,3), t(,4,5), t(6,,7), t(8,9,), t(10,,), t(,11,), t(,,12), t(,,) };'),
      'int j [ ] = { 123 , 45 , 67 , 89 , 10 , 11 , 12 , } ;');
  });

  it('C11 6.10.3.5 example 7: variadic macros', () => {
    const source = [
      '#define debug(...) fprintf(stderr, __VA_ARGS__)', '#define showlist(...) puts(#__VA_ARGS__)',
      '#define report(test, ...) ((test)?puts(#test): printf(__VA_ARGS__))',
      'debug("Flag");', 'debug("X = %d\\n", x);', 'showlist(The first, second, and third items.);',
      'report(x>y, "x is %d but y is %d", x, y);', '',
    ].join('\n');
    assert.strictEqual(expand(source),
      'fprintf ( stderr , "Flag" ) ; fprintf ( stderr , "X = %d\\n" , x ) ; puts ( "The first, second, and third items." ) ; '
      + '( ( x > y ) ? puts ( "x>y" ) : printf ( "x is %d but y is %d" , x , y ) ) ;');
  });

  it('GNU named variadics, comma elision with , ## __VA_ARGS__, and __VA_OPT__', () => {
    const source = [
      '#define P(fmt, args...) printk(fmt, ## args)', '#define Q(fmt, ...) printk(fmt, ##__VA_ARGS__)',
      '#define O(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)',
      'P("a"); P("b", 1, 2); Q("c"); Q("d", x); O(1); O(1, 2);', '',
    ].join('\n');
    assert.strictEqual(expand(source),
      'printk ( "a" ) ; printk ( "b" , 1 , 2 ) ; printk ( "c" ) ; printk ( "d" , x ) ; f ( 1 ) ; f ( 1 , 2 ) ;');
  });

  it('paints a self-referencing macro blue so it never expands again (6.10.3.4p2)', () => {
    assert.strictEqual(expand('#define foo foo\n#define a b\n#define b a\nfoo a b'), 'foo a b');
    assert.strictEqual(expand('#define f(x) g(x)\n#define g(x) f(x)\nf(1)'), 'f ( 1 )');
  });

  it('expands arguments before substitution but not operands of # and ##', () => {
    assert.strictEqual(expand('#define A 1\n#define s(x) #x x\n#define c(x) x ## A x\ns(A) c(A)'), '"A" 1 AA 1');
  });

  it('reports a token paste that does not form a token and keeps both sides', () => {
    const result = run('#define p(a,b) a ## b\np(+,/)');
    assert.deepStrictEqual(codes(result), [1030]);
    assert.strictEqual(tokensToText(result.tokens), '+ /');
  });

  it('reports wrong argument counts and unterminated invocations', () => {
    assert.deepStrictEqual(codes(run('#define f(a,b) a\nf(1)')), [1029]);
    assert.deepStrictEqual(codes(run('#define f(a) a\nf(1,2)')), [1028]);
    assert.deepStrictEqual(codes(run('#define f(a) a\nf(1')), [1027]);
    assert.deepStrictEqual(codes(run('#define f() a\nf(1)')), [1028]);
    assert.strictEqual(expand('#define f() a\nf()'), 'a');
  });

  it('validates definitions: # needs a parameter, ## not at the edges, defined is no macro name', () => {
    assert.deepStrictEqual(codes(run('#define f(a) #b')), [1024]);
    assert.deepStrictEqual(codes(run('#define f(a) ## a')), [1025]);
    assert.deepStrictEqual(codes(run('#define defined 1')), [1023]);
    assert.deepStrictEqual(codes(run('#define f(a,a) a')), [1026]);
    assert.deepStrictEqual(codes(run('#define\n#define 3')), [1021, 1022]);
  });

  it('warns on an incompatible redefinition only', () => {
    assert.deepStrictEqual(codes(run('#define A 1 + 2\n#define A 1   +   2\n#define A 1+2')), [1020]);
  });

  it('gives every expanded token an origin chain to the user invocation, arguments keep their own range', () => {
    const source = '#define INNER(x) (x + 1)\n#define OUTER(y) INNER(y)\nint v = OUTER(abc);';
    const result = run(source);
    const plus = result.tokens.find((t) => t.text === '+')!;
    assert.strictEqual(plus.origin?.macro, 'INNER');
    assert.strictEqual(plus.origin?.parent?.macro, 'OUTER');
    const call = source.indexOf('OUTER(abc)');
    assert.deepStrictEqual(userRange(plus), { file: result.mainFile, pos: call, end: call + 'OUTER(abc)'.length });
    const argument = result.tokens.find((t) => t.text === 'abc')!;
    assert.deepStrictEqual(userRange(argument), { file: result.mainFile, pos: source.indexOf('abc'), end: source.indexOf('abc') + 3 });
  });

  it('records each user-file invocation with its expansion text for hover', () => {
    const source = '#define PRINT(fmt, ...) printf(fmt, ##__VA_ARGS__)\nvoid f(void) { PRINT("%d", 1); }';
    const result = run(source);
    const record = expansionAt(result, result.mainFile, source.indexOf('PRINT("') + 2)!;
    assert.strictEqual(record.macro, 'PRINT');
    assert.strictEqual(record.expandedText, 'printf("%d", 1)');
    assert.strictEqual(source.slice(record.pos, record.end), 'PRINT("%d", 1)');
  });

  it('answers __FILE__, __LINE__, __COUNTER__ and honours #line', () => {
    assert.strictEqual(expand('__LINE__\n#define L __LINE__\n\nL __COUNTER__ __COUNTER__\n#line 100 "x.c"\n__LINE__ __FILE__'),
      '1 4 0 1 100 "x.c"');
    assert.strictEqual(expand('__FILE__'), '"/src/main.c"');
  });

  it('answers clang\'s __FILE_NAME__, the last component of __FILE__, also after #line and in a header (tetragon logs it)', () => {
    assert.strictEqual(expand('__FILE_NAME__\n#ifdef __FILE_NAME__\nyes\n#endif\n#line 7 "dir/sub/x.c"\n__FILE_NAME__'), '"main.c" yes "x.c"');
    const result = run('#include "inc/where.h"\nconst char *here = __FILE_NAME__;\n', { '/src/inc/where.h': 'const char *there = __FILE_NAME__;\n' });
    assert.strictEqual(tokensToText(result.tokens), 'const char *there = "where.h";\nconst char *here = "main.c";');
  });

  it('_Pragma and #pragma are recorded, not emitted; #pragma once skips re-inclusion', () => {
    const files = { '/src/once.h': '#pragma once\nint once_decl;\n' };
    const result = run('#include "once.h"\n#include "once.h"\n_Pragma("clang attribute push (x)") int y;\n#pragma GCC poison z\n', files);
    assert.strictEqual(tokensToText(result.tokens), 'int once_decl;\nint y;'.replace('\n', ' '));
    assert.deepStrictEqual(result.pragmas.map((p) => [p.text, p.tokenIndex]), [['clang attribute push (x)', 3], ['GCC poison z', 6]]);
  });
});

describe('preprocessor: conditionals', () => {
  it('takes the first true group of #if/#elif/#else chains, nested', () => {
    const source = '#define A 2\n#if A == 1\none\n#elif A == 2\n#ifdef B\nb\n#else\ntwo\n#endif\n#else\nthree\n#endif\n#ifndef A\nna\n#endif\n';
    assert.strictEqual(expand(source), 'two');
  });

  it('evaluates #if in intmax_t/uintmax_t with the usual conversions', () => {
    const cases: Array<[string, boolean]> = [
      ['-1 < 0', true], ['-1 < 0u', false], ['0xffffffffffffffff == -1', true], ['(1 << 63) < 0', true],
      ['18446744073709551615u / 2 == 9223372036854775807', true], ["'A' == 65", true], ["'\\377' < 0", true],
      ['defined(X) || !defined X', true], ['0 && 1/0', true] /* value is 0: the check is only that it does not error */,
      ['(2 ? 3 : 4) == 3 && (0 ? 1 : 2u) == 2', true], ['undefined_identifier == 0', true], ['~0u == 0xffffffffffffffff', true],
      ['-9223372036854775807 - 1 < 0', true], ['1, 2', true], ['10 % 3 == 1 && -7 / 2 == -3', true],
    ];
    for (const [expression, expected] of cases) {
      const result = run(`#if ${expression}\nyes\n#else\nno\n#endif\n`);
      assert.deepStrictEqual(result.diagnostics, [], expression);
      if (expression === '0 && 1/0') continue;
      assert.strictEqual(tokensToText(result.tokens), expected ? 'yes' : 'no', expression);
    }
  });

  it('diagnoses division by zero, bad tokens and missing values in #if, treating the group as false', () => {
    assert.deepStrictEqual(codes(run('#if 1/0\nx\n#endif')), [1044]);
    assert.deepStrictEqual(codes(run('#if 1 %0\nx\n#endif')), [1044]);
    assert.deepStrictEqual(codes(run('#if\n#endif')), [1043]);
    assert.deepStrictEqual(codes(run('#if 1 +\n#endif')), [1043]);
    assert.deepStrictEqual(codes(run('#if 1 2\n#endif')), [1045]);
    assert.deepStrictEqual(codes(run('#if 99999999999999999999\n#endif')), [1046]);
    assert.strictEqual(expand('#if 1/0\nx\n#else\ny\n#endif'), 'y');
  });

  it('reports unbalanced conditionals', () => {
    assert.deepStrictEqual(codes(run('#if 1\n')), [1040]);
    assert.deepStrictEqual(codes(run('#endif\n#else\n')), [1041, 1041]);
    assert.deepStrictEqual(codes(run('#if 0\n#else\n#else\n#endif')), [1042]);
  });

  it('ignores unterminated literals and bad directives inside skipped groups', () => {
    const result = run("#if 0\ndon't\n#bogus\n#endif\nok");
    assert.deepStrictEqual(result.diagnostics, []);
    assert.strictEqual(tokensToText(result.tokens), 'ok');
    assert.strictEqual(result.skippedRanges.length, 1);
  });

  it('handles 10k nested #if groups without recursion and deep parentheses with a diagnostic', () => {
    const depth = 10_000;
    const nested = '#if 1\n'.repeat(depth) + 'deep\n' + '#endif\n'.repeat(depth);
    assert.strictEqual(expand(nested), 'deep');
    const skipped = '#if 0\n' + '#if 1\n'.repeat(depth) + '#endif\n'.repeat(depth) + '#endif\nafter';
    assert.strictEqual(expand(skipped), 'after');
    const parens = `#if ${'('.repeat(5000)}1${')'.repeat(5000)}\n#endif`;
    assert.deepStrictEqual(codes(run(parens)), [1047]);
  });

  it('answers __has_include, __has_builtin, __has_attribute and friends', () => {
    const files = { '/src/here.h': '' };
    const source = [
      '#if __has_include("here.h") && !__has_include(<missing.h>)', 'inc', '#endif',
      '#if __has_builtin(__builtin_preserve_access_index) && !__has_builtin(__builtin_nonexistent)', 'builtin', '#endif',
      '#if __has_attribute(preserve_access_index) && __has_attribute(__packed__)', 'attr', '#endif',
      '#if defined(__has_include) && defined __has_feature', 'defined', '#endif',
    ].join('\n');
    assert.strictEqual(expand(source, files), 'inc builtin attr defined');
  });

  it('predefines clang -target bpf macros and the target arch from options', () => {
    assert.strictEqual(expand('__bpf__ __BPF__ __x86_64__ __TARGET_ARCH_x86 __TARGET_ARCH_arm64 __STDC_VERSION__'),
      '1 1 __x86_64__ 1 __TARGET_ARCH_arm64 201710L');
    assert.strictEqual(expand('__TARGET_ARCH_arm64 __TARGET_ARCH_x86', {}, { targetArch: 'arm64' }), '1 __TARGET_ARCH_x86');
    assert.strictEqual(expand('A B C', {}, { defines: { A: 'x', B: '' }, undefines: ['__bpf__'] }), 'x C');
    assert.strictEqual(expand('__bpf__', {}, { undefines: ['__bpf__'] }), '__bpf__');
  });
});

describe('preprocessor: includes', () => {
  it('searches the includer directory for "..." and the search path for <...>', () => {
    const files = {
      '/src/local.h': 'local',
      '/inc/sys.h': 'sys',
      '/inc/local.h': 'wrong',
      '/src/sub/deep.h': '#include "local.h"\n#include "../local.h"',
      '/src/local2.h': '#include <sys.h>',
    };
    assert.strictEqual(expand('#include "local.h"\n#include <sys.h>\n#include "sub/deep.h"\n#include "local2.h"', files, { includePaths: ['/inc'] }),
      'local sys wrong local sys');
  });

  it('#include_next continues after the directory the current header was found in', () => {
    const files = { '/a/h.h': 'a\n#include_next <h.h>', '/b/h.h': 'b' };
    assert.strictEqual(expand('#include <h.h>', files, { includePaths: ['/a', '/b'] }), 'a b');
  });

  it('lexes <...> header names raw, so // inside them is no comment', () => {
    assert.strictEqual(expand('#include <sub//x.h>\nafter', { '/inc/sub/x.h': 'x' }, { includePaths: ['/inc'] }), 'x after');
  });

  it('accepts a macro-expanded include name', () => {
    assert.strictEqual(expand('#define H "x.h"\n#include H\n#define S <x.h>\n#include S', { '/src/x.h': 'x' }, { includePaths: ['/src'] }), 'x x');
  });

  it('remembers include guards and skips guarded files without reading them again', () => {
    let reads = 0;
    const host = createMemoryHost({});
    const text = '#ifndef G_H\n#define G_H\nguarded\n#endif\n';
    const counting = { readFile: (p: string) => (p === '/src/g.h' ? (reads++, text) : host.readFile(p)), fileExists: (p: string) => p === '/src/g.h' };
    const result = preprocess('/src/main.c', '#include "g.h"\n#include "g.h"\n#include "g.h"\n', counting, { useBundledHeaders: false });
    assert.strictEqual(tokensToText(result.tokens), 'guarded');
    assert.strictEqual(reads, 1);
    assert.deepStrictEqual(result.includes.map((r) => r.skipped), [false, true, true]);
  });

  it('reports a missing file at the #include line and goes on', () => {
    const source = 'a\n#include "nope.h"\nb';
    const result = run(source);
    assert.deepStrictEqual(codes(result), [1010]);
    assert.strictEqual(result.diagnostics[0].pos, source.indexOf('"nope.h"'));
    assert.strictEqual(tokensToText(result.tokens), 'a\nb');
  });

  it('stops a self-including file at the include depth limit', () => {
    const result = run('#include "self.h"', { '/src/self.h': 'x\n#include "self.h"\n' }, { limits: { includeDepth: 20, selfIncludeDepth: 1000 } });
    assert.deepStrictEqual(codes(result), [1011]);
    assert.strictEqual(result.tokens.length, 20);
  });

  it('stops including once the included text passes its bound, naming the file and the bound', () => {
    const big = `x\n${'// filler\n'.repeat(100)}#include "big.h"\n`;
    const result = run('#include "big.h"', { '/src/big.h': big }, { limits: { includedChars: big.length * 5 + 10 } });
    assert.deepStrictEqual(codes(result), [1013]);
    assert.match(result.diagnostics[0].message, new RegExp(`#include of 'big.h' not done: the files included so far pass ${big.length * 5 + 10} characters`));
    assert.strictEqual(result.tokens.length, 6, 'five copies of x were read before the bound, then end of file');
  });

  it('an unclosed macro invocation stops collecting arguments at the expansion bound, naming the macro', () => {
    const result = run(`#define F(x) x\nF(${'a '.repeat(100)}`, {}, { limits: { expansionTokens: 50 } });
    assert.deepStrictEqual(codes(result), [1056]);
    assert.match(result.diagnostics[0].message, /macro expansion of 'F' produced more than 50 tokens/);
  });

  it('#error and #warning become diagnostics with their text', () => {
    const result = run("#warning careful here\n#error don't: now");
    assert.deepStrictEqual(result.diagnostics.map((d) => [d.code, d.category, d.message]),
      [[1051, 'warning', 'careful here'], [1050, 'error', "don't: now"]]);
  });

  it('#pragma GCC error / warning and #pragma message report as clang does, at the keyword or at the _Pragma\'s macro use', () => {
    const source = [
      '#pragma GCC warning "careful"',
      '#pragma message("hello there")',
      '#define BAD _Pragma("GCC error \\"Must specify a BPF target arch\\"")',
      'int f(void) { BAD; return 0; }',
      '#pragma GCC error "stop"',
      '#pragma GCC diagnostic push',
    ].join('\n');
    const result = run(source);
    const at = (d: { pos: number; end: number }) => source.slice(d.pos, d.end);
    assert.deepStrictEqual(result.diagnostics.map((d) => [d.code, d.message, at(d)]), [
      [1051, 'careful', 'warning "careful"'],
      [1051, 'hello there', 'message("hello there")'],
      [1050, 'Must specify a BPF target arch', 'BAD'],
      [1050, 'stop', 'error "stop"'],
    ]);
    // other pragmas are kept for the front end, these are not
    assert.deepStrictEqual(result.pragmas?.map((p) => p.text), ['GCC diagnostic push']);
  });
});

describe('preprocessor: limits', () => {
  it('stops an exponential macro bomb with a diagnostic', () => {
    const lines = ['#define m0 x x'];
    for (let i = 1; i <= 40; i++) lines.push(`#define m${i} m${i - 1} m${i - 1}`);
    lines.push('m40 after');
    const start = Date.now();
    const result = run(lines.join('\n'), {}, { limits: { expansionTokens: 100_000 } });
    assert.deepStrictEqual(codes(result), [1056]);
    assert.strictEqual(result.tokens[result.tokens.length - 2].text, 'after');
    assert.ok(Date.now() - start < 20_000);
  });

  it('does not recurse on nested __VA_OPT__ in a definition', () => {
    const source = `#define V(...) ${'__VA_OPT__('.repeat(20_000)}x${')'.repeat(20_000)}\nV(1) V()`;
    const result = run(source);
    assert.strictEqual(result.tokens[result.tokens.length - 1].kind, TokenKind.EndOfFile);
  });

  it('stops all macro expansion of a file at the work bound, once, ignoring the rest of the file', () => {
    // npm run fuzz, seed 505: a file including itself around a deep nested invocation stayed inside every
    // other bound (include depth, argument nesting, one expansion) and took 80 s, because they multiply.
    const nest = `#define F(x) x\n${'F('.repeat(300)}1${')'.repeat(300)}\n`;
    const files = { '/src/self.h': `${nest}#include "self.h"\n` };
    const unbounded = run('#include "self.h"\nafter', files, { limits: { includeDepth: 30, selfIncludeDepth: 1000, expansionWork: 1_000_000_000 } });
    assert.ok(unbounded.expansionWork > 100_000, `the input costs ${unbounded.expansionWork} tokens of work`);
    assert.ok(!codes(unbounded).includes(1065));
    const bounded = run('#include "self.h"\nafter', files, { limits: { includeDepth: 30, selfIncludeDepth: 1000, expansionWork: 100_000 } });
    assert.deepStrictEqual(codes(bounded).filter((c) => c === 1065), [1065]);
    const reported = bounded.diagnostics.find((d) => d.code === 1065)!;
    assert.match(reported.message, /macro expansion read and produced more than 100000 tokens in this file; the rest of the file is ignored/);
    assert.strictEqual(reported.file, bounded.files.findIndex((f) => f?.path === '/src/self.h'));
    assert.ok(bounded.expansionWork <= 100_001 + 1_000);
    assert.ok(!bounded.tokens.some((t) => t.text === 'after'), 'the rest of the file is ignored');
    assert.strictEqual(bounded.tokens[bounded.tokens.length - 1].kind, TokenKind.EndOfFile);
  });

  it('charges the work bound for argument tokens read, so an unclosed invocation counts too', () => {
    const result = run(`#define F(x) x\nF(${'a '.repeat(200)}`, {}, { limits: { expansionWork: 100 } });
    assert.deepStrictEqual(codes(result), [1065]);
  });

  it('stops deeply nested macro arguments without overflowing the stack', () => {
    const source = '#define f(x) x\n' + 'f('.repeat(1000) + '1' + ')'.repeat(1000) + ' after';
    const result = run(source);
    // Past the limit the inner arguments are substituted unexpanded, so their `f`s are painted and stay.
    assert.deepStrictEqual(codes(result), [1058]);
    assert.strictEqual(result.tokens[result.tokens.length - 2].text, 'after');
    assert.ok(result.tokens.some((t) => t.text === '1'));
  });
});
