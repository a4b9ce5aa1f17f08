/** The orders our real-kernel loader gets for a scenario: the maps, entries and globals the simulator makes. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HostRefusal, loaderFailure, loaderOrders } from '../../../server/src/realHost/hostLoader';
import { parseScenario, type Scenario } from '../../../server/src/exec/scenario';

const hex = (s: string): string => Buffer.from(s).toString('hex');

function scenarioOf(json: unknown): Scenario {
  const parsed = parseScenario(JSON.stringify(json), 'test.bpfscenario.json');
  assert.deepStrictEqual(parsed.problems, []);
  assert.ok(parsed.scenario);
  return parsed.scenario;
}

describe('real host: the loader\'s orders', () => {
  it('maps in scenario order with map_extra and inner templates, entries after all maps, globals, attach, run', () => {
    const scenario = scenarioOf({
      maps: [
        { name: 'pc', type: 'percpu_array', key_size: 4, value_size: 4, max_entries: 2, entries: [{ key: 1, values: [7, 9] }, { key: 0, value: 5 }] },
        { name: 'bloom', type: 'bloom_filter', key_size: 0, value_size: 4, max_entries: 8, map_extra: 3, entries: [{ value: 42 }] },
        { name: 'outer', type: 'hash_of_maps', key_size: 4, value_size: 4, max_entries: 4, inner_map: { type: 'array', key_size: 4, value_size: 8, max_entries: 1 }, entries: [{ key: 2, inner_map: 'slot' }] },
        { name: 'slot', type: 'array', key_size: 4, value_size: 8, max_entries: 1 },
        { name: 'gen', type: 'hash', key_size: 4, value_size: 4, max_entries: 8, generate: { count: 2, key: { start: 10 }, value: { start: 1, step: 2 } } },
      ],
      globals: { limit: 3 },
    });
    const lines = loaderOrders({ object: '/tmp/p.o', program: 'dump', scenario, globals: [{ name: 'limit', section: '.bss', offset: 4, size: 4 }], attachMap: 'gen', cpus: 3 }).trim().split('\n');
    assert.deepStrictEqual(lines, [
      `object ${hex('/tmp/p.o')}`,
      `program ${hex('dump')}`,
      `map ${hex('pc')} 6 4 4 2 0 0 -1`,
      `map ${hex('bloom')} 30 0 4 8 0 3 -1`,
      `map ${hex('outer.inner')} 2 4 8 1 0 0 -1`,
      `map ${hex('outer')} 13 4 4 4 0 0 2`,
      'close 2',
      `map ${hex('slot')} 2 4 8 1 0 0 -1`,
      `map ${hex('gen')} 1 4 4 8 0 0 -1`,
      // per-CPU: one 8-byte slot per CPU of the host; "value" is CPU 0's and the others are zero, as the simulator does
      'elem 0 01000000 070000000000000009000000000000000000000000000000',
      'elem 0 00000000 050000000000000000000000000000000000000000000000',
      'elem 1 - 2a000000',
      'inner 3 02000000 4',
      'elem 5 0a000000 01000000',
      'elem 5 0b000000 03000000',
      `global ${hex('.bss')} 4 03000000`,
      'attach 5',
      'run',
    ]);
  });

  it('writes an entries file\'s records after the listed entries', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-loader-'));
    try {
      const records = Buffer.from([1, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0, 8, 0, 0, 0]);
      fs.writeFileSync(path.join(dir, 'e.bin'), records);
      const parsed = parseScenario(JSON.stringify({ maps: [{ name: 'h', type: 'hash', key_size: 4, value_size: 4, max_entries: 4, entries: [{ key: 5, value: 5 }], entries_file: 'e.bin' }] }), path.join(dir, 's.bpfscenario.json'));
      assert.deepStrictEqual(parsed.problems, []);
      const lines = loaderOrders({ object: 'o', program: 'p', scenario: parsed.scenario!, globals: [], cpus: 1 }).trim().split('\n');
      assert.deepStrictEqual(lines.filter((l) => l.startsWith('elem')), ['elem 0 05000000 05000000', 'elem 0 01000000 09000000', 'elem 0 02000000 08000000']);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  it('refuses a global the program does not have and more per-CPU values than the host has CPUs', () => {
    assert.throws(() => loaderOrders({ object: 'o', program: 'p', scenario: scenarioOf({ globals: { nope: 1 } }), globals: [], cpus: 2 }), /scenario global nope: the program has no global variable of that name/);
    const pc = scenarioOf({ maps: [{ name: 'pc', type: 'percpu_hash', key_size: 4, value_size: 4, max_entries: 2, entries: [{ key: 1, values: [1, 2, 3] }] }] });
    // the host, not the kernel, cannot make a scenario of more CPUs: a refusal
    assert.throws(() => loaderOrders({ object: 'o', program: 'p', scenario: pc, globals: [], cpus: 2 }),
      (e: unknown) => e instanceof HostRefusal && e.refused && /3 values for this host's 2 CPUs/.test(e.message));
  });

  it('reads the loader\'s failure line and the verifier\'s last words before it', () => {
    const f = loaderFailure('libbpf: prog \'dump\': BPF program load failed: Permission denied\n0: R1=ctx() R10=fp0\ninvalid bpf_context access off=16 size=8\nprocessed 3 insns\nbpf-iter-loader: loading the object: EACCES: the kernel refused the load\n');
    assert.deepStrictEqual([f.what, f.errno, f.log[f.log.length - 1]], ['loading the object', 'EACCES', 'invalid bpf_context access off=16 size=8']);
    assert.strictEqual(loaderFailure('Segmentation fault').errno, 'EIO');
  });
});
