/**
 * Issue 17's first figure: `bpf-iter run` of a plain scenario JSON file with a 1M-element hash map (key 4 B,
 * value 8 B), end to end (a fresh process: read, parse and check the scenario, check and compile the program, fill
 * the map, iterate, write the output), next to hand-written JavaScript that parses the same file with JSON.parse
 * and does the same work, and next to `bpftool map dump` of a real map of the same size (root and bpftool only).
 * Each figure is wall time and, where /usr/bin/time exists, CPU time and peak memory: on a shared machine the CPU
 * ratio is the steadier one. BENCH_E2E_ELEMENTS=N changes the size.
 */
import { spawnSync, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ELEMENTS = Number(process.env.BENCH_E2E_ELEMENTS ?? 1_000_000);
const repoRoot = path.join(__dirname, '../../..');
const PROLOGUE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nchar LICENSE[] SEC("license") = "GPL";\n\n';
const SUM_PROGRAM = PROLOGUE + '__u64 total = 0;\n__u64 count = 0;\n\nSEC("iter/bpf_map_elem")\nint sum_values(struct bpf_iter__bpf_map_elem *ctx)\n{\n'
  + '\t__u64 *val = ctx->value;\n\n\tif (!val) {\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%llu elements, sum %llu\\n", count, total);\n\t\treturn 0;\n\t}\n'
  + '\ttotal += *val;\n\tcount++;\n\treturn 0;\n}\n';
const PRINT_PROGRAM = PROLOGUE + 'SEC("iter/bpf_map_elem")\nint print_elems(struct bpf_iter__bpf_map_elem *ctx)\n{\n\t__u32 *key = ctx->key;\n'
  + '\t__u64 *val = ctx->value;\n\n\tif (!key || !val)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu\\n", *key, *val);\n\treturn 0;\n}\n';
/** The hand-written baseline: the same file, JSON.parse, the same work, the same output. */
const HAND_WRITTEN = `
const s = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const entries = s.maps[0].entries;
if (process.argv[3] === 'print') {
  const out = [];
  for (const e of entries) out.push(e.key + ' ' + e.value + '\\n');
  process.stdout.write(out.join(''));
} else {
  let total = 0n, count = 0n;
  for (const e of entries) { total += BigInt(e.value); count++; }
  process.stdout.write(count + ' elements, sum ' + total + '\\n');
}`;

interface Measured { wall: number; cpu?: number; maxRssMb?: number; stdout: string }

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

let measured = 0;
function measure(args: string[], dir: string): Measured {
  const start = process.hrtime.bigint();
  const timeFile = path.join(dir, `time-${measured++}.txt`);
  const argv = TIME ? [TIME, '-f', '%U %S %M', '-o', timeFile, process.execPath, ...args] : [process.execPath, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, cwd: repoRoot });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  const m = TIME ? /(\d+\.\d+) (\d+\.\d+) (\d+)\s*$/.exec(fs.readFileSync(timeFile, 'utf8')) : null;
  return { wall, stdout: r.stdout, ...(m ? { cpu: Number(m[1]) + Number(m[2]), maxRssMb: Number(m[3]) / 1024 } : {}) };
}

