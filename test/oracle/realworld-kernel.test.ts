import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CorpusProgram, CorpusProject, ProgramExpectation, corpus, repoRoot } from '../integration/realworldHarness';

/**
 * Re-records every program of the real-world corpus on the live kernel with scripts/record-realworld.js's own
 * code (the project's build setup, the scenario's maps made with bpftool, `bpftool iter pin`, `cat`) and
 * compares with the committed expect.json, so the expectations cannot drift from what clang and the kernel say.
 * Where the machine refuses iter/bpf_map_elem loads (EPERM) the derived part is all there is to compare; where it
 * allows them, the derivation itself is checked. Skips with the reason when root, clang, bpftool, kernel BTF or
 * an iterator load are not available.
 */
interface Recorder {
  whyUnavailable(): string | undefined;
  recordProgram(project: CorpusProject, program: CorpusProgram, work: string, pinRoot: string): ProgramExpectation;
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const recorder = require(path.join(repoRoot, 'scripts/record-realworld.js')) as Recorder;

const PROBE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_map")
int probe(struct bpf_iter__bpf_map *ctx) { return 0; }
`;

describe('oracle: the real-world corpus expectations still match clang and the live kernel', function () {
  this.timeout(900000);
  let why: string | undefined;
  let work = '';
  let pinRoot = '';

  before(function () {
    why = recorder.whyUnavailable();
    if (!why && corpus.prepare().vmlinuxSource !== 'bpftool') why = 'bpftool cannot dump /sys/kernel/btf/vmlinux';
    if (!why) {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'realworld-oracle-'));
      pinRoot = `/sys/fs/bpf/realworld_oracle_${process.pid}`;
      fs.mkdirSync(pinRoot);
      fs.writeFileSync(path.join(work, 'probe.bpf.c'), PROBE);
      const cc = spawnSync('clang', ['-target', 'bpf', '-O2', '-g', '-I', corpus.sharedDir, '-c', path.join(work, 'probe.bpf.c'), '-o', path.join(work, 'probe.bpf.o')], { encoding: 'utf8' });
      const pin = cc.status === 0 ? spawnSync('bpftool', ['iter', 'pin', path.join(work, 'probe.bpf.o'), path.join(pinRoot, 'probe')], { encoding: 'utf8' }) : cc;
      if (pin.status !== 0) why = `an iter/bpf_map program cannot be compiled or pinned here (${(pin.stderr || '').trim().split('\n').pop()})`;
      fs.rmSync(path.join(pinRoot, 'probe'), { force: true });
    }
    if (why) { console.log(`      skipped: ${why}`); this.skip(); }
  });

  after(function () {
    if (pinRoot) fs.rmSync(pinRoot, { recursive: true, force: true });
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  for (const project of corpus.listProjects()) {
    const recorded = corpus.readExpect(project);
    for (const program of project.programs) {
      it(`${project.name}/${program.rel}: clang and the kernel say what expect.json says`, function () {
        if (why) this.skip();
        const expected = recorded?.programs[program.rel];
        assert.ok(expected, 'no expectation recorded: run node scripts/record-realworld.js');
        const live = recorder.recordProgram(project, program, work, pinRoot);
        assert.deepStrictEqual(live.clang, expected!.clang);
        assert.deepStrictEqual(live.kernel, expected!.kernel);
        assert.strictEqual(live.output, expected!.output);
        if (live.kernel.derived) console.log('        (derived: this machine refuses iter/bpf_map_elem loads with EPERM)');
      });
    }
  }
});
