import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Diagnostics, renderDiagnosticsDoc, codeString } from '../../server/src/lang/diagnostics';
import { docsLink } from '../../server/src/service/diagnostics';

const root = path.join(__dirname, '../../..');

describe('docs: the diagnostics reference page', () => {
  it('docs/diagnostics.md is current with the diagnostics table (run npm run build to regenerate)', () => {
    assert.strictEqual(fs.readFileSync(path.join(root, 'docs/diagnostics.md'), 'utf8'), renderDiagnosticsDoc());
  });

  it('has a section, anchored as the editor links it, for every code, and codes are unique', () => {
    const page = renderDiagnosticsDoc();
    const codes = Object.values(Diagnostics).map((d) => d.code);
    assert.strictEqual(new Set(codes).size, codes.length, 'two diagnostics share a code');
    for (const code of codes) {
      assert.ok(page.includes(`### ${codeString(code)}\n`), `no section for ${codeString(code)}`);
      assert.ok(docsLink(code).endsWith(`#${codeString(code).toLowerCase()}`));
    }
  });
});
