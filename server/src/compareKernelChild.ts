/**
 * The language server's "Compare with Real Kernel": `bpf-iter run FILE --kernel --json` in a child process (the
 * CLI beside this bundle), so clang, bpftool and the kernel's answers never block the LSP connection. The real
 * kernel reads the file from disk: the client saves it first.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import type { CompareKernelResult } from '../../shared/src/protocol';

export interface CompareKernelJob { file: string; program?: string; map?: string; scenario?: string; includePaths: string[]; defines: Record<string, string> }

/** dist/cli.js beside the bundled server, or out/server/src/cli.js under tsc. */
function cliEntry(): string { return path.join(__dirname, 'cli.js'); }

export function compareKernelInChild(job: CompareKernelJob, cancel?: { onCancel(f: () => void): void }): Promise<CompareKernelResult> {
  const args = [cliEntry(), 'run', job.file, '--kernel', '--json'];
  if (job.program) args.push('--prog', job.program);
  if (job.map) args.push('--map', job.map);
  if (job.scenario) args.push('--scenario', job.scenario);
  for (const p of job.includePaths) args.push('-I', p);
  for (const [k, v] of Object.entries(job.defines)) args.push('-D', `${k}=${v}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: path.dirname(job.file), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    cancel?.onCancel(() => child.kill('SIGTERM'));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as CompareKernelResult);
      } catch {
        reject(new Error(`bpf-iter run --kernel exited with ${code}: ${Buffer.concat(err).toString('utf8').trim().split('\n')[0]}`));
      }
    });
  });
}
