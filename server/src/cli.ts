/**
 * `bpf-iter`: the command line. check|run|lsp. Everything here is argument handling and printing; the work
 * is done by the language service (check) and the executor (run), the same code the editor uses.
 */
import { PreprocessLimits, readLimits } from './lang/preprocessor';
import * as fs from 'fs';
import * as path from 'path';
import { isMainThread } from 'worker_threads';
import { runResultForWire } from './exec/runner';
import { createNodeHost } from './service/host';
import { createLanguageService, Settings, defaultSettings } from './service/languageService';
import { isKnownDiagnosticCode } from './service/projectConfig';
import { check, CheckUsageError } from './cli/check';
import { REPORT_FORMATS, ReportFormat } from './cli/formats';
import { reportInternalError, EXIT_INTERNAL_ERROR } from './cli/crashReport';
import { captureMain, CAPTURE_HELP, CAPTURE_USAGE } from './cli/capture';
import { compareKernelMain, COMPARE_HELP, COMPARE_USAGE } from './cli/compareKernel';

/** How `run` marks a bpf_printk() message on stderr (what trace_pipe shows after the task and CPU columns). */
export const TRACE_PREFIX = 'bpf_trace_printk: ';

export const USAGE = `usage: bpf-iter check [FILE|DIR|-]... [--format text|json|sarif|github] [--json] [-p BUILD_DIR] [-j N]
                      [--Werror] [--disable CODE[,CODE]] [--enable CODE[,CODE]] [--color=auto|always|never]
                      [--stdin-filename NAME] [--scenario S.json] [--map NAME] [--cpus N] [-I DIR] [-D NAME[=VALUE]] [--limit NAME=N]
       bpf-iter run FILE|- [--scenario S.json] [--prog NAME] [--map NAME] [--cpus N] [--read-size N] [--budget N] [--max-output BYTES] [--json]
       ${COMPARE_USAGE}
       ${CAPTURE_USAGE}
       bpf-iter lsp (--stdio | --node-ipc)
       bpf-iter --help | --version

check   report what the compiler, the verifier and attach would reject. No FILE: the project around the current
        folder (the BPF entries of the nearest compile_commands.json, else every *.bpf.c below); DIR: the same for
        DIR; -p BUILD_DIR: the compile_commands.json there; -: the program on stdin (--stdin-filename names it).
        Files are checked in parallel (-j N threads). .bpf-iter.json, found walking up, may hold
        {"disable": ["BPF1020"], "warningsAsErrors": true, "limits": {"includeDepth": 300}}; --limit NAME=N raises one
        bound of the analysis (includeDepth, includedChars, expansionTokens, outputTokens, expansionWork,
        argumentNesting, expressionDepth, conditionalDepth, selfIncludeDepth, selfInclusions) that a diagnostic names.
        Exit 0 clean, 1 errors (or warnings with --Werror), 2 usage or configuration error, 3 internal error.
run     run the iterator on the simulated kernel and print its seq output (what cat would print)
${COMPARE_HELP}
${CAPTURE_HELP}
lsp     start the language server for any LSP client

Without --scenario, FILE's own <name>.bpfscenario.json is used when it exists, else the embedded default system.`;

export interface Io {
  stdout: (s: string) => void;
  /** The run's output bytes, written unchanged (never through a string). */
  stdoutBytes: (b: Uint8Array) => void;
  stderr: (s: string) => void;
  /** All of stdin, for `-`. */
  readStdin?: () => Promise<string>;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** The environment (NO_COLOR); process.env when absent. */
  env?: Record<string, string | undefined>;
  /** Resolves when the reader may take more output (a full pipe drained); undefined when writes never wait. */
  stdoutDrained?: () => Promise<void> | undefined;
}

class UsageError extends Error {}

