/** Calls that are not plain calls: BPF helpers by id, the `__sync`/`__atomic` builtins, byte swaps, `__builtin_memcmp/memcpy/memset` and the CO-RE builtins. */

import * as ast from '../ast';
import { AtomicBuiltin, clangRejectsAtomic } from '../atomics';
import { CSymbol, Scope, Tag } from '../sema/analyzer';
import { KERNEL_BTF_STRUCTS } from '../../kernel/btfTable';
import { BtfStruct } from '../../kernel/btf';
import { Diagnostics } from '../diagnostics';
import { CType, resolve, sizeOf, findMember, Types, unqualified } from '../types';
import { Expr, Loc, IntType, PtrType, VOID, U64, S32, U8, IntBits } from '../ir';
import { irScalarType, decay } from './irValues';
import { wrapTo } from '../ir';
import { ExpressionLowering } from './expressions';

export abstract class BuiltinLowering extends ExpressionLowering {
  /** libbpf's `static long (*bpf_x)(...) = (void *) N;`: a helper call target, folded by clang, never storage. */
  protected isHelperDeclaration(symbol: CSymbol): boolean {
    const type = resolve(symbol.type);
    return type.kind === 'pointer' && resolve(type.to).kind === 'function' && symbol.initializer !== undefined && this.helperIdOf(symbol.initializer) !== undefined;
  }

  /** The helper id of such an initializer: a number, or an enumerator (Cilium's and tetragon's `(void *) BPF_FUNC_map_lookup_elem`). */
  protected helperIdOf(init: ast.Initializer): number | undefined {
    let e: ast.Initializer = init;
    while (e.kind === 'Cast') e = e.operand;
    if (e.kind === 'IntegerLiteral') return Number(e.value);
    const symbol = e.kind === 'Identifier' ? this.c.model.referenceOf(e)?.symbol : undefined;
    if (symbol?.kind === 'enumerator' && symbol.value !== undefined && symbol.value >= 0n && symbol.value < 1n << 31n) return Number(symbol.value);
    return undefined;
  }

