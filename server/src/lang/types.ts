/**
 * C types of the BPF target as clang 14 `-target bpf` sees them: LP64, signed `char`, 8-byte `long double`,
 * 16-byte `__int128`, `__attribute__((aligned))` = 16. Struct layout follows the System V / Itanium rules clang
 * uses for this target (bit-fields never straddle a unit of their declared type; unnamed bit-fields do not
 * raise the record's alignment; a zero-width bit-field aligns the next field only). Integer arithmetic is
 * exact 64-bit with BigInt.
 */

export interface Qualifiers { const?: boolean; volatile?: boolean; restrict?: boolean }

export interface VoidType { kind: 'void'; qualifiers?: Qualifiers }
export interface IntegerType {
  kind: 'int';
  /** Canonical spelling: `char`, `signed char`, `unsigned char`, `short`, ..., `unsigned __int128`, `_Bool`. */
  name: string;
  size: number;
  signed: boolean;
  /** Conversion rank (C11 6.3.1.1): _Bool 0, char 1, short 2, int 3, long 4, long long 5, __int128 6. */
  rank: number;
  qualifiers?: Qualifiers;
}
export interface FloatType { kind: 'float'; name: string; size: number; qualifiers?: Qualifiers }
export interface PointerType { kind: 'pointer'; to: CType; qualifiers?: Qualifiers }
export interface ArrayType { kind: 'array'; of: CType; /** undefined: incomplete / flexible, or a variable-length array (`vla`) */ length?: number; /** a size known only at run time (`int a[n]`): sizeof is valid, not constant */ vla?: true; qualifiers?: Qualifiers }
export interface FunctionType { kind: 'function'; returns: CType; params: CType[]; paramNames: Array<string | undefined>; variadic: boolean; prototyped: boolean; qualifiers?: Qualifiers }
export interface RecordType { kind: 'record'; record: RecordInfo; qualifiers?: Qualifiers }
export interface EnumType { kind: 'enum'; info: EnumInfo; qualifiers?: Qualifiers }
export interface TypedefType { kind: 'typedef'; name: string; target: CType; qualifiers?: Qualifiers; declaration?: unknown }
/** The type of an expression that already produced a diagnostic; operations on it report nothing more. */
export interface ErrorType { kind: 'error'; qualifiers?: Qualifiers }

export type CType = VoidType | IntegerType | FloatType | PointerType | ArrayType | FunctionType | RecordType | EnumType | TypedefType | ErrorType;

export interface FieldInfo {
  /** Undefined for anonymous struct/union members and unnamed bit-fields. */
  name?: string;
  type: CType;
  /** Byte offset of the storage unit start (for bit-fields: bitOffset >> 3). */
  offset: number;
  bitOffset: number;
  bitWidth?: number;
  /** Declaration node (AST) for go-to-definition. */
  declaration?: unknown;
}

export interface RecordInfo {
  tag: 'struct' | 'union';
  name?: string;
  complete: boolean;
  fields: FieldInfo[];
  size: number;
  align: number;
  packed: boolean;
  /** `__attribute__((preserve_access_index))`, directly or from vmlinux.h's `#pragma clang attribute push`: accesses are CO-RE relocated. */
  preserveAccessIndex?: boolean;
  declaration?: unknown;
}

export interface EnumInfo {
  name?: string;
  complete: boolean;
  underlying: IntegerType;
  values: Map<string, bigint>;
  declaration?: unknown;
}

function int(name: string, size: number, signed: boolean, rank: number): IntegerType {
  return { kind: 'int', name, size, signed, rank };
}

export const Types = {
  void: { kind: 'void' } as VoidType,
  bool: int('_Bool', 1, false, 0),
  char: int('char', 1, true, 1),
  signedChar: int('signed char', 1, true, 1),
  unsignedChar: int('unsigned char', 1, false, 1),
  short: int('short', 2, true, 2),
  unsignedShort: int('unsigned short', 2, false, 2),
  int: int('int', 4, true, 3),
  unsignedInt: int('unsigned int', 4, false, 3),
  long: int('long', 8, true, 4),
  unsignedLong: int('unsigned long', 8, false, 4),
  longLong: int('long long', 8, true, 5),
  unsignedLongLong: int('unsigned long long', 8, false, 5),
  int128: int('__int128', 16, true, 6),
  unsignedInt128: int('unsigned __int128', 16, false, 6),
  float: { kind: 'float', name: 'float', size: 4 } as FloatType,
  double: { kind: 'float', name: 'double', size: 8 } as FloatType,
  longDouble: { kind: 'float', name: 'long double', size: 8 } as FloatType,
  error: { kind: 'error' } as ErrorType,
};