interface ParsedArgs {
  command: string;
  files: string[];
  json: boolean;
  format?: ReportFormat;
  color: 'auto' | 'always' | 'never';
  werror: boolean;
  disable: string[];
  enable: string[];
  buildDir?: string;
  stdinFilename?: string;
  jobs?: number;
  scenario?: string;
  prog?: string;
  map?: string;
  cpus?: number;
  readSize?: number;
  budget?: number;
  /** `--limit NAME=N`, repeatable: bounds of one analysis (lang/preprocessor/limits.ts PreprocessLimits). */
  limits: Partial<PreprocessLimits>;
  maxOutput?: number;
  includePaths: string[];
  defines: string[];
  lspTransport?: 'stdio' | 'node-ipc';
}

function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const out: ParsedArgs = { command: command ?? '', files: [], json: false, color: 'auto', werror: false, disable: [], enable: [], includePaths: [], defines: [], limits: {} };
  const codesOf = (text: string, flag: string): string[] => {
    const codes = text.split(',').map((c) => c.trim().toUpperCase()).filter((c) => c.length > 0);
    for (const code of codes) if (!isKnownDiagnosticCode(code)) throw new UsageError(`${flag}: unknown diagnostic code "${code}" (codes look like BPF1020; see docs/diagnostics.md)`);
    return codes;
  };
  const valueOf = (i: number, flag: string): string => {
    const v = rest[i + 1];
    if (v === undefined || (v.startsWith('-') && v !== '-')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const integerOf = (text: string, flag: string, min: number, max: number): number => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, not "${text}"`);
    return Number(text);
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = (): string => { if (inline !== undefined) return inline; const v = valueOf(i, flag); i++; return v; };
    switch (flag) {
      case '--json': out.json = true; break;
      case '--format': {
        const f = take();
        if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format takes ${REPORT_FORMATS.join(', ')}, not "${f}"`);
        out.format = f as ReportFormat;
        break;
      }
      case '--color': case '--colour': {
        // `--color` alone is always (as ls and grep take it); `--color never` takes the next word when it is a mode
        const c = inline ?? (['auto', 'always', 'never'].includes(rest[i + 1]) ? rest[++i] : 'always');
        if (c !== 'auto' && c !== 'always' && c !== 'never') throw new UsageError(`--color takes auto, always or never, not "${c}"`);
        out.color = c;
        break;
      }
      case '--Werror': out.werror = true; break;
      case '--disable': out.disable.push(...codesOf(take(), '--disable')); break;
      case '--enable': out.enable.push(...codesOf(take(), '--enable')); break;
      case '-p': out.buildDir = take(); break;
      case '--stdin-filename': out.stdinFilename = take(); break;
      case '-j': case '--jobs': out.jobs = integerOf(take(), flag, 1, 1024); break;
      case '--scenario': out.scenario = take(); break;
      case '--prog': out.prog = take(); break;
      case '--map': out.map = take(); break;
      case '--cpus': out.cpus = integerOf(take(), '--cpus', 1, 1024); break;
      case '--read-size': out.readSize = integerOf(take(), '--read-size', 1, 1 << 30); break;
      case '--budget': out.budget = integerOf(take(), '--budget', 1, Number.MAX_SAFE_INTEGER); break;
      case '--limit': {
        const spec = take();
        const eq = spec.indexOf('=');
        const read = readLimits({ [spec.slice(0, eq < 0 ? spec.length : eq)]: eq < 0 ? NaN : Number(spec.slice(eq + 1)) });
        if ('problem' in read) throw new UsageError(`--limit ${spec}: ${read.problem}`);
        Object.assign(out.limits, read.limits);
        break;
      }
      case '--max-output': out.maxOutput = integerOf(take(), '--max-output', 1, Number.MAX_SAFE_INTEGER); break;
      case '--stdio': out.lspTransport = 'stdio'; break;
      case '--node-ipc': out.lspTransport = 'node-ipc'; break;
      case '-I': out.includePaths.push(take()); break;
      case '-D': out.defines.push(take()); break;
      default:
        if (a.startsWith('-I') && a.length > 2) out.includePaths.push(a.slice(2));
        else if (a.startsWith('-D') && a.length > 2) out.defines.push(a.slice(2));
        else if (a.startsWith('--clientProcessId') || a.startsWith('--socket') || a.startsWith('--pipe')) { /* passed by LSP clients */ }
        else if (a.startsWith('-j') && a.length > 2) out.jobs = integerOf(a.slice(2), '-j', 1, 1024);
        else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        else out.files.push(a);
    }
  }
  if (out.json && out.format && out.format !== 'json') throw new UsageError(`--json and --format ${out.format} disagree`);
  return out;
}

