/**
 * The build setup (lang/buildSetup.ts, lang/headers.ts) on an in-memory file system: which build file applies,
 * which flags are read, and the order clang searches folders in. No test here reads /usr/include: the system
 * folders are injected (see test/oracle/clang-system-includes.test.ts for the real machine).
 */
import * as assert from 'assert';
import { findCompileFlags, parseCompileArguments } from '../../../server/src/lang/headers';
import { createMemoryHost } from '../../../server/src/service/host';
import { preprocess, tokensToText, PreprocessResult, stdcVersionOf } from '../../../server/src/lang/preprocessor';
import { buildSetupForFile, describeSearchFolder, SystemIncludeFolders } from '../../../server/src/lang/buildSetup';
import { libbpfObjectName, internalMapName } from '../../../server/src/lang/objectName';

const SYSTEM: SystemIncludeFolders = {
  searched: [{ path: '/usr/local/include', role: 'local' }, { path: '/clang/include', role: 'compiler' }, { path: '/usr/include', role: 'usr' }],
  unsearched: ['/usr/include/x86_64-linux-gnu'],
};

/** Preprocesses `main` with its build setup; returns the result and the setup. */
function run(files: Record<string, string>, main: string, system: SystemIncludeFolders = SYSTEM, settings = {}) {
  const host = createMemoryHost(files);
  const setup = buildSetupForFile(main, host, settings, system);
  const result = preprocess(main, files[main], host, setup.options);
  return { setup, result, text: tokensToText(result.tokens) };
}

const errors = (r: PreprocessResult) => r.diagnostics.filter((d) => d.category === 'error').map((d) => d.message);