function bpftoolDump(entries: number): string {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'skipped: not root';
  if (spawnSync('bpftool', ['version']).status !== 0) return 'skipped: bpftool missing';
  const dir = `/sys/fs/bpf/bpf-iter-e2e-${process.pid}`;
  const batch = path.join(os.tmpdir(), `bpf-iter-e2e-${process.pid}.batch`);
  try {
    fs.mkdirSync(dir);
    execFileSync('bpftool', ['map', 'create', `${dir}/m`, 'type', 'hash', 'key', '4', 'value', '8', 'entries', String(entries), 'name', 'e2e_dump']);
    const fd = fs.openSync(batch, 'w');
    let chunk = '';
    for (let i = 0; i < entries; i++) {
      chunk += `map update pinned ${dir}/m key ${i & 255} ${(i >> 8) & 255} ${(i >> 16) & 255} ${i >>> 24} value ${i & 255} 0 0 0 0 0 0 0\n`;
      if (chunk.length > 1 << 20) { fs.writeSync(fd, chunk); chunk = ''; }
    }
    fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    execFileSync('bpftool', ['batch', 'file', batch], { stdio: 'ignore' });
    const start = process.hrtime.bigint();
    execFileSync('bpftool', ['map', 'dump', 'pinned', `${dir}/m`], { maxBuffer: 1 << 30 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return `${Math.round(entries / seconds).toLocaleString('en-US')} elements/s (${seconds.toFixed(2)} s)`;
  } catch (e) {
    return `skipped: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(batch, { force: true });
  }
}

/**
 * Parsing the scenario, creating the map and filling it (what the run's "load" phase does), in CPU ms of this
 * process (best of 3): for the entries_file and the generate rule.
 */
function loadCpu(fromFile: string, generated: string): string {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Kernel } = require(path.join(repoRoot, 'out/server/src/kernel')) as typeof import('../../server/src/kernel');
  const { parseScenario } = require(path.join(repoRoot, 'out/server/src/exec/scenario')) as typeof import('../../server/src/exec/scenario');
  const { createScenarioMap, fillScenarioMap } = require(path.join(repoRoot, 'out/server/src/exec/scenarioMaps')) as typeof import('../../server/src/exec/scenarioMaps');
  const { createNodeHost } = require(path.join(repoRoot, 'out/server/src/service/host')) as typeof import('../../server/src/service/host');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const once = (file: string): number => {
    const start = cpuMs();
    const s = parseScenario(fs.readFileSync(file, 'utf8'), file, { fileSize: (p) => fs.statSync(p).size }).scenario!;
    const m = s.maps[0];
    const k = new Kernel({ cpus: s.cpus });
    const fd = createScenarioMap(k, { name: m.name, type: m.type!, key_size: m.key_size!, value_size: m.value_size!, max_entries: m.max_entries!, flags: m.flags }, m.path, new Map());
    // the entries file read as the run reads it, a chunk of records at a time
    if (!m.entriesFile) fillScenarioMap(k, fd, m.entries, m.name, new Map(), m.path, m.generate);
    else createNodeHost().readFileAt!(m.entriesFile, (read, size) => fillScenarioMap(k, fd, m.entries, m.name, new Map(), m.path, m.generate, { path: m.entriesFile!, size, read }));
    return cpuMs() - start;
  };
  const best = (file: string): number => Math.min(once(file), once(file), once(file));
  return `entries_file ${best(fromFile).toFixed(0)} ms, generate ${best(generated).toFixed(0)} ms (goal 150 ms)`;
}

/** The 1-minute load average, printed beside each figure: other processes share this machine's cores. */
export function loadAverage(): string { return `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`; }

function sortedLines(text: string): string { return text.split('\n').filter(Boolean).sort().join('\n'); }

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-e2e-'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { writeBenchScenario } = require(path.join(repoRoot, 'scripts/gen-bench-scenario.js')) as { writeBenchScenario(file: string, n: number): void };
    const scenario = path.join(dir, 'big.json');
    writeBenchScenario(scenario, ELEMENTS);
    const hand = path.join(dir, 'hand.js');
    fs.writeFileSync(hand, HAND_WRITTEN);
    const cli = path.join(repoRoot, 'bin/bpf-iter.js');
    const size = `${(ELEMENTS / 1e6).toLocaleString('en-US')}M`;
    const show = (m: Measured): string => `${m.wall.toFixed(2)} s wall${m.cpu !== undefined ? `, ${m.cpu.toFixed(2)} s CPU, ${m.maxRssMb!.toFixed(0)} MiB` : ''}`;
    for (const work of ['sum', 'print'] as const) {
      const prog = path.join(dir, `${work}.bpf.c`);
      fs.writeFileSync(prog, work === 'sum' ? SUM_PROGRAM : PRINT_PROGRAM);
      const js = measure([hand, scenario, work], dir);
      const ours = measure([cli, 'run', prog, '--scenario', scenario], dir);
      // output checked: the same lines (the simulator prints in hash-bucket order, the JS in file order)
      const same = work === 'sum' ? ours.stdout === js.stdout : sortedLines(ours.stdout) === sortedLines(js.stdout);
      const timings = JSON.parse(measure([cli, 'run', prog, '--scenario', scenario, '--json'], dir).stdout).stats.timings as Record<string, number>;
      const ratio = (a?: number, b?: number): string => (a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}x` : 'n/a');
      console.log(`e2e ${work}, ${size} hash from plain JSON: bpf-iter run ${show(ours)} (${Math.round(ELEMENTS / ours.wall).toLocaleString('en-US')} elements/s); `
        + `hand-written JS ${show(js)}; ratio ${ratio(ours.wall, js.wall)} wall, ${ratio(ours.cpu, js.cpu)} CPU (goal ${work === 'sum' ? '1.5x' : '2x'}); output ${same ? 'same' : 'DIFFERS'}; ${loadAverage()}`);
      console.log(`  run --json timings (ms): ${Object.entries(timings).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
    }
    // the bulk form: the same map as a "generate" rule (17.3's goal: 1M entries load in <= 150 ms)
    const generated = path.join(dir, 'generated.json');
    fs.writeFileSync(generated, JSON.stringify({ cpus: 2, maps: [{ name: 'big', type: 'hash', key_size: 4, value_size: 8, max_entries: ELEMENTS,
      generate: { count: ELEMENTS, value: { uniform: [0, 99999] }, seed: 7 } }], attach: { map: 'big' } }));
    const gen = measure([cli, 'run', path.join(dir, 'sum.bpf.c'), '--scenario', generated, '--json'], dir);
    const genTimings = JSON.parse(gen.stdout).stats.timings as Record<string, number>;
    console.log(`e2e sum, ${size} hash from a "generate" rule: ${show(gen)}; load ${Math.round(genTimings.load)} ms wall (goal 150 ms); ${loadAverage()}`);
    // the bulk form a user exports from a live system: the same elements as fixed-size records in an entries_file
    const records = Buffer.alloc(ELEMENTS * 12);
    const parsed = JSON.parse(fs.readFileSync(scenario, 'utf8')) as { maps: Array<{ entries: Array<{ key: number; value: number }> }> };
    parsed.maps[0].entries.forEach((e, i) => { records.writeUInt32LE(e.key, i * 12); records.writeBigUInt64LE(BigInt(e.value), i * 12 + 4); });
    fs.writeFileSync(path.join(dir, 'big.entries'), records);
    const fromFile = path.join(dir, 'from-file.json');
    fs.writeFileSync(fromFile, JSON.stringify({ cpus: 2, maps: [{ name: 'big', type: 'hash', key_size: 4, value_size: 8, max_entries: ELEMENTS, entries_file: 'big.entries' }], attach: { map: 'big' } }));
    const bin = measure([cli, 'run', path.join(dir, 'sum.bpf.c'), '--scenario', fromFile, '--json'], dir);
    const binResult = JSON.parse(bin.stdout) as { output: string; stats: { timings: Record<string, number> } };
    const jsSum = measure([hand, scenario, 'sum'], dir).stdout;
    console.log(`e2e sum, ${size} hash from an entries_file (${(records.length / 2 ** 20).toFixed(1)} MiB of 12-byte records): ${show(bin)}; `
      + `load ${Math.round(binResult.stats.timings.load)} ms wall (goal 150 ms); output ${binResult.output === jsSum ? 'same' : 'DIFFERS'}; ${loadAverage()}`);
    console.log(`load in this process, CPU time (the run's wall "load" above counts waits for a loaded machine's cores): ${loadCpu(fromFile, generated)}; ${loadAverage()}`);
    console.log(`bpftool map dump, ${size} hash on the real kernel: ${bpftoolDump(ELEMENTS)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
