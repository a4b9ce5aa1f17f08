import * as assert from 'assert';
import { Rehearsal } from '../../../server/src/service/rehearsal';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost } from '../../../server/src/service/host';
import { manualLoop } from './manualLoop';

describe('service/rehearsal: the edit path rehearsed while the server is idle after a publish', () => {
  it('runs its rounds one per quiet moment after a publish, then stops', () => {
    const quiet = manualLoop();
    let runs = 0;
    const rehearsal = new Rehearsal(3, () => true, () => { runs++; return true; }, { later: quiet.defer });
    assert.strictEqual(quiet.pending(), 0, 'nothing before the first publish');
    rehearsal.afterPublish();
    rehearsal.afterPublish();
    assert.strictEqual(quiet.pending(), 1, 'one round waits at a time');
    for (let i = 0; i < 5; i++) quiet.turn();
    assert.strictEqual(runs, 3);
    assert.strictEqual(rehearsal.remaining, 0);
    rehearsal.afterPublish();
    assert.strictEqual(quiet.pending(), 0, 'all rounds done: later publishes rehearse nothing');
  });

  it('a busy server (a validation queued or under way) skips the round until the next publish', () => {
    const quiet = manualLoop();
    let idle = false;
    let runs = 0;
    const rehearsal = new Rehearsal(2, () => idle, () => { runs++; return true; }, { later: quiet.defer });
    rehearsal.afterPublish();
    quiet.turn();
    assert.strictEqual(runs, 0);
    assert.strictEqual(quiet.pending(), 0, 'no polling: the next publish resumes it');
    idle = true;
    rehearsal.afterPublish();
    quiet.turn();
    assert.strictEqual(runs, 1);
  });

  it('a round needs the activity count unmoved since it was armed: a message in the quiet moment skips it', () => {
    const quiet = manualLoop();
    let activity = 0;
    let runs = 0;
    const rehearsal = new Rehearsal(2, () => true, () => { runs++; return true; }, { later: quiet.defer, activity: () => activity });
    rehearsal.afterPublish();
    activity++; // a change came, and was validated and published before the quiet moment ended
    quiet.turn();
    assert.strictEqual(runs, 0, 'idle at that instant, but not quiet since the round was armed');
    rehearsal.afterPublish();
    quiet.turn();
    assert.strictEqual(runs, 1);
  });

  it('a round longer than the limit ends the rehearsal: a keystroke arriving during one would wait for it', () => {
    const quiet = manualLoop();
    let clock = 0;
    let runs = 0;
    let roundMs = 12;
    const rehearsal = new Rehearsal(5, () => true, () => { runs++; clock += roundMs; return true; }, { later: quiet.defer, now: () => clock, roundLimitMs: 50 });
    rehearsal.afterPublish();
    quiet.turn();
    quiet.turn();
    assert.strictEqual(runs, 2);
    assert.strictEqual(rehearsal.remaining, 3, '12 ms rounds go on');
    roundMs = 80; // the document grew to megabytes
    quiet.turn();
    assert.strictEqual(runs, 3);
    assert.strictEqual(rehearsal.remaining, 0, 'an 80 ms round ends it');
    quiet.turn();
    assert.strictEqual(runs, 3);
  });

  it('nothing to rehearse (the document closed) keeps the rounds for a later publish; stop() ends them', () => {
    const quiet = manualLoop();
    let open = false;
    let runs = 0;
    const rehearsal = new Rehearsal(2, () => true, () => { if (!open) return false; runs++; return true; }, { later: quiet.defer });
    rehearsal.afterPublish();
    quiet.turn();
    assert.strictEqual(rehearsal.remaining, 2);
    open = true;
    rehearsal.afterPublish();
    quiet.turn();
    assert.strictEqual(runs, 1);
    rehearsal.stop();
    quiet.turn();
    assert.strictEqual(runs, 1);
    assert.strictEqual(rehearsal.remaining, 0);
    // a round that stops the rehearsal itself (the server does when one throws) leaves none, not minus one
    const failing: Rehearsal = new Rehearsal(3, () => true, () => { failing.stop(); return true; }, { later: quiet.defer });
    failing.afterPublish();
    quiet.turn();
    assert.strictEqual(failing.remaining, 0);
    failing.afterPublish();
    assert.strictEqual(quiet.pending(), 0, 'no round armed after it');
  });

  it('a rehearsal leaves the service as it was: the next validation of the same text is the kept analysis', async () => {
    const file = '/p/dump.bpf.c';
    const text = [
      '#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', '',
      'SEC("iter/bpf_map")', 'int dump(struct bpf_iter__bpf_map *ctx)', '{',
      '\tstruct bpf_map *map = ctx->map;', '\tif (!map)', '\t\treturn 0;',
      '\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", map->id);', '\treturn 0;', '}', '', 'char LICENSE[] SEC("license") = "GPL";', '',
    ].join('\n');
    const service = createLanguageService(createMemoryHost({ [file]: text }), defaultSettings());
    const before = await service.validateUnlessObsolete(file, text, () => false);
    const kept = service.analyze(file, text).analysis;
    service.rehearse(file, text);
    service.rehearse(file, `${text}int unused;\n`);
    assert.strictEqual(service.analyze(file, text).analysis, kept, 'the same analysis object: nothing was recomputed or replaced');
    assert.deepStrictEqual(await service.validateUnlessObsolete(file, text, () => false), before);
  });
});
