import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { BPF_MAP_TYPE as T, Kernel } from '../../../server/src/kernel';
import { defaultScenario, defaultScenarioText, parseScenario, Scenario } from '../../../server/src/exec/scenario';
import { createScenarioMap, fillScenarioMap, ScenarioMapError } from '../../../server/src/exec/scenarioMaps';
import { scenarioSchema } from '../../../server/src/exec/scenarioSchema';

const root = path.join(__dirname, '../../../..');

function u32(n: number): Uint8Array { return new Uint8Array(new Uint32Array([n]).buffer); }
function readU32(b: Uint8Array): number { return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true); }

function parse(json: unknown): Scenario {
  const r = parseScenario(JSON.stringify(json, null, 2), 's.json');
  assert.deepStrictEqual(r.problems, []);
  return r.scenario!;
}
function problems(json: unknown): Array<{ path: string; message: string }> {
  return parseScenario(JSON.stringify(json, null, 2), 's.json').problems.map((p) => ({ path: p.path, message: p.message }));
}
/** Creates then fills every scenario map as the runner does; returns the fds by name. */
function load(k: Kernel, s: Scenario): Map<string, number> {
  const fds = new Map<string, number>();
  const created: Array<[number, Scenario['maps'][number]]> = [];
  for (const m of s.maps) {
    const fd = createScenarioMap(k, { name: m.name, type: m.type!, key_size: m.key_size!, value_size: m.value_size!, max_entries: m.max_entries!,
      flags: m.flags, mapExtra: m.mapExtra, btf: m.btf, innerMap: m.innerMap }, m.path, fds);
    if (m.name) fds.set(m.name, fd);
    created.push([fd, m]);
  }
  for (const [fd, m] of created) fillScenarioMap(k, fd, m.entries, m.name, fds, m.path, m.generate);
  return fds;
}