describe('build setup: finding the build file (clangd rules)', () => {
  it('reads -iquote, -idirafter, --include-directory=, -std= and -target besides -I/-isystem/-D/-U/-include', () => {
    const flags = parseCompileArguments(['-iquote', 'q', '-iquoteq2', '-idirafter', '/after', '--include-directory=inc', '-std=gnu11', '-target', 'bpfel', '-UX', '-include', 'pre.h'], '/p');
    assert.deepStrictEqual(flags.quoteIncludePaths, ['/p/q', '/p/q2']);
    assert.deepStrictEqual(flags.afterIncludePaths, ['/after']);
    assert.deepStrictEqual(flags.includePaths, ['/p/inc']);
    assert.strictEqual(flags.std, 'gnu11');
    assert.strictEqual(flags.target, 'bpfel');
    assert.deepStrictEqual(flags.undefines, ['X']);
    assert.deepStrictEqual(flags.forcedIncludes, ['/p/pre.h']);
  });

  it('finds build/compile_commands.json of a parent folder; entries may use `arguments` or `command`, relative folders', () => {
    const host = createMemoryHost({
      '/p/build/compile_commands.json': JSON.stringify([
        { directory: '/p/build', file: '../src/a.bpf.c', arguments: ['clang', '-I../headers', '-DA=1', '-c', '../src/a.bpf.c'] },
        { directory: '..', file: 'src/b.bpf.c', command: 'clang -Iheaders -DB=2 -c src/b.bpf.c' },
      ]),
    });
    const a = findCompileFlags('/p/src/a.bpf.c', host)!;
    assert.strictEqual(a.source, '/p/build/compile_commands.json');
    assert.deepStrictEqual(a.includePaths, ['/p/headers']);
    assert.deepStrictEqual(a.defines, { A: '1' });
    // `directory` relative to the folder holding compile_commands.json (/p/build/.. = /p).
    const b = findCompileFlags('/p/src/b.bpf.c', host)!;
    assert.deepStrictEqual(b.includePaths, ['/p/headers']);
    assert.deepStrictEqual(b.defines, { B: '2' });
    // A file with no entry takes the nearest entry's command.
    const c = findCompileFlags('/p/src/new.bpf.c', host)!;
    assert.ok(c.source === '/p/build/compile_commands.json' && c.includePaths[0] === '/p/headers');
  });

  it('expands `@file` response files in compile_commands.json, nested ones too, relative to the command\'s directory', () => {
    const host = createMemoryHost({
      '/p/build/compile_commands.json': JSON.stringify([
        { directory: '/p/build', file: '../src/a.bpf.c', command: 'clang -target bpf @CMakeFiles/a.dir/includes_C.rsp @missing.rsp -c ../src/a.bpf.c' },
      ]),
      // CMake's layout: the include list in a file beside the target's objects; one more named inside it
      '/p/build/CMakeFiles/a.dir/includes_C.rsp': '-I../include "-I../with space" @CMakeFiles/a.dir/defines.rsp\n',
      '/p/build/CMakeFiles/a.dir/defines.rsp': '-DFROM_RSP=1 -isystem /opt/libbpf/include',
      // a response file naming itself stops (clang reports the recursion and keeps what it expanded)
    });
    const a = findCompileFlags('/p/src/a.bpf.c', host)!;
    assert.deepStrictEqual(a.includePaths, ['/p/include', '/p/with space']);
    assert.deepStrictEqual(a.systemIncludePaths, ['/opt/libbpf/include']);
    assert.deepStrictEqual(a.defines, { FROM_RSP: '1' });
    const looping = createMemoryHost({
      '/q/compile_commands.json': JSON.stringify([{ directory: '/q', file: 'a.bpf.c', arguments: ['clang', '@self.rsp', '-c', 'a.bpf.c'] }]),
      '/q/self.rsp': '-Iinc @self.rsp',
    });
    assert.strictEqual(findCompileFlags('/q/a.bpf.c', looping)!.includePaths[0], '/q/inc');
  });

  it('in one folder compile_commands.json wins over build/compile_commands.json over compile_flags.txt; nearer folders win', () => {
    const files: Record<string, string> = {
      '/p/compile_flags.txt': '-Ifrom_txt\n',
      '/p/build/compile_commands.json': JSON.stringify([{ directory: '/p', file: 'x.c', arguments: ['clang', '-Ifrom_build'] }]),
    };
    assert.deepStrictEqual(findCompileFlags('/p/src/x.c', createMemoryHost(files))!.includePaths, ['/p/from_build']);
    files['/p/compile_commands.json'] = JSON.stringify([{ directory: '/p', file: 'x.c', arguments: ['clang', '-Ifrom_root_json'] }]);
    assert.deepStrictEqual(findCompileFlags('/p/src/x.c', createMemoryHost(files))!.includePaths, ['/p/from_root_json']);
    files['/p/src/compile_flags.txt'] = '-I../nearer\n';
    const nearer = findCompileFlags('/p/src/x.c', createMemoryHost(files))!;
    assert.deepStrictEqual([nearer.source, nearer.includePaths], ['/p/src/compile_flags.txt', ['/p/nearer']]);
    // A broken compile_commands.json is skipped, not fatal.
    assert.deepStrictEqual(findCompileFlags('/q/x.c', createMemoryHost({ '/q/compile_commands.json': '{oops', '/q/compile_flags.txt': '-DOK\n' }))!.defines, { OK: '1' });
  });

  it('settings folders and defines come before the build file; a define from the settings wins', () => {
    const setup = buildSetupForFile('/p/src/x.bpf.c', createMemoryHost({ '/p/compile_flags.txt': '-Iheaders\n-DMODE=1\n' }),
      { includePaths: ['/mine'], defines: { MODE: '2' } }, SYSTEM);
    assert.deepStrictEqual(setup.options.includePaths, ['/mine', '/p/headers']);
    assert.strictEqual(setup.options.defines!.MODE, '2');
    assert.deepStrictEqual(setup.searchPath.map((f) => f.origin.kind), ['setting', 'flags', 'system', 'system', 'system', 'bundled']);
    assert.strictEqual(describeSearchFolder(setup.searchPath[1]), '-I headers from compile_flags.txt at /p/compile_flags.txt');
  });
});