/** Maps the sorted builtin type words to a type, e.g. `unsigned long long int`; undefined if invalid. */
export function builtinType(words: readonly string[]): CType | undefined {
  const count = (w: string): number => words.filter((x) => x === w).length;
  const unsigned = count('unsigned');
  const signed = count('signed');
  if (unsigned + signed > 1) return undefined;
  const longs = count('long');
  let rest = words.filter((w) => w !== 'unsigned' && w !== 'signed' && w !== 'long' && w !== '_Complex');
  // `short int`, `long long unsigned int`: the `int` is optional noise after short/long.
  if (rest.length === 2 && rest.includes('int') && rest.includes('short')) rest = ['short'];
  const base = rest.length === 0 ? (longs > 0 || unsigned || signed ? 'int' : undefined) : rest.length === 1 ? rest[0] : undefined;
  if (!base) return undefined;
  const pick = (s: IntegerType, u: IntegerType): IntegerType => (unsigned ? u : s);
  switch (base) {
    case 'void': return longs || unsigned || signed ? undefined : Types.void;
    case '_Bool': return longs || unsigned || signed ? undefined : Types.bool;
    case 'char': return longs ? undefined : unsigned ? Types.unsignedChar : signed ? Types.signedChar : Types.char;
    case 'short': return longs ? undefined : pick(Types.short, Types.unsignedShort);
    case 'int':
      if (longs === 0) return pick(Types.int, Types.unsignedInt);
      if (longs === 1) return pick(Types.long, Types.unsignedLong);
      if (longs === 2) return pick(Types.longLong, Types.unsignedLongLong);
      return undefined;
    case '__int128': return longs ? undefined : pick(Types.int128, Types.unsignedInt128);
    case 'float': return longs || unsigned || signed ? undefined : Types.float;
    case '_Float16': case '__fp16': return { kind: 'float', name: base, size: 2 };
    case 'double': return unsigned || signed || longs > 1 ? undefined : longs ? Types.longDouble : Types.double;
    default: return undefined;
  }
}

/** Strips typedefs, keeping the outermost qualifiers merged in. */
export function resolve(type: CType): Exclude<CType, TypedefType> {
  let current: CType = type;
  let qualifiers: Qualifiers | undefined;
  for (let guard = 0; current.kind === 'typedef' && guard < 1000; guard++) {
    if (current.qualifiers) qualifiers = { ...qualifiers, ...current.qualifiers };
    current = current.target;
  }
  if (current.kind === 'typedef') return Types.error;
  return qualifiers ? { ...current, qualifiers: { ...current.qualifiers, ...qualifiers } } as Exclude<CType, TypedefType> : current;
}

export function withQualifiers<T extends CType>(type: T, qualifiers: Qualifiers): T {
  if (!qualifiers.const && !qualifiers.volatile && !qualifiers.restrict) return type;
  return { ...type, qualifiers: { ...type.qualifiers, ...qualifiers } };
}
export function unqualified<T extends CType>(type: T): T {
  if (!type.qualifiers) return type;
  const copy = { ...type };
  delete copy.qualifiers;
  return copy;
}

export function isInteger(type: CType): boolean { const t = resolve(type); return t.kind === 'int' || t.kind === 'enum'; }
export function isArithmetic(type: CType): boolean { const t = resolve(type); return t.kind === 'int' || t.kind === 'enum' || t.kind === 'float'; }
export function isPointer(type: CType): boolean { return resolve(type).kind === 'pointer'; }
export function isScalar(type: CType): boolean { const t = resolve(type).kind; return t === 'int' || t === 'enum' || t === 'float' || t === 'pointer'; }
export function isVoid(type: CType): boolean { return resolve(type).kind === 'void'; }
export function isError(type: CType): boolean { return resolve(type).kind === 'error'; }
export function isRecord(type: CType): boolean { return resolve(type).kind === 'record'; }

