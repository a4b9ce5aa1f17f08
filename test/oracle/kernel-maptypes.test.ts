import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BPF_MAP_TYPE, btfField, Kernel, KernelError, MapTypeName } from '../../server/src/kernel';
import { PinDir, realKernelUnavailable, run, tempDir } from './kernelOracle';

/** An iter/bpf_map program printing every struct bpf_map field a program can read, for maps with a name prefix. */
const PROGRAM = `
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;
const volatile char prefix[10] = "PREFIX";
SEC("iter/bpf_map")
int dump_maps(struct bpf_iter__bpf_map *ctx)
{
  struct seq_file *seq = ctx->meta->seq;
  struct bpf_map *map = ctx->map;
  int i;
  if (!map) return 0;
  for (i = 0; i < 9 && prefix[i]; i++)
    if (map->name[i] != prefix[i]) return 0;
  BPF_SEQ_PRINTF(seq, "%u %s type=%u key=%u value=%u max=%u flags=%x extra=%llx refcnt=%lld usercnt=%lld elems=%lld meta=%d\\n",
    map->id, map->name, map->map_type, map->key_size, map->value_size, map->max_entries, map->map_flags, map->map_extra,
    map->refcnt.counter, map->usercnt.counter, bpf_map_sum_elem_count(map), map->inner_map_meta != NULL);
  return 0;
}
`;

/**
 * Creates maps with BPF_MAP_CREATE (python3 ctypes: bpftool cannot pass map_extra or bad sizes for every type), fills
 * some, then reads the pinned iterator while holding the fds. Prints {errnos, iter} as JSON.
 */
const CREATE_AND_DUMP = `
import ctypes, json, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
req = json.load(sys.stdin)
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr + bytes(128 - len(attr)), 128)
    r = libc.syscall(321, cmd, buf, 128)
    return r if r >= 0 else -ctypes.get_errno()
fds = []; errnos = []
for s in req['specs']:
    inner = s.get('inner')
    inner_fd = fds[inner] if inner is not None and fds[inner] is not None else 0
    attr = struct.pack('<IIIIIII16sIIIIIQii', s['type'], s['key'], s['value'], s['max'], s['flags'], inner_fd, 0,
                       s['name'].encode(), 0, 0, 0, 0, 0, s['extra'], 0, 0)
    fd = bpf(0, attr)
    errnos.append(0 if fd >= 0 else -fd)
    fds.append(fd if fd >= 0 else None)
    for e in s.get('fill', []) if fd >= 0 else []:
        key = ctypes.create_string_buffer(bytes.fromhex(e['key']) or b'\\0', max(1, len(bytes.fromhex(e['key']))))
        raw = struct.pack('<I', fds[e['fd']]) if 'fd' in e else bytes.fromhex(e['value'])
        val = ctypes.create_string_buffer(raw, len(raw))
        keyaddr = ctypes.addressof(key) if e['key'] else 0
        r = bpf(2, struct.pack('<IIQQQ', fd, 0, keyaddr, ctypes.addressof(val), 0))
        if r < 0: sys.exit('update of %s failed: errno %d' % (s['name'], -r))
print(json.dumps({'errnos': errnos, 'iter': open(req['iter']).read()}))
`;