describe('build setup: .clangd files (clangd\'s project configuration)', () => {
  it('with no build file, CompileFlags.Add is clangd\'s fallback command run in the file\'s folder (OpenTelemetry eBPF instrumentation\'s bpf/.clangd)', () => {
    const files = {
      '/p/bpf/.clangd': 'CompileFlags:\n  Add:\n    - -std=gnu17\n    - --target=bpf\n    - -I.\n    - -D__TARGET_ARCH_x86\n    - -DBPF_TRACEPARENT\nDiagnostics:\n  ClangTidy:\n    FastCheckFilter: None\n',
      '/p/bpf/gotracer/go.c': '',
    };
    const flags = findCompileFlags('/p/bpf/gotracer/go.c', createMemoryHost(files))!;
    assert.strictEqual(flags.source, '/p/bpf/.clangd');
    // -I. is the folder clangd runs the fallback command in: the file's
    assert.deepStrictEqual(flags.includePaths, ['/p/bpf/gotracer']);
    assert.deepStrictEqual(flags.defines, { __TARGET_ARCH_x86: '1', BPF_TRACEPARENT: '1' });
    assert.strictEqual(flags.std, 'gnu17');
    assert.strictEqual(flags.target, 'bpf');
  });

  it('edits the build file\'s command: Remove (with the flag\'s value, its long spellings, `*` prefixes) before Add; nearer folders last', () => {
    const files = {
      '/p/compile_flags.txt': '-Iinclude\n-DDEBUG=1\n-DLEVEL=1\n-isystem\n/opt/old\n--include-directory=legacy\n-Wall\n',
      '/p/.clangd': 'CompileFlags:\n  Remove: [-isystem, -I, "-W*"]\n  Add: [-Ishared, -DLEVEL=2]\n',
      '/p/src/.clangd': 'CompileFlags:\n  Remove: -DDEBUG=1\n  Add: -DLEVEL=3\n',
      '/p/src/a.bpf.c': '',
    };
    const flags = findCompileFlags('/p/src/a.bpf.c', createMemoryHost(files))!;
    assert.strictEqual(flags.source, '/p/compile_flags.txt');
    assert.deepStrictEqual(flags.clangdConfigs, ['/p/.clangd', '/p/src/.clangd']);
    // -Iinclude and --include-directory=legacy removed, -Ishared added relative to the command's folder
    assert.deepStrictEqual(flags.includePaths, ['/p/shared']);
    assert.deepStrictEqual(flags.systemIncludePaths, []);
    // the nearer folder's -D comes last and wins; its Remove took DEBUG
    assert.deepStrictEqual(flags.defines, { LEVEL: '3' });
    assert.deepStrictEqual(flags.folderSources, { '/p/shared': '/p/.clangd' });
  });

  it('If: PathMatch / PathExclude (anchored, relative to the .clangd folder) choose the fragments; CompilationDatabase names the build file\'s folder or None', () => {
    const files = {
      '/p/.clangd': 'If:\n  PathMatch: bpf/.*\\.c\nCompileFlags:\n  Add: [-DIN_BPF]\n---\nIf:\n  PathMatch: [".*"]\n  PathExclude: bpf/skip/.*\nCompileFlags:\n  Add: -DNOT_SKIPPED\n---\n'
        + 'If:\n  PathMatch: "[unclosed"\nCompileFlags:\n  Add: -DBROKEN\n',
      '/p/bpf/a.c': '', '/p/bpf/skip/b.c': '', '/p/tools/c.c': '',
    };
    const host = createMemoryHost(files);
    assert.deepStrictEqual(findCompileFlags('/p/bpf/a.c', host)!.defines, { IN_BPF: '1', NOT_SKIPPED: '1' });
    assert.deepStrictEqual(findCompileFlags('/p/bpf/skip/b.c', host)!.defines, { IN_BPF: '1' });
    assert.deepStrictEqual(findCompileFlags('/p/tools/c.c', host)!.defines, { NOT_SKIPPED: '1' });
    const database = {
      '/p/compile_flags.txt': '-DNEAR\n',
      '/p/out/compile_flags.txt': '-DFROM_OUT\n',
      '/p/.clangd': 'CompileFlags:\n  CompilationDatabase: out\n',
      '/q/compile_flags.txt': '-DNEAR\n',
      '/q/.clangd': 'CompileFlags:\n  CompilationDatabase: None\n  Add: -DONLY_CLANGD\n',
    };
    const dbHost = createMemoryHost(database);
    assert.deepStrictEqual(findCompileFlags('/p/a.c', dbHost)!.defines, { FROM_OUT: '1' });
    assert.deepStrictEqual(findCompileFlags('/q/a.c', dbHost)!.defines, { ONLY_CLANGD: '1' });
  });

  it('a .clangd that is not YAML, or has no CompileFlags, changes nothing; a header found through its -I names it on hover', () => {
    const host = createMemoryHost({ '/p/.clangd': 'CompileFlags: [unclosed\n', '/p/compile_flags.txt': '-DA\n', '/r/.clangd': 'Index:\n  Background: Skip\n' });
    assert.deepStrictEqual(findCompileFlags('/p/a.c', host)!.defines, { A: '1' });
    assert.strictEqual(findCompileFlags('/r/a.c', host), undefined);
    const files = { '/s/.clangd': 'CompileFlags:\n  Add: [-Iheaders]\n', '/s/headers/h.h': '#define H 1\n', '/s/a.bpf.c': '#include <h.h>\nint x = H;\n' };
    const setup = buildSetupForFile('/s/a.bpf.c', createMemoryHost(files), {}, SYSTEM);
    assert.strictEqual(describeSearchFolder(setup.searchPath[0]), '-I headers from .clangd at /s/.clangd');
    const { result } = run(files, '/s/a.bpf.c');
    assert.deepStrictEqual(result.diagnostics.map((d) => d.message), []);
  });
});

