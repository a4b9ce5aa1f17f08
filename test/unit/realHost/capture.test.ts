import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { captureScenario, CaptureHost, CaptureOptions, globMatches } from '../../../server/src/realHost/capture';
import { captureMain } from '../../../server/src/cli/capture';
import { parseScenario } from '../../../server/src/exec/scenario';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createNodeHost } from '../../../server/src/service/host';

/** A host whose bpftool answers from JSON fixtures written in bpftool's format (test/fixtures/bpftool). */
const fixtures = path.resolve(__dirname, '../../../../test/fixtures/bpftool');
function fakeHost(overrides: Partial<CaptureHost> = {}): CaptureHost & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    root: true,
    cpus: 2,
    run: (command, args) => {
      calls.push([command, ...args]);
      if (args.join(' ') === '-j map show') return { status: 0, stdout: fs.readFileSync(path.join(fixtures, 'map-show.json'), 'utf8'), stderr: '' };
      const dump = /^-j map dump id (\d+)$/.exec(args.join(' '));
      if (dump) {
        const file = path.join(fixtures, `dump-${dump[1]}.json`);
        return { status: 0, stdout: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '[]', stderr: '' };
      }
      return { status: 255, stdout: '', stderr: `unexpected bpftool call ${args.join(' ')}` };
    },
    ...overrides,
  };
}
const all: CaptureOptions = { names: [], ids: [], types: [], maxEntries: 100 };
type Map = { name: string; type: string; key_size: number; value_size: number; max_entries: number; flags?: number; btf?: boolean; map_extra?: number; inner_map?: unknown; entries?: Record<string, unknown>[] };
const mapsOf = (s: Record<string, unknown> | undefined) => (s?.maps ?? []) as Map[];

