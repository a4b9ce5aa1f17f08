/**
 * The host functions generated code calls (faults, budget refills, helper calls, frame entry, address resolution):
 * each receives a loc index into the compiler's table, never text, and shares its wording with the interpreter.
 */
import type { AddressBase, Expr, IrProgram, Loc } from '../../lang/ir';
import { blockLength, checkBlock } from '../interpreter';
import { helperFailure, type RunRuntime } from '../memory';
import {
  ExecError, NULL_POINTER, accessFault, addressOf, offsetPointer,
  type ExecRegion, type Pointer,
} from '../values';

/** The per-program state the host functions read: the current run's runtime and the resolved static addresses. */
export interface HostState { rt: RunRuntime; statics: Array<Pointer | undefined> }

/** What generated code is compiled against: the tables a loc, static or helper-call index refers to. */
export interface CompiledTables {
  readonly ir: IrProgram;
  readonly locs: ReadonlyArray<Loc>;
  readonly statics: ReadonlyArray<AddressBase>;
  readonly helperCalls: ReadonlyArray<Expr & { op: 'callHelper' }>;
}

export type HostName =
  | 'asU' | 'asI' | 'big' | 'num' | 'refill' | 'fault' | 'enterFail' | 'stat' | 'resolve'
  | 'offPtr' | 'helperFail' | 'helperResult' | 'copy' | 'fill' | 'badCall' | 'nullPtr' | 'addrOf' | 'resolveParts';


/** The order in which the host functions are passed to the generated module's factory. */
export const HOST_ORDER: ReadonlyArray<HostName> = ['asU', 'asI', 'big', 'num', 'refill', 'fault', 'enterFail', 'stat', 'resolve', 'offPtr', 'helperFail', 'helperResult', 'copy', 'fill', 'badCall', 'nullPtr', 'addrOf', 'resolveParts'];

export function makeHost(state: HostState, c: CompiledTables): Record<HostName, unknown> {
  const locs = c.locs;
  return {
    asU: BigInt.asUintN,
    asI: BigInt.asIntN,
    big: BigInt,
    num: Number,
    refill: (k: number) => state.rt.budget.refill(locs[k]),
    fault: (k: number, r: ExecRegion | null, o: number, size: number, write: boolean) => accessFault(locs[k], r, o, size, write),
    enterFail: (size: number, f: number, k: number, top: number, depth: number) => {
      state.rt.stackTop = top;
      state.rt.callDepth = depth;
      state.rt.enterFrame(size, c.ir.functions[f].name, locs[k]);
      return new ExecError('fault', 'frame entry refused', locs[k]);
    },
    stat: (i: number, k: number) => {
      let p = state.statics[i];
      if (p === undefined) {
        p = state.rt.staticAddress(c.statics[i] as Exclude<AddressBase, { kind: 'stack' }>, locs[k]);
        state.statics[i] = p;
      }
      return p;
    },
    resolve: (addr: bigint) => state.rt.resolver.resolve(addr),
    // a pointer loaded from memory: its u32 halves, resolved without a BigInt (the same answer as resolve())
    resolveParts: (lo: number, hi: number) => state.rt.resolver.resolveParts(lo, hi),
    offPtr: offsetPointer,
    helperFail: (i: number, e: unknown) => helperFailure(c.helperCalls[i].name, e, c.helperCalls[i].loc),
    helperResult: (i: number, r: unknown) => state.rt.helperResult(c.helperCalls[i].name, r, c.helperCalls[i].type, c.helperCalls[i].loc),
    // a bigint size is a run-time length (IR `copy.length`), a number the constant one
    copy: (k: number, dr: ExecRegion | null, dO: number, sr: ExecRegion | null, sO: number, length: number | bigint) => {
      const size = typeof length === 'bigint' ? blockLength(length, locs[k]) : length;
      const dst = { region: dr, offset: dO };
      const src = { region: sr, offset: sO };
      checkBlock(dst, size, true, locs[k]);
      checkBlock(src, size, false, locs[k]);
      dr!.bytes.set(sr!.bytes.subarray(sO, sO + size), dO);
    },
    fill: (k: number, dr: ExecRegion | null, dO: number, byte: number, length: number | bigint) => {
      const size = typeof length === 'bigint' ? blockLength(length, locs[k]) : length;
      checkBlock({ region: dr, offset: dO }, size, true, locs[k]);
      dr!.bytes.fill(byte & 0xff, dO, dO + size);
    },
    badCall: (k: number, f: number) => new ExecError('fault', `call of unknown function #${f}`, locs[k]),
    nullPtr: NULL_POINTER,
    addrOf: (p: Pointer) => addressOf(p.region, p.offset),
  };
}
