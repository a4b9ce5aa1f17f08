/**
 * `bpf-iter capture [-o FILE] [--name GLOB]... [--id N]... [--type T]... [--max-entries N]`: arguments and printing.
 * The work is realHost/capture.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { captureScenario, CaptureHost, CaptureOptions, DEFAULT_CAPTURE_BULK_ABOVE, DEFAULT_CAPTURE_MAX_ENTRIES, liveCaptureHost } from '../realHost/capture';
import { DEFAULT_CAPTURE_MAX_PROCESSES } from '../realHost/procCapture';
import { DEFAULT_CAPTURE_MAX_SYMBOLS } from '../realHost/kernelCapture';
import { spawnRunner } from '../realHost/hostTools';
import { parseScenario } from '../exec/scenario';
import { scenarioSchema } from '../exec/scenarioSchema';
import type { KernelObjectsJson } from '../exec/scenarioObjects';

export const CAPTURE_USAGE = 'bpf-iter capture [-o FILE] [--name GLOB]... [--id N]... [--type T]... [--max-entries N] [--bulk-above N] [--no-maps] [--no-processes] [--no-sockets] [--pid N]... [--max-processes N] [--no-cgroups] [--no-symbols] [--max-symbols N]';
export const CAPTURE_HELP = `capture write a scenario file from this host (reads only): its maps (root and bpftool needed; --no-maps
        leaves them out), all or those matching any --name, any --id and any --type, up to --max-entries (default
        ${DEFAULT_CAPTURE_MAX_ENTRIES}) elements each (with -o, a hash, lru_hash or array map of more than --bulk-above, default
        ${DEFAULT_CAPTURE_BULK_ABOVE}, elements is written as a binary records file beside it, its "entries_file"); its processes, threads, open files and memory areas from /proc (all, or
        --pid N... with their threads; at most --max-processes, default ${DEFAULT_CAPTURE_MAX_PROCESSES}, tasks; --no-processes) and its
        TCP, UDP, unix and netlink sockets from /proc/net (--no-sockets); no root needed for one's own processes; its cgroup v2
        hierarchy from /sys/fs/cgroup (--no-cgroups), kernel symbols from /proc/kallsyms (at most --max-symbols, default
        ${DEFAULT_CAPTURE_MAX_SYMBOLS}) and slab caches from /proc/slabinfo (root) (--no-symbols leaves both out)`;

export interface CaptureIo { stdout: (s: string) => void; stderr: (s: string) => void }

class CaptureUsageError extends Error {}

/** Runs `capture` with the arguments after the command name. Returns the exit status (2: usage). */
export function captureMain(args: string[], io: CaptureIo, host: CaptureHost = liveCaptureHost(spawnRunner)): number {
  const world = { processes: true, sockets: true, pids: [] as number[], maxProcesses: DEFAULT_CAPTURE_MAX_PROCESSES, cgroups: true, symbols: true, maxSymbols: DEFAULT_CAPTURE_MAX_SYMBOLS };
  const options: CaptureOptions = { names: [], ids: [], types: [], maxEntries: DEFAULT_CAPTURE_MAX_ENTRIES, maps: true, world };
  let output: string | undefined;
  let bulkAbove = DEFAULT_CAPTURE_BULK_ABOVE;
  try {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const take = (): string => {
        if (inline !== undefined) return inline;
        const v = args[++i];
        if (v === undefined) throw new CaptureUsageError(`${flag} needs a value`);
        return v;
      };
      const whole = (text: string, min: number): number => {
        if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) throw new CaptureUsageError(`${flag} takes a whole number of at least ${min}, not "${text}"`);
        return Number(text);
      };
      switch (flag) {
        case '-o': case '--output': output = take(); break;
        case '--name': options.names.push(take()); break;
        case '--id': options.ids.push(whole(take(), 1)); break;
        case '--type': {
          const t = take();
          if (!(scenarioSchema.definitions.mapType.enum as readonly string[]).includes(t)) throw new CaptureUsageError(`--type ${t}: not a map type (${scenarioSchema.definitions.mapType.enum.slice(0, 6).join(', ')}, ...)`);
          options.types.push(t);
          break;
        }
        case '--max-entries': options.maxEntries = whole(take(), 0); break;
        case '--bulk-above': bulkAbove = whole(take(), 0); break;
        case '--no-maps': options.maps = false; break;
        case '--no-processes': world.processes = false; break;
        case '--no-sockets': world.sockets = false; break;
        case '--pid': world.pids.push(whole(take(), 1)); break;
        case '--max-processes': world.maxProcesses = whole(take(), 1); break;
        case '--no-cgroups': world.cgroups = false; break;
        case '--no-symbols': world.symbols = false; break;
        case '--max-symbols': world.maxSymbols = whole(take(), 0); break;
        default: throw new CaptureUsageError(`capture: unknown argument ${a}`);
      }
    }
  } catch (e) {
    if (e instanceof CaptureUsageError) { io.stderr(`bpf-iter: ${e.message}\nusage: ${CAPTURE_USAGE}\n`); return 2; }
    throw e;
  }
  // records files go beside the scenario file; a scenario on stdout keeps every element as JSON
  if (output !== undefined && output !== '-') options.bulkAbove = bulkAbove;
  const result = captureScenario(host, options);
  if (!result.scenario) { io.stderr(`bpf-iter: capture: ${result.error}\n`); return 1; }
  const text = JSON.stringify(result.scenario, null, 2) + '\n';
  // the records files first: reading the scenario back checks each file's size against its map
  for (const b of result.bulk ?? []) fs.writeFileSync(path.join(path.dirname(output!), b.file), b.records);
  // What we write must be a scenario we read back: a check of our own output, not of the host.
  const check = parseScenario(text, output ?? '<capture>');
  if (check.problems.length) { io.stderr(`bpf-iter: capture: internal error: the captured scenario is invalid at ${check.problems[0].path || '/'}: ${check.problems[0].message}\n`); return 70; }
  for (const w of result.warnings) io.stderr(`bpf-iter: capture: ${w}\n`);
  const count = (result.scenario.maps as unknown[]).length;
  if (output === undefined || output === '-') io.stdout(text);
  else {
    fs.writeFileSync(output, text);
    const tasks = (result.scenario.processes as unknown[] | undefined)?.length;
    const sockets = (result.scenario.network as { sockets?: unknown[] } | undefined)?.sockets?.length;
    const cgroups = (result.scenario.cgroups as unknown[] | undefined)?.length;
    const ks = (result.scenario.kernel_objects as KernelObjectsJson | undefined)?.kallsyms;
    const symbols = ks ? (ks.core?.length ?? 0) + (ks.ftrace?.length ?? 0) + (ks.modules ?? []).reduce((n, m) => n + m.symbols.length, 0) : undefined;
    const more = [tasks !== undefined ? `${tasks} task${tasks === 1 ? '' : 's'}` : '', sockets !== undefined ? `${sockets} socket${sockets === 1 ? '' : 's'}` : '',
      cgroups !== undefined ? `${cgroups} cgroup${cgroups === 1 ? '' : 's'}` : '', symbols !== undefined ? `${symbols} kernel symbol${symbols === 1 ? '' : 's'}` : ''].filter(Boolean);
    io.stderr(`bpf-iter: captured ${count} map${count === 1 ? '' : 's'}${more.length ? `, ${more.join(', ')}` : ''} into ${output}\n`);
  }
  return 0;
}
