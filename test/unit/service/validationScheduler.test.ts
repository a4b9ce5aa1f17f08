import * as assert from 'assert';
import { ValidationScheduler } from '../../../server/src/service/validationScheduler';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';
import { manualLoop } from './manualLoop';

describe('service/validationScheduler: validate as soon as the messages around a change were handled, coalesce bursts', () => {
  it('an idle document is validated after one whole quiet turn (its second look), not on its first look', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    const scheduler = new ValidationScheduler((uri) => validated.push(uri), loop.defer);
    scheduler.schedule('a');
    assert.deepStrictEqual(validated, []);
    loop.turn();
    assert.deepStrictEqual(validated, [], 'the first look comes before the message right behind the change');
    loop.turn();
    assert.deepStrictEqual(validated, ['a']);
    assert.strictEqual(loop.pending(), 0);
  });

  it('changes that arrive before the first look are validated once', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    const scheduler = new ValidationScheduler((uri) => validated.push(uri), loop.defer);
    for (let i = 0; i < 5; i++) scheduler.schedule('a');
    scheduler.schedule('b');
    assert.strictEqual(loop.pending(), 2);
    loop.turn();
    loop.turn();
    assert.deepStrictEqual(validated, ['a', 'b']);
  });

  it('is idle once nothing waits for a validation (the idle collector runs only then)', () => {
    const loop = manualLoop();
    const scheduler = new ValidationScheduler(() => undefined, loop.defer);
    assert.strictEqual(scheduler.idle, true);
    scheduler.schedule('a');
    assert.strictEqual(scheduler.idle, false);
    loop.turn();
    assert.strictEqual(scheduler.idle, false, 'still waiting for its quiet turn');
    loop.turn();
    assert.strictEqual(scheduler.idle, true);
    scheduler.schedule('b');
    scheduler.cancel('b');
    assert.strictEqual(scheduler.idle, true, 'a cancelled document waits for nothing');
  });

  it('a burst handled one message per turn (as vscode-jsonrpc does) is validated once, after it', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    const scheduler = new ValidationScheduler((uri) => validated.push(uri), loop.defer);
    scheduler.schedule('a');
    for (let i = 0; i < 10; i++) { loop.turn(); scheduler.schedule('a'); }
    assert.deepStrictEqual(validated, []);
    loop.turn();
    assert.deepStrictEqual(validated, [], 'the last change was seen on this look: one more quiet turn is needed');
    loop.turn();
    assert.deepStrictEqual(validated, ['a']);
  });

  it('an open, change, close burst is never validated; a reopen is validated once', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    const scheduler = new ValidationScheduler((uri) => validated.push(uri), loop.defer);
    for (let i = 0; i < 100; i++) {
      scheduler.schedule('a');
      loop.turn();
      scheduler.schedule('a');
      loop.turn();
      scheduler.cancel('a');
    }
    scheduler.schedule('a');
    for (let i = 0; i < 5; i++) loop.turn();
    assert.deepStrictEqual(validated, ['a']);
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
    for (let i = 0; i < 6; i++) loop.turn();
    assert.deepStrictEqual(validated, ['a', 'a']);
  });

  it('a cancelled document is not validated', () => {
    const loop = manualLoop();
    const validated: string[] = [];
    const scheduler = new ValidationScheduler((uri) => validated.push(uri), loop.defer);
    scheduler.schedule('a');
    scheduler.cancel('a');
    loop.turn();
    loop.turn();
    assert.deepStrictEqual(validated, []);
    scheduler.schedule('a');
    loop.turn();
    loop.turn();
    assert.deepStrictEqual(validated, ['a']);
  });
});

describe('service: a validation dropped once a newer version has arrived', () => {
  // Two iterator programs: the steps are the front end, then one check each.
  const text = [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    'SEC("iter/bpf_map") int first(struct bpf_iter__bpf_map *ctx) { return ctx->map->id; }',
    'SEC("iter/bpf_map") int second(struct bpf_iter__bpf_map *ctx) { struct bpf_map *map = ctx->map; return map->id; }',
    '',
  ].join('\n');
  const file = '/virtual/obsolete.bpf.c';
  const serviceWith = () => createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());

  it('gives the same diagnostics as validate when nothing newer came', async () => {
    const service = serviceWith();
    const expected = serviceWith().validate(file, text);
    assert.ok(expected.some((d) => d.code === 'BPF2001'), JSON.stringify(expected));
    let asked = 0;
    const got = await service.validateUnlessObsolete(file, text, () => { asked++; return false; });
    assert.deepStrictEqual(got, expected);
    // before the front end, between its phases (the preamble, preprocessing, parse, binding, lowering) and before
    // each program's check
    assert.ok(asked >= 6, `asked ${asked} times`);
  });

  it('stops between its steps once obsolete: no diagnostics, the rest not done, and the next validation is whole', async () => {
    const service = serviceWith();
    let asked = 0;
    const got = await service.validateUnlessObsolete(file, text, () => ++asked >= 2);
    assert.strictEqual(got, undefined);
    assert.strictEqual(asked, 2, 'it stopped at the first check it made after its first step (inside the front end: compile.ts compileFileSteps)');
    assert.deepStrictEqual(service.validate(file, text), serviceWith().validate(file, text));
  });
});
