// Shared plumbing for differential tests against the real kernel, bpftool and clang.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** Why real-kernel tests cannot run here, or null when they can. */
export function realKernelUnavailable(tools: string[]): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  for (const t of tools) if (!have(t)) return `${t} not installed`;
  if (!fs.existsSync('/sys/fs/bpf') ) return 'no /sys/fs/bpf';
  if (spawnSync('sh', ['-c', 'mount | grep -q " /sys/fs/bpf " || mount -t bpf bpf /sys/fs/bpf']).status !== 0) return 'cannot mount bpffs';
  return null;
}

export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** A unique bpffs directory and name prefix for one test run; remove() deletes only what it holds. */
export class PinDir {
  readonly dir: string;
  readonly prefix: string;
  constructor() {
    const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
    this.dir = `/sys/fs/bpf/bil_kernel_${tag}`;
    this.prefix = `kt${tag}`.slice(0, 9);
    fs.mkdirSync(this.dir);
  }
  remove(): void { fs.rmSync(this.dir, { recursive: true, force: true }); }
}

export function tempDir(): string { return fs.mkdtempSync(path.join(os.tmpdir(), 'bil-kernel-')); }

/** Opens a pinned bpf object with BPF_OBJ_GET and returns the fdinfo text (python3 ctypes: node has no bpf()). */
export function fdinfoOfPinned(pinPath: string): string {
  const py = `
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
p = ctypes.create_string_buffer(sys.argv[1].encode())
attr = struct.pack('QIIi', ctypes.addressof(p), 0, 0, 0) + bytes(128 - 20)
buf = ctypes.create_string_buffer(attr, 128)
fd = libc.syscall(321, 7, buf, 128)
if fd < 0: sys.exit('BPF_OBJ_GET failed: errno %d' % ctypes.get_errno())
sys.stdout.write(open('/proc/self/fdinfo/%d' % fd).read())
`;
  return run('python3', ['-c', py, pinPath]);
}