  /**
   * `__sync_*`/`__atomic_*` on a 4- or 8-byte integer: on one simulated CPU, a load and a store through a temp
   * pointer, in a sequence that yields what the builtin returns. The memory orders are evaluated for their side
   * effects only. What the verifier checks (check_atomic(): writable memory, no ctx) follows from the load/store.
   */
  protected atomicBuiltin(node: ast.CallExpression, name: string, b: AtomicBuiltin, type: CType, discarded: boolean, loc: Loc): Expr {
    const fallback = (): Expr => { const t = irScalarType(type); return t ? this.zeroOf(t, loc) : { op: 'const', type: S32, value: 0n, loc }; };
    if (node.args.length !== b.args) return fallback(); // sema reported the count
    const pointerType = resolve(decay(this.typeOf(node.args[0])));
    const valueType = pointerType.kind === 'pointer' ? unqualified(pointerType.to) : undefined;
    const scalar = valueType ? irScalarType(valueType) : undefined;
    const ptrScalar = irScalarType(pointerType);
    if (!valueType || scalar?.kind !== 'int' || ptrScalar?.kind !== 'ptr') {
      this.report(Diagnostics.UnsupportedConstruct, node, [`${name} on something that is not a pointer to an integer`]);
      return fallback();
    }
    let target = node.args[0];
    while (target.kind === 'Cast') target = target.operand;
    const onLocal = target.kind === 'Unary' && target.operator === '&' && target.operand.kind === 'Identifier'
      && this.localBySymbol.has(this.c.model.referenceOf(target.operand)?.symbol as CSymbol);
    const cpu = this.options.cpu ?? 'v1';
    const refused = clangRejectsAtomic(b, scalar.bits / 8, !discarded, onLocal, cpu);
    if (refused) this.report(Diagnostics.AtomicNotCompiled, node, [name, cpu === 'v1' ? '' : ` -mcpu=${cpu}`, refused]);
    const seq = (...parts: Expr[]): Expr => parts.reduceRight((second, first) => ({ op: 'sequence', first, second, type: second.type, loc }));
    const ptrTemp = this.newTemp(pointerType, loc);
    const ptr: Expr = { op: 'local', id: ptrTemp, type: ptrScalar, loc };
    const setPtr: Expr = { op: 'assign', id: ptrTemp, value: this.rvalue(node.args[0]), type: ptrScalar, loc };
    const oldTemp = this.newTemp(valueType, loc);
    const old: Expr = { op: 'local', id: oldTemp, type: scalar, loc };
    const setOld: Expr = { op: 'assign', id: oldTemp, value: { op: 'load', ptr, offset: 0, type: scalar, loc }, type: scalar, loc };
    const arg = (i: number): Expr => this.rvalueAs(node.args[i], valueType);
    const orders = (from: number): Expr[] => node.args.slice(from).map((a) => this.expression(a, true));
    const store = (value: Expr): Expr => this.storeTo(ptr, 0, valueType, value, loc);
    const asBool = (e: Expr): Expr => this.convert(e, Types.int, Types.bool, loc);
    switch (b.kind) {
      case 'rmw': {
        const operand = arg(1);
        const kind = b.alu === 'nand' ? 'and' : b.alu;
        let next: Expr = { op: 'binary', kind, left: old, right: operand, type: scalar, loc };
        if (b.alu === 'nand') next = { op: 'unary', kind: 'not', operand: next, type: scalar, loc };
        return seq(setPtr, setOld, store(next), ...orders(2), b.returns === 'old' ? old : { op: 'load', ptr, offset: 0, type: scalar, loc });
      }
      case 'load': return seq(setPtr, ...orders(1), { op: 'load', ptr, offset: 0, type: scalar, loc });
      case 'store': return seq(setPtr, store(arg(1)), ...orders(2), { op: 'const', type: S32, value: 0n, loc });
      case 'release': return seq(setPtr, store({ op: 'const', type: scalar, value: 0n, loc }), { op: 'const', type: S32, value: 0n, loc });
      case 'xchg': return seq(setPtr, setOld, store(arg(1)), ...orders(2), old);
      case 'cas': {
        const expected = arg(1), desired = arg(2);
        const same: Expr = { op: 'binary', kind: 'eq', left: old, right: expected, type: S32, loc };
        const swap: Expr = { op: 'conditional', test: same, then: store(desired), else: old, type: scalar, loc };
        return seq(setPtr, setOld, swap, b.returns === 'old' ? old : asBool({ op: 'binary', kind: 'eq', left: old, right: expected, type: S32, loc }));
      }
      case 'cmpxchg': {
        // __atomic_compare_exchange_n(p, expected *, desired, weak, ok order, fail order): on failure *expected = old
        const expectedPtrType = resolve(decay(this.typeOf(node.args[1])));
        const expectedPtr = this.rvalue(node.args[1]);
        const ePtrScalar = irScalarType(expectedPtrType);
        if (ePtrScalar?.kind !== 'ptr') return fallback();
        const ePtrTemp = this.newTemp(expectedPtrType, loc);
        const ePtr: Expr = { op: 'local', id: ePtrTemp, type: ePtrScalar, loc };
        const desired = arg(2);
        const same: Expr = { op: 'binary', kind: 'eq', left: old, right: { op: 'load', ptr: ePtr, offset: 0, type: scalar, loc }, type: S32, loc };
        const swapped: Expr = { op: 'conditional', test: same,
          then: seq(store(desired), { op: 'const', type: S32, value: 1n, loc }),
          else: seq(this.storeTo(ePtr, 0, valueType, old, loc), { op: 'const', type: S32, value: 0n, loc }), type: S32, loc };
        return seq(setPtr, { op: 'assign', id: ePtrTemp, value: expectedPtr, type: ePtrScalar, loc }, setOld, ...orders(3), asBool(swapped));
      }
    }
  }

