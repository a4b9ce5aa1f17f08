/**
 * The front end on real headers: iterator programs including this machine's vmlinux.h (regenerated with
 * bpftool) and libbpf's headers from /usr/include/bpf are preprocessed by `clang -E -P` (isolating parser and
 * sema from our preprocessor), then must give no errors exactly where `clang -fsyntax-only` gives none, and the
 * same "no member named" / "use of undeclared identifier" messages where it fails.
 */
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileFile, compileTokens } from '../../server/src/lang/compile';
import { nodeFileSystemHost } from '../../server/src/lang/headers';
import { lex } from '../unit/lang/parser-lexer.test';

const PROGRAMS = path.resolve(__dirname, '../../../test/fixtures/c/programs');
const CLANG_FLAGS = ['-target', 'bpf', '-D__TARGET_ARCH_x86', '-w'];

describe('oracle: real vmlinux.h + libbpf headers through parser and sema', function () {
  let directory = '';
  before(function () {
    try { execFileSync('clang', ['--version'], { stdio: 'ignore' }); execFileSync('bpftool', ['version'], { stdio: 'ignore' }); } catch { console.log('      skipped: clang or bpftool not installed'); this.skip(); }
    if (!fs.existsSync('/sys/kernel/btf/vmlinux') || !fs.existsSync('/usr/include/bpf/bpf_helpers.h')) { console.log('      skipped: no kernel BTF or libbpf headers'); this.skip(); }
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-headers-'));
    fs.writeFileSync(path.join(directory, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 256 << 20 }));
  });
  after(() => { if (directory) fs.rmSync(directory, { recursive: true, force: true }); });

  function compileWithClangPreprocessor(name: string, source: string): { clangErrors: string[]; ours: ReturnType<typeof compileTokens> } {
    const file = path.join(directory, name);
    fs.writeFileSync(file, source);
    const preprocessed = execFileSync('clang', [...CLANG_FLAGS, '-E', '-P', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const clang = spawnSync('clang', [...CLANG_FLAGS, '-fsyntax-only', file], { encoding: 'utf8' });
    const clangErrors = clang.stderr.split('\n').map((line) => /error: (.*)$/.exec(line)?.[1]).filter((m): m is string => !!m);
    return { clangErrors, ours: compileTokens(lex(preprocessed)) };
  }

  for (const name of fs.existsSync(PROGRAMS) ? fs.readdirSync(PROGRAMS).filter((n) => n.endsWith('.c')).sort() : []) {
    it(`accepts ${name} like clang and summarises its maps, sections and license`, () => {
      const { clangErrors, ours } = compileWithClangPreprocessor(name, fs.readFileSync(path.join(PROGRAMS, name), 'utf8'));
      assert.deepStrictEqual(clangErrors, []);
      assert.deepStrictEqual(ours.diagnostics.filter((d) => d.category === 'error').map((d) => d.message), []);
      const program = ours.program;
      assert.ok(program.license && program.license.includes('GPL'));
      assert.ok(program.functions.some((f) => f.section?.startsWith('iter/')));
      for (const map of program.maps) assert.ok(map.type !== undefined && map.maxEntries !== undefined && map.keySize && map.valueSize, map.name);
    });
  }

  it('decodes the .maps definition exactly as libbpf would', () => {
    const source = fs.readFileSync(path.join(PROGRAMS, 'iter_elem_full_headers.bpf.c'), 'utf8');
    const { ours } = compileWithClangPreprocessor('elem.c', source);
    const map = ours.program.maps.find((m) => m.name === 'per_cpu')!;
    // BPF_MAP_TYPE_PERCPU_HASH = 5, BPF_F_NO_PREALLOC = 1, struct key_t = 20 bytes.
    assert.deepStrictEqual([map.type, map.maxEntries, map.keySize, map.valueSize, map.mapFlags], [5, 64, 20, 8, 1]);
  });

  it('reports the same errors as clang for typos in member and variable names', () => {
    const source = fs.readFileSync(path.join(PROGRAMS, 'iter_map_full_headers.bpf.c'), 'utf8')
      .replace('map->name,', 'map->nmae,')
      .replace('id = BPF_CORE_READ(map, id);', 'id = BPF_CORE_READ(map, id) + undefined_counter;');
    const { clangErrors, ours } = compileWithClangPreprocessor('typo.c', source);
    const our = ours.diagnostics.filter((d) => d.category === 'error').map((d) => d.message);
    assert.deepStrictEqual(our.sort(), clangErrors.sort());
    assert.strictEqual(our.length, 2);
  });

  it('reports redefinitions of what the included headers define with clang\'s messages and notes (through the preamble)', () => {
    const source = [
      '#include "vmlinux.h"',
      '#include <bpf/bpf_helpers.h>',
      'struct bpf_iter_meta { int x; };',
      'union bpf_attr { int y; };',
      'enum bpf_map_type { FOO };',
      'enum { BPF_ANY = 5 };',
      'typedef int u32;',
      'typedef unsigned long long __u64;',
      'typedef __u32 u32_again;',
      'typedef __u32 u32_again;',
      'struct bpf_map;',
      'void *bpf_map_lookup_elem;',
      'int bpf_map_update_elem = 3;',
      'int BPF_MAP_TYPE_HASH;',
      'static int pid_t_twice(int pid_t) { return pid_t * 2; }',
      'char LICENSE[] SEC("license") = "GPL";',
      '',
    ].join('\n');
    const file = path.join(directory, 'redefinitions.bpf.c');
    fs.writeFileSync(file, source);
    const clang = spawnSync('clang', [...CLANG_FLAGS, '-I', directory, '-fsyntax-only', file], { encoding: 'utf8' });
    const clangLines = clang.stderr.split('\n');
    const clangErrors: string[] = [];
    clangLines.forEach((line, index) => {
      const error = /^[^:]*redefinitions\.bpf\.c:(\d+):\d+: error: (.*)$/.exec(line);
      if (!error) return;
      const note = /^(.*):(\d+):\d+: note: (.*)$/.exec(clangLines.slice(index + 1).find((l) => /: (note|error): /.test(l)) ?? '');
      clangErrors.push(`${error[1]}: ${error[2]}` + (note ? ` [${path.basename(note[1])}:${note[2]} ${note[3]}]` : ''));
    });
    const compilation = compileFile(file, source, nodeFileSystemHost, { includePaths: [directory] });
    const line = (fileId: number, offset: number) => (compilation.files[fileId] as { text?: string }).text!.slice(0, offset).split('\n').length;
    const ours = compilation.diagnostics.filter((d) => d.category === 'error').map((d) => `${line(d.file, d.pos)}: ${d.message}`
      + (d.related?.[0] ? ` [${path.basename(compilation.files[d.related[0].file].path)}:${line(d.related[0].file, d.related[0].pos)} ${d.related[0].message}]` : ''));
    assert.strictEqual(clangErrors.length, 8);
    assert.deepStrictEqual(ours, clangErrors);
  });
});
