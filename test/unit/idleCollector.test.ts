import * as assert from 'assert';
import * as vm from 'vm';
import { IdleCollector, minorCollector, youngGeneration, type YoungGeneration } from '../../server/src/idleCollector';

/** A young generation the test sets by hand. */
function fakeYoung(): { state: YoungGeneration; measure: () => YoungGeneration } {
  const state = { used: 0, available: 16 << 20 };
  return { state, measure: () => ({ ...state }) };
}

describe('idleCollector: the young generation collected between validations, when the next one would not fit', () => {
  it('collects only when the next validation would fill the young generation past V8\'s 80 % trigger (with a margin)', () => {
    const young = fakeYoung();
    const MiB = 1 << 20;
    const fill = (used: number) => { young.state.used = used; young.state.available = 16 * MiB - used; };
    let collected = 0;
    const collector = new IdleCollector(() => { collected++; fill(0); }, young.measure);
    assert.strictEqual(collector.collectIfNextWouldNotFit(), false, 'nothing learned yet: nothing to collect for');
    // one validation allocates 1 MiB
    const before = collector.validating();
    fill(MiB);
    collector.validated(before);
    assert.strictEqual(collector.collectIfNextWouldNotFit(), false, '1 of 16 MiB used');
    fill(11.5 * MiB);
    assert.strictEqual(collector.collectIfNextWouldNotFit(), false, '11.5 + 1.25 x 1 MiB stays under 80 % of 16 MiB (12.8)');
    fill(11.6 * MiB);
    assert.strictEqual(collector.collectIfNextWouldNotFit(), true, '11.6 + 1.25 MiB passes 12.8 MiB: V8 would collect inside the next validation');
    assert.strictEqual(collected, 1);
    assert.strictEqual(collector.collections, 1);
    assert.strictEqual(collector.collectIfNextWouldNotFit(), false, 'just collected: room again');
  });

  it('a validation during which V8 collected teaches nothing; a big one is forgotten little by little', () => {
    const young = fakeYoung();
    const collector = new IdleCollector(() => undefined, young.measure);
    young.state.used = 10 << 20;
    const before = collector.validating();
    young.state.used = 2 << 20; // collected meanwhile
    collector.validated(before);
    young.state.available = 1;
    assert.strictEqual(collector.collectIfNextWouldNotFit(), false, 'no growth learned from a validation V8 collected in');
    // the open allocates 8 MiB, then edits 1 MiB each: the expectation decays toward the edits'
    young.state.used = 0; young.state.available = 16 << 20;
    const open = collector.validating(); young.state.used = 8 << 20; collector.validated(open);
    young.state.used = 5 << 20; young.state.available = 11 << 20;
    assert.strictEqual(collector.collectIfNextWouldNotFit(), true, 'right after the open, another 8 MiB would not fit');
    for (let i = 0; i < 20; i++) { young.state.used = 0; const b = collector.validating(); young.state.used = 1 << 20; collector.validated(b); }
    young.state.used = 11 << 20; young.state.available = 5 << 20;
    assert.strictEqual(collector.collectIfNextWouldNotFit(), false, 'after twenty 1 MiB edits, 11 + 1.25 MiB stays under 12.8');
  });

  it('without V8\'s gc function nothing is collected and nothing fails', () => {
    const young = fakeYoung();
    const collector = new IdleCollector(undefined, young.measure);
    const before = collector.validating(); young.state.used = 1 << 20; collector.validated(before);
    young.state.available = 0;
    assert.strictEqual(collector.collectIfNextWouldNotFit(), false);
  });

  it('the real collector empties the young generation and leaves no gc function behind in any context', () => {
    const collect = minorCollector();
    assert.ok(collect, 'Node gives the gc function through --expose-gc in a new context');
    const keep: object[] = [];
    for (let i = 0; i < 20000; i++) keep.push({ i });
    const before = youngGeneration();
    assert.ok(before.used > 0);
    collect!();
    const after = youngGeneration();
    assert.ok(after.used < before.used, `young generation ${before.used} -> ${after.used} bytes`);
    assert.strictEqual(keep.length, 20000);
    assert.strictEqual(typeof (globalThis as { gc?: unknown }).gc === 'function' && !process.execArgv.includes('--expose-gc'), false);
    assert.strictEqual(vm.runInNewContext('typeof gc'), 'undefined', 'the flag is set only while the collector is made');
  });
});
