import * as assert from 'assert';
import { BPF_EXIST, BPF_F, BPF_MAP_TYPE, BPF_NOEXIST, btfField, HashMap, jhash, jhash2, jhashWord, Kernel, kernelBtf, NO_ELEM } from '../../../server/src/kernel';
import { expectKernelError, mapField, u32, u64 } from './progs';

const T = BPF_MAP_TYPE;
const walk = (k: Kernel, fd: number): number[] => {
  const out: number[] = [];
  let key: Uint8Array | null = null;
  while ((key = k.mapGetNextKey(fd, key))) out.push(Buffer.from(key).readUInt32LE(0));
  return out;
};

describe('kernel: map subsystem', () => {
  it('map_create validation: htab_map_alloc_check / array_map_alloc_check errno', () => {
    const k = new Kernel({ cpus: 2 });
    expectKernelError(() => k.createMap({ type: T.HASH, keySize: 0, valueSize: 4, maxEntries: 1 }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 0 }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.HASH, keySize: 513, valueSize: 4, maxEntries: 1 }), 'E2BIG');
    expectKernelError(() => k.createMap({ type: T.LRU_HASH, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F.NO_PREALLOC }), 'ENOTSUPP');
    expectKernelError(() => k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F.NO_COMMON_LRU }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F.MMAPABLE }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.PERCPU_HASH, keySize: 4, valueSize: 32769, maxEntries: 1 }), 'E2BIG');
    expectKernelError(() => k.createMap({ type: T.ARRAY, keySize: 8, valueSize: 4, maxEntries: 1 }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F.NO_PREALLOC }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 * 3 }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.QUEUE, keySize: 4, valueSize: 4, maxEntries: 4 }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 4, mapExtra: 16n }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.CPUMAP, keySize: 4, valueSize: 12, maxEntries: 4 }), 'EINVAL'); // cpu_map_alloc(): value is 4 or 8 bytes
    k.createMap({ type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 * 4 });
    k.createMap({ type: T.STACK, keySize: 0, valueSize: 8, maxEntries: 4 });
    assert.strictEqual(k.listMaps().length, 2);
  });

  it('bpf_obj_name_cpy: names are < 16 bytes of [A-Za-z0-9_.]', () => {
    const k = new Kernel();
    expectKernelError(() => k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'sixteen_chars_xx' }), 'EINVAL');
    expectKernelError(() => k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'bad-name' }), 'EINVAL');
    k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'fifteen_chars.x' });
  });

  it('htab update flags: BPF_NOEXIST -> EEXIST, BPF_EXIST -> ENOENT, full -> E2BIG, delete missing -> ENOENT', () => {
    for (const flags of [0, BPF_F.NO_PREALLOC]) {
      const k = new Kernel();
      const fd = k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 2, flags });
      k.mapUpdate(fd, u32(1), u32(10), BPF_NOEXIST);
      expectKernelError(() => k.mapUpdate(fd, u32(1), u32(11), BPF_NOEXIST), 'EEXIST');
      expectKernelError(() => k.mapUpdate(fd, u32(2), u32(11), BPF_EXIST), 'ENOENT');
      k.mapUpdate(fd, u32(2), u32(20));
      expectKernelError(() => k.mapUpdate(fd, u32(3), u32(30)), 'E2BIG');
      k.mapUpdate(fd, u32(1), u32(12), BPF_EXIST); // replace works on a full map (extra_elems)
      assert.strictEqual(Buffer.from(k.mapLookup(fd, u32(1))).readUInt32LE(0), 12);
      expectKernelError(() => k.mapUpdate(fd, u32(1), u32(12), 3), 'EINVAL');
      expectKernelError(() => k.mapDelete(fd, u32(9)), 'ENOENT');
      expectKernelError(() => k.mapLookup(fd, u32(9)), 'ENOENT');
    }
  });

  it('array: keys are u32 indices, NOEXIST -> EEXIST, out of range -> E2BIG, delete -> EINVAL, get_next_key walks 0..n-1', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 3 });
    expectKernelError(() => k.mapUpdate(fd, u32(0), u32(1), BPF_NOEXIST), 'EEXIST');
    expectKernelError(() => k.mapUpdate(fd, u32(3), u32(1)), 'E2BIG');
    expectKernelError(() => k.mapDelete(fd, u32(0)), 'EINVAL');
    assert.deepStrictEqual(walk(k, fd), [0, 1, 2]);
    assert.deepStrictEqual(Array.from(k.mapGetNextKey(fd, u32(77))!), [0, 0, 0, 0], 'an out-of-range key restarts at 0');
  });

  it('LRU hash evicts the least recently used element instead of E2BIG; elem_count tracks the eviction', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.LRU_HASH, keySize: 4, valueSize: 4, maxEntries: 3 });
    for (let i = 1; i <= 3; i++) k.mapUpdate(fd, u32(i), u32(i));
    const map = k.mapById(k.mapInfo(fd).id)!;
    k.helpers.bpf_map_lookup_elem(map.region.addr, k.memory.alloc(4, 'key').addr); // miss: no effect
    k.mapUpdate(fd, u32(4), u32(4));
    assert.deepStrictEqual(walk(k, fd).sort(), [2, 3, 4]);
    assert.strictEqual(map.sumElemCount(), 3n);
  });

  it('hash order: ZERO_SEED hash of keys 1..7 (max 8) walks 4 7 2 1 6 5 3 like Linux 6.18 (observed with bpftool map dump)', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 8, flags: BPF_F.ZERO_SEED });
    for (let i = 1; i <= 7; i++) k.mapUpdate(fd, u32(i), u32(i));
    assert.deepStrictEqual(walk(k, fd), [4, 7, 2, 1, 6, 5, 3]);
  });

  it('hash order: replace in a non-percpu hash moves the element to its bucket head; per-CPU keeps its place', () => {
    for (const type of [T.HASH, T.PERCPU_HASH]) { // replacing on a full NO_PREALLOC map is allowed
      const k = new Kernel({ cpus: 1 });
      // one bucket: every key collides, so list order is fully visible
      const fd = k.createMap({ type, keySize: 4, valueSize: 8, maxEntries: 1, flags: BPF_F.ZERO_SEED | BPF_F.NO_PREALLOC });
      const map = k.mapById(k.mapInfo(fd).id)! as unknown as { maxEntries: number };
      assert.strictEqual(map.maxEntries, 1);
      k.mapUpdate(fd, u32(1), u64(1));
      k.mapUpdate(fd, u32(1), u64(2));
      assert.deepStrictEqual(walk(k, fd), [1]);
    }
    const k = new Kernel({ cpus: 1 });
    const fd = k.createMap({ type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 1000, flags: BPF_F.ZERO_SEED });
    const hm = k.mapById(k.mapInfo(fd).id)! as import('../../../server/src/kernel').HashMap;
    // find three keys that share a bucket
    const bucketOf = (x: number) => hm.hashOf(u32(x)) & (hm.nBuckets - 1);
    const same = [1]; for (let x = 2; same.length < 3; x++) if (bucketOf(x) === bucketOf(1)) same.push(x);
    for (const x of same) k.mapUpdate(fd, u32(x), u64(x));
    const order = (): number[] => { const o: number[] = []; for (let e = hm.heads[bucketOf(1)]; e !== NO_ELEM; e = hm.next[e]) o.push(Buffer.from(hm.keyOf(e)).readUInt32LE(0)); return o; };
    assert.deepStrictEqual(order(), [same[2], same[1], same[0]], 'new elements at the head');
    k.mapUpdate(fd, u32(same[0]), u64(99));
    assert.deepStrictEqual(order(), [same[0], same[2], same[1]], 'replace puts the new element at the head');
    const pk = new Kernel({ cpus: 1 });
    const pfd = pk.createMap({ type: T.PERCPU_HASH, keySize: 4, valueSize: 8, maxEntries: 1000, flags: BPF_F.ZERO_SEED });
    const ph = pk.mapById(pk.mapInfo(pfd).id)! as import('../../../server/src/kernel').HashMap;
    for (const x of same) pk.mapUpdate(pfd, u32(x), u64(x));
    pk.mapUpdate(pfd, u32(same[0]), u64(99));
    const porder: number[] = []; for (let e = ph.heads[bucketOf(1)]; e !== NO_ELEM; e = ph.next[e]) porder.push(Buffer.from(ph.keyOf(e)).readUInt32LE(0));
    assert.deepStrictEqual(porder, [same[2], same[1], same[0]], 'per-CPU update is in place');
  });

  it('jhash/jhash2 agree with include/linux/jhash.h on word-sized keys and differ by seed', () => {
    const key = new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);
    assert.notStrictEqual(jhash2(key, 3, 0), jhash2(key, 3, 1));
    // jhash over bytes and jhash2 over words differ only in the length mix-in (bytes vs words<<2 are equal here)
    assert.strictEqual(jhash(key, 0), jhash2(key, 3, 0));
    assert.strictEqual(jhash(new Uint8Array(0), 0), 0xdeadbeef);
  });

  it('jhashWord (the bulk insert\'s inline hash of a 4-byte key) is jhash2 of that one word, for any bits and seed', () => {
    let x = 0x2545f491;
    for (let i = 0; i < 2000; i++) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      const word = i < 4 ? [0, 1, 0x7fffffff, 0xffffffff][i] : x;
      const seed = i % 3 === 0 ? 0 : (x * 2654435761) >>> 0;
      const bytes = new Uint8Array(new Uint32Array([word]).buffer);
      assert.strictEqual(jhashWord(word | 0, seed), jhash2(bytes, 1, seed), `word ${word} seed ${seed}`);
    }
  });

  it('map ids come from a cyclic IDR: freed ids are not reused until wrap-around', () => {
    const k = new Kernel();
    const a = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const b = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    k.close(a);
    const c = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    assert.deepStrictEqual([k.mapInfo(b).id, k.mapInfo(c).id], [2, 3]);
  });

  it('struct bpf_map is real memory laid out from kernel BTF, fields kept current', () => {
    const k = new Kernel({ cpus: 2 });
    const fd = k.createMap({ type: T.PERCPU_HASH, keySize: 8, valueSize: 12, maxEntries: 5, name: 'pc', flags: BPF_F.ZERO_SEED });
    const map = k.mapById(k.mapInfo(fd).id)!;
    assert.strictEqual(kernelBtf.bpf_map.size, map.region.bytes.length);
    const a = map.region.addr;
    assert.deepStrictEqual(['map_type', 'key_size', 'value_size', 'max_entries', 'map_flags', 'id', 'refcnt', 'usercnt'].map((f) => mapField(k, a, f)),
      [5n, 8n, 12n, 5n, 64n, BigInt(map.id), 1n, 1n]);
    const name = map.region.bytes.subarray(btfField('bpf_map', 'name').offset, btfField('bpf_map', 'name').offset + 3);
    assert.deepStrictEqual(Array.from(name), [0x70, 0x63, 0]);
    const elemCount = mapField(k, a, 'elem_count');
    assert.strictEqual(k.memory.find(elemCount)?.region.bytes.length, 16, 'per-CPU s64 counters, one per CPU');
    k.mapUpdate(fd, u64(1), new Uint8Array(32));
    assert.strictEqual(k.helpers.bpf_map_sum_elem_count(a), 1n);
  });

  it('struct bpf_map numa_node, bypass_spec_v1 and frozen as map_create(), array_map_alloc() and map_freeze() set them', () => {
    const k = new Kernel();
    const field = (fd: number, name: string): number => {
      const f = btfField('bpf_map', name);
      const v = k.mapById(k.mapInfo(fd).id)!.region.view;
      return f.size === 1 ? v.getUint8(f.offset) : v.getInt32(f.offset, true);
    };
    const hash = k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 2 });
    const numa = k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 2, flags: BPF_F.NUMA_NODE });
    const arr = k.createMap({ type: T.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
    assert.deepStrictEqual([hash, numa, arr].map((fd) => [field(fd, 'numa_node'), field(fd, 'bypass_spec_v1'), field(fd, 'frozen')]),
      [[-1, 0, 0], [0, 0, 0], [-1, 1, 0]]);
    k.mapFreeze(hash);
    assert.strictEqual(field(hash, 'frozen'), 1);
    expectKernelError(() => k.mapFreeze(hash), 'EBUSY');
    expectKernelError(() => k.mapUpdate(hash, u32(1), u32(1)), 'EPERM');
    expectKernelError(() => k.mapDelete(hash, u32(1)), 'EPERM');
    assert.throws(() => k.mapLookup(hash, u32(1)), /ENOENT|lookup/, 'a frozen map is still read');
  });

  it('per-CPU layout: syscall values are round_up(value_size, 8) per CPU; program update writes only the current CPU', () => {
    const k = new Kernel({ cpus: 2, currentCpu: 1 });
    const fd = k.createMap({ type: T.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
    k.mapUpdate(fd, u32(0), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    const map = k.mapById(k.mapInfo(fd).id)!;
    const key = k.memory.alloc(4, 'k'), val = k.memory.alloc(4, 'v');
    val.view.setUint32(0, 7, true);
    assert.strictEqual(k.helpers.bpf_map_update_elem(map.region.addr, key.addr, val.addr, 0), 0);
    assert.deepStrictEqual(Array.from(k.mapLookup(fd, u32(0))), [1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0]);
    const slot = k.helpers.bpf_map_lookup_elem(map.region.addr, key.addr);
    assert.strictEqual(k.memory.find(slot)!.region.view.getUint32(k.memory.find(slot)!.offset, true), 7);
  });

  it('arrays keep no elem_count: bpf_map_sum_elem_count returns 0', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
    assert.strictEqual(k.helpers.bpf_map_sum_elem_count(k.mapById(k.mapInfo(fd).id)!.region.addr), 0n);
    assert.strictEqual(k.helpers.bpf_map_sum_elem_count(0n), 0n);
  });
});

