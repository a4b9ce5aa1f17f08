import { spawnSync, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { Kernel, BPF_MAP_TYPE, BPF_F, encodeMapLinkInfo } from '../../server/src/kernel';
import type { IterRunContext } from '../../server/src/kernel/iter';

/**
 * End-to-end iterator speed: a sum-only program and a printf-per-element program over a 1M-element hash map,
 * run by the executor (the file is checked once, then run), next to hand-written JavaScript doing the same on the
 * same simulated kernel, and next to `bpftool map dump` of a 100k-entry map on the real kernel (root only).
 * Both simulated figures include creating and filling the map, which the two sides do the same way.
 */
const ELEMENTS = 1_000_000;
const HEADER = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nchar LICENSE[] SEC("license") = "GPL";\n\n'
  + 'struct {\n\t__uint(type, BPF_MAP_TYPE_HASH);\n\t__uint(max_entries, 1048576);\n\t__type(key, __u32);\n\t__type(value, __u64);\n\t__uint(map_flags, BPF_F_ZERO_SEED);\n} big SEC(".maps");\n\n';
const SUM_PROGRAM = HEADER + 'static __u64 sum;\n\nSEC("iter/bpf_map_elem")\nint sum_all(struct bpf_iter__bpf_map_elem *ctx)\n{\n\t__u64 *v = ctx->value;\n\n\tif (!v) {\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%llu\\n", sum);\n\t\treturn 0;\n\t}\n\tsum += *v;\n\treturn 0;\n}\n';
const PRINTF_PROGRAM = HEADER + 'SEC("iter/bpf_map_elem")\nint print_all(struct bpf_iter__bpf_map_elem *ctx)\n{\n\t__u32 *k = ctx->key;\n\t__u64 *v = ctx->value;\n\n\tif (!k || !v)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu\\n", *k, *v);\n\treturn 0;\n}\n';

function scenario(): string {
  const entries = [];
  for (let i = 0; i < ELEMENTS; i++) entries.push({ key: i, value: i * 3 });
  return JSON.stringify({ cpus: 2, maps: [{ name: 'big', entries }], attach: { map: 'big' } });
}

async function runPipeline(dir: string, name: string, program: string): Promise<{ seconds: number; bytes: number }> {
  const file = path.join(dir, `${name}.bpf.c`);
  fs.writeFileSync(file, program);
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const errors = service.validate(file, program, { scenario: path.join(dir, 'big.bpfscenario.json') }).filter((d) => d.severity === 1);
  if (errors.length) throw new Error(`${name}: ${errors.map((d) => d.message).join('; ')}`);
  const start = process.hrtime.bigint();
  const result = await service.run(file, program, { scenario: path.join(dir, 'big.bpfscenario.json') });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.error) throw new Error(`${name}: ${result.error.errno} ${result.error.message}`);
  return { seconds, bytes: result.outputBytes.length };
}

function runHandWritten(printEach: boolean): { seconds: number; bytes: number } {
  const start = process.hrtime.bigint();
  const kernel = new Kernel({ cpus: 2 });
  const mapFd = kernel.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 1048576, flags: BPF_F.ZERO_SEED, name: 'big' });
  const key = new Uint8Array(4);
  const value = new Uint8Array(8);
  const kv = new DataView(key.buffer);
  const vv = new DataView(value.buffer);
  for (let i = 0; i < ELEMENTS; i++) {
    kv.setUint32(0, i, true);
    vv.setBigUint64(0, BigInt(i * 3), true);
    kernel.mapUpdate(mapFd, key, value);
  }
  const sumFmt = Buffer.from('%llu\n\0', 'latin1');
  const eachFmt = Buffer.from('%u %llu\n\0', 'latin1');
  let sum = 0n;
  const progFd = kernel.loadProgram({
    name: printEach ? 'print_all' : 'sum_all', attachTarget: 'bpf_map_elem', sleepable: false,
    maxRdonlyAccess: 4, maxRdwrAccess: 8, gplCompatible: true, fingerprint: printEach ? 'js-print' : 'js-sum',
    run(ctx: IterRunContext): number {
      if (!ctx.value || !ctx.key) {
        if (!printEach) kernel.seqPrintfDirect(ctx.seq, sumFmt, [sum]);
        return 0;
      }
      const v = ctx.value.region.view.getBigUint64(ctx.value.offset, true);
      if (printEach) kernel.seqPrintfDirect(ctx.seq, eachFmt, [BigInt(ctx.key.region.view.getUint32(ctx.key.offset, true)), v]);
      else sum += v;
      return 0;
    },
  });
  const linkFd = kernel.createIterLink(progFd, { iterInfo: encodeMapLinkInfo(mapFd), iterInfoLen: 16 });
  const iterFd = kernel.createIter(linkFd);
  let bytes = 0;
  for (;;) {
    const got = kernel.readIterRaw(iterFd, 131072);
    if (typeof got === 'number') throw new Error(`read failed: ${got}`);
    if (got.length === 0) break;
    bytes += got.length;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bytes };
}

