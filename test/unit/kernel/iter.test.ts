import * as assert from 'assert';
import * as fc from 'fast-check';
import { BPF_F, BPF_MAP_TYPE, ERRNO, Kernel } from '../../../server/src/kernel';
import { attachAndOpen, enc, expectKernelError, readAll, spec, u32, u64 } from './progs';

const T = BPF_MAP_TYPE;

/** A hash map of n elements and a program printing "seq_num:key=value" per element plus an END line. */
function printingSetup(n: number, lineWidth = 0) {
  const k = new Kernel({ cpus: 2 });
  const fd = k.createMap({ type: T.HASH, keySize: 4, valueSize: 8, maxEntries: Math.max(n, 1), flags: BPF_F.ZERO_SEED, name: 'h' });
  for (let i = 0; i < n; i++) k.mapUpdate(fd, u32(i), u64(i * 3));
  const calls: { seqNum: bigint; key: number | null }[] = [];
  const prog = spec('bpf_map_elem', (ctx) => {
    if (!ctx.key || !ctx.value) {
      calls.push({ seqNum: ctx.seqNum, key: null });
      ctx.kernel.seqPrintfDirect(ctx.seq, enc('END %llu\n'), [ctx.seqNum]);
      return 0;
    }
    const key = ctx.key.region.view.getUint32(ctx.key.offset, true);
    calls.push({ seqNum: ctx.seqNum, key });
    ctx.kernel.seqPrintfDirect(ctx.seq, enc(`%llu:%u=%llu%${lineWidth || 1}s\n`),
      [ctx.seqNum, BigInt(key), ctx.value.region.view.getBigUint64(ctx.value.offset, true), 0n]);
    return 0;
  }, { maxRdonlyAccess: 4, maxRdwrAccess: 8 });
  return { k, fd, calls, ...attachAndOpen(k, prog, fd) };
}

