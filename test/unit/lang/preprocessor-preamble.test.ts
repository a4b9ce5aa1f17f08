import * as assert from 'assert';
import * as fc from 'fast-check';
import { FileSystemHost, findCompileFlags, parseCompileArguments, splitCommandLine } from '../../../server/src/lang/headers';
import { createMemoryHost } from '../../../server/src/service/host';
import { HeaderCache, preprocess, tokensToText } from '../../../server/src/lang/preprocessor';
import { buildSetupForFile } from '../../../server/src/lang/buildSetup';
import { TokenKind } from '../../../server/src/lang/token';

/** A host that counts reads per path and versions files by an edit counter. */
function countingHost(files: Record<string, string>): FileSystemHost & { reads: Map<string, number>; edit(path: string, text: string): void } {
  const versions = new Map<string, number>();
  const reads = new Map<string, number>();
  return {
    reads,
    readFile(p) {
      if (!(p in files)) return undefined;
      reads.set(p, (reads.get(p) ?? 0) + 1);
      return files[p];
    },
    fileExists: (p) => p in files,
    version: (p) => (p in files ? String(versions.get(p) ?? 0) : undefined),
    edit(p, text) {
      files[p] = text;
      versions.set(p, (versions.get(p) ?? 0) + 1);
    },
  };
}