/**
 * `bpftool map dump` of a real hash map of `entries` elements (key 4 B, value 8 B): elements/s of wall time, or with
 * `perCpuSecond` (and /usr/bin/time) per second of bpftool's CPU time (user + system: its syscalls count), the figure
 * that compares with the simulator's CPU time on a shared machine; or "skipped: why".
 */
export function bpftoolDumpRate(entries = 100_000, perCpuSecond = false): string {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'skipped: not root';
  if (spawnSync('bpftool', ['version']).status !== 0) return 'skipped: bpftool missing';
  const dir = `/sys/fs/bpf/bpf-iter-bench-${process.pid}`;
  const batch = path.join(os.tmpdir(), `bpf-iter-bench-${process.pid}.batch`);
  try {
    fs.mkdirSync(dir);
    execFileSync('bpftool', ['map', 'create', `${dir}/m`, 'type', 'hash', 'key', '4', 'value', '8', 'entries', String(entries), 'name', 'bench_dump']);
    const lines: string[] = [];
    for (let i = 0; i < entries; i++) {
      lines.push(`map update pinned ${dir}/m key ${i & 255} ${(i >> 8) & 255} ${(i >> 16) & 255} 0 value 1 0 0 0 0 0 0 0`);
    }
    fs.writeFileSync(batch, lines.join('\n') + '\n');
    execFileSync('bpftool', ['batch', 'file', batch], { stdio: 'ignore' });
    const start = process.hrtime.bigint();
    const timeFile = `${batch}.time`;
    const timed = perCpuSecond && fs.existsSync('/usr/bin/time');
    if (timed) execFileSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, 'bpftool', 'map', 'dump', 'pinned', `${dir}/m`], { maxBuffer: 1 << 28 });
    else execFileSync('bpftool', ['map', 'dump', 'pinned', `${dir}/m`], { maxBuffer: 1 << 28 });
    let seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (timed) {
      const m = /(\d+\.\d+) (\d+\.\d+)\s*$/.exec(fs.readFileSync(timeFile, 'utf8'));
      fs.rmSync(timeFile, { force: true });
      if (m) seconds = Number(m[1]) + Number(m[2]);
    }
    return String(entries / seconds);
  } catch (e) {
    return `skipped: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(batch, { force: true });
  }
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-bench-'));
  try {
    fs.writeFileSync(path.join(dir, 'big.bpfscenario.json'), scenario());
    const rate = (r: { seconds: number }): number => ELEMENTS / r.seconds;
    const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} elements/s`;
    const jsSum = runHandWritten(false);
    const sum = await runPipeline(dir, 'sum', SUM_PROGRAM);
    console.log(`iterator sum-only, 1M hash: pipeline ${fmt(rate(sum))}, hand-written JS ${fmt(rate(jsSum))}, ratio ${(sum.seconds / jsSum.seconds).toFixed(2)}x the JS time`);
    const jsPrint = runHandWritten(true);
    const print = await runPipeline(dir, 'print', PRINTF_PROGRAM);
    if (print.bytes !== jsPrint.bytes) console.log(`iterator printf: output sizes differ (pipeline ${print.bytes}, JS ${jsPrint.bytes})`);
    console.log(`iterator printf-per-element, 1M hash: pipeline ${fmt(rate(print))}, hand-written JS ${fmt(rate(jsPrint))}, ratio ${(print.seconds / jsPrint.seconds).toFixed(2)}x the JS time`);
    const dump = bpftoolDumpRate();
    if (dump.startsWith('skipped')) console.log(`bpftool map dump, 100k hash: ${dump}`);
    else console.log(`bpftool map dump, 100k hash: ${fmt(Number(dump))}; printf pipeline is ${(rate(print) / Number(dump)).toFixed(1)}x that rate`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
