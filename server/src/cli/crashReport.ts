/**
 * Exit code 3: an internal error (a bug in bpf-iter, not in the user's program) prints one line naming a crash
 * report file, never a bare stack; the report holds the stack, the arguments and the versions to file an issue.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const EXIT_INTERNAL_ERROR = 3;

/** Writes the report and returns the one line to print on stderr. */
export function reportInternalError(error: unknown, argv: readonly string[], version: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0] || 'unknown error';
  let where: string;
  try {
    const file = path.join(os.tmpdir(), `bpf-iter-crash-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.txt`);
    const body = [
      `bpf-iter ${version} internal error`,
      `date: ${new Date().toISOString()}`,
      `node: ${process.version} ${process.platform} ${process.arch}`,
      `cwd: ${process.cwd()}`,
      `argv: ${JSON.stringify(argv)}`,
      '',
      error instanceof Error ? error.stack ?? message : message,
      '',
    ].join('\n');
    fs.writeFileSync(file, body, { mode: 0o600 });
    where = `crash report: ${file}`;
  } catch (e) {
    where = `no crash report could be written: ${e instanceof Error ? e.message : String(e)}`;
  }
  return `bpf-iter: internal error: ${firstLine} (this is a bug in bpf-iter; ${where})\n`;
}
