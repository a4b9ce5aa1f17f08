import * as assert from 'assert';
import { applySettings } from '../../../server/src/service/settings';
import { defaultSettings } from '../../../server/src/service/languageService';

describe('settings from untyped JSON', () => {
  it('takes every known key that has the right type', () => {
    const { settings, problems } = applySettings(defaultSettings(), {
      includePaths: ['/usr/include'], defines: { DEBUG: '1' }, cpus: 8, defaultScenario: 'sys.bpfscenario.json',
      instructionBudget: 5000, maxOutputBytes: 4096, kernelVersion: '6.18', reportCSyntaxErrors: false,
    });
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual({ ...settings, defines: { ...settings.defines } }, {
      includePaths: ['/usr/include'], defines: { DEBUG: '1' }, cpus: 8, defaultScenario: 'sys.bpfscenario.json',
      instructionBudget: 5000, maxOutputBytes: 4096, kernelVersion: '6.18', reportCSyntaxErrors: false,
    });
  });

  it('keeps the earlier value and names the setting when a value has the wrong type or range', () => {
    const base = { ...defaultSettings(), maxOutputBytes: 100 };
    const { settings, problems } = applySettings(base, { instructionBudget: 'lots', maxOutputBytes: -1, cpus: 0, includePaths: [1], reportCSyntaxErrors: 'no' });
    assert.deepStrictEqual(settings, base);
    assert.deepStrictEqual(problems.map((p) => p.split(' ')[0]), ['bpfIter.includePaths', 'bpfIter.cpus', 'bpfIter.instructionBudget', 'bpfIter.maxOutputBytes', 'bpfIter.reportCSyntaxErrors']);
    assert.match(problems[2], /must be a whole number of at least 1; keeping 1000000/);
  });

  it('null (VS Code\'s unset) keeps the earlier value without a problem; unknown keys are ignored', () => {
    const base = { ...defaultSettings(), cpus: 2, reportCSyntaxErrors: false };
    const { settings, problems } = applySettings(base, { cpus: null, trace: { server: 'off' }, reportCSyntaxErrorsWithOtherCExtensions: true });
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(settings, base);
  });

  it('a non-object is a problem, null and undefined are nothing; __proto__ in defines stays data', () => {
    assert.deepStrictEqual(applySettings(defaultSettings(), 'x').problems, ['settings must be an object']);
    assert.deepStrictEqual(applySettings(defaultSettings(), null), { settings: defaultSettings(), problems: [] });
    const { settings } = applySettings(defaultSettings(), JSON.parse('{"defines": {"__proto__": "1", "A": "2"}}'));
    assert.deepStrictEqual(Object.keys(settings.defines).sort(), ['A', '__proto__']);
    assert.strictEqual(({} as Record<string, unknown>).A, undefined);
  });
});
