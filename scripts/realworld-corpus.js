'use strict';
/**
 * The real-world corpus (test/realworld/): finding its projects and programs, preparing the files a checkout
 * generates (the shared vmlinux.h, compile_commands.json from its template, a vendored libbpf checkout), reading
 * each project's own build setup the way clangd finds it, and normalising map/prog ids in iterator output.
 * Used by scripts/record-realworld.js (the recorder, on the real kernel) and by the tests in
 * test/integration/realworld*.test.ts and test/oracle/realworld-kernel.test.ts.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..');
const corpusDir = path.join(repoRoot, 'test', 'realworld');
const sharedDir = path.join(corpusDir, '_shared');

/** A program of the corpus is a C file with an iterator section (libbpf's SEC() or a project's own macro). */
const ITER_SECTION = /(?:SEC|__section)\s*\(\s*"iter(?:\.s)?\/(bpf_map_elem|bpf_map|task_file|task_vma|task|tcp|udp|unix|netlink|ipv6_route|bpf_prog|bpf_link|ksym|kmem_cache|dmabuf|cgroup|sockmap|bpf_sk_storage_map)"\s*\)/;

function walk(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && entry.name.endsWith('.c')) out.push(full);
  }
  return out;
}

/** Every project (a directory of test/realworld not starting with `_` or `.`) with its iterator programs. */
function listProjects() {
  return fs.readdirSync(corpusDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = path.join(corpusDir, name);
      const programs = walk(dir, [])
        .map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }))
        .filter((p) => ITER_SECTION.test(p.text))
        .map((p) => ({ rel: path.relative(dir, p.file).split(path.sep).join('/'), file: p.file, target: ITER_SECTION.exec(p.text)[1] }));
      return { name, dir, programs };
    });
}

function readExpect(project) {
  const p = path.join(project.dir, 'expect.json');
  return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) : undefined;
}

/**
 * Writes the files a fresh checkout of these projects would generate before building:
 * - `_shared/vmlinux.h`: `bpftool btf dump file /sys/kernel/btf/vmlinux format c` when bpftool and kernel BTF
 *   are there (what the projects' Makefiles do), else a copy of the bundled `server/headers/vmlinux.h` (the whole 6.18 one);
 * - `build/compile_commands.json` from `build/compile_commands.json.in` (`@PROJECT_DIR@` becomes the project's
 *   absolute directory: the database needs absolute paths, which is why it is generated, as CMake or bear do);
 * - a `.libbpf-submodule` marker directory stands for a git submodule of libbpf: its `src/` gets the libbpf
 *   headers (this machine's /usr/include/bpf when present, else the bundled ones).
 * Returns where vmlinux.h came from.
 */
function prepare() {
  fs.mkdirSync(sharedDir, { recursive: true });
  const vmlinux = path.join(sharedDir, 'vmlinux.h');
  let vmlinuxSource = 'bundled';
  const dump = fs.existsSync('/sys/kernel/btf/vmlinux')
    ? spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 28, encoding: 'utf8' })
    : undefined;
  if (dump && dump.status === 0 && dump.stdout.length > 0) {
    vmlinuxSource = 'bpftool';
    if (!fs.existsSync(vmlinux) || fs.readFileSync(vmlinux, 'utf8') !== dump.stdout) fs.writeFileSync(vmlinux, dump.stdout);
  } else {
    fs.copyFileSync(path.join(repoRoot, 'server', 'headers', 'vmlinux.h'), vmlinux);
  }
  const libbpfHeaders = fs.existsSync('/usr/include/bpf/bpf_helpers.h') ? '/usr/include/bpf' : path.join(repoRoot, 'server', 'headers', 'bpf');
  for (const project of listProjects()) {
    const template = path.join(project.dir, 'build', 'compile_commands.json.in');
    if (fs.existsSync(template)) {
      const text = fs.readFileSync(template, 'utf8').split('@PROJECT_DIR@').join(project.dir);
      fs.writeFileSync(path.join(project.dir, 'build', 'compile_commands.json'), text);
    }
    const marker = path.join(project.dir, 'libbpf', '.libbpf-submodule');
    if (fs.existsSync(marker)) {
      const src = path.join(project.dir, 'libbpf', 'src');
      fs.mkdirSync(src, { recursive: true });
      for (const h of ['bpf_helpers.h', 'bpf_helper_defs.h', 'bpf_core_read.h', 'bpf_tracing.h', 'bpf_endian.h']) {
        if (fs.existsSync(path.join(libbpfHeaders, h))) fs.copyFileSync(path.join(libbpfHeaders, h), path.join(src, h));
      }
    }
  }
  return { vmlinuxSource, vmlinux, libbpfHeaders };
}

