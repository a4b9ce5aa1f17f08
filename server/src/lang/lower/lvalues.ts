/** Lvalues: where an expression designates memory or a local, field offsets (CO-RE by name for preserve_access_index records), loads, stores and bit-fields. */

import * as ast from '../ast';
import type { CSymbol, Scope } from '../sema/analyzer';
import { BtfField, BtfStruct, BtfTypeShape, btfTypeShape } from '../../kernel/btf';
import { Diagnostics } from '../diagnostics';
import { CType, resolve, sizeOf, findMember, FieldInfo, RecordInfo, Types } from '../types';
import { Expr, Loc, IntType, PtrType, ScalarType, U64, S64, S32, IntBits, CORE_POISON_HELPER_ID, UNSIMULATED_VALUE } from '../ir';
import { irScalarType, pointeeSize, locOf, decay, ptrTo, type LValueMem, type LValue } from './irValues';
import { GlobalLowering } from './globals';

export abstract class LValueLowering extends GlobalLowering {
  /** How many __builtin_preserve_access_index calls the expression being lowered is inside (ExpressionLowering). */
  protected preserveAccessDepth = 0;
  /** The address of the caller's slot a struct-returning static function fills, after the call (ExpressionLowering). */
  protected abstract recordCall(node: ast.CallExpression, type: CType): Expr | undefined;
  /** A condition as the IR tests it (ExpressionLowering). */
  protected abstract test(node: ast.Expression): Expr;

  // ------------------------------------------------------------------ lvalues