/** Size in bytes; undefined for incomplete types and functions (clang's sizeof(function) is a GNU 1, not modelled). */
export function sizeOf(type: CType): number | undefined {
  const t = resolve(type);
  switch (t.kind) {
    case 'void': return 1;
    case 'int': case 'float': return t.size;
    case 'pointer': return 8;
    case 'array': {
      if (t.length === undefined) return undefined;
      const element = sizeOf(t.of);
      return element === undefined ? undefined : element * t.length;
    }
    case 'function': return 1;
    case 'record': return t.record.complete ? t.record.size : undefined;
    case 'enum': return t.info.complete ? t.info.underlying.size : 4;
    default: return undefined;
  }
}

export function alignOf(type: CType): number {
  const t = resolve(type);
  switch (t.kind) {
    case 'int': case 'float': return t.size;
    case 'pointer': return 8;
    case 'array': return alignOf(t.of);
    case 'record': return t.record.align;
    case 'enum': return t.info.underlying.size;
    default: return 1;
  }
}

export function isComplete(type: CType): boolean {
  const t = resolve(type);
  if (t.kind === 'void') return false;
  if (t.kind === 'array') return t.length !== undefined && isComplete(t.of);
  if (t.kind === 'record') return t.record.complete;
  return t.kind !== 'error';
}

// ---------------------------------------------------------------- layout

export interface FieldDeclarationForLayout {
  name?: string;
  type: CType;
  bitWidth?: number;
  /** From `__attribute__((aligned(N)))` on the member. */
  alignAttribute?: number;
  /** From `__attribute__((packed))` on the member. */
  packed?: boolean;
  declaration?: unknown;
}

/**
 * Lays out a struct or union like clang's ItaniumRecordLayoutBuilder for `-target bpf`.
 * mirrors clang's ItaniumRecordLayoutBuilder::LayoutBitField()/LayoutField() (System V rules).
 */
/**
 * `maxFieldAlign`: `#pragma pack(n)` in force, which caps every field's alignment (its aligned attribute included) at
 * n, as clang's MaxFieldAlignment does; the record's own aligned attribute still applies.
 */
export function layoutRecord(tag: 'struct' | 'union', fields: readonly FieldDeclarationForLayout[], options: { packed?: boolean; alignAttribute?: number; maxFieldAlign?: number } = {}): { fields: FieldInfo[]; size: number; align: number } {
  const laidOut: FieldInfo[] = [];
  let bitOffset = 0;
  let maxEndBits = 0;
  let align = 1;
  for (const field of fields) {
    const cap = options.maxFieldAlign ?? Infinity;
    const packed = options.packed || field.packed || cap === 1;
    const typeSize = sizeOf(field.type) ?? 0;
    const naturalAlign = Math.min(alignOf(field.type), cap);
    const declaredAlign = Math.min(Math.max(packed ? 1 : naturalAlign, field.alignAttribute ?? 1), cap);
    const start = tag === 'union' ? 0 : bitOffset;
    if (field.bitWidth !== undefined) {
      const width = field.bitWidth;
      const unitBits = typeSize * 8;
      let offset = start;
      if (width === 0) {
        offset = alignUp(start, naturalAlign * 8);
      } else if (!packed && unitBits > 0 && Math.floor(start / unitBits) !== Math.floor((start + width - 1) / unitBits)) {
        offset = alignUp(start, naturalAlign * 8);
      }
      if (field.alignAttribute) offset = alignUp(offset, Math.min(field.alignAttribute, cap) * 8);
      laidOut.push({ name: field.name, type: field.type, offset: Math.floor(offset / 8), bitOffset: offset, bitWidth: width, declaration: field.declaration });
      // Unnamed bit-fields do not contribute to the record's alignment on System V targets.
      if (field.name !== undefined && width > 0) align = Math.max(align, declaredAlign);
      else if (field.alignAttribute) align = Math.max(align, Math.min(field.alignAttribute, cap));
      const end = offset + width;
      if (tag === 'struct') bitOffset = end;
      // A union's size counts whole storage bytes of its bit-fields.
      maxEndBits = Math.max(maxEndBits, tag === 'union' ? alignUp(end, 8) : end);
      continue;
    }
    const offset = alignUp(alignUp(start, 8), declaredAlign * 8);
    laidOut.push({ name: field.name, type: field.type, offset: offset / 8, bitOffset: offset, declaration: field.declaration });
    align = Math.max(align, declaredAlign);
    const end = offset + typeSize * 8;
    if (tag === 'struct') bitOffset = end;
    maxEndBits = Math.max(maxEndBits, end);
  }
  if (options.alignAttribute) align = Math.max(align, options.alignAttribute);
  const size = alignUp(alignUp(maxEndBits, 8) / 8, align);
  return { fields: laidOut, size, align };
}