/** Runs element operations on one fresh map; prints one result per op: "ok", hex bytes, or "errno N". */
const ELEMENT_OPS = `
import ctypes, json, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
req = json.load(sys.stdin)
def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr + bytes(128 - len(attr)), 128)
    r = libc.syscall(321, cmd, buf, 128)
    return r if r >= 0 else -ctypes.get_errno()
s = req['spec']
fd = bpf(0, struct.pack('<IIIIIII16sIIIIIQii', s['type'], s['key'], s['value'], s['max'], s['flags'], 0, 0, b'', 0, 0, 0, 0, 0, s['extra'], 0, 0))
if fd < 0: sys.exit('map create failed: errno %d' % -fd)
out = []
for op in req['ops']:
    key = ctypes.create_string_buffer(bytes.fromhex(op.get('key') or '00'), max(1, s['key']))
    keyaddr = ctypes.addressof(key) if op.get('key') is not None else 0
    val = ctypes.create_string_buffer(bytes.fromhex(op.get('value') or '') or b'\\0', max(s['value'], s['key'], 1))
    cmd = {'update': 2, 'lookup': 1, 'pop': 21, 'next': 4, 'delete': 3}[op['op']]
    # BPF_MAP_DELETE_ELEM's attr ends at key: anything after it must be zero (CHECK_ATTR)
    valaddr = 0 if op['op'] == 'delete' else ctypes.addressof(val)
    r = bpf(cmd, struct.pack('<IIQQQ', fd, 0, keyaddr, valaddr, op.get('flags', 0)))
    if r < 0: out.append('errno %d' % -r)
    elif op['op'] in ('update', 'delete'): out.append('ok')
    else: out.append(val.raw[:(s['key'] if op['op'] == 'next' else s['value'])].hex())
print(json.dumps(out))
`;

interface Fill { key: string; value?: string; fd?: number }
interface ElementOp { op: 'update' | 'lookup' | 'pop' | 'next' | 'delete'; key?: string; value?: string; flags?: number }
interface Spec { type: MapTypeName; key: number; value: number; max: number; flags?: number; extra?: number; inner?: number; fill?: Fill[] }

const F = { NO_PREALLOC: 1, NO_COMMON_LRU: 2, NUMA: 4, RDONLY: 8, WRONLY: 16, BUILD_ID: 32, ZERO_SEED: 64, RDONLY_PROG: 128,
  WRONLY_PROG: 256, CLONE: 512, MMAPABLE: 1024, PRESERVE: 2048, INNER_MAP: 4096 };