  protected lvalue(node: ast.Expression): LValue {
    const loc = locOf(node);
    const type = this.typeOf(node);
    switch (node.kind) {
      case 'Identifier': {
        const symbol = this.c.model.referenceOf(node)?.symbol;
        if (symbol) {
          const localId = this.localBySymbol.get(symbol);
          if (localId !== undefined) {
            const local = this.locals[localId];
            if (local.type) return { kind: 'local', id: localId, type: symbol.type, scalar: local.type };
            return { kind: 'mem', ptr: this.slotAddr(local.slot!, symbol.type, loc), offset: 0, type: symbol.type };
          }
          const g = this.globalBySymbol.get(symbol);
          if (g) return { kind: 'mem', ptr: { op: 'addr', base: { kind: 'global', section: g.section, offset: g.offset, name: g.name }, type: ptrTo(symbol.type), loc }, offset: 0, type: symbol.type };
          if (this.mapNames.has(symbol.name)) {
            return { kind: 'mem', ptr: { op: 'addr', base: { kind: 'map', name: symbol.name }, type: ptrTo(symbol.type), loc }, offset: 0, type: symbol.type };
          }
          // once per function and variable: a flag read at every step of a program was one warning per read
          if (symbol.storage.includes('extern')) {
            if (!this.externsReported.has(symbol)) {
              this.externsReported.add(symbol);
              this.report(Diagnostics.UnsupportedConstruct, node, [externVariableConstruct(symbol)]);
            }
            // its memory is nothing the checker knows: no error follows from reading it (it was a NULL read, a false
            // BPF2002 at each use in an iterator), and a run stops there
            return { kind: 'mem', ptr: { op: 'callHelper', name: UNSIMULATED_VALUE, helperId: -3, args: [], type: ptrTo(type), loc }, offset: 0, type };
          }
        }
        return { kind: 'mem', ptr: { op: 'null', type: ptrTo(type), loc }, offset: 0, type };
      }
      case 'Member': {
        const objectType = this.typeOf(node.object);
        let record: RecordInfo | undefined;
        let base: LValueMem;
        if (node.arrow) {
          const pt = resolve(decay(objectType));
          const to = pt.kind === 'pointer' ? resolve(pt.to) : undefined;
          record = to?.kind === 'record' ? to.record : undefined;
          base = { kind: 'mem', ptr: this.rvalue(node.object), offset: 0, type: pt.kind === 'pointer' ? pt.to : type };
        } else {
          const ot = resolve(objectType);
          record = ot.kind === 'record' ? ot.record : undefined;
          const inner = this.lvalue(node.object);
          if (inner.kind === 'local') {
            // A scalar local cannot have members; sema reported it.
            return { kind: 'mem', ptr: { op: 'null', type: ptrTo(type), loc }, offset: 0, type };
          }
          base = inner;
        }
        const path = record ? findMember(record, node.member.name) : undefined;
        if (!record || !path) return { kind: 'mem', ptr: { op: 'null', type: ptrTo(type), loc }, offset: 0, type };
        const last = path[path.length - 1];
        const foreign = this.programRecordInRelocatedAccess(record, base, node.arrow);
        if (foreign) {
          // clang relocates every member access inside __builtin_preserve_access_index (BPF_CORE_READ's), the
          // program's own struct too; libbpf finds no kernel type of that name and poisons the instruction
          // (`BPF_CORE_READ(w->task, pid)` with a local `struct walk_ctx *w`, measured on 6.18: "failed to resolve
          // CO-RE relocation <byte_off> [..] struct walk_ctx.task")
          const named = path.find((f) => f.name !== undefined);
          const poison: Expr = { op: 'callHelper', name: `struct ${foreign}.${named?.name ?? node.member.name}`, helperId: CORE_POISON_HELPER_ID, args: [], type: ptrTo(last.type), loc };
          return { kind: 'mem', ptr: { op: 'sequence', first: base.ptr, second: poison, type: poison.type, loc }, offset: 0, type: last.type, core: true };
        }
        // CO-RE: an arrow starts a new access at the pointee; a dot continues the access of its object.
        // Inside __builtin_preserve_access_index a record without the attribute is relocated too (clang relocates every
        // access there): by its name when the simulated kernel describes a struct of that name.
        const relocatedHere = this.preserveAccessDepth > 0 && !!record.name && !!this.options.coreTarget?.(essentialName(record.name));
        const coreRoot = !node.arrow && base.coreStruct ? base.coreStruct
          : (record.preserveAccessIndex || relocatedHere) && record.name && this.options.coreTarget ? essentialName(record.name) : undefined;
        if (coreRoot && (base.core || node.arrow || record.preserveAccessIndex || relocatedHere)) {
          const relocated = this.coreAccess(coreRoot, path);
          if (relocated.kind === 'unresolved') {
            // mirrors bpf_core_poison_insn(): the access becomes a call of an invalid helper, which the verifier
            // rejects only where it is reachable; the name carries the relocation for the message.
            const poison: Expr = { op: 'callHelper', name: relocated.spec, helperId: CORE_POISON_HELPER_ID, args: [], type: ptrTo(last.type), loc };
            return { kind: 'mem', ptr: { op: 'sequence', first: base.ptr, second: poison, type: poison.type, loc }, offset: 0, type: last.type, core: true };
          }
          if (relocated.kind === 'relocated') {
            return {
              kind: 'mem', ptr: base.ptr, offset: base.offset + relocated.offset, type: last.type, core: true,
              coreStruct: relocated.struct, coreScalar: relocated.scalar,
            };
          }
          // vmlinux.h's own types already have the kernel's layout; a struct the user declared may not.
          if (!this.declaredInHeaders(record)) this.report(Diagnostics.CoreTypeNotSimulated, node.member, [relocated.spec]);
        }
        let offset = base.offset;
        let current: RecordInfo | undefined = record;
        for (const field of path) {
          offset += this.fieldOffset(current, field);
          const ft = resolve(field.type);
          current = ft.kind === 'record' ? ft.record : undefined;
        }
        return { kind: 'mem', ptr: base.ptr, offset, type: last.type, field: last.bitWidth !== undefined ? last : undefined, core: record.preserveAccessIndex };
      }
      case 'Index': {
        const ot = decay(this.typeOf(node.object));
        const it = decay(this.typeOf(node.index));
        const pointerIsObject = resolve(ot).kind === 'pointer';
        const ptrNode = pointerIsObject ? node.object : node.index;
        const idxNode = pointerIsObject ? node.index : node.object;
        const ptrType = pointerIsObject ? ot : it;
        // Neither side a pointer: the checker reported it; lower to the null lvalue below, as other errors do.
        if (resolve(ptrType).kind !== 'pointer') break;
        const elem = (resolve(ptrType) as { to?: CType }).to ?? type;
        const scale = pointeeSize(elem);
        const base = this.rvalue(ptrNode);
        const constant = this.c.model.evaluate(idxNode);
        if (constant !== undefined && constant >= -(1n << 31n) && constant < 1n << 31n) {
          return { kind: 'mem', ptr: base, offset: Number(constant) * scale, type: elem };
        }
        const ptr: Expr = { op: 'ptrAdd', ptr: base, index: this.rvalueAs(idxNode, Types.long), scale, type: irScalarType(ptrType) as PtrType, loc };
        return { kind: 'mem', ptr, offset: 0, type: elem };
      }
      case 'Unary':
        if (node.operator === '*') {
          const pt = resolve(decay(this.typeOf(node.operand)));
          return { kind: 'mem', ptr: this.rvalue(node.operand), offset: 0, type: pt.kind === 'pointer' ? pt.to : type };
        }
        break;
      case 'CompoundLiteral': {
        const addr = this.expression(node, false);
        return { kind: 'mem', ptr: addr, offset: 0, type };
      }
      case 'StringLiteral':
        return { kind: 'mem', ptr: this.stringLiteral(node), offset: 0, type };
      case 'Cast': case 'Comma': case 'Conditional': case 'Call': case 'StatementExpression': {
        // Not lvalues in C, but struct-valued calls and statement expressions can be read through a temp slot.
        const t = resolve(type);
        if (t.kind === 'record') {
          const filled = node.kind === 'Call' ? this.recordCall(node, type) : this.recordOperand(node, type, loc);
          if (filled) return { kind: 'mem', ptr: filled, offset: 0, type };
          this.report(Diagnostics.UnsupportedConstruct, node, ['a struct-valued expression here']);
          return { kind: 'mem', ptr: { op: 'callHelper', name: UNSIMULATED_VALUE, helperId: -3, args: [], type: ptrTo(type), loc }, offset: 0, type };
        }
        break;
      }
      default: break;
    }
    return { kind: 'mem', ptr: { op: 'null', type: ptrTo(type), loc }, offset: 0, type };
  }

