/** Small functions over C types, IR values and bytes that several lowering layers use, and the lvalue shapes. */

import type { LoweringReuse } from './reuse';
import type { BpfCpu } from '../atomics';
import * as ast from '../ast';
import type { ProgramFunction } from '../compile';
import { BtfStruct } from '../../kernel/btf';
import { CType, resolve, sizeOf, findMember, FieldInfo, typeToString } from '../types';
import { BinaryOp, Expr, Loc, PtrType, ScalarType, IntBits } from '../ir';

/** Resolves a field of a kernel struct against the running kernel's BTF (CO-RE); undefined when unknown. */
export type CoreFieldResolver = (recordName: string, fieldName: string) => number | undefined;

export interface LowerOptions {
  /** Object name as libbpf derives it (file name up to the first '.'), for the data sections' map names. */
  objectName: string;
  core?: CoreFieldResolver;
  /** The kernel's BTF structs by name (the simulated kernel's), which CO-RE accesses are relocated against. */
  coreTarget?: (structName: string) => BtfStruct | undefined;
  /**
   * Whether the kernel's BTF has a struct, union, enum or typedef of that name (the whole Linux 6.18, not only what the
   * simulated kernel lays out): what bpf_core_type_exists() relocates against. Without it, the program's own
   * vmlinux.h answers (another kernel's, for a project that checks one in); so it does where this answers undefined.
   */
  kernelHasType?: (kind: 'struct' | 'union' | 'enum' | 'typedef', name: string) => boolean | undefined;
  /** Incremental lowering: the user part's tokens and the file's previous lowering (lower/reuse.ts). */
  reuse?: LoweringReuse;
  /**
   * The compiled file's id: a record declared in another file is a header's, like the preamble's (vmlinux.h
   * included after some code is read in the user part, not the preamble).
   */
  mainFile?: number;
  /** The build's `-mcpu` (default v1): which atomic operations clang compiles. */
  cpu?: BpfCpu;
}

export interface LValueMem {
  kind: 'mem'; ptr: Expr; offset: number; type: CType; field?: FieldInfo;
  /** CO-RE relocated (a field of a preserve_access_index record): clang emits a fresh load at each use. */
  core?: boolean;
  /** The kernel struct the object at this address is, for accesses to its own members (`map->refcnt.counter`). */
  coreStruct?: string;
  /** The kernel field's integer or pointer type when its size differs from the local one (bpf_core_patch_insn). */
  coreScalar?: ScalarType;
}

interface LValueLocal { kind: 'local'; id: number; type: CType; scalar: ScalarType }
export type LValue = LValueMem | LValueLocal;

/** One scalar (or whole sub-aggregate) an initializer list writes: where, what type, and with which initializer. */
interface InitializedSubobject { offset: number; type: CType; value: ast.Initializer; bitField?: { field: FieldInfo; base: number } }

/**
 * The subobjects an initializer list initializes, in order, as C11 6.7.9 defines them: positional elements continue
 * after the last designated subobject (`.arr[2].x = 5, 6` sets arr[2].y), nested designators (`.a.b`, `.arr[2].x`)
 * and GNU ranges (`[0 ... 3] = 7`) name subobjects at any depth, and braces may be elided (`{ 1, 2, 3, 4 }` for
 * an array of pairs). Later entries overwrite earlier ones, as clang applies them. Offsets are from the list's object.
 */
