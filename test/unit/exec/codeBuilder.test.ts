import * as assert from 'assert';
import * as fc from 'fast-check';
import { js, literal, NameGenerator, compileFunction, join, Code } from '../../../server/src/exec/codeBuilder';

describe('exec/codeBuilder: no user text becomes code', () => {
  it('serializes any string so that evaluating it gives the same string back', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const f = compileFunction<() => string>([], js`return ${literal(s)};`);
      assert.strictEqual(f(), s);
    }), { numRuns: 2000 });
  });

  it('serializes hostile strings as data: quotes, backslashes, ${}, */, </script>, line separators', () => {
    const hostile = ['"', "'", '\\', '`${process.exit(1)}`', '*/ process.exit(1) /*', '</script><script>alert(1)</script>',
      '\u2028', '\u2029', '\0', '__proto__', 'constructor', '\uD800'];
    for (const s of hostile) {
      const f = compileFunction<() => string>([], js`return ${literal(s)};`);
      assert.strictEqual(f(), s);
    }
  });

  it('serializes any bigint and any number exactly', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), fc.double(), (b, d) => {
      const f = compileFunction<() => [bigint, number]>([], js`return [${literal(b)}, ${literal(d)}];`);
      const [b2, d2] = f();
      assert.strictEqual(b2, b);
      assert.ok(Object.is(d2, d), `${d2} !== ${d}`);
    }), { numRuns: 2000 });
  });

  it('negative literals stay one operand next to operators', () => {
    const f = compileFunction<() => bigint>([], js`return 5n - ${literal(-3n)};`);
    assert.strictEqual(f(), 8n);
    const g = compileFunction<() => number>([], js`return 5 - ${literal(-3)};`);
    assert.strictEqual(g(), 8);
  });

  it('refuses a plain string where code is expected', () => {
    assert.throws(() => js`return ${'1; process.exit(1)' as unknown as Code};`, /only Code can be interpolated/);
    assert.throws(() => join(['x' as unknown as Code], ', '), /only Code/);
    assert.throws(() => compileFunction(['a' as unknown as Code], literal(1)), /only Code/);
  });

  it('refuses a forged template strings array', () => {
    assert.throws(() => (js as unknown as (s: string[], ...p: Code[]) => Code)(['return 1;']), /tagged template/);
  });

  it('generates identifiers that never repeat and never come from user text', () => {
    const names = new NameGenerator('v');
    const a = names.fresh(); const b = names.fresh();
    assert.notStrictEqual(a.text, b.text);
    assert.match(a.text, /^v\d+$/);
    const f = compileFunction<(x: number) => number>([a], js`const ${b} = ${a} * 2; return ${b};`);
    assert.strictEqual(f(21), 42);
  });
});