describe('capture: a scenario from bpftool JSON (fake host)', () => {
  it('keeps the kernel-stored fields of every map in id order, and the scenario reads back without problems', () => {
    const host = fakeHost();
    const r = captureScenario(host, all);
    assert.strictEqual(r.error, undefined);
    const text = JSON.stringify(r.scenario);
    assert.deepStrictEqual(parseScenario(text, 'c.json').problems, []);
    const maps = mapsOf(r.scenario);
    assert.deepStrictEqual(maps.map((m) => m.name), ['', 'conn_track', 'pkt_stats', 'map_9', 'per_port', 'events_q', 'conn_track_12', 'seen', 'sk_stg']);
    assert.strictEqual(r.scenario!.cpus, 2);
    const conn = maps[1];
    assert.deepStrictEqual([conn.type, conn.key_size, conn.value_size, conn.max_entries, conn.btf, conn.flags], ['hash', 4, 8, 64, true, undefined]);
    assert.strictEqual(maps[6].flags, 64);
    assert.strictEqual(maps[7].map_extra, 3);
    assert.deepStrictEqual([maps[8].type, maps[8].flags, maps[8].btf], ['sk_storage', 1, true]);
    // nothing but reads: map show and one dump per map whose elements bpftool can list
    assert.ok(host.calls.every((c) => c[0] === 'bpftool' && (c[2] === 'map') && (c[3] === 'show' || c[3] === 'dump')), JSON.stringify(host.calls));
  });

  it('captures contents: hash values as hex, lpm_trie keys as prefix + data, one-byte values as numbers', () => {
    const maps = mapsOf(captureScenario(fakeHost(), all).scenario);
    assert.deepStrictEqual(maps[1].entries, [
      { key: 2, value: '2a 00 00 00 00 00 00 00' }, { key: 1, value: 'ff ff ff ff ff ff ff ff' }, { key: 3, value: '00 00 00 00 00 00 00 00' }]);
    assert.deepStrictEqual(maps[0].entries, [{ key: { prefixlen: 8, data: '0a 00 00 00' }, value: '01 00 00 00 00 00 00 00' }]);
    assert.deepStrictEqual(maps[6].entries, [{ key: 5, value: 16 }]);
  });

  it('keeps per-CPU values per CPU (CPU 0 first) and leaves out array elements that are zero on every CPU', () => {
    const maps = mapsOf(captureScenario(fakeHost(), all).scenario);
    assert.deepStrictEqual(maps[2].entries, [{ key: 1, values: ['05 00 00 00', '07 00 00 00'] }]);
    assert.deepStrictEqual(maps[3].entries, [{ key: 1, value: '10 00 00 00 00 00 00 00' }]);
  });

  it('map-in-map: slots name the captured inner maps; an unnamed inner map gets a name; the template is the inner map\'s geometry', () => {
    const r = captureScenario(fakeHost(), all);
    const maps = mapsOf(r.scenario);
    assert.deepStrictEqual(maps[4].inner_map, { type: 'array', key_size: 4, value_size: 8, max_entries: 2 });
    assert.deepStrictEqual(maps[4].entries, [{ key: 0, inner_map: 'map_9' }]);
    assert.ok(r.warnings.some((w) => /map 9: named "map_9"/.test(w)), r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => /map 12: named "conn_track_12".*more than once/.test(w)), r.warnings.join('\n'));
  });

  it('says what a scenario cannot hold: unknown types, queue contents, frozen maps', () => {
    const { warnings } = captureScenario(fakeHost(), all);
    assert.ok(warnings.some((w) => /map 5 \(newthing\): type unspec_future_type .* left out/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /map 11 \(events_q\): queue contents cannot be read without popping/.test(w)));
    assert.ok(warnings.some((w) => /map 11 \(events_q\): frozen/.test(w)));
  });

  it('selects by name pattern, id and type; a selected map-in-map brings its inner maps', () => {
    assert.deepStrictEqual(mapsOf(captureScenario(fakeHost(), { ...all, names: ['conn*'] }).scenario).map((m) => m.name), ['conn_track', 'conn_track_12']);
    assert.deepStrictEqual(mapsOf(captureScenario(fakeHost(), { ...all, ids: [8, 13] }).scenario).map((m) => m.name), ['pkt_stats', 'seen']);
    assert.deepStrictEqual(mapsOf(captureScenario(fakeHost(), { ...all, types: ['array_of_maps'] }).scenario).map((m) => m.name), ['map_9', 'per_port']);
    assert.deepStrictEqual(mapsOf(captureScenario(fakeHost(), { ...all, names: ['conn*'], types: ['hash'], ids: [12] }).scenario).map((m) => m.name), ['conn_track']);
    assert.ok(globMatches('a?c*', 'abcdef') && !globMatches('a.c', 'abc'));
  });

  it('--max-entries keeps the first N elements and says how many there were', () => {
    const r = captureScenario(fakeHost(), { ...all, ids: [7], maxEntries: 1 });
    assert.deepStrictEqual(mapsOf(r.scenario)[0].entries, [{ key: 2, value: '2a 00 00 00 00 00 00 00' }]);
    assert.ok(r.warnings.some((w) => /3 elements, the first 1 captured/.test(w)));
  });

  it('refuses in one line without root (before running bpftool) and when bpftool fails or is missing', () => {
    const noRoot = fakeHost({ root: false });
    const r = captureScenario(noRoot, all);
    assert.match(r.error!, /^capture needs root/);
    assert.deepStrictEqual(noRoot.calls, []);
    const missing = captureScenario(fakeHost({ run: () => ({ status: null, stdout: '', stderr: 'bpftool: not installed (not found on PATH)' }) }), all);
    assert.match(missing.error!, /^bpftool map show: bpftool: not installed/);
    assert.ok(!missing.error!.includes('\n'));
    const refused = captureScenario(fakeHost({ run: () => ({ status: 255, stdout: '{"error":"can\'t get next map: Operation not permitted"}', stderr: '' }) }), all);
    assert.match(refused.error!, /Operation not permitted$/);
  });

  it('with -o, a map of more elements than --bulk-above becomes a binary records file its "entries_file" names; stdout keeps JSON', () => {
    const io = { stdout: () => undefined, stderr: () => undefined };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-capture-bulk-'));
    try {
      const file = path.join(dir, 'host.bpfscenario.json');
      assert.strictEqual(captureMain(['-o', file, '--id', '7', '--bulk-above', '2'], io, fakeHost()), 0);
      const text = fs.readFileSync(file, 'utf8');
      const map = JSON.parse(text).maps[0];
      assert.deepStrictEqual([map.name, map.entries, map.entries_file], ['conn_track', undefined, 'conn_track.7.entries']);
      // key bytes then value bytes, in bpftool's dump order, the same elements the JSON form holds
      const records = fs.readFileSync(path.join(dir, map.entries_file));
      assert.deepStrictEqual([...records], [
        2, 0, 0, 0, 0x2a, 0, 0, 0, 0, 0, 0, 0,
        1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      assert.deepStrictEqual(parseScenario(text, file).problems, []);
      // at or under the bound, or on stdout, the elements stay JSON
      assert.strictEqual(captureMain(['-o', file, '--id', '7', '--bulk-above', '3'], io, fakeHost()), 0);
      assert.strictEqual(JSON.parse(fs.readFileSync(file, 'utf8')).maps[0].entries.length, 3);
      const out: string[] = [];
      assert.strictEqual(captureMain(['--id', '7', '--bulk-above', '0'], { stdout: (s: string) => out.push(s), stderr: () => undefined }, fakeHost()), 0);
      assert.strictEqual(JSON.parse(out.join('')).maps[0].entries.length, 3);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  it('the command line writes the file with -o, or JSON on stdout; warnings on stderr; usage errors exit 2', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
    assert.strictEqual(captureMain(['--name', 'pkt*'], io, fakeHost()), 0);
    assert.strictEqual(JSON.parse(out.join('')).maps[0].name, 'pkt_stats');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-capture-'));
    try {
      const file = path.join(dir, 'host.bpfscenario.json');
      assert.strictEqual(captureMain(['-o', file, '--type', 'queue'], io, fakeHost()), 0);
      assert.strictEqual(JSON.parse(fs.readFileSync(file, 'utf8')).maps[0].name, 'events_q');
      assert.ok(err.some((l) => /captured 1 map into/.test(l)) && err.some((l) => /queue contents/.test(l)));
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
    assert.strictEqual(captureMain(['--type', 'hashh'], io, fakeHost()), 2);
    assert.strictEqual(captureMain(['--max-entries', 'x'], io, fakeHost()), 2);
    assert.strictEqual(captureMain([], io, fakeHost({ root: false })), 1);
    assert.match(err[err.length - 1], /^bpf-iter: capture: capture needs root/);
  });

  it('an iterator runs on the captured scenario and sees the captured maps as the host has them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-capture-'));
    try {
      const scenario = path.join(dir, 'host.bpfscenario.json');
      fs.writeFileSync(scenario, JSON.stringify(captureScenario(fakeHost(), { ...all, ids: [7, 8, 10, 12] }).scenario));
      const prog = path.join(dir, 'maps.bpf.c');
      fs.writeFileSync(prog, `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;
SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
  struct bpf_map *map = ctx->map;
  if (!map) return 0;
  BPF_SEQ_PRINTF(ctx->meta->seq, "%s type=%u key=%u value=%u max=%u flags=%u elems=%lld\\n", map->name, map->map_type,
    map->key_size, map->value_size, map->max_entries, map->map_flags, bpf_map_sum_elem_count(map));
  return 0;
}
`);
      const service = createLanguageService(createNodeHost(), defaultSettings());
      const result = await service.run(prog, fs.readFileSync(prog, 'utf8'), { scenario });
      assert.ok(!result.error, JSON.stringify(result.error));
      const lines = result.output!.trim().split('\n');
      assert.deepStrictEqual(lines.slice(0, 4), [
        'conn_track type=1 key=4 value=8 max=64 flags=0 elems=3',
        'pkt_stats type=6 key=4 value=4 max=3 flags=0 elems=0',
        'map_9 type=2 key=4 value=8 max=2 flags=0 elems=0',
        'per_port type=12 key=4 value=4 max=2 flags=0 elems=0',
      ]);
      assert.strictEqual(lines[4], 'conn_track_12 type=1 key=4 value=1 max=4 flags=64 elems=1');
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