describe('exec/scenario: map types in scenario files', () => {
  it('queue and stack entries are key-less values pushed in file order (queue pops the first, stack the last)', () => {
    const s = parse({ maps: [
      { name: 'q', type: 'queue', key_size: 0, value_size: 4, max_entries: 4, entries: [{ value: 1 }, { value: 2 }, { value: 3 }] },
      { name: 's', type: 'stack', key_size: 0, value_size: 4, max_entries: 4, entries: [{ value: 1 }, { value: 2 }, { value: 3 }] },
    ] });
    const k = new Kernel();
    const fds = load(k, s);
    assert.deepStrictEqual([1, 2, 3].map(() => readU32(k.mapPop(fds.get('q')!))), [1, 2, 3]);
    assert.deepStrictEqual([1, 2, 3].map(() => readU32(k.mapPop(fds.get('s')!))), [3, 2, 1]);
  });

  it('a queue with more entries than max_entries fails like the kernel (E2BIG) at the entry\'s path', () => {
    const s = parse({ maps: [{ name: 'q', type: 'queue', key_size: 0, value_size: 4, max_entries: 1, entries: [{ value: 1 }, { value: 2 }] }] });
    assert.throws(() => load(new Kernel(), s), (e: unknown) => e instanceof ScenarioMapError && e.errno === 'E2BIG' && /\/maps\/0\/entries\/1/.test(e.message));
  });

  it('bloom_filter entries are pushed: those values test present, map_extra sets the hash functions', () => {
    const s = parse({ maps: [{ name: 'b', type: 'bloom_filter', key_size: 0, value_size: 4, max_entries: 64, map_extra: 2, entries: [{ value: 7 }, { value: 9 }] }] });
    const k = new Kernel();
    const fd = load(k, s).get('b')!;
    k.mapPeek(fd, u32(7));
    k.mapPeek(fd, u32(9));
    assert.strictEqual((k.mapFromFd(fd) as unknown as { nrHashFuncs: number }).nrHashFuncs, 2);
  });

  it('array_of_maps / hash_of_maps: inner_map template by name or inline; entries name inner maps, even later ones', () => {
    const s = parse({ maps: [
      { name: 'tmpl', type: 'array', key_size: 4, value_size: 8, max_entries: 4 },
      { name: 'outer_a', type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map: 'tmpl', entries: [{ key: 1, inner_map: 'late' }] },
      { name: 'outer_h', type: 'hash_of_maps', key_size: 4, value_size: 4, max_entries: 8,
        inner_map: { type: 'array', key_size: 4, value_size: 8, max_entries: 4 }, entries: [{ key: 42, inner_map: 'tmpl' }, { key: 43, inner_map: 'late' }] },
      { name: 'late', type: 'array', key_size: 4, value_size: 8, max_entries: 4 },
    ] });
    const k = new Kernel();
    const fds = load(k, s);
    const id = (name: string) => k.mapInfo(fds.get(name)!).id;
    assert.strictEqual(readU32(k.mapLookup(fds.get('outer_a')!, u32(1))), id('late'));
    assert.strictEqual(readU32(k.mapLookup(fds.get('outer_h')!, u32(42))), id('tmpl'));
    assert.strictEqual(k.helpers.bpf_map_sum_elem_count(k.mapAddress(fds.get('outer_h')!)), 2n);
    // libbpf's inline template "<outer>.inner" took an id and was closed again
    const names = k.listMaps().map((m) => `${m.id}:${m.name}`);
    assert.deepStrictEqual(names, ['1:tmpl', '2:outer_a', '4:outer_h', '5:late']);
  });

  it('an inner map that does not match the template fails with EINVAL (bpf_map_meta_equal)', () => {
    const s = parse({ maps: [
      { name: 'outer', type: 'array_of_maps', key_size: 4, value_size: 4, max_entries: 2, inner_map: { type: 'hash', key_size: 4, value_size: 4, max_entries: 8 },
        entries: [{ key: 0, inner_map: 'wrong' }] },
      { name: 'wrong', type: 'array', key_size: 4, value_size: 4, max_entries: 8 },
    ] });
    assert.throws(() => load(new Kernel(), s), (e: unknown) => e instanceof ScenarioMapError && e.errno === 'EINVAL');
  });

  it('lpm_trie keys are {prefixlen, data}; lookups find the longest prefix', () => {
    const s = parse({ maps: [{ name: 'routes', type: 'lpm_trie', key_size: 8, value_size: 4, max_entries: 8, flags: ['BPF_F_NO_PREALLOC'], entries: [
      { key: { prefixlen: 8, data: '0a 00 00 00' }, value: 1 }, { key: { prefixlen: 24, data: '0a 01 02 00' }, value: 2 }] }] });
    const k = new Kernel();
    const fd = load(k, s).get('routes')!;
    const key = new Uint8Array([32, 0, 0, 0, 10, 1, 2, 3]);
    assert.strictEqual(readU32(k.mapLookup(fd, key)), 2);
  });

  it('reports wrong entry shapes at their JSON path', () => {
    assert.deepStrictEqual(problems({ maps: [{ name: 'q', type: 'queue', key_size: 0, value_size: 4, max_entries: 2, entries: [{ key: 1, value: 2 }] }] }),
      [{ path: '/maps/0/entries/0/key', message: 'queue maps have no keys: give only "value" (values are pushed in file order)' }]);
    assert.deepStrictEqual(problems({ maps: [{ name: 'h', type: 'hash', key_size: 4, value_size: 4, max_entries: 2, entries: [{ value: 2 }] }] }),
      [{ path: '/maps/0/entries/0', message: 'a hash entry needs "key"' }]);
    const mim = problems({ maps: [{ name: 'o', type: 'hash_of_maps', key_size: 4, value_size: 4, max_entries: 2, entries: [{ key: 1, inner_map: 'nope' }] }] });
    assert.deepStrictEqual(mim.map((p) => p.path), ['/maps/0', '/maps/0/entries/0/inner_map']);
    assert.match(mim[0].message, /needs "inner_map"/);
    assert.match(mim[1].message, /no scenario map is named "nope"/);
    assert.deepStrictEqual(problems({ maps: [{ name: 'h', entries: [{ key: true }] }] }), [{ path: '/maps/0/entries/0/key',
      message: 'must be hex bytes ("01 00 00 00"), an integer, or for lpm_trie { "prefixlen": N, "data": "hex bytes" }' }]);
    assert.deepStrictEqual(problems({ maps: [{ name: 'o', type: 'array_of_maps', inner_map: 5 }] }), [{ path: '/maps/0/inner_map',
      message: 'must be the name of a scenario map or an inline map definition { "type", "key_size", "value_size", "max_entries" }' }]);
    const lpm = problems({ maps: [{ name: 'l', type: 'lpm_trie', entries: [{ key: { prefixlen: 8 }, value: 1 }] }] });
    assert.ok(lpm.some((p) => p.path === '/maps/0/entries/0/key'), JSON.stringify(lpm));
  });

  it('every example in the schema is valid against the schema', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(scenarioSchema);
    for (const ex of scenarioSchema.examples) assert.ok(validate(ex), JSON.stringify(validate.errors));
    const defs = scenarioSchema.definitions as unknown as Record<string, { examples?: unknown[] }>;
    for (const [name, def] of Object.entries(defs)) {
      const check = new Ajv({ allErrors: true, strict: false }).compile({ definitions: scenarioSchema.definitions, $ref: `#/definitions/${name}` });
      for (const ex of def.examples ?? []) assert.ok(check(ex), `${name}: ${JSON.stringify(check.errors)}`);
    }
  });
});

