import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '../../..');

describe('packaging: the .vsix allowlist', () => {
  it('ships every bundle the installed extension starts (the server spawns dist/runWorker.js, the debugger dist/debug.js)', () => {
    const allow = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    const bundle = fs.readFileSync(path.join(root, 'scripts/bundle.js'), 'utf8');
    const outputs = [...bundle.matchAll(/out: '(dist\/[\w.]+\.js)'/g)].map((m) => m[1]);
    assert.ok(outputs.length >= 4, `bundle entries: ${outputs.join(', ')}`);
    // dist/cli.js is the command-line tool, not part of the extension.
    for (const out of outputs.filter((o) => o !== 'dist/cli.js')) assert.ok(allow.includes(`!${out}`), `.vscodeignore does not ship ${out}`);
  });
});
