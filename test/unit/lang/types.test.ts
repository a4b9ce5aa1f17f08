import * as assert from 'assert';
import * as fc from 'fast-check';
import {
  Types, builtinType, enumUnderlyingType, integerLiteralType, layoutRecord, promote, sizeOf, alignOf, typeToString,
  usualArithmeticConversions, wrapInteger, CType,
} from '../../../server/src/lang/types';

const nameOf = (type: CType): string => ('name' in type ? type.name : type.kind);

describe('types', () => {
  it('has the LP64 sizes of clang -target bpf (signed char, 8-byte long double, 16-byte __int128)', () => {
    const sizes = (words: string): [number | undefined, number] => { const t = builtinType(words.split(' '))!; return [sizeOf(t), alignOf(t)]; };
    assert.deepStrictEqual(sizes('char'), [1, 1]);
    assert.deepStrictEqual(sizes('short unsigned int'), [2, 2]);
    assert.deepStrictEqual(sizes('long'), [8, 8]);
    assert.deepStrictEqual(sizes('long long unsigned int'), [8, 8]);
    assert.deepStrictEqual(sizes('long double'), [8, 8]);
    assert.deepStrictEqual(sizes('unsigned __int128'), [16, 16]);
    assert.strictEqual(builtinType(['char'])!.kind === 'int' && (builtinType(['char']) as { signed: boolean }).signed, true);
    assert.strictEqual(builtinType(['long', 'short']), undefined);
    assert.strictEqual(builtinType(['signed', 'unsigned', 'int']), undefined);
  });

  it('applies integer promotions and the usual arithmetic conversions (C11 6.3.1)', () => {
    assert.strictEqual(promote(Types.unsignedShort), Types.int);
    assert.strictEqual(promote(Types.bool), Types.int);
    assert.strictEqual(nameOf(usualArithmeticConversions(Types.int, Types.unsignedInt)), 'unsigned int');
    assert.strictEqual(nameOf(usualArithmeticConversions(Types.long, Types.unsignedInt)), 'long');
    assert.strictEqual(nameOf(usualArithmeticConversions(Types.longLong, Types.unsignedLong)), 'unsigned long long');
    assert.strictEqual(nameOf(usualArithmeticConversions(Types.long, Types.unsignedLongLong)), 'unsigned long long');
    assert.strictEqual((usualArithmeticConversions(Types.float, Types.long) as { name: string }).name, 'float');
  });

  it('types integer literals like C11 6.4.4.1 (hex may become unsigned, decimal may not)', () => {
    assert.strictEqual(integerLiteralType(0x7fffffffn, false, 0, true).name, 'int');
    assert.strictEqual(integerLiteralType(0x80000000n, false, 0, false).name, 'unsigned int');
    assert.strictEqual(integerLiteralType(0x80000000n, false, 0, true).name, 'long');
    assert.strictEqual(integerLiteralType(1n, true, 2, true).name, 'unsigned long long');
    assert.strictEqual(integerLiteralType(0xffffffffffffffffn, false, 0, false).name, 'unsigned long');
  });

  it('wraps exactly in 64 bits for every integer type (no double rounding)', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), (value) => {
      assert.strictEqual(wrapInteger(value, Types.unsignedLong), BigInt.asUintN(64, value));
      assert.strictEqual(wrapInteger(value, Types.int), BigInt.asIntN(32, value));
      assert.strictEqual(wrapInteger(value, Types.unsignedChar), BigInt.asUintN(8, value));
      assert.strictEqual(wrapInteger(value, Types.bool), value === 0n ? 0n : 1n);
    }), { numRuns: 200, seed: 3 });
    assert.strictEqual(wrapInteger(0xffffffffffffffffn + 2n, Types.unsignedLong), 1n);
  });

  it('lays out bit-fields with System V rules: no straddling, zero-width aligns the next field, unnamed do not align the record', () => {
    const straddle = layoutRecord('struct', [
      { name: 'a', type: Types.char }, { name: 'b', type: Types.int, bitWidth: 3 },
      { name: 'c', type: Types.longLong, bitWidth: 40 }, { name: 'd', type: Types.char, bitWidth: 7 },
    ]);
    assert.deepStrictEqual([straddle.size, straddle.align], [8, 8]);
    // d (7 bits at 51) would straddle a char unit, so it moves to bit 56.
    assert.deepStrictEqual(straddle.fields.map((f) => f.bitOffset), [0, 8, 11, 56]);
    const zero = layoutRecord('struct', [{ name: 'a', type: Types.char }, { type: Types.int, bitWidth: 0 }, { name: 'b', type: Types.char }]);
    assert.deepStrictEqual([zero.size, zero.align, zero.fields[2].offset], [5, 1, 4]);
    const unnamed = layoutRecord('struct', [{ name: 'a', type: Types.char }, { type: Types.int, bitWidth: 3 }]);
    assert.deepStrictEqual([unnamed.size, unnamed.align], [2, 1]);
  });

  it('honours packed and aligned attributes and flexible array members', () => {
    const packed = layoutRecord('struct', [{ name: 'a', type: Types.char }, { name: 'b', type: Types.int }], { packed: true });
    assert.deepStrictEqual([packed.size, packed.align, packed.fields[1].offset], [5, 1, 1]);
    const aligned = layoutRecord('struct', [{ name: 'a', type: Types.char }, { name: 'b', type: Types.long, alignAttribute: 16 }], { alignAttribute: 32 });
    assert.deepStrictEqual([aligned.size, aligned.align, aligned.fields[1].offset], [32, 32, 16]);
    const flexible = layoutRecord('struct', [{ name: 'n', type: Types.int }, { name: 'd', type: { kind: 'array', of: Types.long } }]);
    assert.deepStrictEqual([flexible.size, flexible.align, flexible.fields[1].offset], [8, 8, 8]);
    const union = layoutRecord('union', [{ name: 'a', type: Types.char }, { name: 'b', type: Types.short, bitWidth: 9 }]);
    assert.deepStrictEqual([union.size, union.align], [2, 2]);
  });

  it('picks enum underlying types like clang (unsigned int unless negative; wider when needed; packed shrinks)', () => {
    assert.strictEqual(enumUnderlyingType([0n, 5n]).name, 'unsigned int');
    assert.strictEqual(enumUnderlyingType([-1n, 5n]).name, 'int');
    assert.strictEqual(enumUnderlyingType([-1n, 0xffffffffn]).name, 'long');
    assert.strictEqual(enumUnderlyingType([0x100000000n]).name, 'unsigned long');
    assert.strictEqual(enumUnderlyingType([1n, 200n], true).name, 'unsigned char');
  });

  it('prints types the way clang does in diagnostics', () => {
    const fn: CType = { kind: 'function', returns: Types.long, params: [{ kind: 'pointer', to: Types.void }, Types.unsignedInt], paramNames: [], variadic: true, prototyped: true };
    assert.strictEqual(typeToString({ kind: 'pointer', to: fn, qualifiers: { const: true } }), 'long (*const)(void *, unsigned int, ...)');
    assert.strictEqual(typeToString({ kind: 'array', of: { kind: 'pointer', to: Types.char }, length: 3 }), 'char *[3]');
    assert.strictEqual(typeToString({ kind: 'pointer', to: { kind: 'array', of: Types.int, length: 4 } }), 'int (*)[4]');
    assert.strictEqual(typeToString({ ...Types.char, qualifiers: { const: true } }), 'const char');
  });
});
