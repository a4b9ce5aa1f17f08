import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNodeHost, OverlayHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { Kernel } from '../../../server/src/kernel';
import { BULK_SCENARIO_BYTES, listedEntries, parseScenario, parseScenarioBytes, parseScenarioFrom, Scenario } from '../../../server/src/exec/scenario';
import { IntegerEntries, readAtBytes, splitIntegerEntryLists } from '../../../server/src/exec/scenarioBulkJson';
import { createScenarioMap, fillScenarioMap } from '../../../server/src/exec/scenarioMaps';

const bytesOf = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const many = (n: number, entry: (i: number) => unknown = (i) => ({ key: i, value: i * 3 })): unknown[] => Array.from({ length: n }, (_, i) => entry(i));
const hashMap = (entries: unknown[], more: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ name: 'h', type: 'hash', key_size: 4, value_size: 8, max_entries: 4096, ...more, entries });

/** The map's elements after filling it as the runner does, key -> value, in get_next_key order. */
function elementsOf(s: Scenario): Array<[number, bigint]> {
  const k = new Kernel({ cpus: s.cpus });
  const m = s.maps[0];
  const fd = createScenarioMap(k, { name: m.name, type: m.type!, key_size: m.key_size!, value_size: m.value_size!, max_entries: m.max_entries!, flags: m.flags }, m.path, new Map());
  fillScenarioMap(k, fd, m.integerEntries ?? m.entries, m.name, new Map(), m.path);
  const out: Array<[number, bigint]> = [];
  for (let key = k.mapGetNextKey(fd, null); key !== null; key = k.mapGetNextKey(fd, key)) {
    const v = k.mapLookup(fd, key);
    out.push([Buffer.from(key).readUInt32LE(0), Buffer.from(v).readBigUInt64LE(0)]);
  }
  return out;
}

describe('exec/scenarioBulkJson: big scenario files read from their bytes', () => {
  it('takes a long list of integer entries as numbers, in order, with the rest of the file parsed as JSON', () => {
    const text = JSON.stringify({ cpus: 2, maps: [{ name: 'small', type: 'array', key_size: 4, value_size: 4, max_entries: 2 }, hashMap(many(300, (i) => (i === 7 ? { value: -5, key: 7 } : { key: i, value: i * 3 })))], attach: { map: 'h' } }, null, 1);
    const split = splitIntegerEntryLists(bytesOf(text))!;
    assert.ok(split, 'the list is taken');
    assert.deepStrictEqual([...split.lists.keys()], [1]);
    const list = split.lists.get(1)!;
    assert.strictEqual(list.count, 300);
    assert.deepStrictEqual([list.keys[7], list.values[7], list.keys[299], list.values[299]], [7, -5, 299, 897]);
    assert.deepStrictEqual(JSON.parse(split.text).maps[1].entries, []);
    assert.strictEqual(JSON.parse(split.text).attach.map, 'h');
  });

  it('gives the same scenario and the same map as the text path', () => {
    const json = { cpus: 2, maps: [hashMap(many(1000, (i) => (i % 10 === 0 ? { key: i } : { key: i, value: 2 ** 40 + i })))] };
    const text = JSON.stringify(json, null, 2);
    const fromText = parseScenario(text, 's.json');
    const fromBytes = parseScenarioBytes(bytesOf(text), 's.json');
    assert.deepStrictEqual(fromBytes.problems, []);
    const m = fromBytes.scenario!.maps[0];
    assert.ok(m.integerEntries instanceof IntegerEntries);
    assert.deepStrictEqual(m.entries, []);
    assert.deepStrictEqual(listedEntries(m), fromText.scenario!.maps[0].entries);
    assert.deepStrictEqual(elementsOf(fromBytes.scenario!), elementsOf(fromText.scenario!));
  });

  it('leaves to the text path lists of other shapes and numbers it does not read exactly', () => {
    for (const odd of [{ key: 1.5, value: 1 }, { key: '01 00 00 00', value: 1 }, { key: 1, value: 1, values: [1] }, { key: 1234567890123456, value: 1 }, {}]) {
      const text = JSON.stringify({ maps: [hashMap(many(300, (i) => (i === 150 ? odd : { key: i, value: 1 })))] });
      assert.strictEqual(splitIntegerEntryLists(bytesOf(text)), undefined, JSON.stringify(odd));
    }
    for (const raw of ['{"key": 1e3}', '{"key": 01}', '{"key": -}', '{"key": 1,}', '{"key": 1 "value": 2}', '{"key": 1, "value": 2, }']) {
      const text = JSON.stringify({ maps: [hashMap(many(300))] }).replace('{"key":150,"value":450}', raw);
      assert.ok(text.includes(raw));
      assert.strictEqual(splitIntegerEntryLists(bytesOf(text)), undefined, raw);
    }
    // a repeated name: JSON.parse keeps the last one, the scanner leaves it to JSON.parse
    const repeated = `{"maps":[{"name":"h","entries":[${many(300).map((e) => JSON.stringify(e)).join(',')}],"entries":[]}]}`;
    assert.strictEqual(splitIntegerEntryLists(bytesOf(repeated)), undefined);
    assert.strictEqual(splitIntegerEntryLists(bytesOf(`{"maps":[${JSON.stringify(hashMap(many(10)))}]}`)), undefined, 'short lists stay in the text');
  });

  it('reports problems exactly as the text path (message, path and range into the decoded text)', () => {
    const cases = [
      { maps: [hashMap(many(300)), hashMap(many(300), { name: 'h' })] }, // a repeated map name: a semantic problem
      { cpus: 'two', maps: [hashMap(many(300))] }, // a schema problem outside the list
      { maps: [hashMap(many(300), { type: 'queue' })] }, // keys for a keyless map
      { maps: [hashMap(many(300, (i) => (i === 299 ? { key: 1, value: 'zz' } : { key: i })))] }, // the list left to the text path
    ];
    for (const json of cases) {
      const text = JSON.stringify(json, null, 2);
      const fromBytes = parseScenarioBytes(bytesOf(text), 's.json');
      assert.ok(fromBytes.problems.length > 0, text.slice(0, 80));
      assert.deepStrictEqual(fromBytes.problems, parseScenario(text, 's.json').problems);
      assert.strictEqual(fromBytes.text, text);
    }
    const broken = JSON.stringify({ maps: [hashMap(many(300))] }).replace('"type"', '"type" "');
    assert.deepStrictEqual(parseScenarioBytes(bytesOf(broken), 's.json').problems, parseScenario(broken, 's.json').problems);
  });

  it('read through a small window (refills inside lists, names and long strings), gives what the whole text gives', () => {
    const long = 'é'.repeat(700) + '"quoted"'; // longer than the window, multi-byte characters across its edges
    const scenarios = [
      { description: long, cpus: 2, maps: [hashMap(many(900), { description: long }), hashMap(many(40), { name: 'short' })] },
      // a list of another shape crossing the window's edge: given back as text, or the file left to the text path
      { maps: [{ name: 'hex', type: 'hash', key_size: 4, value_size: 4, max_entries: 64, entries: many(30, (i) => ({ key: `0${i % 10} 00 00 00`, value: i })) }, hashMap(many(700))] },
      { maps: [hashMap(many(700)), hashMap(many(700, (i) => (i === 650 ? { key: 1, value: '01' } : { key: i })), { name: 'late' })] },
      { cpus: 3, maps: [hashMap(many(500))], globals: { s: long.length } },
    ];
    for (const json of scenarios) for (const spaced of [0, 3]) for (const window of [64, 97, 1000, 1 << 20]) {
      const text = JSON.stringify(json, null, spaced);
      const bytes = bytesOf(text);
      const whole = parseScenario(text, 's.json');
      const windowed = parseScenarioFrom(readAtBytes(bytes), bytes.length, 's.json', {}, () => text, window);
      const what = `${text.slice(0, 60)}... window ${window}`;
      assert.deepStrictEqual(windowed.problems, whole.problems, what);
      if (!whole.scenario) continue;
      const expected = whole.scenario.maps.map((m) => m.entries);
      assert.deepStrictEqual(windowed.scenario!.maps.map((m) => listedEntries(m)), expected, what);
      assert.deepStrictEqual({ ...windowed.scenario!, maps: [] }, { ...whole.scenario, maps: [] }, what);
      assert.deepStrictEqual(windowed.scenario!.maps.map((m) => m.description), whole.scenario.maps.map((m) => m.description), what);
    }
  });

  it('an element whose integer does not fit the map is reported at its path when the map is filled', () => {
    const s = parseScenarioBytes(bytesOf(JSON.stringify({ maps: [hashMap(many(300, (i) => ({ key: i === 260 ? 2 ** 33 : i, value: 1 })))] })), 's.json').scenario!;
    assert.throws(() => elementsOf(s), /scenario \/maps\/0\/entries\/260\/key of map h: 8589934592 does not fit in 4 bytes/);
  });
});