describe('exec/scenario: the embedded default system', () => {
  it('is server/scenarios/default.bpfscenario.json byte for byte (regenerate scenarioDefault.ts after editing it)', () => {
    assert.strictEqual(defaultScenarioText(), fs.readFileSync(path.join(root, 'server/scenarios/default.bpfscenario.json'), 'utf8'));
  });

  it('parses without problems and is what runs without a scenario file', () => {
    const r = parseScenario(defaultScenarioText(), 'default.bpfscenario.json');
    assert.deepStrictEqual(r.problems, []);
    // defaultScenario() reads the embedded text without validating it again: this is the check it relies on
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value)));
    assert.deepStrictEqual(plain(defaultScenario()), plain({ ...r.scenario!, source: '<default>' }));
    assert.strictEqual(defaultScenario('<x>').source, '<x>');
  });

  it('loads into the simulated kernel: many map types, named and unnamed, filled', () => {
    const s = defaultScenario();
    const k = new Kernel({ cpus: s.cpus });
    load(k, s);
    const maps = k.listMaps();
    const types = new Set(maps.map((m) => m.type));
    assert.ok(types.size >= 18, `${types.size} map types`);
    for (const t of [T.HASH_OF_MAPS, T.LPM_TRIE, T.DEVMAP, T.RINGBUF, T.STACK_TRACE, T.PERF_EVENT_ARRAY, T.QUEUE, T.BLOOM_FILTER]) assert.ok(types.has(t), `type ${t}`);
    assert.ok(maps.some((m) => m.name === ''), 'systemd\'s firewall maps are unnamed');
    const hashOfMaps = maps.find((m) => m.name === 'cgroup_hash')!;
    assert.strictEqual(k.helpers.bpf_map_sum_elem_count(k.mapById(hashOfMaps.id)!.region.addr), 1n);
  });
});

