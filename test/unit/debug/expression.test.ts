/** Watch and condition expressions over values laid out in memory, without running anything. */
import * as assert from 'assert';
import { Inspector, type Place } from '../../../server/src/debug/inspect';
import { ExpressionEvaluator, EvalError } from '../../../server/src/debug/expression';
import { ExpressionReader } from '../../../server/src/lang/expressionText';
import { buildPreamble } from '../../../server/src/lang/compile';
import { scan } from '../../../server/src/lang/scanner';
import { TokenKind } from '../../../server/src/lang/token';
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

  describe('read by the front end\'s parser and typed by its checker', () => {
    // the program's own declarations: what the debugger's casts and sizeofs resolve against
    const preamble = buildPreamble(scan('typedef unsigned char __u8; typedef unsigned short __u16;\nstruct flow { unsigned int saddr; unsigned short sport; unsigned short ports[2]; };', 0)
      .filter((t) => t.kind !== TokenKind.Newline));
    const typed = new ExpressionEvaluator(inspector, (name) => names[name], new ExpressionReader(preamble.model.fileScope));
    const typedValue = (text: string): string => inspector.show(typed.evaluate(text)).value;

    it('casts to integer types through typedefs, truncating as C does', () => {
      assert.strictEqual(typedValue('(__u8)key->saddr'), '127');
      assert.strictEqual(typedValue('(__u16)-1'), '65535');
      assert.strictEqual(typedValue('(signed char)255'), '-1');
    });

    it('casts pointers, takes addresses and scales pointer arithmetic by the element size', () => {
      assert.strictEqual(typedValue('((struct flow *)key)->sport'), '443');
      assert.strictEqual(typedValue('&key->sport'), 'flow key+4');
      assert.strictEqual(typedValue('*(key->ports + 1)'), '9');
      assert.strictEqual(typedValue('*(&key->ports[1] - 1)'), '7');
    });

    it('evaluates sizeof of types and of expressions, and ?: without reading the other side', () => {
      assert.strictEqual(typedValue('sizeof(struct flow)'), '12');
      assert.strictEqual(typedValue('sizeof key->ports'), '4');
      assert.strictEqual(typedValue('sizeof(__u16)'), '2');
      assert.strictEqual(typedValue('n > 4 ? key->sport : none->sport'), '443');
      assert.strictEqual(typedValue('n, key->ports[0]'), '7');
    });

    it('refuses what would change the program or run code, and reports the parser\'s words for bad syntax', () => {
      assert.throws(() => typed.evaluate('n = 3'), /does not change the program/);
      assert.throws(() => typed.evaluate('n++'), /does not change the program/);
      assert.throws(() => typed.evaluate('bpf_get_current_pid_tgid()'), /does not run code/);
      assert.throws(() => typed.evaluate('(struct flow)n'), /cannot cast to struct flow/);
      assert.throws(() => typed.evaluate('(nope_t)key'), EvalError);
      assert.throws(() => typed.evaluate('key->'), EvalError);
      assert.throws(() => evaluator.evaluate('(__u8)n'), EvalError, 'without the program\'s types a typedef name is not a type');
    });
  });
});
