/**
 * `npm run bench`: runs every `*.bench.js` next to this file (each exports `run(): Promise<void>` and prints
 * its own figures, each next to a baseline measured in the same run). `npm run bench -- NAME` runs the ones
 * whose file name contains NAME.
 */
import * as fs from 'fs';
import * as path from 'path';

async function main(): Promise<void> {
  const filter = process.argv[2];
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js') && (!filter || f.includes(filter))).sort();
  if (files.length === 0) { console.log('no benchmarks matched'); return; }
  console.log(`node ${process.version}, ${require('os').cpus().length} CPUs, ${Math.round(require('os').totalmem() / 2 ** 30)} GiB`);
  let failed = 0;
  for (const f of files) {
    console.log(`\n## ${f.replace(/\.bench\.js$/, '')}`);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(__dirname, f)) as { run?: () => Promise<void> };
      if (typeof mod.run !== 'function') { console.log('  (no run() exported)'); continue; }
      await mod.run();
    } catch (e) {
      failed++;
      console.log(`  FAILED: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  if (failed) process.exitCode = 1;
}

void main();
