import { KERNEL_BTF_STRUCTS } from './btfTable';

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
