import * as assert from 'assert';
import fc from 'fast-check';
import * as jsonc from 'jsonc-parser';
import { jsonPointerRanges, TextRange } from '../../../server/src/exec/jsonPathRanges';

/** The ranges from jsonc's whole tree: the deepest existing node on the path, a member with its key. */
function rangeFromTree(text: string, pointer: string): TextRange | undefined {
  const tree = jsonc.parseTree(text, [], { allowTrailingComma: false, disallowComments: true });
  if (!tree) return undefined;
  const segments = pointer.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  for (let i = segments.length; i >= 0; i--) {
    const found = jsonc.findNodeAtLocation(tree, segments.slice(0, i));
    if (found) {
      const target = found.parent && found.parent.type === 'property' ? found.parent : found;
      return { offset: target.offset, length: target.length };
    }
  }
  return undefined;
}

/** Every pointer into `value`, with RFC 6901 escapes. */
function pointersOf(value: unknown, at = ''): string[] {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pointersOf(v, `${at}/${i}`)));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...pointersOf(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return out;
}

describe('jsonPointerRanges', () => {
  it('finds what a whole tree finds, for pointers that exist and ones that go past the data', () => {
    // keys without duplicates (JSON.parse keeps the last of two equal keys, jsonc's tree search the first)
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(0, 1, 2, '\t'), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom('', '/x', '/0', '/0/key', '/a~1b'),
      (value, indent, picks, tail) => {
        const text = JSON.stringify(value, null, indent);
        const all = pointersOf(value);
        const pointers = picks.map((k) => all[k % all.length] + (k % 3 === 0 ? tail : ''));
        const got = jsonPointerRanges(text, pointers);
        pointers.forEach((p, i) => assert.deepStrictEqual(got[i], rangeFromTree(text, p), `${p} in ${text}`));
      }), { numRuns: 300 });
  });

  it('points at a member of a big list without looking at the others', () => {
    const entries = Array.from({ length: 20_000 }, (_, i) => ({ key: i, value: i === 12_345 ? 'oops' : i * 3 }));
    const text = JSON.stringify({ maps: [{ name: 'm', entries }] }, null, 1);
    const [range] = jsonPointerRanges(text, ['/maps/0/entries/12345/value']);
    assert.ok(range);
    assert.strictEqual(text.substr(range.offset, range.length), '"value": "oops"');
  });

  it('keeps the start of a container the text never closes', () => {
    const text = '{"maps": [{"name": "m", "entries": [1, 2';
    const [range] = jsonPointerRanges(text, ['/maps/0/entries/5']);
    assert.deepStrictEqual(range, { offset: text.indexOf('"entries"'), length: text.length - text.indexOf('"entries"') });
  });
});