function settingsFor(args: ParsedArgs): Settings {
  const defines: Record<string, string> = {};
  for (const d of args.defines) {
    const eq = d.indexOf('=');
    defines[eq < 0 ? d : d.slice(0, eq)] = eq < 0 ? '1' : d.slice(eq + 1);
  }
  return {
    ...defaultSettings(), includePaths: args.includePaths.map((p) => path.resolve(p)), defines, cpus: args.cpus,
    ...(args.budget !== undefined ? { instructionBudget: args.budget } : {}),
    ...(args.maxOutput !== undefined ? { maxOutputBytes: args.maxOutput } : {}),
    ...(Object.keys(args.limits).length ? { limits: args.limits } : {}),
  };
}

export async function main(argv: string[], io: Io): Promise<number> {
  let args: ParsedArgs;
  try {
    if (argv.length === 0) { io.stderr(USAGE + '\n'); return 2; }
    if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') { io.stdout(USAGE + '\n'); return 0; }
    if (argv[0] === '--version') { io.stdout(`bpf-iter ${version()}\n`); return 0; }
    if (argv[0] === 'capture') return captureMain(argv.slice(1), io);
    if (argv[0] === 'run' && argv.includes('--kernel')) return await compareKernelMain(argv.slice(1), io);
    args = parseArgs(argv);
    if (!['check', 'run', 'lsp'].includes(args.command)) throw new UsageError(`unknown command "${args.command}"`);
    if (args.command === 'run' && args.files.length !== 1) throw new UsageError('run takes exactly one FILE');
    if (args.command === 'lsp' && !args.lspTransport) throw new UsageError('lsp needs --stdio or --node-ipc');
  } catch (e) {
    if (e instanceof UsageError) { io.stderr(`bpf-iter: ${e.message}\n${USAGE}\n`); return 2; }
    throw e;
  }
  try {
    return await command(args, io);
  } catch (e) {
    if (e instanceof CheckUsageError) { io.stderr(`bpf-iter: ${e.message}\n`); return 2; }
    if (e instanceof UsageError) { io.stderr(`bpf-iter: ${e.message}\n${USAGE}\n`); return 2; }
    io.stderr(reportInternalError(e, argv, version()));
    return EXIT_INTERNAL_ERROR;
  }
}