  /**
   * `__builtin_bswapN(x)` (what bpf_htons/bpf_ntohl expand to on a run-time value): clang emits one BPF_END
   * instruction; here the same value from shifts and masks of a temp, byte i moving to byte N/8-1-i.
   */
  protected byteSwap(value: Expr, bits: IntBits, loc: Loc): Expr {
    const t: IntType = { kind: 'int', bits, signed: false };
    const temp = this.newTemp(bits === 16 ? Types.unsignedShort : bits === 32 ? Types.unsignedInt : Types.unsignedLongLong, loc);
    const x: Expr = { op: 'local', id: temp, type: t, loc };
    const k = (v: number | bigint): Expr => ({ op: 'const', type: t, value: BigInt(v), loc });
    let result: Expr | undefined;
    const bytes = bits / 8;
    for (let i = 0; i < bytes; i++) {
      const byte: Expr = { op: 'binary', kind: 'and', left: { op: 'binary', kind: 'shr', left: x, right: k(8 * i), type: t, loc }, right: k(0xff), type: t, loc };
      const moved: Expr = { op: 'binary', kind: 'shl', left: byte, right: k(8 * (bytes - 1 - i)), type: t, loc };
      result = result ? { op: 'binary', kind: 'or', left: result, right: moved, type: t, loc } : moved;
    }
    return { op: 'sequence', first: { op: 'assign', id: temp, value, type: t, loc }, second: result!, type: t, loc };
  }

  /**
   * `__builtin_memcmp(a, b, n)`: clang 14 inlines it for BPF only for n == 1, or n == 2 or 4 when the result is only
   * compared with 0 (measured); otherwise it emits a call of memcmp, an extern libbpf cannot resolve at load.
   * The value is that of the first differing byte pair (unsigned bytes), 0 when all are equal.
   */
  protected memoryCompare(node: ast.CallExpression, loc: Loc): Expr {
    const zeroTested = this.zeroTestedCall === node;
    const size = this.c.model.evaluate(node.args[2]);
    const n = size === undefined ? -1 : Number(size);
    if (!(n === 1 || ((n === 2 || n === 4) && zeroTested))) {
      this.report(Diagnostics.MemcmpNotInlined, node, [size === undefined ? 'a size that is not a constant' : `${n} bytes${zeroTested ? '' : ' with a result not only compared with 0'}`]);
      return { op: 'const', type: S32, value: 0n, loc };
    }
    const charPtr = irScalarType({ kind: 'pointer', to: Types.unsignedChar }) as PtrType;
    const ptrTemp = (arg: ast.Expression): { set: Expr; ref: Expr } => {
      const id = this.newTemp({ kind: 'pointer', to: Types.unsignedChar }, loc);
      return { set: { op: 'assign', id, value: this.convert(this.rvalue(arg), decay(this.typeOf(arg)), { kind: 'pointer', to: Types.unsignedChar }, loc), type: charPtr, loc }, ref: { op: 'local', id, type: charPtr, loc } };
    };
    const a = ptrTemp(node.args[0]), b = ptrTemp(node.args[1]);
    const diff = (i: number): Expr => ({ op: 'binary', kind: 'sub',
      left: { op: 'convert', operand: { op: 'load', ptr: a.ref, offset: i, type: U8, loc }, type: S32, loc },
      right: { op: 'convert', operand: { op: 'load', ptr: b.ref, offset: i, type: U8, loc }, type: S32, loc }, type: S32, loc });
    let result: Expr = diff(n - 1);
    for (let i = n - 2; i >= 0; i--) {
      const d = diff(i);
      result = { op: 'conditional', test: { op: 'binary', kind: 'ne', left: d, right: { op: 'const', type: S32, value: 0n, loc }, type: S32, loc }, then: diff(i), else: result, type: S32, loc };
    }
    return { op: 'sequence', first: a.set, second: { op: 'sequence', first: b.set, second: result, type: S32, loc }, type: S32, loc };
  }

