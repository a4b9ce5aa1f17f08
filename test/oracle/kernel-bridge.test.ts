import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { captureMain } from '../../server/src/cli/capture';
import { compareKernelMain } from '../../server/src/cli/compareKernel';
import { main } from '../../server/src/cli';
import { PinDir, realKernelUnavailable, run, tempDir } from './kernelOracle';

/**
 * The bridge to the real host, on the real kernel: `bpf-iter capture` of maps this test creates (uniquely named),
 * then one iter/bpf_map program pinned on the kernel and run on the captured scenario must print the same; and
 * `bpf-iter run --kernel` must agree with itself, say why in one line where the kernel refuses, and leave nothing.
 */
const LISTER = (prefix: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;
SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  const char want[] = "${prefix}";
  int i;
  if (!map) return 0;
  for (i = 0; i < sizeof(want) - 1; i++)
    if (map->name[i] != want[i]) return 0;
  BPF_SEQ_PRINTF(ctx->meta->seq, "%s type=%u key=%u value=%u max=%u flags=%x elems=%lld\\n", map->name, map->map_type,
    map->key_size, map->value_size, map->max_entries, map->map_flags, bpf_map_sum_elem_count(map));
  return 0;
}
`;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stdoutBytes: (b: Uint8Array) => out.push(Buffer.from(b).toString('latin1')), stderr: (s: string) => err.push(s) } };
}

/** Our private bpffs directories and the maps named with our prefix that still exist (freed maps go asynchronously). */
async function leftovers(prefix: string, dirsBefore: Set<string>): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const dirs = fs.readdirSync('/sys/fs/bpf').filter((d) => d.startsWith('bpf-iter-kernel-') && !dirsBefore.has(d));
    const maps = (JSON.parse(run('bpftool', ['-j', 'map', 'show']) || '[]') as { name?: string }[]).filter((m) => m.name?.startsWith(prefix)).map((m) => m.name!);
    if ((dirs.length === 0 && maps.length === 0) || attempt >= 20) return [...dirs, ...maps];
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('oracle: capture and run --kernel on the real kernel', function () {
  this.timeout(120000);
  let pins: PinDir;
  let work: string;
  before(function () {
    const why = realKernelUnavailable(['bpftool', 'clang']);
    if (why) { console.log(`    skipped: needs root, bpftool and clang (${why})`); this.skip(); }
    if (!fs.existsSync('/sys/kernel/btf/vmlinux') || !fs.existsSync('/usr/include/bpf/bpf_helpers.h')) { console.log('    skipped: needs /sys/kernel/btf/vmlinux and libbpf-dev headers'); this.skip(); }
    pins = new PinDir();
    work = tempDir();
    fs.writeFileSync(path.join(work, 'vmlinux.h'), run('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c']));
  });
  after(() => { pins?.remove(); if (work) fs.rmSync(work, { recursive: true, force: true }); });

  it('capture: an iterator on the captured scenario prints what it prints on the host', async function () {
    const p = pins.prefix;
    const at = (n: string) => path.join(pins.dir, n);
    run('bpftool', ['map', 'create', at('h'), 'type', 'hash', 'key', '4', 'value', '8', 'entries', '16', 'name', `${p}_h`]);
    run('bpftool', ['map', 'update', 'pinned', at('h'), 'key', '1', '0', '0', '0', 'value', '7', '0', '0', '0', '0', '0', '0', '0']);
    run('bpftool', ['map', 'update', 'pinned', at('h'), 'key', '2', '0', '0', '0', 'value', '9', '0', '0', '0', '0', '0', '0', '1']);
    run('bpftool', ['map', 'create', at('pa'), 'type', 'percpu_array', 'key', '4', 'value', '4', 'entries', '3', 'name', `${p}_pa`]);
    run('bpftool', ['map', 'update', 'pinned', at('pa'), 'key', '1', '0', '0', '0', 'value', '5', '0', '0', '0']);
    run('bpftool', ['map', 'create', at('in'), 'type', 'array', 'key', '4', 'value', '8', 'entries', '2', 'name', `${p}_in`]);
    run('bpftool', ['map', 'create', at('hom'), 'type', 'hash_of_maps', 'inner_map', 'pinned', at('in'), 'key', '4', 'value', '4', 'entries', '4', 'name', `${p}_hom`]);
    run('bpftool', ['map', 'update', 'pinned', at('hom'), 'key', '3', '0', '0', '0', 'value', 'pinned', at('in')]);
    run('bpftool', ['map', 'create', at('l'), 'type', 'lpm_trie', 'key', '8', 'value', '4', 'entries', '4', 'name', `${p}_l`, 'flags', '1']);
    run('bpftool', ['map', 'update', 'pinned', at('l'), 'key', '24', '0', '0', '0', '10', '0', '1', '0', 'value', '1', '0', '0', '0']);

    const scenario = path.join(work, 'captured.bpfscenario.json');
    const c = io();
    assert.strictEqual(captureMain(['-o', scenario, '--name', `${p}_*`], c.io), 0, c.err.join(''));
    const captured = JSON.parse(fs.readFileSync(scenario, 'utf8'));
    const byName = Object.fromEntries(captured.maps.map((m: { name: string }) => [m.name, m]));
    assert.deepStrictEqual(Object.keys(byName), [`${p}_h`, `${p}_pa`, `${p}_in`, `${p}_hom`, `${p}_l`]);
    assert.deepStrictEqual(new Set(byName[`${p}_h`].entries.map((e: { key: number; value: string }) => `${e.key}=${e.value}`)),
      new Set(['1=07 00 00 00 00 00 00 00', '2=09 00 00 00 00 00 00 01']));
    const cpus = Number(fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim().split('-').pop()) + 1;
    assert.deepStrictEqual(byName[`${p}_pa`].entries, [{ key: 1, values: new Array(cpus).fill('05 00 00 00') }]);
    assert.deepStrictEqual(byName[`${p}_hom`].entries, [{ key: 3, inner_map: `${p}_in` }]);
    assert.deepStrictEqual(byName[`${p}_l`].entries, [{ key: { prefixlen: 24, data: '0a 00 01 00' }, value: '01 00 00 00' }]);

    const prog = path.join(work, 'lister.bpf.c');
    fs.writeFileSync(prog, LISTER(p));
    run('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', work, '-c', prog, '-o', path.join(work, 'lister.o')]);
    run('bpftool', ['iter', 'pin', path.join(work, 'lister.o'), at('iter')]);
    const onHost = fs.readFileSync(at('iter'), 'latin1');
    fs.rmSync(at('iter'));
    assert.strictEqual(onHost.split('\n').length - 1, 5, onHost);
    // the simulator reads the file with the same vmlinux.h (a compile_flags.txt beside it, as a project would have)
    fs.writeFileSync(path.join(work, 'compile_flags.txt'), `-I${work}\n`);
    const r = io();
    assert.strictEqual(await main(['run', prog, '--scenario', scenario, '--cpus', String(cpus)], r.io), 0, r.err.join(''));
    assert.strictEqual(r.out.join(''), onHost);
  });

  it('run --kernel: identical outputs exit 0, --json says so, and nothing is left behind', async function () {
    const p = `${pins.prefix}k`;
    const dir = fs.mkdtempSync(path.join(work, 'k-'));
    fs.writeFileSync(path.join(dir, 'compile_flags.txt'), `-I${work}\n`);
    const prog = path.join(dir, 'lister.bpf.c');
    fs.writeFileSync(prog, LISTER(p));
    fs.writeFileSync(path.join(dir, 'lister.bpfscenario.json'), JSON.stringify({ maps: [
      { name: `${p}_conn`, type: 'hash', key_size: 4, value_size: 8, max_entries: 16, entries: [{ key: 1, value: 5 }, { key: 2, value: 6 }] },
      { name: `${p}_in`, type: 'array', key_size: 4, value_size: 4, max_entries: 3 },
      { name: `${p}_out`, type: 'hash_of_maps', key_size: 4, value_size: 4, max_entries: 3, inner_map: { type: 'array', key_size: 4, value_size: 4, max_entries: 3 }, entries: [{ key: 9, inner_map: `${p}_in` }] },
      { name: `${p}_q`, type: 'queue', key_size: 0, value_size: 4, max_entries: 3, entries: [{ value: 1 }, { value: 2 }] },
      { name: `${p}_lpm`, type: 'lpm_trie', key_size: 8, value_size: 4, max_entries: 3, flags: ['BPF_F_NO_PREALLOC'], entries: [{ key: { prefixlen: 16, data: '0a 01 00 00' }, value: 1 }] },
    ] }));
    const before = new Set(fs.readdirSync('/sys/fs/bpf'));
    const tmpBefore = new Set(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('bpf-iter-kernel-')));
    const h = io();
    assert.strictEqual(await compareKernelMain([prog, '--kernel'], h.io), 0, h.err.join(''));
    assert.strictEqual(h.out.join('').split('\n').length - 1, 5, h.out.join(''));
    assert.match(h.err.join(''), /the real kernel printed the same \d+ bytes/);
    const j = io();
    assert.strictEqual(await compareKernelMain([prog, '--kernel', '--json'], j.io), 0);
    const result = JSON.parse(j.out.join(''));
    assert.deepStrictEqual([result.identical, result.simulated.error, result.kernel.error], [true, null, null]);
    assert.strictEqual(result.kernel.output, result.simulated.output);
    assert.deepStrictEqual(await leftovers(p, before), []);
    assert.deepStrictEqual(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('bpf-iter-kernel-') && !tmpBefore.has(d)), []);
  });

  it('run --kernel: a difference is a unified diff and exit 1; a failure half-way still removes everything', async function () {
    const p = `${pins.prefix}d`;
    const dir = fs.mkdtempSync(path.join(work, 'd-'));
    fs.writeFileSync(path.join(dir, 'compile_flags.txt'), `-I${work}\n`);
    const prog = path.join(dir, 'lister.bpf.c');
    // the simulator and the kernel disagree on purpose: the program prints a map's id, which the two number differently
    fs.writeFileSync(prog, LISTER(p).replace('"%s type=', '"%u %s type=').replace('map->name, map->map_type', 'map->id, map->name, map->map_type'));
    const scenario = path.join(dir, 's.bpfscenario.json');
    fs.writeFileSync(scenario, JSON.stringify({ maps: [{ name: `${p}_a`, type: 'array', key_size: 4, value_size: 4, max_entries: 1 }] }));
    const before = new Set(fs.readdirSync('/sys/fs/bpf'));
    const d = io();
    assert.strictEqual(await compareKernelMain([prog, '--kernel', '--scenario', scenario], d.io), 1, d.err.join(''));
    assert.match(d.out.join(''), /^--- simulated\n\+\+\+ kernel\n@@ -1,1 \+1,1 @@\n-\d+ \S+_a type=2/);
    // the second map cannot be created (a hash map of max_entries 0 is EINVAL): the first must go too
    fs.writeFileSync(scenario, JSON.stringify({ maps: [
      { name: `${p}_ok`, type: 'array', key_size: 4, value_size: 4, max_entries: 1 },
      { name: `${p}_bad`, type: 'hash', key_size: 4, value_size: 4, max_entries: 0 }] }));
    const f = io();
    assert.notStrictEqual(await compareKernelMain([prog, '--kernel', '--scenario', scenario, '--json'], f.io), 0);
    assert.match(JSON.parse(f.out.join('')).kernel.error.message, /creating map \S+_bad/);
    assert.deepStrictEqual(await leftovers(p, before), []);
  });

  it('run --kernel through our loader: globals before the load, per-CPU values that differ, map_extra, the second program', async function () {
    const p = `${pins.prefix}l`;
    const dir = fs.mkdtempSync(path.join(work, 'l-'));
    fs.writeFileSync(path.join(dir, 'compile_flags.txt'), `-I${work}\n`);
    const prog = path.join(dir, 'second.bpf.c');
    fs.writeFileSync(prog, `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;
