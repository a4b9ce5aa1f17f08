/**
 * The recording test/unit/lang/clangDiagnostics.test.ts compares us with (test/fixtures/c/clang-errors.json) against
 * the clang of this machine: each file's errors, line, column and words. Skipped without clang, or with a clang of
 * another major version than the recording's (clang's words change between versions).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { clangErrors } = require(path.join(ROOT, 'scripts/record-clang-diagnostics.js')) as { clangErrors(file: string): string[] };

describe('oracle: clang-errors.json is what clang says', function () {
  it('every recorded file, error for error', function () {
    const recorded = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/c/clang-errors.json'), 'utf8')) as { clang: string; files: Record<string, string[]> };
    const version = /clang version (\S+)/.exec(spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1];
    if (!version) { console.log('      skipped: clang not installed'); this.skip(); }
    if (version!.split('.')[0] !== recorded.clang.split('.')[0]) { console.log(`      skipped: clang ${version} here, the recording is of clang ${recorded.clang}`); this.skip(); }
    const differences: string[] = [];
    for (const [file, errors] of Object.entries(recorded.files)) {
      const live = clangErrors(path.join(ROOT, 'test/fixtures/c', file));
      if (JSON.stringify(live) !== JSON.stringify(errors)) differences.push(`${file}: recorded ${errors.join(' | ')}; clang says ${live.join(' | ')}`);
    }
    assert.deepStrictEqual(differences, []);
  });
});
