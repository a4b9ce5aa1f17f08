/**
 * Maps modified while an iterator walks them (as iterator programs that update the map they walk do), maps closed
 * while a link holds them, and 10,000 maps. Mirrors bpf_hash_map_seq_next()/bpf_array_map_seq_next() and
 * bpf_map_seq_next(): the walk terminates, never visits an element that never existed, and visits every
 * element of an unmodified map exactly once.
 */
import * as assert from 'assert';
import fc from 'fast-check';
import { BPF_F, BPF_MAP_TYPE, Kernel } from '../../server/src/kernel';
import { attachAndOpen, readAll, spec, u32, u64 } from '../unit/kernel/progs';

type Op = { kind: 'update' | 'delete'; key: number; afterVisits: number };

const MAP_TYPES: Array<[string, number]> = [['hash', BPF_MAP_TYPE.HASH], ['lru_hash', BPF_MAP_TYPE.LRU_HASH], ['array', BPF_MAP_TYPE.ARRAY]];

function walk(type: number, initialKeys: number[], ops: Op[], maxEntries: number): { visited: number[]; everExisted: Set<number> } {
  const k = new Kernel({ cpus: 2 });
  const fd = k.createMap({ type, keySize: 4, valueSize: 8, maxEntries, flags: type === BPF_MAP_TYPE.ARRAY ? 0 : BPF_F.ZERO_SEED, name: 'walked' });
  const everExisted = new Set<number>();
  if (type === BPF_MAP_TYPE.ARRAY) for (let i = 0; i < maxEntries; i++) everExisted.add(i);
  for (const key of initialKeys) { k.mapUpdate(fd, u32(key), u64(key)); everExisted.add(key); }
  const visited: number[] = [];
  const prog = spec('bpf_map_elem', (ctx) => {
    if (!ctx.key) return 0;
    visited.push(ctx.key.region.view.getUint32(ctx.key.offset, true));
    for (const op of ops) {
      if (op.afterVisits !== visited.length) continue;
      try {
        if (op.kind === 'update') { k.mapUpdate(fd, u32(op.key), u64(op.key)); everExisted.add(op.key); } else k.mapDelete(fd, u32(op.key));
      } catch { /* E2BIG / ENOENT / EINVAL are the map's answers, not the walk's problem */ }
    }
    return 0;
  }, { maxRdonlyAccess: 4, maxRdwrAccess: 8 });
  const { iterFd } = attachAndOpen(k, prog, fd);
  readAll(k, iterFd, 4096);
  return { visited, everExisted };
}

describe('robustness: simulated kernel under concurrent modification', function () {
  this.timeout(60_000);
  const keys = fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { maxLength: 48 });
  const ops = fc.array(fc.record({ kind: fc.constantFrom('update' as const, 'delete' as const), key: fc.integer({ min: 0, max: 63 }), afterVisits: fc.integer({ min: 1, max: 60 }) }), { maxLength: 40 });

  for (const [name, type] of MAP_TYPES) {
    it(`${name}: for any updates/deletes during the walk, the walk terminates and visits only keys that existed (bpf_*_map_seq_next)`, () => {
      fc.assert(fc.property(keys, ops, (initial, script) => {
        const { visited, everExisted } = walk(type, initial, script, 64);
        for (const key of visited) assert.ok(everExisted.has(key), `visited ${key}, which never existed`);
        // Termination with a bound: a bucket walk may revisit after a delete+reinsert, never endlessly.
        assert.ok(visited.length <= 64 + script.length * 64, `visited ${visited.length}`);
      }), { numRuns: 150 });
    });

    it(`${name}: an unmodified map is visited exactly once per element`, () => {
      fc.assert(fc.property(keys, (initial) => {
        const { visited, everExisted } = walk(type, initial, [], 64);
        assert.deepStrictEqual([...visited].sort((a, b) => a - b), [...everExisted].sort((a, b) => a - b));
      }), { numRuns: 100 });
    });
  }

  it('a map whose last fd is closed while a link holds it is still walked (the link holds a uref: bpf_iter_attach_map())', () => {
    const k = new Kernel({ cpus: 2 });
    const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 8, flags: BPF_F.ZERO_SEED, name: 'closed' });
    for (let i = 0; i < 5; i++) k.mapUpdate(fd, u32(i), u64(i));
    const visited: number[] = [];
    const prog = spec('bpf_map_elem', (ctx) => { if (ctx.key) visited.push(ctx.key.region.view.getUint32(ctx.key.offset, true)); return 0; }, { maxRdonlyAccess: 4, maxRdwrAccess: 8 });
    const { iterFd } = attachAndOpen(k, prog, fd);
    k.close(fd);
    readAll(k, iterFd, 4096);
    assert.deepStrictEqual(visited.sort(), [0, 1, 2, 3, 4]);
  });

  it('10,000 maps: iter/bpf_map visits each map at most once, and maps closed during the walk are skipped or shown, never invented (bpf_map_seq_next())', () => {
    const k = new Kernel({ cpus: 1 });
    const fds: number[] = [];
    for (let i = 0; i < 10_000; i++) fds.push(k.createMap({ type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0, name: `m${i}` }));
    const ids: number[] = [];
    const prog = spec('bpf_map', (ctx) => {
      if (!ctx.map) return 0;
      const id = ids.length + 1;
      ids.push(id);
      // Every 100th visit closes the map 50 ahead: bpf_map_seq_next() takes the next id still alive.
      if (ids.length % 100 === 0 && fds[ids.length + 50] !== undefined) k.close(fds[ids.length + 50]);
      return 0;
    });
    const { iterFd } = attachAndOpen(k, prog);
    readAll(k, iterFd, 4096);
    assert.ok(ids.length <= 10_000 && ids.length >= 10_000 - 100, `visited ${ids.length} maps`);
  });
});

describe('robustness: map sizes beyond memory', () => {
  it('a preallocated map larger than the simulated kernel\'s memory fails with ENOMEM naming max_entries, not a RangeError (bpf_map_area_alloc())', () => {
    const k = new Kernel({ cpus: 2 });
    assert.throws(
      () => k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: 4294967295, flags: 0, name: 'huge' }),
      (e: unknown) => (e as { code?: string }).code === 'ENOMEM' && /max_entries 4294967295/.test((e as Error).message),
    );
    assert.throws(() => k.createMap({ type: BPF_MAP_TYPE.PERCPU_ARRAY, keySize: 4, valueSize: 4096, maxEntries: 1_000_000, flags: 0, name: 'wide' }), /ENOMEM|simulated kernel/);
    // Below the bound, a big map is still created.
    const fd = k.createMap({ type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 100_000, flags: 0, name: 'big' });
    assert.ok(fd > 0);
  });
});
