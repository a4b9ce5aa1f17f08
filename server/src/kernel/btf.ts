import { KERNEL_BTF_COMPOSITE_TYPEDEFS, KERNEL_BTF_ENUM_TYPEDEFS, KERNEL_BTF_SIGNED_TYPEDEFS, KERNEL_BTF_STRUCTS } from './btfTable';

export interface BtfField {
  name: string; offset: number; size: number; typeName: string;
  bitfield?: { bitOffset: number; bitSize: number };
}
export interface BtfStruct { size: number; fields: BtfField[] }

/** Kernel BTF subset the executor relocates against by field name, as libbpf CO-RE does. */
export const kernelBtf = KERNEL_BTF_STRUCTS;

export function btfField(struct: string, field: string): BtfField {
  const s = KERNEL_BTF_STRUCTS[struct];
  const f = s?.fields.find((x) => x.name === field);
  if (!f) throw new Error(`kernel BTF has no field ${struct}.${field}`);
  return f;
}
export { KERNEL_BTF_RELEASE } from './btfTable';

/**
 * The shape of a kernel field's BTF type, as libbpf's bpf_core_fields_are_compat() and bpf_core_calc_field_relo()
 * look at it: pointers and integers (with BTF_INT_SIGNED or not) may change size, composites match by kind only,
 * arrays by element. `struct` names the kernel struct when this table describes it, so accesses can go deeper.
 */
export type BtfTypeShape =
  | { kind: 'int'; signed: boolean }
  | { kind: 'enum' }
  | { kind: 'ptr' }
  | { kind: 'array'; elem: BtfTypeShape; count: number }
  | { kind: 'composite'; struct?: string };

/** Integer typedefs of the kernel whose BTF encoding is BTF_INT_SIGNED (the rest of this table's integers are not). */
const SIGNED_KERNEL_INTS = new Set(['int', 'long', 'long long', 'short', 'signed char', 's8', 's16', 's32', 's64', 'loff_t', 'ssize_t', ...KERNEL_BTF_SIGNED_TYPEDEFS]);
/** Typedefs of structs in this table's fields that the table itself does not describe. */
const COMPOSITE_TYPEDEFS = new Set(['spinlock_t', 'atomic_long_t', 'refcount_t', ...KERNEL_BTF_COMPOSITE_TYPEDEFS]);
/** Typedefs of enums in this table's fields (socket_state): an enum for bpf_core_fields_are_compat(), not an integer. */
const ENUM_TYPEDEFS = new Set(KERNEL_BTF_ENUM_TYPEDEFS);

export function btfTypeShape(typeName: string): BtfTypeShape {
  const name = typeName.replace(/\b(const|volatile)\s+/g, '').trim();
  if (name.endsWith('*')) return { kind: 'ptr' };
  const array = /^(.*)\[(\d+)\]$/.exec(name);
  if (array) return { kind: 'array', elem: btfTypeShape(array[1]), count: Number(array[2]) };
  const tagged = /^(struct|union) (.+)$/.exec(name);
  if (tagged) return { kind: 'composite', struct: KERNEL_BTF_STRUCTS[tagged[2]] ? tagged[2] : undefined };
  if (name.startsWith('enum ') || ENUM_TYPEDEFS.has(name)) return { kind: 'enum' };
  if (KERNEL_BTF_STRUCTS[name]) return { kind: 'composite', struct: name };
  if (COMPOSITE_TYPEDEFS.has(name)) return { kind: 'composite' };
  return { kind: 'int', signed: SIGNED_KERNEL_INTS.has(name) };
}