function alignUp(value: number, alignment: number): number {
  return alignment <= 1 ? value : Math.ceil(value / alignment) * alignment;
}

/** Finds a member by name, descending into anonymous struct/union members; returns the path of fields. */
/**
 * Anonymous members nested deeper than this are not searched. Sema makes an anonymous member only of an untagged
 * record defined in place, which cannot contain itself; the bound keeps a lookup finite should a syntax error
 * ever make one that does (fuzzing found two such cases, each fixed in sema).
 */
const MAX_ANONYMOUS_MEMBER_DEPTH = 1000;

export function findMember(record: RecordInfo, name: string, depth = 0): FieldInfo[] | undefined {
  if (depth > MAX_ANONYMOUS_MEMBER_DEPTH) return undefined;
  for (const field of record.fields) {
    if (field.name === name) return [field];
    if (field.name === undefined && field.bitWidth === undefined) {
      const inner = resolve(field.type);
      if (inner.kind === 'record') {
        const path = findMember(inner.record, name, depth + 1);
        if (path) return [field, ...path];
      }
    }
  }
  return undefined;
}

/** Picks the underlying integer type of an enum from its values, as clang does for C. */
export function enumUnderlyingType(values: Iterable<bigint>, packed = false): IntegerType {
  let min = 0n;
  let max = 0n;
  for (const value of values) { if (value < min) min = value; if (value > max) max = value; }
  // mirrors clang Sema::ActOnEnumBody(): unsigned when no value is negative, smallest of the C types that fit
  // (int-sized at least unless the enum is packed).
  const order = min < 0n
    ? (packed ? [Types.signedChar, Types.short, Types.int, Types.long] : [Types.int, Types.long])
    : (packed ? [Types.unsignedChar, Types.unsignedShort, Types.unsignedInt, Types.unsignedLong] : [Types.unsignedInt, Types.unsignedLong]);
  for (const candidate of order) if (fits(min, candidate) && fits(max, candidate)) return candidate;
  return min < 0n ? Types.long : Types.unsignedLong;
}

export function fits(value: bigint, type: IntegerType): boolean {
  const bits = BigInt(type.size * 8);
  return type.signed ? value >= -(1n << (bits - 1n)) && value < 1n << (bits - 1n) : value >= 0n && value < 1n << bits;
}

// ---------------------------------------------------------------- conversions and arithmetic

/** C11 6.3.1.1 integer promotions. */
export function promote(type: CType): CType {
  const t = resolve(type);
  if (t.kind === 'enum') return promote(t.info.underlying);
  if (t.kind !== 'int') return unqualified(t);
  if (t.rank < Types.int.rank) return Types.int;
  return unqualified(t);
}

function integerOf(type: CType): IntegerType | undefined {
  const t = resolve(type);
  if (t.kind === 'enum') return t.info.underlying;
  return t.kind === 'int' ? t : undefined;
}

