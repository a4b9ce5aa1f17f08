import * as assert from 'assert';
import { BPF_MAP_TYPE, ERRNO, Kernel } from '../../../server/src/kernel';

/** The helpers that call the program back, the numbers iterator kfuncs and the trace log, on the kernel API alone. */
describe('kernel: bpf_loop, bpf_for_each_map_elem, bpf_iter_num_*, bpf_trace_printk', () => {
  const FN = 0xffffffffc0001000n;

  it('bpf_loop: index 0.., the ctx as given, stops at a non-zero return with i + 1; flags and BPF_MAX_LOOPS are checked', () => {
    const k = new Kernel();
    const seen: bigint[][] = [];
    const cb = (fn: bigint, args: bigint[]): bigint => { seen.push([fn, ...args]); return args[0] === 2n ? 1n : 0n; };
    assert.strictEqual(k.helpers.bpf_loop(10n, FN, 0x1234n, 0n, cb), 3);
    assert.deepStrictEqual(seen.map((a) => a.slice(0, 3)), [[FN, 0n, 0x1234n], [FN, 1n, 0x1234n], [FN, 2n, 0x1234n]]);
    assert.strictEqual(k.helpers.bpf_loop(4n, FN, 0n, 0n, () => 0n), 4);
    assert.strictEqual(k.helpers.bpf_loop(4n, FN, 0n, 1n, () => 0n), -ERRNO.EINVAL);
    assert.strictEqual(k.helpers.bpf_loop(BigInt(8 * 1024 * 1024 + 1), FN, 0n, 0n, () => 0n), -ERRNO.E2BIG);
  });

  it('bpf_for_each_map_elem on an array: every index with a pointer to a u32 key and to the element; the count visited', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 3 });
    const map = k.mapById(k.mapInfo(fd).id)!;
    const keys: number[] = [];
    const values: bigint[] = [];
    const n = k.helpers.bpf_for_each_map_elem(map.region.addr, FN, 0n, 0n, (_fn, args) => {
      assert.strictEqual(args[0], map.region.addr);
      keys.push(new DataView(k.memory.read(args[1], 4)!.slice().buffer).getUint32(0, true));
      values.push(args[2]);
      return keys.length === 2 ? 1n : 0n;
    });
    assert.strictEqual(n, 2);
    assert.deepStrictEqual(keys, [0, 1]);
    assert.strictEqual(values[1] - values[0], 8n);
    assert.strictEqual(k.helpers.bpf_for_each_map_elem(map.region.addr, FN, 0n, 1n, () => 0n), -ERRNO.EINVAL);
  });

  it('bpf_for_each_map_elem on a hash map visits each element once with its key and value in the element', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 4, maxEntries: 8 });
    for (const key of [1, 2, 3]) k.mapUpdate(fd, new Uint8Array([key, 0, 0, 0]), new Uint8Array([key * 10, 0, 0, 0]));
    const map = k.mapById(k.mapInfo(fd).id)!;
    const pairs: number[][] = [];
    const n = k.helpers.bpf_for_each_map_elem(map.region.addr, FN, 0n, 0n, (_fn, args) => {
      pairs.push([k.memory.read(args[1], 1)![0], k.memory.read(args[2], 1)![0]]);
      return 0n;
    });
    assert.strictEqual(n, 3);
    assert.deepStrictEqual(pairs.sort((a, b) => a[0] - b[0]), [[1, 10], [2, 20], [3, 30]]);
  });

  it('bpf_iter_num_*: new(start, end) yields start..end-1 through next(), then NULL; bad ranges are -EINVAL / -E2BIG', () => {
    const k = new Kernel();
    const it = k.memory.alloc(8, 'struct bpf_iter_num');
    assert.strictEqual(k.helpers.bpf_iter_num_new(it.addr, 2n, 5n), 0);
    const got: number[] = [];
    for (let p = k.helpers.bpf_iter_num_next(it.addr); p !== 0n; p = k.helpers.bpf_iter_num_next(it.addr)) {
      got.push(new DataView(k.memory.read(p, 4)!.slice().buffer).getInt32(0, true));
    }
    assert.deepStrictEqual(got, [2, 3, 4]);
    assert.strictEqual(k.helpers.bpf_iter_num_next(it.addr), 0n);
    assert.strictEqual(k.helpers.bpf_iter_num_new(it.addr, 5n, 2n), -ERRNO.EINVAL);
    assert.strictEqual(k.helpers.bpf_iter_num_next(it.addr), 0n);
    assert.strictEqual(k.helpers.bpf_iter_num_new(it.addr, 0n, BigInt(8 * 1024 * 1024 + 1)), -ERRNO.E2BIG);
    assert.strictEqual(k.helpers.bpf_iter_num_new(it.addr, BigInt.asUintN(64, -3n), 0n), 0);
    assert.notStrictEqual(k.helpers.bpf_iter_num_next(it.addr), 0n);
    k.helpers.bpf_iter_num_destroy(it.addr);
    assert.strictEqual(k.helpers.bpf_iter_num_next(it.addr), 0n);
  });

  it('bpf_trace_printk formats with at most 3 arguments into the trace log and returns the length; a bad format logs nothing', () => {
    const k = new Kernel();
    const fmt = k.memory.alloc(32, 'fmt');
    const put = (s: string): number => { fmt.bytes.fill(0); fmt.bytes.set(Buffer.from(s + '\0')); return s.length + 1; };
    let size = put('n=%d s=%u');
    assert.strictEqual(k.helpers.bpf_trace_printk(fmt.addr, size, 5n, 7n), 'n=5 s=7'.length);
    size = put('%d %d %d %d');
    assert.strictEqual(k.helpers.bpf_trace_printk(fmt.addr, size, 1n, 2n, 3n), -ERRNO.EINVAL);
    size = put('%f');
    assert.strictEqual(k.helpers.bpf_trace_printk(fmt.addr, size), -ERRNO.EINVAL);
    const args = k.memory.alloc(32, 'args');
    [1n, 2n, 3n, 4n].forEach((v, i) => args.view.setBigUint64(i * 8, v, true));
    size = put('%d %d %d %d');
    assert.strictEqual(k.helpers.bpf_trace_vprintk(fmt.addr, size, args.addr, 32), '1 2 3 4'.length);
    assert.deepStrictEqual(k.traceLog, ['n=5 s=7', '1 2 3 4']);
  });
});