  /**
   * CO-RE: libbpf relocates an access to a field of a preserve_access_index record by the field names from the
   * access root (the pointee's struct name without its `___flavor`) against the kernel's BTF, and the local
   * offsets do not matter (bpf_core_calc_field_relo). Anonymous local members are not part of the access: the
   * kernel's struct is searched by name. A field missing from the kernel or of an incompatible kind
   * (bpf_core_fields_are_compat) leaves the relocation unresolved; an integer field of another size is read at the
   * kernel's size only when both are unsigned (or both pointers), as bpf_core_calc_relo() allows.
   */
  protected coreAccess(root: string, path: FieldInfo[]):
    | { kind: 'relocated'; offset: number; struct?: string; scalar?: ScalarType }
    | { kind: 'unresolved' | 'notSimulated'; spec: string } {
    let struct: string | undefined = root;
    let offset = 0;
    let spec = `struct ${root}`;
    let target: { size: number; shape: BtfTypeShape } | undefined;
    for (const field of path) {
      if (field.name === undefined) continue;
      const described: BtfStruct | undefined = struct === undefined ? undefined : this.options.coreTarget?.(struct);
      if (!described || field.bitWidth !== undefined) return { kind: 'notSimulated', spec: `${spec}.${field.name}` };
      spec = `struct ${struct}.${field.name}`;
      const found: BtfField | undefined = described.fields.find((f) => f.name === field.name);
      const shape: BtfTypeShape | undefined = found ? btfTypeShape(found.typeName) : undefined;
      if (!found || !shape || found.bitfield || !coreCompatible(field.type, shape)) return { kind: 'unresolved', spec };
      offset += found.offset;
      target = { size: found.size, shape };
      struct = shape.kind === 'composite' ? shape.struct : undefined;
    }
    const last = path[path.length - 1];
    const local = irScalarType(last.type);
    if (!target || !local || target.size === sizeOf(last.type)) return { kind: 'relocated', offset, struct };
    if (local.kind === 'ptr' && target.shape.kind === 'ptr') return { kind: 'relocated', offset, struct };
    const unsigned = local.kind === 'int' && !local.signed && target.shape.kind === 'int' && !target.shape.signed;
    if (!unsigned || ![1, 2, 4, 8].includes(target.size)) return { kind: 'unresolved', spec };
    return { kind: 'relocated', offset, struct, scalar: { kind: 'int', bits: (target.size * 8) as IntBits, signed: false } };
  }

