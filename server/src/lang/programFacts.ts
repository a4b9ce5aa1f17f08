/**
 * Facts of a lowered object that the loader, the debugger and the editor read from the analysis
 * (service/analysis.ts), computed once there instead of in each of them.
 */
import type { Expr, IrProgram, Stmt } from './ir';
import { forEachChild, forEachStmtChild } from './irWalk';
import { internalMapName } from './objectName';

/** A global-data section as libbpf loads it: one single-element array map named by internal_map_name(). */
export interface DataSection { name: string; size: number; mapName: string }

/** Global-data sections in the order clang emits them (by first definition, string literals last), empty ones left out. */
export function dataSections(ir: IrProgram, objectName: string): DataSection[] {
  const order: string[] = [];
  for (const g of ir.globals) if (!order.includes(g.section)) order.push(g.section);
  for (const s of ir.sections) if (!order.includes(s.name)) order.push(s.name);
  const strIndex = order.indexOf('.rodata.str1.1');
  if (strIndex >= 0) { order.splice(strIndex, 1); order.push('.rodata.str1.1'); }
  return order.map((name) => ({ name, size: ir.sections.find((s) => s.name === name)?.size ?? 0, mapName: internalMapName(objectName, name) }))
    .filter((s) => s.size > 0);
}

/** The object's maps (by `.maps` name or data section name) that the entry program and its callees refer to. */
export function usedMapNames(ir: IrProgram, entryIndex: number): Set<string> {
  const used = new Set<string>();
  const visited = new Set<number>();
  const pending = [entryIndex];
  for (let index = pending.pop(); index !== undefined; index = pending.pop()) {
    if (visited.has(index)) continue;
    visited.add(index);
    const fn = ir.functions[index];
    if (!fn) continue;
    const uses = usesOf(fn.body);
    for (const name of uses.maps) used.add(name);
    pending.push(...uses.callees);
  }
  return used;
}

/**
 * The maps and sections one lowered body names, and the functions it calls or passes as callbacks, by body (IR is
 * never changed once lowered; a reused function is the same object, lower/reuse.ts).
 */
const usesByBody = new WeakMap<Stmt, { maps: string[]; callees: number[] }>();

function usesOf(body: Stmt): { maps: string[]; callees: number[] } {
  const known = usesByBody.get(body);
  if (known) return known;
  const maps = new Set<string>();
  const callees: number[] = [];
  const visitExpr = (e: Expr): void => {
    if (e.op === 'addr') {
      if (e.base.kind === 'map') maps.add(e.base.name);
      else if (e.base.kind === 'global') maps.add(e.base.section);
      else if (e.base.kind === 'string') maps.add('.rodata.str1.1');
    }
    if (e.op === 'call') callees.push(e.func);
    // a callback passed to bpf_loop()/bpf_for_each_map_elem() is code of the program too
    if (e.op === 'funcAddr' && e.target.kind === 'subprog') callees.push(e.target.func);
    if (e.op === 'stmtExpr') { visitStmt(e.body); if (e.value) visitExpr(e.value); }
    forEachChild(e, visitExpr);
  };
  const visitStmt = (st: Stmt): void => forEachStmtChild(st, visitStmt, visitExpr);
  visitStmt(body);
  const uses = { maps: [...maps], callees };
  usesByBody.set(body, uses);
  return uses;
}
