/**
 * The build setup against the real clang on this machine: the system folders we search are the ones
 * `clang -target bpf -E -v` lists, and for a project laid out as users do (src/, headers/vmlinux.h,
 * compile_flags.txt) every header clang reads (`clang -M`) is the file we resolve, system and libbpf headers
 * included. Skips with one line when clang or /usr/include is missing.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNodeHost, probeSystemIncludeFolders } from '../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { bundledHeadersRoot } from '../../server/src/lang/headers';

const haveClang = spawnSync('clang', ['--version'], { encoding: 'utf8' }).status === 0;

function requireSystem(context: Mocha.Context, needs: string[] = []): void {
  if (!haveClang) { console.log('      (skipped: clang is not installed)'); context.skip(); }
  for (const file of needs) {
    if (!fs.existsSync(file)) { console.log(`      (skipped: ${file} is not on this machine)`); context.skip(); }
  }
}

const real = (p: string): string => { try { return fs.realpathSync(p); } catch { return path.resolve(p); } };

/** The folders clang -target bpf lists after `#include <...> search starts here:`. */
function clangSearchList(): string[] {
  const out = spawnSync('clang', ['-target', 'bpf', '-E', '-v', '-x', 'c', '/dev/null'], { encoding: 'utf8' });
  const text = out.stderr;
  const start = text.indexOf('#include <...> search starts here:');
  const end = text.indexOf('End of search list.');
  return text.slice(start, end).split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('/'));
}

describe('oracle: include resolution equals clang -target bpf on this machine', function () {
  this.timeout(120000);

  it('the system folders are the ones clang -target bpf -E -v lists, in its order', function () {
    requireSystem(this);
    assert.deepStrictEqual(probeSystemIncludeFolders().searched.map((f) => real(f.path)), clangSearchList().map(real));
  });

  it('every header clang reads for a src/ + headers/ + compile_flags.txt project is the file we resolve', function () {
    requireSystem(this, ['/usr/include/bpf/bpf_helpers.h', '/usr/include/linux/bpf.h']);
    const multiarch = probeSystemIncludeFolders().unsearched[0];
    if (!multiarch) { console.log('      (skipped: no multiarch folder such as /usr/include/x86_64-linux-gnu)'); this.skip(); }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-oracle-setup-'));
    try {
      fs.mkdirSync(path.join(root, 'src'));
      fs.mkdirSync(path.join(root, 'headers'));
      fs.copyFileSync(path.join(bundledHeadersRoot()!, 'vmlinux.h'), path.join(root, 'headers/vmlinux.h'));
      fs.writeFileSync(path.join(root, 'headers/common.h'), '#pragma once\n#define LIMIT 4\n');
      fs.writeFileSync(path.join(root, 'src/local.h'), '#include "common.h"\n');
      // -idirafter the multiarch folder, as libbpf-bootstrap's Makefile does, so <linux/bpf.h> finds asm/types.h.
      fs.writeFileSync(path.join(root, 'compile_flags.txt'), `-Iheaders\n-idirafter\n${multiarch}\n-D__TARGET_ARCH_x86\n`);
      const programs: Record<string, string> = {
        'src/with-vmlinux.bpf.c': '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n#include <bpf/bpf_core_read.h>\n#include "local.h"\n#include <stdbool.h>\n#include <stddef.h>\nint x = LIMIT;\n',
        'src/with-uapi.bpf.c': '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_endian.h>\nint y;\n',
      };
      const service = createLanguageService(createNodeHost(), defaultSettings());
      for (const [name, text] of Object.entries(programs)) {
        const file = path.join(root, name);
        fs.writeFileSync(file, text);
        const clang = spawnSync('clang', ['-target', 'bpf', '-M', '-Iheaders', '-idirafter', multiarch, '-D__TARGET_ARCH_x86', name], { cwd: root, encoding: 'utf8' });
        assert.strictEqual(clang.status, 0, clang.stderr);
        const clangFiles = new Set(clang.stdout.slice(clang.stdout.indexOf(':') + 1).split(/\s+/).filter((t) => t && t !== '\\').map((p) => real(path.resolve(root, p))));
        clangFiles.delete(real(file));
        // The errors are clang's own: vmlinux.h's `typedef u16 wchar_t` and clang's <stddef.h> `typedef int wchar_t`
        // are an error for clang too (`-M` only preprocesses, so it does not see it).
        const syntax = spawnSync('clang', ['-target', 'bpf', '-fsyntax-only', '-Iheaders', '-idirafter', multiarch, '-D__TARGET_ARCH_x86', name], { cwd: root, encoding: 'utf8' });
        const clangErrors = syntax.stderr.split('\n').map((line) => /: error: (.*)$/.exec(line)?.[1]).filter((m): m is string => m !== undefined);
        const { analysis } = service.analyze(file, text);
        assert.deepStrictEqual(analysis.diagnostics.filter((d) => d.category === 'error').map((d) => d.message), clangErrors, name);
        const ours = new Set(analysis.pp.includes.filter((r) => r.resolvedPath).map((r) => real(r.resolvedPath!)));
        assert.deepStrictEqual([...ours].sort(), [...clangFiles].sort(), name);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a compile_commands.json command with response files (CMake\'s includes_C.rsp, one nested): the headers clang reads are the ones we resolve', function () {
    requireSystem(this);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-oracle-rsp-'));
    try {
      for (const folder of ['src', 'include/net', 'build/CMakeFiles/probe.dir']) fs.mkdirSync(path.join(root, folder), { recursive: true });
      fs.writeFileSync(path.join(root, 'include/net/flow.h'), '#pragma once\n#define FLOW_SLOTS 8\n');
      fs.writeFileSync(path.join(root, 'build/CMakeFiles/probe.dir/includes_C.rsp'), '-I../include @CMakeFiles/probe.dir/defines.rsp\n');
      fs.writeFileSync(path.join(root, 'build/CMakeFiles/probe.dir/defines.rsp'), '-DFLOW_EXTRA=2\n');
      const file = path.join(root, 'src/probe.bpf.c');
      const text = '#include <stddef.h>\n#include "net/flow.h"\nint slots = FLOW_SLOTS + FLOW_EXTRA;\n';
      fs.writeFileSync(file, text);
      const args = ['-target', 'bpf', '@CMakeFiles/probe.dir/includes_C.rsp', '-c', '../src/probe.bpf.c'];
      fs.writeFileSync(path.join(root, 'build/compile_commands.json'), JSON.stringify([{ directory: path.join(root, 'build'), file: '../src/probe.bpf.c', arguments: ['clang', ...args] }]));
      const clang = spawnSync('clang', [...args.slice(0, -2), '-M', '../src/probe.bpf.c'], { cwd: path.join(root, 'build'), encoding: 'utf8' });
      assert.strictEqual(clang.status, 0, clang.stderr);
      const clangFiles = new Set(clang.stdout.slice(clang.stdout.indexOf(':') + 1).split(/\s+/).filter((t) => t && t !== '\\').map((p) => real(path.resolve(root, 'build', p))));
      clangFiles.delete(real(file));
      const { analysis } = createLanguageService(createNodeHost(), defaultSettings()).analyze(file, text);
      assert.deepStrictEqual(analysis.diagnostics.filter((d) => d.category === 'error').map((d) => d.message), []);
      const ours = new Set(analysis.pp.includes.filter((r) => r.resolvedPath).map((r) => real(r.resolvedPath!)));
      assert.deepStrictEqual([...ours].sort(), [...clangFiles].sort());
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
