import * as assert from 'assert';
import { randomFormat, rng } from './randomFormats';
import { Kernel, SeqFile, type Region } from '../../../server/src/kernel';

const CONVS = ['d', 'i', 'u', 'x', 'X', 'ld', 'lld', 'llu', 'lli', 'llx', 'lX', 'c', 'p', 'px', 'pS', 's', '%', 'q'];
const VALUES = [0n, 1n, -1n, 42n, -42n, 255n, 65535n, 2147483647n, -2147483648n, 4294967295n, 4294967296n, 9007199254740991n,
  9007199254740992n, 9007199254740993n, -9007199254740991n, -9007199254740992n, -9007199254740993n, 0xffffffffffffffffn,
  0x8000000000000000n, 123456789012n, -123456789012n, 0x001fffff00000000n, 0xffe0000000000001n];

/** A kernel with two registered seq_files: one the helper writes with addresses, the other seqPrintfAt() with regions. */
function setup(): { k: Kernel; a: SeqFile; b: SeqFile } {
  const k = new Kernel({ cpus: 2 });
  const a = new SeqFile(k.memory), b = new SeqFile(k.memory);
  const registry = k as unknown as { seqsByAddr: Map<bigint, SeqFile>; seqsByRegion: Map<object, SeqFile> };
  for (const s of [a, b]) { registry.seqsByAddr.set(s.addr, s); registry.seqsByRegion.set(s.region, s); }
  return { k, a, b };
}

describe('kernel: seqPrintfAt() (a compiled program\'s bpf_seq_printf) does what the helper does with the addresses', () => {
  it('random formats, arguments, sizes, bounds and fill levels: the same return value and the same seq_file', () => {
    const { k, a, b } = setup();
    const data = k.memory.alloc(128, 'stack');
    let direct = 0, errors = 0;
    for (let seed = 1; seed <= 4000; seed++) {
      const r = rng(seed);
      const { fmt, specs } = randomFormat(r, CONVS);
      const bytes = Buffer.from(fmt + '\0', 'latin1');
      const fmtRegion = k.memory.alloc(bytes.length, 'fmt');
      fmtRegion.bytes.set(bytes);
      const nargs = Math.max(0, specs - (r() % 4 === 0 ? 1 : 0)) + (r() % 2);
      const dataOffset = r() % 8 === 0 ? 128 - 8 * (r() % 3) : 8 * (r() % 4);
      for (let i = 0; i < 12 && dataOffset + i * 8 + 8 <= 128; i++) data.view.setBigUint64(dataOffset + i * 8, BigInt.asUintN(64, VALUES[r() % VALUES.length]), true);
      const dataLen = r() % 5 !== 0 ? nargs * 8 : [0, 4, 104, nargs * 8 + 8][r() % 4];
      const fmtSize = r() % 5 !== 0 ? bytes.length : [bytes.length + 1, Math.max(0, bytes.length - 2), 0][r() % 3];
      const fill = r() % 4 !== 0 ? r() % 1000 : [32768 - 20, 32768 - 2, 32767, 32768][r() % 4];
      for (const s of [a, b]) { s.count = fill; s.buf.fill(0); }
      const expected = k.helpers.bpf_seq_printf(a.addr, fmtRegion.addr, fmtSize, data.addr + BigInt(dataOffset), dataLen);
      const got = k.seqPrintfAt(b.region, 0, fmtRegion, 0, fmtSize, dataLen === 0 && r() % 2 === 0 ? null : data, dataOffset, dataLen);
      if (got === undefined) {
        // only a data pointer past its region's end is left to the address path (where it faults)
        assert.ok(dataLen !== 0 && dataOffset >= 128 && b.count === fill, `seed ${seed}: pointers into live regions take the direct path`);
        assert.ok(expected === -14 || expected === -22, `seed ${seed}: ${expected}`);
        k.memory.free(fmtRegion);
        continue;
      }
      direct++;
      if (expected < 0) errors++;
      const what = `seed ${seed}: ${JSON.stringify(fmt)} size ${fmtSize} data_len ${dataLen} at ${dataOffset} count ${fill}`;
      assert.strictEqual(got, expected, what);
      assert.strictEqual(b.count, a.count, what);
      assert.ok(Buffer.from(a.buf).equals(Buffer.from(b.buf)), what);
      k.memory.free(fmtRegion);
    }
    assert.ok(errors > 200 && errors < direct - 800, `errors ${errors} of ${direct}`);
  });

  it('declines (undefined, nothing written) what only the address path can answer', () => {
    const { k, b } = setup();
    const fmt = k.memory.alloc(8, 'fmt');
    fmt.bytes.set(Buffer.from('%d\n\0', 'latin1'));
    const data = k.memory.alloc(8, 'stack');
    const copy: Region = { ...fmt };   // the same bytes, but no region of the kernel's memory
    assert.strictEqual(k.seqPrintfAt(b.region, 8, fmt, 0, 4, data, 0, 8), undefined, 'a pointer inside the seq_file, not at it');
    assert.strictEqual(k.seqPrintfAt(data, 0, fmt, 0, 4, data, 0, 8), undefined, 'no seq_file there');
    assert.strictEqual(k.seqPrintfAt(b.region, 0, copy, 0, 4, data, 0, 8), undefined, 'a format outside kernel memory');
    assert.strictEqual(k.seqPrintfAt(b.region, 0, fmt, 8, 4, data, 0, 8), undefined, 'a format offset past its region');
    assert.strictEqual(k.seqPrintfAt(b.region, 0, fmt, 0, 4, null, 0, 8), undefined, 'NULL data with a length');
    assert.strictEqual(b.count, 0);
    assert.strictEqual(k.seqPrintfAt(b.region, 0, fmt, 0, 4, data, 0, 8), 0, 'live data: printed');
    const printed = b.count;
    k.memory.free(data);
    assert.strictEqual(k.seqPrintfAt(b.region, 0, fmt, 0, 4, data, 0, 8), undefined, 'freed data (asked about just before)');
    assert.strictEqual(b.count, printed);
    assert.strictEqual(k.seqPrintfAt(b.region, 0, fmt, 0, 4, null, 0, 0), -22, 'no arguments for %d: EINVAL, as the helper says');
  });
});
