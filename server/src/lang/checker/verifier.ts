/**
 * Abstract interpretation of the structured IR, path-sensitive at branches (refinement on conditions, join at
 * merge points, widening at loop heads), reporting what do_check() in kernel/bpf/verifier.c would reject.
 * The rule families (nullness, access sizes, helpers, loops, return value, stack) hook in here.
 */

import { Diagnostics } from '../diagnostics';
import { AbsValue, TOP } from './domain';
import { initialState, type State } from './abstractState';
import { KFUNC_RELEASE_OF } from './helpers';
import { iterKind } from '../../kernel/openIters';
import { LoopUnrollingVerifier } from './unrolling';

export type { AnalysisOptions } from './verifierState';
export type { State } from './abstractState';
export { AnalysisBudgetExceeded } from './controlFlow';

export class Verifier extends LoopUnrollingVerifier {
  run(entry: number): void {
    const fn = this.program.functions[entry];
    if (!fn) return;
    const state: State = initialState();
    const ctx: AbsValue = { kind: 'ptr', region: { kind: 'ctx' }, off: 0n, varOff: null, maybeNull: false, nullId: 0, desc: 'ctx' };
    const args: AbsValue[] = [ctx, ...fn.params.slice(1).map((): AbsValue => TOP)];
    const results = this.callFunction(entry, args, state, fn.loc);
    for (const r of results) {
      if (!r.final) continue;
      this.checkReturn(r.value, r.loc);
      // mirrors check_reference_leak() at the main program's BPF_EXIT
      for (const it of r.state.iters.values()) {
        if (it.reported) continue;
        const kind = iterKind(it.kind);
        this.report(Diagnostics.IterNotDestroyed, r.loc, [it.name, 'BPF_EXIT instruction in main prog would lead to reference leak', kind.description, kind.destroyKfunc], [{ message: `${kind.newKfunc}() acquires it here`, ...it.loc }]);
      }
      // mirrors check_resource_leak(): an RCU section still open, then references still held
      if (r.state.rcuLocked === true) this.report(Diagnostics.RcuLockHeldAtExit, r.loc, ['BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region']);
      for (const ref of r.state.refs.values()) {
        this.report(Diagnostics.KfuncReferenceLeak, r.loc, [`the reference ${ref.name}() returned`, `${KFUNC_RELEASE_OF[ref.name] ?? 'its release kfunc'}()`, 'Unreleased reference id=N alloc_insn=N; BPF_EXIT instruction in main prog would lead to reference leak'], [{ message: `${ref.name}() acquires it here`, ...ref.loc }]);
      }
    }
  }
}

export type { AttachMapInfo, AccessMax } from './accessSize';