describe('kernel: NO_PREALLOC element memory', () => {
  it('deleted elements stay readable until the next syscall (RCU grace period), then their regions are freed', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 100, flags: BPF_F.NO_PREALLOC });
    const before = k.memory.regionCount;
    k.mapUpdate(fd, u32(1), u64(5));
    const map = k.mapById(k.mapInfo(fd).id)!;
    const key = k.memory.alloc(4, 'key'); key.bytes.set(u32(1));
    const addr = k.helpers.bpf_map_lookup_elem(map.region.addr, key.addr);
    assert.strictEqual(k.helpers.bpf_map_delete_elem(map.region.addr, key.addr), 0);
    assert.ok(k.memory.find(addr), 'still readable inside the same program run');
    for (let i = 0; i < 50; i++) { k.mapUpdate(fd, u32(i), u64(i)); k.mapDelete(fd, u32(i)); }
    k.mapUpdate(fd, u32(2), u64(2));
    assert.strictEqual(k.memory.find(addr), null, 'freed after a grace period');
    assert.ok(k.memory.regionCount <= before + 3, `regions: ${k.memory.regionCount} (was ${before})`);
  });
});

describe('kernel: BPF_MAP_UPDATE_BATCH on a hash map', () => {
  /** every key in get_next_key order with its value, the bucket walk a dump or iterator sees */
  function walk(k: Kernel, fd: number): string[] {
    const out: string[] = [];
    for (let key = k.mapGetNextKey(fd, null); key; key = k.mapGetNextKey(fd, key)) {
      out.push(`${Buffer.from(key).toString('hex')}=${Buffer.from(k.mapLookup(fd, key)).toString('hex')}`);
    }
    return out;
  }
  for (const type of [BPF_MAP_TYPE.HASH, BPF_MAP_TYPE.LRU_HASH]) for (const keySize of [4, 6]) {
    it(`type ${type}, ${keySize}-byte keys: one batch (packed or interleaved records, with repeated keys) leaves the map as the same updates one by one`, () => {
      const n = 3000, r = keySize + 8;
      const records = new Uint8Array(n * r);
      const view = new DataView(records.buffer);
      // keys repeat (i % 2500): a later record replaces the earlier one, as htab_map_update_elem() does
      for (let i = 0; i < n; i++) {
        view.setUint32(i * r, (i % 2500) * 7919, true);
        if (keySize === 6) view.setUint16(i * r + 4, (i % 2500) * 3, true);
        view.setBigUint64(i * r + keySize, BigInt(i), true);
      }
      const one = new Kernel({ cpus: 2 });
      const fdOne = one.createMap({ type, keySize, valueSize: 8, maxEntries: 2600, flags: 0, name: 'm' });
      for (let i = 0; i < n; i++) one.mapUpdate(fdOne, records.slice(i * r, i * r + keySize), records.slice(i * r + keySize, i * r + r), 0);
      const batched = new Kernel({ cpus: 2 });
      const fdBatch = batched.createMap({ type, keySize, valueSize: 8, maxEntries: 2600, flags: 0, name: 'm' });
      batched.mapUpdateBatch(fdBatch, records, records, n, { keyAt: 0, keyStride: r, valueAt: keySize, valueStride: r });
      assert.deepStrictEqual(walk(batched, fdBatch), walk(one, fdOne));
      assert.strictEqual(batched.mapFromFd(fdBatch).sumElemCount(), one.mapFromFd(fdOne).sumElemCount());
      assert.strictEqual(batched.mapFromFd(fdBatch).sumElemCount(), 2500n);
    });
  }

  for (const keySize of [4, 8]) {
    it(`${keySize}-byte keys known absent (a generated range into an empty map): the same map without the bucket walk`, () => {
      const n = 5000;
      const keys = new Uint8Array(n * keySize), values = new Uint8Array(n * 8);
      const kv = new DataView(keys.buffer), vv = new DataView(values.buffer);
      for (let i = 0; i < n; i++) { kv.setUint32(i * keySize, 100 + i * 3, true); vv.setBigUint64(i * 8, BigInt(i * i), true); }
      const walks = [false, true].map((keysAbsent) => {
        const k = new Kernel({ cpus: 2 });
        const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize, valueSize: 8, maxEntries: n, flags: 0, name: 'm' });
        for (let at = 0; at < n; at += 1000) {
          k.mapUpdateBatch(fd, keys.subarray(at * keySize), values.subarray(at * 8), 1000, { keyAt: 0, keyStride: keySize, valueAt: 0, valueStride: 8, keysAbsent });
        }
        assert.strictEqual(k.mapFromFd(fd).sumElemCount(), BigInt(n));
        return walk(k, fd);
      });
      assert.strictEqual(walks[1].length, n);
      assert.deepStrictEqual(walks[1], walks[0]);
    });
  }

  it('batches after a key added one by one still replace it (the batch filter of absent keys is dropped), and after deletes', () => {
    const k = new Kernel({ cpus: 2 });
    const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 10000, flags: 0, name: 'm' });
    const batchOf = (from: number, n: number, value: number): [Uint8Array, Uint8Array] => {
      const keys = new Uint8Array(n * 4), values = new Uint8Array(n * 8);
      for (let i = 0; i < n; i++) { new DataView(keys.buffer).setUint32(i * 4, from + i, true); new DataView(values.buffer).setBigUint64(i * 8, BigInt(value), true); }
      return [keys, values];
    };
    k.mapUpdateBatch(fd, ...batchOf(0, 2000, 1), 2000); // an empty map: the filter is made
    k.mapUpdate(fd, u32(5000), u64(7)); // a key the filter does not know
    k.mapDelete(fd, u32(10));
    k.mapUpdateBatch(fd, ...batchOf(4000, 2000, 2), 2000); // 5000 again: replaced, not a second element
    k.mapUpdateBatch(fd, ...batchOf(0, 20, 3), 20); // 10 again after its delete, and replacements
    const keys = walkKeys(k, fd);
    assert.strictEqual(keys.length, new Set(keys).size, 'no key twice');
    assert.strictEqual(keys.length, 4000);
    assert.strictEqual(k.mapFromFd(fd).sumElemCount(), 4000n);
    assert.strictEqual(Buffer.from(k.mapLookup(fd, u32(5000))).readBigUInt64LE(0), 2n);
    assert.strictEqual(Buffer.from(k.mapLookup(fd, u32(10))).readBigUInt64LE(0), 3n);
  });
  function walkKeys(k: Kernel, fd: number): number[] {
    const out: number[] = [];
    for (let key = k.mapGetNextKey(fd, null); key; key = k.mapGetNextKey(fd, key)) out.push(Buffer.from(key).readUInt32LE(0));
    return out;
  }

  describe('a big map: each window of a batch inserted by groups of neighbouring buckets', () => {
    /** a batch of n records into a map of maxEntries, keys (i % distinct) * 7919 + from: repeated keys replace */
    const records = (n: number, distinct: number, from = 0): { keys: Uint8Array; values: Uint8Array } => {
      const keys = new Uint8Array(n * 4), values = new Uint8Array(n * 8);
      for (let i = 0; i < n; i++) { new DataView(keys.buffer).setUint32(i * 4, from + (i % distinct) * 7919, true); new DataView(values.buffer).setBigUint64(i * 8, BigInt(i), true); }
      return { keys, values };
    };
    const oneByOne = (k: Kernel, fd: number, r: { keys: Uint8Array; values: Uint8Array }, n: number): void => {
      for (let i = 0; i < n; i++) k.mapUpdate(fd, r.keys.slice(i * 4, i * 4 + 4), r.values.slice(i * 8, i * 8 + 8));
    };

    it('leaves the map as the same updates one by one: every chain in the same order, repeated keys replaced', () => {
      const r = records(20000, 15000), later = records(9000, 9000, 3);
      const maps = [false, true].map((batched) => {
        const k = new Kernel({ cpus: 2 });
        const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 70000, flags: 0, name: 'm' });
        if (batched) { k.mapUpdateBatch(fd, r.keys, r.values, 20000); k.mapUpdateBatch(fd, later.keys, later.values, 9000); }
        else { oneByOne(k, fd, r, 20000); oneByOne(k, fd, later, 9000); }
        return { k, fd };
      });
      const [one, batch] = maps.map(({ k, fd }) => walk(k, fd));
      assert.strictEqual(batch.length, 24000);
      assert.deepStrictEqual(batch, one);
      assert.strictEqual(maps[1].k.mapFromFd(maps[1].fd).sumElemCount(), 24000n);
    });

    it('the elements of a window in a group of buckets take slots below those of the next group', () => {
      const k = new Kernel({ cpus: 2 });
      const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 70000, flags: 0, name: 'm' });
      const r = records(8192, 8192);
      k.mapUpdateBatch(fd, r.keys, r.values, 8192);
      const m = k.mapFromFd(fd) as HashMap;
      const groupOf = (key: Uint8Array): number => (m.hashOf(key) & (m.nBuckets - 1)) >>> (Math.log2(m.nBuckets) - 11);
      const lowest = new Map<number, number>(), highest = new Map<number, number>();
      for (let key = k.mapGetNextKey(fd, null); key; key = k.mapGetNextKey(fd, key)) {
        const g = groupOf(key), slot = m.findElem(key);
        lowest.set(g, Math.min(lowest.get(g) ?? Infinity, slot));
        highest.set(g, Math.max(highest.get(g) ?? -Infinity, slot));
      }
      const groups = [...lowest.keys()];
      assert.ok(groups.length > 1000, `${groups.length} groups`);
      for (let i = 1; i < groups.length; i++) assert.ok(highest.get(groups[i - 1])! < lowest.get(groups[i])!, `group ${groups[i - 1]} before group ${groups[i]}`);
    });

    it('a window that may not fit goes in batch order: E2BIG at the same record as one by one', () => {
      const r = records(8192, 8192);
      const [one, batch] = [false, true].map((batched) => {
        const k = new Kernel({ cpus: 2 });
        const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 70000, flags: 0, name: 'm' });
        oneByOne(k, fd, records(65000, 65000, 1), 65000);
        let stopped = -1;
        if (batched) {
          try { k.mapUpdateBatch(fd, r.keys, r.values, 8192); } catch (e) { stopped = (e as { count: number }).count; }
        } else {
          for (let i = 0; i < 8192 && stopped < 0; i++) {
            try { k.mapUpdate(fd, r.keys.slice(i * 4, i * 4 + 4), r.values.slice(i * 8, i * 8 + 8)); } catch { stopped = i; }
          }
        }
        return { stopped, dump: walk(k, fd) };
      });
      assert.ok(one.stopped > 0, 'the map fills up within the batch');
      assert.strictEqual(batch.stopped, one.stopped);
      assert.deepStrictEqual(batch.dump, one.dump);
    });
  });

  it('a batch past max_entries stops at the first element that does not fit (E2BIG), the earlier ones stay', () => {
    const k = new Kernel({ cpus: 2 });
    const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, name: 'm' });
    const keys = new Uint8Array(6 * 4), values = new Uint8Array(6 * 8);
    for (let i = 0; i < 6; i++) keys[i * 4] = i + 1;
    assert.throws(() => k.mapUpdateBatch(fd, keys, values, 6), (e: unknown) => (e as { count?: number }).count === 4 && /E2BIG/.test(String((e as { code?: string }).code)));
    assert.strictEqual(k.mapFromFd(fd).sumElemCount(), 4n);
  });
});

describe('kernel: fd numbers', () => {
  it('a new fd is the lowest free number (get_unused_fd_flags), after closes in any order and with many fds open', () => {
    const k = new Kernel({ cpus: 2 });
    const open = () => k.createMap({ type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0, name: 'f' });
    const fds = Array.from({ length: 2000 }, open);
    assert.deepStrictEqual(fds.slice(0, 3), [3, 4, 5]);
    for (const fd of [1500, 7, 900, 8, 3]) k.close(fd);
    assert.deepStrictEqual([open(), open(), open(), open(), open(), open()], [3, 7, 8, 900, 1500, 2003]);
  });
});