/** Valid and invalid creations of every map type; `inner` is the index of an earlier spec (its fd). */
const SPECS: Spec[] = [
  { type: 'ARRAY', key: 4, value: 4, max: 1 },
  { type: 'HASH', key: 4, value: 8, max: 4, fill: [{ key: '01000000', value: '0000000000000000' }] },
  { type: 'HASH', key: 4, value: 8, max: 1, flags: F.RDONLY },
  { type: 'HASH', key: 4, value: 8, max: 1, flags: F.RDONLY | F.WRONLY },
  { type: 'HASH', key: 4, value: 8, max: 1, flags: F.RDONLY_PROG | F.WRONLY_PROG },
  { type: 'HASH', key: 4, value: 8, max: 1, extra: 5 },
  { type: 'HASH', key: 4, value: 8, max: 1, flags: F.ZERO_SEED | F.NO_PREALLOC },
  { type: 'HASH', key: 4, value: 8, max: 4, flags: F.NO_COMMON_LRU },
  { type: 'LRU_HASH', key: 4, value: 8, max: 4, flags: F.NO_COMMON_LRU },
  { type: 'LRU_HASH', key: 4, value: 8, max: 4, flags: F.NO_PREALLOC },
  { type: 'LRU_PERCPU_HASH', key: 4, value: 8, max: 4 },
  { type: 'PERCPU_HASH', key: 4, value: 32769, max: 4 },
  { type: 'ARRAY', key: 4, value: 4, max: 1, flags: F.MMAPABLE | F.WRONLY },
  { type: 'ARRAY', key: 4, value: 4, max: 1, flags: F.INNER_MAP },
  { type: 'PERCPU_ARRAY', key: 4, value: 4, max: 1, flags: F.INNER_MAP },
  { type: 'ARRAY', key: 4, value: 4, max: 1, flags: F.PRESERVE },
  { type: 'PERF_EVENT_ARRAY', key: 4, value: 4, max: 4, flags: F.PRESERVE },
  { type: 'PERF_EVENT_ARRAY', key: 4, value: 8, max: 4 },
  { type: 'PERF_EVENT_ARRAY', key: 4, value: 4, max: 0 },
  { type: 'PROG_ARRAY', key: 4, value: 4, max: 4 },
  { type: 'PROG_ARRAY', key: 4, value: 4, max: 4, flags: F.RDONLY_PROG },
  { type: 'PROG_ARRAY', key: 4, value: 4, max: 4, flags: F.MMAPABLE },
  { type: 'CGROUP_ARRAY', key: 4, value: 4, max: 4 },
  { type: 'CGROUP_ARRAY', key: 8, value: 4, max: 4 },
  { type: 'STACK_TRACE', key: 4, value: 8, max: 4 },
  { type: 'STACK_TRACE', key: 4, value: 4, max: 4 },
  { type: 'STACK_TRACE', key: 4, value: 127 * 8, max: 4 },
  { type: 'STACK_TRACE', key: 4, value: 128 * 8, max: 4 },
  { type: 'STACK_TRACE', key: 4, value: 32, max: 4, flags: F.BUILD_ID },
  { type: 'STACK_TRACE', key: 4, value: 8, max: 4, flags: F.BUILD_ID },
  { type: 'STACK_TRACE', key: 4, value: 8, max: 0 },
  { type: 'LPM_TRIE', key: 8, value: 8, max: 4, flags: F.NO_PREALLOC, fill: [{ key: '18000000c0a80100', value: '0100000000000000' }] },
  { type: 'LPM_TRIE', key: 8, value: 8, max: 4 },
  { type: 'LPM_TRIE', key: 4, value: 8, max: 4, flags: F.NO_PREALLOC },
  { type: 'LPM_TRIE', key: 260, value: 8, max: 4, flags: F.NO_PREALLOC },
  { type: 'LPM_TRIE', key: 261, value: 8, max: 4, flags: F.NO_PREALLOC },
  { type: 'ARRAY_OF_MAPS', key: 4, value: 4, max: 4, inner: 0, fill: [{ key: '02000000', fd: 0 }] },
  { type: 'ARRAY_OF_MAPS', key: 4, value: 4, max: 4 },
  { type: 'ARRAY_OF_MAPS', key: 4, value: 8, max: 4, inner: 0 },
  { type: 'HASH_OF_MAPS', key: 8, value: 4, max: 4, flags: F.NO_PREALLOC, inner: 1, fill: [{ key: '0700000000000000', fd: 1 }] },
  { type: 'HASH_OF_MAPS', key: 4, value: 4, max: 4, inner: 19 },
  { type: 'ARRAY_OF_MAPS', key: 4, value: 4, max: 4, inner: 36 },
  { type: 'DEVMAP', key: 4, value: 4, max: 4 },
  { type: 'DEVMAP', key: 4, value: 8, max: 4, flags: F.RDONLY },
  { type: 'DEVMAP', key: 4, value: 12, max: 4 },
  { type: 'DEVMAP', key: 4, value: 4, max: 4, flags: F.NO_PREALLOC },
  { type: 'DEVMAP_HASH', key: 4, value: 4, max: 4 },
  { type: 'DEVMAP_HASH', key: 4, value: 8, max: 0 },
  { type: 'SOCKMAP', key: 4, value: 8, max: 4 },
  { type: 'SOCKMAP', key: 8, value: 4, max: 4 },
  { type: 'SOCKHASH', key: 100, value: 8, max: 4 },
  { type: 'SOCKHASH', key: 0, value: 4, max: 4 },
  { type: 'SOCKHASH', key: 600, value: 4, max: 4 },
  { type: 'CPUMAP', key: 4, value: 8, max: 4 },
  { type: 'CPUMAP', key: 4, value: 12, max: 4 },
  { type: 'CPUMAP', key: 4, value: 4, max: 256 },
  { type: 'CPUMAP', key: 4, value: 4, max: 257 },
  { type: 'XSKMAP', key: 4, value: 4, max: 4 },
  { type: 'XSKMAP', key: 4, value: 8, max: 4 },
  { type: 'REUSEPORT_SOCKARRAY', key: 4, value: 8, max: 4 },
  { type: 'REUSEPORT_SOCKARRAY', key: 4, value: 4, max: 0 },
  { type: 'CGROUP_STORAGE', key: 16, value: 8, max: 0 },
  { type: 'CGROUP_STORAGE', key: 8, value: 65407, max: 0 },
  { type: 'CGROUP_STORAGE', key: 8, value: 65408, max: 0 },
  { type: 'CGROUP_STORAGE', key: 16, value: 8, max: 1 },
  { type: 'PERCPU_CGROUP_STORAGE', key: 16, value: 32768, max: 0 },
  { type: 'PERCPU_CGROUP_STORAGE', key: 16, value: 32769, max: 0 },
  { type: 'QUEUE', key: 0, value: 4, max: 4, fill: [{ key: '', value: '01000000' }, { key: '', value: '02000000' }] },
  { type: 'QUEUE', key: 4, value: 4, max: 4 },
  { type: 'QUEUE', key: 0, value: 4, max: 4, flags: F.MMAPABLE },
  { type: 'STACK', key: 0, value: 8, max: 4, flags: F.NO_PREALLOC },
  { type: 'STACK', key: 0, value: (4 << 20) + 1, max: 1 },
  { type: 'BLOOM_FILTER', key: 0, value: 4, max: 16, extra: 3, fill: [{ key: '', value: '2a000000' }] },
  { type: 'BLOOM_FILTER', key: 0, value: 4, max: 16, extra: 16 },
  { type: 'BLOOM_FILTER', key: 4, value: 4, max: 16 },
  { type: 'RINGBUF', key: 0, value: 0, max: 4096 },
  { type: 'RINGBUF', key: 0, value: 0, max: 4096 * 3 },
  { type: 'USER_RINGBUF', key: 0, value: 0, max: 8192 },
  { type: 'USER_RINGBUF', key: 0, value: 0, max: 1024 },
  { type: 'SK_STORAGE', key: 4, value: 4, max: 0, flags: F.NO_PREALLOC },
  { type: 'TASK_STORAGE', key: 4, value: 4, max: 0, flags: F.NO_PREALLOC },
  { type: 'INODE_STORAGE', key: 4, value: 4, max: 0, flags: F.NO_PREALLOC },
  { type: 'CGRP_STORAGE', key: 4, value: 4, max: 0, flags: F.NO_PREALLOC },
  { type: 'STRUCT_OPS', key: 4, value: 4, max: 1 },
  { type: 'ARENA', key: 0, value: 0, max: 4, flags: F.MMAPABLE },
  { type: 'ARENA', key: 0, value: 0, max: 4 },
  { type: 'ARENA', key: 0, value: 0, max: 4, flags: F.MMAPABLE, extra: 0x10000 },
  { type: 'ARENA', key: 0, value: 0, max: 4, flags: F.MMAPABLE, extra: 0x100 },
  { type: 'ARENA', key: 0, value: 0, max: (1 << 20) + 1, flags: F.MMAPABLE },
  { type: 'ARENA', key: 0, value: 0, max: 4, flags: F.MMAPABLE, extra: 0xfffff000 },
  { type: 'INSN_ARRAY', key: 4, value: 16, max: 4 },
  { type: 'UNSPEC', key: 4, value: 4, max: 4 },
  // htab_map_alloc(): BPF_F_NO_COMMON_LRU rounds max_entries up to a multiple of the possible CPUs
  { type: 'LRU_HASH', key: 4, value: 8, max: 5, flags: F.NO_COMMON_LRU },
  { type: 'LRU_PERCPU_HASH', key: 4, value: 8, max: 7, flags: F.NO_COMMON_LRU },
  { type: 'LRU_HASH', key: 4, value: 8, max: 1, flags: F.NO_COMMON_LRU | F.NO_PREALLOC },
];

