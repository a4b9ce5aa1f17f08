/**
 * Issue 17's second goal: the iteration itself (the read loop after the map is loaded), in elements per CPU
 * second (`run`'s timings.iterateCpu), next to `bpftool map dump` of a real hash map measured in the same run:
 * goal >= 25x its rate for a sum program, >= 10x for one BPF_SEQ_PRINTF line per element, on 1M and 10M elements
 * (10M only with BENCH_SCALE=1: filling and walking it takes minutes on a small machine). The output is counted as
 * it streams, never kept.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { bpftoolDumpRate } from './iterator.bench';
import { loadAverage } from './endToEnd.bench';

const PROLOGUE = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nchar LICENSE[] SEC("license") = "GPL";\n\n';
// bpf_seq_read() gives EAGAIN after 1M objects without output (MAX_ITER_OBJECTS), as the kernel does: a line every 500,000
const SUM_PROGRAM = PROLOGUE + '__u64 total = 0;\n__u64 count = 0;\n\nSEC("iter/bpf_map_elem")\nint sum_values(struct bpf_iter__bpf_map_elem *ctx)\n{\n'
  + '\t__u64 *val = ctx->value;\n\n\tif (!val) {\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%llu elements, sum %llu\\n", count, total);\n\t\treturn 0;\n\t}\n'
  + '\ttotal += *val;\n\tif (++count % 500000 == 0)\n\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%llu so far\\n", count);\n\treturn 0;\n}\n';
const PRINT_PROGRAM = PROLOGUE + 'SEC("iter/bpf_map_elem")\nint print_elems(struct bpf_iter__bpf_map_elem *ctx)\n{\n\t__u32 *key = ctx->key;\n'
  + '\t__u64 *val = ctx->value;\n\n\tif (!key || !val)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu\\n", *key, *val);\n\treturn 0;\n}\n';

/** Elements/s of the read loop (CPU time), the lines printed, and the objects the program saw. */
async function iterationRate(dir: string, work: 'sum' | 'print', elements: number): Promise<{ rate: number; cpuMs: number; lines: number; objects: number }> {
  const scenario = path.join(dir, `gen-${elements}.json`);
  if (!fs.existsSync(scenario)) {
    fs.writeFileSync(scenario, JSON.stringify({ cpus: 2, maps: [{ name: 'big', type: 'hash', key_size: 4, value_size: 8, max_entries: elements,
      generate: { count: elements, value: { start: 1, step: 1 } } }], attach: { map: 'big' } }));
  }
  const file = path.join(dir, `${work}.bpf.c`);
  const text = work === 'sum' ? SUM_PROGRAM : PRINT_PROGRAM;
  fs.writeFileSync(file, text);
  const service = createLanguageService(createNodeHost(), defaultSettings());
  let lines = 0;
  const result = await service.run(file, text, {
    scenario, readSize: 131072,
    onOutput: (chunk) => { for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++; },
  });
  if (result.error) throw new Error(`${work} ${elements}: ${result.error.errno} ${result.error.message}`);
  const cpuMs = result.stats.timings?.iterateCpu ?? NaN;
  return { rate: elements / (cpuMs / 1000), cpuMs, lines, objects: result.stats.objects };
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-rate-'));
  try {
    const sizes = process.env.BENCH_SCALE === '1' ? [1_000_000, 10_000_000] : [1_000_000];
    // bpftool's rate on a real map of 200,000 elements (a 1M map takes minutes to fill through bpftool batch here)
    const dump = bpftoolDumpRate(200_000, true);
    const dumpRate = dump.startsWith('skipped') ? undefined : Number(dump);
    const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} elements/s`;
    if (dumpRate === undefined) console.log(`bpftool map dump baseline ${dump}`);
    else console.log(`bpftool map dump, 200k hash on the real kernel: ${fmt(dumpRate)} of its CPU time (user + system)`);
    for (const elements of sizes) {
      for (const work of ['sum', 'print'] as const) {
        const r = await iterationRate(dir, work, elements);
        const expectLines = work === 'sum' ? Math.floor(elements / 500000) + 1 : elements;
        const goal = work === 'sum' ? 25 : 10;
        const vs = dumpRate === undefined ? 'bpftool baseline skipped' : `${(r.rate / dumpRate).toFixed(1)}x bpftool map dump (goal ${goal}x)`;
        console.log(`iteration ${work}, ${(elements / 1e6).toLocaleString('en-US')}M hash (after loading): ${fmt(r.rate)} of CPU `
          + `(${(r.cpuMs / 1000).toFixed(2)} s CPU, ${r.objects.toLocaleString('en-US')} objects); ${vs}; `
          + `${r.lines === expectLines ? 'lines right' : `LINES ${r.lines}, expected ${expectLines}`}; ${loadAverage()}`);
      }
    }
    if (sizes.length === 1) console.log('iteration, 10M hash: skipped (filling and walking 10M elements takes minutes here; run with BENCH_SCALE=1)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
