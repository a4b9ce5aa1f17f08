import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '../../..');

/** The layer rule of ARCHITECTURE.md: each layer imports only the layers before it in this list. */
const LAYERS = ['kernel', 'lang', 'exec', 'service', 'realHost'] as const;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(p));
    else if (entry.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

describe('architecture: imports point one way', () => {
  for (const layer of LAYERS) {
    it(`server/src/${layer} imports no later layer, no LSP library and not the client`, () => {
      const allowed = new Set(LAYERS.slice(0, LAYERS.indexOf(layer) + 1));
      const problems: string[] = [];
      for (const file of sources(path.join(root, 'server/src', layer))) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith('.')) {
            const target = path.resolve(path.dirname(file), spec);
            const rel = path.relative(path.join(root, 'server/src'), target).split(path.sep);
            if (rel[0] === '..') {
              if (!path.relative(root, target).startsWith('shared')) problems.push(`${path.relative(root, file)} imports ${spec}`);
              continue;
            }
            const targetLayer = rel[0] as (typeof LAYERS)[number];
            if ((LAYERS as readonly string[]).includes(targetLayer) && !allowed.has(targetLayer)) problems.push(`${path.relative(root, file)} imports ${spec} (${targetLayer})`);
            if (rel[0] === 'server.ts' || rel[0] === 'cli.ts') problems.push(`${path.relative(root, file)} imports ${spec}`);
          } else if (/^vscode-languageserver(\/|$)|^vscode-languageclient|^vscode$/.test(spec) && layer !== 'service') {
            problems.push(`${path.relative(root, file)} imports ${spec}`);
          } else if (/^vscode-languageserver\/node|^vscode-languageclient|^vscode$/.test(spec)) {
            problems.push(`${path.relative(root, file)} imports ${spec}: the service returns LSP types but knows no connection`);
          }
        }
      }
      assert.deepStrictEqual(problems, []);
    });
  }

  it('the kernel layer knows no C syntax', () => {
    for (const file of sources(path.join(root, 'server/src/kernel'))) {
      for (const spec of importsOf(file)) assert.ok(!/\/lang\//.test(spec), `${file} imports ${spec}`);
    }
  });

  it('the client talks to the server only through shared/', () => {
    for (const file of sources(path.join(root, 'client/src'))) {
      for (const spec of importsOf(file)) assert.ok(!/\bserver\//.test(spec), `${path.relative(root, file)} imports ${spec}`);
    }
  });
});