__u32 min_max = 1;
SEC("iter/bpf_map")
int first(struct bpf_iter__bpf_map *ctx) { return 0; }
SEC("iter/bpf_map")
int second(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  const char want[] = "${p}";
  int i;
  if (!map || map->max_entries < min_max) return 0;
  for (i = 0; i < sizeof(want) - 1; i++)
    if (map->name[i] != want[i]) return 0;
  BPF_SEQ_PRINTF(ctx->meta->seq, "%s type=%u max=%u extra=%llu elems=%lld\\n", map->name, map->map_type, map->max_entries,
    map->map_extra, bpf_map_sum_elem_count(map));
  return 0;
}
`);
    const scenario = path.join(dir, 's.bpfscenario.json');
    fs.writeFileSync(scenario, JSON.stringify({ maps: [
      { name: `${p}_pc`, type: 'percpu_hash', key_size: 4, value_size: 8, max_entries: 4, entries: [{ key: 1, values: [1, 2] }, { key: 2, value: 3 }] },
      { name: `${p}_bf`, type: 'bloom_filter', key_size: 0, value_size: 4, max_entries: 8, map_extra: 3, entries: [{ value: 7 }] },
      { name: `${p}_sm`, type: 'array', key_size: 4, value_size: 4, max_entries: 1 },
    ], globals: { min_max: 2 } }));
    const before = new Set(fs.readdirSync('/sys/fs/bpf'));
    const h = io();
    const status = await compareKernelMain([prog, '--kernel', '--scenario', scenario, '--prog', 'second', '--json'], h.io);
    const result = JSON.parse(h.out.join(''));
    if (result.kernel.refused && /loader cannot be built/.test(result.kernel.error.message)) {
      console.log(`      skipped: ${result.kernel.error.message}`);
      this.skip();
    }
    assert.deepStrictEqual([status, result.kernel.error, result.simulated.error, result.identical], [0, null, null, true], h.out.join(''));
    // the global hid the one-entry array; map_extra and the elements reached the kernel
    assert.deepStrictEqual(result.kernel.output.trim().split('\n').map((l: string) => l.replace(/^\S+_(\w+) /, '$1 ')),
      ['pc type=5 max=4 extra=0 elems=2', 'bf type=30 max=8 extra=3 elems=0']);
    assert.deepStrictEqual(await leftovers(p, before), []);
  });

  it('run --kernel of an object whose first program is a tracepoint: the state bpftool iter pin leaves (the iterator\'s maps and a pinned one)', async function () {
    const p = `${pins.prefix}t`;
    const dir = fs.mkdtempSync(path.join(work, 't-'));
    fs.writeFileSync(path.join(dir, 'compile_flags.txt'), `-I${work}\n`);
    const prog = path.join(dir, 'mixed.bpf.c');
    // the tracepoint's map dies with the object once its program is freed; the iterator's map stays with the link
    fs.writeFileSync(prog, `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } ${p}_tp SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } ${p}_it SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); __uint(pinning, LIBBPF_PIN_BY_NAME); } ${p}_pn SEC(".maps");
