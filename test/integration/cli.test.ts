/**
 * The CLI end to end: `node bin/bpf-iter.js` as a user runs it, comparing the FULL stdout, stderr and exit code
 * with expected files in test/fixtures/service/cli/ (derived by hand from the examples and their scenarios).
 */
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const repoRoot = path.join(__dirname, '../../..');
const fixtures = path.join(repoRoot, 'test/fixtures/service/cli');

interface Outcome { stdout: string; stderr: string; code: number }

function bpfIter(args: string[]): Outcome {
  const r = cp.spawnSync(process.execPath, [path.join(repoRoot, 'bin/bpf-iter.js'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

function expected(name: string): Outcome {
  const read = (ext: string) => fs.readFileSync(path.join(fixtures, `${name}.${ext}`), 'utf8');
  return { stdout: read('stdout'), stderr: read('stderr'), code: Number(read('code').trim()) };
}

describe('CLI bpf-iter', function () {
  this.timeout(30000);
  const examples = fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.bpf.c')).map((f) => f.replace(/\.bpf\.c$/, ''));

  it('run --json says where the time went: load, check, compile, iterate and output in ms', () => {
    const outcome = bpfIter(['run', '--json', 'examples/hash_dump.bpf.c']);
    assert.strictEqual(outcome.code, 0, outcome.stderr);
    const stats = JSON.parse(outcome.stdout).stats as { timeMs: number; timings: Record<string, number> };
    assert.deepStrictEqual(Object.keys(stats.timings).sort(), ['check', 'compile', 'iterate', 'iterateCpu', 'load', 'output']);
    for (const [phase, ms] of Object.entries(stats.timings)) assert.ok(Number.isFinite(ms) && ms >= 0, `${phase}: ${ms}`);
    // the front end always takes some time; the phases measured inside the run fit in the run's own time
    assert.ok(stats.timings.check > 0);
    assert.ok(stats.timings.compile + stats.timings.iterate + stats.timings.output <= stats.timeMs + 1);
  });

  it('has an expected-output file for every example', () => {
    for (const ex of examples) assert.ok(fs.existsSync(path.join(fixtures, `${ex}.run.stdout`)), `missing expected output for examples/${ex}.bpf.c`);
  });

  for (const ex of examples) {
    it(`run examples/${ex}.bpf.c prints what cat of the pinned iterator prints`, () => {
      assert.deepStrictEqual(bpfIter(['run', `examples/${ex}.bpf.c`]), expected(`${ex}.run`));
    });
    it(`check --json examples/${ex}.bpf.c reports no diagnostics and exits 0`, () => {
      assert.deepStrictEqual(bpfIter(['check', '--json', `examples/${ex}.bpf.c`]), expected(`${ex}.check`));
    });
  }

  it('run on a map whose key is smaller than the program reads fails like bpf_iter_attach_map(): EACCES, exit 1', () => {
    const outcome = bpfIter(['run', 'examples/hash_dump.bpf.c', '--scenario', 'test/fixtures/service/cli/small_key.bpfscenario.json']);
    assert.deepStrictEqual(outcome, expected('eacces.run'));
    assert.match(outcome.stderr, /^bpf-iter: EACCES: /);
  });

  it('check --json on the same scenario reports each too-large key read at its source range and exits 1', () => {
    const outcome = bpfIter(['check', '--json', 'examples/hash_dump.bpf.c', '--scenario', 'test/fixtures/service/cli/small_key.bpfscenario.json']);
    assert.strictEqual(outcome.code, 1);
    const report = JSON.parse(outcome.stdout);
    const diags = report.files[0].diagnostics;
    // key->sport ends at byte 10, key->dport at 12, key->proto at 16 (struct flow_key layout); line 49 of the example.
    assert.deepStrictEqual(diags.map((d: { code: string; range: { start: { line: number; character: number } } }) => [d.code, d.range.start.line, d.range.start.character]),
      [['BPF3001', 48, 9], ['BPF3001', 48, 21], ['BPF3001', 48, 33]]);
    assert.deepStrictEqual(diags.map((d: { message: string }) => /reads (\d+) bytes/.exec(d.message)![1]), ['10', '12', '16']);
  });

  it('run with a scenario value of the wrong form fails with EINVAL at the value, naming its JSON path once', () => {
    const outcome = bpfIter(['run', 'examples/hash_dump.bpf.c', '--scenario', 'test/fixtures/service/cli/bad_value.bpfscenario.json']);
    // line 4, column 68 is the "value" member; the file is named once, by its location
    assert.deepStrictEqual(outcome, { stdout: '', code: 1,
      stderr: 'bpf-iter: EINVAL: test/fixtures/service/cli/bad_value.bpfscenario.json:4:68: /maps/0/entries/0/value: must be hex bytes ("01 00 00 00") or an integer\n' });
  });

  it('run --max-output stops a run whose output passes the limit with ELIMIT naming the flag, exit 1', () => {
    const outcome = bpfIter(['run', 'examples/map_summary.bpf.c', '--max-output', '64']);
    assert.strictEqual(outcome.code, 1);
    assert.strictEqual(outcome.stderr, 'bpf-iter: ELIMIT: the output passed 64 bytes; the run was stopped (raise the limit with --max-output or the bpfIter.maxOutputBytes setting)\n');
    // What was read before the limit was passed is printed, as cat would have printed it.
    assert.ok(expected('map_summary.run').stdout.startsWith(outcome.stdout) && outcome.stdout.length >= 64);
    assert.deepStrictEqual(bpfIter(['run', 'examples/map_summary.bpf.c', '--max-output=1000000']), expected('map_summary.run'));
    const zero = bpfIter(['run', 'examples/map_summary.bpf.c', '--max-output', '0']);
    assert.strictEqual(zero.code, 2);
    assert.match(zero.stderr, /^bpf-iter: --max-output takes a whole number from 1 to/);
  });

  it('no arguments prints the usage on stderr and exits 2', () => {
    const outcome = bpfIter([]);
    assert.strictEqual(outcome.code, 2);
    assert.strictEqual(outcome.stdout, '');
    assert.match(outcome.stderr, /^usage: bpf-iter check/);
  });

  it('--help prints the usage on stdout and exits 0', () => {
    const outcome = bpfIter(['--help']);
    assert.strictEqual(outcome.code, 0);
    assert.match(outcome.stdout, /^usage: bpf-iter check/);
  });

  for (const args of [['frob'], ['run'], ['run', 'a.bpf.c', 'b.bpf.c'], ['run', 'examples/hash_dump.bpf.c', '--cpus', 'x'], ['check', '--scenario'], ['lsp']]) {
    it(`usage error exits 2 with a reason on stderr: bpf-iter ${args.join(' ')}`, () => {
      const outcome = bpfIter(args);
      assert.strictEqual(outcome.code, 2, outcome.stderr);
      assert.strictEqual(outcome.stdout, '');
      assert.match(outcome.stderr, /^bpf-iter: .+\nusage: bpf-iter check/);
    });
  }

  it('a missing file is an error naming the file, not a stack trace', () => {
    const outcome = bpfIter(['run', 'examples/does_not_exist.bpf.c']);
    assert.notStrictEqual(outcome.code, 0);
    assert.match(outcome.stderr, /does_not_exist\.bpf\.c/);
    assert.doesNotMatch(outcome.stderr, /\n\s+at /);
  });
});

describe('CLI bpf-iter: binary output (bpf_seq_write of records and raw bytes)', function () {
  this.timeout(30000);
  const program = 'test/fixtures/binary/binary_records.bpf.c';
  const runRaw = (args: string[]): { stdout: Buffer; stderr: string; code: number } => {
    const r = cp.spawnSync(process.execPath, [path.join(repoRoot, 'bin/bpf-iter.js'), ...args], { cwd: repoRoot });
    return { stdout: r.stdout, stderr: r.stderr.toString('utf8'), code: r.status ?? -1 };
  };
  /** What the program writes, built here from its source's rules: per map u32 id, u32 max_entries, ff 80 00. */
  const expectedBytes = (maps: Array<{ id: number; max_entries: number }>): Buffer => {
    const records = maps.map((m) => {
      const r = Buffer.alloc(11);
      r.writeUInt32LE(m.id, 0);
      r.writeUInt32LE(m.max_entries, 4);
      r.set([0xff, 0x80, 0x00], 8);
      return r;
    });
    const all = Buffer.from(Uint8Array.from({ length: 256 }, (_, b) => b));
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(0xfeedc0de, 0);
    rec.writeUInt32LE(0x0080ff00, 4);
    rec.writeBigUInt64LE(0x8000ff7f00c0ffeen, 8);
    return Buffer.concat([...records, all, rec]);
  };

  it('run writes every byte value 0x00-0xff and the records with high bytes on stdout unchanged', () => {
    const raw = runRaw(['run', program]);
    assert.strictEqual(raw.code, 0, raw.stderr);
    const json = JSON.parse(runRaw(['run', program, '--json']).stdout.toString('utf8'));
    // the scenario's two maps, in id order, as the simulated kernel numbered them
    assert.deepStrictEqual(json.maps.map((m: { name: string; max_entries: number }) => [m.name, m.max_entries]), [['bin_hash', 33023], ['bin_array', 255]]);
    const expected = expectedBytes(json.maps);
    assert.strictEqual(raw.stdout.length, expected.length);
    assert.ok(raw.stdout.equals(expected), `stdout differs at byte ${raw.stdout.findIndex((b, i) => b !== expected[i])}`);
  });

  it('run --json: output is null and output_base64/output_hex hold the exact bytes, with no replacement character', () => {
    const raw = runRaw(['run', program]).stdout;
    const out = runRaw(['run', program, '--json']);
    assert.strictEqual(out.code, 0, out.stderr);
    const text = out.stdout.toString('utf8');
    assert.ok(!text.includes('\ufffd'), 'the JSON holds U+FFFD');
    const json = JSON.parse(text);
    assert.strictEqual(json.output, null);
    assert.ok(Buffer.from(json.output_base64, 'base64').equals(raw));
    assert.strictEqual(json.output_hex, raw.toString('hex'));
    assert.deepStrictEqual(Object.keys(json).slice(0, 3), ['output', 'output_base64', 'output_hex']);
    assert.strictEqual(json.stats.bytes, raw.length);
  });

  it('run --json on text output keeps the string output and adds no base64/hex', () => {
    const json = JSON.parse(runRaw(['run', 'examples/map_summary.bpf.c', '--json']).stdout.toString('utf8'));
    assert.strictEqual(json.output, expected('map_summary.run').stdout);
    assert.ok(!('output_base64' in json) && !('output_hex' in json));
  });

  it('a reader that closes the pipe early ends the run quietly (EPIPE), as cat does', () => {
    const r = cp.spawnSync('sh', ['-c', `"${process.execPath}" bin/bpf-iter.js run ${program} --json | head -c 10`], { cwd: repoRoot, encoding: 'utf8' });
    assert.strictEqual(r.stdout, '{\n  "outpu');
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
  });
});
