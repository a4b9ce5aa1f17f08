/**
 * An error inside the body of a macro the user's file defines itself is shown where clang 14 shows it: at the
 * invocation (the expansion location, with an "expanded from macro" note), not on the `#define` line. Measured with
 * clang 14 -fsyntax-only: `int r = BAD(e);` (BAD's body names an undeclared identifier) gives 7:10, and
 * `struct s m = MIN(p, q);` (a `<` of two structs in MIN's body) 8:15 over the whole `MIN(p, q)`.
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost } from '../../../server/src/service/host';

const TEXT = `#define BAD(x) ((x) + nope_thing)
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
struct s { int v; };
int f(int e)
{
	struct s p = { 1 }, q = { 2 };
	int r = BAD(e);
	struct s m = MIN(p, q);
	return r + m.v + BAD(nope_arg);
}
`;

describe('diagnostics: an error in the body of a macro of the user\'s own file', () => {
  it('is placed at the macro\'s invocation, as clang places it; an error in an argument stays on the argument', () => {
    const file = '/macro-site/prog.c';
    const service = createLanguageService(createMemoryHost({ [file]: TEXT }), defaultSettings());
    const errors = service.validate(file, TEXT).filter((d) => d.severity === 1)
      .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${String(d.message)}`);
    assert.deepStrictEqual(errors, [
      "7:10-7:16 use of undeclared identifier 'nope_thing'",
      "8:15-8:24 invalid operands to binary expression ('struct s' and 'struct s')",
      "9:23-9:31 use of undeclared identifier 'nope_arg'",
      "9:19-9:32 use of undeclared identifier 'nope_thing'",
    ]);
  });
});
