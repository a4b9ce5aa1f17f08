/**
 * Shows runtime values the way a C debugger does: integers by their C type, structs and arrays expanded from
 * memory, pointers as `region+offset` with the pointee expandable. Values live in the simulated kernel's
 * memory (maps, ctx, the BPF stack) or, for scalar locals, in the interpreter frame.
 */
import { appendAll } from '../lang/arrays';
import type { CType, FieldInfo } from '../lang/types';
import { resolve, typeToString } from '../lang/types';
import type { ExecMemory, ExecRegion, Pointer, RuntimeValue } from '../exec/values';

/** A value the debugger can show: where it is (memory) or what it is (a scalar held by the interpreter). */
export type Place =
  | { kind: 'memory'; ptr: Pointer; type: CType }
  | { kind: 'scalar'; value: RuntimeValue; type: CType | undefined; typeName: string };

export interface ShownValue {
  value: string;
  type: string;
  /** Children, computed when the user expands the node. */
  children?: () => Array<{ name: string; place: Place }>;
}

const MAX_ARRAY_CHILDREN = 256;

export class Inspector {
  /** Per-field override, e.g. ctx->key shown through the iterated map's key type. */
  fieldType?: (recordName: string | undefined, field: string) => CType | undefined;

  constructor(private readonly memory: ExecMemory) {}

  show(place: Place): ShownValue {
    if (place.kind === 'scalar') {
      const v = place.value;
      if (typeof v === 'bigint') {
        const t = place.type ? resolve(place.type) : undefined;
        return { value: t ? this.intText(v, t) : v.toString(), type: place.typeName };
      }
      return this.showPointer(v, place.type ? resolve(place.type) : undefined, place.typeName);
    }
    const type = resolve(place.type);
    const typeName = typeToString(place.type);
    const bytes = this.bytesAt(place.ptr, sizeOfShown(type));
    if (bytes === null) return { value: `<cannot read ${describePointer(place.ptr)}>`, type: typeName };
    switch (type.kind) {
      case 'int': case 'enum': {
        const size = type.kind === 'int' ? type.size : type.info.underlying.size;
        const signed = type.kind === 'int' ? type.signed : type.info.underlying.signed;
        return { value: this.intText(readInt(bytes, size, signed), type), type: typeName };
      }
      case 'pointer': {
        const addr = readInt(bytes, 8, false);
        const found = addr === 0n ? null : this.memory.find(addr);
        const ptr: Pointer = found ? { region: found.region, offset: found.offset } : { region: null, offset: Number(addr) };
        return this.showPointer(ptr, type, typeName);
      }
      case 'record': {
        const record = type.record;
        return {
          value: this.recordSummary(record.fields, record.name, place.ptr),
          type: typeName,
          children: () => this.fieldChildren(record.fields, record.name, place.ptr),
        };
      }
      case 'array': {
        const element = type.of;
        const elementSize = sizeOfShown(resolve(element));
        const length = type.length ?? 0;
        const re = resolve(element);
        const isChars = re.kind === 'int' && re.size === 1;
        const value = isChars ? cString(bytes) : `[${length}]`;
        return {
          value, type: typeName,
          children: () => Array.from({ length: Math.min(length, MAX_ARRAY_CHILDREN) }, (_, i) => ({
            name: `[${i}]`, place: { kind: 'memory' as const, ptr: { region: place.ptr.region, offset: place.ptr.offset + i * elementSize }, type: element },
          })),
        };
      }
      default: return { value: `<${type.kind}>`, type: typeName };
    }
  }

  /** The integer a place holds (conditions and arithmetic in watch expressions). */
  intValue(place: Place): bigint | undefined {
    if (place.kind === 'scalar') return typeof place.value === 'bigint' ? place.value : pointerAddress(place.value);
    const type = resolve(place.type);
    if (type.kind === 'int') { const b = this.bytesAt(place.ptr, type.size); return b ? readInt(b, type.size, type.signed) : undefined; }
    if (type.kind === 'enum') { const u = type.info.underlying; const b = this.bytesAt(place.ptr, u.size); return b ? readInt(b, u.size, u.signed) : undefined; }
    if (type.kind === 'pointer') { const b = this.bytesAt(place.ptr, 8); return b ? readInt(b, 8, false) : undefined; }
    return undefined;
  }

  /** Where a pointer-valued place points. */
  pointerTarget(place: Place): Pointer | undefined {
    if (place.kind === 'scalar') {
      const v = place.value;
      if (typeof v !== 'bigint') return v;
      const found = v === 0n ? null : this.memory.find(v);
      return found ? { region: found.region, offset: found.offset } : { region: null, offset: 0 };
    }
    const addr = this.intValue(place);
    if (addr === undefined) return undefined;
    const found = addr === 0n ? null : this.memory.find(addr);
    return found ? { region: found.region, offset: found.offset } : { region: null, offset: 0 };
  }

