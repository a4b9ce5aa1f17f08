import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SETTING_KEYS } from '../../server/src/service/settings';

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

  it('ships the real-kernel loader\'s source, which Compare with Real Kernel builds on first use', () => {
    const allow = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    assert.ok(fs.existsSync(path.join(root, 'server/loader/bpf-iter-loader.c')));
    assert.ok(allow.includes('!server/loader/**'), '.vscodeignore does not ship server/loader');
  });
});

describe('packaging: the getting-started walkthrough', () => {
  it('every step has its markdown, shipped in the .vsix, and its buttons name commands that exist', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const allow = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    const ours = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
    const steps = pkg.contributes.walkthroughs[0].steps as Array<{ id: string; description: string; media: { markdown: string } }>;
    assert.deepStrictEqual(steps.map((s) => s.id), ['open', 'diagnostic', 'run', 'linkInfo', 'capture']);
    for (const step of steps) {
      assert.ok(fs.existsSync(path.join(root, step.media.markdown)), `${step.media.markdown} is missing`);
      assert.ok(allow.includes(`!${path.dirname(step.media.markdown)}/*.md`), `${step.media.markdown} is not shipped`);
      for (const [, command] of step.description.matchAll(/\(command:([\w.]+)\)/g)) {
        assert.ok(!command.startsWith('bpfIter.') || ours.has(command), `${step.id}: ${command} is not a contributed command`);
      }
    }
  });
});

describe('packaging: contributed settings', () => {
  it('every bpfIter setting the extension contributes is one the server reads (or the client handles), and those that apply to a file are resource-scoped', () => {
    const root = path.join(__dirname, '../../..');
    const properties = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).contributes.configuration.properties as Record<string, { scope?: string }>;
    // The client reads these itself: the protocol trace, whether another C extension reports syntax errors, and how
    // much output the Run panel keeps.
    const clientSide = new Set(['trace.server', 'reportCSyntaxErrorsWithOtherCExtensions', 'panelOutputBytes']);
    const serverKeys = new Set(SETTING_KEYS);
    for (const [name, property] of Object.entries(properties)) {
      const key = name.replace(/^bpfIter\./, '');
      if (clientSide.has(key)) continue;
      assert.ok(serverKeys.has(key), `${name} is contributed but the server does not read it`);
      assert.strictEqual(property.scope, 'resource', `${name} applies per file: it should be a resource setting`);
    }
  });
});