  /**
   * The CO-RE builtins behind bpf_core_field_exists/size/offset, bpf_core_type_exists/size and
   * bpf_core_enum_value(_exists): constants that libbpf computes at load against the kernel's BTF
   * (bpf_core_calc_relo(): the local name up to "___" names the kernel type; a field or enumerator by name).
   * The kernel's BTF is the simulated kernel's table, then the program's own vmlinux.h types (this kernel's BTF).
   */
  protected coreRelocation(node: ast.CallExpression, name: string, type: CType, loc: Loc): Expr {
    const kind = this.c.model.evaluate(node.args[1]) ?? -1n;
    const result = irScalarType(type) as IntType | undefined ?? U64;
    const k = (v: number | bigint): Expr => ({ op: 'const', type: result, value: wrapTo(BigInt(v), result), loc });
    const essential = (tag: string | undefined): string => (tag ?? '').replace(/___.*$/, '');
    const kernelTag = (tagName: string): Tag | undefined => {
      for (let scope: Scope | undefined = this.c.model.fileScope; scope; scope = scope.parent) {
        const tag = scope.tags.get(tagName);
        // kernel records come from vmlinux.h, which marks them all preserve_access_index; a program's own struct is no kernel type
        if (tag && (tag.kind === 'enum' || tag.info.preserveAccessIndex)) return tag;
      }
      return undefined;
    };
    if (name === '__builtin_preserve_field_info') {
      let field: ast.Expression = node.args[0];
      while (field.kind === 'Cast') field = field.operand;
      if (field.kind !== 'Member') { this.report(Diagnostics.UnsupportedConstruct, node, [`${name} on something that is not a field`]); return k(0); }
      const objectType = resolve(decay(this.typeOf(field.object)));
      const recordType = resolve(field.arrow && objectType.kind === 'pointer' ? objectType.to : objectType);
      const localField = recordType.kind === 'record' ? findMember(recordType.record, field.member.name)?.at(-1) : undefined;
      const recordName = essential(recordType.kind === 'record' ? recordType.record.name : undefined);
      const simulated = (KERNEL_BTF_STRUCTS as Record<string, BtfStruct | undefined>)[recordName];
      let target: { offset: number; size: number } | undefined;
      if (simulated) {
        const f = simulated.fields.find((x) => x.name === field.member.name);
        if (f) target = { offset: f.offset, size: f.size };
      } else {
        const tag = kernelTag(recordName);
        const path = tag?.kind === 'record' ? findMember(tag.info, field.member.name) : undefined;
        if (path) target = { offset: path.reduce((acc, f) => acc + f.offset, 0), size: sizeOf(path[path.length - 1].type) ?? 0 };
      }
      switch (kind) {
        case 2n: return k(target ? 1 : 0);
        case 0n: return k(target?.offset ?? 0);
        case 1n: return k(target?.size ?? 0);
        case 3n: { const t = localField ? resolve(localField.type) : undefined; return k(t?.kind === 'int' && t.signed ? 1 : 0); }
        case 4n: case 5n: return k(64 - 8 * (target?.size ?? 8));
        default: return k(0);
      }
    }
    const argType = resolve(this.typeOf(node.args[0]));
    if (name === '__builtin_preserve_type_info') {
      // BPF_TYPE_MATCHES (2): clang 14's backend refuses the flag (a fatal error while generating code)
      if (kind === 2n) this.report(Diagnostics.TypeMatchesNotCompiled, node, ['bpf_core_type_matches() (__builtin_preserve_type_info with BPF_TYPE_MATCHES)']);
      const tagName = essential(argType.kind === 'record' ? argType.record.name : argType.kind === 'enum' ? argType.info.name : undefined);
      const simulated = (KERNEL_BTF_STRUCTS as Record<string, BtfStruct | undefined>)[tagName];
      const tag = kernelTag(tagName);
      // the kernel's own types decide, not a vmlinux.h of another kernel checked into the project (Falco's has
      // `struct mm_rss_stat`, gone since Linux 6.2: its `if (bpf_core_type_exists(struct mm_rss_stat))` branch is dead on 6.18)
      const kindOf = argType.kind === 'record' ? argType.record.tag : 'enum';
      const known = tagName && (argType.kind === 'record' || argType.kind === 'enum') ? this.options.kernelHasType?.(kindOf, tagName) : undefined;
      const inKernel = simulated !== undefined || (known ?? tag !== undefined);
      const size = !inKernel ? undefined : simulated?.size ?? (tag?.kind === 'record' ? sizeOf({ kind: 'record', record: tag.info } as CType) : tag?.kind === 'enum' ? sizeOf({ kind: 'enum', info: tag.info } as CType) : undefined);
      return k(kind === 1n ? size ?? 0 : inKernel ? 1 : 0);
    }
    // __builtin_preserve_enum_value(*(typeof(enum E) *)ENUMERATOR, kind)
    let enumerator: string | undefined;
    ast.walk(node.args[0], (n) => {
      if (n.kind === 'Identifier' && enumerator === undefined && this.c.model.referenceOf(n)?.symbol?.value !== undefined) enumerator = n.name;
    });
    const tag = kernelTag(essential(argType.kind === 'enum' ? argType.info.name : undefined));
    const value = tag?.kind === 'enum' && enumerator !== undefined ? tag.info.values.get(enumerator.replace(/___.*$/, '')) : undefined;
    return k(kind === 1n ? value ?? 0n : value !== undefined ? 1 : 0);
  }

