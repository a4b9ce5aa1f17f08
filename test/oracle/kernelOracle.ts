// Shared plumbing for differential tests against the real kernel, bpftool and clang.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The probes live in server code (the CLI's capture and run --kernel use them too): one copy.
export { have, realKernelUnavailable, mapCreateRefused, firstLine, loadErrno } from '../../server/src/realHost/hostTools';
import { realKernelUnavailable, firstLine, loadErrno } from '../../server/src/realHost/hostTools';

/** A tiny iter/bpf_map_elem program: the probe loads and attaches it to an array map created for it. */
const ELEM_PROBE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_map_elem")
int probe_elem(struct bpf_iter__bpf_map_elem *ctx) { return 0; }
`;
let elemProbe: string | null | undefined;
/**
 * Why iter/bpf_map_elem programs cannot be loaded and attached here, or null when they can: compiles ELEM_PROBE
 * with clang against `includeDir` (which holds vmlinux.h) and pins it on an array map with bpftool. Some sandboxes
 * allow iter/bpf_map but refuse this load (EPERM). Probed once per process.
 */
export function elemIterRefused(includeDir: string): string | null {
  if (elemProbe !== undefined) return elemProbe;
  const why = realKernelUnavailable(['bpftool', 'clang']);
  if (why) return (elemProbe = why);
  const work = tempDir();
  const dir = `/sys/fs/bpf/bil_elemprobe_${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  try {
    fs.writeFileSync(path.join(work, 'probe.bpf.c'), ELEM_PROBE);
    const cc = spawnSync('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', includeDir, '-c',
      path.join(work, 'probe.bpf.c'), '-o', path.join(work, 'probe.o')], { encoding: 'utf8' });
    if (cc.status !== 0) return (elemProbe = `clang cannot compile the probe program (${firstLine(cc.stderr)})`);
    fs.mkdirSync(dir);
    const map = spawnSync('bpftool', ['map', 'create', `${dir}/m`, 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'bil_elemprobe'], { encoding: 'utf8' });
    if (map.status !== 0) return (elemProbe = `bpf() refused BPF_MAP_CREATE (${firstLine(map.stderr)})`);
    const pin = spawnSync('bpftool', ['iter', 'pin', path.join(work, 'probe.o'), `${dir}/it`, 'map', 'pinned', `${dir}/m`], { encoding: 'utf8' });
    elemProbe = pin.status === 0 ? null : `the kernel refuses to load an iter/bpf_map_elem program here (${loadErrno(pin.stderr)})`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
  return elemProbe;
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