describe('preprocessor: header cache (preamble)', () => {
  const header = '#ifndef BIG_H\n#define BIG_H\n#include "inner.h"\n#define TWICE(x) ((x) * 2)\nstruct big { int a; };\n#pragma clang attribute push (x)\n#endif\n';
  const inner = '#define INNER 7\ntypedef int inner_t;\n';

  it('replays a top-level include from the cache without reading the header again, with identical output', () => {
    const host = countingHost({ '/p/big.h': header, '/p/inner.h': inner });
    const cache = new HeaderCache();
    const first = preprocess('/p/main.c', '#include "big.h"\nint v = TWICE(INNER);\n', host, { cache, useBundledHeaders: false });
    const second = preprocess('/p/main.c', '#include "big.h"\nint w = TWICE(INNER) + 1;\n', host, { cache, useBundledHeaders: false });
    assert.strictEqual(tokensToText(first.tokens), 'typedef int inner_t;\nstruct big { int a; };\nint v = ((7) * 2);');
    assert.strictEqual(tokensToText(second.tokens), 'typedef int inner_t;\nstruct big { int a; };\nint w = ((7) * 2) + 1;');
    assert.strictEqual(host.reads.get('/p/big.h'), 1);
    assert.strictEqual(host.reads.get('/p/inner.h'), 1);
    assert.deepStrictEqual([cache.misses, cache.hits], [1, 1]);
    assert.strictEqual(second.includes[0].fromCache, true);
    assert.deepStrictEqual(second.pragmas.map((p) => [p.text, p.tokenIndex]), first.pragmas.map((p) => [p.text, p.tokenIndex]));
    assert.deepStrictEqual(second.includes.map((r) => [r.name, r.tokenStart, r.tokenEnd]), first.includes.map((r) => [r.name, r.tokenStart, r.tokenEnd]));
    assert.ok(second.macros.has('TWICE') && second.macros.has('INNER'));
    // The cached tokens point into the same file table, so their files resolve in the second result.
    const structToken = second.tokens.find((t) => t.text === 'struct')!;
    assert.strictEqual(second.files[structToken.file].path, '/p/big.h');
  });

  it('a replayed header costs the macro expansion work it cost when read, so a cache hit changes no limit', () => {
    const host = countingHost({ '/p/big.h': header, '/p/inner.h': inner, '/p/uses.h': '#include "big.h"\nint u = TWICE(TWICE(INNER));\n' });
    const cache = new HeaderCache();
    const main = '#include "uses.h"\nint v = TWICE(INNER);\n';
    const uncached = preprocess('/p/main.c', main, host, { useBundledHeaders: false });
    const miss = preprocess('/p/main.c', main, host, { cache, useBundledHeaders: false });
    const hit = preprocess('/p/main.c', main, host, { cache, useBundledHeaders: false });
    assert.deepStrictEqual([cache.misses, cache.hits], [1, 1]);
    assert.ok(uncached.expansionWork > 20);
    assert.deepStrictEqual([miss.expansionWork, hit.expansionWork], [uncached.expansionWork, uncached.expansionWork]);
    const continued = preprocess('/p/main.c', 'int w = TWICE(1);\n', host, { useBundledHeaders: false, initialState: hit.state });
    assert.ok(continued.expansionWork > hit.expansionWork, 'a run continuing from a state goes on counting');
  });

  it('a header replayed from the cache still reports its scanner errors (an unterminated comment)', () => {
    const host = countingHost({ '/p/bad.h': 'int a;\n/* never closed\n' });
    const cache = new HeaderCache();
    const runs = [0, 1].map(() => preprocess('/p/main.c', '#include "bad.h"\nint b;\n', host, { cache, useBundledHeaders: false }));
    assert.deepStrictEqual([cache.misses, cache.hits], [1, 1]);
    for (const r of runs) assert.deepStrictEqual(r.diagnostics.map((d) => [d.code, r.files[d.file].path, d.pos]), [[1000, '/p/bad.h', 7]]);
  });

  it('a file included twice reports its scanner diagnostics at each inclusion (it is scanned once per run)', () => {
    const host = countingHost({ '/p/twice.h': 'int x\0;\n' });
    const r = preprocess('/p/main.c', '#include "twice.h"\n#include "twice.h"\n', host, { useBundledHeaders: false });
    assert.strictEqual(tokensToText(r.tokens), 'int x ;\nint x ;');
    assert.deepStrictEqual(r.diagnostics.map((d) => [r.files[d.file].path, d.pos]), [['/p/twice.h', 5], ['/p/twice.h', 5]]);
  });

  it('misses when a header (or one it includes) changed, or when the macros before the include differ', () => {
    const host = countingHost({ '/p/big.h': header, '/p/inner.h': inner });
    const cache = new HeaderCache();
    preprocess('/p/main.c', '#include "big.h"\nINNER\n', host, { cache, useBundledHeaders: false });
    host.edit('/p/inner.h', '#define INNER 8\n');
    const afterEdit = preprocess('/p/main.c', '#include "big.h"\nINNER\n', host, { cache, useBundledHeaders: false });
    assert.strictEqual(tokensToText(afterEdit.tokens), 'struct big { int a; };\n8');
    const withDefine = preprocess('/p/main.c', '#define BIG_H\n#include "big.h"\nINNER\n', host, { cache, useBundledHeaders: false });
    assert.strictEqual(tokensToText(withDefine.tokens), 'INNER');
    assert.deepStrictEqual([cache.hits, cache.misses], [0, 3]);
  });

  it('continues from a saved state: macros, guards and counters carry over', () => {
    const host = createMemoryHost({ '/p/g.h': '#ifndef G\n#define G\nguarded\n#endif\n' });
    const first = preprocess('/p/a.c', '#include "g.h"\n#define FROM_A 1\n__COUNTER__', host, { useBundledHeaders: false });
    const second = preprocess('/p/b.c', '#include "g.h"\nFROM_A __COUNTER__ __bpf__', host, { useBundledHeaders: false, initialState: first.state });
    assert.strictEqual(tokensToText(second.tokens), '1 1 1');
    assert.strictEqual(second.includes[0].skipped, true);
    // Tokens of macros defined in the first run still resolve to their files in the second run's table.
    const fromA = second.macros.get('FROM_A')!;
    assert.strictEqual(second.files[fromA.file].path, '/p/a.c');
  });
});