  protected memoryBuiltin(node: ast.CallExpression, name: string, loc: Loc): Expr {
    const sizeArg = node.args[2];
    const size = sizeArg ? this.c.model.evaluate(sizeArg) : undefined;
    if (size === undefined && sizeArg) {
      // Not a constant of C, but maybe one after inlining (measured with clang 14: `copy(d, s, 16)` of an
      // __always_inline `copy(void *d, const void *s, u32 n)` builds; `copy(d, s, map->id & 15)` is refused with
      // BPF1230, the libc call clang's BPF backend cannot make): the checker decides at each call.
      const length = this.rvalueAs(sizeArg, Types.unsignedLong);
      const dst = this.rvalue(node.args[0]);
      if (name === '__builtin_memset') {
        const byte = Number((this.c.model.evaluate(node.args[1]) ?? 0n) & 0xffn);
        return { op: 'fill', dst, byte, size: 0, length, libcall: 'memset', type: VOID, loc };
      }
      return { op: 'copy', dst, src: this.rvalue(node.args[1]), size: 0, length, libcall: name === '__builtin_memmove' ? 'memmove' : 'memcpy', type: VOID, loc };
    }
    if (size === undefined) {
      this.report(Diagnostics.BuiltinCallNotSupported, node, [name.slice('__builtin_'.length)]);
      return { op: 'null', type: { kind: 'ptr', pointeeSize: 1, cName: 'void *' }, loc };
    }
    if (size < 0n || size > 1n << 20n) {
      this.report(Diagnostics.UnsupportedConstruct, node, [`${name} with a size that is not a constant`]);
      return { op: 'null', type: { kind: 'ptr', pointeeSize: 1, cName: 'void *' }, loc };
    }
    const dst = this.rvalue(node.args[0]);
    if (name === '__builtin_memset') {
      const byte = Number((this.c.model.evaluate(node.args[1]) ?? 0n) & 0xffn);
      return { op: 'fill', dst, byte, size: Number(size), type: VOID, loc };
    }
    return { op: 'copy', dst, src: this.rvalue(node.args[1]), size: Number(size), type: VOID, loc };
  }
}
