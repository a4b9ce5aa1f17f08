/**
 * Issue 17's scale goals, each a fresh `bpf-iter run` with its CPU time and peak memory (/usr/bin/time):
 * 100,000 maps under an `iter/bpf_map` program, a 10M-element hash map (goal: within 1 GiB), and a program that
 * prints 1 GB (goal: memory bounded by what the reader keeps: the output streams to stdout in read() pages and is
 * counted here, never kept). They take minutes on a small machine, so they run only with BENCH_SCALE=1.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAverage } from './endToEnd.bench';

const repoRoot = path.join(__dirname, '../../..');
const cli = path.join(repoRoot, 'bin/bpf-iter.js');
const PROLOGUE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nchar LICENSE[] SEC("license") = "GPL";\n\n';
const MAPS_PROGRAM = PROLOGUE + 'SEC("iter/bpf_map")\nint dump_maps(struct bpf_iter__bpf_map *ctx)\n{\n\tstruct bpf_map *map = ctx->map;\n\n\tif (!map)\n\t\treturn 0;\n'
  + '\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u %s %u\\n", map->id, map->name, map->max_entries);\n\treturn 0;\n}\n';
// bpf_seq_read() gives EAGAIN after 1M objects without output (MAX_ITER_OBJECTS), as the real kernel does: a sum
// over 10M elements prints a line every 500,000
const SUM_10M_PROGRAM = PROLOGUE + '__u64 total = 0;\n__u64 count = 0;\n\nSEC("iter/bpf_map_elem")\nint sum_values(struct bpf_iter__bpf_map_elem *ctx)\n{\n'
  + '\t__u64 *val = ctx->value;\n\n\tif (!val) {\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%llu elements, sum %llu\\n", count, total);\n\t\treturn 0;\n\t}\n'
  + '\ttotal += *val;\n\tif (++count % 500000 == 0)\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%llu so far\\n", count);\n\treturn 0;\n}\n';
// 10 lines of 100 bytes per element: 1M elements print 1,000,000,000 bytes
const WIDE_PROGRAM = PROLOGUE + 'SEC("iter/bpf_map_elem")\nint print_wide(struct bpf_iter__bpf_map_elem *ctx)\n{\n\t__u32 *key = ctx->key;\n\t__u64 *val = ctx->value;\n\tint i;\n\n'
  + '\tif (!key || !val)\n\t\treturn 0;\n\tfor (i = 0; i < 10; i++)\n'
  + '\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%10u %20llu %2d ................................................................\\n", *key, *val, i);\n\treturn 0;\n}\n';

interface Counted { wall: number; cpu?: number; maxRssMb?: number; bytes: number; lines: number; tail: string; status: number | null; stderr: string }

/** Runs the CLI with its stdout counted as it arrives (bytes, lines, the last 200 bytes), never kept whole. */
function runCounted(args: string[], dir: string): Promise<Counted> {
  const timeFile = path.join(dir, `time-${Date.now()}.txt`);
  const time = fs.existsSync('/usr/bin/time');
  const argv = time ? ['/usr/bin/time', '-f', '%U %S %M', '-o', timeFile, process.execPath, cli, ...args] : [process.execPath, cli, ...args];
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0, lines = 0, tail = '', stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      bytes += b.length;
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
      tail = (tail + b.subarray(Math.max(0, b.length - 200)).toString('latin1')).slice(-200);
    });
    child.stderr.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-2000); });
    child.on('close', (status) => {
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      const m = time ? /(\d+\.\d+) (\d+\.\d+) (\d+)\s*$/.exec(fs.readFileSync(timeFile, 'utf8')) : null;
      resolve({ wall, bytes, lines, tail, status, stderr, ...(m ? { cpu: Number(m[1]) + Number(m[2]), maxRssMb: Number(m[3]) / 1024 } : {}) });
    });
  });
}

