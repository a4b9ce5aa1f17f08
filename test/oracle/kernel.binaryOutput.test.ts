import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { PinDir, realKernelUnavailable, run, tempDir } from './kernelOracle';

/**
 * Binary output against the real kernel: test/fixtures/binary/binary_records.bpf.c bpf_seq_write()s one 11-byte
 * record per map (u32 id, u32 max_entries, ff 80 00), then every byte 0x00..0xff and a 16-byte struct. It is
 * compiled with clang, pinned with bpftool over maps made like its scenario's, and read with cat; the simulator
 * runs it on the scenario. The real kernel walks every map of the machine and numbers maps its own way, so the
 * comparison is: the same record layout and constant bytes, a record for each of our maps with its max_entries,
 * and the trailing 272 bytes identical byte for byte.
 */
const fixture = path.resolve(__dirname, '../../../test/fixtures/binary/binary_records.bpf.c');
const scenarioPath = fixture.replace(/\.bpf\.c$/, '.bpfscenario.json');
const RECORD = 11;
const TRAILER = 256 + 16;

interface Record { id: number; maxEntries: number; marker: string }

/** Splits the output into its per-map records and the trailer; fails when the layout is not the program's. */
function parse(bytes: Buffer, who: string): { records: Record[]; trailer: Buffer } {
  assert.ok(bytes.length >= TRAILER && (bytes.length - TRAILER) % RECORD === 0, `${who}: ${bytes.length} bytes is not n*${RECORD} + ${TRAILER}`);
  const records: Record[] = [];
  for (let at = 0; at < bytes.length - TRAILER; at += RECORD) {
    records.push({ id: bytes.readUInt32LE(at), maxEntries: bytes.readUInt32LE(at + 4), marker: bytes.subarray(at + 8, at + 11).toString('hex') });
  }
  return { records, trailer: bytes.subarray(bytes.length - TRAILER) };
}

describe('oracle: binary seq output (bpf_seq_write) on the real kernel vs the simulator', function () {
  this.timeout(60000);
  let pins: PinDir | undefined;
  let work = '';
  let real: Buffer;
  const ourMapIds = new Map<string, number>();

  before(function () {
    const why = realKernelUnavailable(['bpftool', 'clang']);
    if (why) { console.log(`    skipped: real-kernel tests need root, bpftool and clang (${why})`); this.skip(); }
    if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) { console.log('    skipped: libbpf-dev headers missing'); this.skip(); }
    pins = new PinDir();
    work = tempDir();
    fs.writeFileSync(path.join(work, 'vmlinux.h'), run('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c']));
    const obj = path.join(work, 'binary_records.bpf.o');
    run('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', work, '-I', '/usr/include', '-c', fixture, '-o', obj]);
    const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8')) as { maps: Array<{ name: string; type: string; key_size: number; value_size: number; max_entries: number; flags?: string[] }> };
    for (const m of scenario.maps) {
      const pinned = path.join(pins.dir, m.name);
      const flags = (m.flags ?? []).includes('BPF_F_NO_PREALLOC') ? 1 : 0;
      run('bpftool', ['map', 'create', pinned, 'type', m.type, 'key', String(m.key_size), 'value', String(m.value_size),
        'entries', String(m.max_entries), 'name', `${pins.prefix}${m.name.slice(-4)}`.slice(0, 15), 'flags', String(flags)]);
      ourMapIds.set(m.name, JSON.parse(run('bpftool', ['-j', 'map', 'show', 'pinned', pinned])).id);
    }
    const iter = path.join(pins.dir, 'iter');
    const pin = spawnSync('bpftool', ['iter', 'pin', obj, iter], { encoding: 'utf8' });
    if (pin.status !== 0) {
      console.log(`    skipped: the kernel refused loading the iterator (${pin.stderr.trim().split('\n').pop()})`);
      this.skip();
    }
    real = fs.readFileSync(iter); // cat: the bytes as the kernel returns them
  });
  after(() => { pins?.remove(); if (work) fs.rmSync(work, { recursive: true, force: true }); });

  it('same record layout, constant bytes, our maps\' records and trailing 0x00-0xff + struct bytes', async () => {
    const service = createLanguageService(createNodeHost(), defaultSettings());
    const ours = await service.run(fixture, fs.readFileSync(fixture, 'utf8'), { scenario: scenarioPath });
    assert.strictEqual(ours.error, null, ours.error?.message);
    assert.strictEqual(ours.output, null, 'the output is not UTF-8, so it has no text form');
    const simulated = parse(Buffer.from(ours.outputBytes), 'simulator');
    const kernel = parse(real, 'kernel');
    assert.ok(kernel.trailer.equals(simulated.trailer), `trailer differs:\n kernel ${kernel.trailer.toString('hex')}\n ours   ${simulated.trailer.toString('hex')}`);
    for (const r of [...kernel.records, ...simulated.records]) assert.strictEqual(r.marker, 'ff8000');
    // every map of the simulated kernel has its record, in id order; the real kernel has one for each map we made
    assert.deepStrictEqual(simulated.records.map((r) => [r.id, r.maxEntries]), ours.maps.map((m) => [m.id, m.max_entries]));
    const scenario = JSON.parse(fs.readFileSync(scenarioPath, 'utf8')) as { maps: Array<{ name: string; max_entries: number }> };
    for (const m of scenario.maps) {
      const id = ourMapIds.get(m.name)!;
      assert.deepStrictEqual(kernel.records.filter((r) => r.id === id).map((r) => r.maxEntries), [m.max_entries], `kernel record of ${m.name} (id ${id})`);
      const sim = ours.maps.find((x) => x.name === m.name)!;
      assert.deepStrictEqual(simulated.records.filter((r) => r.id === sim.id).map((r) => r.maxEntries), [m.max_entries], `simulated record of ${m.name}`);
    }
    const ids = kernel.records.map((r) => r.id);
    assert.deepStrictEqual(ids, [...ids].sort((a, b) => a - b), 'the kernel walks maps in id order');
  });
});
