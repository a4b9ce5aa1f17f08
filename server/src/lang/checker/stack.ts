/**
 * Stack depth along call chains. Mirrors check_max_stack_depth_subprog(): each frame's stack_depth is rounded up
 * (round_up_stack_depth(): 16 bytes with the JIT) and the sum along any call chain must stay <= MAX_BPF_STACK.
 * A callback's address (bpf_pseudo_func: bpf_loop(), bpf_for_each_map_elem()...) counts as a call from the frame
 * that takes it, as the kernel walks it (measured on 6.18: main 320 + bpf_loop callback 224 bytes is refused with
 * "combined stack size of 2 calls is 544. Too large"); async callbacks (timers, workqueues) get a stack of their
 * own (subprog[].is_async_cb). Iterator programs have no private stack (bpf_enable_priv_stack() refuses
 * BPF_TRACE_ITER), so the sum along the chain applies to them.
 */
import type { Expr, IrProgram, Loc, Stmt } from '../ir';
import { forEachChild, forEachStmtChild } from '../irWalk';
import { MAX_BPF_STACK } from '../../kernel/mapTypes';
import { keptStackSize } from './stackSlices';

/** Helpers whose callback runs later on a stack of its own (check_max_stack_depth_subprog() skips is_async_cb). */
const ASYNC_CALLBACK_HELPERS = new Set(['bpf_timer_set_callback', 'bpf_wq_set_callback_impl', 'bpf_task_work_schedule_signal', 'bpf_task_work_schedule_resume']);

/**
 * The calls of a lowered body, by body: IR is never changed once lowered, and a function incremental lowering reuses
 * is the same object (lower/reuse.ts), so a file of many programs does not walk every body again at each keystroke.
 */
const callsByBody = [new WeakMap<Stmt, Array<{ func: number; loc: Loc }>>(), new WeakMap<Stmt, Array<{ func: number; loc: Loc }>>()];

function callsOf(body: Stmt, callbacks = true): ReadonlyArray<{ func: number; loc: Loc }> {
  const memo = callsByBody[callbacks ? 1 : 0];
  let calls = memo.get(body);
  if (!calls) memo.set(body, calls = walkCalls(body, callbacks));
  return calls;
}

function walkCalls(body: Stmt, callbacks: boolean): Array<{ func: number; loc: Loc }> {
  const out: Array<{ func: number; loc: Loc }> = [];
  const ve = (e: Expr): void => {
    if (e.op === 'call') out.push({ func: e.func, loc: e.loc });
    if (callbacks && e.op === 'funcAddr' && e.target.kind === 'subprog') out.push({ func: e.target.func, loc: e.loc });
    if (e.op === 'callHelper' && ASYNC_CALLBACK_HELPERS.has(e.name)) {
      for (const arg of e.args) if (arg.op !== 'funcAddr') ve(arg);
      return;
    }
    // a statement expression's body is code of this frame too (forEachChild visits expressions only)
    if (e.op === 'stmtExpr') { vs(e.body); if (e.value) ve(e.value); return; }
    forEachChild(e, ve);
  };
  const vs = (s: Stmt): void => forEachStmtChild(s, vs, ve);
  vs(body);
  return out;
}

/**
 * Every function `entry` may call, directly or not, itself included (what the verifier loads as subprograms);
 * `callbacks: false` leaves out the functions reached only as callbacks (clang never inlines those).
 */
export function reachableFunctions(program: IrProgram, entry: number, callbacks = true): number[] {
  const seen = new Set<number>();
  const pending = [entry];
  for (let func = pending.pop(); func !== undefined; func = pending.pop()) {
    const fn = program.functions[func];
    if (!fn || seen.has(func)) continue;
    seen.add(func);
    for (const c of callsOf(fn.body, callbacks)) pending.push(c.func);
  }
  return [...seen].sort((a, b) => a - b);
}

export function roundUpStackDepth(size: number): number { return Math.ceil(Math.max(0, size) / 16) * 16; }

/**
 * The first function reachable from `entry` whose own frame clang 14's BPF backend refuses: one whose slots reach 512
 * bytes below the frame pointer (BPFRegisterInfo::eliminateFrameIndex(), "Looks like the BPF stack limit of 512 bytes
 * is exceeded"; measured: a 504-byte buffer builds, 505 and 512 do not), with the frame's bytes rounded up to 8.
 */
export function findFrameClangRefuses(program: IrProgram, entry: number): { func: number; bytes: number } | undefined {
  const roundUp8 = (n: number) => Math.ceil(Math.max(0, n) / 8) * 8;
  for (const func of reachableFunctions(program, entry)) {
    const fn = program.functions[func];
    if (!fn || roundUp8(fn.stackSize) < MAX_BPF_STACK) continue;
    // over the limit as declared: judge the frame clang keeps (stackSlices.ts)
    const bytes = roundUp8(keptStackSize(program, fn));
    if (bytes >= MAX_BPF_STACK) return { func, bytes };
  }
  return undefined;
}

/** The first call chain from `entry` whose combined stack exceeds 512 bytes: frames, bytes and where. */
export function findStackOverflow(program: IrProgram, entry: number): { frames: number; depth: number; loc: Loc } | undefined {
  const visit = (func: number, depth: number, frames: number, loc: Loc, onPath: Set<number>): { frames: number; depth: number; loc: Loc } | undefined => {
    const fn = program.functions[func];
    if (!fn || onPath.has(func) || frames > 8) return undefined;
    let total = depth + roundUpStackDepth(fn.stackSize);
    // over the limit as declared: judge the frame clang keeps (stackSlices.ts), as the verifier sees it
    if (total > MAX_BPF_STACK) total = depth + roundUpStackDepth(keptStackSize(program, fn));
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
