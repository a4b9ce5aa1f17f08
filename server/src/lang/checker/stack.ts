/**
 * Stack depth along call chains. Mirrors check_max_stack_depth_subprog(): each frame's stack_depth is rounded up
 * (round_up_stack_depth(): 16 bytes with the JIT) and the sum along any call chain must stay <= MAX_BPF_STACK.
 */
import type { Expr, IrProgram, Loc, Stmt } from '../ir';
import { forEachChild, forEachStmtChild } from './loops';

export const MAX_BPF_STACK = 512;

function callsOf(body: Stmt): Array<{ func: number; loc: Loc }> {
  const out: Array<{ func: number; loc: Loc }> = [];
  const ve = (e: Expr): void => { if (e.op === 'call') out.push({ func: e.func, loc: e.loc }); forEachChild(e, ve); };
  const vs = (s: Stmt): void => forEachStmtChild(s, vs, ve);
  vs(body);
  return out;
}

/** Every function `entry` may call, directly or not, itself included (what the verifier loads as subprograms). */
export function reachableFunctions(program: IrProgram, entry: number): number[] {
  const seen = new Set<number>();
  const pending = [entry];
  for (let func = pending.pop(); func !== undefined; func = pending.pop()) {
    const fn = program.functions[func];
    if (!fn || seen.has(func)) continue;
    seen.add(func);
    for (const c of callsOf(fn.body)) pending.push(c.func);
  }
  return [...seen].sort((a, b) => a - b);
}

export function roundUpStackDepth(size: number): number { return Math.ceil(Math.max(0, size) / 16) * 16; }

/** The first call chain from `entry` whose combined stack exceeds 512 bytes: frames, bytes and where. */
export function findStackOverflow(program: IrProgram, entry: number): { frames: number; depth: number; loc: Loc } | undefined {
  const visit = (func: number, depth: number, frames: number, loc: Loc, onPath: Set<number>): { frames: number; depth: number; loc: Loc } | undefined => {
    const fn = program.functions[func];
    if (!fn || onPath.has(func) || frames > 8) return undefined;
    const total = depth + roundUpStackDepth(fn.stackSize);
    if (total > MAX_BPF_STACK) return { frames, depth: total, loc };
    onPath.add(func);
    for (const c of callsOf(fn.body)) {
      const found = visit(c.func, total, frames + 1, c.loc, onPath);
      if (found) { onPath.delete(func); return found; }
    }
    onPath.delete(func);
    return undefined;
  };
  const fn = program.functions[entry];
  return fn ? visit(entry, 0, 1, fn.loc, new Set()) : undefined;
}
