/** Builds IR by hand for executor tests. Every node gets a distinct loc (pos = a running counter) so faults can be matched to nodes. */
import type {
  AddressBase, BinaryOp, Expr, IntType, IrFunction, IrProgram, IrType, Loc, Local, PtrType, ScalarType, StackSlot, Stmt, UnaryOp,
} from '../../../server/src/lang/ir';
import { makeRegion, type ExecEnv, type HelperTable } from '../../../server/src/exec/memory';
import type { ExecMemory, ExecRegion, Pointer } from '../../../server/src/exec/values';

let counter = 0;
export function loc(): Loc { counter++; return { file: 0, pos: counter, end: counter + 1 }; }

export const ptrT = (pointeeSize = 1, cName = 'void *'): PtrType => ({ kind: 'ptr', pointeeSize, cName });
export const int = (bits: 8 | 16 | 32 | 64, signed: boolean): IntType => ({ kind: 'int', bits, signed });

export const c = (value: bigint | number, type: IntType): Expr => ({ op: 'const', type, value: BigInt(value), loc: loc() });
export const nul = (type: PtrType = ptrT()): Expr => ({ op: 'null', type, loc: loc() });
export const param = (index: number, type: ScalarType): Expr => ({ op: 'param', index, type, loc: loc() });
export const local = (id: number, type: ScalarType): Expr => ({ op: 'local', id, type, loc: loc() });
export const assign = (id: number, value: Expr, type: ScalarType = value.type as ScalarType): Expr => ({ op: 'assign', id, value, type, loc: loc() });
export const addr = (base: AddressBase, type: PtrType = ptrT()): Expr => ({ op: 'addr', base, type, loc: loc() });
export const load = (ptr: Expr, offset: number, type: IntType): Expr => ({ op: 'load', ptr, offset, type, loc: loc() });
export const loadPtr = (ptr: Expr, offset: number, type: PtrType = ptrT()): Expr => ({ op: 'loadPtr', ptr, offset, type, loc: loc() });
export const store = (ptr: Expr, offset: number, size: 1 | 2 | 4 | 8, value: Expr): Expr =>
  ({ op: 'store', ptr, offset, size, value, type: value.type as ScalarType, loc: loc() });
