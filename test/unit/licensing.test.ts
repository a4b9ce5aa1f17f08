// SPDX-License-Identifier: MIT
import * as assert from 'assert';
import * as fs from 'fs';
import { spawnSync } from 'child_process';
import * as path from 'path';

/**
 * The project's code and test programs are its own: no file of test/, examples/, server/ or client/ may carry
 * another project's copyright line, name or a GPL-only SPDX header. The vendored libbpf headers
 * (server/headers/bpf, LGPL-2.1 OR BSD-2-Clause, described in server/headers/LICENSE.md) are the one exception.
 * TypeScript/JavaScript is MIT; BPF C programs are `GPL-2.0 OR MIT` (their license section says "GPL" or
 * "Dual MIT/GPL", which license_is_gpl_compatible() accepts, so GPL-only helpers stay allowed).
 */
const root = path.resolve(__dirname, '../../..');
const SCANNED = ['test', 'examples', 'server', 'client'];
const SKIPPED_DIRS = new Set(['node_modules', 'out', 'dist', '.vscode-test']);
const VENDORED = path.join('server', 'headers', 'bpf');
const THIS_FILE = path.join('test', 'unit', 'licensing.test.ts');
const TEXT = /\.(ts|js|c|h|json|md|sh|txt|yml|yaml)$/;

/** What another project's file carries: its copyright holders, its test suite's name, a GPL-only license header. */
const FOREIGN_MARKERS: [RegExp, string][] = [
  [/copyright\s*(\(c\)|©)?\s*\d{4}.*\b(facebook|meta|isovalent|google|red hat|intel|oracle)\b/i, 'another project\'s copyright line'],
  [/\bmeta platforms\b/i, 'Meta Platforms'],
  [/\bisovalent\b/i, 'Isovalent'],
  [/\bfacebook\b/i, 'Facebook'],
  [/\bselftests?\b/i, 'the kernel\'s selftests (re-typed programs)'],
  [/SPDX-License-Identifier:\s*(GPL-2\.0(-only|-or-later|\+)?|GPL-2\.0 WITH [\w-]+)\s*(\*\/)?\s*$/m, 'a GPL-only SPDX header'],
];

function projectFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) { if (!SKIPPED_DIRS.has(entry.name) && child !== VENDORED) walk(child); }
      // a symlink is not a file of ours (the realworld corpus links vmlinux.h to one generated at test time)
      else if (entry.isFile() && TEXT.test(entry.name) && child !== THIS_FILE) out.push(child);
    }
  };
  for (const dir of SCANNED) if (fs.existsSync(path.join(root, dir))) walk(dir);
  // What git ignores is generated at test time (the realworld corpus's vendored libbpf copy, its shared vmlinux.h),
  // not the project's own files.
  const ignored = gitIgnored(out);
  return out.filter((f) => !ignored.has(f));
}

function gitIgnored(files: string[]): Set<string> {
  const r = spawnSync('git', ['check-ignore', '--stdin'], { cwd: root, input: files.join('\n'), encoding: 'utf8' });
  return new Set(r.status === 0 ? r.stdout.split('\n').filter(Boolean) : []);
}

export function foreignMarkers(text: string): string[] {
  return FOREIGN_MARKERS.filter(([re]) => re.test(text)).map(([, what]) => what);
}

describe('licensing: every file of the project is its own', () => {
  const files = projectFiles();

  it('scans the project (test, examples, server, client) but not the vendored libbpf headers', () => {
    assert.ok(files.length > 200, `${files.length} files`);
    assert.ok(files.some((f) => f.startsWith(path.join('test', 'corpus'))));
    assert.ok(!files.some((f) => f.startsWith(VENDORED)));
  });

  it('the markers find what they are for, and not the licenses the project uses', () => {
    assert.deepStrictEqual(foreignMarkers('// SPDX-License-Identifier: GPL-2.0\n/* Copyright (c) 2020 Facebook */'), ['another project\'s copyright line', 'Facebook', 'a GPL-only SPDX header']);
    assert.deepStrictEqual(foreignMarkers('/* SPDX-License-Identifier: GPL-2.0-only */\n'), ['a GPL-only SPDX header']);
    assert.deepStrictEqual(foreignMarkers('// re-typed from a kernel selftest\n'), ['the kernel\'s selftests (re-typed programs)']);
    assert.deepStrictEqual(foreignMarkers('// SPDX-License-Identifier: GPL-2.0 OR MIT\nchar LICENSE[] SEC("license") = "Dual MIT/GPL";\n'), []);
    assert.deepStrictEqual(foreignMarkers('// SPDX-License-Identifier: MIT\n'), []);
  });

  it('no file carries another project\'s license header or name', () => {
    const found = files.flatMap((f) => foreignMarkers(fs.readFileSync(path.join(root, f), 'utf8')).map((what) => `${f}: ${what}`));
    assert.deepStrictEqual(found, []);
  });

  it('every SPDX header says MIT (TypeScript/JavaScript) or GPL-2.0 OR MIT (BPF C)', () => {
    const wrong = files.flatMap((f) => {
      const m = /SPDX-License-Identifier:\s*([^*\n]+?)\s*(\*\/)?$/m.exec(fs.readFileSync(path.join(root, f), 'utf8').slice(0, 400));
      if (!m) return [];
      const want = /\.(c|h)$/.test(f) ? 'GPL-2.0 OR MIT' : 'MIT';
      return m[1] === want ? [] : [`${f}: ${m[1]} (want ${want})`];
    });
    assert.deepStrictEqual(wrong, []);
  });

  it('the vendored libbpf headers say their license, and server/headers/LICENSE.md says they are vendored', () => {
    const note = fs.readFileSync(path.join(root, 'server', 'headers', 'LICENSE.md'), 'utf8');
    for (const f of fs.readdirSync(path.join(root, VENDORED))) {
      const head = fs.readFileSync(path.join(root, VENDORED, f), 'utf8').slice(0, 200);
      if (head.includes('SPDX')) assert.match(head, /SPDX-License-Identifier: \(?LGPL-2\.1 OR BSD-2-Clause\)?/, f);
      assert.ok(note.includes(f), `LICENSE.md names ${f}`);
    }
    assert.match(note, /vendored/i);
  });
});