describe('kernel: iterator framework (bpf_iter.c bpf_seq_read)', () => {
  it('seq_num counts shown objects from 0; the in_stop call repeats the last seq_num; one NULL call per session', () => {
    const { k, iterFd, calls } = printingSetup(2);
    readAll(k, iterFd, 4096);
    readAll(k, iterFd, 4096);
    assert.deepStrictEqual(calls.map((c) => [c.seqNum, c.key === null]), [[0n, false], [1n, false], [1n, true]]);
  });

  it('an empty iteration makes exactly one NULL call with seq_num 0', () => {
    const { k, iterFd, calls } = printingSetup(0);
    assert.strictEqual(Buffer.from(readAll(k, iterFd, 100).bytes).toString(), 'END 0\n');
    assert.deepStrictEqual(calls, [{ seqNum: 0n, key: null }]);
  });

  it('session_id: a global counter incremented per opened iterator file, first is 1', () => {
    const k = new Kernel();
    const ids: bigint[] = [];
    const { linkFd } = attachAndOpen(k, spec('bpf_map', (ctx) => { if (!ctx.map) ids.push(ctx.sessionId); return 0; }));
    const second = k.createIter(linkFd);
    readAll(k, second, 64);
    readAll(k, k.createIter(linkFd), 64);
    assert.deepStrictEqual(ids, [2n, 3n]);
  });

  it('property: total output is identical for any sequence of read sizes (resume at the object not shown)', () => {
    const reference = (() => { const s = printingSetup(40, 30); return Buffer.from(readAll(s.k, s.iterFd, 1 << 20).bytes).toString(); })();
    assert.ok(reference.split('\n').length > 40);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
      const s = printingSetup(40, 30);
      const chunks: Uint8Array[] = [];
      for (let i = 0; ; i++) {
        const c = s.k.readIter(s.iterFd, sizes[i % sizes.length]);
        if (c.length === 0) break;
        assert.ok(c.length <= sizes[i % sizes.length], 'read never returns more than asked');
        chunks.push(c);
      }
      assert.strictEqual(Buffer.concat(chunks).toString(), reference);
    }), { numRuns: 60 });
  });

  it('show() stops collecting once count >= the read size; the next object is shown by the next read', () => {
    const { k, iterFd, calls } = printingSetup(3);
    const first = k.readIter(iterFd, 1);
    assert.strictEqual(first.length, 1);
    assert.strictEqual(calls.length, 1, 'only one object was run for a 1-byte read');
  });

  it('MAX_ITER_OBJECTS: a read stops after 1,000,000 objects; with nothing gathered it fails with EAGAIN', function () {
    this.timeout(60000);
    const k = new Kernel({ cpus: 1 });
    const fd = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1000002 });
    let runs = 0;
    let printFirst = true;
    const prog = spec('bpf_map_elem', (ctx) => {
      if (ctx.key) runs++;
      if (printFirst && ctx.key && ctx.key.region.view.getUint32(ctx.key.offset, true) === 0) ctx.kernel.seqWriteDirect(ctx.seq, enc('x').subarray(0, 1));
      return 0;
    });
    const { iterFd, linkFd } = attachAndOpen(k, prog, fd);
    assert.strictEqual(k.readIter(iterFd, 1 << 20).length, 1);
    assert.strictEqual(runs, 1000000, 'the object limit ends the first read');
    assert.strictEqual(k.readIter(iterFd, 1 << 20).length, 0);
    assert.strictEqual(runs, 1000002, 'the next read resumes at index 1,000,000');
    printFirst = false;
    assert.strictEqual(k.readIterRaw(k.createIter(linkFd), 1 << 20), -ERRNO.EAGAIN);
  });

  it('in_stop output larger than the read size is served from the kernel buffer; the NULL call runs once (done_stop)', () => {
    const k = new Kernel();
    let stops = 0;
    const { iterFd } = attachAndOpen(k, spec('bpf_map', (ctx) => {
      if (!ctx.map) { stops++; ctx.kernel.seqWriteDirect(ctx.seq, new Uint8Array(100)); }
      return 0;
    }));
    assert.strictEqual(readAll(k, iterFd, 10).bytes.length, 100);
    assert.strictEqual(stops, 1);
  });

  it('a program returning 1 on its first object of a read fails the read with EAGAIN', () => {
    const k = new Kernel();
    k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const { iterFd } = attachAndOpen(k, spec('bpf_map', (ctx) => (ctx.map ? 1 : 0)));
    assert.strictEqual(k.readIterRaw(iterFd, 64), -ERRNO.EAGAIN);
    expectKernelError(() => k.readIter(iterFd, 64), 'EAGAIN');
  });

  it('bpf_map target skips maps whose refcnt is 0, lists a map whose fds are closed while a link holds it', () => {
    const k = new Kernel();
    const a = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'a' });
    const b = k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 1, name: 'b' });
    const elemProg = k.loadProgram(spec('bpf_map_elem', () => 0));
    const elemLink = k.createIterLink(elemProg, { mapFd: b });
    k.close(a);
    k.close(b);
    const seen: string[] = [];
    const { iterFd } = attachAndOpen(k, spec('bpf_map', (ctx) => { if (ctx.map) seen.push(`${ctx.map.name}:${ctx.map.refcnt}/${ctx.map.usercnt}`); return 0; }));
    readAll(k, iterFd, 64);
    assert.deepStrictEqual(seen, ['b:2/1'], 'the link keeps map b (refcnt 1 + the visit), map a is gone');
    k.close(elemLink);
    assert.deepStrictEqual(k.listMaps(), []);
  });

  it('maps created during a bpf_map walk appear when their id is above the cursor', () => {
    const k = new Kernel();
    k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'first' });
    const seen: string[] = [];
    const { iterFd } = attachAndOpen(k, spec('bpf_map', (ctx) => {
      if (ctx.map) { seen.push(ctx.map.name); if (ctx.map.name === 'first') ctx.kernel.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'late' }); }
      return 0;
    }));
    readAll(k, iterFd, 4096);
    assert.deepStrictEqual(seen, ['first', 'late']);
  });

  it('10k maps: the bpf_map iterator walks them all in id order quickly', () => {
    const k = new Kernel();
    for (let i = 0; i < 10000; i++) k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    let last = 0, n = 0;
    const { iterFd } = attachAndOpen(k, spec('bpf_map', (ctx) => {
      if (ctx.map) { assert.ok(ctx.map.id > last); last = ctx.map.id; n++; ctx.kernel.seqPrintfDirect(ctx.seq, enc('%u\n'), [BigInt(ctx.map.id)]); }
      return 0;
    }));
    const t0 = Date.now();
    readAll(k, iterFd, 4096);
    assert.strictEqual(n, 10000);
    assert.ok(Date.now() - t0 < 20000);
  });

  it('hash elem iterator resumes at (bucket_id, skip_elems) and survives deletes between reads', () => {
    const { k, fd, iterFd, calls } = printingSetup(20);
    k.readIter(iterFd, 1);
    k.mapDelete(fd, u32(calls[0].key!));
    readAll(k, iterFd, 8);
    const keys = calls.filter((c) => c.key !== null).map((c) => c.key!);
    assert.ok(keys.length >= 19 && keys.length <= 21, `visited ${keys.length}`);
  });

  it('ctx is real memory: struct bpf_iter__bpf_map_elem pointers at 0/8/16/24, meta seq/session_id/seq_num at 0/8/16', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
    k.mapUpdate(fd, u32(1), u64(11));
    const seen: bigint[][] = [];
    const { iterFd } = attachAndOpen(k, spec('bpf_map_elem', (ctx) => {
      const v = ctx.ctxRegion.view;
      const meta = k.memory.find(v.getBigUint64(0, true))!;
      const ptr = (r: { region: { addr: bigint }; offset: number } | null) => (r ? r.region.addr + BigInt(r.offset) : 0n);
      seen.push([v.getBigUint64(8, true) - ctx.map!.region.addr, v.getBigUint64(16, true) - ptr(ctx.key), v.getBigUint64(24, true) - ptr(ctx.value),
        meta.region.view.getBigUint64(0, true) - ctx.seqAddr, meta.region.view.getBigUint64(8, true), meta.region.view.getBigUint64(16, true)]);
      if (ctx.value) assert.strictEqual(k.memory.find(v.getBigUint64(24, true))!.region.view.getBigUint64(ctx.value.offset, true), 11n);
      return 0;
    }), fd);
    readAll(k, iterFd, 64);
    assert.deepStrictEqual(seen, [[0n, 0n, 0n, 0n, 1n, 0n], [0n, 0n, 0n, 0n, 1n, 0n]]);
  });

  it('bpf_map_elem per-CPU value buffer: program writes do not reach the map', () => {
    const k = new Kernel({ cpus: 2 });
    const fd = k.createMap({ type: T.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const { iterFd } = attachAndOpen(k, spec('bpf_map_elem', (ctx) => { if (ctx.value) ctx.value.region.view.setBigUint64(ctx.value.offset, 5n, true); return 0; }, { maxRdwrAccess: 16 }), fd);
    readAll(k, iterFd, 64);
    assert.ok(Array.from(k.mapLookup(fd, u32(0))).every((b) => b === 0));
  });
});

