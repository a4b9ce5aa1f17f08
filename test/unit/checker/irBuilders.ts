/** A small builder for hand-written IR: every node gets a distinct loc so tests can assert exact ranges. */
import type { Expr, IrFunction, IrProgram, Loc, PtrType, Stmt, IntType, IrMapDef, StackSlot, Local } from '../../../server/src/lang/ir';
import { U32, U64, S32 } from '../../../server/src/lang/ir';

let counter = 0;
export function at(pos?: number): Loc { const p = pos ?? (counter += 10); return { file: 1, pos: p, end: p + 5 }; }
export const VOIDP: PtrType = { kind: 'ptr', pointeeSize: 0, cName: 'void *' };
export const U32P: PtrType = { kind: 'ptr', pointeeSize: 4, cName: '__u32 *' };

export const c = (value: number | bigint, type: IntType = S32, loc = at()): Expr => ({ op: 'const', type, value: BigInt(value), loc });
export const ctx = (loc = at()): Expr => ({ op: 'param', index: 0, type: VOIDP, loc });
export const lp = (ptr: Expr, offset: number, loc = at()): Expr => ({ op: 'loadPtr', ptr, offset, type: VOIDP, loc });
export const ld = (ptr: Expr, offset: number, type: IntType = U32, loc = at()): Expr => ({ op: 'load', ptr, offset, type, loc });
export const st = (ptr: Expr, offset: number, size: 1 | 2 | 4 | 8, value: Expr, loc = at()): Expr => ({ op: 'store', ptr, offset, size, value, type: U64, loc });
export const local = (id: number, type: IntType | PtrType = VOIDP, loc = at()): Expr => ({ op: 'local', id, type, loc });
export const assign = (id: number, value: Expr, type: IntType | PtrType = VOIDP, loc = at()): Expr => ({ op: 'assign', id, value, type, loc });
export const add = (ptr: Expr, index: Expr, scale = 1, loc = at()): Expr => ({ op: 'ptrAdd', ptr, index, scale, type: VOIDP, loc });
export const bin = (kind: Extract<Expr, { op: 'binary' }>['kind'], left: Expr, right: Expr, type: IntType = S32, loc = at()): Expr => ({ op: 'binary', kind, left, right, type, loc });
export const not = (operand: Expr, loc = at()): Expr => ({ op: 'unary', kind: 'lnot', operand, type: S32, loc });
export const isNull = (p: Expr, loc = at()): Expr => ({ op: 'ptrCompare', kind: 'eq', left: p, right: { op: 'null', type: VOIDP, loc: at() }, type: S32, loc });
export const notNull = (p: Expr, loc = at()): Expr => ({ op: 'ptrCompare', kind: 'ne', left: p, right: { op: 'null', type: VOIDP, loc: at() }, type: S32, loc });
export const or = (left: Expr, right: Expr, loc = at()): Expr => ({ op: 'logical', kind: 'or', left, right, type: S32, loc });
export const and = (left: Expr, right: Expr, loc = at()): Expr => ({ op: 'logical', kind: 'and', left, right, type: S32, loc });
export const cond = (test: Expr, then: Expr, els: Expr, loc = at()): Expr => ({ op: 'conditional', test, then, else: els, type: S32, loc });
export const cast = (operand: Expr, type: PtrType = U32P, loc = at()): Expr => ({ op: 'ptrCast', operand, type, loc });
export const helper = (name: string, helperId: number, args: Expr[], loc = at()): Expr => ({ op: 'callHelper', name, helperId, args, type: U64, loc });
export const mapAddr = (name: string, loc = at()): Expr => ({ op: 'addr', base: { kind: 'map', name }, type: VOIDP, loc });
export const stackAddr = (slot: number, loc = at()): Expr => ({ op: 'addr', base: { kind: 'stack', slot }, type: VOIDP, loc });
export const globalAddr = (name: string, section: string, offset = 0, loc = at()): Expr => ({ op: 'addr', base: { kind: 'global', section, offset, name }, type: VOIDP, loc });
export const copy = (dst: Expr, src: Expr, size: number, loc = at()): Expr => ({ op: 'copy', dst, src, size, type: { kind: 'void' }, loc });

export const expr = (e: Expr, loc = at()): Stmt => ({ op: 'expr', expr: e, loc });
export const block = (...body: Stmt[]): Stmt => ({ op: 'block', body, loc: at() });
export const if_ = (test: Expr, then: Stmt, els?: Stmt, loc = at()): Stmt => ({ op: 'if', test, then, ...(els ? { else: els } : {}), loc });
export const ret = (value?: Expr, loc = at()): Stmt => ({ op: 'return', ...(value ? { value } : {}), loc });
export const decl = (id: number, init?: Expr, loc = at()): Stmt => ({ op: 'declare', id, ...(init ? { init } : {}), loc });
export const loop = (parts: { init?: Stmt; test?: Expr; update?: Expr; body: Stmt; testFirst?: boolean }, loc = at()): Stmt => ({ op: 'loop', ...parts, testFirst: parts.testFirst ?? true, loc });
export const brk = (): Stmt => ({ op: 'break', loc: at() });

/** ctx->meta->seq */
export const seq = (): Expr => lp(lp(ctx(), 0), 0);

export interface ProgramParts {
  body: Stmt[];
  locals?: Array<Partial<Local> & { id: number }>;
  slots?: StackSlot[];
  stackSize?: number;
  maps?: IrMapDef[];
  extraFunctions?: IrFunction[];
  sections?: IrProgram['sections'];
  globals?: IrProgram['globals'];
  target?: string;
}

export function program(parts: ProgramParts): IrProgram {
  const locals: Local[] = (parts.locals ?? []).map((l) => ({ name: `v${l.id}`, cType: 'void *', isParam: false, loc: at(), ...l }));
  locals.unshift({ id: 0, name: 'ctx', cType: 'void *', type: VOIDP, isParam: true, loc: at() });
  const entry: IrFunction = {
    index: 0, name: 'dump', params: [0], returnType: S32, locals, slots: parts.slots ?? [], stackSize: parts.stackSize ?? 0,
    body: { op: 'block', body: parts.body, loc: at() }, loc: at(),
  };
  return {
    entries: [{ func: 0, section: `iter/${parts.target ?? 'bpf_map_elem'}`, target: parts.target ?? 'bpf_map_elem', sleepable: false }],
    functions: [entry, ...(parts.extraFunctions ?? [])],
    globals: parts.globals ?? [], sections: parts.sections ?? [], strings: [], maps: parts.maps ?? [], license: 'GPL',
  };
}

export const K = (): Expr => lp(ctx(), 16);
export const V = (): Expr => lp(ctx(), 24);
export const M = (): Expr => lp(ctx(), 8);
export { U32, U64, S32 };
