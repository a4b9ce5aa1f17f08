'use strict';
// Bundles the extension client, the language server and the CLI into dist/ with esbuild.
// Type checking is `tsc -b`'s job; this only bundles. Entry points that do not exist yet are skipped.
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const entries = [
  { in: 'client/src/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  { in: 'server/src/serverMain.ts', out: 'dist/server.js', external: [] },
  { in: 'server/src/cli.ts', out: 'dist/cli.js', external: [] },
  { in: 'server/src/codeCache.ts', out: 'dist/codeCache.js', external: [] },
  { in: 'server/src/runWorker.ts', out: 'dist/runWorker.js', external: [] },
  { in: 'server/src/debugMain.ts', out: 'dist/debug.js', external: [] },
];

/** Writes schemas/scenario.schema.json from its TypeScript source (compiled by tsc -b before this runs). */
function writeScenarioSchema() {
  const compiled = path.join(root, 'out/server/src/exec/scenarioSchema.js');
  if (!fs.existsSync(compiled)) return;
  const { scenarioSchema } = require(compiled);
  const target = path.join(root, 'schemas/scenario.schema.json');
  const text = JSON.stringify(scenarioSchema, null, 2) + '\n';
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
}

/** Writes docs/diagnostics.md, the page every diagnostic's codeDescription links to, from the diagnostics table. */
function writeDiagnosticsDoc() {
  const compiled = path.join(root, 'out/server/src/lang/diagnostics.js');
  if (!fs.existsSync(compiled)) return;
  const { renderDiagnosticsDoc } = require(compiled);
  if (typeof renderDiagnosticsDoc !== 'function') return;
  const target = path.join(root, 'docs/diagnostics.md');
  const text = renderDiagnosticsDoc();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
}

async function main() {
  writeScenarioSchema();
  // Regenerated for the next build when the schema changed; until then scenario.ts compiles the schema itself.
  if (require('./gen-scenario-validator').writeScenarioValidator()) console.log('bundle: scenarioValidator.generated.ts regenerated from the schema; build again to use it');
  writeDiagnosticsDoc();
  const production = process.argv.includes('--production');
  await Promise.all(entries
    .filter((e) => fs.existsSync(path.join(root, e.in)))
    .map((e) => esbuild.build({
      absWorkingDir: root,
      entryPoints: [e.in],
      outfile: e.out,
      bundle: true,
      platform: 'node',
      // jsonc-parser's UMD build hides its requires from bundlers; its ESM build bundles cleanly.
      mainFields: ['module', 'main'],
      format: 'cjs',
      target: 'node20',
      external: e.external,
      sourcemap: !production,
      minify: production,
      logLevel: 'warning',
    })));
}

main().catch((err) => { console.error(err.message || err); process.exit(1); });
