import * as assert from 'assert';
import { parseScenario } from '../../../server/src/exec/scenario';
import { scenarioTemplate } from '../../../client/src/scenarioTemplate';
import { shouldReportCSyntaxErrors } from '../../../client/src/cSyntaxPolicy';

describe('client: Create Scenario File template', () => {
  it('is a valid scenario for a program with maps, attaching to the first', () => {
    const text = scenarioTemplate('file:///ext/schemas/scenario.schema.json', ['flows', 'totals'], 2);
    const parsed = parseScenario(text, 'x.bpfscenario.json');
    assert.deepStrictEqual(parsed.problems, []);
    assert.deepStrictEqual(JSON.parse(text).attach, { map: 'flows' });
    assert.strictEqual(parsed.scenario?.cpus, 2);
  });
  it('is a valid scenario for a program without maps', () => {
    const parsed = parseScenario(scenarioTemplate('s.json', [], 4), 'x.bpfscenario.json');
    assert.deepStrictEqual(parsed.problems, []);
  });
});

describe('client: plain C syntax errors next to clangd / C/C++', () => {
  it('reports them when no other C extension is installed', () => {
    assert.strictEqual(shouldReportCSyntaxErrors(['vscode.git'], false), true);
  });
  it('leaves them to clangd or C/C++ unless the user asks for both', () => {
    assert.strictEqual(shouldReportCSyntaxErrors(['LLVM-VS-Code-Extensions.vscode-clangd'], false), false);
    assert.strictEqual(shouldReportCSyntaxErrors(['ms-vscode.cpptools'], false), false);
    assert.strictEqual(shouldReportCSyntaxErrors(['ms-vscode.cpptools'], true), true);
  });
});
