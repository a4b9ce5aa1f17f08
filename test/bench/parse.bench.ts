/**
 * Front-end speed next to clang in the same run:
 *  - cold parse + bind of the real vmlinux.h (regenerated from /sys/kernel/btf/vmlinux) vs `clang -fsyntax-only`;
 *  - re-check of a ~300-line iterator program after an edit with the vmlinux.h preamble cached (goal <= 15 ms),
 *    vs clang -fsyntax-only of the same program (which re-reads the header every time).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createFrontEnd, diskStamp } from '../../server/src/lang/compile';
import { nodeFileSystemHost } from '../../server/src/lang/headers';
import { parse } from '../../server/src/lang/parser';
import { PreprocessOptions, PreprocessorState, preprocess } from '../../server/src/lang/preprocessor';
import { analyze } from '../../server/src/lang/sema/analyzer';

function millis(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function clangMillis(file: string): number | undefined {
  const start = process.hrtime.bigint();
  const result = spawnSync('clang', ['-target', 'bpf', '-fsyntax-only', '-w', file]);
  return result.status === 0 ? millis(start) : undefined;
}

export function iteratorProgram(functions: number): string {
  const parts: string[] = [];
  for (let i = 0; i < functions; i++) {
    parts.push(`
__attribute__((section("iter/bpf_map"), used)) int dump_${i}(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	__u64 seq_num = ctx->meta->seq_num;
	unsigned long long args[3];

	if (!map)
		return 0;
	if (seq_num == 0)
		args[0] = 0;
	args[0] = map->id;
	args[1] = (unsigned long long)map->name;
	args[2] = map->max_entries + ${i};
	for (int i = 0; i < 3; i++)
		args[i] += (__u64)map->key_size * i;
	return (int)args[0];
}`);
  }
  return parts.join('\n');
}

export async function run(): Promise<void> {
  let directory: string | undefined;
  try {
    let vmlinux: string;
    try {
      vmlinux = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    } catch {
      console.log('parse: skipped (bpftool or /sys/kernel/btf/vmlinux missing)');
      return;
    }
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-parse-bench-'));
    const header = path.join(directory, 'vmlinux.h');
    fs.writeFileSync(header, vmlinux);

    // Cold: preprocess (our preprocessor, no cache) then parse and bind the real vmlinux.h.
    let start = process.hrtime.bigint();
    const preprocessed = preprocess(header, vmlinux, nodeFileSystemHost, {});
    const preprocessTime = millis(start);
    start = process.hrtime.bigint();
    const parsed = parse(preprocessed.tokens);
    const parseTime = millis(start);
    start = process.hrtime.bigint();
    analyze(parsed.unit);
    const bindTime = millis(start);
    const clangHeader = clangMillis(header);
    const total = preprocessTime + parseTime + bindTime;
    console.log(`parse: vmlinux.h cold: preprocess ${preprocessTime.toFixed(0)} ms + parse ${parseTime.toFixed(0)} ms + bind/layout ${bindTime.toFixed(0)} ms = ${total.toFixed(0)} ms (goal <= 1000 for preprocess+parse); clang -fsyntax-only ${clangHeader?.toFixed(0) ?? 'n/a'} ms; ratio ${clangHeader ? (total / clangHeader).toFixed(2) : 'n/a'}`);

    // Warm: a ~300-line program including vmlinux.h, re-checked after each edit with the preamble cached.
    const program = iteratorProgram(16);
    const text = '#include "vmlinux.h"\n' + program + '\n';
    const lines = text.split('\n').length;
    const programFile = path.join(directory, 'prog.bpf.c');
    fs.writeFileSync(programFile, text);
    const frontEnd = createFrontEnd((file: string, source: string, host: typeof nodeFileSystemHost, options: PreprocessOptions | undefined, initialState?: PreprocessorState) =>
      preprocess(file, source, host, { ...options, initialState }), diskStamp);
    start = process.hrtime.bigint();
    const first = frontEnd.compileFile(programFile, text, nodeFileSystemHost, {});
    const firstTime = millis(start);
    if (first.diagnostics.length > 0) throw new Error(`benchmark program has diagnostics: ${first.diagnostics[0].message}`);
    const samples: number[] = [];
    for (let edit = 1; edit <= 20; edit++) {
      const edited = text.replace('args[2] = map->max_entries + 0;', `args[2] = map->max_entries + ${edit};`);
      start = process.hrtime.bigint();
      const compilation = frontEnd.compileFile(programFile, edited, nodeFileSystemHost, {});
      samples.push(millis(start));
      if (!compilation.preambleReused || compilation.diagnostics.length > 0) throw new Error('preamble not reused or diagnostics in the benchmark program');
    }
    samples.sort((a, b) => a - b);
    const median = samples[samples.length >> 1];
    const clangProgram = clangMillis(programFile);
    console.log(`parse: ${lines}-line program including vmlinux.h: first compile ${firstTime.toFixed(0)} ms; re-check after an edit median ${median.toFixed(1)} ms (goal <= 15); clang -fsyntax-only ${clangProgram?.toFixed(0) ?? 'n/a'} ms; ratio ${clangProgram ? (median / clangProgram).toFixed(3) : 'n/a'}`);
  } finally {
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
