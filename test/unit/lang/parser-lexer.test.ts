/**
 * A minimal C tokenizer for parser tests, so they do not depend on the preprocessor: no macros, no
 * directives (lines starting with `#` are dropped). Exported for the other parser/sema/types tests.
 */
import * as assert from 'assert';
import { Token, TokenKind } from '../../../server/src/lang/token';

const PUNCTUATORS = ['%:%:', '...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##', '<:', ':>', '<%', '%>', '%:'];

export function lex(text: string, file = 0): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let atLineStart = true;
  let leadingSpace = false;
  const push = (kind: TokenKind, start: number): void => {
    tokens.push({ kind, text: text.slice(start, i), file, pos: start, end: i, leadingSpace, atLineStart });
    atLineStart = false;
    leadingSpace = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { i++; atLineStart = true; leadingSpace = false; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; leadingSpace = true; continue; }
    if (c === '#' && atLineStart) { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (text.startsWith('//', i)) { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (text.startsWith('/*', i)) { const close = text.indexOf('*/', i + 2); i = close < 0 ? text.length : close + 2; leadingSpace = true; continue; }
    const start = i;
    const prefix = /^(u8|u|U|L)?(["'])/.exec(text.slice(i, i + 3));
    if (prefix) {
      const quote = prefix[2];
      i += prefix[0].length;
      while (i < text.length && text[i] !== quote && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      if (text[i] === quote) i++;
      push(quote === '"' ? TokenKind.StringLiteral : TokenKind.CharConstant, start);
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) { while (i < text.length && /[A-Za-z0-9_$]/.test(text[i])) i++; push(TokenKind.Identifier, start); continue; }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      i++;
      while (i < text.length && (/[A-Za-z0-9_.]/.test(text[i]) || (/[+-]/.test(text[i]) && /[eEpP]/.test(text[i - 1])))) i++;
      push(TokenKind.Number, start);
      continue;
    }
    const punctuator = PUNCTUATORS.find((p) => text.startsWith(p, i));
    if (punctuator) { i += punctuator.length; push(TokenKind.Punctuator, start); continue; }
    i++;
    push('()[]{}.&*+-~!/%<>^|?:;=,#'.includes(c) ? TokenKind.Punctuator : TokenKind.Unknown, start);
  }
  tokens.push({ kind: TokenKind.EndOfFile, text: '', file, pos: text.length, end: text.length, leadingSpace, atLineStart });
  return tokens;
}

// Guarded so benchmarks can import the lexer outside mocha.
if (typeof describe === 'function') describe('parser test lexer', () => {
  it('splits C into tokens with exact offsets', () => {
    const tokens = lex('int x = 0x1fUL; // c\n"a\\"b" \'c\'');
    assert.deepStrictEqual(tokens.map((t) => t.text), ['int', 'x', '=', '0x1fUL', ';', '"a\\"b"', "'c'", '']);
    assert.strictEqual(tokens[5].pos, 21);
    assert.strictEqual(tokens[5].atLineStart, true);
  });
});
