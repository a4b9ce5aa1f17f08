/**
 * `bpf-iter check` in CI and in a terminal (issue 21), through `node bin/bpf-iter.js` as a user runs it: a whole
 * project in one call, the report formats (golden files for text, colour included, and github; SARIF validated
 * against the official 2.1.0 schema vendored in test/vendor/sarif/), the gates (--Werror, --disable/--enable,
 * .bpf-iter.json), exit codes 0/1/2/3, stdin, and pipes closed early.
 */
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { main, Io } from '../../server/src/cli';
import { Diagnostics, DiagnosticMessage, codeString } from '../../server/src/lang/diagnostics';

const repoRoot = path.join(__dirname, '../../..');
const fixtures = path.join(repoRoot, 'test/fixtures/cli-ci');
const bin = path.join(repoRoot, 'bin/bpf-iter.js');

interface Outcome { stdout: string; stderr: string; code: number }

function bpfIter(args: string[], cwd: string, options: { input?: string; env?: Record<string, string> } = {}): Outcome {
  const env = { ...process.env, ...(options.env ?? {}) };
  delete env.NO_COLOR;
  if (options.env?.NO_COLOR !== undefined) env.NO_COLOR = options.env.NO_COLOR;
  const r = cp.spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', input: options.input ?? '', env, maxBuffer: 64 << 20 });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

const golden = (name: string) => fs.readFileSync(path.join(fixtures, 'golden', name), 'utf8');

/** A copy of the fixture project, with the folders a project walk must skip. */
function projectCopy(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-ci-'));
  fs.cpSync(path.join(fixtures, 'project'), root, { recursive: true });
  const broken = '/* must not be checked */\nint broken(\n';
  for (const skipped of ['node_modules/dep', 'build', '.git', 'out']) {
    fs.mkdirSync(path.join(root, skipped), { recursive: true });
    fs.writeFileSync(path.join(root, skipped, 'skipped.bpf.c'), broken);
  }
  return root;
}

describe('CLI for CI: bpf-iter check on a project, formats, gates, exit codes', function () {
  this.timeout(120000);
  let root: string;
  beforeEach(() => { root = projectCopy(); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('no FILE: every *.bpf.c below the current folder (not node_modules, build outputs, .git), in path order; the summary on stderr', () => {
    const out = bpfIter(['check', '--json'], root);
    assert.strictEqual(out.code, 1, out.stderr);
    const report = JSON.parse(out.stdout) as { files: Array<{ file: string; diagnostics: Array<{ code: string }> }> };
    assert.deepStrictEqual(report.files.map((f) => f.file), [path.join('src', 'clean.bpf.c'), path.join('src', 'names.bpf.c')]);
    assert.deepStrictEqual(report.files[1].diagnostics.map((d) => d.code), ['BPF1020', 'BPF2001', 'BPF2002']);
    const text = bpfIter(['check'], root);
    assert.strictEqual(text.stdout, golden('names.text'));
    // not a terminal: no progress line, only the summary
    assert.strictEqual(text.stderr, '2 files, 2 errors, 1 warning\n');
  });

  it('no FILE: a *.c the build setup compiles for BPF (a .clangd or compile_flags.txt with --target=bpf) is checked too, other *.c not', () => {
    fs.mkdirSync(path.join(root, 'bpf/tracer'), { recursive: true });
    fs.mkdirSync(path.join(root, 'tools'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bpf/.clangd'), 'CompileFlags:\n  Add: [--target=bpf, -DSLOTS=4]\n');
    fs.copyFileSync(path.join(root, 'src/clean.bpf.c'), path.join(root, 'bpf/tracer/tracer.c'));
    fs.writeFileSync(path.join(root, 'tools/main.c'), 'int main(void) { return 0; }\n');
    const out = bpfIter(['check', '--json'], root);
    const report = JSON.parse(out.stdout) as { files: Array<{ file: string }> };
    assert.deepStrictEqual(report.files.map((f) => f.file), [path.join('bpf', 'tracer', 'tracer.c'), path.join('src', 'clean.bpf.c'), path.join('src', 'names.bpf.c')]);
  });

  it('check DIR checks that folder; a single FILE prints no summary (as clang)', () => {
    const outside = bpfIter(['check', path.basename(root)], path.dirname(root));
    assert.strictEqual(outside.code, 1);
    assert.strictEqual(outside.stderr, '2 files, 2 errors, 1 warning\n');
    assert.match(outside.stdout, new RegExp(`^${path.basename(root)}/src/names\\.bpf\\.c:6:9: warning:`));
    const clean = bpfIter(['check', 'src/clean.bpf.c'], root);
    assert.deepStrictEqual(clean, { stdout: '', stderr: '', code: 0 });
  });

  it('compile_commands.json: only the entries that compile for BPF are checked; -p names the folder holding it', () => {
    fs.mkdirSync(path.join(root, 'cmake-out'));
    fs.writeFileSync(path.join(root, 'src/loader.c'), 'int main(void) { return 0; }\n');
    fs.writeFileSync(path.join(root, 'cmake-out/compile_commands.json'), JSON.stringify([
      { directory: root, file: 'src/clean.bpf.c', arguments: ['clang', '--target=bpf', '-O2', '-c', 'src/clean.bpf.c'] },
      { directory: root, file: 'src/loader.c', command: 'cc -O2 -c src/loader.c' },
    ]));
    const out = bpfIter(['check', '--json', '-p', 'cmake-out'], root);
    assert.strictEqual(out.code, 0, out.stderr);
    assert.deepStrictEqual(JSON.parse(out.stdout).files.map((f: { file: string }) => f.file), [path.join('src', 'clean.bpf.c')]);
    // the nearest database, found without -p (here: build/compile_commands.json, as clangd looks for it)
    fs.mkdirSync(path.join(root, 'build'), { recursive: true });
    fs.copyFileSync(path.join(root, 'cmake-out/compile_commands.json'), path.join(root, 'build/compile_commands.json'));
    const found = bpfIter(['check', '--json'], root);
    assert.deepStrictEqual(JSON.parse(found.stdout).files.map((f: { file: string }) => f.file), [path.join('src', 'clean.bpf.c')]);
    const missing = bpfIter(['check', '-p', 'nowhere'], root);
    assert.strictEqual(missing.code, 2);
    assert.match(missing.stderr, /^bpf-iter: -p nowhere: no compile_commands\.json there\n$/);
  });

  it('--format text is clang\'s layout with a caret and tildes; --color=always colours it as clang does, and beats NO_COLOR', () => {
    assert.strictEqual(bpfIter(['check', 'src/names.bpf.c'], root).stdout, golden('names.text'));
    assert.strictEqual(bpfIter(['check', 'src/names.bpf.c', '--color=always'], root).stdout, golden('names.color.text'));
    assert.strictEqual(bpfIter(['check', 'src/names.bpf.c', '--color=always'], root, { env: { NO_COLOR: '1' } }).stdout, golden('names.color.text'));
    assert.strictEqual(bpfIter(['check', 'src/names.bpf.c', '--color=never'], root).stdout, golden('names.text'));
    assert.strictEqual(bpfIter(['check', 'src/names.bpf.c', '--color', 'never'], root).stdout, golden('names.text'));
    assert.strictEqual(bpfIter(['check', '--color', 'src/names.bpf.c'], root).stdout, golden('names.color.text'));
    assert.match(golden('names.color.text'), /\x1b\[0;1;31merror: \x1b\[0m/);
  });

  it('--color=auto colours a terminal unless NO_COLOR is set', async () => {
    const runMain = async (env: Record<string, string>, tty: boolean) => {
      let stdout = '';
      const io: Io = { stdout: (s) => { stdout += s; }, stdoutBytes: () => undefined, stderr: () => undefined, stdoutIsTTY: tty, env };
      await main(['check', path.join(root, 'src/names.bpf.c')], io);
      return stdout;
    };
    assert.match(await runMain({}, true), /\x1b\[/);
    assert.doesNotMatch(await runMain({ NO_COLOR: '1' }, true), /\x1b\[/);
    assert.doesNotMatch(await runMain({}, false), /\x1b\[/);
  });

  it('a progress line on stderr only when stderr is a terminal, cleared before the report', async () => {
    let stderr = '';
    const io: Io = { stdout: () => undefined, stdoutBytes: () => undefined, stderr: (s) => { stderr += s; }, stderrIsTTY: true, env: {} };
    await main(['check', '-j', '1', root], io);
    assert.match(stderr, /\r\x1b\[K\[1\/2\] .*clean\.bpf\.c/);
    assert.match(stderr, /\r\x1b\[K2 files, 2 errors, 1 warning\n$/);
  });

  it('--format github: one workflow command per diagnostic (golden), properties and data escaped', () => {
    const out = bpfIter(['check', 'src/names.bpf.c', '--format', 'github'], root);
    assert.deepStrictEqual([out.code, out.stdout, out.stderr], [1, golden('names.github'), '']);
    fs.writeFileSync(path.join(root, 'src/a,b:c.bpf.c'), '#define X 1\n#define X 2\n');
    const escaped = bpfIter(['check', 'src/a,b:c.bpf.c', '--format=github'], root);
    assert.strictEqual(escaped.stdout, "::warning file=src/a%2Cb%3Ac.bpf.c,line=2,col=9,endLine=2,endColumn=9,title=BPF1020::'X' macro redefined\n");
  });

  it('--format sarif validates against the official SARIF 2.1.0 schema: rules from the diagnostics table, 1-based regions, relative URIs', () => {
    const out = bpfIter(['check', '--format', 'sarif'], root);
    assert.strictEqual(out.code, 1, out.stderr);
    const log = JSON.parse(out.stdout);
    const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/vendor/sarif/sarif-schema-2.1.0.json'), 'utf8'));
    // The schema is draft-04 (`id`, the draft-04 meta-schema); ajv 8 reads its keywords as draft-07 does. Its
    // `format`s (uri, date-time) are checked below by hand, as ajv has no format checker without ajv-formats.
    delete schema.$schema;
    delete schema.id;
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    assert.ok(validate(JSON.parse(out.stdout)), JSON.stringify(validate.errors, null, 2));
    // and the validator can fail: a result without a message is refused
    const broken = JSON.parse(out.stdout);
    delete broken.runs[0].results[0].message;
    assert.ok(!validate(broken));

    const run = log.runs[0];
    assert.strictEqual(log.version, '2.1.0');
    const table = Object.values(Diagnostics) as DiagnosticMessage[];
    assert.strictEqual(run.tool.driver.rules.length, table.length);
    const rule2001 = run.tool.driver.rules.find((r: { id: string }) => r.id === 'BPF2001');
    assert.strictEqual(rule2001.helpUri, 'https://github.com/bpf-iter-lab/bpf-iter-lab/blob/main/docs/diagnostics.md#bpf2001');
    assert.ok(rule2001.shortDescription.text && rule2001.fullDescription.text);
    for (const r of run.tool.driver.rules) assert.ok(fs.readFileSync(path.join(repoRoot, 'docs/diagnostics.md'), 'utf8').includes(`### ${r.id}\n`), r.id);
    assert.ok(new URL(run.originalUriBaseIds['%SRCROOT%'].uri).href.endsWith('/'));
    assert.strictEqual(decodeURIComponent(new URL(run.originalUriBaseIds['%SRCROOT%'].uri).pathname), root + '/');
    assert.deepStrictEqual(run.results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level]),
      [['BPF1020', 'warning'], ['BPF2001', 'error'], ['BPF2002', 'error']]);
    const first = run.results[1];
    assert.deepStrictEqual(first.locations[0].physicalLocation, {
      artifactLocation: { uri: 'src/names.bpf.c', uriBaseId: '%SRCROOT%' },
      region: { startLine: 15, startColumn: 44, endLine: 15, endColumn: 51 },
    });
    assert.strictEqual(run.tool.driver.rules[first.ruleIndex].id, first.ruleId);
    assert.strictEqual(codeString(Diagnostics.ProjectConfigInvalid.code), 'BPF1600');
  });

  it('--Werror fails on warnings; --disable drops codes; --enable brings back one .bpf-iter.json disables', () => {
    fs.writeFileSync(path.join(root, 'src/warn.bpf.c'), '#define X 1\n#define X 2\n');
    assert.strictEqual(bpfIter(['check', 'src/warn.bpf.c'], root).code, 0);
    assert.strictEqual(bpfIter(['check', 'src/warn.bpf.c', '--Werror'], root).code, 1);
    const disabled = bpfIter(['check', 'src/names.bpf.c', '--disable', 'BPF2001,BPF2002', '--Werror'], root);
    assert.strictEqual(disabled.code, 1);
    assert.deepStrictEqual(disabled.stdout.match(/\[BPF\d+\]/g), ['[BPF1020]']);
    assert.deepStrictEqual(bpfIter(['check', 'src/names.bpf.c', '--disable', 'BPF2001', '--disable=BPF2002,BPF1020', '--Werror'], root),
      { stdout: '', stderr: '', code: 0 });

    fs.writeFileSync(path.join(root, '.bpf-iter.json'), JSON.stringify({ disable: ['BPF2001', 'BPF2002'], warningsAsErrors: true }));
    const configured = bpfIter(['check', 'src/names.bpf.c'], root);
    assert.deepStrictEqual([configured.code, configured.stdout.match(/\[BPF\d+\]/g)], [1, ['[BPF1020]']]);
    const enabled = bpfIter(['check', 'src/names.bpf.c', '--enable', 'BPF2002'], root);
    assert.deepStrictEqual(enabled.stdout.match(/\[BPF\d+\]/g), ['[BPF1020]', '[BPF2002]']);
    // found walking up from the file, as compile_flags.txt is
    assert.strictEqual(bpfIter(['check', path.join(root, 'src/warn.bpf.c')], os.tmpdir()).code, 1);
  });

  it('a bad .bpf-iter.json or an unknown code is exit 2 with a message naming the key or code', () => {
    fs.writeFileSync(path.join(root, '.bpf-iter.json'), JSON.stringify({ disabel: ['BPF2001'] }));
    const badKey = bpfIter(['check'], root);
    assert.strictEqual(badKey.code, 2);
    assert.strictEqual(badKey.stderr, `bpf-iter: ${path.join(root, '.bpf-iter.json')}: unknown key "disabel" (known keys: disable, warningsAsErrors, limits)\n`);
    fs.writeFileSync(path.join(root, '.bpf-iter.json'), JSON.stringify({ disable: ['BPF9999'] }));
    assert.match(bpfIter(['check'], root).stderr, /"disable": unknown diagnostic code "BPF9999"/);
    fs.writeFileSync(path.join(root, '.bpf-iter.json'), '{ "warningsAsErrors": "yes" }');
    assert.match(bpfIter(['check'], root).stderr, /"warningsAsErrors" must be true or false/);
    fs.rmSync(path.join(root, '.bpf-iter.json'));
    const badCode = bpfIter(['check', '--disable', 'BPF20O1'], root);
    assert.strictEqual(badCode.code, 2);
    assert.match(badCode.stderr, /^bpf-iter: --disable: unknown diagnostic code "BPF20O1"/);
    assert.strictEqual(bpfIter(['check', '--format', 'xml'], root).code, 2);
  });

  it('an internal error is exit 3: one line naming a crash report that holds the stack, never a bare stack', () => {
    const out = bpfIter(['check', 'src/clean.bpf.c'], root, { env: { BPF_ITER_TEST_INTERNAL_ERROR: '1' } });
    assert.strictEqual(out.code, 3);
    const m = /^bpf-iter: internal error: simulated internal error .*crash report: (\S+)\)\n$/.exec(out.stderr);
    assert.ok(m, out.stderr);
    assert.doesNotMatch(out.stderr, /\n\s+at /);
    const report = fs.readFileSync(m![1], 'utf8');
    assert.match(report, /\n\s+at /);
    assert.match(report, /argv: \["check","src\/clean\.bpf\.c"\]/);
    fs.rmSync(m![1]);
  });

  it('- reads the program from stdin; --stdin-filename names it for the build setup and the report', () => {
    const text = fs.readFileSync(path.join(root, 'src/names.bpf.c'), 'utf8');
    const out = bpfIter(['check', '-', '--stdin-filename', 'src/names.bpf.c'], root, { input: text });
    assert.deepStrictEqual([out.code, out.stdout], [1, golden('names.text')]);
    const unnamed = bpfIter(['check', '-'], root, { input: '#define X 1\n#define X 2\n' });
    assert.match(unnamed.stdout, /^<stdin>:2:9: warning: 'X' macro redefined/);
    const run = bpfIter(['run', '-', '--stdin-filename', 'src/clean.bpf.c'], root, { input: fs.readFileSync(path.join(root, 'src/clean.bpf.c'), 'utf8') });
    assert.strictEqual(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\d+\n/);
  });
});

describe('CLI for CI: what the README\'s CI section promises', function () {
  this.timeout(120000);
  let root: string;
  before(() => {
    root = projectCopy();
    fs.chmodSync(root, 0o755); // mkdtemp makes it 0700: the unprivileged user below must read the project
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  /** The arguments after `bpf-iter.js` of every `run:` step of the README's workflow that calls bpf-iter check. */
  const steps = [...readme.matchAll(/- run: node \S+\/bin\/bpf-iter\.js (check[^\n>|]*?)\s*(?:>\s*(\S+))?(?:\s*\|\|\s*true)?\n/g)]
    .map((m) => ({ args: m[1].trim().split(/\s+/), file: m[2] }));

  it('the workflow\'s two steps run as written: SARIF into a file for upload-sarif, github annotations gating the job', () => {
    assert.deepStrictEqual(steps.map((s) => s.args.join(' ')), ['check --format sarif', 'check --format github --Werror']);
    assert.match(readme, /uses: github\/codeql-action\/upload-sarif@v3\n\s+with: \{ sarif_file: bpf-iter\.sarif/);
    const sarif = bpfIter(steps[0].args, root);
    assert.strictEqual(steps[0].file, 'bpf-iter.sarif');
    assert.strictEqual(JSON.parse(sarif.stdout).runs[0].results.length, 3);
    const github = bpfIter(steps[1].args, root);
    assert.strictEqual(github.code, 1);
    assert.strictEqual(github.stdout, golden('names.github'));
  });

  it('needs no root: the same check as an unprivileged user (nobody) gives the same report', function () {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) this.skip(); // not root: this run is already unprivileged
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
    if (!setpriv) { console.log('      skipped: setpriv is not installed'); this.skip(); }
    let dir = path.dirname(bin);
    for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if ((fs.statSync(dir).mode & 0o005) !== 0o005) { console.log(`      skipped: ${dir} is not readable by nobody`); this.skip(); }
    }
    const r = cp.spawnSync(setpriv!, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, 'check', '--format', 'github'],
      { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    assert.deepStrictEqual([r.status, r.stdout, r.stderr], [1, golden('names.github'), '']);
  });
});

describe('CLI for CI: pipes closed early and big outputs', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-pipe-'));
    // 1000 warnings with long names: a report of 170-280 KB, far more than a pipe buffer (64 KiB)
    let many = '';
    for (let i = 0; i < 1000; i++) {
      const name = `A_LONG_MACRO_NAME_REDEFINED_SO_THAT_THE_REPORT_IS_FAR_BIGGER_THAN_A_PIPE_${i}`;
      many += `#define ${name} 1\n#define ${name} 2\n`;
    }
    fs.writeFileSync(path.join(dir, 'many.bpf.c'), many);
    // 300 lines of ~75 bytes per map (one map's output fits the 32 KiB seq_file buffer): ~600 KB in all
    fs.writeFileSync(path.join(dir, 'big.bpf.c'), `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_map")
int lines(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	int i;

	if (!map)
		return 0;
	for (i = 0; i < 300; i++)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u %d ................................................................\\n", map->id, i);
	return 0;
}
`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** `bpf-iter ARGS | head -c 100`: what head got, bpf-iter's exit status and stderr. */
  function intoHead(args: string): { head: string; status: number; stderr: string } {
    const script = `"${process.execPath}" "${bin}" ${args} 2>"${dir}/stderr" | head -c 100; echo " status=\${PIPESTATUS[0]}"`;
    const r = cp.spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' });
    const m = /^([\s\S]*) status=(\d+)\n$/.exec(r.stdout)!;
    return { head: m[1], status: Number(m[2]), stderr: fs.readFileSync(path.join(dir, 'stderr'), 'utf8') };
  }

  for (const format of ['text', 'sarif', 'github']) {
    it(`check --format ${format} | head -c 100 ends quietly with SIGPIPE's status (141), the report being far bigger than a pipe`, () => {
      const full = bpfIter(['check', 'many.bpf.c', '--format', format], dir);
      assert.ok(full.stdout.length > 2 * 65536, `${full.stdout.length} bytes`);
      const r = intoHead(`check many.bpf.c --format ${format}`);
      assert.deepStrictEqual(r, { head: full.stdout.slice(0, 100), status: 141, stderr: '' });
    });
  }

  it('run | head -c 100 ends quietly (141); run > file writes all of a big output as a stream', () => {
    const r = intoHead('run big.bpf.c');
    assert.strictEqual(r.stderr, '');
    assert.strictEqual(r.status, 141);
    const redirected = cp.spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" run big.bpf.c > out.txt`], { cwd: dir, encoding: 'utf8' });
    assert.strictEqual(redirected.status, 0, redirected.stderr);
    const written = fs.readFileSync(path.join(dir, 'out.txt'), 'utf8');
    const json = JSON.parse(bpfIter(['run', 'big.bpf.c', '--json'], dir).stdout);
    assert.ok(written.length > 4 * 65536, `${written.length} bytes`);
    assert.strictEqual(written, json.output);
    assert.strictEqual(r.head, written.slice(0, 100));
    assert.strictEqual(json.stats.bytes, written.length);
  });
});