async function command(args: ParsedArgs, io: Io): Promise<number> {
  if (process.env.BPF_ITER_TEST_INTERNAL_ERROR === '1') throw new Error('simulated internal error (BPF_ITER_TEST_INTERNAL_ERROR=1, a test hook)');

  if (args.command === 'lsp') {
    // Loaded lazily: the CLI's other commands must not pay for the LSP libraries.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startServer } = require('./server') as typeof import('./server');
    startServer(args.lspTransport!);
    return -1; // keep running: the connection owns the process from here
  }

  const host = createNodeHost();
  const service = createLanguageService(host, settingsFor(args));

  if (args.command === 'check') {
    const env = io.env ?? process.env;
    const color = args.color === 'always' || (args.color === 'auto' && !!io.stdoutIsTTY && !env.NO_COLOR);
    return check({
      targets: args.files, cwd: process.cwd(), buildDir: args.buildDir, stdinFilename: args.stdinFilename,
      format: args.format ?? (args.json ? 'json' : 'text'), color, warningsAsErrors: args.werror, settings: settingsFor(args),
      options: { scenario: args.scenario && path.resolve(args.scenario), map: args.map, disableCodes: args.disable, enableCodes: args.enable }, jobs: args.jobs, version: version(),
    }, io);
  }

  const fromStdin = args.files[0] === '-';
  if (fromStdin && !io.readStdin) throw new UsageError('stdin cannot be read here');
  const file = path.resolve(fromStdin ? args.stdinFilename ?? '<stdin>' : args.files[0]);
  const text = fromStdin ? await io.readStdin!() : host.readFile(file);
  if (text === undefined) { io.stderr(`bpf-iter: ENOENT: cannot read ${args.files[0]}\n`); return 1; }
  const result = await service.run(file, text, {
    program: args.prog, map: args.map, scenario: args.scenario && path.resolve(args.scenario), cpus: args.cpus, readSize: args.readSize,
    // Plain output goes out as it is read (| head, > file, any size); --json needs it whole.
    ...(args.json ? {} : { onOutput: (chunk: Uint8Array) => { io.stdoutBytes(chunk); return io.stdoutDrained?.(); } }),
  });
  if (args.json) {
    // Valid UTF-8 output is the string `output`; any other is null there, with output_base64 and output_hex.
    io.stdout(JSON.stringify(runResultForWire(result), null, 2) + '\n');
  } else {
    // The bytes the program wrote, unchanged (bpf_seq_write may write any byte), as cat would show them: already
    // written chunk by chunk through onOutput.
    // bpf_printk() messages are the kernel's trace log, not the iterator's output: stderr, one line each
    for (const line of result.trace ?? []) io.stderr(`${TRACE_PREFIX}${line.endsWith('\n') ? line : line + '\n'}`);
    if (result.error) {
      const where = result.error.file && result.error.range ? `${path.relative(process.cwd(), result.error.file) || result.error.file}:${result.error.range.start.line + 1}:${result.error.range.start.character + 1}: ` : '';
      io.stderr(`bpf-iter: ${result.error.errno}: ${where}${result.error.message}\n`);
    }
  }
  return result.error ? 1 : 0;
}

function version(): string {
  try {
    // dist/cli.js and out/server/src/cli.js both find the manifest by walking up.
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (fs.existsSync(manifest)) {
        const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
        if (pkg.name === 'bpf-iter-lab') return pkg.version;
      }
    }
  } catch { /* fall through */ }
  return 'unknown';
}

/** The process's own streams as an Io. */
export function processIo(): Io {
  let writesSinceYield = 0;
  return {
    stdout: (s) => { process.stdout.write(s); },
    stdoutBytes: (b) => { process.stdout.write(b); },
    stderr: (s) => { process.stderr.write(s); },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdoutIsTTY: !!process.stdout.isTTY,
    stderrIsTTY: !!process.stderr.isTTY,
    env: process.env,
    stdoutDrained: () => {
      // A full pipe (or a slow file): wait for it, so the output is never held whole in memory. Every few writes
      // the event loop runs too, so a reader that closed the pipe (EPIPE) ends the run at once.
      if (process.stdout.writableNeedDrain) return new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      if (++writesSinceYield % 16 === 0) return new Promise<void>((resolve) => setImmediate(resolve));
      return undefined;
    },
  };
}

/**
 * `bpf-iter` as a process (bin/bpf-iter.js): a reader that closes the pipe early (`| head`) ends the run quietly
 * with the status a shell gives a program killed by SIGPIPE (141), as cat's; an internal error is one line and a
 * crash report (exit 3), never a bare stack.
 */
export function runAsProcess(argv: string[]): void {
  const onStreamError = (e: NodeJS.ErrnoException) => {
    if (e && e.code === 'EPIPE') process.exit(141);
    process.stderr.write(reportInternalError(e, argv, version()));
    process.exit(EXIT_INTERNAL_ERROR);
  };
  process.stdout.on('error', onStreamError);
  process.stderr.on('error', (e: NodeJS.ErrnoException) => { if (e && e.code === 'EPIPE') process.exit(141); });
  main(argv, processIo())
    .then((code) => { if (code >= 0) process.exitCode = code; })
    .catch((e) => { process.stderr.write(reportInternalError(e, argv, version())); process.exitCode = EXIT_INTERNAL_ERROR; });
}

if (require.main === module && isMainThread) runAsProcess(process.argv.slice(2));