describe('exec/scenario: generated entries ("generate")', () => {
  const readU64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  it('count elements with keys start + i*step and values start + i*step, after the listed entries', () => {
    const s = parse({ maps: [{ name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 2000,
      entries: [{ key: 99999, value: 1 }], generate: { count: 1000, key: { start: 10, step: 3 }, value: { start: 5, step: 2 } } }] });
    const k = new Kernel({ cpus: 2 });
    const fds = load(k, s);
    const fd = fds.get('h')!;
    assert.strictEqual(k.mapFromFd(fd).sumElemCount(), 1001n);
    assert.strictEqual(readU64(k.mapLookup(fd, u32(10 + 3 * 7))), 5n + 2n * 7n);
    assert.strictEqual(readU64(k.mapLookup(fd, u32(99999))), 1n);
    assert.throws(() => k.mapLookup(fd, u32(11)), /ENOENT/);
  });

  it('uniform values come from the seed: the same seed gives the same map, another seed another, all within [min, max]', () => {
    const values = (seed: number): bigint[] => {
      const s = parse({ maps: [{ name: 'a', type: 'array', key_size: 4, value_size: 8, max_entries: 500, generate: { count: 500, value: { uniform: [100, 199] }, seed } }] });
      const k = new Kernel({ cpus: 2 });
      const fd = load(k, s).get('a')!;
      return Array.from({ length: 500 }, (_, i) => readU64(k.mapLookup(fd, u32(i))));
    };
    const a = values(7), b = values(7), c = values(8);
    assert.deepStrictEqual(a, b);
    assert.notDeepStrictEqual(a, c);
    assert.ok(a.every((v) => v >= 100n && v <= 199n), 'within [min, max]');
    assert.ok(new Set(a).size > 50, 'spread over the range');
  });

  it('a generated key that does not fit, more elements than max_entries, or a map type without generation fail at the map', () => {
    const k = new Kernel({ cpus: 2 });
    const tooWide = parse({ maps: [{ name: 'n', type: 'hash', key_size: 1, value_size: 4, max_entries: 1000, generate: { count: 300 } }] });
    assert.throws(() => load(k, tooWide), (e: unknown) => e instanceof ScenarioMapError && /\/maps\/0\/generate .*key 256 \(element 256\)/.test(e.message));
    const full = parse({ maps: [{ name: 'f', type: 'hash', key_size: 4, value_size: 4, max_entries: 10, generate: { count: 11 } }] });
    assert.throws(() => load(new Kernel({ cpus: 2 }), full), (e: unknown) => e instanceof ScenarioMapError && e.errno === 'E2BIG' && /generate \(element 10\)/.test(e.message));
    const queue = parse({ maps: [{ name: 'q', type: 'queue', key_size: 0, value_size: 4, max_entries: 10, generate: { count: 1 } }] });
    assert.throws(() => load(new Kernel({ cpus: 2 }), queue), /"generate" is for hash, lru_hash and array maps; this map is queue/);
  });

  it('the schema refuses an unknown rule and a uniform range of the wrong shape', () => {
    const r = parseScenario(JSON.stringify({ maps: [{ name: 'h', generate: { count: 1, value: { uniform: [1] } } }] }), 's.json');
    assert.ok(r.problems.some((p) => p.path === '/maps/0/generate/value'), JSON.stringify(r.problems));
    const r2 = parseScenario(JSON.stringify({ maps: [{ name: 'h', generate: { count: 1, keys: 3 } }] }), 's.json');
    assert.ok(r2.problems.some((p) => /unknown property "keys"/.test(p.message)), JSON.stringify(r2.problems));
  });
});

