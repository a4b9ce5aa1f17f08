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

/** Where the scenario validator's standalone code goes (next to the compiled scenario.js that requires it). */
const SCENARIO_VALIDATOR = path.join(root, 'out/server/src/exec/scenarioValidator.generated.js');

/**
 * Writes ajv's standalone code of the scenario validator, so a run does not compile the schema (~250 ms of CPU
 * each process). It carries the fingerprint of the schema and options it was made from; scenario.ts uses it only
 * when that matches, and compiles the schema itself otherwise.
 */
function writeScenarioValidator() {
  const compiled = path.join(root, 'out/server/src/exec/scenarioSchema.js');
  const scenario = path.join(root, 'out/server/src/exec/scenario.js');
  if (!fs.existsSync(compiled) || !fs.existsSync(scenario)) return;
  const { scenarioSchema, SCENARIO_VALIDATOR_OPTIONS } = require(compiled);
  const { scenarioSchemaFingerprint } = require(scenario);
  const Ajv = require('ajv').default;
  const standaloneCode = require('ajv/dist/standalone').default;
  const ajv = new Ajv({ ...SCENARIO_VALIDATOR_OPTIONS, code: { source: true } });
  const text = `${standaloneCode(ajv, ajv.compile(scenarioSchema))}\nmodule.exports.fingerprint = ${JSON.stringify(scenarioSchemaFingerprint())};\n`;
  if (!fs.existsSync(SCENARIO_VALIDATOR) || fs.readFileSync(SCENARIO_VALIDATOR, 'utf8') !== text) fs.writeFileSync(SCENARIO_VALIDATOR, text);
}

/** esbuild: `./scenarioValidator.generated.js` is the file writeScenarioValidator() wrote into out/. */
const scenarioValidatorPlugin = {
  name: 'scenario-validator',
  setup(build) {
    build.onResolve({ filter: /scenarioValidator\.generated\.js$/ }, () => (fs.existsSync(SCENARIO_VALIDATOR)
      ? { path: SCENARIO_VALIDATOR } : { path: './scenarioValidator.generated.js', external: true }));
  },
};

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
  writeDiagnosticsDoc();
  writeScenarioValidator();
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
      plugins: [scenarioValidatorPlugin],
    })));
}

main().catch((err) => { console.error(err.message || err); process.exit(1); });
