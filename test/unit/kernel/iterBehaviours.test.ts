import * as assert from 'assert';
import { BPF_MAP_TYPE, ERRNO, Kernel } from '../../../server/src/kernel';
import { attachAndOpen, enc, expectKernelError, ints, mapField, readAll, spec, u32, u64 } from './progs';

const { HASH, ARRAY, PERCPU_HASH, PERCPU_ARRAY, LRU_HASH, LRU_PERCPU_HASH } = BPF_MAP_TYPE;

describe('kernel: iterator behaviours of the bpf_map and bpf_map_elem targets', () => {
  it('A. bpf_map: header, one line per map with refcnt/usercnt, END on the final call; 16-byte reads', () => {
    const k = new Kernel({ cpus: 2 });
    k.createMap({ type: ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'a1' });
    k.createMap({ type: HASH, keySize: 4, valueSize: 8, maxEntries: 4, name: 'h1' });
    const prog = spec('bpf_map', (ctx) => {
      if (!ctx.map) { ctx.kernel.seqPrintfDirect(ctx.seq, enc('-- %%%% no more maps --\n'), []); return 0; }
      if (ctx.seqNum === 0n) ctx.kernel.seqPrintfDirect(ctx.seq, enc('map id   refcnt  usercnt      spare\n'), []);
      const addr = ctx.map.region.addr;
      ctx.kernel.seqPrintfDirect(ctx.seq, enc('%8u %8ld %8ld %10lu\n'),
        [mapField(ctx.kernel, addr, 'id'), mapField(ctx.kernel, addr, 'refcnt'), mapField(ctx.kernel, addr, 'usercnt'), 0n]);
      return 0;
    });
    const { iterFd } = attachAndOpen(k, prog);
    const { bytes, reads } = readAll(k, iterFd, 16);
    assert.strictEqual(bytes.toString(), 'map id   refcnt  usercnt      spare\n' +
      '       1        2        1          0\n' + '       2        2        1          0\n' + '-- %% no more maps --\n');
    assert.ok(reads > 5, 'output spans many 16-byte reads served from the kernel buffer');
    assert.strictEqual(k.readIter(iterFd, 16).length, 0, 'EOF stays EOF');
  });

  function overflowSetup(printLen: number, ret1: boolean) {
    const k = new Kernel({ cpus: 2 });
    const m1 = k.createMap({ type: ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'map1' });
    const m2 = k.createMap({ type: ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'map2' });
    const map1Id = k.mapInfo(m1).id, map2Id = k.mapInfo(m2).id;
    const st = { map1Accessed: 0, map2Accessed: 0, map2Seqnum1: -1n, map2Seqnum2: -1n };
    const prog = spec('bpf_map', (ctx) => {
      if (!ctx.map) return 0;
      let ret = 0;
      if (ctx.map.id === map1Id) st.map1Accessed++;
      else if (ctx.map.id === map2Id) {
        if (st.map2Accessed === 0) { st.map2Seqnum1 = ctx.seqNum; if (ret1) ret = 1; } else st.map2Seqnum2 = ctx.seqNum;
        st.map2Accessed++;
      } else return 0;
      for (let i = 0; i < printLen; i++) ctx.kernel.seqWriteDirect(ctx.seq, u64(ctx.seqNum));
      return ret;
    });
    return { k, st, ...attachAndOpen(k, prog) };
  }

  it('B. overflow: an object that does not fit is dropped and retried by the next read (same seq_num)', () => {
    const { k, st, iterFd } = overflowSetup((32768 - 8) / 8, false);
    const sizes: number[] = [];
    for (;;) { const c = k.readIter(iterFd, 2 * (32768 - 8)); sizes.push(c.length); if (!c.length) break; }
    assert.deepStrictEqual(sizes, [32760, 32760, 0]);
    assert.deepStrictEqual([st.map1Accessed, st.map2Accessed], [1, 2]);
    assert.strictEqual(st.map2Seqnum1, st.map2Seqnum2);
  });

  it('B. overflow-e2big: the first object of a read overflowing the 32 KiB buffer fails read() with E2BIG', () => {
    const { k, iterFd } = overflowSetup((32768 + 8) / 8, false);
    assert.strictEqual(k.readIterRaw(iterFd, 65520), -ERRNO.E2BIG);
  });

  it('B. prog-ret-1: a non-zero return drops the object, the read returns what came before, the retry sees the same seq_num', () => {
    const { k, st, iterFd } = overflowSetup(1, true);
    const { bytes } = readAll(k, iterFd, 16);
    assert.strictEqual(bytes.length, 16);
    assert.deepStrictEqual([st.map1Accessed, st.map2Accessed], [1, 2]);
    assert.strictEqual(st.map2Seqnum1, st.map2Seqnum2);
  });

  it('C. bpf_hash_map: update+delete of the visited element still visits every original element once with its old value', () => {
    const k = new Kernel({ cpus: 2 });
    const h1 = k.createMap({ type: HASH, keySize: 12, valueSize: 8, maxEntries: 3, name: 'hashmap1' });
    const h2 = k.createMap({ type: HASH, keySize: 8, valueSize: 8, maxEntries: 3, name: 'hashmap2' });
    const h3 = k.createMap({ type: HASH, keySize: 12, valueSize: 4, maxEntries: 3, name: 'hashmap3' });
    const h1Addr = k.mapById(k.mapInfo(h1).id)!.region.addr;
    const sums = { a: 0, b: 0, c: 0, val: 0n };
    const zero = k.memory.alloc(8, 'zero');
    const keyCopy = k.memory.alloc(12, 'stack key');
    const prog = spec('bpf_map_elem', (ctx) => {
      if (!ctx.key || !ctx.value) return 0;
      keyCopy.bytes.set(ctx.key.region.bytes.subarray(ctx.key.offset, ctx.key.offset + 12));
      if (k.helpers.bpf_map_update_elem(h1Addr, keyCopy.addr, zero.addr, 0) !== 0) return 0;
      if (k.helpers.bpf_map_delete_elem(h1Addr, keyCopy.addr) !== 0) return 0;
      const kv = ctx.key.region.view, vv = ctx.value.region.view;
      sums.a += kv.getInt32(ctx.key.offset, true); sums.b += kv.getInt32(ctx.key.offset + 4, true); sums.c += kv.getInt32(ctx.key.offset + 8, true);
      sums.val += vv.getBigUint64(ctx.value.offset, true);
      return 0;
    }, { maxRdonlyAccess: 12, maxRdwrAccess: 8 });
    const progFd = k.loadProgram(prog);
    expectKernelError(() => k.createIterLink(progFd, { mapFd: h2 }), 'EACCES');
    expectKernelError(() => k.createIterLink(progFd, { mapFd: h3 }), 'EACCES');
    const sleepy = k.loadProgram({ ...prog, name: 'sleepable_elem_walk', sleepable: true });
    expectKernelError(() => k.createIterLink(sleepy, { mapFd: h1 }), 'EINVAL');
    for (let i = 0; i < 3; i++) k.mapUpdate(h1, ints(i + 1, i + 2, i + 3), u64(i + 4));
    const iterFd = k.createIter(k.createIterLink(progFd, { mapFd: h1 }));
    readAll(k, iterFd, 64);
    assert.deepStrictEqual([sums.a, sums.b, sums.c, sums.val], [6, 9, 12, 15n]);
    assert.strictEqual(k.mapGetNextKey(h1, null), null, 'the map is empty afterwards');
  });

  for (const cpus of [1, 2, 4]) {
    it(`D. bpf_percpu_hash_map (${cpus} CPUs): per-CPU values copied into one buffer at stride round_up(value_size,8)`, () => {
      const k = new Kernel({ cpus });
      const h = k.createMap({ type: PERCPU_HASH, keySize: 12, valueSize: 4, maxEntries: 3, name: 'hashmap1' });
      for (let i = 0; i < 3; i++) {
        const v = new Uint8Array(8 * cpus);
        for (let j = 0; j < cpus; j++) new DataView(v.buffer).setUint32(8 * j, i + j, true);
        k.mapUpdate(h, ints(i + 1, i + 2, i + 3), v);
      }
      let a = 0, b = 0, val = 0;
      const prog = spec('bpf_map_elem', (ctx) => {
        if (!ctx.key || !ctx.value) return 0;
        a += ctx.key.region.view.getInt32(ctx.key.offset, true);
        b += ctx.key.region.view.getInt32(ctx.key.offset + 4, true);
        for (let j = 0; j < cpus; j++) val = (val + ctx.value.region.view.getUint32(ctx.value.offset + 8 * j, true)) >>> 0;
        return 0;
      }, { maxRdonlyAccess: 12, maxRdwrAccess: 8 * (cpus - 1) + 4 });
      readAll(k, attachAndOpen(k, prog, h).iterFd, 64);
      assert.deepStrictEqual([a, b, val], [6, 9, 3 * cpus + (3 * cpus * (cpus - 1)) / 2]);
    });
  }

  function arrayCase(k: Kernel) {
    const arr = k.createMap({ type: ARRAY, keySize: 4, valueSize: 8, maxEntries: 3, name: 'arraymap1' });
    const hash = k.createMap({ type: HASH, keySize: 8, valueSize: 4, maxEntries: 10, name: 'hashmap1' });
    const hashAddr = k.mapById(k.mapInfo(hash).id)!.region.addr;
    for (let i = 0; i < 3; i++) k.mapUpdate(arr, u32(i), u64(i + 4));
    const sums = { key: 0, val: 0n };
    const prog = spec('bpf_map_elem', (ctx) => {
      if (!ctx.key || !ctx.value) return 0;
      const keyAddr = ctx.key.region.addr + BigInt(ctx.key.offset), valAddr = ctx.value.region.addr + BigInt(ctx.value.offset);
      k.helpers.bpf_seq_write(ctx.seqAddr, keyAddr, 4);
      k.helpers.bpf_seq_write(ctx.seqAddr, valAddr, 8);
      const key = ctx.key.region.view.getUint32(ctx.key.offset, true);
      sums.key += key; sums.val += ctx.value.region.view.getBigUint64(ctx.value.offset, true);
      k.helpers.bpf_map_update_elem(hashAddr, valAddr, valAddr, 0);
      const slot = k.helpers.bpf_map_lookup_elem(hashAddr, valAddr);
      if (slot) { const at = k.memory.find(slot)!; at.region.view.setUint32(at.offset, key, true); }
      ctx.value.region.view.setBigUint64(ctx.value.offset, BigInt(key), true);
      return 0;
    }, { maxRdonlyAccess: 4, maxRdwrAccess: 8 });
    return { arr, hash, sums, prog };
  }

  it('E. bpf_array_map: key is the u32 index, value points into the live array, helpers update another map', () => {
    const k = new Kernel({ cpus: 2 });
    const { arr, hash, sums, prog } = arrayCase(k);
    const { bytes } = readAll(k, attachAndOpen(k, prog, arr).iterFd, 64);
    assert.strictEqual(bytes.length, 36);
    assert.strictEqual(bytes.readUInt32LE(0), 0);
    assert.strictEqual(bytes.readBigUInt64LE(4), 4n);
    assert.deepStrictEqual([sums.key, sums.val], [3, 15n]);
    for (let i = 0; i < 3; i++) {
      assert.strictEqual(Buffer.from(k.mapLookup(arr, u32(i))).readBigUInt64LE(0), BigInt(i));
      assert.strictEqual(Buffer.from(k.mapLookup(hash, u64(i + 4))).readUInt32LE(0), i);
    }
  });

  it('F. bpf_array_map_iter_fd: the iterator keeps map and program alive after link and every fd are closed', () => {
    const k = new Kernel({ cpus: 2 });
    const { arr, hash, prog } = arrayCase(k);
    const { progFd, linkFd, iterFd } = attachAndOpen(k, prog, arr);
    for (const fd of [linkFd, progFd, arr, hash]) k.close(fd);
    const { bytes } = readAll(k, iterFd, 64);
    assert.strictEqual(bytes.length, 36);
    k.close(iterFd);
    assert.deepStrictEqual(k.listMaps(), [], 'closing the iterator drops the last references');
  });

  for (const cpus of [1, 3]) {
    it(`G. bpf_percpu_array_map (${cpus} CPUs): sums over every CPU slot`, () => {
      const k = new Kernel({ cpus });
      const arr = k.createMap({ type: PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 3, name: 'arraymap1' });
      for (let i = 0; i < 3; i++) {
        const v = new Uint8Array(8 * cpus);
        for (let j = 0; j < cpus; j++) new DataView(v.buffer).setUint32(8 * j, i + j, true);
        k.mapUpdate(arr, u32(i), v);
      }
      let keySum = 0, valSum = 0;
      const prog = spec('bpf_map_elem', (ctx) => {
        if (!ctx.key || !ctx.value) return 0;
        keySum += ctx.key.region.view.getUint32(ctx.key.offset, true);
        for (let j = 0; j < cpus; j++) valSum += ctx.value.region.view.getUint32(ctx.value.offset + 8 * j, true);
        return 0;
      }, { maxRdonlyAccess: 4, maxRdwrAccess: 8 * cpus });
      readAll(k, attachAndOpen(k, prog, arr).iterFd, 64);
      assert.deepStrictEqual([keySum, valSum], [3, 3 * cpus + (3 * cpus * (cpus - 1)) / 2]);
    });
  }

  it('H. rdonly-buf-out-of-bound: max_rdonly_access 16 > key_size 12 fails attach with EACCES', () => {
    const k = new Kernel({ cpus: 2 });
    const h = k.createMap({ type: HASH, keySize: 12, valueSize: 8, maxEntries: 3, name: 'hashmap1' });
    const p = k.loadProgram(spec('bpf_map_elem', () => 0, { maxRdonlyAccess: 16 }));
    expectKernelError(() => k.createIterLink(p, { mapFd: h }), 'EACCES');
    assert.strictEqual(k.mapInfo(h).usercnt, 1, 'a failed attach gives back the map reference');
  });

  const flavours: [string, number, number][] = [
    ['hash no_prealloc', HASH, 1], ['hash', HASH, 0], ['percpu_hash no_prealloc', PERCPU_HASH, 1], ['percpu_hash', PERCPU_HASH, 0],
    ['lru_hash', LRU_HASH, 0], ['lru_hash no_common_lru', LRU_HASH, 2], ['lru_percpu_hash', LRU_PERCPU_HASH, 0], ['lru_percpu_hash no_common_lru', LRU_PERCPU_HASH, 2],
  ];
  for (const [label, type, flags] of flavours) {
    it(`I. elem counts (${label}): bpf_map_sum_elem_count equals the keys get_next_key walks`, () => {
      const k = new Kernel({ cpus: 2 });
      const maxEntries = 1024;
      const fd = k.createMap({ type, keySize: 4, valueSize: 4, maxEntries, flags, name: 'stats' });
      const targetId = k.mapInfo(fd).id;
      const prog = spec('bpf_map', (ctx) => {
        if (ctx.map && ctx.map.id === targetId) {
          ctx.kernel.seqPrintfDirect(ctx.seq, enc('%lld'), [BigInt.asUintN(64, ctx.kernel.helpers.bpf_map_sum_elem_count(ctx.map.region.addr))]);
        }
        return 0;
      });
      const { linkFd } = attachAndOpen(k, prog);
      const count = (): number => { const it = k.createIter(linkFd); const r = Number(Buffer.from(k.readIter(it, 63)).toString()); k.close(it); return r; };
      const walk = (): Uint8Array[] => { const keys: Uint8Array[] = []; let key: Uint8Array | null = null; while ((key = k.mapGetNextKey(fd, key))) keys.push(key); return keys; };
      const value = new Uint8Array(k.mapInfo(fd).typeName.includes('percpu') ? 16 : 4);
      const n = maxEntries - 64;
      for (let cpu = 0; cpu < 2; cpu++) { k.currentCpu = cpu; for (let i = 0; i < n; i++) k.mapUpdate(fd, u32(i), value, 0); }
      assert.strictEqual(count(), walk().length);
      if (type === HASH || type === PERCPU_HASH) assert.strictEqual(walk().length, n);
      walk().forEach((key, i) => (i % 2 ? k.mapDelete(fd, key) : k.mapLookupAndDelete(fd, key)));
      assert.strictEqual(count(), 0);
      assert.strictEqual(walk().length, 0);
    });
  }
});