describe('exec/scenario: a binary entries file ("entries_file")', () => {
  const readU64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  /** records of a 4-byte key and an 8-byte value, key i+first and value (i+first)*10 */
  const records = (n: number, first = 0): Uint8Array => {
    const out = new Uint8Array(n * 12);
    const view = new DataView(out.buffer);
    for (let i = 0; i < n; i++) { view.setUint32(i * 12, first + i, true); view.setBigUint64(i * 12 + 4, BigInt((first + i) * 10), true); }
    return out;
  };

  it('records fill the map after the listed entries and before the generated ones; the path is the scenario folder\'s', () => {
    const r = parseScenario(JSON.stringify({ maps: [{ name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 100,
      entries: [{ key: 1000, value: 1 }], entries_file: 'h.entries', generate: { count: 3, key: { start: 500 } } }] }), '/data/s.json',
    { fileSize: (p) => (p === '/data/h.entries' ? 120 : undefined) });
    assert.deepStrictEqual(r.problems, []);
    const m = r.scenario!.maps[0];
    assert.strictEqual(m.entriesFile, '/data/h.entries');
    const k = new Kernel({ cpus: 2 });
    const fd = createScenarioMap(k, { name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 100, flags: 0 }, m.path, new Map());
    fillScenarioMap(k, fd, m.entries, m.name, new Map(), m.path, m.generate, { path: m.entriesFile!, bytes: records(10) });
    assert.strictEqual(k.mapFromFd(fd).sumElemCount(), 14n);
    assert.strictEqual(readU64(k.mapLookup(fd, u32(7))), 70n);
    assert.strictEqual(readU64(k.mapLookup(fd, u32(1000))), 1n);
    assert.strictEqual(readU64(k.mapLookup(fd, u32(502))), 0n);
  });

  it('a missing file, a size that is not whole records, or a map type without bulk filling is a problem at /maps/N/entries_file', () => {
    const text = JSON.stringify({ maps: [
      { name: 'a', type: 'hash', key_size: 4, value_size: 8, max_entries: 10, entries_file: 'missing.bin' },
      { name: 'b', type: 'hash', key_size: 4, value_size: 8, max_entries: 10, entries_file: 'short.bin' },
      { name: 'c', type: 'queue', key_size: 0, value_size: 8, max_entries: 10, entries_file: 'q.bin' },
    ] }, null, 2);
    const r = parseScenario(text, '/d/s.json', { fileSize: (p) => (p === '/d/short.bin' ? 25 : p === '/d/q.bin' ? 16 : undefined) });
    const got = r.problems.map((p) => [p.path, p.message]);
    assert.deepStrictEqual(got, [
      ['/maps/0/entries_file', 'cannot read the entries file /d/missing.bin'],
      ['/maps/1/entries_file', '/d/short.bin: the entries file has 25 bytes, not a whole number of 12-byte records (key_size 4 + value_size 8): 1 bytes left over'],
      ['/maps/2/entries_file', '"entries_file" is for hash, lru_hash and array maps; this map is queue'],
    ]);
    // the range is the property in the file, so the editor underlines "entries_file": "short.bin"
    const p = r.problems[1];
    assert.strictEqual(text.slice(p.offset!, p.offset! + p.length!), '"entries_file": "short.bin"');
  });

  it('a file that changed size since the check, or more records than max_entries, fails when the map is filled, naming the record', () => {
    const k = new Kernel({ cpus: 2 });
    const fd = createScenarioMap(k, { name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 5, flags: 0 }, '/maps/0', new Map());
    assert.throws(() => fillScenarioMap(k, fd, [], 'h', new Map(), '/maps/0', undefined, { path: '/d/h.bin', bytes: new Uint8Array(13) }),
      (e: unknown) => e instanceof ScenarioMapError && e.errno === 'EINVAL' && /\/maps\/0\/entries_file of map h: \/d\/h.bin: the entries file has 13 bytes/.test(e.message));
    assert.throws(() => fillScenarioMap(k, fd, [], 'h', new Map(), '/maps/0', undefined, { path: '/d/h.bin', bytes: records(6) }),
      (e: unknown) => e instanceof ScenarioMapError && e.errno === 'E2BIG' && /entries_file \(record 5, byte 60 of \/d\/h.bin\)/.test(e.message));
  });
});

