/**
 * The build setup against the real clangd on this machine: for projects with `.clangd` files, response files and
 * build files in several places, the command clangd would compile each file with (`clangd --check=FILE` logs it
 * after the config's edits, and its cc1 line the folder it runs in) gives the same flags as ours (lang/headers.ts
 * findCompileFlags, lang/clangdConfig.ts). Skips with one line when clangd is missing.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findCompileFlags, parseCompileArguments, CompileFlags } from '../../server/src/lang/headers';
import { createNodeHost } from '../../server/src/service/host';

const haveClangd = spawnSync('clangd', ['--version'], { encoding: 'utf8' }).status === 0;

/** The arguments clangd compiles `file` with (without the compiler, clangd's -resource-dir and the file) and the folder. */
function clangdCommand(file: string): { args: string[]; directory: string } {
  // no user configuration (~/.config/clangd/config.yaml): only the project's .clangd files count
  const log = spawnSync('clangd', [`--check=${file}`], { encoding: 'utf8', cwd: path.dirname(file), env: { ...process.env, XDG_CONFIG_HOME: path.dirname(file) } }).stderr;
  const command = /(?:Compile command from \S+ is|Generic fallback command is): (.*)$/m.exec(log)?.[1];
  const directory = /-fcoverage-compilation-dir=(\S+)/.exec(log)?.[1] ?? /-fdebug-compilation-dir=(\S+)/.exec(log)?.[1];
  assert.ok(command && directory, `clangd --check printed no command for ${file}:\n${log}`);
  const words = command.split(' ');
  const end = words.indexOf('--');
  return { args: words.slice(1, end < 0 ? undefined : end).filter((w) => !w.startsWith('-resource-dir=')), directory };
}

/** What the preprocessor reads of a set of flags. */
function readFlags(flags: CompileFlags | undefined): unknown {
  if (!flags) return undefined;
  const { quoteIncludePaths, includePaths, systemIncludePaths, afterIncludePaths, defines, undefines, target, std } = flags;
  return { quoteIncludePaths, includePaths, systemIncludePaths, afterIncludePaths, defines, undefines, target, std };
}

/** Writes `files` under a new folder; returns it. */
function project(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-clangd-')));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text.replaceAll('$ROOT', root));
  }
  return root;
}

