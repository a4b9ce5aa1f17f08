import * as assert from 'assert';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_MAP_TYPE as T, BPF_NOEXIST, Kernel, KernelError, mapTypeName } from '../../../server/src/kernel';

function u32(n: number): Uint8Array { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; }
function readU32(b: Uint8Array): number { return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true); }
function expectErrno(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof KernelError && e.code === code, `expected ${code}`);
}
/** struct bpf_lpm_trie_key_u8 with 4 data bytes */
function lpmKey(prefixlen: number, ...data: number[]): Uint8Array {
  const k = new Uint8Array(8);
  new DataView(k.buffer).setUint32(0, prefixlen, true);
  k.set(data, 4);
  return k;
}

describe('kernel: map types beyond hash and array', () => {
  it('queue: FIFO (queue_stack_map_push_elem / __queue_map_get), full -> E2BIG, BPF_EXIST drops the oldest', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.QUEUE, keySize: 0, valueSize: 4, maxEntries: 2, name: 'q' });
    k.mapPush(fd, u32(1));
    k.mapPush(fd, u32(2));
    expectErrno(() => k.mapPush(fd, u32(3)), 'E2BIG');
    expectErrno(() => k.mapPush(fd, u32(3), BPF_NOEXIST), 'EINVAL');
    k.mapPush(fd, u32(3), BPF_EXIST);
    assert.strictEqual(readU32(k.mapPeek(fd)), 2);
    assert.strictEqual(readU32(k.mapLookup(fd, new Uint8Array(0))), 2, 'BPF_MAP_LOOKUP_ELEM on a queue peeks');
    assert.strictEqual(readU32(k.mapPop(fd)), 2);
    assert.strictEqual(readU32(k.mapLookupAndDelete(fd, new Uint8Array(0))), 3);
    expectErrno(() => k.mapPop(fd), 'ENOENT');
    assert.strictEqual(k.helpers.bpf_map_sum_elem_count(k.mapAddress(fd)), 0n, 'only htab_map_alloc maps count elements');
  });

  it('stack: LIFO (__stack_map_get), and the helpers push/pop/peek through program memory', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.STACK, keySize: 0, valueSize: 4, maxEntries: 4 });
    k.mapUpdate(fd, new Uint8Array(0), u32(10));
    k.mapUpdate(fd, new Uint8Array(0), u32(20));
    const buf = k.memory.alloc(4, 'test buffer');
    buf.bytes.set(u32(30));
    assert.strictEqual(k.helpers.bpf_map_push_elem(k.mapAddress(fd), buf.addr, 0n), 0);
    assert.strictEqual(k.helpers.bpf_map_peek_elem(k.mapAddress(fd), buf.addr), 0);
    assert.strictEqual(readU32(buf.bytes), 30);
    assert.strictEqual(k.helpers.bpf_map_pop_elem(k.mapAddress(fd), buf.addr), 0);
    assert.strictEqual(readU32(k.mapPop(fd)), 20);
    assert.strictEqual(readU32(k.mapPop(fd)), 10);
    assert.strictEqual(k.helpers.bpf_map_pop_elem(k.mapAddress(fd), buf.addr), -2, 'empty stack: -ENOENT');
  });

  it('bloom_filter: pushed values are "maybe present", others mostly absent (bloom_map_peek_elem); pop is EOPNOTSUPP', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 100, mapExtra: 3n, flags: BPF_F.ZERO_SEED });
    for (let i = 0; i < 20; i++) k.mapPush(fd, u32(i * 7));
    for (let i = 0; i < 20; i++) k.mapPeek(fd, u32(i * 7));
    let absent = 0;
    for (let i = 1000; i < 1100; i++) { try { k.mapPeek(fd, u32(i)); } catch (e) { if ((e as KernelError).code === 'ENOENT') absent++; } }
    assert.ok(absent > 80, `most never-pushed values are reported absent (${absent}/100)`);
    expectErrno(() => k.mapPush(fd, u32(1), BPF_EXIST), 'EINVAL');
    expectErrno(() => k.mapPop(fd), 'EOPNOTSUPP');
  });

  it('lpm_trie: longest-prefix lookup (trie_lookup_elem), exact delete, max_entries -> ENOSPC, postorder get_next_key', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 3, flags: BPF_F.NO_PREALLOC });
    k.mapUpdate(fd, lpmKey(8, 10), u32(8));
    k.mapUpdate(fd, lpmKey(24, 10, 1, 2), u32(24));
    k.mapUpdate(fd, lpmKey(16, 10, 2), u32(16));
    assert.strictEqual(readU32(k.mapLookup(fd, lpmKey(32, 10, 1, 2, 3))), 24);
    assert.strictEqual(readU32(k.mapLookup(fd, lpmKey(32, 10, 9, 9, 9))), 8);
    expectErrno(() => k.mapLookup(fd, lpmKey(32, 11, 0, 0, 0)), 'ENOENT');
    expectErrno(() => k.mapUpdate(fd, lpmKey(32, 1, 1, 1, 1), u32(1)), 'ENOSPC');
    expectErrno(() => k.mapUpdate(fd, lpmKey(33, 1, 1, 1, 1), u32(1)), 'EINVAL');
    expectErrno(() => k.mapUpdate(fd, lpmKey(8, 10), u32(1), BPF_NOEXIST), 'EEXIST');
    const order: number[] = [];
    for (let key = k.mapGetNextKey(fd, null); key; key = k.mapGetNextKey(fd, key)) order.push(readU32(key));
    assert.deepStrictEqual(order, [24, 16, 8], 'children before their parent, the 0 branch (10.1) before the 1 branch (10.2)');
    expectErrno(() => k.mapDelete(fd, lpmKey(12, 10)), 'ENOENT');
    k.mapDelete(fd, lpmKey(24, 10, 1, 2));
    assert.strictEqual(readU32(k.mapLookup(fd, lpmKey(32, 10, 1, 2, 3))), 8);
  });

  it('array_of_maps: values are inner map fds checked against the template (bpf_map_meta_equal); lookup gives the id', () => {
    const k = new Kernel();
    const template = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'tmpl' });
    const outer = k.createMap({ type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMapFd: template, name: 'outer' });
    const inner = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'inner' });
    const other = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 5, name: 'other' });
    k.mapUpdate(outer, u32(1), u32(inner));
    assert.strictEqual(readU32(k.mapLookup(outer, u32(1))), k.mapInfo(inner).id);
    expectErrno(() => k.mapLookup(outer, u32(0)), 'ENOENT');
    expectErrno(() => k.mapUpdate(outer, u32(0), u32(other)), 'EINVAL');
    expectErrno(() => k.mapUpdate(outer, u32(2), u32(inner)), 'E2BIG');
    expectErrno(() => k.mapUpdate(outer, u32(0), u32(inner), BPF_NOEXIST), 'EINVAL');
    assert.strictEqual(k.mapInfo(inner).refcnt, 2, 'the slot holds a reference');
    const innerId = k.mapInfo(inner).id;
    k.close(inner);
    assert.ok(k.mapById(innerId), 'the slot keeps the inner map alive after its fd is closed');
    k.mapDelete(outer, u32(1));
    assert.strictEqual(k.mapById(innerId), undefined, 'deleting the slot drops the last reference');
    expectErrno(() => k.createMap({ type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMapFd: outer }), 'EINVAL');
    const progArray = k.createMap({ type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
    expectErrno(() => k.createMap({ type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMapFd: progArray }), 'ENOTSUPP');
    expectErrno(() => k.createMap({ type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2, innerMapFd: 99 }), 'EBADF');
  });

  it('hash_of_maps counts its elements (htab_map_alloc) and BPF_F_INNER_MAP templates accept any max_entries', () => {
    const k = new Kernel();
    const template = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F.INNER_MAP });
    const outer = k.createMap({ type: T.HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 8, innerMapFd: template });
    for (const n of [1, 5, 9]) k.mapUpdate(outer, u32(n), u32(k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: n, flags: BPF_F.INNER_MAP })), BPF_ANY);
    assert.strictEqual(k.helpers.bpf_map_sum_elem_count(k.mapAddress(outer)), 3n);
    const innerAddr = k.helpers.bpf_map_lookup_elem(k.mapAddress(outer), (() => { const r = k.memory.alloc(4, 'key'); r.bytes.set(u32(5)); return r.addr; })());
    assert.strictEqual(k.mapByAddr(innerAddr)?.maxEntries, 5, 'a program lookup returns the inner struct bpf_map pointer');
  });

  it('map_create stores map_flags like the kernel: BPF_F_RDONLY/WRONLY dropped, devmaps gain BPF_F_RDONLY_PROG', () => {
    const k = new Kernel();
    assert.strictEqual(k.mapInfo(k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F.RDONLY })).flags, 0);
    assert.strictEqual(k.mapInfo(k.createMap({ type: T.DEVMAP, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F.WRONLY })).flags, BPF_F.RDONLY_PROG);
    assert.strictEqual(k.mapInfo(k.createMap({ type: T.DEVMAP_HASH, keySize: 4, valueSize: 8, maxEntries: 1 })).flags, BPF_F.RDONLY_PROG);
  });

  it('every creatable type exists with its sizes; local storage needs BTF; insn_array and struct_ops are EINVAL', () => {
    const k = new Kernel();
    const valid: Array<[number, number, number, number, number?, bigint?]> = [
      [T.PROG_ARRAY, 4, 4, 8], [T.PERF_EVENT_ARRAY, 4, 4, 4], [T.STACK_TRACE, 4, 1016, 128], [T.CGROUP_ARRAY, 4, 4, 2],
      [T.DEVMAP, 4, 8, 4], [T.SOCKMAP, 4, 8, 4], [T.CPUMAP, 4, 4, 256], [T.XSKMAP, 4, 4, 4], [T.SOCKHASH, 12, 8, 4],
      [T.CGROUP_STORAGE, 16, 8, 0], [T.REUSEPORT_SOCKARRAY, 4, 8, 4], [T.PERCPU_CGROUP_STORAGE, 8, 8, 0],
      [T.DEVMAP_HASH, 4, 4, 4], [T.RINGBUF, 0, 0, 1 << 16], [T.USER_RINGBUF, 0, 0, 4096], [T.ARENA, 0, 0, 16, BPF_F.MMAPABLE, 1n << 32n],
    ];
    for (const [type, key, value, max, flags, extra] of valid) {
      const info = k.mapInfo(k.createMap({ type, keySize: key, valueSize: value, maxEntries: max, flags, mapExtra: extra }));
      assert.deepStrictEqual([info.typeName, info.keySize, info.valueSize, info.maxEntries], [mapTypeName(type), key, value, max]);
    }
    for (const type of [T.SK_STORAGE, T.INODE_STORAGE, T.TASK_STORAGE, T.CGRP_STORAGE]) {
      expectErrno(() => k.createMap({ type, keySize: 4, valueSize: 16, maxEntries: 0, flags: BPF_F.NO_PREALLOC }), 'EINVAL');
      k.createMap({ type, keySize: 4, valueSize: 16, maxEntries: 0, flags: BPF_F.NO_PREALLOC, btf: true });
      expectErrno(() => k.createMap({ type, keySize: 4, valueSize: 65408, maxEntries: 0, flags: BPF_F.NO_PREALLOC, btf: true }), 'E2BIG');
    }
    expectErrno(() => k.createMap({ type: T.INSN_ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 }), 'EINVAL');
    expectErrno(() => k.createMap({ type: T.STRUCT_OPS, keySize: 4, valueSize: 4, maxEntries: 1 }), 'EINVAL');
    expectErrno(() => k.createMap({ type: 99, keySize: 4, valueSize: 4, maxEntries: 1 }), 'EINVAL');
    expectErrno(() => k.createMap({ type: T.ARENA, keySize: 0, valueSize: 0, maxEntries: 4, flags: BPF_F.MMAPABLE, mapExtra: 0xfffff000n }), 'ERANGE');
  });
});