  /** `{saddr=16777343, sport=443, ...}`: the first members' scalar values, as debuggers summarise a struct. */
  private recordSummary(fields: ReadonlyArray<FieldInfo>, recordName: string | undefined, base: Pointer): string {
    const parts = this.fieldChildren(fields, recordName, base).slice(0, 5).map((c) => {
      const t = c.place.kind === 'memory' ? resolve(c.place.type).kind : 'int';
      return `${c.name}=${t === 'int' || t === 'enum' || t === 'pointer' ? this.show(c.place).value : '{…}'}`;
    });
    return `{${parts.join(', ')}${fields.length > 5 ? ', …' : ''}}`;
  }

  /** Members of a struct; anonymous struct/union members are shown inline, as C names them (ctx->key). */
  private fieldChildren(fields: ReadonlyArray<FieldInfo>, recordName: string | undefined, base: Pointer): Array<{ name: string; place: Place }> {
    const out: Array<{ name: string; place: Place }> = [];
    fields.forEach((f, i) => {
      const fieldPtr: Pointer = { region: base.region, offset: base.offset + f.offset };
      const rt = resolve(f.type);
      if (f.name === undefined && rt.kind === 'record') { appendAll(out, this.fieldChildren(rt.record.fields, recordName, fieldPtr)); return; }
      const name = f.name ?? `<anonymous ${i}>`;
      if (f.bitWidth !== undefined) {
        const unit = this.bytesAt(fieldPtr, 8) ?? this.bytesAt(fieldPtr, 4) ?? new Uint8Array(8);
        const raw = readInt(unit, unit.length, false) >> BigInt(f.bitOffset - f.offset * 8);
        out.push({ name, place: { kind: 'scalar', value: raw & ((1n << BigInt(f.bitWidth)) - 1n), type: f.type, typeName: typeToString(f.type) } });
        return;
      }
      const override = f.name ? this.fieldType?.(recordName, f.name) : undefined;
      out.push({ name, place: { kind: 'memory', ptr: fieldPtr, type: override !== undefined ? { kind: 'pointer', to: override } : f.type } });
    });
    return out;
  }

  private showPointer(ptr: Pointer, type: CType | undefined, typeName: string): ShownValue {
    const text = describePointer(ptr);
    const pointee = type?.kind === 'pointer' ? type.to : undefined;
    const rp = pointee ? resolve(pointee) : undefined;
    if (ptr.region === null || pointee === undefined || rp === undefined || rp.kind === 'void' || rp.kind === 'function' || sizeOfShown(rp) === 0) {
      return { value: text, type: typeName };
    }
    return { value: text, type: typeName, children: () => [{ name: `*`, place: { kind: 'memory', ptr, type: pointee } }] };
  }

  private intText(v: bigint, type: CType): string {
    if (type.kind === 'enum') {
      for (const [name, value] of type.info.values) if (value === v) return `${name} (${v})`;
    }
    if (type.kind === 'int' && type.name === '_Bool') return v !== 0n ? 'true' : 'false';
    return v.toString();
  }

  private bytesAt(ptr: Pointer, size: number): Uint8Array | null {
    const r = ptr.region;
    if (r === null || ptr.offset < 0 || ptr.offset + size > r.bytes.length) return null;
    return r.bytes.subarray(ptr.offset, ptr.offset + size);
  }
}

export function describePointer(ptr: Pointer): string {
  if (ptr.region === null) return ptr.offset === 0 ? 'NULL' : `0x${ptr.offset.toString(16)} (no memory)`;
  return `${(ptr.region as ExecRegion).label}+${ptr.offset}`;
}

function pointerAddress(p: Pointer): bigint {
  return p.region === null ? BigInt(p.offset) : (p.region as ExecRegion).addr + BigInt(p.offset);
}

export function sizeOfShown(type: CType): number {
  switch (type.kind) {
    case 'int': return type.size;
    case 'enum': return type.info.underlying.size;
    case 'pointer': return 8;
    case 'record': return type.record.size;
    case 'array': return (type.length ?? 0) * sizeOfShown(resolve(type.of));
    case 'typedef': return sizeOfShown(resolve(type));
    default: return 0;
  }
}

export function readInt(bytes: Uint8Array, size: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = Math.min(size, bytes.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return signed ? BigInt.asIntN(size * 8, v) : v;
}

/** A char array as a quoted string: its bytes up to the first NUL (see quotedBytes). */
export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return quotedBytes(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * Bytes as a quoted string that loses none of them: JSON's quoting of the text when they are valid UTF-8, else
 * C-style escapes ("\xff") for every byte outside printable ASCII, never a replacement character.
 */
export function quotedBytes(bytes: Uint8Array): string {
  try {
    return JSON.stringify(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    let out = '"';
    for (const b of bytes) {
      if (b === 0x22 || b === 0x5c) out += '\\' + String.fromCharCode(b);
      else if (b === 0x0a) out += '\\n';
      else if (b === 0x09) out += '\\t';
      else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
      else out += '\\x' + b.toString(16).padStart(2, '0');
    }
    return out + '"';
  }
}
