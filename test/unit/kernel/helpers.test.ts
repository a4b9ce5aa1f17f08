import * as assert from 'assert';
import { BPF_MAP_TYPE, ERRNO, Kernel } from '../../../server/src/kernel';
import { attachAndOpen, spec, u32, u64 } from './progs';

describe('kernel: helpers iterator programs call (never throw, -errno)', () => {
  it('bpf_probe_read_kernel copies or zero-fills dst with -EFAULT; _str returns the length including NUL', () => {
    const k = new Kernel();
    const src = k.memory.alloc(8, 'src'), dst = k.memory.alloc(8, 'dst');
    src.bytes.set([104, 105, 0, 9, 9, 9, 9, 9]);
    dst.bytes.fill(7);
    assert.strictEqual(k.helpers.bpf_probe_read_kernel(dst.addr, 4, src.addr), 0);
    assert.deepStrictEqual(Array.from(dst.bytes.subarray(0, 4)), [104, 105, 0, 9]);
    assert.strictEqual(k.helpers.bpf_probe_read_kernel(dst.addr, 4, 16n), -ERRNO.EFAULT);
    assert.deepStrictEqual(Array.from(dst.bytes.subarray(0, 4)), [0, 0, 0, 0]);
    assert.strictEqual(k.helpers.bpf_probe_read_kernel_str(dst.addr, 8, src.addr), 3);
    assert.strictEqual(k.helpers.bpf_probe_read_kernel_str(dst.addr, 8, 16n), -ERRNO.EFAULT);
  });

  it('bpf_get_smp_processor_id is the configured CPU; bpf_ktime_get_ns is a deterministic monotonic clock', () => {
    const k = new Kernel({ cpus: 4, currentCpu: 3, ktimeStartNs: 100n, ktimeStepNs: 5n });
    assert.strictEqual(k.helpers.bpf_get_smp_processor_id(), 3);
    assert.deepStrictEqual([k.helpers.bpf_ktime_get_ns(), k.helpers.bpf_ktime_get_ns()], [100n, 105n]);
  });

  it('bpf_jiffies64 counts CONFIG_HZ (250) ticks of the monotonic clock from INITIAL_JIFFIES, without moving the clock', () => {
    const k = new Kernel({ ktimeStartNs: 2_000_000_000n, ktimeStepNs: 5n });
    // INITIAL_JIFFIES = (unsigned long)(unsigned int)(-300 * HZ): 2^32 - 75000
    assert.strictEqual(k.helpers.bpf_jiffies64(), 4294892296n + 500n);
    assert.strictEqual(k.helpers.bpf_jiffies64(), 4294892296n + 500n);
    assert.strictEqual(k.helpers.bpf_ktime_get_ns(), 2_000_000_000n);
  });

  it('bpf_get_prandom_u32 gives varying u32 values, the same sequence on every run (reproducible runs)', () => {
    const draw = (k: Kernel): number[] => Array.from({ length: 64 }, () => k.helpers.bpf_get_prandom_u32() as number);
    const a = draw(new Kernel());
    assert.deepStrictEqual(draw(new Kernel()), a);
    assert.ok(a.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff), String(a));
    assert.ok(new Set(a).size > 60, 'values vary');
    assert.ok(new Set(a.map((v) => v & 15)).size >= 12, 'low bits vary too (programs mask them into an index)');
  });

  it('bpf_strncmp compares at most s1_sz bytes of s1 with the string s2 as strncmp() does: -1, 0 or 1 by the first unsigned byte that differs', () => {
    const k = new Kernel();
    const s1 = k.memory.alloc(8, 's1'), s2 = k.memory.alloc(8, 's2');
    s1.bytes.set(Buffer.from('sc_keep\0'));
    s2.bytes.set(Buffer.from('sc_\0'));
    assert.strictEqual(k.helpers.bpf_strncmp(s1.addr, 3, s2.addr), 0);
    assert.strictEqual(k.helpers.bpf_strncmp(s1.addr, 4, s2.addr), 1); // 'k' > NUL
    s2.bytes.set(Buffer.from('sd\0'));
    assert.strictEqual(k.helpers.bpf_strncmp(s1.addr, 3, s2.addr), -1); // 'c' < 'd'
    s2.bytes.set([0x73, 0xff, 0]);
    assert.strictEqual(k.helpers.bpf_strncmp(s1.addr, 2, s2.addr), -1); // unsigned: 'c' < 0xff
    s2.bytes.set(Buffer.from('sc_keep\0'));
    assert.strictEqual(k.helpers.bpf_strncmp(s1.addr, 8, s2.addr), 0); // both end at the NUL
    assert.strictEqual(k.helpers.bpf_strncmp(16n, 3, s2.addr), -ERRNO.EFAULT);
  });

  it('bpf_map_lookup_percpu_elem gives the chosen CPU\'s slot of a per-CPU map, NULL past the CPUs or for other map types', () => {
    const k = new Kernel({ cpus: 2 });
    const key = k.memory.alloc(4, 'key');
    const percpu = k.createMap({ type: BPF_MAP_TYPE.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const plain = k.createMap({ type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const addrOf = (fd: number) => k.mapById(k.mapInfo(fd).id)!.region.addr;
    const cpu0 = k.helpers.bpf_map_lookup_percpu_elem(addrOf(percpu), key.addr, 0);
    const cpu1 = k.helpers.bpf_map_lookup_percpu_elem(addrOf(percpu), key.addr, 1);
    assert.notStrictEqual(cpu0, 0n);
    assert.notStrictEqual(cpu1, 0n);
    assert.notStrictEqual(cpu0, cpu1);
    assert.strictEqual(k.helpers.bpf_map_lookup_percpu_elem(addrOf(percpu), key.addr, 2), 0n);
    assert.strictEqual(k.helpers.bpf_map_lookup_percpu_elem(addrOf(plain), key.addr, 0), 0n);
  });

  it('map helpers on a bad map pointer or faulting key return -errno/0 instead of throwing', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 4, maxEntries: 2 });
    const addr = k.mapById(k.mapInfo(fd).id)!.region.addr;
    assert.strictEqual(k.helpers.bpf_map_lookup_elem(0x1234n, 0n), 0n);
    assert.strictEqual(k.helpers.bpf_map_update_elem(addr, 8n, 8n, 0), -ERRNO.EFAULT);
    assert.strictEqual(k.helpers.bpf_map_delete_elem(0x99n, 8n), -ERRNO.EINVAL);
    assert.strictEqual(k.helpers.bpf_seq_printf(0x99n, 0n, 0, 0n, 0), -ERRNO.EINVAL);
  });

  it('fault scenario: replacing and deleting elements between reads neither crashes nor repeats the whole walk', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 64 });
    for (let i = 0; i < 50; i++) k.mapUpdate(fd, u32(i), u64(i));
    let visits = 0;
    const { iterFd } = attachAndOpen(k, spec('bpf_map_elem', (ctx) => { if (ctx.key) { visits++; ctx.kernel.seqWriteDirect(ctx.seq, new Uint8Array(8)); } return 0; }, { maxRdonlyAccess: 4 }), fd);
    for (let r = 0; ; r++) {
      const c = k.readIter(iterFd, 40);
      if (c.length === 0) break;
      k.mapUpdate(fd, u32(r % 50), u64(1000 + r));
      if (r % 3 === 0) try { k.mapDelete(fd, u32(49 - r)); } catch { /* already gone */ }
    }
    assert.ok(visits >= 30 && visits <= 70, `visited ${visits}`);
  });
});

describe('kernel: helpers never throw on hostile arguments', () => {
  it('negative, fractional and huge sizes give -EINVAL', () => {
    const k = new Kernel();
    const r = k.memory.alloc(16, 'r');
    for (const size of [-1, 1.5, 2 ** 40, NaN]) {
      assert.strictEqual(k.helpers.bpf_probe_read_kernel(r.addr, size, r.addr), -ERRNO.EINVAL);
      assert.strictEqual(k.helpers.bpf_probe_read_kernel_str(r.addr, size, r.addr), -ERRNO.EINVAL);
      assert.strictEqual(k.helpers.bpf_snprintf(r.addr, size, r.addr, 0n, 0), -ERRNO.EINVAL);
      assert.strictEqual(k.helpers.bpf_seq_write(0n, r.addr, size), -ERRNO.EINVAL);
    }
  });
});