describe('compile flags (clangd rules)', () => {
  it('parses -I, -isystem, -D, -U, -include and --target with joined and separate values', () => {
    const flags = parseCompileArguments(['-Iinc', '-I', '/abs', '-isystem', 'sys', '-DA', '-DB=2', '-D', 'C=x y', '-UD', '-include', 'pre.h', '--target=bpf', '-O2'], '/proj');
    assert.deepStrictEqual(flags.includePaths, ['/proj/inc', '/abs']);
    assert.deepStrictEqual(flags.systemIncludePaths, ['/proj/sys']);
    assert.deepStrictEqual(flags.defines, { A: '1', B: '2', C: 'x y' });
    assert.deepStrictEqual(flags.undefines, ['D']);
    assert.deepStrictEqual(flags.forcedIncludes, ['/proj/pre.h']);
    assert.strictEqual(flags.target, 'bpf');
  });

  it('finds compile_flags.txt or compile_commands.json in the nearest parent directory', () => {
    const host = createMemoryHost({
      '/proj/compile_flags.txt': '-I\ninclude\n-D__TARGET_ARCH_arm64\n',
      '/other/build/x/compile_commands.json': JSON.stringify([
        { directory: '/other', file: 'src/a.bpf.c', command: 'clang -target bpf -I "my inc" -DX=1 -c src/a.bpf.c' },
      ]),
    });
    const fromTxt = findCompileFlags('/proj/src/deep/prog.bpf.c', host)!;
    assert.deepStrictEqual(fromTxt.includePaths, ['/proj/include']);
    assert.deepStrictEqual(fromTxt.defines, { __TARGET_ARCH_arm64: '1' });
    const fromJson = findCompileFlags('/other/build/x/a.c', host)!;
    assert.deepStrictEqual(fromJson.includePaths, ['/other/my inc']);
    assert.strictEqual(fromJson.target, 'bpf');
    assert.strictEqual(findCompileFlags('/nowhere/a.c', host), undefined);
    assert.deepStrictEqual(splitCommandLine(`clang -DA='x y' "-Ia b" c\\ d`), ['clang', '-DA=x y', '-Ia b', 'c d']);
  });
});

describe('buildSetupForFile', () => {
  it('puts user include paths before compile-flag paths before the bundled headers', () => {
    const host = createMemoryHost({
      '/proj/compile_flags.txt': '-Iflags\n-D__TARGET_ARCH_arm64\n-DMODE=2\n',
      '/user/vmlinux.h': 'from_user',
      '/proj/flags/vmlinux.h': 'from_flags',
      '/proj/flags/only_flags.h': 'only_flags',
    });
    const setup = buildSetupForFile('/proj/prog.bpf.c', host, { includePaths: ['/user'] });
    const options = setup.options;
    assert.deepStrictEqual(options.includePaths, ['/user', '/proj/flags']);
    assert.strictEqual(setup.flags?.source, '/proj/compile_flags.txt');
    const result = preprocess('/proj/prog.bpf.c',
      '#include <vmlinux.h>\n#include <only_flags.h>\n#include <bpf/bpf_endian.h>\nMODE __TARGET_ARCH_arm64 __TARGET_ARCH_x86', host, options);
    assert.deepStrictEqual(result.diagnostics, []);
    assert.ok(tokensToText(result.tokens).startsWith('from_user\nonly_flags'));
    assert.ok(tokensToText(result.tokens).endsWith('2 1 __TARGET_ARCH_x86'));
    assert.ok(result.includes[2].resolvedPath?.startsWith('<bundled>/bpf/'));
  });
});

describe('preprocessor: robustness (property)', () => {
  const fragments = ['#define ', '#undef ', '#if ', '#ifdef ', '#elif ', '#else', '#endif', '#include ', '#pragma once', '#line ',
    'f(', ')', '(', ',', '##', '#', '__VA_ARGS__', '__VA_OPT__(', 'defined', 'A', 'B', 'f', '...', '"s', "'c", '/*', '*/', '\\',
    '\n', ' ', '1', '0x', '/', '<', '>', '_Pragma(', '__has_include(', '__LINE__', '__COUNTER__', 'x.h', '"x.h"', '\u0000', '\r'];

  it('never throws on random directive soup and always ends with EndOfFile', () => {
    const host = createMemoryHost({ '/p/x.h': '#define A f(\n#include "x.h"\n' });
    fc.assert(fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 60 }), (parts) => {
      const result = preprocess('/p/main.c', parts.join(''), host, { useBundledHeaders: false, limits: { includeDepth: 10, expansionTokens: 10_000 } });
      assert.strictEqual(result.tokens[result.tokens.length - 1].kind, TokenKind.EndOfFile);
      for (const diagnostic of result.diagnostics) assert.ok(diagnostic.pos <= diagnostic.end);
    }), { numRuns: 300 });
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      const result = preprocess('/p/main.c', text, createMemoryHost({}), { useBundledHeaders: false });
      assert.strictEqual(result.tokens[result.tokens.length - 1].kind, TokenKind.EndOfFile);
    }), { numRuns: 150 });
  });
});
