import * as assert from 'assert';
import { DebouncePolicy } from '../../../server/src/service/debounce';

describe('service/debounce: how long the server waits after a change (clangd DebouncePolicy)', () => {
  it('waits 50 ms before anything was measured and for quick documents', () => {
    const policy = new DebouncePolicy();
    assert.strictEqual(policy.delayMs(), 50);
    for (const ms of [4, 12, 3, 30]) policy.record(ms);
    assert.strictEqual(policy.delayMs(), 50);
  });

  it('waits as long as the median of the last 15 validations, at most 500 ms', () => {
    const policy = new DebouncePolicy();
    for (const ms of [120, 80, 2000, 100, 90]) policy.record(ms);
    assert.strictEqual(policy.delayMs(), 100, 'one slow outlier does not move the median');
    for (let i = 0; i < 15; i++) policy.record(1500);
    assert.strictEqual(policy.delayMs(), 500);
    for (let i = 0; i < 8; i++) policy.record(60);
    assert.strictEqual(policy.delayMs(), 60, 'only the last 15 count: 8 of them are 60 ms');
  });
});