export function initializedSubobjects(type: CType, list: ast.InitializerList, evaluate: (e: ast.Expression) => bigint | undefined, typeOf: (e: ast.Node) => CType | undefined): InitializedSubobject[] {
  interface Frame { type: CType; offset: number; index: number; members: FieldInfo[]; count: number }
  const frame = (t: CType, offset: number): Frame | undefined => {
    const r = resolve(t);
    if (r.kind === 'array') return { type: r, offset, index: 0, members: [], count: r.length ?? Number.MAX_SAFE_INTEGER };
    if (r.kind === 'record') {
      const members = r.record.fields.filter((f) => f.name !== undefined || f.bitWidth === undefined);
      return { type: r, offset, index: 0, members, count: members.length };
    }
    return undefined;
  };
  const subobject = (f: Frame, index: number): { type: CType; offset: number; field?: FieldInfo } | undefined => {
    const r = resolve(f.type);
    if (r.kind === 'array') return { type: r.of, offset: f.offset + index * (sizeOf(r.of) ?? 0) };
    const field = f.members[index];
    return field ? { type: field.type, offset: f.offset + field.offset, field } : undefined;
  };
  const advance = (f: Frame, index: number) => {
    const r = resolve(f.type);
    f.index = r.kind === 'record' && r.record.tag === 'union' ? f.count : index + 1;
  };
  const root = frame(type, 0);
  const out: InitializedSubobject[] = [];
  if (!root) return out;
  let frames: Frame[] = [root];
  const isWhole = (target: CType, value: ast.Initializer): boolean => {
    const r = resolve(target);
    if (r.kind !== 'array' && r.kind !== 'record') return true;
    if (value.kind === 'InitializerList') return true;
    if (r.kind === 'array' && value.kind === 'StringLiteral') return true;
    const valueType = typeOf(value);
    const v = valueType ? resolve(valueType) : undefined;
    return r.kind === 'record' && v?.kind === 'record' && v.record === r.record;
  };
  for (const item of list.items) {
    let first: number;
    let last: number;
    if (item.designators.length > 0) {
      frames = [root];
      let ok = true;
      item.designators.forEach((d, k) => {
        if (!ok) return;
        let top = frames[frames.length - 1];
        const r = resolve(top.type);
        if (d.kind === 'FieldDesignator' && r.kind === 'record') {
          const path = findMember(r.record, d.name.name);
          if (!path) { ok = false; return; }
          for (let i = 0; i < path.length; i++) {
            top.index = top.members.indexOf(path[i]);
            if (top.index < 0) { ok = false; return; }
            if (i < path.length - 1) { const inner = frame(path[i].type, top.offset + path[i].offset); if (!inner) { ok = false; return; } frames.push(inner); top = inner; }
          }
        } else if (d.kind === 'IndexDesignator' && r.kind === 'array') {
          const from = evaluate(d.index);
          const to = d.last ? evaluate(d.last) : from;
          if (from === undefined || to === undefined || from < 0n || to < from) { ok = false; return; }
          top.index = Number(from);
          if (k === item.designators.length - 1) { first = Number(from); last = Number(to); }
        } else { ok = false; return; }
        if (k < item.designators.length - 1) {
          const sub = subobject(top, top.index);
          const inner = sub && frame(sub.type, sub.offset);
          if (!inner) { ok = false; return; }
          frames.push(inner);
        }
      });
      if (!ok) { frames = [root]; root.index = root.count; continue; }
    } else {
      while (frames.length > 1 && frames[frames.length - 1].index >= frames[frames.length - 1].count) { frames.pop(); advance(frames[frames.length - 1], frames[frames.length - 1].index); }
    }
    let top = frames[frames.length - 1];
    if (top.index >= top.count) continue; // excess elements: sema warns, clang drops them
    first = item.designators.length > 0 && resolve(top.type).kind === 'array' ? first! : top.index;
    last = item.designators.length > 0 && resolve(top.type).kind === 'array' ? last! : top.index;
    // Brace elision: a scalar for an aggregate initializes the aggregate's first scalar, and the next ones follow.
    let sub = subobject(top, first);
    while (sub && !isWhole(sub.type, item.value) && first === last) {
      const inner = frame(sub.type, sub.offset);
      if (!inner || inner.count === 0) break;
      frames.push(inner);
      top = inner;
      first = last = 0;
      sub = subobject(top, 0);
    }
    if (!sub) continue;
    for (let index = first; index <= last && index < top.count; index++) {
      const target = subobject(top, index)!;
      if (target.field?.bitWidth !== undefined && item.value.kind !== 'InitializerList') {
        out.push({ offset: target.offset - target.field.offset, type: target.type, value: item.value, bitField: { field: target.field, base: target.offset - target.field.offset } });
      } else out.push({ offset: target.offset, type: target.type, value: item.value });
    }
    advance(top, last);
  }
  return out;
}

