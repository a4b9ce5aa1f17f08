/** The verifier's abstract state (values of locals, stack slots, call frames, loop contexts), its limits, and the small functions over states and IR the verifier's layers share. */

import type { IrFunction, Loc } from '../ir';
import { AbsValue } from './domain';
import type { IterKindName } from '../../kernel/openIters';

export interface ActiveIter { loc: Loc; name: string; kind: IterKindName; rcuEnded?: boolean; reported?: boolean }

interface Slot { init: Uint8Array; spills: Map<number, AbsValue> }

export interface State {
  locals: Map<string, AbsValue>;
  unassigned: Set<string>;
  stack: Map<string, Slot>;
  /**
   * Active open-coded iterators (STACK_ITER slots with a reference, as mark_stack_slots_iter() leaves them): the
   * slot's key -> where its new() kfunc acquired it and its kind (kernel/openIters.ts). `rcuEnded`: a KF_RCU_PROTECTED one
   * that a bpf_rcu_read_unlock() made PTR_UNTRUSTED; `reported`: an error about this slot was reported (the verifier
   * stops at it), so nothing more is said of it. Entries are replaced, never changed in place.
   */
  iters: Map<string, ActiveIter>;
  /**
   * References kfuncs acquired (KF_ACQUIRE: bpf_task_acquire()), keyed by the pointer's nullId: every copy of the
   * pointer carries it, and the NULL branch of its check drops it (mark_ptr_or_null_regs() releases the reference).
   */
  refs: Map<number, { loc: Loc; name: string }>;
  /**
   * Inside a bpf_rcu_read_lock() section (active_rcu_lock); undefined where paths that disagree were merged, and
   * nothing is said of the section from there on (the verifier walks those paths apart).
   */
  rcuLocked: boolean | undefined;
}

/** The state a program or a global function starts in. */
export function initialState(): State {
  return { locals: new Map(), unassigned: new Set(), stack: new Map(), iters: new Map(), refs: new Map(), rcuLocked: false };
}

/** A `return` seen while analysing a frame; `final` when it was seen in a reporting pass (not a loop fixpoint step). */
export interface ReturnSite { state: State; value: AbsValue; loc: Loc; final: boolean }
export interface Frame { index: number; fn: IrFunction; args: AbsValue[]; returns: ReturnSite[] }
/** A loop or switch being analysed: the states its break/continue statements leave with; `label` for labeled ones. */
export interface LoopCtx { breaks: State[]; continues: State[]; label?: number }

export function cloneState(s: State): State {
  const stack = new Map<string, Slot>();
  for (const [k, v] of s.stack) stack.set(k, { init: v.init.slice(), spills: new Map(v.spills) });
  return { locals: new Map(s.locals), unassigned: new Set(s.unassigned), stack, iters: new Map(s.iters), refs: new Map(s.refs), rcuLocked: s.rcuLocked };
}

/** State keys of loads clang reuses (reusedLoadKey): `<local key>@<offset>`, beside the locals' `<depth>:<id>`. */
export const LOAD_KEY = '@';
export function isLoadKey(k: string): boolean { return k.includes(LOAD_KEY); }

export function copyInto(target: State, source: State): void {
  target.iters = source.iters;
  target.refs = source.refs;
  target.rcuLocked = source.rcuLocked;
  target.locals = source.locals;
  target.unassigned = source.unassigned;
  target.stack = source.stack;
}