const show = (c: Counted): string => `${c.wall.toFixed(1)} s wall${c.cpu !== undefined ? `, ${c.cpu.toFixed(1)} s CPU, peak ${c.maxRssMb!.toFixed(0)} MiB` : ''}`;
const failed = (c: Counted): string => (c.status === 0 ? '' : ` FAILED (exit ${c.status}: ${c.stderr.trim().split('\n').pop()})`);

export async function run(): Promise<void> {
  if (process.env.BENCH_SCALE !== '1') {
    console.log('scale: skipped (100,000 maps, a 10M-element map and 1 GB of output take minutes here; run with BENCH_SCALE=1)');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-scale-'));
  try {
    // 100,000 maps: one small array each, under an iter/bpf_map program that prints a line per map
    const maps = Array.from({ length: 100_000 }, (_, i) => ({ name: `m${i}`, type: 'array', key_size: 4, value_size: 8, max_entries: 1 }));
    fs.writeFileSync(path.join(dir, 'maps.json'), JSON.stringify({ cpus: 2, maps }));
    fs.writeFileSync(path.join(dir, 'maps.bpf.c'), MAPS_PROGRAM);
    const m = await runCounted(['run', path.join(dir, 'maps.bpf.c'), '--scenario', path.join(dir, 'maps.json')], dir);
    console.log(`scale: 100,000 maps, iter/bpf_map: ${show(m)}; ${m.lines.toLocaleString('en-US')} lines (expected 100,000 and the program's own maps)${failed(m)}; ${loadAverage()}`);

    // 10M elements from a generate rule (goal: the run within 1 GiB)
    fs.writeFileSync(path.join(dir, 'gen10m.json'), JSON.stringify({ cpus: 2, maps: [{ name: 'big', type: 'hash', key_size: 4, value_size: 8, max_entries: 10_000_000,
      generate: { count: 10_000_000, value: { start: 1, step: 1 } } }], attach: { map: 'big' } }));
    fs.writeFileSync(path.join(dir, 'sum10m.bpf.c'), SUM_10M_PROGRAM);
    const g = await runCounted(['run', path.join(dir, 'sum10m.bpf.c'), '--scenario', path.join(dir, 'gen10m.json')], dir);
    const expected = `10000000 elements, sum ${(10_000_000n * 10_000_001n) / 2n}\n`;
    console.log(`scale: 10M-element hash, sum: ${show(g)} (goal: peak within 1,024 MiB); output ${g.tail.endsWith(expected) ? 'right' : 'WRONG'}${failed(g)}; ${loadAverage()}`);

    // 1 GB of output: 1M elements from an entries_file, 1,000 bytes each, counted as it streams
    const records = Buffer.alloc(1_000_000 * 12);
    for (let i = 0; i < 1_000_000; i++) { records.writeUInt32LE(i, i * 12); records.writeBigUInt64LE(BigInt(i * 3), i * 12 + 4); }
    fs.writeFileSync(path.join(dir, 'wide.entries'), records);
    fs.writeFileSync(path.join(dir, 'wide.json'), JSON.stringify({ cpus: 2, maps: [{ name: 'big', type: 'hash', key_size: 4, value_size: 8, max_entries: 1_000_000, entries_file: 'wide.entries' }], attach: { map: 'big' } }));
    fs.writeFileSync(path.join(dir, 'wide.bpf.c'), WIDE_PROGRAM);
    const w = await runCounted(['run', path.join(dir, 'wide.bpf.c'), '--scenario', path.join(dir, 'wide.json'), '--max-output', '2000000000'], dir);
    console.log(`scale: 1 GB of output (1M elements x 1,000 bytes) streamed to a pipe: ${show(w)}; ${w.bytes.toLocaleString('en-US')} bytes `
      + `(expected 1,000,000,000), ${(w.bytes / 2 ** 20 / w.wall).toFixed(0)} MiB/s${failed(w)}; ${loadAverage()}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
