import * as assert from 'assert';
import {
  CliVerdict, CorpusProgram, CorpusProject, ProgramExpectation, cliVerdict, corpus, describeOurs, inPool, kernelAccepts,
  knownDisagreements,
} from './realworldHarness';

/**
 * The real-world corpus (test/realworld/, see its README): every project as its user would check and run it,
 * `bpf-iter check FILE` and `bpf-iter run FILE` from the project's root with no extra flags, compared with what
 * clang and the real kernel said (expect.json, written by scripts/record-realworld.js). Prints the agreement as
 * counts and fails on every disagreement not listed in known-disagreements.json, above all on a false positive:
 * an error where clang compiles the program and the kernel loads it.
 */
describe('realworld corpus: bpf-iter check/run on each project vs clang and the real kernel', function () {
  this.timeout(900000);
  const projects = corpus.listProjects();
  const known = knownDisagreements();
  const entries: { key: string; project: CorpusProject; program: CorpusProgram; expect?: ProgramExpectation }[] = [];
  for (const project of projects) {
    const recorded = corpus.readExpect(project);
    for (const program of project.programs) {
      entries.push({ key: `${project.name}/${program.rel}`, project, program, expect: recorded?.programs[program.rel] });
    }
  }
  const ours = new Map<string, CliVerdict>();
  let vmlinuxSource = '';

  before(async function () {
    vmlinuxSource = corpus.prepare().vmlinuxSource;
    await inPool(entries.map((e) => async () => { ours.set(e.key, await cliVerdict(e.project, e.program)); }), 4);
  });

  function outputOf(v: CliVerdict): string {
    return corpus.normaliseIds(v.run ? v.run.stdout.toString('latin1') : '');
  }

  after(function () {
    if (!ours.size) return;
    let verdicts = 0, verdictAgree = 0, outputs = 0, outputAgree = 0, falsePositives = 0;
    const lines: string[] = [];
    for (const e of entries) {
      const v = ours.get(e.key);
      if (!v || !e.expect) continue;
      const real = kernelAccepts(e.expect);
      if (real === undefined) continue;
      verdicts++;
      if (real === v.accepts) verdictAgree++;
      else {
        if (real) falsePositives++;
        lines.push(`${e.key}: ${real ? 'FALSE POSITIVE' : 'missed error'}: kernel ${real ? 'loads' : `rejects (${e.expect.clang.compiles ? `${e.expect.kernel.errno}: ${e.expect.kernel.message}` : `clang: ${e.expect.clang.error}`})`}; ours: ${describeOurs(v)}`);
      }
      if (real && e.expect.output !== undefined) {
        outputs++;
        if (v.accepts && outputOf(v) === e.expect.output) outputAgree++;
        else if (v.accepts) lines.push(`${e.key}: output differs${e.expect.kernel.derived ? ' (derived expectation)' : ''}`);
      }
    }
    console.log(`      realworld: ${verdictAgree}/${verdicts} verdicts agree, ${outputAgree}/${outputs} outputs agree, ${falsePositives} false positives (vmlinux.h: ${vmlinuxSource})`);
    for (const l of lines) console.log(`        ${l}`);
  });

  it('has at least 40 projects, with programs the kernel rejects and iter/bpf_map_elem programs', () => {
    const rejected = entries.filter((e) => e.expect && kernelAccepts(e.expect) === false).length;
    const elem = entries.filter((e) => e.program.target === 'bpf_map_elem').length;
    assert.ok(projects.length >= 40, `${projects.length} projects`);
    assert.ok(rejected >= 10, `${rejected} rejected programs`);
    assert.ok(elem >= 5, `${elem} iter/bpf_map_elem programs`);
  });

  it('has an expectation for every program and names only real programs in known-disagreements.json', () => {
    const missing = entries.filter((e) => !e.expect).map((e) => e.key);
    assert.deepStrictEqual(missing, [], 'run node scripts/record-realworld.js for these');
    const keys = new Set(entries.map((e) => e.key));
    assert.deepStrictEqual(Object.keys(known).filter((k) => !keys.has(k)), []);
  });

  for (const e of entries) {
    const derived = e.expect?.kernel.derived ? ' (derived)' : '';
    const real = e.expect ? kernelAccepts(e.expect) : undefined;
    it(`${e.key}: ${real === undefined ? 'verdict unknown' : real ? 'accepted, as clang and the kernel accept it' : 'rejected, as ' + (e.expect!.clang.compiles ? 'the kernel' : 'clang') + ' rejects it'}${derived}`, function () {
      const v = ours.get(e.key);
      if (real === undefined || !v) this.skip();
      const agree = v!.accepts === real;
      const reason = known[e.key]?.verdict;
      if (reason) {
        assert.ok(!agree, `${e.key} agrees with the kernel now: remove its "verdict" entry from test/realworld/known-disagreements.json`);
        console.log(`        known disagreement: ${reason}`);
        this.skip();
      }
      assert.ok(agree, `${real ? 'FALSE POSITIVE: clang compiles and the kernel loads this program' : 'missed error: the real toolchain rejects this program'}; ours: ${describeOurs(v!)}` +
        (real ? '' : `; real: ${e.expect!.clang.compiles ? `${e.expect!.kernel.errno} ${e.expect!.kernel.message}` : e.expect!.clang.error}`));
    });
    if (real && e.expect!.output !== undefined) {
      it(`${e.key}: run prints what cat of the pinned iterator printed${derived}`, function () {
        const v = ours.get(e.key);
        if (!v) this.skip();
        const verdictReason = known[e.key]?.verdict;
        if (!v!.accepts && verdictReason) { console.log(`        known disagreement (verdict): ${verdictReason}`); this.skip(); }
        const agree = v!.accepts && outputOf(v!) === e.expect!.output;
        const reason = known[e.key]?.output;
        if (reason) {
          assert.ok(!agree, `${e.key} prints the kernel's output now: remove its "output" entry from test/realworld/known-disagreements.json`);
          console.log(`        known disagreement: ${reason}`);
          this.skip();
        }
        assert.ok(v!.accepts, `not run: ${describeOurs(v!)}`);
        assert.strictEqual(outputOf(v!), e.expect!.output);
      });
    }
  }
});