/** C11 6.3.1.8 usual arithmetic conversions. */
export function usualArithmeticConversions(left: CType, right: CType): CType {
  const l = resolve(left);
  const r = resolve(right);
  if (l.kind === 'float' || r.kind === 'float') {
    const size = Math.max(l.kind === 'float' ? l.size : 0, r.kind === 'float' ? r.size : 0);
    return size >= 8 ? Types.double : Types.float;
  }
  const a = integerOf(promote(l));
  const b = integerOf(promote(r));
  if (!a || !b) return Types.error;
  if (a.signed === b.signed) return a.rank >= b.rank ? unqualified(a) : unqualified(b);
  const [unsignedType, signedType] = a.signed ? [b, a] : [a, b];
  if (unsignedType.rank >= signedType.rank) return unqualified(unsignedType);
  if (signedType.size > unsignedType.size) return unqualified(signedType);
  return unqualified(counterpart(signedType));
}

function counterpart(type: IntegerType): IntegerType {
  const all = Object.values(Types).filter((t): t is IntegerType => t.kind === 'int');
  return all.find((t) => t.rank === type.rank && t.signed !== type.signed && t.size === type.size && t.name !== 'char') ?? type;
}

/** Wraps a mathematical value into the range of an integer type (two's complement truncation). */
export function wrapInteger(value: bigint, type: CType): bigint {
  const t = integerOf(type);
  if (!t) return resolve(type).kind === 'pointer' ? BigInt.asUintN(64, value) : value;
  if (t.name === '_Bool') return value !== 0n ? 1n : 0n;
  const bits = t.size * 8;
  return t.signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
}

/**
 * Type of an integer literal (C11 6.4.4.1): the first of int, long, long long (and their unsigned
 * versions for octal/hex or with a `u` suffix) that can hold it.
 */
export function integerLiteralType(value: bigint, unsigned: boolean, longs: number, decimal: boolean): IntegerType {
  const signedCandidates = [Types.int, Types.long, Types.longLong].slice(Math.min(longs, 2));
  const unsignedCandidates = [Types.unsignedInt, Types.unsignedLong, Types.unsignedLongLong].slice(Math.min(longs, 2));
  const order: IntegerType[] = [];
  if (unsigned) order.push(...unsignedCandidates);
  else for (let i = 0; i < signedCandidates.length; i++) { order.push(signedCandidates[i]); if (!decimal) order.push(unsignedCandidates[i]); }
  for (const candidate of order) if (fits(value, candidate)) return candidate;
  // Too large for long long: clang makes it unsigned long long with a warning.
  return Types.unsignedLongLong;
}

/** Compatibility in the C sense, ignoring top-level qualifiers (C11 6.2.7), simplified for diagnostics. */
/** Beyond this depth (only hostile code builds such types) two types are taken as compatible, without recursing. */
const MAX_COMPATIBLE_DEPTH = 512;

export function compatible(a: CType, b: CType, depth = 0): boolean {
  if (depth > MAX_COMPATIBLE_DEPTH) return true;
  const x = resolve(a);
  const y = resolve(b);
  if (x.kind === 'error' || y.kind === 'error') return true;
  if (x.kind === 'enum' && y.kind === 'int') return x.info.underlying.name === y.name;
  if (y.kind === 'enum' && x.kind === 'int') return y.info.underlying.name === x.name;
  if (x.kind !== y.kind) return false;
  switch (x.kind) {
    case 'void': return true;
    case 'int': case 'float': return x.name === (y as IntegerType | FloatType).name;
    case 'pointer': return compatible(x.to, (y as PointerType).to, depth + 1) && !!resolve(x.to).qualifiers?.const === !!resolve((y as PointerType).to).qualifiers?.const;
    case 'array': { const other = y as ArrayType; return compatible(x.of, other.of, depth + 1) && (x.length === undefined || other.length === undefined || x.length === other.length); }
    case 'record': return x.record === (y as RecordType).record || (!!x.record.name && x.record.name === (y as RecordType).record.name && x.record.tag === (y as RecordType).record.tag);
    case 'enum': return x.info === (y as EnumType).info;
    case 'function': {
      const other = y as FunctionType;
      if (!compatible(x.returns, other.returns, depth + 1)) return false;
      if (!x.prototyped || !other.prototyped) return true;
      return x.params.length === other.params.length && x.variadic === other.variadic && x.params.every((p, i) => compatible(p, other.params[i], depth + 1));
    }
    default: return false;
  }
}