describe('build setup: the order clang searches folders in', () => {
  const files = {
    '/p/compile_flags.txt': '-iquote\nquote\n-Iinc\n-isystem\nsys\n-idirafter\nafter\n',
    '/p/src/main.c': '#include "h.h"\n#include <h.h>\n#include "q.h"\n#include <q.h>\n',
    '/p/src/h.h': 'beside',
    '/p/quote/h.h': 'quote', '/p/quote/q.h': 'quote_q',
    '/p/inc/h.h': 'inc', '/p/inc/q.h': 'inc_q',
  };

  it('"..." looks beside the including file, then -iquote; <...> starts at -I', () => {
    const { text, result } = run(files, '/p/src/main.c');
    assert.deepStrictEqual(errors(result), []);
    assert.strictEqual(text, 'beside\ninc\nquote_q\ninc_q');
    const indices = result.includes.map((r) => r.searchIndex);
    assert.deepStrictEqual(indices, [-1, 1, 0, 1]);
  });

  it('-I before -isystem before the system folders before -idirafter before the bundled headers', () => {
    const layered = (present: string[]) => {
      const f: Record<string, string> = { '/p/compile_flags.txt': files['/p/compile_flags.txt'], '/p/src/main.c': '#include <bpf/bpf_endian.h>\nWHO\n' };
      for (const folder of present) f[`${folder}/bpf/bpf_endian.h`] = `#define WHO ${folder.replace(/\W/g, '_')}`;
      return run(f, '/p/src/main.c').text;
    };
    assert.strictEqual(layered(['/p/inc', '/p/sys', '/usr/include', '/p/after']), '_p_inc');
    assert.strictEqual(layered(['/p/sys', '/usr/include', '/p/after']), '_p_sys');
    assert.strictEqual(layered(['/usr/local/include', '/usr/include']), '_usr_local_include');
    assert.strictEqual(layered(['/usr/include', '/p/after']), '_usr_include');
    assert.strictEqual(layered(['/p/after']), '_p_after');
    // Nothing of ours: the bundled libbpf header, whose WHO is not defined.
    assert.strictEqual(layered([]), 'WHO');
  });

  it('-include NAME: the working directory first, then the "..." chain (xdp-tools\' `-include stdbool.h` is clang\'s own header)', () => {
    const forced = (present: string[]) => {
      const f: Record<string, string> = { '/p/compile_flags.txt': '-Iinc\n-include\npre.h\n', '/p/src/main.c': 'WHO\n' };
      for (const folder of present) f[`${folder}/pre.h`] = `#define WHO ${folder.replace(/\W/g, '_')}`;
      const r = run(f, '/p/src/main.c');
      return { text: r.text, errors: errors(r.result) };
    };
    assert.deepStrictEqual(forced(['/p', '/p/inc', '/clang/include']), { text: '_p', errors: [] });
    assert.deepStrictEqual(forced(['/p/inc', '/clang/include']), { text: '_p_inc', errors: [] });
    assert.deepStrictEqual(forced(['/clang/include']), { text: '_clang_include', errors: [] });
    // not beside the main file: that folder is not the working directory
    const besideMain = forced(['/p/src']);
    assert.strictEqual(besideMain.errors.length, 1, besideMain.errors.join('\n'));
  });

  it('a vendored libbpf (-I libbpf/src) and the system libbpf win over the bundled copy', () => {
    const main = '#include <bpf/bpf_helpers.h>\n';
    const vendored = run({ '/p/compile_flags.txt': '-Ilibbpf/src\n', '/p/x.bpf.c': main, '/p/libbpf/src/bpf/bpf_helpers.h': '' }, '/p/x.bpf.c');
    assert.strictEqual(vendored.result.includes[0].resolvedPath, '/p/libbpf/src/bpf/bpf_helpers.h');
    const system = run({ '/p/x.bpf.c': main, '/usr/include/bpf/bpf_helpers.h': '' }, '/p/x.bpf.c');
    assert.strictEqual(system.result.includes[0].resolvedPath, '/usr/include/bpf/bpf_helpers.h');
    const bundled = run({ '/p/x.bpf.c': main }, '/p/x.bpf.c');
    assert.strictEqual(bundled.result.includes[0].resolvedPath, '<bundled>/bpf/bpf_helpers.h');
  });

  it('with no system headers at all, the bundled fallbacks compile a program using stdbool/stddef/stdint and linux/bpf.h', () => {
    const main = '#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <linux/bpf.h>\n'
      + 'bool b = true; size_t s = offsetof(struct { int a; int c; }, c); uint64_t u = UINT64_MAX; __u32 t = BPF_MAP_TYPE_HASH;\n';
    const { result } = run({ '/p/x.bpf.c': main }, '/p/x.bpf.c', { searched: [], unsearched: [] });
    assert.deepStrictEqual(errors(result), []);
    assert.ok(result.includes.every((r) => r.resolvedPath?.startsWith('<bundled>/')), JSON.stringify(result.includes.map((r) => r.resolvedPath)));
    // clang's own stdbool.h wins when the resource folder is there.
    const withClang = run({ '/p/x.bpf.c': '#include <stdbool.h>\n', '/clang/include/stdbool.h': '' }, '/p/x.bpf.c');
    assert.strictEqual(withClang.result.includes[0].resolvedPath, '/clang/include/stdbool.h');
  });

  it('a header not found names the folders searched and the build file to add -I to', () => {
    const { result } = run({ '/p/compile_flags.txt': '-Iheaders\n', '/p/src/x.bpf.c': '#include "missing.h"\n' }, '/p/src/x.bpf.c');
    const [message] = errors(result);
    assert.match(message, /^'missing\.h' file not found; looked in \/p\/src \(beside the including file\), \/p\/headers, \/usr\/local\/include, \/clang\/include, \/usr\/include, the bundled headers; add a line -I<folder holding it> to \/p\/compile_flags\.txt$/);
    const none = run({ '/p/src/x.bpf.c': '#include <missing.h>\n' }, '/p/src/x.bpf.c');
    assert.match(errors(none.result)[0], /no compile_commands\.json or compile_flags\.txt was found in \/p\/src or above: create compile_flags\.txt/);
  });

  it('a system header clang -target bpf cannot find (asm/ in the multiarch folder) gets an -idirafter hint', () => {
    const { result } = run({
      '/p/x.bpf.c': '#include <linux/types.h>\n', '/usr/include/linux/types.h': '#include <asm/types.h>\n',
      '/usr/include/x86_64-linux-gnu/asm/types.h': '',
    }, '/p/x.bpf.c');
    assert.match(errors(result)[0], /^'asm\/types\.h' file not found; .*\/usr\/include\/x86_64-linux-gnu\/asm\/types\.h exists, but clang -target bpf does not search \/usr\/include\/x86_64-linux-gnu: add -idirafter \/usr\/include\/x86_64-linux-gnu/);
  });

  it('-target x86_64-linux-gnu searches as clang 14 does for it: resource folder, /usr/local/include, the multiarch folder, /usr/include', () => {
    // clang -target x86_64-linux-gnu -E -v -x c /dev/null lists those four; a build compiling for the host finds asm/types.h
    const { result, setup } = run({
      '/p/compile_flags.txt': '-target\nx86_64-linux-gnu\n', '/p/x.c': '#include <linux/types.h>\n',
      '/usr/include/linux/types.h': '#include <asm/types.h>\n', '/usr/include/x86_64-linux-gnu/asm/types.h': 'found\n',
    }, '/p/x.c');
    assert.deepStrictEqual(errors(result), []);
    assert.deepStrictEqual(setup.options.builtinIncludePaths, ['/clang/include', '/usr/local/include', '/usr/include/x86_64-linux-gnu', '/usr/include']);
    assert.match(describeSearchFolder(setup.searchPath[2]), /which clang searches for this build's -target/);
  });

  it('-std sets __STDC_VERSION__ as clang 14 does; -U and -D from the build file apply', () => {
    const text = (flags: string) => run({ '/p/compile_flags.txt': flags, '/p/x.c': '__STDC_VERSION__ A B\n' }, '/p/x.c').text;
    assert.strictEqual(text('-DA=1\n'), '201710L 1 B');
    assert.strictEqual(text('-std=gnu99\n-DB=2\n'), '199901L A 2');
    assert.strictEqual(text('-std=c11\n'), '201112L A B');
    assert.strictEqual(text('-std=c89\n'), '__STDC_VERSION__ A B');
    assert.strictEqual(stdcVersionOf('c2x'), '202000L');
  });

  it('-target of a host gives that host\'s predefined macros, as clang 14 does for a build lowering its IR with llc -march=bpf', () => {
    // clang -target x86_64-linux-gnu -dM -E: __x86_64__ 1, no __bpf__; -target bpf the reverse; amd64/arm64 are aliases
    const src = '#if defined(__x86_64__)\nX\n#elif defined(__aarch64__)\nA\n#elif defined(__bpf__)\nB\n#endif\n';
    const text = (flags: string) => run({ '/p/compile_flags.txt': flags, '/p/x.c': src }, '/p/x.c').text;
    assert.strictEqual(text('-target\nx86_64-linux-gnu\n'), 'X');
    assert.strictEqual(text('--target=amd64-linux-gnu\n'), 'X');
    assert.strictEqual(text('-target\naarch64-linux-gnu\n'), 'A');
    assert.strictEqual(text('-target\nbpfel\n'), 'B');
    assert.strictEqual(text('-O2\n'), 'B');
  });
});

describe('object and internal map names (libbpf)', () => {
  it('the object name is the base name up to the first dot; map names replace what the kernel refuses', () => {
    // Measured: bpftool iter pin of my-prog.bpf.o, my-very-long-name.bpf.o and a.b-c.bpf.o, then bpftool map list.
    assert.strictEqual(libbpfObjectName('/p/src/my-prog.bpf.c'), 'my-prog');
    assert.strictEqual(internalMapName('my-prog', '.bss'), 'my_prog.bss');
    assert.strictEqual(internalMapName('my-prog', '.rodata'), 'my_prog.rodata');
    assert.strictEqual(internalMapName(libbpfObjectName('my-very-long-name.bpf.c'), '.bss'), 'my_very_.bss');
    assert.strictEqual(internalMapName(libbpfObjectName('a.b-c.bpf.c'), '.rodata'), 'a.rodata');
    // A custom section (two dots) takes no prefix and is cut to 15 bytes.
    assert.strictEqual(internalMapName('prog', '.rodata.str1.1'), '.rodata.str1.1');
    assert.strictEqual(internalMapName('prog', '.data.a_very_long_name'), '.data.a_very_lo');
    // Only bytes the kernel's bpf_obj_name_cpy() accepts remain.
    for (const name of ['my prog', 'ünï-cøde', 'x+y']) assert.match(internalMapName(name, '.data'), /^[A-Za-z0-9_.]{1,15}$/);
  });
});
