import * as assert from 'assert';
import fc from 'fast-check';
import { charValue } from '../../../server/src/lang/parser/literals';

/** The value of a character constant as C gives it, computed the slow way: every byte shifted in, the int's 32 bits kept. */
function reference(text: string): bigint {
  const quote = text.indexOf("'");
  const body = text.slice(quote + 1, text.endsWith("'") ? -1 : undefined);
  const units: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\' || i + 1 >= body.length) { units.push(body.charCodeAt(i)); continue; }
    const e = body[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 };
    if (e === 'x') { let j = i + 1; while (j < body.length && /[0-9a-fA-F]/.test(body[j])) j++; units.push(parseInt(body.slice(i + 1, j) || '0', 16)); i = j - 1; }
    else if (/[0-7]/.test(e)) { let j = i; while (j < body.length && j < i + 3 && /[0-7]/.test(body[j])) j++; units.push(parseInt(body.slice(i, j), 8)); i = j - 1; }
    else units.push(simple[e] ?? e.charCodeAt(0));
  }
  if (quote > 0) return BigInt(units[0] ?? 0);
  let value = 0n;
  for (const unit of units) value = (value << 8n) | BigInt(unit & 0xff);
  return units.length === 1 ? BigInt.asIntN(8, value) : BigInt.asIntN(32, value);
}

describe('character constants', () => {
  it('have the value C gives them, with or without escapes, prefixes and a closing quote', () => {
    const piece = fc.oneof(fc.constantFrom('a', 'Z', '\\n', '\\x41', '\\xff', '\\377', '\\0', "\\'", '\\\\', 'é', '😀', ' '), fc.string({ maxLength: 2 }));
    fc.assert(fc.property(fc.constantFrom('', 'L', 'u', 'U', 'u8'), fc.array(piece, { maxLength: 7 }), fc.boolean(), (prefix, pieces, closed) => {
      const text = `${prefix}'${pieces.join('')}${closed ? "'" : ''}`;
      assert.strictEqual(charValue(text), reference(text), text);
    }), { numRuns: 2000 });
  });

  it('an unclosed quote before a 10 MB line has the value of its last four characters (test/fuzz/editFuzzer.ts times it)', () => {
    assert.strictEqual(charValue(`'${'y'.repeat(10 * 1024 * 1024)}`), BigInt.asIntN(32, 0x79797979n));
  });
});