describe('exec/scenario: an entries file read a chunk of records at a time', () => {
  const records = (n: number): Uint8Array => {
    const out = new Uint8Array(n * 12);
    const view = new DataView(out.buffer);
    for (let i = 0; i < n; i++) { view.setUint32(i * 12, i * 7, true); view.setBigUint64(i * 12 + 4, BigInt(i) * 3n, true); }
    return out;
  };
  /** a reader giving at most `most` bytes a call (a file read in pieces), of a file `lost` bytes shorter than it said */
  const reader = (bytes: Uint8Array, most: number, lost = 0) => ({ path: '/d/h.bin', size: bytes.length,
    read: (into: Uint8Array, offset: number, length: number, position: number): number => {
      const n = Math.max(0, Math.min(length, most, bytes.length - lost - position));
      into.set(bytes.subarray(position, position + n), offset);
      return n;
    } });
  const dump = (k: Kernel, fd: number): string[] => {
    const out: string[] = [];
    for (let key = k.mapGetNextKey(fd, null); key; key = k.mapGetNextKey(fd, key)) out.push(`${Buffer.from(key).toString('hex')}=${Buffer.from(k.mapLookup(fd, key)).toString('hex')}`);
    return out;
  };
  it('fills the map as the whole file\'s bytes do, for records split across reads and chunks', () => {
    const bytes = records(20000);
    const fill = (file: Parameters<typeof fillScenarioMap>[7]): string[] => {
      const k = new Kernel({ cpus: 2 });
      const fd = createScenarioMap(k, { name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 30000, flags: 0 }, '/maps/0', new Map());
      fillScenarioMap(k, fd, [{ key: 7, value: 1 }], 'h', new Map(), '/maps/0', { count: 10, key: { start: 1 << 20 } }, file);
      return dump(k, fd);
    };
    const whole = fill({ path: '/d/h.bin', bytes });
    assert.strictEqual(whole.length, 20010);
    assert.deepStrictEqual(fill(reader(bytes, 1 << 30)), whole);
    assert.deepStrictEqual(fill(reader(bytes, 1000)), whole);
  });
  it('a file shorter than its size when read fails naming the byte it ended at', () => {
    const k = new Kernel({ cpus: 2 });
    const fd = createScenarioMap(k, { name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 20000, flags: 0 }, '/maps/0', new Map());
    assert.throws(() => fillScenarioMap(k, fd, [], 'h', new Map(), '/maps/0', undefined, reader(records(10000), 4096, 24)),
      (e: unknown) => e instanceof ScenarioMapError && /entries_file of map h: \/d\/h.bin ended at byte 119976 of 120000/.test(e.message));
  });
});

describe('exec/scenario: big lists of integer entries', () => {
  const many = (n: number, extra?: (i: number) => Record<string, unknown> | undefined): unknown[] =>
    Array.from({ length: n }, (_, i) => extra?.(i) ?? { key: i, value: i * 2 });
  it('are kept whole and in order (they skip the schema validator, which gives the same verdict)', () => {
    const s = parse({ maps: [{ name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 1000, entries: many(1000) }] });
    assert.strictEqual(s.maps[0].entries.length, 1000);
    assert.deepStrictEqual(s.maps[0].entries[999], { key: 999, value: 1998 });
  });
  it('one entry the schema refuses is reported at its path with the validator message, as in a short list', () => {
    const bad = problems({ maps: [{ name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 1000, entries: many(1000, (i) => (i === 700 ? { key: 1, valu: 2 } : undefined)) }] });
    assert.deepStrictEqual(bad, [{ path: '/maps/0/entries/700', message: 'has an unknown property "valu"' }]);
    const elsewhere = problems({ cpus: 'two', maps: [{ name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 1000, entries: many(1000, (i) => (i === 5 ? { key: 'zz' } : undefined)) }] });
    assert.deepStrictEqual(elsewhere.map((p) => p.path).sort(), ['/cpus', '/maps/0/entries/5/key']);
  });
});
