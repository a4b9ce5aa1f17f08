#!/usr/bin/env node
'use strict';
/**
 * Records what the real toolchain and kernel say about every program of test/realworld/ into each project's
 * expect.json. Needs root, clang, bpftool, kernel BTF and a bpffs; run as `node scripts/record-realworld.js
 * [PROJECT...]`.
 *
 * For each iterator program: compile it with clang using the project's OWN build setup (compile_commands.json
 * or compile_flags.txt found as clangd finds them; -O2 -g and -target bpf are added when the setup leaves them
 * out, as the projects' Makefiles pass them), create the maps of `<prog>.bpfscenario.json` with bpftool under
 * a private bpffs directory (names as in the scenario: the programs pick their maps by name), fill them, `bpftool
 * iter pin` the object (with `map pinned ...` for iter/bpf_map_elem), `cat` the pin, then remove everything it
 * created. Ids in the output are normalised (see realworld-corpus.js).
 *
 * Loading iter/bpf_map_elem programs is refused with EPERM on the machine this corpus was recorded on (a sandbox
 * rule); for those the kernel part comes from the project's hand-written `derived.json` (derived from the kernel
 * source), and expect.json marks it `"derived": true` next to the EPERM that was observed.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const corpus = require('./realworld-corpus');

const MAP_FLAG_BITS = {
  BPF_F_NO_PREALLOC: 1, BPF_F_NO_COMMON_LRU: 2, BPF_F_NUMA_NODE: 4, BPF_F_RDONLY: 8, BPF_F_WRONLY: 16,
  BPF_F_STACK_BUILD_ID: 32, BPF_F_ZERO_SEED: 64, BPF_F_RDONLY_PROG: 128, BPF_F_WRONLY_PROG: 256, BPF_F_MMAPABLE: 1024,
};
const ERRNO_NAMES = { 1: 'EPERM', 2: 'ENOENT', 7: 'E2BIG', 9: 'EBADF', 13: 'EACCES', 14: 'EFAULT', 22: 'EINVAL', 28: 'ENOSPC', 95: 'EOPNOTSUPP', 524: 'ENOTSUPP' };

function whyUnavailable() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  for (const tool of ['clang', 'bpftool']) if (spawnSync(tool, ['--version']).status !== 0) return `${tool} is missing`;
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'no /sys/kernel/btf/vmlinux';
  if (spawnSync('mountpoint', ['-q', '/sys/fs/bpf']).status !== 0 && spawnSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']).status !== 0) return 'no bpffs';
  return undefined;
}

/** Bytes of a scenario key or value as bpftool's `key`/`value` arguments. */
function bytesOf(v, size) {
  const bytes = [];
  if (typeof v === 'number' || typeof v === 'bigint') {
    let n = BigInt.asUintN(size * 8, BigInt(v));
    for (let i = 0; i < size; i++) { bytes.push(Number(n & 0xffn)); n >>= 8n; }
  } else if (v && typeof v === 'object' && 'prefixlen' in v) {
    return [...bytesOf(v.prefixlen, 4), ...bytesOf(v.data, size - 4)];
  } else {
    for (const h of String(v).replace(/\s+/g, '').match(/../g) ?? []) bytes.push(parseInt(h, 16));
    while (bytes.length < size) bytes.push(0);
  }
  return bytes.map(String);
}

/** The verifier's key line: the last line of the log that says why, before the statistics lines. */
function keyMessage(log) {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  const stats = /^(processed \d+ insns|verification time|stack depth|-- END PROG LOAD LOG --|libbpf:|Error:|Warning:|cur state:|old state:)/;
  const verifier = lines.filter((l) => !stats.test(l));
  return verifier.length ? verifier[verifier.length - 1] : lines.find((l) => l.startsWith('libbpf:')) ?? lines[lines.length - 1] ?? '';
}

function errnoOf(log) {
  const m = /failed to load(?: object file)?: -?(\d+)|error:? -?(\d+)|failed to (?:create|attach)[^\n]*?-(\d+)/i.exec(log)
    ?? /Error: [^\n]*\b(?:errno|err)[= ]?-?(\d+)/.exec(log);
  const n = m && Number(m[1] ?? m[2] ?? m[3]);
  if (n) return ERRNO_NAMES[n] ?? `errno ${n}`;
  const named = /\b(EPERM|EACCES|EINVAL|E2BIG|EBADF|ENOENT|EFAULT|ENOSPC)\b/.exec(log)
    ?? (/Permission denied/.test(log) ? [null, 'EACCES'] : /Operation not permitted/.test(log) ? [null, 'EPERM'] : /Invalid argument/.test(log) ? [null, 'EINVAL'] : null);
  return named ? named[1] : 'unknown';
}