  /**
   * Inside __builtin_preserve_access_index, the name of a record the program declared itself (not preserve_access_index,
   * in the main file) that no kernel type answers: neither vmlinux.h, included, nor the simulated kernel's BTF has a
   * struct of its name without `___flavor`. Undefined elsewhere, or when that cannot be known (no vmlinux.h).
   */
  protected programRecordInRelocatedAccess(record: RecordInfo, base: LValueMem, arrow: boolean): string | undefined {
    if (this.preserveAccessDepth === 0 || record.preserveAccessIndex || !record.name || this.declaredInHeaders(record)) return undefined;
    // a dot continues the access of its object: only the access's root names the type libbpf looks for
    if (!arrow && base.core) return undefined;
    if (!this.options.coreTarget || this.options.coreTarget(essentialName(record.name))) return undefined;
    const kernelRecord = (name: string): boolean => {
      for (let scope: Scope | undefined = this.c.model.fileScope; scope; scope = scope.parent) {
        const tag = scope.tags.get(name);
        if (tag) return tag.kind === 'record' && tag.info.preserveAccessIndex === true;
      }
      return false;
    };
    // vmlinux.h is there (its task_struct is preserve_access_index) and has no struct of this name
    if (!kernelRecord('task_struct') || kernelRecord(essentialName(record.name))) return undefined;
    return essentialName(record.name);
  }

  /** Whether a record is declared in a header: the preamble's (the leading #includes': vmlinux.h and the like) or one included below code. */
  protected declaredInHeaders(record: RecordInfo): boolean {
    if (!this.headerRecords) {
      this.headerRecords = new Set();
      for (const tag of this.c.preamble?.model.fileScope.tags.values() ?? []) if (tag.kind === 'record') this.headerRecords.add(tag.info);
    }
    if (this.headerRecords.has(record)) return true;
    const file = (record.declaration as { file?: number } | undefined)?.file;
    return this.options.mainFile !== undefined && file !== undefined && file >= 0 && file !== this.options.mainFile;
  }

  /** CO-RE: offsets of kernel types come from the kernel's BTF by field name, as libbpf relocates them. */
  protected fieldOffset(record: RecordInfo | undefined, field: FieldInfo): number {
    // Only accesses compiled with preserve_access_index (vmlinux.h's types) are relocated.
    if (record?.name && record.preserveAccessIndex && field.name && this.options.core) {
      const relocated = this.options.core(record.name, field.name);
      if (relocated !== undefined) return relocated;
    }
    return field.offset;
  }

  protected addressOf(target: LValue, loc: Loc): Expr | undefined {
    if (target.kind === 'local') return undefined;
    return this.offsetPtr(target.ptr, target.offset, loc, target.type);
  }

  protected addressOfExpression(node: ast.Expression): Expr | undefined {
    const loc = locOf(node);
    if (node.kind === 'Unary' && node.operator === '*') return this.rvalue(node.operand);
    const t = resolve(this.typeOf(node));
    if (t.kind === 'function') return undefined;
    const target = this.lvalue(node);
    return this.addressOf(target, loc);
  }

  /**
   * Where the value of a struct-valued `c ? a : b` or `(x, a)` is: the address of the operand chosen, only that
   * operand evaluated (a struct-valued call fills its slot only when chosen); undefined when an operand has no place.
   */
  private recordOperand(node: ast.Expression, type: CType, loc: Loc): Expr | undefined {
    const at = (operand: ast.Expression): Expr | undefined => this.addressOf(this.lvalue(operand), loc);
    if (node.kind === 'Conditional' && node.whenTrue) {
      const whenTrue = at(node.whenTrue);
      const whenFalse = at(node.whenFalse);
      if (!whenTrue || !whenFalse) return undefined;
      return { op: 'conditional', test: this.test(node.condition), then: whenTrue, else: whenFalse, type: ptrTo(type), loc };
    }
    if (node.kind === 'Comma' && node.expressions.length > 0) {
      const last = at(node.expressions[node.expressions.length - 1]);
      if (!last) return undefined;
      return node.expressions.slice(0, -1).reduceRight<Expr>((rest, e) => ({ op: 'sequence', first: this.expression(e, true), second: rest, type: rest.type, loc }), last);
    }
    // `({ typeof(s->f) __r; bpf_core_read(&__r, ...); __r; })`, libbpf's BPF_CORE_READ() of a struct member (a kuid_t,
    // an atomic_t): the statements, then the address of the last expression's object, read before any other local
    // can take its slot
    if (node.kind === 'StatementExpression') {
      const items = node.body.items;
      const last = items[items.length - 1];
      if (last?.kind !== 'ExpressionStatement' || !last.expression) return undefined;
      const body = this.compound({ ...node.body, items: items.slice(0, -1) });
      const value = at(last.expression);
      if (!value) return undefined;
      return { op: 'stmtExpr', body, value, type: ptrTo(type), loc };
    }
    return undefined;
  }