describe('kernel: link create, attach and introspection', () => {
  it('link_create checks in order: target_fd/flags EINVAL, iter_info pairing EINVAL, tail bytes E2BIG, sleepable EINVAL', () => {
    const k = new Kernel();
    const p = k.loadProgram(spec('bpf_map', () => 0));
    expectKernelError(() => k.createIterLink(p, { targetFd: 3 }), 'EINVAL');
    expectKernelError(() => k.createIterLink(p, { flags: 1 }), 'EINVAL');
    expectKernelError(() => k.createIterLink(p, { iterInfo: new Uint8Array(16), iterInfoLen: 0 }), 'EINVAL');
    expectKernelError(() => k.createIterLink(p, { iterInfo: null, iterInfoLen: 16 }), 'EINVAL');
    const long = new Uint8Array(24); long[20] = 1;
    expectKernelError(() => k.createIterLink(p, { iterInfo: long }), 'E2BIG');
    k.createIterLink(p, { iterInfo: new Uint8Array(24) });
    k.createIterLink(p, { mapFd: 999 }); // bpf_map has no attach_target: map_fd is ignored
    expectKernelError(() => k.loadProgram(spec('no_such_target', () => 0)), 'EINVAL');
    const s = k.loadProgram(spec('bpf_map', () => 0, { sleepable: true }));
    expectKernelError(() => k.createIterLink(s), 'EINVAL');
  });

  it('bpf_iter_attach_map: map_fd 0 EBADF, bad fd EBADF, non-map EINVAL, other map types EINVAL, per-CPU value limit', () => {
    const k = new Kernel({ cpus: 2 });
    const p = k.loadProgram(spec('bpf_map_elem', () => 0, { maxRdwrAccess: 16 }));
    expectKernelError(() => k.createIterLink(p), 'EBADF');
    expectKernelError(() => k.createIterLink(p, { mapFd: 0 }), 'EBADF');
    expectKernelError(() => k.createIterLink(p, { mapFd: 77 }), 'EBADF');
    expectKernelError(() => k.createIterLink(p, { mapFd: p }), 'EINVAL');
    const rb = k.createMap({ type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    expectKernelError(() => k.createIterLink(p, { mapFd: rb }), 'EINVAL');
    const pc = k.createMap({ type: T.PERCPU_HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    k.createIterLink(p, { mapFd: pc }); // 16 <= round_up(4,8)*2
    const plain = k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    expectKernelError(() => k.createIterLink(p, { mapFd: plain }), 'EACCES');
    expectKernelError(() => k.createIter(p), 'EINVAL');
    const link = k.createIterLink(p, { mapFd: pc });
    expectKernelError(() => k.createIter(link, 1), 'EINVAL');
  });

  it('link and iterator references: the link holds the map uref, the iterator adds one (init_seq_private)', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    const id = k.mapInfo(fd).id;
    const { linkFd, iterFd } = attachAndOpen(k, spec('bpf_map_elem', () => 0), fd);
    assert.deepStrictEqual([k.mapById(id)!.refcnt, k.mapById(id)!.usercnt], [3, 3]);
    k.close(fd); k.close(linkFd);
    assert.deepStrictEqual([k.mapById(id)!.refcnt, k.mapById(id)!.usercnt], [1, 1]);
    k.close(iterFd);
    assert.strictEqual(k.mapById(id), undefined);
  });

  it('bpf_link_info: target_name_len is strlen+1, a short buffer gets ENOSPC and no map_id, map_id for bpf_map_elem', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const { linkFd } = attachAndOpen(k, spec('bpf_map_elem', () => 0), fd);
    assert.deepStrictEqual(k.linkInfo(linkFd), { type: 4, id: 1, progId: 1, targetNameLen: 13, targetName: 'bpf_map_elem', mapId: 1 });
    assert.deepStrictEqual(k.linkInfo(linkFd, 5), { type: 4, id: 1, progId: 1, targetNameLen: 13, targetName: 'bpf_', errno: -ERRNO.ENOSPC });
    const other = attachAndOpen(k, spec('bpf_map', () => 0, { fingerprint: 'x' }));
    assert.strictEqual(k.linkInfo(other.linkFd).targetNameLen, 8);
    assert.strictEqual(k.linkInfo(other.linkFd).mapId, undefined);
  });

  it('fdinfo and bpftool link show text match the kernel/bpftool formats', () => {
    const k = new Kernel();
    const fd = k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const elem = attachAndOpen(k, spec('bpf_map_elem', () => 0, { fingerprint: 'abc' }), fd);
    const all = attachAndOpen(k, spec('bpf_map', () => 0, { fingerprint: 'def' }));
    const tag = /prog_tag:\t([0-9a-f]{16})\n/.exec(k.linkFdinfo(elem.linkFd))![1];
    assert.ok(k.linkFdinfo(elem.linkFd).endsWith(`link_type:\titer\nlink_id:\t1\nprog_tag:\t${tag}\nprog_id:\t1\ntarget_name:\tbpf_map_elem\nmap_id:\t1\n`));
    assert.ok(k.linkFdinfo(all.linkFd).endsWith('prog_id:\t2\ntarget_name:\tbpf_map\n'));
    assert.strictEqual(k.bpftoolLinkShow(), '1: iter  prog 1  target_name bpf_map_elem  map_id 1  \n2: iter  prog 2  target_name bpf_map  \n');
    assert.deepStrictEqual(JSON.parse(k.bpftoolLinkShowJson()), [
      { id: 1, type: 'iter', prog_id: 1, target_name: 'bpf_map_elem', map_id: 1 }, { id: 2, type: 'iter', prog_id: 2, target_name: 'bpf_map' }]);
    assert.notStrictEqual(tag, /prog_tag:\t(\w+)/.exec(k.linkFdinfo(all.linkFd))![1], 'tag derives from the fingerprint');
  });

  it('BPF_LINK_UPDATE swaps the program; open iterator files keep the one they were opened with', () => {
    const k = new Kernel();
    const out: string[] = [];
    const { linkFd, iterFd, progFd } = attachAndOpen(k, spec('bpf_map', (ctx) => { if (!ctx.map) out.push('old'); return 0; }));
    const p2 = k.loadProgram(spec('bpf_map', (ctx) => { if (!ctx.map) out.push('new'); return 0; }, { fingerprint: 'n' }));
    expectKernelError(() => k.updateLinkProgram(linkFd, p2, p2), 'EPERM');
    k.updateLinkProgram(linkFd, p2, progFd);
    readAll(k, iterFd, 64);
    readAll(k, k.createIter(linkFd), 64);
    assert.deepStrictEqual(out, ['old', 'new']);
  });
});

describe('kernel: binary output through the seq_file (bpf_seq_write of any byte)', () => {
  /** A bpf_map program that bpf_seq_write()s every byte value 0x00..0xff per map, then a struct with high bytes. */
  function binarySetup(maps: number) {
    const k = new Kernel();
    for (let i = 0; i < maps; i++) k.createMap({ type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0, name: `m${i}` });
    const allBytes = k.memory.alloc(256, 'test: every byte value');
    allBytes.bytes.set(Uint8Array.from({ length: 256 }, (_, b) => b));
    // struct { u32 key; u64 value; } as clang lays it out: 4 bytes of padding before value
    const record = k.memory.alloc(16, 'test: record');
    record.view.setUint32(0, 0xdeadbeef, true);
    record.view.setBigUint64(8, 0xff80007f01c0feedn, true);
    const prog = spec('bpf_map', (ctx) => {
      const h = ctx.kernel.helpers;
      if (ctx.map) return h.bpf_seq_write(ctx.seqAddr, allBytes.addr, 256);
      return h.bpf_seq_write(ctx.seqAddr, record.addr, 16);
    });
    return { k, ...attachAndOpen(k, prog) };
  }
  const expected = (maps: number): Buffer => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(0xdeadbeef, 0);
    rec.writeBigUInt64LE(0xff80007f01c0feedn, 8);
    return Buffer.concat([...Array.from({ length: maps }, () => Buffer.from(Uint8Array.from({ length: 256 }, (_, b) => b))), rec]);
  };

  it('every byte 0x00-0xff and a struct with high bytes come out of read() exactly', () => {
    const { k, iterFd } = binarySetup(3);
    const out = readAll(k, iterFd, 4096).bytes;
    assert.strictEqual(out.length, 3 * 256 + 16);
    assert.ok(out.equals(expected(3)), 'the seq_file changed bytes');
  });

  it('the same bytes for any read size (a read may split a record and resume from the seq buffer)', () => {
    for (const size of [1, 7, 255, 256, 257, 1000]) {
      const { k, iterFd } = binarySetup(4);
      assert.ok(readAll(k, iterFd, size).bytes.equals(expected(4)), `read size ${size}`);
    }
  });
});