describe('oracle: the compile command of .clangd files and build files equals clangd\'s (clangd --check)', function () {
  this.timeout(120000);
  before(function () {
    if (!haveClangd) { console.log('      (skipped: clangd is not installed)'); this.skip(); }
  });

  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['a nearer .clangd edits compile_flags.txt: Remove (flag with its value, long spellings, a `*` prefix) before Add', {
      'compile_flags.txt': '-Iinclude\n-DDEBUG=1\n-DLEVEL=1\n-isystem\n/opt/old\n--include-directory=legacy\n-Wall\n-std=gnu11\n',
      '.clangd': 'CompileFlags:\n  Remove: [-isystem, -I, "-W*"]\n  Add: [-Ishared, -DLEVEL=2, --target=bpf]\n',
      'src/.clangd': 'CompileFlags:\n  Remove: -DDEBUG=1\n  Add: -DLEVEL=3\n',
      'src/a.bpf.c': '',
    }, ['src/a.bpf.c']],
    ['no build file: the fallback command in the file\'s folder, so -I. is that folder', {
      'bpf/.clangd': 'CompileFlags:\n  Add:\n    - -std=gnu17\n    - --target=bpf\n    - -I.\n    - -D__TARGET_ARCH_x86\n',
      'bpf/gotracer/go.c': '',
    }, ['bpf/gotracer/go.c']],
    ['If PathMatch / PathExclude choose fragments; CompilationDatabase names the folder of the build file', {
      'compile_flags.txt': '-DNEAR\n',
      'out/compile_flags.txt': '-DFROM_OUT\n',
      '.clangd': 'CompileFlags:\n  CompilationDatabase: out\n---\nIf:\n  PathMatch: bpf/.*\\.c\nCompileFlags:\n  Add: [-DIN_BPF, -I.]\n---\nIf:\n  PathExclude: bpf/sub/.*\nCompileFlags:\n  Add: -DNOT_SUB\n',
      'bpf/a.c': '', 'bpf/sub/b.c': '', 'tools/c.c': '',
    }, ['bpf/a.c', 'bpf/sub/b.c', 'tools/c.c']],
    ['CompilationDatabase: None drops the build file', {
      'compile_flags.txt': '-DNEAR\n',
      '.clangd': 'CompileFlags:\n  CompilationDatabase: None\n  Add: -DONLY_CLANGD\n',
      'a.c': '',
    }, ['a.c']],
    ['compile_commands.json with a response file (nested), edited by a .clangd', {
      'build/compile_commands.json': JSON.stringify([{ directory: '$ROOT/build', file: '../src/p.bpf.c', arguments: ['clang', '--target=bpf', '@CMakeFiles/p.dir/includes_C.rsp', '-c', '../src/p.bpf.c'] }]),
      'build/CMakeFiles/p.dir/includes_C.rsp': '-I../include @CMakeFiles/p.dir/defines.rsp\n',
      'build/CMakeFiles/p.dir/defines.rsp': '-DFROM_RSP=1 -isystem /opt/libbpf/include\n',
      '.clangd': 'CompileFlags:\n  Add: -DFROM_CLANGD\n',
      'src/p.bpf.c': '',
    }, ['src/p.bpf.c']],
    ['which build file: compile_commands.json, then build/compile_commands.json, then compile_flags.txt in a folder; the nearest folder first', {
      'compile_flags.txt': '-DROOT_FLAGS\n',
      'build/compile_commands.json': JSON.stringify([{ directory: '$ROOT', file: 'one/a.c', arguments: ['clang', '-DROOT_BUILD_DB', '-c', 'one/a.c'] }]),
      'one/a.c': '',
      'two/compile_flags.txt': '-DTWO_FLAGS\n',
      'two/build/compile_commands.json': JSON.stringify([{ directory: '$ROOT/two', file: 'b.c', arguments: ['clang', '-DTWO_BUILD_DB', '-c', 'b.c'] }]),
      'two/compile_commands.json': JSON.stringify([{ directory: '$ROOT/two', file: 'b.c', arguments: ['clang', '-DTWO_DB', '-c', 'b.c'] }]),
      'two/b.c': '',
      'three/compile_flags.txt': '-DTHREE_FLAGS\n',
      'three/build/compile_commands.json': JSON.stringify([{ directory: '$ROOT/three', file: 'c.c', arguments: ['clang', '-DTHREE_BUILD_DB', '-c', 'c.c'] }]),
      'three/c.c': '',
      'four/deeper/d.c': '',
    }, ['one/a.c', 'two/b.c', 'three/c.c', 'four/deeper/d.c']],
  ];

  it('a file without an entry borrows the entry clang\'s interpolation picks (stems, directory names, paths above, common prefix, language)', () => {
    const entries: Array<[string, string]> = [
      ['a/b/c/d/e/x.bpf.c', '-DX'], ['a/b/q/y.bpf.c', '-DY'], ['other/z.c', '-DZ'], ['a/b/c/d/e2/w.cc', '-DW'], ['src/net/flow.bpf.c', '-DFLOW'], ['src/a.bpf.c', '-DA'],
    ];
    const queries = ['a/b/c/d/e/new.c', 'a/b/c/d/f/new.c', 'a/b/q/r/s/t/new.c', 'other/deep/deeper/z2.c', 'a/b/c/d/e2/v.cc', 'nothing.c', 'src/new.bpf.c',
      'src/flow.bpf.c', 'x/y.bpf.c', 'a/b/c/d/e2/x.c', 'z/z/z/z/z/w.cc'];
    const root = project(Object.fromEntries([...entries.map(([f]) => [f, '']), ...queries.map((q) => [q, ''])]));
    try {
      fs.writeFileSync(path.join(root, 'compile_commands.json'), JSON.stringify(entries.map(([file, define]) => ({ directory: root, file, arguments: ['clang', define, '-c', file] }))));
      for (const name of queries) {
        const file = path.join(root, name);
        const theirs = clangdCommand(file);
        const clangdFlags = parseCompileArguments(theirs.args.filter((a) => a !== '-c' && !a.startsWith('-x')), theirs.directory);
        assert.deepStrictEqual(findCompileFlags(file, createNodeHost())?.defines, clangdFlags.defines, `${name}: clangd borrows ${theirs.args.join(' ')}`);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  for (const [title, files, checked] of cases) {
    it(title, () => {
      const root = project(files);
      try {
        for (const name of checked) {
          const file = path.join(root, name);
          const theirs = clangdCommand(file);
          // the compile command itself, where one is printed, has -c and the file: clangd's -- separates it
          const clangdFlags = parseCompileArguments(theirs.args.filter((a) => a !== '-c'), theirs.directory);
          assert.deepStrictEqual(readFlags(findCompileFlags(file, createNodeHost())), readFlags(clangdFlags), `${name}: clangd compiles it with ${theirs.args.join(' ')} in ${theirs.directory}`);
        }
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
