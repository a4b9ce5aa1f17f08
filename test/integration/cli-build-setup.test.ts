/**
 * `bpf-iter check|run` on a project laid out as users lay them out: sources in src/, vmlinux.h and the project's
 * own header in headers/, the build setup in compile_flags.txt at the root or in build/compile_commands.json.
 * The CLI must read the build setup as the editor does: a false "file not found" here is the defect.
 */
import * as assert from 'assert';
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repoRoot = path.join(__dirname, '../../..');

const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "show_limits.h"

char LICENSE[] SEC("license") = "GPL";
__u64 maps_seen = 0;

SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	maps_seen++;
	if (maps_seen <= SHOW_AT_MOST)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", map->id);
	return 0;
}
`;

function bpfIter(args: string[], cwd: string): { stdout: string; stderr: string; code: number } {
  const r = cp.spawnSync(process.execPath, [path.join(repoRoot, 'bin/bpf-iter.js'), ...args], { cwd, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

describe('CLI reads the build setup (compile_flags.txt, build/compile_commands.json)', function () {
  this.timeout(60000);
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-project-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.mkdirSync(path.join(root, 'headers'));
    fs.copyFileSync(path.join(repoRoot, 'server/headers/vmlinux.h'), path.join(root, 'headers/vmlinux.h'));
    fs.writeFileSync(path.join(root, 'headers/show_limits.h'), '#define SHOW_AT_MOST 2\n');
    fs.writeFileSync(path.join(root, 'src/list-maps.bpf.c'), PROGRAM);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const diagnosticsOf = (out: { stdout: string }) => (JSON.parse(out.stdout) as { files: Array<{ diagnostics: Array<{ message: string }> }> }).files[0].diagnostics;

  it('without a build file, headers/show_limits.h is not found and the error says where it looked and what to create', () => {
    const out = bpfIter(['check', '--json', 'src/list-maps.bpf.c'], root);
    assert.strictEqual(out.code, 1, out.stderr);
    const messages = diagnosticsOf(out).map((d) => d.message);
    assert.ok(messages.some((m) => m.startsWith("'show_limits.h' file not found; looked in ") && m.includes(path.join(root, 'src'))
      && /create compile_flags\.txt at the project root with a line -I<folder holding it>/.test(m)), JSON.stringify(messages));
  });

  it('compile_flags.txt at the root (-Iheaders): check is clean and run prints at most SHOW_AT_MOST map ids', () => {
    fs.writeFileSync(path.join(root, 'compile_flags.txt'), '-Iheaders\n-D__TARGET_ARCH_x86\n');
    const check = bpfIter(['check', '--json', 'src/list-maps.bpf.c'], root);
    assert.deepStrictEqual([check.code, diagnosticsOf(check)], [0, []], check.stdout);
    const run = bpfIter(['run', 'src/list-maps.bpf.c'], root);
    assert.strictEqual(run.code, 0, run.stderr);
    assert.strictEqual(run.stdout.trim().split('\n').length, 2, run.stdout);
  });

  it('build/compile_commands.json with `directory` and a relative -I: the same', () => {
    fs.mkdirSync(path.join(root, 'build'));
    fs.writeFileSync(path.join(root, 'build/compile_commands.json'), JSON.stringify([{
      directory: path.join(root, 'build'), file: '../src/list-maps.bpf.c',
      command: 'clang -target bpf -O2 -g -I../headers -c ../src/list-maps.bpf.c -o list-maps.bpf.o',
    }]));
    const check = bpfIter(['check', '--json', 'src/list-maps.bpf.c'], root);
    assert.deepStrictEqual([check.code, diagnosticsOf(check)], [0, []], check.stdout);
  });

  it('-I on the command line adds to the build setup and comes first', () => {
    fs.writeFileSync(path.join(root, 'compile_flags.txt'), '-Iheaders\n');
    fs.mkdirSync(path.join(root, 'mine'));
    fs.writeFileSync(path.join(root, 'mine/show_limits.h'), '#define SHOW_AT_MOST 0\n');
    const run = bpfIter(['run', '-I', 'mine', 'src/list-maps.bpf.c'], root);
    assert.deepStrictEqual([run.code, run.stdout], [0, ''], run.stderr);
  });
});
