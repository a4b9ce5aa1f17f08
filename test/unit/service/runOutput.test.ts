import * as assert from 'assert';
import fc from 'fast-check';
import { outputPager } from '../../../server/src/service/runOutput';

describe('service: a streamed run\'s output pages (outputPager)', () => {
  it('sends the first keepBytes bytes in order, whatever the read sizes, and counts the rest', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }), fc.nat(5000), fc.integer({ min: 1, max: 700 }),
      (reads, keepBytes, pageBytes) => {
        const pages: Array<{ offset: number; page: Uint8Array }> = [];
        const pager = outputPager(keepBytes, (offset, page) => pages.push({ offset, page }), { pageBytes, intervalMs: 1e9, now: () => 0 });
        const buffer = new Uint8Array(300);
        for (const read of reads) {
          // the reader reuses its buffer, as the read loop does: the pager must have copied what it keeps
          buffer.set(read);
          pager.write(buffer.subarray(0, read.length));
          buffer.fill(0xee);
        }
        pager.flush();
        const all = Buffer.concat(reads);
        let offset = 0;
        for (const p of pages) { assert.strictEqual(p.offset, offset); assert.ok(p.page.length > 0); offset += p.page.length; }
        assert.ok(Buffer.concat(pages.map((p) => p.page)).equals(all.subarray(0, keepBytes)));
        assert.deepStrictEqual(pager.totals, { bytes: all.length, sentBytes: Math.min(keepBytes, all.length) });
        // every page but the last is at least a page long: few, large messages
        for (const p of pages.slice(0, -1)) assert.ok(p.page.length >= pageBytes);
      }));
  });

  it('a slow output is sent as it comes once the interval has passed, so a long run shows its output live', () => {
    let clock = 0;
    const pages: number[] = [];
    const pager = outputPager(1 << 20, (_offset, page) => pages.push(page.length), { pageBytes: 1 << 16, intervalMs: 100, now: () => clock });
    pager.write(new Uint8Array(10));
    assert.deepStrictEqual(pages, [], 'within the interval a small read waits for more');
    clock = 150;
    pager.write(new Uint8Array(5));
    assert.deepStrictEqual(pages, [15]);
  });
});
