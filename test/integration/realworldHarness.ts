/**
 * Shared plumbing of the real-world corpus tests (test/realworld/): the corpus module (plain JS, shared with
 * scripts/record-realworld.js), the recorded expectations, the known disagreements, and running the CLI as a
 * user does: from the project's root, `bpf-iter check FILE` and `bpf-iter run FILE`, no extra flags.
 */
import * as cp from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const repoRoot = path.join(__dirname, '../../..');

export interface CorpusProgram { rel: string; file: string; target: 'bpf_map' | 'bpf_map_elem' }
export interface CorpusProject { name: string; dir: string; programs: CorpusProgram[] }

export interface ProgramExpectation {
  target: string;
  build: string;
  clang: { compiles: boolean; error?: string };
  kernel: { verdict: 'loads' | 'rejected' | string; errno?: string; message?: string; derived?: boolean; readError?: string };
  output?: string;
}

export interface CorpusModule {
  corpusDir: string;
  sharedDir: string;
  listProjects(): CorpusProject[];
  readExpect(project: CorpusProject): { programs: Record<string, ProgramExpectation> } | undefined;
  prepare(): { vmlinuxSource: 'bpftool' | 'bundled'; vmlinux: string };
  normaliseIds(text: string): string;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const corpus = require(path.join(repoRoot, 'scripts/realworld-corpus.js')) as CorpusModule;

/** A program the real toolchain accepts: clang compiles it and the kernel (or the derivation) loads it. */
export function kernelAccepts(e: ProgramExpectation): boolean | undefined {
  if (!e.clang.compiles) return false;
  if (e.kernel.verdict === 'loads') return true;
  if (e.kernel.verdict === 'rejected') return false;
  return undefined;
}

export interface KnownDisagreement { verdict?: string; output?: string; lsp?: string }

export function knownDisagreements(): Record<string, KnownDisagreement> {
  const file = path.join(corpus.corpusDir, 'known-disagreements.json');
  const all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, KnownDisagreement | string>;
  const out: Record<string, KnownDisagreement> = {};
  for (const [k, v] of Object.entries(all)) if (!k.startsWith('$')) out[k] = v as KnownDisagreement;
  return out;
}

export interface CliOutcome { code: number; stdout: Buffer; stderr: string }

/** Runs `node bin/bpf-iter.js ARGS` in `cwd`; stdout is kept as bytes (iterators may write binary records). */
export function bpfIter(args: string[], cwd: string): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const child = cp.spawn(process.execPath, [path.join(repoRoot, 'bin/bpf-iter.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Runs `jobs` with at most `width` at once (the CLI spends most of its time starting and reading headers). */
export async function inPool<T>(jobs: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

export interface JsonDiagnostic { severity: string; code: string; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }

/** What the CLI says about one program: `check --json` diagnostics, then (when check passes) `run`. */
export interface CliVerdict {
  diagnostics: JsonDiagnostic[];
  checkCode: number;
  run?: CliOutcome;
  /** The errno name of a failed run (`bpf-iter: EACCES: ...`). */
  runErrno?: string;
  /** check finds no error and run neither fails to compile, load nor attach. */
  accepts: boolean;
}

/** Errors of a run that are not a verdict on the program (reading, simulator limits). */
const NON_VERDICT_RUN_ERRORS = new Set(['E2BIG', 'EAGAIN', 'ELIMIT', 'ECANCELED']);

export async function cliVerdict(project: CorpusProject, program: CorpusProgram): Promise<CliVerdict> {
  const check = await bpfIter(['check', '--json', program.rel], project.dir);
  let diagnostics: JsonDiagnostic[] = [];
  try {
    diagnostics = (JSON.parse(check.stdout.toString('utf8')) as { files: { diagnostics: JsonDiagnostic[] }[] }).files[0]?.diagnostics ?? [];
  } catch {
    diagnostics = [{ severity: 'error', code: 'CLI', message: `check --json printed no JSON: ${check.stderr}`, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
  }
  const verdict: CliVerdict = { diagnostics, checkCode: check.code, accepts: false };
  if (check.code !== 0) return verdict;
  verdict.run = await bpfIter(['run', program.rel], project.dir);
  if (verdict.run.code !== 0) verdict.runErrno = /bpf-iter: ([A-Z0-9]+):/.exec(verdict.run.stderr)?.[1] ?? 'unknown';
  verdict.accepts = verdict.run.code === 0 || NON_VERDICT_RUN_ERRORS.has(verdict.runErrno ?? '');
  return verdict;
}

export function describeOurs(v: CliVerdict): string {
  const errors = v.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return errors.slice(0, 3).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join('; ');
  if (v.runErrno) return `run: ${v.run?.stderr.trim().split('\n')[0]}`;
  return 'accepted';
}

/**
 * Projects of the corpus that keep their setup when copied side by side into one folder (relative -I paths to
 * `_shared`, relative symlinks; no generated absolute compile_commands.json), with errors and warnings among them.
 */
export const FOLDER_PROJECTS = [
  'bpf-loop-walker', 'bpftool-maplist', 'compound-literal', 'exporter-examples', 'global-func', 'ip-formatter',
  'mapwatch-nohdr', 'reject-no-null-check', 'reject-unbounded-loop', 'reject-return-value',
  // a project with a warning (BPF2501), so the comparison covers warnings too (reject-unbounded-loop's became an error)
  'map-types-table',
];

/** A temporary folder holding copies of `names` (corpus projects) and a link to the corpus's `_shared`. */
export function corpusFolderCopy(names: readonly string[]): string {
  corpus.prepare();
  const folder = fs.mkdtempSync(path.join(require('os').tmpdir(), 'bpf-iter-projects-'));
  fs.symlinkSync(corpus.sharedDir, path.join(folder, '_shared'));
  for (const name of names) fs.cpSync(path.join(corpus.corpusDir, name), path.join(folder, name), { recursive: true, verbatimSymlinks: true });
  return folder;
}
