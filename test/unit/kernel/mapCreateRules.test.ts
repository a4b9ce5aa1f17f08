import * as assert from 'assert';
import { BPF_F, BPF_MAP_TYPE, btfField, htabMaxEntries, Kernel } from '../../../server/src/kernel';

const maxEntriesOf = (k: Kernel, fd: number): number => k.mapFromFd(fd).region.view.getUint32(btfField('bpf_map', 'max_entries').offset, true);

describe('kernel: map_create() rules (htab_map_alloc, bpf_map_meta_alloc)', () => {
  it('BPF_F_NO_COMMON_LRU rounds an LRU map\'s max_entries up to a multiple of the possible CPUs', () => {
    for (const [cpus, max, expected] of [[4, 5, 8], [3, 6, 6], [2, 1, 2], [8, 9, 16]] as const) {
      const k = new Kernel({ cpus });
      for (const type of [BPF_MAP_TYPE.LRU_HASH, BPF_MAP_TYPE.LRU_PERCPU_HASH]) {
        const fd = k.createMap({ type, keySize: 4, valueSize: 8, maxEntries: max, flags: BPF_F.NO_COMMON_LRU });
        assert.strictEqual(k.mapFromFd(fd).maxEntries, expected, `cpus ${cpus}, max_entries ${max}`);
        assert.strictEqual(maxEntriesOf(k, fd), expected, 'struct bpf_map shows the rounded max_entries');
        // the rounded count is what the map holds
        for (let i = 0; i < expected; i++) k.mapUpdate(fd, new Uint8Array(new Uint32Array([i]).buffer), new Uint8Array(type === BPF_MAP_TYPE.LRU_HASH ? 8 : 8 * cpus));
        assert.strictEqual(k.mapFromFd(fd).sumElemCount(), BigInt(expected));
      }
      // without the flag, or for a common-LRU map, max_entries stays as given
      const plain = k.createMap({ type: BPF_MAP_TYPE.LRU_HASH, keySize: 4, valueSize: 8, maxEntries: max });
      assert.strictEqual(maxEntriesOf(k, plain), max);
    }
  });

  it('the rounding is u32 arithmetic: when rounding up wraps, max_entries is rounded down', () => {
    const attr = (maxEntries: number) => ({ type: BPF_MAP_TYPE.LRU_HASH, keySize: 4, valueSize: 8, maxEntries, flags: BPF_F.NO_COMMON_LRU });
    assert.strictEqual(htabMaxEntries(attr(0xffffffff), 4), 0xfffffffc);
    assert.strictEqual(htabMaxEntries(attr(0xfffffffe), 3), 0xfffffffc);
    assert.strictEqual(htabMaxEntries(attr(0xfffffff0), 16), 0xfffffff0);
    assert.strictEqual(htabMaxEntries({ ...attr(5), type: BPF_MAP_TYPE.HASH }, 4), 5);
  });

  it('a map-in-map keeps its inner_map_meta: a struct bpf_map with the template\'s fields, NULL for other maps', () => {
    const k = new Kernel({ cpus: 2 });
    const off = (f: string) => btfField('bpf_map', f).offset;
    const template = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 8, valueSize: 16, maxEntries: 32, name: 'tmpl' });
    assert.strictEqual(k.mapFromFd(template).region.view.getBigUint64(off('inner_map_meta'), true), 0n);
    for (const type of [BPF_MAP_TYPE.ARRAY_OF_MAPS, BPF_MAP_TYPE.HASH_OF_MAPS]) {
      const outer = k.createMap({ type, keySize: 4, valueSize: 4, maxEntries: 4, innerMapFd: template });
      const meta = k.mapFromFd(outer).region.view.getBigUint64(off('inner_map_meta'), true);
      assert.notStrictEqual(meta, 0n, 'inner_map_meta is not NULL');
      const at = k.memory.find(meta);
      assert.ok(at && at.offset === 0, 'it points at a struct bpf_map of its own');
      const v = at.region.view;
      assert.deepStrictEqual([v.getUint32(off('map_type'), true), v.getUint32(off('key_size'), true), v.getUint32(off('value_size'), true), v.getUint32(off('max_entries'), true)],
        [BPF_MAP_TYPE.HASH, 8, 16, 32]);
      assert.notStrictEqual(at.region, k.mapFromFd(template).region, 'a copy, not the template map itself');
    }
  });
});
