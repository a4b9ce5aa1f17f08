import * as assert from 'assert';
import { serviceFor } from '../service/fourslash';

/**
 * clang's argument counts for the builtins (clang 14 -target bpf -fsyntax-only on this file gave these nine errors,
 * line:column and words), and the lowering of a builtin called without its argument (npm run fuzz, seed 24400:
 * `if (__builtin_expect())` threw a TypeError in the lowering).
 */
describe('sema: the builtins\' argument counts, as clang checks them', () => {
  const text = [
    'int g(void *a, void *b, unsigned x) {',
    '  if (__builtin_expect(x)) return 1;',
    '  if (__builtin_expect(x, 1, 2)) return 1;',
    '  __builtin_memcpy(a, b);',
    '  __builtin_memset(a, 0, 4, 5);',
    '  if (__builtin_bswap32()) return 2;',
    '  if (__builtin_constant_p()) return 3;',
    '  if (__builtin_popcount(x, x)) return 4;',
    '  __builtin_unreachable(1);',
    '  return __builtin_expect_with_probability(x, 1);',
    '}',
    'int h(void) { if (__builtin_expect()) return 1; return 0; }',
    '',
  ].join('\n');
  const clang14 = [
    '2:25: too few arguments to function call, expected 2, have 1',
    '3:30: too many arguments to function call, expected 2, have 3',
    '4:24: too few arguments to function call, expected 3, have 2',
    '5:29: too many arguments to function call, expected 3, have 4',
    '6:25: too few arguments to function call, expected 1, have 0',
    '7:28: too few arguments to function call, expected 1, have 0',
    '8:29: too many arguments to function call, expected 1, have 2',
    '9:25: too many arguments to function call, expected 0, have 1',
    '10:48: too few arguments to function call, expected 3, have 2',
    '12:36: too few arguments to function call, expected 2, have 0',
  ];

  it('reports what clang reports, where clang reports it, and the file is analysed to the end', () => {
    const found = serviceFor().validate('/project/builtins.bpf.c', text).filter((d) => d.severity === 1);
    assert.deepStrictEqual(found.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`), clang14);
  });
});