  protected offsetPtr(ptr: Expr, offset: number, loc: Loc, type?: CType): Expr {
    const ptrType = type ? ptrTo(type) : (ptr.type.kind === 'ptr' ? ptr.type : { kind: 'ptr' as const, pointeeSize: 1, cName: 'void *' });
    if (offset === 0) return type && ptr.type.kind === 'ptr' && ptr.type.cName !== ptrType.cName ? { op: 'ptrCast', operand: ptr, type: ptrType, loc } : ptr;
    const bytePtr: Expr = { op: 'ptrCast', operand: ptr, type: { kind: 'ptr', pointeeSize: 1, cName: 'char *' }, loc };
    const moved: Expr = { op: 'ptrAdd', ptr: bytePtr, index: { op: 'const', type: S64, value: BigInt(offset), loc }, scale: 1, type: { kind: 'ptr', pointeeSize: 1, cName: 'char *' }, loc };
    return { op: 'ptrCast', operand: moved, type: ptrType, loc };
  }

  protected loadLValue(target: LValue, loc: Loc): Expr {
    if (target.kind === 'local') return { op: 'local', id: target.id, type: target.scalar, loc };
    const t = resolve(target.type);
    if (t.kind === 'array') {
      // Array-to-pointer decay: the address of the first element.
      return this.offsetPtr(target.ptr, target.offset, loc, t.of);
    }
    if (t.kind === 'function') return target.ptr;
    const scalar = irScalarType(target.type);
    if (!scalar) {
      // A struct used as a value: its address stands for it (copies and initializers use addressOf).
      return this.offsetPtr(target.ptr, target.offset, loc, target.type);
    }
    if (target.field) return this.loadBitfield(target.ptr, target.offset - target.field.offset, target.field, scalar as IntType, loc);
    const core = target.core ? { core: true } : {};
    if (scalar.kind === 'ptr') return this.globalPointerLoad(target.ptr, target.offset, scalar, loc) ?? { op: 'loadPtr', ptr: target.ptr, offset: target.offset, type: scalar, loc, ...core };
    if (target.coreScalar?.kind === 'int' && scalar.kind === 'int') {
      // bpf_core_patch_insn(): the load reads the kernel field's size, zero-extended
      const load: Expr = { op: 'load', ptr: target.ptr, offset: target.offset, type: target.coreScalar, loc, core: true };
      return { op: 'convert', operand: load, type: scalar, loc };
    }
    return { op: 'load', ptr: target.ptr, offset: target.offset, type: scalar, loc, ...core };
  }

  protected storeLValue(target: LValue, value: Expr, loc: Loc): Expr {
    if (target.kind === 'local') return { op: 'assign', id: target.id, value, type: target.scalar, loc };
    if (target.field) return this.storeBitfield(target.ptr, target.offset - target.field.offset, target.field, value, loc);
    if (target.coreScalar?.kind === 'int') {
      // bpf_core_patch_insn(): the store writes the kernel field's size
      const narrowed: Expr = { op: 'convert', operand: value, type: target.coreScalar, loc };
      return { op: 'store', ptr: target.ptr, offset: target.offset, size: (target.coreScalar.bits / 8) as 1 | 2 | 4 | 8, value: narrowed, type: target.coreScalar, loc };
    }
    return this.storeTo(target.ptr, target.offset, target.type, value, loc);
  }

  protected storeTo(ptr: Expr, offset: number, type: CType, value: Expr, loc: Loc): Expr {
    const scalar = irScalarType(type) ?? S32;
    const size = (scalar.kind === 'ptr' ? 8 : scalar.bits / 8) as 1 | 2 | 4 | 8;
    return { op: 'store', ptr, offset, size, value, type: scalar, loc };
  }