export const copy = (dst: Expr, src: Expr, size: number): Expr => ({ op: 'copy', dst, src, size, type: { kind: 'void' }, loc: loc() });
export const fill = (dst: Expr, byte: number, size: number): Expr => ({ op: 'fill', dst, byte, size, type: { kind: 'void' }, loc: loc() });
export const bin = (kind: BinaryOp, left: Expr, right: Expr, type: IntType = left.type as IntType): Expr => ({ op: 'binary', kind, left, right, type, loc: loc() });
export const un = (kind: UnaryOp, operand: Expr, type: IntType = operand.type as IntType): Expr => ({ op: 'unary', kind, operand, type, loc: loc() });
export const conv = (operand: Expr, type: IntType): Expr => ({ op: 'convert', operand, type, loc: loc() });
export const ptrAdd = (ptr: Expr, index: Expr, scale: number): Expr => ({ op: 'ptrAdd', ptr, index, scale, type: ptr.type as PtrType, loc: loc() });
export const ptrDiff = (left: Expr, right: Expr, scale: number): Expr => ({ op: 'ptrDiff', left, right, scale, type: int(64, true), loc: loc() });
export const ptrCmp = (kind: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', left: Expr, right: Expr): Expr => ({ op: 'ptrCompare', kind, left, right, type: int(32, true), loc: loc() });
export const ptrToInt = (operand: Expr): Expr => ({ op: 'ptrToInt', operand, type: int(64, false), loc: loc() });
export const intToPtr = (operand: Expr, type: PtrType = ptrT()): Expr => ({ op: 'intToPtr', operand, type, loc: loc() });
export const ptrCast = (operand: Expr, type: PtrType): Expr => ({ op: 'ptrCast', operand, type, loc: loc() });
export const logical = (kind: 'and' | 'or', left: Expr, right: Expr): Expr => ({ op: 'logical', kind, left, right, type: int(32, true), loc: loc() });
export const cond = (test: Expr, then: Expr, els: Expr): Expr => ({ op: 'conditional', test, then, else: els, type: then.type as ScalarType, loc: loc() });
export const seq = (first: Expr, second: Expr): Expr => ({ op: 'sequence', first, second, type: second.type, loc: loc() });
export const helper = (name: string, args: Expr[], type: IrType = int(64, false)): Expr => ({ op: 'callHelper', name, helperId: 0, args, type, loc: loc() });
export const call = (func: number, args: Expr[], type: IrType): Expr => ({ op: 'call', func, args, type, loc: loc() });

export const expr = (e: Expr): Stmt => ({ op: 'expr', expr: e, loc: loc() });
export const block = (...body: Stmt[]): Stmt => ({ op: 'block', body, loc: loc() });
export const iff = (test: Expr, then: Stmt, els?: Stmt): Stmt => ({ op: 'if', test, then, else: els, loc: loc() });
export const loop = (parts: { init?: Stmt; test?: Expr; update?: Expr; body: Stmt; testFirst?: boolean; label?: number }): Stmt =>
  ({ op: 'loop', init: parts.init, test: parts.test, update: parts.update, body: parts.body, testFirst: parts.testFirst ?? true, label: parts.label, loc: loc() });
export const brk = (label?: number): Stmt => ({ op: 'break', label, loc: loc() });
export const cont = (label?: number): Stmt => ({ op: 'continue', label, loc: loc() });
export const ret = (value?: Expr): Stmt => ({ op: 'return', value, loc: loc() });
export const sw = (test: Expr, cases: Array<{ values: Array<bigint | number> | 'default'; body: Stmt[] }>): Stmt =>
  ({ op: 'switch', test, cases: cases.map((k) => ({ values: k.values === 'default' ? 'default' : k.values.map(BigInt), body: k.body, loc: loc() })), loc: loc() });
export const decl = (id: number, init?: Expr): Stmt => ({ op: 'declare', id, init, loc: loc() });

export interface FuncSpec {
  name?: string;
  params?: ScalarType[];
  locals?: Array<{ type?: ScalarType; slotSize?: number; name?: string }>;
  returnType?: IrType;
  body: Stmt;
}

/** A function whose locals 0..n-1 are the params then the listed locals; slot locals get slots laid out in order. */
export function func(index: number, spec: FuncSpec): IrFunction {
  const locals: Local[] = [];
  const slots: StackSlot[] = [];
  let offset = 0;
  const params = spec.params ?? [];
  params.forEach((type, i) => locals.push({ id: i, name: `p${i}`, cType: 'long', type, isParam: true, loc: loc() }));
  (spec.locals ?? []).forEach((l, i) => {
    const id = params.length + i;
    if (l.slotSize !== undefined) {
      const slot = slots.length;
      offset = (offset + 7) & ~7;
      slots.push({ id: slot, offset, size: l.slotSize, align: 8, local: id });
      offset += l.slotSize;
      locals.push({ id, name: l.name ?? `s${id}`, cType: 'char[]', slot, isParam: false, loc: loc() });
    } else {
      locals.push({ id, name: l.name ?? `l${id}`, cType: 'long', type: l.type, isParam: false, loc: loc() });
    }
  });
  return {
    index, name: spec.name ?? `f${index}`, params: params.map((_, i) => i), returnType: spec.returnType ?? int(64, false),
    locals, slots, stackSize: (offset + 7) & ~7, body: spec.body, loc: loc(),
  };
}

export function program(...functions: IrFunction[]): IrProgram {
  return { entries: [{ func: 0, section: 'iter/bpf_map', target: 'bpf_map', sleepable: false }], functions, globals: [], sections: [], strings: [], maps: [], license: 'GPL' };
}

/** A tiny address space: regions at fixed addresses, found by linear search. */
export class TestMemory implements ExecMemory {
  readonly regions: ExecRegion[] = [];
  /** regions never overlap and are never freed: the JIT may remember the region of a pointer load */
  readonly generation = 0;
  private nextAddr = 0xffff888000000000n;
  alloc(size: number, label: string, readonly = false): ExecRegion {
    const r = makeRegion(this.nextAddr, size, label, readonly);
    this.nextAddr += BigInt(Math.max(size, 1) + 0x1000);
    this.regions.push(r);
    return r;
  }
  find(addr: bigint): { region: ExecRegion; offset: number } | null {
    for (const r of this.regions) if (addr >= r.addr && addr < r.addr + BigInt(r.bytes.length)) return { region: r, offset: Number(addr - r.addr) };
    return null;
  }
}

export function testEnv(memory: TestMemory, extra: Partial<ExecEnv> = {}): ExecEnv {
  const helpers: HelperTable = extra.helpers ?? ((name) => { throw new Error(`no helper ${name}`); });
  return { memory, helpers, ...extra };
}

export const ptrTo = (region: ExecRegion, offset = 0): Pointer => ({ region, offset });
