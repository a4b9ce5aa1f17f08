import * as assert from 'assert';
import { libbpfMaxEntries } from '../../../server/src/exec/libbpfMapDefs';
import { BPF_MAP_TYPE as T } from '../../../server/src/kernel/mapTypes';

describe('exec: max_entries as libbpf creates the map', () => {
  it('a perf event array without max_entries gets one slot per possible CPU (map_set_def_max_entries)', () => {
    assert.strictEqual(libbpfMaxEntries(T.PERF_EVENT_ARRAY, 0, 6), 6);
    assert.strictEqual(libbpfMaxEntries(T.PERF_EVENT_ARRAY, 3, 6), 3);
    assert.strictEqual(libbpfMaxEntries(T.ARRAY, 0, 6), 0, 'other maps keep 0, for the kernel to refuse');
  });

  it('a ring buffer size becomes the next power-of-2 number of pages (adjust_ringbuf_sz); valid sizes and 0 stay', () => {
    const sizes = [0, 1, 4096, 5000, 8192, 12288, 65536, 65537, 0xffffffff];
    assert.deepStrictEqual(sizes.map((n) => libbpfMaxEntries(T.RINGBUF, n, 2)),
      [0, 4096, 4096, 8192, 8192, 16384, 65536, 131072, 0xffffffff]);
    assert.strictEqual(libbpfMaxEntries(T.USER_RINGBUF, 5000, 2), 8192);
  });
});