  /** Bit-field read: load the storage unit, shift and mask (sign-extend signed fields). */
  protected loadBitfield(ptr: Expr, recordOffset: number, field: FieldInfo, type: IntType, loc: Loc): Expr {
    const unitBits = Math.min(64, Math.max(8, nextPow2(((field.bitOffset % 8) + field.bitWidth!))));
    const unitOffset = recordOffset + (field.bitOffset >> 3);
    const shift = field.bitOffset & 7;
    const unitType: IntType = { kind: 'int', bits: unitBits as IntBits, signed: false };
    const unit: Expr = { op: 'load', ptr, offset: unitOffset, type: unitType, loc };
    const shifted: Expr = { op: 'binary', kind: 'shr', left: { op: 'convert', operand: unit, type: U64, loc }, right: { op: 'const', type: U64, value: BigInt(shift), loc }, type: U64, loc };
    const masked: Expr = { op: 'binary', kind: 'and', left: shifted, right: { op: 'const', type: U64, value: (1n << BigInt(field.bitWidth!)) - 1n, loc }, type: U64, loc };
    if (type.signed) {
      // Sign-extend: (x << (64 - w)) >> (64 - w) arithmetically.
      const up: Expr = { op: 'binary', kind: 'shl', left: { op: 'convert', operand: masked, type: S64, loc }, right: { op: 'const', type: S64, value: BigInt(64 - field.bitWidth!), loc }, type: S64, loc };
      const down: Expr = { op: 'binary', kind: 'shr', left: up, right: { op: 'const', type: S64, value: BigInt(64 - field.bitWidth!), loc }, type: S64, loc };
      return { op: 'convert', operand: down, type, loc };
    }
    return { op: 'convert', operand: masked, type, loc };
  }

  protected storeBitfield(ptr: Expr, recordOffset: number, field: FieldInfo, value: Expr, loc: Loc): Expr {
    const width = field.bitWidth!;
    const unitBits = Math.min(64, Math.max(8, nextPow2(((field.bitOffset % 8) + width))));
    const unitOffset = recordOffset + (field.bitOffset >> 3);
    const shift = BigInt(field.bitOffset & 7);
    const unitType: IntType = { kind: 'int', bits: unitBits as IntBits, signed: false };
    const mask = ((1n << BigInt(width)) - 1n) << shift;
    const old: Expr = { op: 'convert', operand: { op: 'load', ptr, offset: unitOffset, type: unitType, loc }, type: U64, loc };
    const cleared: Expr = { op: 'binary', kind: 'and', left: old, right: { op: 'const', type: U64, value: BigInt.asUintN(64, ~mask), loc }, type: U64, loc };
    const v: Expr = value.type.kind === 'int' ? { op: 'convert', operand: value, type: U64, loc } : { op: 'ptrToInt', operand: value, type: U64, loc };
    const placed: Expr = { op: 'binary', kind: 'and', left: { op: 'binary', kind: 'shl', left: v, right: { op: 'const', type: U64, value: shift, loc }, type: U64, loc }, right: { op: 'const', type: U64, value: mask, loc }, type: U64, loc };
    const combined: Expr = { op: 'convert', operand: { op: 'binary', kind: 'or', left: cleared, right: placed, type: U64, loc }, type: unitType, loc };
    return { op: 'store', ptr, offset: unitOffset, size: (unitBits / 8) as 1 | 2 | 4 | 8, value: combined, type: unitType, loc };
  }
}

/** A local struct name without its `___flavor` suffix, as libbpf matches it (bpf_core_essential_name_len). */
export function essentialName(name: string): string {
  // mirrors bpf_core_essential_name_len(): up to the last X___Y separator (X and Y not underscores)
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name.startsWith('___', i + 1) && name[i + 4] !== '_') return name.slice(0, i + 1);
  }
  return name;
}

/** mirrors bpf_core_fields_are_compat(): which local field types may relocate onto a kernel field's type. */
function coreCompatible(local: CType, target: BtfTypeShape): boolean {
  const t = resolve(local);
  switch (t.kind) {
    case 'record': return target.kind === 'composite';
    case 'pointer': return target.kind === 'ptr';
    case 'enum': return target.kind === 'enum';
    case 'int': return target.kind === 'int';
    case 'array': return target.kind === 'array' && coreCompatible(t.of, target.elem);
    default: return false;
  }
}

function nextPow2(n: number): number {
  let p = 8;
  while (p < n) p *= 2;
  return p;
}

/**
 * An extern variable that reaches here is no `__kconfig` one (the .kconfig map simulates those) and no `__ksym` one:
 * a unit linked with this one defines it (`bpftool gen object`, llvm-link), since libbpf refuses any other extern
 * variable when it opens one object.
 */
function externVariableConstruct(symbol: CSymbol): string {
  return `the extern variable ${symbol.name}, which a unit linked with this one defines`;
}