/** Splits a compile_commands.json "command" string as a shell would (the simple quoting it uses). */
function splitCommand(command) {
  const args = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)|(\s+)/g;
  let cur = null;
  for (let m = re.exec(command); m; m = re.exec(command)) {
    if (m[4] !== undefined) { if (cur !== null) args.push(cur); cur = null; continue; }
    const piece = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] !== undefined ? m[2] : m[3].replace(/\\(.)/g, '$1');
    cur = (cur ?? '') + piece;
  }
  if (cur !== null) args.push(cur);
  return args;
}

/**
 * The project's own build setup for one program, found as clangd finds it: from the file's directory up to the
 * project's root, `compile_commands.json` (also in a `build/` subdirectory) or `compile_flags.txt`.
 * Returns { kind, setupFile, cwd, args } where args are clang's arguments without the compiler, the input
 * and any -o/-c (the recorder adds its own), or kind 'none' with the flags the project's Makefile uses.
 */
function buildSetup(project, programFile) {
  let dir = path.dirname(programFile);
  for (;;) {
    for (const db of [path.join(dir, 'compile_commands.json'), path.join(dir, 'build', 'compile_commands.json')]) {
      if (!fs.existsSync(db)) continue;
      const entries = JSON.parse(fs.readFileSync(db, 'utf8'));
      const entry = entries.find((e) => path.resolve(e.directory, e.file) === programFile) ?? entries[0];
      const raw = entry.arguments ?? splitCommand(entry.command);
      return { kind: 'compile_commands.json', setupFile: db, cwd: entry.directory, args: stripIo(raw.slice(1), entry.directory, path.resolve(entry.directory, entry.file)) };
    }
    const flags = path.join(dir, 'compile_flags.txt');
    if (fs.existsSync(flags)) {
      const args = fs.readFileSync(flags, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
      return { kind: 'compile_flags.txt', setupFile: flags, cwd: dir, args };
    }
    if (dir === project.dir) break;
    dir = path.dirname(dir);
  }
  return { kind: 'none', setupFile: null, cwd: path.dirname(programFile), args: ['-target', 'bpf', '-O2', '-g'] };
}

function stripIo(args, directory, input) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-o') { i++; continue; }
    if (args[i] === '-c') continue;
    if (args[i].startsWith('-o') && args[i].length > 2) continue;
    if (!args[i].startsWith('-') && path.resolve(directory, args[i]) === input) continue;
    out.push(args[i]);
  }
  return out;
}

/**
 * Map and prog ids differ between kernels and runs: every number written after `id`, `map_id` or `prog_id`
 * (followed by `=`, `:` or spaces) is replaced by `#N`, N numbering distinct ids by first appearance.
 */
function normaliseIds(text) {
  const ids = new Map();
  return text.replace(/\b((?:map_|prog_)?id)([=:]\s*|\s+)(\d+)\b/g, (_, label, sep, id) => {
    if (!ids.has(id)) ids.set(id, `#${ids.size + 1}`);
    return `${label}${sep}${ids.get(id)}`;
  });
}

module.exports = { repoRoot, corpusDir, sharedDir, listProjects, readExpect, prepare, buildSetup, splitCommand, normaliseIds, ITER_SECTION };