describe('service: a big scenario file is read from its bytes, an open document\'s edits included', () => {
  const PROGRAM = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nchar LICENSE[] SEC("license") = "GPL";\n__u64 total = 0, count = 0;\n'
    + 'SEC("iter/bpf_map_elem")\nint sum(struct bpf_iter__bpf_map_elem *ctx)\n{\n\t__u64 *val = ctx->value;\n'
    + '\tif (!val) { BPF_SEQ_PRINTF(ctx->meta->seq, "%llu %llu\\n", count, total); return 0; }\n\ttotal += *val;\n\tcount++;\n\treturn 0;\n}\n';
  it('runs on the listed integer entries of a file past BULK_SCENARIO_BYTES, and on the overlay when the file is open', async function () {
    this.timeout(60000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-bulk-'));
    try {
      const n = 40000;
      const text = JSON.stringify({ cpus: 2, maps: [hashMap(many(n), { max_entries: n })], attach: { map: 'h' } }, null, 2);
      assert.ok(text.length >= BULK_SCENARIO_BYTES);
      const scenario = path.join(dir, 'big.bpfscenario.json');
      fs.writeFileSync(scenario, text);
      const prog = path.join(dir, 'sum.bpf.c');
      fs.writeFileSync(prog, PROGRAM);
      const host = new OverlayHost(createNodeHost());
      const service = createLanguageService(host, defaultSettings());
      const sum = (count: number, factor: number): string => `${count} ${(factor * count * (count - 1)) / 2}\n`;
      const first = await service.run(prog, PROGRAM, { scenario });
      assert.ok(!first.error, JSON.stringify(first.error));
      assert.strictEqual(Buffer.from(first.output!).toString(), sum(n, 3));
      host.setOverlay(scenario, JSON.stringify({ cpus: 2, maps: [hashMap(many(n, (i) => ({ key: i, value: i * 5 })), { max_entries: n })], attach: { map: 'h' } }, null, 2));
      const edited = await service.run(prog, PROGRAM, { scenario });
      assert.strictEqual(Buffer.from(edited.output!).toString(), sum(n, 5));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
