/**
 * `bpf-iter`: the command line. check|run|lsp. Everything here is argument handling and printing; the work
 * is done by the language service (check) and the executor (run), the same code the editor uses.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isMainThread } from 'worker_threads';
import { runResultForWire } from './exec/runner';
import { createNodeHost } from './service/host';
import { createLanguageService, Settings, defaultSettings } from './service/languageService';
import { severityName, LspDiagnostic } from './service/diagnostics';
import { captureMain, CAPTURE_HELP, CAPTURE_USAGE } from './cli/capture';
import { compareKernelMain, COMPARE_HELP, COMPARE_USAGE } from './cli/compareKernel';

/** How `run` marks a bpf_printk() message on stderr (what trace_pipe shows after the task and CPU columns). */
export const TRACE_PREFIX = 'bpf_trace_printk: ';

export const USAGE = `usage: bpf-iter check FILE... [--json] [--scenario S.json] [--map NAME] [--cpus N] [-I DIR] [-D NAME[=VALUE]]
       bpf-iter run FILE [--scenario S.json] [--prog NAME] [--map NAME] [--cpus N] [--read-size N] [--budget N] [--max-output BYTES] [--json]
       ${COMPARE_USAGE}
       ${CAPTURE_USAGE}
       bpf-iter lsp (--stdio | --node-ipc)
       bpf-iter --help | --version

check   report what the compiler, the verifier and attach would reject; exit 1 when there is an error
run     run the iterator on the simulated kernel and print its seq output (what cat would print)
${COMPARE_HELP}
${CAPTURE_HELP}
lsp     start the language server for any LSP client

Without --scenario, FILE's own <name>.bpfscenario.json is used when it exists, else the embedded default system.`;

interface Io {
  stdout: (s: string) => void;
  /** The run's output bytes, written unchanged (never through a string). */
  stdoutBytes: (b: Uint8Array) => void;
  stderr: (s: string) => void;
}

class UsageError extends Error {}

interface ParsedArgs {
  command: string;
  files: string[];
  json: boolean;
  scenario?: string;
  prog?: string;
  map?: string;
  cpus?: number;
  readSize?: number;
  budget?: number;
  maxOutput?: number;
  includePaths: string[];
  defines: string[];
  lspTransport?: 'stdio' | 'node-ipc';
}

function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const out: ParsedArgs = { command: command ?? '', files: [], json: false, includePaths: [], defines: [] };
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
      case '--scenario': out.scenario = take(); break;
      case '--prog': out.prog = take(); break;
      case '--map': out.map = take(); break;
      case '--cpus': out.cpus = integerOf(take(), '--cpus', 1, 1024); break;
      case '--read-size': out.readSize = integerOf(take(), '--read-size', 1, 1 << 30); break;
      case '--budget': out.budget = integerOf(take(), '--budget', 1, Number.MAX_SAFE_INTEGER); break;
      case '--max-output': out.maxOutput = integerOf(take(), '--max-output', 1, Number.MAX_SAFE_INTEGER); break;
      case '--stdio': out.lspTransport = 'stdio'; break;
      case '--node-ipc': out.lspTransport = 'node-ipc'; break;
      case '-I': out.includePaths.push(take()); break;
      case '-D': out.defines.push(take()); break;
      default:
        if (a.startsWith('-I') && a.length > 2) out.includePaths.push(a.slice(2));
        else if (a.startsWith('-D') && a.length > 2) out.defines.push(a.slice(2));
        else if (a.startsWith('--clientProcessId') || a.startsWith('--socket') || a.startsWith('--pipe')) { /* passed by LSP clients */ }
        else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        else out.files.push(a);
    }
  }
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
  };
}

function toJsonDiagnostic(d: LspDiagnostic) {
  return {
    severity: severityName(d.severity),
    code: d.code,
    message: d.message,
    range: d.range,
  };
}

function formatHuman(file: string, text: string, d: LspDiagnostic): string {
  const { line, character } = d.range.start;
  const sourceLine = text.split(/\r\n|\r|\n/)[line] ?? '';
  const endCharacter = d.range.end.line === line ? d.range.end.character : sourceLine.length;
  // Like clang, tabs are expanded to 8-column stops so the caret lines up in a terminal.
  const column = (ch: number) => {
    let col = 0;
    for (let i = 0; i < Math.min(ch, sourceLine.length); i++) col = sourceLine[i] === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
    return col;
  };
  const shown = sourceLine.replace(/\t/g, (_m, offset: number) => ' '.repeat(8 - (column(offset) % 8)));
  const start = column(character);
  const width = Math.max(1, Math.min(column(endCharacter) - start, 200));
  const caret = ' '.repeat(start) + '^' + '~'.repeat(width - 1);
  return `${file}:${line + 1}:${character + 1}: ${severityName(d.severity)}: ${d.message} [${d.code}]\n${shown}\n${caret}\n`;
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
    if (args.command === 'check' && args.files.length === 0) throw new UsageError('check needs at least one FILE');
    if (args.command === 'run' && args.files.length !== 1) throw new UsageError('run takes exactly one FILE');
    if (args.command === 'lsp' && !args.lspTransport) throw new UsageError('lsp needs --stdio or --node-ipc');
  } catch (e) {
    if (e instanceof UsageError) { io.stderr(`bpf-iter: ${e.message}\n${USAGE}\n`); return 2; }
    throw e;
  }

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
    let errors = 0;
    const results: Array<{ file: string; diagnostics: ReturnType<typeof toJsonDiagnostic>[] }> = [];
    for (const file of args.files) {
      const abs = path.resolve(file);
      const text = host.readFile(abs);
      if (text === undefined) {
        io.stderr(`bpf-iter: ENOENT: cannot read ${file}\n`);
        errors++;
        results.push({ file, diagnostics: [] });
        continue;
      }
      const diagnostics = service.validate(abs, text, { scenario: args.scenario && path.resolve(args.scenario), map: args.map });
      errors += diagnostics.filter((d) => d.severity === 1).length;
      results.push({ file, diagnostics: diagnostics.map(toJsonDiagnostic) });
      if (!args.json) for (const d of diagnostics) io.stdout(formatHuman(file, text, d));
    }
    if (args.json) io.stdout(JSON.stringify({ files: results }, null, 2) + '\n');
    return errors > 0 ? 1 : 0;
  }

  const file = path.resolve(args.files[0]);
  const text = host.readFile(file);
  if (text === undefined) { io.stderr(`bpf-iter: ENOENT: cannot read ${args.files[0]}\n`); return 1; }
  const result = await service.run(file, text, {
    program: args.prog, map: args.map, scenario: args.scenario && path.resolve(args.scenario), cpus: args.cpus, readSize: args.readSize,
  });
  if (args.json) {
    // Valid UTF-8 output is the string `output`; any other is null there, with output_base64 and output_hex.
    io.stdout(JSON.stringify(runResultForWire(result), null, 2) + '\n');
  } else {
    // The bytes the program wrote, unchanged (bpf_seq_write may write any byte), as cat would show them.
    io.stdoutBytes(result.outputBytes);
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

if (require.main === module && isMainThread) {
  main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stdoutBytes: (b) => process.stdout.write(b), stderr: (s) => process.stderr.write(s) })
    .then((code) => { if (code >= 0) process.exitCode = code; })
    .catch((e) => { process.stderr.write(`bpf-iter: internal error: ${e && e.stack ? e.stack : e}\n`); process.exitCode = 70; });
}