/** Map ids differ between kernels: number them by first appearance. */
function normaliseIds(text: string): string {
  const ids = new Map<string, string>();
  return text.replace(/^(\d+) /gm, (_, id: string) => { if (!ids.has(id)) ids.set(id, `ID${ids.size}`); return `${ids.get(id)} `; });
}

describe('oracle: map creation of every map type on the real kernel vs the simulator', function () {
  this.timeout(60000);
  let pins: PinDir;
  let work: string;
  let real: { errnos: number[]; iter: string } | null = null;
  /** Map types this kernel refuses outright (EPERM for a creation the simulator accepts), with the one-line reason. */
  const refusedTypes = new Map<MapTypeName, string>();
  before(function () {
    const why = realKernelUnavailable(['bpftool', 'clang', 'python3']);
    if (why) { console.log(`    skipped: real-kernel map type tests need root, bpftool, clang and python3 (${why})`); this.skip(); }
    if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) { console.log('    skipped: libbpf-dev headers missing'); this.skip(); }
    pins = new PinDir();
    work = tempDir();
    fs.writeFileSync(path.join(work, 'vmlinux.h'), run('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c']));
    fs.writeFileSync(path.join(work, 'prog.bpf.c'), PROGRAM.replace('PREFIX', pins.prefix));
    run('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', work, '-I', '/usr/include', '-c',
      path.join(work, 'prog.bpf.c'), '-o', path.join(work, 'prog.bpf.o')]);
    const pinnedIter = path.join(pins.dir, 'iter');
    try {
      run('bpftool', ['iter', 'pin', path.join(work, 'prog.bpf.o'), pinnedIter]);
    } catch (e) {
      console.log(`    skipped: bpf() refused loading the iterator (${String((e as Error).message).split('\n')[0]})`);
      this.skip();
    }
    const specs = SPECS.map((s, i) => ({ ...s, type: BPF_MAP_TYPE[s.type], name: `${pins.prefix}${i}`, flags: s.flags ?? 0, extra: s.extra ?? 0 }));
    real = JSON.parse(run('python3', ['-c', CREATE_AND_DUMP], JSON.stringify({ specs, iter: pinnedIter })));
    // Probe which map types this kernel allows at all: the first creation of each type that the simulator accepts
    // is a valid one; EPERM for it on the real kernel is a sandbox or capability rule (e.g. BPF_MAP_TYPE_ARENA
    // refused by a seccomp/LSM policy), not map_create()'s checks, so every row of that type is skipped.
    const sim = simulate();
    SPECS.forEach((s, i) => {
      const firstValid = SPECS.findIndex((t, j) => t.type === s.type && sim.errnos[j] === 0);
      if (firstValid === i && real!.errnos[i] === 1 && !refusedTypes.has(s.type)) {
        refusedTypes.set(s.type, `skip: ${s.type} maps: the kernel refuses them here (EPERM for a valid creation: key=${s.key} value=${s.value} max=${s.max} flags=0x${(s.flags ?? 0).toString(16)})`);
        console.log(`    ${refusedTypes.get(s.type)}`);
      }
    });
  });
  /** Rows compared with the kernel: those whose map type (and inner map's type) this kernel allows. */
  function comparedRow(i: number): boolean {
    const s = SPECS[i];
    return !refusedTypes.has(s.type) && (s.inner === undefined || comparedRow(s.inner));
  }
  after(() => { pins?.remove(); if (work) fs.rmSync(work, { recursive: true, force: true }); });

  /** The same creations and fills in the simulator, and the same program as a function over struct bpf_map memory. */
  function simulate(): { errnos: number[]; iter: string } {
    const cpus = Number(fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim().split('-').pop()) + 1;
    const k = new Kernel({ cpus });
    const fds: (number | undefined)[] = [];
    const errnos = SPECS.map((s, i) => {
      if (refusedTypes.size && !comparedRow(i)) { fds.push(undefined); return -1; }
      try {
        const fd = k.createMap({ type: BPF_MAP_TYPE[s.type], keySize: s.key, valueSize: s.value, maxEntries: s.max, flags: s.flags ?? 0,
          mapExtra: BigInt(s.extra ?? 0), name: `${pins.prefix}${i}`, innerMapFd: s.inner === undefined ? 0 : fds[s.inner] ?? 0 });
        fds.push(fd);
        for (const e of s.fill ?? []) {
          const value = e.fd !== undefined ? new Uint8Array(new Uint32Array([fds[e.fd]!]).buffer) : Buffer.from(e.value!, 'hex');
          k.mapUpdate(fd, Buffer.from(e.key, 'hex'), value, 0);
        }
        return 0;
      } catch (e) {
        fds.push(undefined);
        if (e instanceof KernelError) return e.errno;
        throw e;
      }
    });
    const off = (f: string) => btfField('bpf_map', f).offset;
    const progFd = k.loadProgram({ name: 'dump_maps', attachTarget: 'bpf_map', sleepable: false, maxRdonlyAccess: 0, maxRdwrAccess: 0,
      gplCompatible: true, fingerprint: 'dump_maps', run: (ctx) => {
        if (!ctx.map || !ctx.map.name.startsWith(pins.prefix)) return 0;
        const v = ctx.map.region.view, a = ctx.map.region.addr;
        k.seqPrintfDirect(ctx.seq, Buffer.from('%u %s type=%u key=%u value=%u max=%u flags=%x extra=%llx refcnt=%lld usercnt=%lld elems=%lld meta=%d\n\0'), [
          BigInt(v.getUint32(off('id'), true)), a + BigInt(off('name')), BigInt(v.getUint32(off('map_type'), true)),
          BigInt(v.getUint32(off('key_size'), true)), BigInt(v.getUint32(off('value_size'), true)), BigInt(v.getUint32(off('max_entries'), true)),
          BigInt(v.getUint32(off('map_flags'), true)), v.getBigUint64(off('map_extra'), true), v.getBigUint64(off('refcnt'), true),
          v.getBigUint64(off('usercnt'), true), BigInt.asUintN(64, k.helpers.bpf_map_sum_elem_count(a)),
          v.getBigUint64(off('inner_map_meta'), true) !== 0n ? 1n : 0n]);
        return 0;
      } });
    return { errnos, iter: Buffer.from(k.readIterAll(k.createIter(k.createIterLink(progFd)), 4096)).toString() };
  }

  it('every map type: creation with valid and invalid parameters gives the same errno', () => {
    const sim = simulate();
    const describe = (errnos: number[]) => SPECS.map((s, i) => `${i} ${s.type} key=${s.key} value=${s.value} max=${s.max} flags=0x${(s.flags ?? 0).toString(16)} extra=${s.extra ?? 0}: errno ${errnos[i]}`)
      .filter((_, i) => comparedRow(i));
    assert.ok(describe(real!.errnos).length > SPECS.length / 2, 'most map types are allowed here');
    assert.deepStrictEqual(describe(sim.errnos), describe(real!.errnos));
  });

  /** The same operations on the simulator, answered in the same words. */
  function simulateOps(spec: { type: number; key: number; value: number; max: number; flags: number; extra: number }, ops: ElementOp[]): string[] {
    const k = new Kernel({ hashSeed: 0 });
    const fd = k.createMap({ type: spec.type, keySize: spec.key, valueSize: spec.value, maxEntries: spec.max, flags: spec.flags, mapExtra: BigInt(spec.extra) });
    const map = k.mapFromFd(fd);
    const keyless = spec.key === 0;
    return ops.map((op) => {
      const key = op.key === undefined ? new Uint8Array(0) : Buffer.from(op.key, 'hex');
      const value = Buffer.from(op.value ?? '', 'hex');
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      try {
        switch (op.op) {
          case 'update': k.mapUpdate(fd, key, value, op.flags ?? 0); return 'ok';
          case 'delete': k.mapDelete(fd, key); return 'ok';
          case 'pop': return hex(k.mapPop(fd));
          case 'lookup': return keyless && map.type === BPF_MAP_TYPE.BLOOM_FILTER ? hex(k.mapPeek(fd, value)) : hex(k.mapLookup(fd, key));
          case 'next': { const next = k.mapGetNextKey(fd, op.key === undefined ? null : key); return next ? hex(next) : 'errno 2'; }
        }
      } catch (e) {
        if (e instanceof KernelError) return `errno ${e.errno}`;
        throw e;
      }
    });
  }
  function realOps(spec: { type: number; key: number; value: number; max: number; flags: number; extra: number }, ops: ElementOp[]): string[] {
    return JSON.parse(run('python3', ['-c', ELEMENT_OPS], JSON.stringify({ spec, ops })));
  }
  const le32 = (n: number) => Buffer.from(new Uint32Array([n]).buffer).toString('hex');

  /** Skips the running test with one line when this kernel refuses one of the map types it uses. */
  function needTypes(ctx: Mocha.Context, ...types: MapTypeName[]): void {
    for (const t of types) if (refusedTypes.has(t)) { console.log(`      ${refusedTypes.get(t)}`); ctx.skip(); }
  }

  it('queue and stack: push order, full maps, BPF_EXIST overwrite and pop give the same answers', function () {
    needTypes(this, 'QUEUE', 'STACK');
    for (const type of [BPF_MAP_TYPE.QUEUE, BPF_MAP_TYPE.STACK]) {
      const spec = { type, key: 0, value: 4, max: 3, flags: 0, extra: 0 };
      const ops: ElementOp[] = [
        ...[1, 2, 3, 4].map((n) => ({ op: 'update' as const, value: le32(n) })),
        { op: 'update', value: le32(5), flags: 2 }, { op: 'update', value: le32(6), flags: 1 }, { op: 'lookup' },
        { op: 'pop' }, { op: 'pop' }, { op: 'pop' }, { op: 'pop' },
      ];
      assert.deepStrictEqual(simulateOps(spec, ops), realOps(spec, ops), `map type ${type}`);
    }
  });

  it('bloom_filter with BPF_F_ZERO_SEED: the same values test present and absent (same hashes and bit array size)', function () {
    needTypes(this, 'BLOOM_FILTER');
    const spec = { type: BPF_MAP_TYPE.BLOOM_FILTER, key: 0, value: 4, max: 4, flags: 64, extra: 2 };
    const ops: ElementOp[] = [
      ...[3, 1000, 77].map((n) => ({ op: 'update' as const, value: le32(n) })),
      ...Array.from({ length: 200 }, (_, n) => ({ op: 'lookup' as const, value: le32(n) })),
    ];
    const real = realOps(spec, ops);
    assert.ok(real.filter((r) => r === 'errno 2').length > 20, 'some probes are absent on the real kernel');
    assert.deepStrictEqual(simulateOps(spec, ops), real);
  });

  it('lpm_trie: longest-prefix lookups, get_next_key order and errors give the same answers', function () {
    needTypes(this, 'LPM_TRIE');
    const spec = { type: BPF_MAP_TYPE.LPM_TRIE, key: 8, value: 4, max: 6, flags: 1, extra: 0 };
    const k = (len: number, ...b: number[]) => le32(len) + Buffer.from([...b, 0, 0, 0, 0].slice(0, 4)).toString('hex');
    const keys = [k(8, 10), k(16, 10, 1), k(24, 10, 1, 2), k(16, 10, 2), k(0), k(32, 192, 168, 0, 1)];
    const ops: ElementOp[] = [
      ...keys.map((key, i) => ({ op: 'update' as const, key, value: le32(i + 1) })),
      { op: 'update', key: k(8, 11), value: le32(9) }, { op: 'update', key: k(33, 1), value: le32(9) },
      { op: 'update', key: k(8, 10), value: le32(9), flags: 1 },
      { op: 'lookup', key: k(32, 10, 1, 2, 3) }, { op: 'lookup', key: k(32, 10, 1, 9, 9) }, { op: 'lookup', key: k(32, 11, 0, 0, 0) },
      { op: 'lookup', key: k(12, 10, 1) },
      { op: 'next' }, ...keys.map((key) => ({ op: 'next' as const, key })), { op: 'next', key: k(12, 10, 1) },
      { op: 'delete', key: k(12, 10) }, { op: 'delete', key: k(16, 10, 1) }, { op: 'next' }, { op: 'next', key: k(8, 10) },
    ];
    assert.deepStrictEqual(simulateOps(spec, ops), realOps(spec, ops));
  });

  it('an iter/bpf_map program printing every readable struct bpf_map field prints the same text (ids normalised)', () => {
    const sim = simulate();
    assert.ok(real!.iter.split('\n').length > 30, 'the real kernel created the valid maps');
    assert.strictEqual(normaliseIds(sim.iter), normaliseIds(real!.iter));
  });
});
