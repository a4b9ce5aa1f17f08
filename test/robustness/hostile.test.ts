/**
 * Nothing from a file runs as code: hostile identifiers, strings, map names and JSON keys go through the
 * front end, the scenario loader, the JIT and the panel model as data.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../server/src/service/host';
import { parseScenario } from '../../server/src/exec/scenario';
import { buildViewModel, mapEntriesText } from '../../client/src/panel/viewModel';
import { panelHtml } from '../../client/src/panel/html';

const fixtures = path.join(__dirname, '../../../test/fixtures/hostile');
const programPath = path.join(fixtures, 'hostile_names.bpf.c');

function prototypesUntouched(): void {
  for (const proto of [Object.prototype, Array.prototype, Function.prototype]) {
    assert.strictEqual((proto as Record<string, unknown>).polluted, undefined);
  }
  assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
}

describe('robustness: hostile names and strings are data', function () {
  this.timeout(30000);

  it('a program with a map named constructor, globals __proto__/toString and struct fields __proto__/constructor/prototype runs exactly as written', async () => {
    const service = createLanguageService(createNodeHost(), defaultSettings());
    const text = fs.readFileSync(programPath, 'utf8');
    const result = await service.run(programPath, text, {});
    assert.strictEqual(result.error, null, JSON.stringify(result.error));
    // v->__proto__ incremented by the program, the other fields as the scenario wrote them, the scenario's
    // globals __proto__=9 and toString=5 applied, hasOwnProperty keeps its initializer.
    assert.strictEqual(result.output, '1 2 2 3 9 5\nend ${process.exit(3)} */ </script> \\ " \' `x` 4\n');
    // Scenario-only maps are created first (ids 1, 2), then the program's own map the scenario fills.
    assert.deepStrictEqual(result.maps.map((m) => m.name).slice(0, 3), ['__proto__', 'prototype', 'constructor']);
    prototypesUntouched();
  });

  it('scenario JSON keys __proto__, constructor and prototype are own data, and pollute no prototype', () => {
    const text = '{"globals":{"__proto__":{"polluted":1},"constructor":1,"prototype":2},"maps":[{"name":"__proto__","type":"hash","key_size":4,"value_size":4,"max_entries":1,"entries":[{"key":1,"value":2,"__proto__":{"polluted":1}}]}]}';
    const parsed = parseScenario(text, 'x.bpfscenario.json');
    prototypesUntouched();
    // The object under __proto__ is not an integer or hex string: a problem at its JSON path, not a prototype.
    assert.ok(parsed.problems.some((p) => p.path.startsWith('/globals/__proto__')), JSON.stringify(parsed.problems));
    assert.ok(parsed.problems.some((p) => /maps\/0\/entries\/0/.test(p.path)), JSON.stringify(parsed.problems));
    const ok = parseScenario('{"globals":{"__proto__":9,"constructor":1}}', 'y.bpfscenario.json');
    assert.deepStrictEqual(ok.problems, []);
    assert.ok(Object.prototype.hasOwnProperty.call(ok.scenario!.globals, '__proto__'));
    assert.strictEqual(Object.getPrototypeOf(ok.scenario!.globals), Object.prototype);
    prototypesUntouched();
  });

  it('an unsaved scenario with a problem is reported from the editor\'s text, not read again from disk (the run must not throw ENOENT)', async () => {
    const dir = '/nonexistent-bpf-iter-robust';
    const program = fs.readFileSync(programPath, 'utf8');
    const host = createMemoryHost({
      [`${dir}/p.bpf.c`]: program,
      [`${dir}/p.bpfscenario.json`]: '{\n  "cpus": "four"\n}\n',
    }, createNodeHost());
    const service = createLanguageService(host, defaultSettings());
    const result = await service.run(`${dir}/p.bpf.c`, program, {});
    assert.strictEqual(result.error?.errno, 'EINVAL');
    assert.match(result.error!.message, /\/cpus/);
    assert.deepStrictEqual(result.error!.range?.start, { line: 1, character: 2 });
  });

  it('the panel model keeps program output, map names and errors as strings, and the HTML shell contains none of them', async () => {
    const service = createLanguageService(createNodeHost(), defaultSettings());
    const result = await service.run(programPath, fs.readFileSync(programPath, 'utf8'), {});
    const model = buildViewModel({ ...result, error: { errno: 'EINVAL', message: '</script><script>alert(1)</script>' } }, '<img src=x onerror=alert(1)>');
    assert.strictEqual(model.title, '<img src=x onerror=alert(1)>');
    assert.strictEqual(model.error?.message, '</script><script>alert(1)</script>');
    assert.deepStrictEqual(model.maps.slice(0, 3).map((m) => m.name), ['__proto__', 'prototype', 'constructor']);
    assert.ok(mapEntriesText(result.maps[2]).length > 0);
    const html = panelHtml({ cspSource: 'vscode-resource:', scriptUri: 'panel.js', styleUri: 'panel.css', nonce: 'abc' });
    assert.ok(!html.includes('alert'));
    assert.match(html, /default-src 'none'/);
    prototypesUntouched();
  });
});
