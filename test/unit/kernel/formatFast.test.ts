import * as assert from 'assert';
import { randomFormat, rng } from './randomFormats';
import { ByteSink, Kernel, bprintf, bprintfInto } from '../../../server/src/kernel';

const CONVS = ['d', 'i', 'u', 'x', 'X', 'ld', 'lld', 'llu', 'llx', 'lX', 'c', 'p', 'px', 'pS', 'ps', 'pB', 'pK', 's', 'pI4', '%', 'q', 'hd', 'pxab', 'pS1', 'pI6c', 'pK9'];
const VALUES = [0n, 1n, -1n, 42n, -42n, 255n, 65535n, 2147483647n, -2147483648n, 4294967295n, 4294967296n, 9007199254740991n,
  9007199254740993n, -9007199254740993n, 0xffffffffffffffffn, 0x8000000000000000n, 123456789012n,
  // either side of the digit loops' switch from doubles to int32 (2^31), and long values below 2^53
  2147483648n, 2147483649n, 2147483699n, 7036874417766399n, 9007199254740899n, 999999999999999n];

describe('kernel: compiled bpf_seq_printf formats write what bprintf() returns', () => {
  it('random formats and arguments: the same bytes or the same errno, or the format is left to bprintf()', () => {
    const k = new Kernel({ cpus: 2 });
    let compiled = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      const { fmt, specs } = randomFormat(r, CONVS);
      const nargs = Math.max(0, specs - (r() % 4 === 0 ? 1 : 0)) + (r() % 2);
      const args = Array.from({ length: nargs }, () => BigInt.asUintN(64, VALUES[r() % VALUES.length]));
      const bytes = Buffer.from(fmt + '\0', 'latin1');
      // the format sits in simulated memory so bprintf's %s would read a real address (args are not pointers here)
      const region = k.memory.alloc(bytes.length, 'fmt');
      region.bytes.set(bytes);
      const expected = bprintf(region.bytes, args, k.memory);
      const sink = new ByteSink(new Uint8Array(4096), 4096);
      const got = bprintfInto(region.bytes, args, sink);
      if (got === undefined) continue;
      compiled++;
      if (typeof expected === 'number') assert.strictEqual(got, expected, `seed ${seed}: ${JSON.stringify(fmt)}`);
      else assert.strictEqual(Buffer.from(sink.buf.subarray(0, sink.pos)).toString('latin1'), Buffer.from(expected).toString('latin1'), `seed ${seed}: ${JSON.stringify(fmt)} ${args}`);
    }
    assert.ok(compiled > 1000, `only ${compiled} formats took the compiled path`);
  });

  it('a sink that is too small reports full instead of writing past its end', () => {
    const k = new Kernel({ cpus: 2 });
    const region = k.memory.alloc(16, 'fmt');
    region.bytes.set(Buffer.from('%llu-%x\n\0', 'latin1'));
    const sink = new ByteSink(new Uint8Array(8), 5);
    assert.strictEqual(bprintfInto(region.bytes, [1234567n, 255n], sink), 5);
    assert.strictEqual(sink.full, true);
    assert.deepStrictEqual([...sink.buf.subarray(5)], [0, 0, 0]);
  });
});
