import * as assert from 'assert';
import { BPF_MAP_TYPE, ERRNO, Kernel } from '../../../server/src/kernel';
import { attachAndOpen, readAll, spec, u32, u64 } from './progs';

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
