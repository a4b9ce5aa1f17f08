/**
 * Preprocessing speed: the real vmlinux.h (regenerated from this kernel's BTF; skipped when bpftool or BTF is
 * missing) and the bundled headers, cold (first run in this process) and warm, next to `clang -E` on the
 * same input in the same run, plus a re-run of an edited user file with the header cache.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundledHeadersRoot, nodeFileSystemHost } from '../../server/src/lang/headers';
import { HeaderCache, preprocess } from '../../server/src/lang/preprocessor';

function time(action: () => void): number {
  const start = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function clangMilliseconds(file: string, includes: string[]): number | undefined {
  const start = process.hrtime.bigint();
  const result = spawnSync('clang', ['-target', 'bpf', '-E', '-P', '-D__TARGET_ARCH_x86', ...includes.map((i) => `-I${i}`), file, '-o', '/dev/null']);
  if (result.status !== 0) return undefined;
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function line(label: string, ours: number, clang: number | undefined): void {
  const ratio = clang === undefined ? 'clang n/a' : `clang -E ${clang.toFixed(1)} ms, ratio ${(ours / clang).toFixed(2)}x`;
  console.log(`preprocess ${label}: ${ours.toFixed(1)} ms (${ratio})`);
}

function benchFile(label: string, file: string, includes: string[]): void {
  const text = fs.readFileSync(file, 'utf8');
  const options = { includePaths: includes };
  let tokens = 0;
  const cold = time(() => { tokens = preprocess(file, text, nodeFileSystemHost, options).tokens.length; });
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) warm.push(time(() => preprocess(file, text, nodeFileSystemHost, options)));
  warm.sort((a, b) => a - b);
  const clang = clangMilliseconds(file, includes);
  line(`${label} cold (${tokens} tokens)`, cold, clang);
  line(`${label} warm median`, warm[1], clang);

  const cache = new HeaderCache();
  preprocess(file, text, nodeFileSystemHost, { ...options, cache });
  const edited = text + '\nint bench_edit;\n';
  const cached = time(() => preprocess(file, edited, nodeFileSystemHost, { ...options, cache }));
  line(`${label} after an edit, header cache hit`, cached, clang);
}

export async function run(): Promise<void> {
  const bundled = bundledHeadersRoot();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-lab-bench-'));
  try {
    const program = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n#include <bpf/bpf_core_read.h>\n'
      + 'SEC("iter/bpf_map") int dump(struct bpf_iter__bpf_map *ctx) { BPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", BPF_CORE_READ(ctx, map, id)); return 0; }\n';
    const bundledProgram = path.join(directory, 'bundled.bpf.c');
    fs.writeFileSync(bundledProgram, program);
    benchFile('bundled headers', bundledProgram, bundled ? [bundled] : []);

    const dump = spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (dump.status !== 0) {
      console.log('preprocess real vmlinux.h: skipped (needs bpftool and /sys/kernel/btf/vmlinux)');
      return;
    }
    const realDirectory = path.join(directory, 'real');
    fs.mkdirSync(realDirectory);
    fs.writeFileSync(path.join(realDirectory, 'vmlinux.h'), dump.stdout);
    const realProgram = path.join(realDirectory, 'real.bpf.c');
    fs.writeFileSync(realProgram, program);
    benchFile(`real vmlinux.h (${(dump.stdout.length / 1e6).toFixed(1)} MB)`, realProgram, [realDirectory, ...(bundled ? [bundled] : [])]);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
