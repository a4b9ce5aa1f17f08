/**
 * The real host's tools (bpftool, clang) and what its kernel allows: the one copy of the probes the CLI's
 * `capture` and `run --kernel` and the oracle tests use. Every tool call goes through a `CommandRunner`, so tests
 * can put a fake host (bpftool JSON fixtures) in its place.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';

export interface CommandResult { status: number | null; stdout: string; stderr: string }
/** Runs a program with arguments (no shell) and returns its exit status and output. */
export type CommandRunner = (command: string, args: string[]) => CommandResult;

export const spawnRunner: CommandRunner = (command, args) => {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) return { status: null, stdout: '', stderr: `${command}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed (not found on PATH)' : r.error.message}` };
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

export function have(tool: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0;
}

export function firstLine(text: string | undefined): string {
  return (text ?? '').trim().split('\n')[0].replace(/^Error: /, '');
}

/** Errnos of libbpf's object open failures, by number. */
const OPEN_ERRNOS: Record<string, string> = { 2: 'ENOENT' };

/** The errno name in a failed bpftool command's log ("Operation not permitted" -> EPERM), else its last line. */
export function loadErrno(stderr: string): string {
  const names: Record<string, string> = { 'Operation not permitted': 'EPERM', 'Permission denied': 'EACCES', 'Invalid argument': 'EINVAL', 'Argument list too long': 'E2BIG',
    'No such process': 'ESRCH', 'Unknown error 524': 'ENOTSUPP', 'Protocol error': 'EPROTO' };
  // libbpf's "BPF program load failed: <strerror>" names the load's errno; the verifier log above it may hold any words
  const loadFailed = /load failed: (.*)$/m.exec(stderr)?.[1].trim();
  if (loadFailed && names[loadFailed]) return names[loadFailed];
  // libbpf's "prog 'x': failed to load: -3" gives the errno as a number when it fails before the kernel's words
  const numbers: Record<string, string> = { 1: 'EPERM', 3: 'ESRCH', 7: 'E2BIG', 13: 'EACCES', 22: 'EINVAL', 71: 'EPROTO', 524: 'ENOTSUPP' };
  const failedNumber = /failed to load: -(\d+)\b/.exec(stderr)?.[1];
  if (failedNumber && numbers[failedNumber]) return numbers[failedNumber];
  // bpf_object__open() failing before any load ("libbpf: failed to find BTF for extern 'strlen': -2")
  const openNumber = /^libbpf: .*: -(\d+)$/m.exec(stderr)?.[1];
  if (openNumber && (numbers[openNumber] ?? OPEN_ERRNOS[openNumber])) return numbers[openNumber] ?? OPEN_ERRNOS[openNumber];
  for (const [text, name] of Object.entries(names)) if (stderr.includes(text)) return name;
  return firstLine(stderr.trim().split('\n').pop());
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** num_possible_cpus() of this host (the per-CPU value slots of its maps), or undefined off Linux. */
export function hostPossibleCpus(): number | undefined {
  try {
    const text = fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    return Number(text.split(',').pop()!.split('-').pop()) + 1;
  } catch { return undefined; }
}

/** Why real-kernel work cannot run here, or null when it can. Mounts bpffs at /sys/fs/bpf when it is not mounted. */
export function realKernelUnavailable(tools: string[]): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (!isRoot()) return 'not root';
  for (const t of tools) if (!have(t)) return `${t} not installed`;
  if (!fs.existsSync('/sys/fs/bpf')) return 'no /sys/fs/bpf';
  if (spawnSync('sh', ['-c', 'mount | grep -q " /sys/fs/bpf " || mount -t bpf bpf /sys/fs/bpf']).status !== 0) return 'cannot mount bpffs';
  if (tools.includes('bpftool')) return mapCreateRefused();
  return null;
}

let mapProbe: string | null | undefined;
/**
 * Why this process cannot create and pin a plain BPF_MAP_TYPE_ARRAY map with bpftool, or null when it can. Being
 * root is not enough: a user namespace (`unshare -U -r`), a seccomp or LSM sandbox, or dropped CAP_BPF/CAP_SYS_ADMIN
 * make bpf() or bpffs refuse (EPERM, EACCES). Probed once per process.
 */
export function mapCreateRefused(): string | null {
  if (mapProbe !== undefined) return mapProbe;
  const dir = `/sys/fs/bpf/bil_probe_${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    return (mapProbe = `cannot create a directory in bpffs (${(e as NodeJS.ErrnoException).code})`);
  }
  try {
    const r = spawnSync('bpftool', ['map', 'create', `${dir}/probe`, 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'bil_probe'], { encoding: 'utf8' });
    mapProbe = r.status === 0 ? null : `bpf() refused BPF_MAP_CREATE of an array map (${firstLine(r.stderr)})`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return mapProbe;
}
