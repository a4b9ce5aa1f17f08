/** The run's output as the protocol carries it: text when it is UTF-8, else null plus base64 and hex. */
import * as assert from 'assert';
import { outputText, runResultForWire, RunOutcome } from '../../../server/src/exec/runner';
import { quotedBytes, cString } from '../../../server/src/debug/inspect';

function outcome(bytes: Uint8Array): RunOutcome {
  return {
    output: outputText(bytes), outputBytes: bytes, link: null, bpftool: '', bpftoolJson: '[]', fdinfo: '', maps: [], trace: [],
    stats: { objects: 0, bytes: bytes.length, reads: 1, instructions: 0, timeMs: 0 }, error: null,
  };
}

describe('exec: run output encoding (text, or the exact bytes)', () => {
  it('valid UTF-8 stays text, a leading BOM included (TextDecoder would strip it by default)', () => {
    assert.strictEqual(outputText(Buffer.from('\ufeffé ok\n', 'utf8')), '\ufeffé ok\n');
    // a U+FFFD the program wrote itself (ef bf bd) is valid UTF-8 and stays
    assert.strictEqual(outputText(Buffer.from([0xef, 0xbf, 0xbd])), '\ufffd');
    assert.strictEqual(outputText(new Uint8Array()), '');
  });

  it('any byte sequence that is not UTF-8 gives null, never a replacement character', () => {
    for (const bad of [[0xff], [0x80], [0xc3], [0xed, 0xa0, 0x80] /* a surrogate */, [0xc0, 0x80] /* overlong NUL */, [0x61, 0x00, 0xfe]]) {
      assert.strictEqual(outputText(Uint8Array.from(bad)), null, bad.join(','));
    }
  });

  it('the wire form adds output_base64 and output_hex only for binary output, right after output', () => {
    const text = runResultForWire(outcome(Buffer.from('a\n')));
    assert.strictEqual(text.output, 'a\n');
    assert.ok(!('output_base64' in text) && !('output_hex' in text) && !('outputBytes' in text));
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    const wire = runResultForWire(outcome(all));
    assert.deepStrictEqual(Object.keys(wire).slice(0, 3), ['output', 'output_base64', 'output_hex']);
    assert.strictEqual(wire.output, null);
    assert.deepStrictEqual([...Buffer.from(wire.output_base64!, 'base64')], [...all]);
    assert.strictEqual(wire.output_hex, Buffer.from(all).toString('hex'));
    assert.ok(!('outputBytes' in wire));
  });

  it('the wire form of a subarray encodes only its bytes', () => {
    const backing = Uint8Array.from([1, 2, 0xff, 0x80, 3]);
    const wire = runResultForWire(outcome(backing.subarray(2, 4)));
    assert.strictEqual(wire.output_hex, 'ff80');
  });
});

describe('debug: bytes shown without loss (seq buffer, char arrays)', () => {
  it('UTF-8 text is quoted as JSON; other bytes become \\xNN escapes, never U+FFFD', () => {
    assert.strictEqual(quotedBytes(Buffer.from('id 3\n')), '"id 3\\n"');
    assert.strictEqual(quotedBytes(Uint8Array.from([0x01, 0x00, 0x00, 0x00, 0xff, 0x80, 0x00, 0x22, 0x5c, 0x41, 0x0a])), '"\\x01\\x00\\x00\\x00\\xff\\x80\\x00\\"\\\\A\\n"');
    assert.strictEqual(cString(Uint8Array.from([0x61, 0xff, 0x00, 0x62])), '"a\\xff"');
  });
});
