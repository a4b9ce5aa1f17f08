/** Inputs the fuzzer found that made the front end throw; each now gives diagnostics. */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../server/src/service/host';

const FILE = '/bpf-iter-robust/regression.bpf.c';
function validate(text: string): string[] {
  const service = createLanguageService(createMemoryHost({ [FILE]: text }, createNodeHost()), defaultSettings());
  return service.validate(FILE, text).map((d) => String(d.message));
}

describe('robustness: front-end inputs found by the fuzzer', () => {
  it('2,277 nested subscripts `a[a[a[...` hit the bracket nesting limit instead of overflowing the stack', () => {
    const messages = validate(`int a; int f(void) { return a${'[a'.repeat(2277)}; }`);
    assert.ok(messages.includes('bracket nesting level exceeded maximum of 256'), JSON.stringify(messages));
  });

  it('an unclosed subscript of a non-pointer (`a[a[a;`) is a diagnostic, not a TypeError in lowering', () => {
    const messages = validate('int a; int f(void) { return a[a[a; }');
    assert.ok(messages.includes("expected ']'"), JSON.stringify(messages));
    assert.ok(messages.includes('subscripted value is not an array, pointer, or vector'), JSON.stringify(messages));
  });

  it('seed 19101: an unclosed character constant running over a 1 MB line is valued from its last bytes (it was quadratic)', () => {
    // the fuzzer's line was 10 MB (hours before the fix); at 1 MB the quadratic rate measured at 100 kB gives ~80 s
    const messages = validate(`int c = '${'y'.repeat(1024 * 1024)}\nint f(void) { return c; }\n`);
    assert.ok(messages.some((m) => /missing terminating ' character/.test(m)), JSON.stringify(messages.slice(0, 3)));
  });

  it('valid subscripts still lower (both operand orders)', () => {
    assert.deepStrictEqual(validate('int a[4]; int f(void) { int *p = a; return 2[a] + p[1] + a[1]; }'), []);
  });
});
