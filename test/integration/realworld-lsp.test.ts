import * as assert from 'assert';
import * as fs from 'fs';
import { TestLspClient } from './lspClient';
import { URI } from '../../server/src/service/uri';
import { CorpusProgram, CorpusProject, JsonDiagnostic, bpfIter, corpus, knownDisagreements, repoRoot } from './realworldHarness';

/**
 * The language server and the CLI must say the same about every program of the real-world corpus: the
 * diagnostics published over LSP for the opened file (severity, code, message, range) equal those of
 * `bpf-iter check --json FILE` run from the project's root. Both find the project's build setup themselves.
 */
const SEVERITY_NAMES: Record<number, string> = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

interface Comparable { severity: string; code: string; message: string; range: JsonDiagnostic['range'] }

function comparable(list: Comparable[]): string[] {
  return list.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${d.code} ${d.message}`).sort();
}

describe('realworld corpus: the language server publishes the CLI\'s diagnostics', function () {
  this.timeout(900000);
  const entries: { key: string; project: CorpusProject; program: CorpusProgram }[] = [];
  for (const project of corpus.listProjects()) for (const program of project.programs) entries.push({ key: `${project.name}/${program.rel}`, project, program });
  const known = knownDisagreements();
  const fromCli = new Map<string, Comparable[]>();
  let client: TestLspClient | undefined;

  before(async function () {
    corpus.prepare();
    /* one `check --json` over every file (its diagnostics do not depend on the working directory: each file's
       build setup is found from the file) keeps this test to one CLI start */
    const check = await bpfIter(['check', '--json', ...entries.map((e) => e.program.file)], repoRoot);
    const parsed = JSON.parse(check.stdout.toString('utf8')) as { files: { diagnostics: JsonDiagnostic[] }[] };
    assert.strictEqual(parsed.files.length, entries.length, check.stderr);
    entries.forEach((e, i) => fromCli.set(e.key, parsed.files[i].diagnostics));
    client = await TestLspClient.start();
  });

  after(async function () {
    if (client) await client.stop();
  });

  for (const e of entries) {
    it(`${e.key}: same diagnostics over LSP as from bpf-iter check`, async function () {
      const uri = URI.fromPath(e.program.file);
      await client!.open(uri, fs.readFileSync(e.program.file, 'utf8'), 1);
      const reason = known[e.key]?.lsp;
      /* a file the server does not take for a BPF program gets no diagnostics at all: wait less for a known one */
      const published = await client!.waitForDiagnostics((p) => p.uri === uri && p.version === 1, reason ? 15000 : 120000).catch(() => undefined);
      const overLsp = published ? comparable(published.diagnostics.map((d) => ({
        severity: SEVERITY_NAMES[d.severity ?? 1], code: String(d.code), message: typeof d.message === 'string' ? d.message : d.message.value, range: d.range,
      }))) : ['(the server published no diagnostics for this file)'];
      const agree = JSON.stringify(overLsp) === JSON.stringify(comparable(fromCli.get(e.key)!));
      if (reason) {
        assert.ok(!agree, `${e.key}: LSP and CLI agree now: remove its "lsp" entry from test/realworld/known-disagreements.json`);
        console.log(`        known disagreement: ${reason}`);
        this.skip();
      }
      assert.deepStrictEqual(overLsp, comparable(fromCli.get(e.key)!));
    });
  }
});
