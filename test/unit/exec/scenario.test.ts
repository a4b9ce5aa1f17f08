import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseScenario, encodeBytes, MAP_FLAG_NAMES, usesGeneratedValidator } from '../../../server/src/exec/scenario';
import { scenarioSchema } from '../../../server/src/exec/scenarioSchema';

const root = path.join(__dirname, '../../../..');

describe('exec/scenario: scenario files', () => {
  it('accepts the bundled examples\' scenarios', () => {
    for (const f of fs.readdirSync(path.join(root, 'examples')).filter((n) => n.endsWith('.bpfscenario.json'))) {
      const r = parseScenario(fs.readFileSync(path.join(root, 'examples', f), 'utf8'), f);
      assert.deepStrictEqual(r.problems, [], f);
      assert.ok(r.scenario);
    }
  });

  it('applies defaults: 4 CPUs, cpu 0, cat\'s 128 KiB reads', () => {
    const r = parseScenario('{}', 's.json');
    assert.ok(r.scenario);
    assert.strictEqual(r.scenario.cpus, 4);
    assert.strictEqual(r.scenario.cpu, 0);
    assert.strictEqual(r.scenario.readSize, 131072);
  });

  it('a process\'s cgroup is a path below the cgroup2 mount: kept as given, "/..." only', () => {
    const ok = parseScenario('{"processes": [{"pid": 7, "comm": "w", "cgroup": "/system.slice/w.service"}]}', 's.json');
    assert.ok(ok.scenario, JSON.stringify(ok.problems));
    assert.strictEqual(ok.scenario.processes?.[0].cgroup, '/system.slice/w.service');
    const bad = parseScenario('{"processes": [{"pid": 7, "comm": "w", "cgroup": "system.slice"}]}', 's.json');
    assert.strictEqual(bad.scenario, null);
    assert.ok(bad.problems.some((x) => x.path === '/processes/0/cgroup'), JSON.stringify(bad.problems));
  });

  it('reports invalid JSON with its offset', () => {
    const r = parseScenario('{"cpus": 2,, }', 's.json');
    assert.strictEqual(r.scenario, null);
    assert.match(r.problems[0].message, /invalid JSON/);
    assert.strictEqual(r.problems[0].offset, 11);
  });

  it('reports a wrong property with its JSON path and source range', () => {
    const text = '{\n  "maps": [ { "name": "m", "type": "hashh", "key_size": 4 } ]\n}';
    const r = parseScenario(text, 's.json');
    assert.strictEqual(r.scenario, null);
    const p = r.problems.find((x) => x.path === '/maps/0/type');
    assert.ok(p, JSON.stringify(r.problems));
    assert.match(p.message, /must be one of "hash", "array"/);
    assert.strictEqual(text.substr(p.offset!, p.length!), '"type": "hashh"');
  });

  it('names unknown properties and missing required ones', () => {
    const r = parseScenario('{"maps": [{"type": "hash"}], "cpuz": 3}', 's.json');
    const messages = r.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    assert.match(messages, /^: has an unknown property "cpuz"$/m);
    // the message does not repeat the path every reader prints before it
    assert.match(messages, /^\/maps\/0: needs the property "name"$/m);
  });

  it('rejects a cpu that does not exist and duplicate map names', () => {
    const r = parseScenario('{"cpus": 2, "cpu": 2, "maps": [{"name": "a"}, {"name": "a"}]}', 's.json');
    const messages = r.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    assert.match(messages, /\/cpu: cpu 2 does not exist/);
    assert.match(messages, /\/maps\/1\/name: map name "a" is already used/);
  });

  it('decodes flag names as uapi/linux/bpf.h numbers them', () => {
    const r = parseScenario('{"maps": [{"name": "a", "flags": ["BPF_F_NO_PREALLOC", "BPF_F_ZERO_SEED"]}]}', 's.json');
    assert.strictEqual(r.scenario!.maps[0].flags, 0x41);
    assert.strictEqual(MAP_FLAG_NAMES.BPF_F_ZERO_SEED, 64);
  });

  it('encodes numbers little-endian and hex bytes in memory order', () => {
    assert.deepStrictEqual([...encodeBytes(258, 4) as Uint8Array], [2, 1, 0, 0]);
    assert.deepStrictEqual([...encodeBytes(-1, 2) as Uint8Array], [0xff, 0xff]);
    assert.deepStrictEqual([...encodeBytes('18446744073709551615', 8) as Uint8Array], Array(8).fill(0xff));
    assert.deepStrictEqual([...encodeBytes('0a 00 00 01', 4) as Uint8Array], [10, 0, 0, 1]);
    assert.match(encodeBytes(256, 1) as string, /does not fit in 1 bytes/);
    assert.match(encodeBytes(1, 12) as string, /use hex bytes/);
    assert.match(encodeBytes('0a00', 4) as string, /2 bytes given where the map needs exactly 4/);
  });

  it('keeps the committed schemas/scenario.schema.json equal to its TypeScript source', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(root, 'schemas/scenario.schema.json'), 'utf8'));
    assert.deepStrictEqual(committed, JSON.parse(JSON.stringify(scenarioSchema)));
  });

  it('keeps the committed generated validator current with the schema, and uses it', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generator = require(path.join(root, 'scripts/gen-scenario-validator.js')) as { render(schema: unknown): string; target: string };
    const committed = fs.readFileSync(generator.target, 'utf8');
    assert.ok(committed === generator.render(scenarioSchema), 'server/src/exec/scenarioValidator.generated.ts is stale: run `node scripts/gen-scenario-validator.js` (npm run build does it)');
    assert.ok(usesGeneratedValidator(), 'scenario.ts compiled the schema at run time although the generated validator is current');
  });
});
