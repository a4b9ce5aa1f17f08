import * as assert from 'assert';
import { ValidationScheduler } from '../../../server/src/service/validationScheduler';

/** A deferred-function queue the test runs by hand: the event loop's next turn, made explicit. */
function manualLoop(): { defer: (fn: () => void) => void; turn: () => void; pending: () => number } {
  let queue: Array<() => void> = [];
  return {
    defer: (fn) => { queue.push(fn); },
    turn: () => { const now = queue; queue = []; for (const fn of now) fn(); },
    pending: () => queue.length,
  };
}

describe('service/validationScheduler: validate soon when idle, coalesce bursts', () => {
  it('an idle document is validated on the deferred call (COALESCE_MS later in the server), not before', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    const scheduler = new ValidationScheduler((uri) => validated.push(uri), loop.defer);
    scheduler.schedule('a');
    assert.deepStrictEqual(validated, []);
    loop.turn();
    assert.deepStrictEqual(validated, ['a']);
  });

  it('changes that arrive before the deferred call are validated once', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    const scheduler = new ValidationScheduler((uri) => validated.push(uri), loop.defer);
    for (let i = 0; i < 5; i++) scheduler.schedule('a');
    scheduler.schedule('b');
    assert.strictEqual(loop.pending(), 2);
    loop.turn();
    assert.deepStrictEqual(validated, ['a', 'b']);
  });

  it('a change during a validation schedules one more run after it', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    let scheduler!: ValidationScheduler;
    scheduler = new ValidationScheduler((uri) => {
      validated.push(uri);
      if (validated.length === 1) { scheduler.schedule(uri); scheduler.schedule(uri); }
    }, loop.defer);
    scheduler.schedule('a');
    loop.turn();
    loop.turn();
    loop.turn();
    assert.deepStrictEqual(validated, ['a', 'a']);
  });

  it('a cancelled document is not validated', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    const scheduler = new ValidationScheduler((uri) => validated.push(uri), loop.defer);
    scheduler.schedule('a');
    scheduler.cancel('a');
    loop.turn();
    assert.deepStrictEqual(validated, []);
    scheduler.schedule('a');
    loop.turn();
    assert.deepStrictEqual(validated, ['a']);
  });
});