/** Maps a C scalar type to its IR type; undefined for aggregates, void, floats and 128-bit integers. */
export function irScalarType(type: CType): ScalarType | undefined {
  const t = resolve(type);
  if (t.kind === 'int') {
    if (t.size > 8) return undefined;
    return { kind: 'int', bits: (t.size * 8) as IntBits, signed: t.name === '_Bool' ? false : t.signed };
  }
  if (t.kind === 'enum') return { kind: 'int', bits: (t.info.underlying.size * 8) as IntBits, signed: t.info.underlying.signed };
  if (t.kind === 'pointer') return { kind: 'ptr', pointeeSize: pointeeSize(t.to), cName: typeToString(type) };
  return undefined;
}

export function pointeeSize(type: CType): number {
  const t = resolve(type);
  if (t.kind === 'void' || t.kind === 'function') return 1; // GNU C: arithmetic on void* and function pointers steps by 1
  return sizeOf(t) ?? 1;
}

export function isBool(type: CType): boolean {
  const t = resolve(type);
  return t.kind === 'int' && t.name === '_Bool';
}

/** A statement that break, continue or goto can leave; `label` is set once a labeled jump needs it. */
export interface JumpScope { kind: 'loop' | 'switch' | 'forward' | 'backward'; label?: number; gotoLabel?: string }

// ---------------------------------------------------------------------- small helpers

export function locOf(node: { file: number; pos: number; end: number }): Loc {
  return { file: node.file, pos: node.pos, end: node.end };
}

export function decay(type: CType): CType {
  const t = resolve(type);
  if (t.kind === 'array') return { kind: 'pointer', to: t.of };
  if (t.kind === 'function') return { kind: 'pointer', to: type };
  return type;
}

/** The C name of a pointer to each pointee type; lowering asks for it at every address it computes. */
const pointerNames = new WeakMap<CType, string>();

export function ptrTo(type: CType): PtrType {
  let cName = pointerNames.get(type);
  if (cName === undefined) {
    cName = typeToString({ kind: 'pointer', to: type });
    pointerNames.set(type, cName);
  }
  return { kind: 'ptr', pointeeSize: pointeeSize(type), cName };
}

export function charPtr(cName: string): PtrType {
  return { kind: 'ptr', pointeeSize: 1, cName };
}

export function roundUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** C's arithmetic and bitwise operators (also the compound assignments' and inline assembly's, without `=`) as IR operations. */
export const ARITHMETIC_OPERATORS: Readonly<Record<string, BinaryOp>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'rem', '&': 'and', '|': 'or', '^': 'xor', '<<': 'shl', '>>': 'shr',
};

/** String literal bytes as the compiler stores them: each UTF-16 code unit < 256 is a byte, others UTF-8. */
export function stringBytes(value: string): Uint8Array {
  let ascii = true;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 255) { ascii = false; break; }
  if (ascii) {
    const out = new Uint8Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = value.charCodeAt(i);
    return out;
  }
  return new TextEncoder().encode(value);
}

/**
 * A static function returning a struct or union: clang inlines it (the BPF backend refuses an aggregate return
 * that is not), so its value is written into the caller's stack; the IR passes that place as a last, hidden
 * parameter. A global one is refused by the verifier (BPF2047) and keeps no such parameter.
 */
export function returnsRecordByHiddenPointer(f: ProgramFunction): boolean {
  const fnType = resolve(f.symbol.type);
  return fnType.kind === 'function' && resolve(fnType.returns).kind === 'record' && f.symbol.storage.includes('static');
}

/**
 * A struct or union parameter: passed as the address of the caller's value (see lowerFunction()), as it is once clang
 * has inlined the function, static or not (a `__noinline` one cannot take it at all: BPF1260).
 */
export function passesRecordByPointer(parameter: CType): boolean {
  return resolve(parameter).kind === 'record';
}

/** The function carries `__attribute__((noinline))`: clang keeps every call of it. */
export function isNoinline(f: ProgramFunction): boolean {
  return [...f.definition.specifiers.attributes, ...f.definition.declarator.attributes].some((a) => a.name === 'noinline');
}
