import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unifiedDiff } from '../../../server/src/cli/unifiedDiff';
import { compareKernelMain } from '../../../server/src/cli/compareKernel';
import { clangArguments } from '../../../server/src/realHost/kernelRun';
import { buildSetupForFile } from '../../../server/src/lang/buildSetup';
import { createNodeHost } from '../../../server/src/service/host';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stdoutBytes: (b: Uint8Array) => out.push(Buffer.from(b).toString('latin1')), stderr: (s: string) => err.push(s) } };
}

describe('run --kernel (any machine)', () => {
  it('unifiedDiff: diff -u hunks, deletions before additions, nothing for equal texts', () => {
    assert.strictEqual(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y'), '');
    assert.strictEqual(unifiedDiff('1\n2\n3\n4\n5\n6\n7\n8\n9\n', '1\n2\n3\n4\nfive\n6\n7\n8\n9\n', 'simulated', 'kernel'),
      '--- simulated\n+++ kernel\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
    assert.strictEqual(unifiedDiff('', 'a\n', 's', 'k'), '--- s\n+++ k\n@@ -0,0 +1,1 @@\n+a\n');
    assert.strictEqual(unifiedDiff('a', 'a\n', 's', 'k'), '--- s\n+++ k\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+a\n');
    // two changes far apart are two hunks
    const many = Array.from({ length: 30 }, (_, i) => `l${i}`);
    const changed = many.map((l, i) => (i === 2 || i === 25 ? `${l}!` : l));
    assert.strictEqual((unifiedDiff(many.join('\n') + '\n', changed.join('\n') + '\n', 's', 'k').match(/^@@/gm) ?? []).length, 2);
  });

  it('clang gets the build setup: compile_flags.txt folders and defines, the target arch, the bundled headers last', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-clangargs-'));
    try {
      fs.writeFileSync(path.join(dir, 'compile_flags.txt'), '-Iinclude\n-DMODE=2\n');
      fs.mkdirSync(path.join(dir, 'include'));
      const file = path.join(dir, 'p.bpf.c');
      const args = clangArguments(file, buildSetupForFile(file, createNodeHost()), '/tmp/p.o');
      assert.deepStrictEqual(args.slice(0, 4), ['-g', '-O2', '-target', 'bpf']);
      assert.ok(args.includes('-D__TARGET_ARCH_x86') && args.includes('-DMODE=2'), args.join(' '));
      assert.strictEqual(args[args.indexOf('-I') + 1], path.join(dir, 'include'));
      const bundled = args.lastIndexOf('-idirafter');
      assert.ok(bundled > args.indexOf('-I') && fs.existsSync(path.join(args[bundled + 1], 'vmlinux.h')), args.join(' '));
      assert.deepStrictEqual(args.slice(-4), ['-c', file, '-o', '/tmp/p.o']);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  it('where the host cannot run it, the simulated output is shown, one line says why, exit 3; --json has both sides', async () => {
    const example = path.resolve(__dirname, '../../../../examples/hash_dump.bpf.c');
    const unavailable = () => 'not root';
    const ran: string[] = [];
    const recorder = (command: string) => { ran.push(command); return { status: 1, stdout: '', stderr: '' }; };
    const h = io();
    assert.strictEqual(await compareKernelMain([example, '--kernel'], h.io, { unavailable, run: recorder }), 3);
    assert.ok(h.out.join('').length > 0);
    assert.deepStrictEqual(h.err, ['bpf-iter: kernel: EPERM: the real kernel cannot be asked here: not root\n']);
    assert.deepStrictEqual(ran, [], 'nothing runs on the host');
    const j = io();
    assert.strictEqual(await compareKernelMain([example, '--kernel', '--json'], j.io, { unavailable, run: recorder }), 3);
    const r = JSON.parse(j.out.join(''));
    assert.deepStrictEqual(Object.keys(r), ['simulated', 'kernel', 'identical']);
    assert.strictEqual(r.identical, false);
    assert.strictEqual(r.simulated.error, null);
    assert.strictEqual(r.simulated.output, h.out.join(''));
    assert.deepStrictEqual([r.kernel.output, r.kernel.error.errno, r.kernel.refused], [null, 'EPERM', true]);
  });

  it('what bpftool cannot create goes to our loader; where the loader cannot be built, one line gives both reasons', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-refuse-'));
    const cache = process.env.BPF_ITER_CACHE_DIR;
    process.env.BPF_ITER_CACHE_DIR = path.join(dir, 'cache'); // no loader built by an earlier run
    try {
      const prog = path.join(dir, 'p.bpf.c');
      fs.copyFileSync(path.resolve(__dirname, '../../../../examples/map_summary.bpf.c'), prog);
      fs.writeFileSync(path.join(dir, 'p.bpfscenario.json'), JSON.stringify({ cpus: 2, maps: [{ name: 'pc', type: 'percpu_array', key_size: 4, value_size: 4, max_entries: 2, entries: [{ key: 0, values: [1, 2] }] }] }));
      const ran: string[][] = [];
      // the program compiles; building the loader (host clang with -lbpf) fails as on a host without libbpf-dev
      const run = (command: string, args: string[]) => {
        ran.push([command, ...args]);
        return args.includes('-lbpf') ? { status: 1, stdout: '', stderr: '/usr/bin/ld: cannot find -lbpf: No such file or directory\nclang: error: linker command failed' } : { status: 0, stdout: '', stderr: '' };
      };
      const h = io();
      assert.strictEqual(await compareKernelMain([prog, '--kernel'], h.io, { unavailable: () => null, run }), 3);
      assert.match(h.err.join(''), /^bpf-iter: kernel: ENOTSUP: the real kernel run cannot reproduce this: the scenario map pc gives CPUs different per-CPU values.*, and bpf-iter's loader cannot be built here: building it with clang and -lbpf fails \(clang: error: linker command failed\)/);
      assert.deepStrictEqual(ran.map((r) => r[0]), ['clang', 'clang'], 'the program, then the loader; no bpftool');
      assert.ok(ran[1].some((a) => a.endsWith(path.join('loader', 'bpf-iter-loader.c'))), ran[1].join(' '));
    } finally {
      if (cache === undefined) delete process.env.BPF_ITER_CACHE_DIR; else process.env.BPF_ITER_CACHE_DIR = cache;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2', async () => {
    assert.strictEqual(await compareKernelMain(['--kernel'], io().io), 2);
    assert.strictEqual(await compareKernelMain(['a.c', '--kernel', '--bogus'], io().io), 2);
  });
});