/** The type as clang prints it in diagnostics: `struct bpf_map *`, `const char[4]`, `int (*)(int)`. */
/** Deeper types (only broken or hostile code makes them) are shown cut, so printing never exhausts the stack. */
const MAX_TYPE_TEXT_DEPTH = 64;

/** Type text by type object: lowering names the C type of every pointer value it converts, many times over. */
const typeTextCache = new WeakMap<CType, string>();

export function typeToString(type: CType, inner = '', depth = 0): string {
  if (inner === '' && depth === 0) {
    let text = typeTextCache.get(type);
    if (text === undefined) {
      text = typeText(type, '', 0);
      typeTextCache.set(type, text);
    }
    return text;
  }
  return typeText(type, inner, depth);
}

// Type objects are not changed once made, and a struct prints by its tag and name, which completing it does not
// change: the text of a type object is fixed.
function typeText(type: CType, inner: string, depth: number): string {
  if (depth > MAX_TYPE_TEXT_DEPTH) return inner ? `... ${inner}` : '...';
  const q = type.qualifiers;
  const qualifierText = [q?.const ? 'const' : '', q?.volatile ? 'volatile' : '', q?.restrict ? 'restrict' : ''].filter(Boolean).join(' ');
  const prefix = (base: string): string => (qualifierText ? `${qualifierText} ${base}` : base);
  const join = (base: string): string => (inner ? `${base} ${inner}`.replace(/ +\[/, '[').replace(/\* \*/g, '**') : base);
  switch (type.kind) {
    case 'void': case 'int': case 'float': return join(prefix(type.kind === 'void' ? 'void' : type.name));
    case 'typedef': return join(prefix(type.name));
    case 'error': return join('<error>');
    case 'record': return join(prefix(`${type.record.tag} ${type.record.name ?? '(anonymous)'}`));
    case 'enum': return join(prefix(`enum ${type.info.name ?? '(anonymous)'}`));
    case 'pointer': {
      const star = qualifierText ? `*${qualifierText}${inner ? ' ' + inner : ''}` : `*${inner}`;
      const to = resolveShallow(type.to);
      return typeToString(type.to, to === 'array' || to === 'function' ? `(${star})` : star, depth + 1);
    }
    case 'array': return typeToString(type.of, `${inner}[${type.length ?? ''}]`, depth + 1);
    case 'function': {
      const params = type.params.map((p) => typeToString(p, '', depth + 1));
      if (type.variadic) params.push('...');
      if (params.length === 0 && type.prototyped) params.push('void');
      return typeToString(type.returns, `${inner}(${params.join(', ')})`, depth + 1);
    }
  }
}

function resolveShallow(type: CType): CType['kind'] {
  return type.kind;
}

/**
 * A type as clang quotes it in diagnostics (ConvertTypeToDiagnosticString): `'__u32' (aka 'unsigned int')` for a
 * typedef, `'struct foo'` for a type without one. Templates take it unquoted.
 */
export function quotedType(type: CType): string {
  const written = typeToString(type);
  const canonical = typeToString(withoutTypedefs(type, 0));
  return written === canonical ? `'${written}'` : `'${written}' (aka '${canonical}')`;
}

/** The type with every typedef replaced by its target, at any depth (clang's canonical type, for 'aka'). */
function withoutTypedefs(type: CType, depth: number): CType {
  if (depth > 32) return type;
  switch (type.kind) {
    case 'typedef': {
      // an anonymous struct, union or enum is printed by the typedef that names it (clang: no 'aka')
      const named = resolve(type);
      if ((named.kind === 'record' && !named.record.name) || (named.kind === 'enum' && !named.info.name)) return type;
      const target = withoutTypedefs(type.target, depth + 1);
      return type.qualifiers ? withQualifiers(target, type.qualifiers) : target;
    }
    case 'pointer': return { ...type, to: withoutTypedefs(type.to, depth + 1) };
    case 'array': return { ...type, of: withoutTypedefs(type.of, depth + 1) };
    case 'function': return { ...type, returns: withoutTypedefs(type.returns, depth + 1), params: type.params.map((p) => withoutTypedefs(p, depth + 1)) };
    default: return type;
  }
}