SEC("tp/sched/sched_process_exec")
int on_exec(void *ctx)
{
  __u32 key = 1;
  __u64 one = 1;
  bpf_map_update_elem(&${p}_tp, &key, &one, BPF_ANY);
  return 0;
}
SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  const char want[] = "${p}";
  __u32 key = 0;
  int i;
  if (!map || !bpf_map_lookup_elem(&${p}_it, &key)) return 0;
  for (i = 0; i < sizeof(want) - 1; i++)
    if (map->name[i] != want[i]) return 0;
  BPF_SEQ_PRINTF(ctx->meta->seq, "%s type=%u\\n", map->name, map->map_type);
  return 0;
}
`);
    const before = new Set(fs.readdirSync('/sys/fs/bpf'));
    const h = io();
    const status = await compareKernelMain([prog, '--kernel', '--json'], h.io);
    const result = JSON.parse(h.out.join(''));
    if (result.kernel.refused && /loader cannot be built/.test(result.kernel.error.message)) {
      console.log(`      skipped: ${result.kernel.error.message}`);
      this.skip();
    }
    assert.deepStrictEqual([status, result.kernel.error, result.simulated.error, result.identical], [0, null, null, true], h.out.join(''));
    // the map pinned by name stays with its pin (in the run's private directory, not /sys/fs/bpf)
    assert.strictEqual(result.kernel.output, `${p}_it type=2\n${p}_pn type=2\n`);
    assert.strictEqual(fs.existsSync(`/sys/fs/bpf/${p}_pn`), false);
    assert.deepStrictEqual(await leftovers(p, before), []);
  });

  it('run --kernel through bpftool iter pin: libbpf\'s probe maps, freed after bpftool exits, are gone when the pin is read', async function () {
    const dir = fs.mkdtempSync(path.join(work, 'p-'));
    fs.writeFileSync(path.join(dir, 'compile_flags.txt'), `-I${work}\n`);
    const prog = path.join(dir, 'probes.bpf.c');
    // libbpf_global and libbpf_det_bind: the maps of libbpf's feature probes during the load
    fs.writeFileSync(prog, `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
