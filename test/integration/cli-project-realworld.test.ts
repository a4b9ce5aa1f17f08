/**
 * Acceptance of issue 21: `bpf-iter check DIR` on a folder of real-world projects (test/realworld/, each with its
 * own build setup) in one call, the files checked in parallel worker threads, reports exactly the diagnostics
 * `bpf-iter check FILE` gives for each file alone, from its project's root as its user runs it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { bpfIter, corpusFolderCopy, FOLDER_PROJECTS, inPool } from './realworldHarness';

interface JsonReport { files: Array<{ file: string; diagnostics: Array<{ severity: string; code: string; message: string; range: unknown }> }> }

describe('bpf-iter check DIR on a folder of real-world projects = each file checked alone', function () {
  this.timeout(1200000); // 14 projects took 11 min under a load average of 23 on 2 cores
  let folder: string;
  before(() => { folder = corpusFolderCopy(FOLDER_PROJECTS); });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it(`${FOLDER_PROJECTS.length} projects in one call (-j 2): the same diagnostics per file as one call per file, in path order`, async () => {
    const together = await bpfIter(['check', '--json', '-j', '2', folder], process.cwd());
    assert.ok(together.code === 0 || together.code === 1, together.stderr);
    const report = JSON.parse(together.stdout.toString('utf8')) as JsonReport;
    const files = report.files.map((f) => path.resolve(f.file));
    assert.deepStrictEqual(files, [...files].sort(), 'files in path order');
    assert.deepStrictEqual([...new Set(files.map((f) => path.relative(folder, f).split(path.sep)[0]))], FOLDER_PROJECTS.slice().sort(),
      'every project contributes files');
    assert.ok(report.files.some((f) => f.diagnostics.some((d) => d.severity === 'error')), 'some project has errors');
    assert.ok(report.files.some((f) => f.diagnostics.some((d) => d.severity === 'warning')), 'some project has warnings');

    const alone = await inPool(files.map((file) => async () => {
      const projectRoot = path.join(folder, path.relative(folder, file).split(path.sep)[0]);
      const out = await bpfIter(['check', '--json', path.relative(projectRoot, file)], projectRoot);
      return (JSON.parse(out.stdout.toString('utf8')) as JsonReport).files[0].diagnostics;
    }), 2);
    for (let i = 0; i < files.length; i++) {
      assert.deepStrictEqual(report.files[i].diagnostics, alone[i], path.relative(folder, files[i]));
    }
  });
});
