/**
 * Differential tests against the real clang on this machine: our preprocessed token stream must equal
 * `clang -E -P -target bpf`'s, token for token (whitespace is not compared), for iterator programs, the
 * bundled headers, the real libbpf headers and the real vmlinux.h; and our tables of predefined macros and
 * feature checks must equal what clang answers. Skips (one line) when clang/bpftool are missing.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundledHeadersRoot, nodeFileSystemHost } from '../../server/src/lang/headers';
import { KERNEL_BTF_RELEASE } from '../../server/src/kernel/btf';
import { PreprocessOptions, preprocess } from '../../server/src/lang/preprocessor';
import { clangBpfFeatureCandidates, clangBpfFeatureTable } from '../../server/src/lang/preprocessor/features';
import { scan } from '../../server/src/lang/scanner';
import { TokenKind } from '../../server/src/lang/token';

const fixtures = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'pp');

function toolWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0;
}

const haveClang = toolWorks('clang', ['--version']);

function requireClang(context: Mocha.Context): void {
  if (!haveClang) {
    console.log('      (skipped: clang is not installed; CI installs clang llvm libbpf-dev bpftool)');
    context.skip();
  }
}

function clangPreprocess(file: string, args: string[], input?: string): string {
  const result = spawnSync('clang', ['-target', 'bpf', '-E', '-P', ...args, input === undefined ? file : '-'],
    { encoding: 'utf8', input, maxBuffer: 1 << 30, cwd: path.dirname(file) });
  if (result.status !== 0) throw new Error(`clang -E failed: ${result.stderr}`);
  return result.stdout;
}

interface Streams {
  tokens: string[];
  pragmas: string[];
}

function clangStreams(output: string): Streams {
  const lines = output.split('\n');
  const isPragma = (line: string): boolean => /^\s*#\s*pragma\b/.test(line);
  const pragmas = lines.filter(isPragma).map((line) => line.replace(/^\s*#\s*pragma\s+/, '').replace(/\s+/g, ' ').trim());
  const tokens = scan(lines.filter((line) => !isPragma(line)).join('\n'), 0)
    .filter((t) => t.kind !== TokenKind.Newline && t.kind !== TokenKind.EndOfFile).map((t) => t.text);
  return { tokens, pragmas };
}

function ourStreams(file: string, text: string, options: PreprocessOptions): Streams & { diagnostics: string[] } {
  const result = preprocess(file, text, nodeFileSystemHost, options);
  return {
    tokens: result.tokens.filter((t) => t.kind !== TokenKind.EndOfFile).map((t) => t.text),
    pragmas: result.pragmas.map((p) => p.text.replace(/\s+/g, ' ')),
    diagnostics: result.diagnostics.filter((d) => d.category === 'error').map((d) => `${result.files[d.file]?.path}:${d.pos}: ${d.message}`),
  };
}

function assertSameStreams(ours: Streams, theirs: Streams, label: string): void {
  const firstDifference = ours.tokens.findIndex((token, i) => token !== theirs.tokens[i]);
  if (firstDifference >= 0 || ours.tokens.length !== theirs.tokens.length) {
    const at = firstDifference >= 0 ? firstDifference : Math.min(ours.tokens.length, theirs.tokens.length);
    assert.fail(`${label}: token ${at} differs (ours ${ours.tokens.length} tokens, clang ${theirs.tokens.length}):\n`
      + `  ours:  ${ours.tokens.slice(Math.max(0, at - 8), at + 8).join(' ')}\n  clang: ${theirs.tokens.slice(Math.max(0, at - 8), at + 8).join(' ')}`);
  }
  assert.deepStrictEqual(ours.pragmas.map((p) => p.replace(/ ?([(),=]) ?/g, '$1')), theirs.pragmas.map((p) => p.replace(/ ?([(),=]) ?/g, '$1')), `${label}: pragmas`);
}

function compareWithClang(file: string, options: PreprocessOptions, clangArgs: string[]): void {
  const text = fs.readFileSync(file, 'utf8');
  const ours = ourStreams(file, text, options);
  assert.deepStrictEqual(ours.diagnostics, [], `${path.basename(file)}: no errors`);
  assertSameStreams(ours, clangStreams(clangPreprocess(file, clangArgs)), path.basename(file));
}

const bundledRoot = bundledHeadersRoot()!;

describe('oracle: clang -E token streams', function () {
  this.timeout(120_000);

  for (const name of ['map_dump.bpf.c', 'elem_sum.bpf.c', 'macros_galore.bpf.c']) {
    it(`${name} with the bundled headers equals clang -E -I server/headers`, function () {
      requireClang(this);
      compareWithClang(path.join(fixtures, name), {}, ['-D__TARGET_ARCH_x86', `-I${bundledRoot}`]);
    });

    it(`${name} with the real libbpf headers (/usr/include) equals clang -E`, function () {
      requireClang(this);
      if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) {
        console.log('      (skipped: libbpf-dev headers are not installed)');
        this.skip();
      }
      compareWithClang(path.join(fixtures, name), { includePaths: [bundledRoot, '/usr/include'], useBundledHeaders: false },
        ['-D__TARGET_ARCH_x86', `-I${bundledRoot}`, '-I/usr/include']);
    });
  }

  it('tricky_macros.c (C11 6.10.3.5 examples, GNU variadics, __VA_OPT__, pastes, #if arithmetic) equals clang -E', function () {
    requireClang(this);
    compareWithClang(path.join(fixtures, 'tricky_macros.c'), {}, ['-D__TARGET_ARCH_x86', `-I${bundledRoot}`]);
  });

  it('every bundled header on its own equals clang -E', function () {
    requireClang(this);
    for (const header of ['vmlinux.h', 'bpf/bpf_helpers.h', 'bpf/bpf_helper_defs.h', 'bpf/bpf_tracing.h', 'bpf/bpf_core_read.h', 'bpf/bpf_endian.h']) {
      const file = path.join(os.tmpdir(), `bpf-iter-lab-pp-${process.pid}.c`);
      fs.writeFileSync(file, `#include "vmlinux.h"\n#include <${header}>\n`);
      try {
        compareWithClang(file, {}, ['-D__TARGET_ARCH_x86', `-I${bundledRoot}`]);
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
  });

  it('the bundled libbpf headers are byte-identical to the installed ones when the installed libbpf is the bundled version', function () {
    const versionHeader = '/usr/include/bpf/libbpf_version.h';
    if (!fs.existsSync(versionHeader) || !fs.existsSync('/usr/include/bpf/bpf_helpers.h')) {
      console.log('      (skipped: libbpf-dev headers are not installed)');
      this.skip();
    }
    // server/headers/LICENSE.md names the version the copies come from; compare only against that version.
    const bundledVersion = /libbpf (\d+\.\d+)\.\d+/.exec(fs.readFileSync(path.join(bundledRoot, 'LICENSE.md'), 'utf8'))?.[1];
    assert.ok(bundledVersion, 'server/headers/LICENSE.md names the libbpf version of the bundled headers');
    const versionText = fs.readFileSync(versionHeader, 'utf8');
    const part = (name: string): string | undefined => new RegExp(`#define LIBBPF_${name}_VERSION (\\d+)`).exec(versionText)?.[1];
    const installedVersion = `${part('MAJOR')}.${part('MINOR')}`;
    if (installedVersion !== bundledVersion) {
      console.log(`      (skipped: installed libbpf is ${installedVersion}, the bundled headers are ${bundledVersion})`);
      this.skip();
    }
    for (const header of ['bpf_helpers.h', 'bpf_helper_defs.h', 'bpf_tracing.h', 'bpf_core_read.h', 'bpf_endian.h']) {
      const installed = fs.readFileSync(path.join('/usr/include/bpf', header), 'utf8');
      const bundled = fs.readFileSync(path.join(bundledRoot, 'bpf', header), 'utf8');
      assert.ok(installed === bundled, `bundled ${header} differs from the installed libbpf ${installedVersion} one`);
    }
  });

  describe('with the real vmlinux.h of this kernel', function () {
    let directory: string | undefined;
    before(function () {
      if (!haveClang || !toolWorks('bpftool', ['version']) || !fs.existsSync('/sys/kernel/btf/vmlinux')) {
        console.log('      (skipped: needs clang, bpftool and /sys/kernel/btf/vmlinux)');
        this.skip();
      }
      const dump = spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (dump.status !== 0) {
        console.log(`      (skipped: bpftool btf dump failed: ${dump.stderr.trim().split('\n')[0]})`);
        this.skip();
      }
      directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-lab-vmlinux-'));
      fs.writeFileSync(path.join(directory, 'vmlinux.h'), dump.stdout);
    });
    after(() => {
      if (directory) fs.rmSync(directory, { recursive: true, force: true });
    });

    it('map_dump.bpf.c against the real vmlinux.h equals clang -E', function () {
      const file = path.join(directory!, 'map_dump.bpf.c');
      fs.copyFileSync(path.join(fixtures, 'map_dump.bpf.c'), file);
      compareWithClang(file, { includePaths: [directory!] }, ['-D__TARGET_ARCH_x86', `-I${directory}`, `-I${bundledRoot}`]);
    });

    it('each fixture compiles to the same BPF code with the bundled headers as with the real ones', function () {
      if (!toolWorks('llvm-objdump', ['--version']) || !fs.existsSync('/usr/include/bpf/bpf_helpers.h')) {
        console.log('      (skipped: needs llvm-objdump and libbpf-dev headers)');
        this.skip();
      }
      const disassemble = (source: string, includes: string[], object: string): string => {
        const compiled = spawnSync('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', ...includes.map((i) => `-I${i}`), '-c', source, '-o', object], { encoding: 'utf8' });
        assert.strictEqual(compiled.status, 0, compiled.stderr);
        const dump = spawnSync('llvm-objdump', ['-d', '-r', object], { encoding: 'utf8' });
        return dump.stdout.split('\n').slice(2).join('\n');
      };
      for (const name of ['map_dump.bpf.c', 'elem_sum.bpf.c', 'macros_galore.bpf.c']) {
        const source = path.join(directory!, name);
        fs.copyFileSync(path.join(fixtures, name), source);
        // The bundled build's source must not sit beside the real vmlinux.h ("vmlinux.h" searches there first).
        const bundledDirectory = fs.mkdtempSync(path.join(directory!, 'bundled-'));
        const bundledSource = path.join(bundledDirectory, name);
        fs.copyFileSync(path.join(fixtures, name), bundledSource);
        const bundled = disassemble(bundledSource, [bundledRoot], path.join(bundledDirectory, 'bundled.o'));
        const real = disassemble(source, [directory!, '/usr/include'], path.join(directory!, 'real.o'));
        assert.ok(bundled.includes('call'), `${name}: compiled to something`);
        assert.strictEqual(bundled, real, name);
      }
    });

    it('every definition in the bundled vmlinux.h (the whole 6.18 one) is the kernel BTF one, verbatim', function () {
      const real = fs.readFileSync(path.join(directory!, 'vmlinux.h'), 'utf8');
      const bundled = fs.readFileSync(path.join(bundledRoot, 'vmlinux.h'), 'utf8');
      const blocks = bundled.split('\n\n').map((b) => b.trim()).filter((b) => /^(struct|union|enum|typedef)\b/.test(b) && !/^(struct|union) \w+;$/m.test(b));
      assert.ok(blocks.length > 50);
      assert.ok(/^struct bpf_map \{/m.test(bundled), 'struct bpf_map is defined');
      const differing = blocks.filter((block) => !real.includes(block + '\n'));
      // the bundled header is the build the simulated kernel's BTF was taken from; another build of 6.18 may lay out
      // a few structs otherwise (6.18.44-fc-v1300's struct net): compared verbatim only on that build
      if (os.release() !== KERNEL_BTF_RELEASE && differing.length > 0) {
        console.log(`      (skipped: this machine runs ${os.release()}, the bundled vmlinux.h is ${KERNEL_BTF_RELEASE}'s: ${differing.length} of ${blocks.length} definitions differ, first ${differing[0].split('\n')[0]})`);
        return this.skip();
      }
      for (const block of differing) assert.fail(`not in this kernel's vmlinux.h:\n${block.slice(0, 200)}`);
    });
  });
});

describe('oracle: clang tables', function () {
  this.timeout(60_000);

  /** What clang predefines for `-target triple`, against what we define for a build file naming that target. */
  const comparePredefined = (triple: string): Map<string, string> => {
    const result = spawnSync('clang', ['-target', triple, '-dM', '-E', '-x', 'c', '/dev/null'], { encoding: 'utf8' });
    const theirs = new Map<string, string>();
    for (const line of result.stdout.split('\n')) {
      const match = /^#define (\S+) ?(.*)$/.exec(line);
      if (match) theirs.set(match[1], match[2]);
    }
    const ours = preprocess('/dev/null', '', nodeFileSystemHost, { targetArch: '', ...(triple === 'bpf' ? {} : { targetTriple: triple }) });
    const builtIn = ours.files.find((f) => f.path === '<built-in>')!.id;
    const mine = new Map<string, string>();
    for (const macro of ours.macros.values()) {
      if (macro.file !== builtIn) continue;
      mine.set(macro.name, macro.body.map((t, i) => (i > 0 && t.leadingSpace ? ' ' : '') + t.text).join(''));
    }
    assert.deepStrictEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
    for (const [name, value] of theirs) assert.strictEqual(mine.get(name), value, name);
    return mine;
  };

  it('predefined macros equal clang -target bpf -dM -E', function () {
    requireClang(this);
    const mine = comparePredefined('bpf');
    assert.ok(mine.has('__bpf__') && mine.has('__BPF__') && !mine.has('__x86_64__'));
  });

  it('predefined macros of a host target (x86_64-linux-gnu, aarch64-linux-gnu) equal clang -dM -E', function () {
    requireClang(this);
    assert.ok(comparePredefined('x86_64-linux-gnu').has('__x86_64__'));
    assert.ok(comparePredefined('aarch64-linux-gnu').has('__aarch64__'));
  });

  it('__has_builtin/__has_attribute/__has_feature/... answers equal clang for every candidate', function () {
    requireClang(this);
    // Only candidates are asked of clang below: a name in the table that is not a candidate would never be checked.
    for (const [check, names] of Object.entries(clangBpfFeatureTable)) {
      const unasked = [...names].filter((name) => !clangBpfFeatureCandidates[check]?.includes(name));
      assert.deepStrictEqual(unasked, [], `${check}: names in the table that are never compared with clang`);
    }
    const lines: string[] = [];
    const probes: Array<[string, string]> = [];
    for (const [check, names] of Object.entries(clangBpfFeatureCandidates)) {
      for (const name of names) {
        lines.push(`#if ${check}(${name})`, `probe_${probes.length} 1`, '#else', `probe_${probes.length} 0`, '#endif');
        probes.push([check, name]);
      }
    }
    const source = lines.join('\n') + '\n';
    const file = path.join(os.tmpdir(), 'features.c');
    const theirs = clangStreams(clangPreprocess(file, ['-x', 'c'], source)).tokens;
    const ours = ourStreams(file, source, {}).tokens;
    assert.deepStrictEqual(ours, theirs);
    for (let i = 0; i < probes.length; i++) {
      const [check, name] = probes[i];
      assert.strictEqual(clangBpfFeatureTable[check].has(name), theirs[i * 2 + 1] === '1', `${check}(${name})`);
    }
  });
});