SEC("iter/bpf_map")
int list_probe_maps(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  if (!map) { BPF_SEQ_PRINTF(ctx->meta->seq, "end\\n"); return 0; }
  if (map->name[0] == 'l' && map->name[1] == 'i' && map->name[2] == 'b' && map->name[3] == 'b' && map->name[4] == 'p' && map->name[5] == 'f')
    BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", map->name);
  return 0;
}
`);
    for (let i = 0; i < 3; i++) {
      const h = io();
      assert.strictEqual(await compareKernelMain([prog, '--kernel'], h.io), 0, h.out.join('') + h.err.join(''));
    }
  });

  it('run --kernel: an iter/bpf_map_elem program the kernel refuses here is one line and exit 3, leaving nothing', async function () {
    const p = `${pins.prefix}e`;
    const dir = fs.mkdtempSync(path.join(work, 'e-'));
    fs.writeFileSync(path.join(dir, 'compile_flags.txt'), `-I${work}\n`);
    const prog = path.join(dir, 'elem.bpf.c');
    fs.writeFileSync(prog, `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
SEC("iter/bpf_map_elem")
int dump(struct bpf_iter__bpf_map_elem *ctx)
{
  __u32 *key = ctx->key;
  __u64 *value = ctx->value;
  if (!key || !value) return 0;
  BPF_SEQ_PRINTF(ctx->meta->seq, "%u=%llu\\n", *key, *value);
  return 0;
}
`);
    const scenario = path.join(dir, 's.bpfscenario.json');
    fs.writeFileSync(scenario, JSON.stringify({ maps: [{ name: `${p}_h`, type: 'hash', key_size: 4, value_size: 8, max_entries: 4, flags: ['BPF_F_ZERO_SEED'], entries: [{ key: 3, value: 30 }] }], attach: { map: `${p}_h` } }));
    const before = new Set(fs.readdirSync('/sys/fs/bpf'));
    const e = io();
    const status = await compareKernelMain([prog, '--kernel', '--scenario', scenario], e.io);
    if (status === 0) {
      console.log('      (this kernel loads iter/bpf_map_elem programs: compared, identical)');
      assert.strictEqual(e.out.join(''), '3=30\n');
    } else {
      assert.strictEqual(status, 3, e.err.join(''));
      assert.strictEqual(e.out.join(''), '3=30\n', 'the simulated output is still shown');
      const lines = e.err.join('').trim().split('\n');
      assert.strictEqual(lines.length, 1, lines.join('\n'));
      assert.match(lines[0], /^bpf-iter: kernel: EPERM: the kernel refuses to load this program here/);
    }
    assert.deepStrictEqual(await leftovers(p, before), []);
  });
});
