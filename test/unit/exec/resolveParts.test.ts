import * as assert from 'assert';
import { KernelMemory } from '../../../server/src/kernel/memory';
import { makeRegion } from '../../../server/src/exec/memory';
import { AddressResolver, type Pointer } from '../../../server/src/exec/values';

/** A pointer as [label, offset] (null for NULL), so two answers compare by what they point at. */
const seen = (p: Pointer): [string, number, bigint] | null => (p.region === null ? null : [p.region.label, p.offset, p.region.addr]);
const parts = (addr: bigint): [number, number] => [Number(addr & 0xffffffffn), Number(addr >> 32n)];

describe('exec/values: resolveParts (a loaded pointer\'s u32 halves) gives what resolve gives', () => {
  it('for addresses at, inside, at the end of and between regions, the stack, NULL and unmapped ones', () => {
    const memory = new KernelMemory();
    const a = memory.alloc(16, 'a');
    const b = memory.alloc(100_000, 'b');
    const empty = memory.alloc(0, 'empty');
    const stack = makeRegion(0xffffc90000100000n, 512, 'stack');
    const resolver = new AddressResolver(memory, [stack]);
    const probes: bigint[] = [0n, 1n, 0xffffffffn, 0x100000000n, stack.addr, stack.addr + 511n, stack.addr + 512n, empty.addr];
    for (const r of [a, b]) for (const d of [0n, 1n, 7n, 8n, BigInt(r.bytes.length) - 1n, BigInt(r.bytes.length), BigInt(r.bytes.length) + 4096n, -1n]) probes.push(r.addr + d);
    // twice: the second round is answered from findParts()'s cache of recent regions
    for (let round = 0; round < 2; round++) {
      for (const addr of probes) {
        const [lo, hi] = parts(addr);
        assert.deepStrictEqual(seen(resolver.resolveParts(lo, hi)), seen(resolver.resolve(addr)), `address 0x${addr.toString(16)}`);
      }
    }
  });

  it('a freed region is not found again through the cache (an access faults, as through resolve)', () => {
    const memory = new KernelMemory();
    const keep = memory.alloc(64, 'keep');
    const gone = memory.alloc(64, 'gone');
    const resolver = new AddressResolver(memory, []);
    const [lo, hi] = parts(gone.addr + 8n);
    assert.strictEqual(resolver.resolveParts(lo, hi).region, gone);
    memory.free(gone);
    const after = resolver.resolveParts(lo, hi);
    assert.notStrictEqual(after.region, gone);
    assert.strictEqual(after.region?.bytes.length, 0, 'an unmapped address: every access faults on the bounds check');
    assert.deepStrictEqual(seen(after), seen(resolver.resolve(gone.addr + 8n)));
    const [klo, khi] = parts(keep.addr + 63n);
    assert.strictEqual(resolver.resolveParts(klo, khi).region, keep);
  });
});
