import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
import { preprocess } from '../../../server/src/lang/preprocessor';
import { scan } from '../../../server/src/lang/scanner';
import { Token, TokenKind } from '../../../server/src/lang/token';

/** The fields of every token, in the order `makeToken` (lang/token.ts) sets them. */
const TOKEN_FIELDS = 'kind,text,file,pos,end,leadingSpace,atLineStart,origin,noExpand';

function shapesOf(tokens: readonly Token[]): Set<string> {
  const shapes = new Set<string>();
  for (const t of tokens) {
    shapes.add(`${Object.keys(t).join(',')} origin:${t.origin === undefined ? 'undefined' : typeof t.origin} noExpand:${typeof t.noExpand}`);
  }
  return shapes;
}

describe('tokens: one object shape (the parser and preprocessor stay monomorphic over them)', () => {
  it('the scanner makes every token, newlines and the end of file too, with every field', () => {
    const tokens = scan('int a = 1; /* c */\n"s" \'c\' 0x1f @\n', 0);
    assert.ok(tokens.some((t) => t.kind === TokenKind.Newline) && tokens.some((t) => t.kind === TokenKind.EndOfFile));
    assert.deepStrictEqual([...shapesOf(tokens)], [`${TOKEN_FIELDS} origin:undefined noExpand:boolean`]);
  });

  it('expansion, pasting, stringizing, builtins, painted-blue names, argument copies and the end of input keep it', () => {
    const source = [
      '#define CAT(a, b) a ## b', '#define STR(x) #x', '#define SELF SELF + 1', '#define ID(x) x', '#define LINE __LINE__',
      '#define  SPACED  (1)', '#define VA(...) f(__VA_ARGS__)',
      'int CAT(ab, cd) = ID( 2 ); const char *s = STR(a + b); int self = SELF; int line = LINE; int c = __COUNTER__;',
      'int sp = SPACED; int v = VA(1, 2); const char *file = __FILE__;',
    ].join('\n');
    const result = preprocess('/src/main.c', source, createMemoryHost({}), { useBundledHeaders: false });
    assert.deepStrictEqual(result.diagnostics, []);
    const shapes = [...shapesOf(result.tokens)].map((s) => s.replace(/ origin:\w+ noExpand:\w+$/, ''));
    assert.deepStrictEqual([...new Set(shapes)], [TOKEN_FIELDS]);
    for (const t of result.tokens) {
      assert.strictEqual(typeof t.noExpand, 'boolean', `${t.text} at ${t.pos}`);
      assert.ok(t.origin === undefined || typeof t.origin === 'object', `${t.text} at ${t.pos}`);
    }
    // the painted-blue SELF inside its own expansion is a token of the same shape with noExpand set
    assert.ok(result.tokens.some((t) => t.text === 'SELF' && t.noExpand === true));
    assert.ok(result.tokens.some((t) => t.kind === TokenKind.EndOfFile));
  });
});
