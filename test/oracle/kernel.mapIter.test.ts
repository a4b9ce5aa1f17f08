import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BPF_MAP_TYPE, btfField, Kernel } from '../../server/src/kernel';
import { fdinfoOfPinned, have, PinDir, realKernelUnavailable, run, tempDir } from './kernelOracle';

/** An iter/bpf_map program printing the maps whose name starts with a prefix given as a global. */
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
  if (!map) { BPF_SEQ_PRINTF(seq, "END %llu\\n", ctx->meta->seq_num > 0); return 0; }
  for (i = 0; i < 9 && prefix[i]; i++)
    if (map->name[i] != prefix[i]) return 0;
  BPF_SEQ_PRINTF(seq, "%u %s type=%u key=%u value=%u max=%u flags=%x refcnt=%lld usercnt=%lld elems=%lld\\n",
    map->id, map->name, map->map_type, map->key_size, map->value_size, map->max_entries, map->map_flags,
    map->refcnt.counter, map->usercnt.counter, bpf_map_sum_elem_count(map));
  return 0;
}
`;

/** Map ids differ between kernels: number them by first appearance. */
function normaliseIds(text: string, ids: Map<string, string>): string {
  return text.replace(/^(\d+) /gm, (_, id: string) => { if (!ids.has(id)) ids.set(id, `ID${ids.size}`); return `${ids.get(id)} `; });
}

describe('oracle: iter/bpf_map program on the real kernel vs the simulator', function () {
  this.timeout(60000);
  let pins: PinDir;
  let work: string;
  let pinnedIter = '';
  before(function () {
    const why = realKernelUnavailable(['bpftool', 'clang']);
    if (why) { console.log(`    skipped: real-kernel iterator tests need root, bpftool and clang (${why})`); this.skip(); }
    if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) { console.log('    skipped: libbpf-dev headers missing'); this.skip(); }
    pins = new PinDir();
    work = tempDir();
    fs.writeFileSync(path.join(work, 'vmlinux.h'), run('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c']));
    fs.writeFileSync(path.join(work, 'prog.bpf.c'), PROGRAM.replace('PREFIX', pins.prefix));
    run('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', work, '-I', '/usr/include', '-c',
      path.join(work, 'prog.bpf.c'), '-o', path.join(work, 'prog.bpf.o')]);
    pinnedIter = path.join(pins.dir, 'iter');
    try {
      run('bpftool', ['iter', 'pin', path.join(work, 'prog.bpf.o'), pinnedIter]);
    } catch (e) {
      console.log(`    skipped: bpf() refused loading the iterator (${String((e as Error).message).split('\n')[0]})`);
      this.skip();
    }
  });
  after(() => { pins?.remove(); if (work) fs.rmSync(work, { recursive: true, force: true }); });

  it('prints the same lines (ids normalised) for the same maps', () => {
    const specs = [
      { type: 'hash', t: BPF_MAP_TYPE.HASH, key: 4, value: 8, max: 16, flags: 0, fill: 3 },
      { type: 'array', t: BPF_MAP_TYPE.ARRAY, key: 4, value: 12, max: 5, flags: 0, fill: 0 },
      { type: 'percpu_hash', t: BPF_MAP_TYPE.PERCPU_HASH, key: 8, value: 4, max: 8, flags: 1, fill: 2 },
      { type: 'lru_hash', t: BPF_MAP_TYPE.LRU_HASH, key: 4, value: 4, max: 4, flags: 0, fill: 4 },
    ];
    const cpus = Number(fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim().split('-').pop()) + 1;
    const k = new Kernel({ cpus });
    specs.forEach((s, i) => {
      const name = `${pins.prefix}_${i}`;
      const pin = path.join(pins.dir, `map${i}`);
      run('bpftool', ['map', 'create', pin, 'type', s.type, 'key', String(s.key), 'value', String(s.value), 'entries', String(s.max), 'name', name, 'flags', String(s.flags)]);
      const fd = k.createMap({ type: s.t, keySize: s.key, valueSize: s.value, maxEntries: s.max, flags: s.flags, name });
      for (let e = 0; e < s.fill; e++) {
        const key = new Uint8Array(s.key); key[0] = e + 1;
        const valueBytes = s.type.startsWith('percpu') ? Math.ceil(s.value / 8) * 8 * cpus : s.value;
        run('bpftool', ['map', 'update', 'pinned', pin, 'key', ...Array.from(key, String), 'value', ...new Array(s.value).fill('0')]); // bpftool sets every CPU's slot
        k.mapUpdate(fd, key, new Uint8Array(valueBytes));
      }
    });
    const real = fs.readFileSync(pinnedIter, 'utf8');
    // the simulator runs the same program logic as a JS function over struct bpf_map memory
    const off = (f: string) => btfField('bpf_map', f).offset;
    const progFd = k.loadProgram({ name: 'dump_maps', attachTarget: 'bpf_map', sleepable: false, maxRdonlyAccess: 0, maxRdwrAccess: 0,
      gplCompatible: true, fingerprint: 'dump_maps', run: (ctx) => {
        if (!ctx.map) { k.seqPrintfDirect(ctx.seq, Buffer.from('END %llu\n\0'), [ctx.seqNum > 0n ? 1n : 0n]); return 0; }
        const v = ctx.map.region.view, a = ctx.map.region.addr;
        if (!ctx.map.name.startsWith(pins.prefix)) return 0;
        k.seqPrintfDirect(ctx.seq, Buffer.from('%u %s type=%u key=%u value=%u max=%u flags=%x refcnt=%lld usercnt=%lld elems=%lld\n\0'), [
          BigInt(v.getUint32(off('id'), true)), a + BigInt(off('name')), BigInt(v.getUint32(off('map_type'), true)),
          BigInt(v.getUint32(off('key_size'), true)), BigInt(v.getUint32(off('value_size'), true)), BigInt(v.getUint32(off('max_entries'), true)),
          BigInt(v.getUint32(off('map_flags'), true)), v.getBigUint64(off('refcnt'), true), v.getBigUint64(off('usercnt'), true),
          BigInt.asUintN(64, k.helpers.bpf_map_sum_elem_count(a))]);
        return 0;
      } });
    const sim = Buffer.from(k.readIterAll(k.createIter(k.createIterLink(progFd)), 4096)).toString();
    assert.strictEqual(normaliseIds(sim, new Map()), normaliseIds(real, new Map()));
    assert.match(real, /refcnt=2 usercnt=1 elems=3\n/);
  });

  it('bpftool link show and fdinfo lines have the simulator\'s shape (ids and tag normalised)', function () {
    if (!have('python3')) { console.log('    skipped: python3 (for BPF_OBJ_GET) missing'); this.skip(); }
    const norm = (s: string) => s.replace(/\b[0-9a-f]{16}\b/g, 'TAG').replace(/\d+/g, 'N');
    const realShow = run('bpftool', ['link', 'show', 'pinned', pinnedIter]);
    const realJson = JSON.parse(run('bpftool', ['-j', 'link', 'show', 'pinned', pinnedIter]));
    const realFdinfo = fdinfoOfPinned(pinnedIter);
    const k = new Kernel();
    const linkFd = k.createIterLink(k.loadProgram({ name: 'dump_maps', attachTarget: 'bpf_map', sleepable: false, maxRdonlyAccess: 0,
      maxRdwrAccess: 0, gplCompatible: true, fingerprint: 'x', run: () => 0 }));
    const pinLine = `\n\tpinned ${pinnedIter}`;
    const simShow = k.bpftoolLinkShow(new Map([[k.linkInfo(linkFd).id, [pinnedIter]]]));
    // bpftool prints pids when it can see the holder; a pinned link has none
    assert.strictEqual(norm(simShow.replace(pinLine, '')), norm(realShow.replace(pinLine, '')));
    assert.deepStrictEqual(Object.keys(JSON.parse(k.bpftoolLinkShowJson())[0]), Object.keys(realJson).filter((x) => x !== 'pinned' && x !== 'pids'));
    const bpfPart = (s: string) => s.slice(s.indexOf('link_type:'));
    assert.strictEqual(norm(bpfPart(k.linkFdinfo(linkFd))), norm(bpfPart(realFdinfo)));
  });
});
