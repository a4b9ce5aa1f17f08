import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BPF_F, BPF_MAP_TYPE, Kernel } from '../../server/src/kernel';
import { PinDir, realKernelUnavailable, run, tempDir } from './kernelOracle';

const hex = (b: Uint8Array): string[] => Array.from(b, (x) => '0x' + x.toString(16).padStart(2, '0'));

describe('oracle: ZERO_SEED hash order equals the real kernel (bpftool map dump)', function () {
  let pins: PinDir | null = null;
  before(function () {
    const why = realKernelUnavailable(['bpftool']);
    if (why) { console.log(`    skipped: real-kernel hash order tests need root and bpftool (${why})`); this.skip(); }
    pins = new PinDir();
  });
  after(() => pins?.remove());

  const shapes: [number, number, number][] = [[4, 4, 8], [4, 8, 100], [8, 4, 37], [12, 8, 64], [5, 4, 33], [3, 1, 16], [16, 4, 200]];
  for (const [keySize, valueSize, entries] of shapes) {
    it(`key ${keySize} value ${valueSize} entries ${entries}: same element order as the kernel`, function () {
      const pinPath = path.join(pins!.dir, `m${keySize}_${entries}`);
      const name = `${pins!.prefix}_${keySize}`;
      run('bpftool', ['map', 'create', pinPath, 'type', 'hash', 'key', String(keySize), 'value', String(valueSize),
        'entries', String(entries), 'name', name, 'flags', String(BPF_F.ZERO_SEED)]);
      const k = new Kernel({ cpus: 2 });
      const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize, valueSize, maxEntries: entries, flags: BPF_F.ZERO_SEED, name });
      const n = entries - 1;
      let batch = '';
      for (let i = 0; i < n; i++) {
        const key = new Uint8Array(keySize), value = new Uint8Array(valueSize);
        for (let j = 0; j < keySize; j++) key[j] = (i * 7 + j * 13 + (i >> 8) * 31) & 0xff;
        if (keySize >= 2) { key[0] = i & 0xff; key[1] = i >> 8; }
        value[0] = i & 0xff;
        // the real update rejects duplicates the same way, so generate unique keys
        batch += `map update pinned ${pinPath} key ${Array.from(key).join(' ')} value ${Array.from(value).join(' ')}\n`;
        k.mapUpdate(fd, key, value);
      }
      const file = path.join(tempDir(), 'batch.txt');
      fs.writeFileSync(file, batch);
      run('bpftool', ['batch', 'file', file]);
      const real = JSON.parse(run('bpftool', ['-j', 'map', 'dump', 'pinned', pinPath])) as { key: string[] }[];
      const sim: string[][] = [];
      let key: Uint8Array | null = null;
      while ((key = k.mapGetNextKey(fd, key))) sim.push(hex(key));
      assert.strictEqual(sim.length, real.length);
      assert.deepStrictEqual(sim, real.map((e) => e.key));
    });
  }
});
