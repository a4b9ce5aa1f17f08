import * as assert from 'assert';
import * as fc from 'fast-check';
import { FrontEndDiagnostic } from '../../../server/src/lang/diagnostics';
import { scan } from '../../../server/src/lang/scanner';
import { SourceFile } from '../../../server/src/lang/sourceFile';
import { TokenKind } from '../../../server/src/lang/token';

function texts(source: string): string[] {
  return scan(source, 0).filter((t) => t.kind !== TokenKind.Newline && t.kind !== TokenKind.EndOfFile).map((t) => t.text);
}

describe('scanner', () => {
  it('splits punctuators by longest match, digraphs spelled canonically', () => {
    assert.deepStrictEqual(texts('a>>=b...c->d<<e##f%:%:<::><%%>'), ['a', '>>=', 'b', '...', 'c', '->', 'd', '<<', 'e', '##', 'f', '##', '[', ']', '{', '}']);
    assert.deepStrictEqual(texts('x+++++y'), ['x', '++', '++', '+', 'y']);
    assert.deepStrictEqual(texts('..'), ['.', '.']);
  });

  it('scans pp-numbers with exponent signs and identifier characters (C11 6.4.8)', () => {
    assert.deepStrictEqual(texts('0x1e+1 1e+1 1.5p-3 0xffULL .5 1..2 0x1p'), ['0x1e+1', '1e+1', '1.5p-3', '0xffULL', '.5', '1..2', '0x1p']);
    assert.deepStrictEqual(texts('1+2'), ['1', '+', '2']);
  });

  it('scans string and character literals with every prefix', () => {
    const tokens = scan(`L"a" u"b" U"c" u8"d" 'e' L'f' u'g' U'h' "q\\"x" '\\''`, 0);
    assert.deepStrictEqual(tokens.slice(0, 10).map((t) => [t.kind, t.text]), [
      [TokenKind.StringLiteral, 'L"a"'], [TokenKind.StringLiteral, 'u"b"'], [TokenKind.StringLiteral, 'U"c"'],
      [TokenKind.StringLiteral, 'u8"d"'], [TokenKind.CharConstant, "'e'"], [TokenKind.CharConstant, "L'f'"],
      [TokenKind.CharConstant, "u'g'"], [TokenKind.CharConstant, "U'h'"], [TokenKind.StringLiteral, '"q\\"x"'],
      [TokenKind.CharConstant, "'\\''"],
    ]);
  });

  it('removes line splices from spellings but keeps original offsets', () => {
    const source = 'ab\\\ncd \\\r\n+= "x\\\ny"';
    const tokens = scan(source, 0);
    assert.strictEqual(tokens[0].text, 'abcd');
    assert.strictEqual(tokens[0].pos, 0);
    assert.strictEqual(tokens[0].end, 6);
    assert.strictEqual(tokens[1].text, '+=');
    assert.strictEqual(source.slice(tokens[1].pos, tokens[1].end), '+=');
    assert.strictEqual(tokens[2].text, '"xy"');
    assert.strictEqual(tokens[2].end, source.length);
  });

  it('treats comments as whitespace, a spliced // comment continues on the next line', () => {
    assert.deepStrictEqual(texts('a/* x */b // c \\\n d\ne'), ['a', 'b', 'e']);
    const tokens = scan('a/**/b', 0);
    assert.strictEqual(tokens[1].leadingSpace, true);
  });

  it('reports an unterminated comment and an unterminated string, and keeps going', () => {
    const diagnostics: FrontEndDiagnostic[] = [];
    const tokens = scan('"abc\nx /* never closed', 0, diagnostics);
    assert.deepStrictEqual(diagnostics.map((d) => d.code), [1001, 1000]);
    assert.deepStrictEqual(tokens.filter((t) => t.kind !== TokenKind.Newline).map((t) => t.text), ['"abc', 'x', '']);
  });

  it('marks line starts and leading space, emits one Newline per line break (LF, CRLF, CR)', () => {
    const tokens = scan('a\r\n  b\rc\n', 0);
    assert.deepStrictEqual(tokens.map((t) => t.kind), [
      TokenKind.Identifier, TokenKind.Newline, TokenKind.Identifier, TokenKind.Newline, TokenKind.Identifier, TokenKind.Newline, TokenKind.EndOfFile,
    ]);
    assert.strictEqual(tokens[2].atLineStart, true);
    assert.strictEqual(tokens[2].leadingSpace, true);
    assert.strictEqual(tokens[4].atLineStart, true);
    assert.strictEqual(tokens[4].leadingSpace, false);
  });

  it('skips a byte order mark, ignores NUL with a warning, makes stray characters Unknown tokens', () => {
    const diagnostics: FrontEndDiagnostic[] = [];
    const tokens = scan('\ufeffa\u0000@`', 0, diagnostics);
    assert.deepStrictEqual(tokens.map((t) => [t.kind, t.text, t.pos]), [
      [TokenKind.Identifier, 'a', 1], [TokenKind.Unknown, '@', 3], [TokenKind.Unknown, '`', 4], [TokenKind.EndOfFile, '', 5],
    ]);
    assert.deepStrictEqual(diagnostics.map((d) => d.code), [1002]);
  });

  it('accepts UTF-8 identifiers and counts UTF-16 offsets', () => {
    const tokens = scan('héllo 😀x z', 0);
    assert.deepStrictEqual(tokens.slice(0, 3).map((t) => [t.text, t.pos, t.end]), [['héllo', 0, 5], ['😀x', 6, 9], ['z', 10, 11]]);
  });

  it('scans a 40k-character line and a 10 MB file in linear time', function () {
    const longLine = 'int a = ' + '1 + '.repeat(10_000) + '1;';
    assert.strictEqual(scan(longLine, 0).length, 20_006);
    const big = 'struct s { int field; }; /* comment */\n'.repeat(260_000);
    const start = Date.now();
    const tokens = scan(big, 0);
    assert.strictEqual(tokens.length, 260_000 * 9 + 1);
    assert.ok(Date.now() - start < 20_000, 'scanning 10 MB should not take tens of seconds');
  });

  it('never throws and covers the input with ordered, non-overlapping tokens (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      const tokens = scan(text, 0, []);
      let last = 0;
      for (const token of tokens) {
        assert.ok(token.pos >= last && token.end >= token.pos && token.end <= text.length);
        last = token.end;
      }
      assert.strictEqual(tokens[tokens.length - 1].kind, TokenKind.EndOfFile);
    }), { numRuns: 150 });
  });
});

describe('SourceFile line map', () => {
  it('maps offsets to lines and characters across LF, CRLF and CR', () => {
    const file = new SourceFile(0, '/a.c', 'ab\r\ncd\ref\ngh');
    assert.deepStrictEqual(file.offsetToPosition(0), { line: 0, character: 0 });
    assert.deepStrictEqual(file.offsetToPosition(5), { line: 1, character: 1 });
    assert.deepStrictEqual(file.offsetToPosition(7), { line: 2, character: 0 });
    assert.deepStrictEqual(file.offsetToPosition(11), { line: 3, character: 1 });
    assert.strictEqual(file.positionToOffset({ line: 2, character: 1 }), 8);
    assert.strictEqual(file.positionToOffset({ line: 9, character: 0 }), file.text.length);
    assert.strictEqual(file.lineCount, 4);
  });
});
