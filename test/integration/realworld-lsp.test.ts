import * as assert from 'assert';
import * as fs from 'fs';
import { TestLspClient } from './lspClient';
import { URI } from '../../server/src/service/uri';
import { CorpusProgram, CorpusProject, JsonDiagnostic, bpfIter, corpus, inPool, knownDisagreements } from './realworldHarness';

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
    await inPool(entries.map((e) => async () => {
      const check = await bpfIter(['check', '--json', e.program.rel], e.project.dir);
      const parsed = JSON.parse(check.stdout.toString('utf8')) as { files: { diagnostics: JsonDiagnostic[] }[] };
      fromCli.set(e.key, parsed.files[0]?.diagnostics ?? []);
    }), 4);
    client = await TestLspClient.start();
  });

  after(async function () {
    if (client) await client.stop();
  });

  for (const e of entries) {
    it(`${e.key}: same diagnostics over LSP as from bpf-iter check`, async function () {
      const uri = URI.fromPath(e.program.file);
      await client!.open(uri, fs.readFileSync(e.program.file, 'utf8'), 1);
      const published = await client!.waitForDiagnostics((p) => p.uri === uri && p.version === 1, 120000);
      const overLsp = published.diagnostics.map((d) => ({
        severity: SEVERITY_NAMES[d.severity ?? 1], code: String(d.code), message: typeof d.message === 'string' ? d.message : d.message.value, range: d.range,
      }));
      const agree = JSON.stringify(comparable(overLsp)) === JSON.stringify(comparable(fromCli.get(e.key)!));
      const reason = known[e.key]?.lsp;
      if (reason) {
        assert.ok(!agree, `${e.key}: LSP and CLI agree now: remove its "lsp" entry from test/realworld/known-disagreements.json`);
        console.log(`        known disagreement: ${reason}`);
        this.skip();
      }
      assert.deepStrictEqual(comparable(overLsp), comparable(fromCli.get(e.key)!));
    });
  }
});