function recordProgram(project, program, work, pinRoot) {
  const setup = corpus.buildSetup(project, program.file);
  const args = [...setup.args];
  const hasTarget = args.some((a, i) => (a === '-target' && args[i + 1] === 'bpf') || /^--target=bpf/.test(a));
  if (!hasTarget) args.unshift('-target', 'bpf');
  if (!args.some((a) => /^-O/.test(a))) args.push('-O2');
  if (!args.includes('-g')) args.push('-g');
  const obj = path.join(work, `${path.basename(program.file).replace(/\.c$/, '')}.o`);
  const cc = spawnSync('clang', [...args, '-c', program.file, '-o', obj], { cwd: setup.cwd, encoding: 'utf8' });
  const result = {
    target: program.target,
    build: setup.setupFile ? path.relative(project.dir, setup.setupFile).split(path.sep).join('/') : 'none (Makefile defaults)',
    clang: { compiles: cc.status === 0 },
  };
  if (cc.status !== 0) {
    const error = cc.stderr.split('\n').find((l) => /error:/.test(l)) ?? cc.stderr.trim().split('\n')[0];
    result.clang.error = error.replace(/^.*?(error:)/, '$1').trim();
    result.kernel = { verdict: 'not loaded (clang fails)' };
    return result;
  }
  const scenarioFile = program.file.replace(/(\.bpf)?\.c$/, '.bpfscenario.json');
  const scenario = fs.existsSync(scenarioFile) ? JSON.parse(fs.readFileSync(scenarioFile, 'utf8')) : {};
  const dir = path.join(pinRoot, project.name.replace(/[^A-Za-z0-9_-]/g, '_') + '_' + path.basename(obj, '.o').replace(/[^A-Za-z0-9_-]/g, '_'));
  fs.mkdirSync(dir);
  try {
    if (LOAD_ONLY_TARGETS.has(program.target)) return recordLoadOnly(project, program, obj, dir, result);
    for (const m of scenario.maps ?? []) {
      const flags = (m.flags ?? []).reduce((acc, f) => acc | (MAP_FLAG_BITS[f] ?? 0), 0);
      const made = spawnSync('bpftool', ['map', 'create', path.join(dir, `m_${m.name}`), 'type', String(m.type), 'key', String(m.key_size), 'value', String(m.value_size),
        'entries', String(m.max_entries), 'name', m.name, 'flags', String(flags)], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`scenario map ${m.name}: ${made.stderr}`);
      for (const e of m.entries ?? []) {
        /* bpftool sets one value on every CPU of a per-CPU map: different values per CPU cannot be made here */
        if (e.values && new Set(e.values.map(String)).size > 1) {
          if (program.target === 'bpf_map_elem') continue; /* its kernel part is derived anyway (EPERM) */
          throw new Error(`scenario map ${m.name}: bpftool cannot give each CPU its own value`);
        }
        const value = bytesOf(e.values ? e.values[0] : e.value, m.value_size);
        const upd = spawnSync('bpftool', ['map', 'update', 'pinned', path.join(dir, `m_${m.name}`), 'key', ...bytesOf(e.key, m.key_size), 'value', ...value], { encoding: 'utf8' });
        if (upd.status !== 0) throw new Error(`scenario map ${m.name} entry: ${upd.stderr}`);
      }
    }
    const pinArgs = ['iter', 'pin', obj, path.join(dir, 'iter')];
    if (program.target === 'bpf_map_elem' && scenario.attach && scenario.attach.map) pinArgs.push('map', 'pinned', path.join(dir, `m_${scenario.attach.map}`));
    const pin = spawnSync('bpftool', ['-d', ...pinArgs], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (pin.status !== 0) {
      const errno = errnoOf(pin.stderr);
      result.kernel = { verdict: 'rejected', errno, message: keyMessage(pin.stderr) };
      if (program.target === 'bpf_map_elem' && errno === 'EPERM') {
        const derivedPath = path.join(project.dir, 'derived.json');
        const derived = fs.existsSync(derivedPath) ? JSON.parse(fs.readFileSync(derivedPath, 'utf8'))[program.rel] : undefined;
        result.kernel = derived ? { ...derived.kernel, derived: true, observed: 'EPERM: loading iter/bpf_map_elem programs is refused on the recording machine' }
          : { verdict: 'unknown', derived: true, observed: 'EPERM: loading iter/bpf_map_elem programs is refused on the recording machine; no derived.json entry' };
        if (derived && derived.output !== undefined) result.output = derived.output;
      }
      return result;
    }
    result.kernel = { verdict: 'loads' };
    // the task targets walk the recording machine's own processes: their output is this host's, not the scenario's
    // world, so only the verdict is recorded (test/oracle/kernel.taskIter.test.ts compares outputs in a pid namespace)
    if (/^task/.test(program.target)) return result;
    // the kernel-object targets walk this host's programs, links, symbols, slab caches and dma-bufs: verdict only
    // (test/oracle/kernel.objectIters.test.ts compares what does not depend on the host's exact state)
    if (HOST_OBJECT_TARGETS.has(program.target)) return result;
    // The maps only the object's other programs used (a tc or kprobe program beside the iterator) are freed when
    // bpftool exits, but asynchronously (bpf_map_put() defers the free through RCU and a workqueue): give that a
    // moment before the one read (reading twice would run the program twice, and programs that count change).
    spawnSync('sleep', ['0.3']);
    // The socket and route targets walk the reader's network namespace: read them in a fresh one (loopback up,
    // nothing else), the world their scenarios describe, instead of the recording host's own sockets.
    const read = SOCKET_TARGETS.has(program.target)
      ? spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up && cat "$0"', path.join(dir, 'iter')], { encoding: 'latin1' })
      : spawnSync('cat', [path.join(dir, 'iter')], { encoding: 'latin1' });
    if (read.status !== 0) {
      result.kernel.readError = errnoOf(read.stderr);
      result.output = corpus.normaliseIds(read.stdout);
    } else {
      result.output = corpus.normaliseIds(read.stdout);
    }
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Targets `bpftool iter pin` cannot attach as their scenarios describe: iter/cgroup needs link_info.cgroup.order
 * (bpftool passes none, so attach fails with EINVAL in bpf_iter_attach_cgroup()), iter/sockmap and
 * iter/bpf_sk_storage_map need a map holding sockets (bpftool cannot put sockets in a sockmap nor create an
 * sk_storage map with BTF). For these `bpftool prog load` records whether the verifier accepts the program: verdict
 * only, no output. A load refused with EPERM before verification (the recording machine's sandbox rule for the
 * map-element targets) takes its verdict from the project's derived.json, as iter/bpf_map_elem does.
 */
const LOAD_ONLY_TARGETS = new Set(['cgroup', 'sockmap', 'bpf_sk_storage_map']);

function recordLoadOnly(project, program, obj, dir, result) {
  const load = spawnSync('bpftool', ['-d', 'prog', 'load', obj, path.join(dir, 'prog')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (load.status === 0) {
    result.kernel = { verdict: 'loads', how: 'bpftool prog load (no attach: verdict only)' };
    return result;
  }
  const errno = errnoOf(load.stderr);
  result.kernel = { verdict: 'rejected', errno, message: keyMessage(load.stderr) };
  if (errno === 'EPERM' && program.target !== 'cgroup') {
    const derivedPath = path.join(project.dir, 'derived.json');
    const derived = fs.existsSync(derivedPath) ? JSON.parse(fs.readFileSync(derivedPath, 'utf8'))[program.rel] : undefined;
    const observed = `EPERM: loading iter/${program.target} programs is refused on the recording machine`;
    result.kernel = derived ? { ...derived.kernel, derived: true, observed } : { verdict: 'unknown', derived: true, observed: `${observed}; no derived.json entry` };
  }
  return result;
}

/** Targets over the kernel's own objects (kernel/objectIters.ts). */
const HOST_OBJECT_TARGETS = new Set(['bpf_prog', 'bpf_link', 'ksym', 'kmem_cache', 'dmabuf']);

/** Targets that walk the reader's network namespace (kernel/net/targets.ts). */
const SOCKET_TARGETS = new Set(['tcp', 'udp', 'unix', 'netlink', 'ipv6_route']);

function main() {
  const why = whyUnavailable();
  if (why) { console.error(`record-realworld: cannot record here: ${why}`); process.exit(2); }
  const only = new Set(process.argv.slice(2));
  const prepared = corpus.prepare();
  if (prepared.vmlinuxSource !== 'bpftool') { console.error('record-realworld: bpftool could not dump /sys/kernel/btf/vmlinux'); process.exit(2); }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'record-realworld-'));
  const pinRoot = `/sys/fs/bpf/record_realworld_${process.pid}`;
  fs.mkdirSync(pinRoot);
  const kernelRelease = os.release();
  const clangVersion = spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  try {
    for (const project of corpus.listProjects()) {
      if (only.size && !only.has(project.name)) continue;
      const expect = { recorded: { by: 'scripts/record-realworld.js', kernel: kernelRelease, clang: clangVersion }, programs: {} };
      for (const program of project.programs) {
        expect.programs[program.rel] = recordProgram(project, program, work, pinRoot);
        const r = expect.programs[program.rel];
        console.log(`${project.name}/${program.rel}: clang ${r.clang.compiles ? 'ok' : 'fails'}; kernel ${r.kernel.verdict}${r.kernel.errno ? ' ' + r.kernel.errno + ' (' + r.kernel.message + ')' : ''}${r.kernel.derived ? ' [derived]' : ''}`);
      }
      fs.writeFileSync(path.join(project.dir, 'expect.json'), JSON.stringify(expect, null, 1) + '\n');
    }
  } finally {
    fs.rmSync(pinRoot, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) main();
module.exports = { recordProgram, whyUnavailable, bytesOf, keyMessage, errnoOf };
