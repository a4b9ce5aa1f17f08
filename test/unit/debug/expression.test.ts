/** Watch and condition expressions over values laid out in memory, without running anything. */
import * as assert from 'assert';
import { Inspector, type Place } from '../../../server/src/debug/inspect';
import { ExpressionEvaluator, EvalError } from '../../../server/src/debug/expression';
import { Types, layoutRecord, type CType } from '../../../server/src/lang/types';
import { makeRegion } from '../../../server/src/exec/memory';
import type { ExecRegion } from '../../../server/src/exec/values';

describe('debug: C expressions over runtime values', () => {
  // struct flow { __u32 saddr; __u16 sport; __u16 ports[2]; } at 0x1000, a pointer to it at 0x2000.
  const u32: CType = Types.unsignedInt;
  const u16: CType = Types.unsignedShort;
  const layout = layoutRecord('struct', [
    { name: 'saddr', type: u32 }, { name: 'sport', type: u16 }, { name: 'ports', type: { kind: 'array', of: u16, length: 2 } },
  ]);
  const flowType: CType = { kind: 'record', record: { tag: 'struct', name: 'flow', complete: true, fields: layout.fields, size: layout.size, align: layout.align, packed: false } };
  const flowRegion = makeRegion(0x1000n, layout.size, 'flow key');
  flowRegion.view.setUint32(0, 0x0100007f, true);
  flowRegion.view.setUint16(4, 443, true);
  flowRegion.view.setUint16(6, 7, true);
  flowRegion.view.setUint16(8, 9, true);
  const regions: ExecRegion[] = [flowRegion];
  const memory = { find: (addr: bigint) => { const r = regions.find((x) => addr >= x.addr && addr < x.addr + BigInt(x.bytes.length)); return r ? { region: r, offset: Number(addr - r.addr) } : null; } };
  const inspector = new Inspector(memory);
  const names: Record<string, Place> = {
    key: { kind: 'scalar', value: { region: flowRegion, offset: 0 }, type: { kind: 'pointer', to: flowType }, typeName: 'struct flow *' },
    none: { kind: 'scalar', value: { region: null, offset: 0 }, type: { kind: 'pointer', to: flowType }, typeName: 'struct flow *' },
    n: { kind: 'scalar', value: 5n, type: Types.int, typeName: 'int' },
  };
  const evaluator = new ExpressionEvaluator(inspector, (name) => names[name]);
  const value = (text: string): string => inspector.show(evaluator.evaluate(text)).value;

  it('reads members through ->, . and *', () => {
    assert.strictEqual(value('key->sport'), '443');
    assert.strictEqual(value('(*key).saddr'), String(0x0100007f));
    assert.strictEqual(value('key->ports[1]'), '9');
    assert.strictEqual(value('key[0].ports[0]'), '7');
  });

  it('follows C precedence and short-circuits && and || over NULL pointers', () => {
    assert.strictEqual(value('n + 2 * 3'), '11');
    assert.strictEqual(value('(n + 2) * 3'), '21');
    assert.strictEqual(value('key->sport == 443 && n > 4'), '1');
    assert.strictEqual(value('none && none->sport'), '0');
    assert.strictEqual(value('!none || none->sport'), '1');
    assert.strictEqual(value('-n'), '-5');
  });

  it('shows pointers as region+offset and structs with expandable members', () => {
    const shown = inspector.show(evaluator.evaluate('key'));
    assert.strictEqual(shown.value, 'flow key+0');
    const pointee = shown.children!()[0];
    const fields = inspector.show(pointee.place).children!().map((c) => [c.name, inspector.show(c.place).value]);
    assert.deepStrictEqual(fields, [['saddr', String(0x0100007f)], ['sport', '443'], ['ports', '[2]']]);
    assert.strictEqual(value('none'), 'NULL');
  });

  it('reports bad expressions as errors, never as values', () => {
    assert.throws(() => evaluator.evaluate('none->sport'), EvalError);
    assert.throws(() => evaluator.evaluate('nothing'), /no variable named nothing/);
    assert.throws(() => evaluator.evaluate('key->nope'), /no member named nope/);
    assert.throws(() => evaluator.evaluate('n / 0'), /division by zero/);
    assert.throws(() => evaluator.evaluate('key @'), EvalError);
    assert.throws(() => evaluator.evaluate(''), EvalError);
  });
});
