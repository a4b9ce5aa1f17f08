/**
 * `bpf-iter run FILE --kernel [--scenario S] [--prog NAME] [--map NAME] [--json]`: arguments and printing of the
 * comparison realHost/compare.ts makes. Exit status: 0 the outputs are identical, 1 they differ (a unified diff on
 * stdout, simulated first), 3 the real kernel could not be asked (one line on stderr says why).
 */
import * as path from 'path';
import { outputText } from '../exec/runner';
import { createNodeHost } from '../service/host';
import { createLanguageService, defaultSettings, Settings } from '../service/languageService';
import { compareWithKernel, CompareOptions } from '../realHost/compare';
import { KernelSideResult } from '../realHost/kernelRun';
import { unifiedDiff } from './unifiedDiff';

export const COMPARE_USAGE = 'bpf-iter run FILE --kernel [--scenario S.json] [--prog NAME] [--map NAME] [-I DIR] [-D NAME[=VALUE]] [--json]';
export const COMPARE_HELP = `run --kernel  also compile with clang, load on this host's kernel (root) over the scenario's maps in a private
        bpffs directory, and compare: exit 0 identical, 1 different (unified diff), 3 the kernel could not be asked`;

export interface CompareIo { stdout: (s: string) => void; stdoutBytes: (b: Uint8Array) => void; stderr: (s: string) => void }

export const EXIT_KERNEL_UNAVAILABLE = 3;

function wireOutput(bytes: Uint8Array | null): { output: string | null; output_base64?: string } {
  if (bytes === null) return { output: null };
  const text = outputText(bytes);
  return text !== null ? { output: text } : { output: null, output_base64: Buffer.from(bytes).toString('base64') };
}

/** The text a diff shows: UTF-8 when valid, else one character per byte. */
function diffText(bytes: Uint8Array): string { return outputText(bytes) ?? Buffer.from(bytes).toString('latin1'); }

export async function compareKernelMain(args: string[], io: CompareIo, options: Pick<CompareOptions, 'run' | 'unavailable'> = {}): Promise<number> {
  const files: string[] = [];
  const includePaths: string[] = [];
  const defines: Record<string, string> = {};
  let json = false;
  const opts: CompareOptions = { ...options };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = (): string | undefined => inline ?? args[++i];
    let v: string | undefined;
    switch (flag) {
      case '--kernel': break;
      case '--json': json = true; break;
      case '--scenario': opts.scenario = v = take(); break;
      case '--prog': opts.program = v = take(); break;
      case '--map': opts.map = v = take(); break;
      case '-I': v = take(); if (v) includePaths.push(path.resolve(v)); break;
      case '-D': v = take(); if (v) defines[v.split('=')[0]] = v.includes('=') ? v.slice(v.indexOf('=') + 1) : '1'; break;
      default:
        if (a.startsWith('-I') && a.length > 2) includePaths.push(path.resolve(a.slice(2)));
        else if (a.startsWith('-D') && a.length > 2) defines[a.slice(2).split('=')[0]] = a.includes('=') ? a.slice(a.indexOf('=') + 1) : '1';
        else if (a.startsWith('-')) { io.stderr(`bpf-iter: run --kernel: unknown option ${a}\nusage: ${COMPARE_USAGE}\n`); return 2; }
        else files.push(a);
        continue;
    }
    if (['--scenario', '--prog', '--map', '-I', '-D'].includes(flag) && v === undefined) { io.stderr(`bpf-iter: ${flag} needs a value\nusage: ${COMPARE_USAGE}\n`); return 2; }
  }
  if (files.length !== 1) { io.stderr(`bpf-iter: run takes exactly one FILE\nusage: ${COMPARE_USAGE}\n`); return 2; }
  if (opts.scenario) opts.scenario = path.resolve(opts.scenario);
  const host = createNodeHost();
  const settings: Settings = { ...defaultSettings(), includePaths, defines };
  const file = path.resolve(files[0]);
  const text = host.readFile(file);
  if (text === undefined) { io.stderr(`bpf-iter: ENOENT: cannot read ${files[0]}\n`); return 1; }
  const service = createLanguageService(host, settings);
  const c = await compareWithKernel(service, settings, file, text, opts);
  const errorOf = (e: { errno: string; message: string } | null | undefined) => (e ? { errno: e.errno, message: e.message } : null);
  const status = c.identical ? 0 : c.kernel.refused ? EXIT_KERNEL_UNAVAILABLE : 1;
  if (json) {
    io.stdout(JSON.stringify({
      simulated: { ...wireOutput(c.simulated.outputBytes), error: errorOf(c.simulated.error) },
      kernel: { ...wireOutput(c.kernel.outputBytes), error: errorOf(c.kernel.error), ...(c.kernel.refused ? { refused: true } : {}) },
      identical: c.identical,
    }, null, 2) + '\n');
    return status;
  }
  const say = (side: string, e: { errno: string; message: string } | null | undefined) => { if (e) io.stderr(`bpf-iter: ${side}: ${e.errno}: ${e.message}\n`); };
  if (c.identical) {
    io.stdoutBytes(c.simulated.outputBytes);
    io.stderr(`bpf-iter: the real kernel printed the same ${c.simulated.outputBytes.length} bytes\n`);
    return 0;
  }
  if (c.kernel.refused) {
    // the simulated run as `run` shows it, then the one line saying why the kernel was not asked
    io.stdoutBytes(c.simulated.outputBytes);
    say('simulated', c.simulated.error);
    say('kernel', c.kernel.error);
    return status;
  }
  io.stdout(unifiedDiff(diffText(c.simulated.outputBytes), diffText(c.kernel.outputBytes ?? new Uint8Array(0)), 'simulated', 'kernel'));
  say('simulated', c.simulated.error);
  say('kernel', c.kernel.error);
  if (!c.simulated.error && !c.kernel.error) io.stderr('bpf-iter: the simulated and the real kernel\'s outputs differ\n');
  return status;
}

export type { KernelSideResult };
