/** What every layer of the verifier shares: the program, options, diagnostics (each reported once), frames and loops, joining and comparing states. */

import { rememberNullSides, rememberUnassignedSides } from './nullImplication';
import type { Expr, IrProgram, Loc, Stmt } from '../ir';
import { DiagnosticMessage, FrontEndDiagnostic, formatMessage } from '../diagnostics';
import { AbsValue, PtrValue, Range, joinValue, valueEqualUpToIds } from './domain';
import { AccessMax, AccessTracker, AttachMapInfo } from './accessSize';
import { cloneState, isLoadKey, type State, type ReturnSite, type Frame, type LoopCtx } from './abstractState';

export interface AnalysisOptions {
  /** Iterator target: a name of kernel/iterTargets.ts ITER_TARGETS. */
  target: string;
  attachMap?: AttachMapInfo;
  cpus: number;
  gplCompatible: boolean;
  /** SEC("iter.s/..."): may call might_sleep helpers. */
  sleepable?: boolean;
  /** struct bpf_map field names by offset, for messages. */
  fieldNames?: Record<number, string>;
  /** Extern functions (outside .ksyms) another unit of the project defines, with its path: bpftool gen object resolves them. */
  linkedFunctions?: Readonly<Record<string, string>>;
}

export abstract class VerifierState {
  // Provided by the layers above (see memoryAccess, conditions, expressions, helperCalls, controlFlow, verifier).
  abstract eval(e: Expr, state: State): AbsValue;
  protected abstract funcValue(e: Extract<Expr, { op: 'funcAddr' }>): PtrValue;
  protected abstract reusedLoadKey(e: Extract<Expr, { op: 'loadPtr' }>): string | undefined;
  protected abstract reusedScalarLoadKey(e: Extract<Expr, { op: 'load' }>): string | undefined;
  protected abstract slotKey(p: PtrValue): string;
  protected abstract evalHelper(e: Extract<Expr, { op: 'callHelper' }>, state: State): AbsValue;
  protected abstract callFunction(index: number, args: AbsValue[], state: State, callLoc: Loc): ReturnSite[];
  abstract execStmt(s: Stmt, state: State | null): State | null;

  readonly diagnostics: FrontEndDiagnostic[] = [];
  protected readonly seen = new Set<string>();
  protected readonly tracker: AccessTracker;
  get maxRdonly(): AccessMax { return this.tracker.rdonly; }
  get maxRdwr(): AccessMax { return this.tracker.rdwr; }
  protected reporting = true;
  protected nextId = 1;
  protected steps = 0;
  protected frames: Frame[] = [];
  protected loops: LoopCtx[] = [];

  constructor(protected readonly program: IrProgram, protected readonly options: AnalysisOptions) {
    this.tracker = new AccessTracker(options.attachMap);
  }

  protected freshId = (): number => this.nextId++;

  /** Sides of `if` statements, or exits of a loop, being walked apart now (controlFlow.ts execStatements()). */
  protected splitDepth = 0;

  report(m: DiagnosticMessage, loc: Loc, args: Array<string | number | bigint>, related?: FrontEndDiagnostic['related']): void {
    if (!this.reporting) return;
    const message = formatMessage(m.message, args);
    const key = `${m.code}:${loc.file}:${loc.pos}:${loc.end}:${message}`;
    if (this.seen.has(key)) return;
    // paths walked apart say one thing each at a place, where a joined walk said it once; the verifier stops at the
    // first path it refuses: the first one's words are kept
    const place = `${m.code}:${loc.file}:${loc.pos}:${loc.end}`;
    if (this.splitDepth > 0 && this.seen.has(place)) return;
    this.seen.add(key);
    this.seen.add(place);
    this.diagnostics.push({ code: m.code, category: m.category, message, file: loc.file, pos: loc.pos, end: loc.end, ...(related ? { related } : {}) });
  }

  protected key(id: number): string { return `${this.frames.length - 1}:${id}`; }

  joinStates(a: State | null, b: State | null): State | null {
    if (!a) return b;
    if (!b) return a;
    const out = cloneState(a);
    for (const [k, v] of a.locals) {
      const w = b.locals.get(k);
      out.locals.set(k, w === undefined ? v : joinValue(v, w, this.freshId));
    }
    for (const [k, v] of b.locals) if (!a.locals.has(k)) out.locals.set(k, v);
    rememberNullSides(out, a, b);
    // a load clang reuses must have been made on every path to here
    for (const k of [...out.locals.keys()]) if (isLoadKey(k) && !(a.locals.has(k) && b.locals.has(k))) out.locals.delete(k);
    rememberUnassignedSides(out, a, b);
    for (const k of b.unassigned) out.unassigned.add(k);
    // an iterator active on either path is active after the merge (the path that leaks it is reported)
    for (const [k, v] of b.iters) {
      const mine = out.iters.get(k);
      if (!mine || (v.rcuEnded && !mine.rcuEnded) || (v.reported && !mine.reported)) out.iters.set(k, v);
    }
    // the same for kfunc references
    for (const [k, v] of b.refs) if (!out.refs.has(k)) out.refs.set(k, v);
    if (a.rcuLocked !== b.rcuLocked) out.rcuLocked = undefined;
    for (const [k, slot] of a.stack) {
      const other = b.stack.get(k);
      if (!other) continue;
      const o = out.stack.get(k)!;
      for (let i = 0; i < o.init.length; i++) o.init[i] = slot.init[i] & (other.init[i] ?? 0);
      for (const [off, v] of slot.spills) {
        const w = other.spills.get(off);
        if (w === undefined) o.spills.delete(off); else o.spills.set(off, joinValue(v, w, this.freshId));
      }
    }
    return out;
  }

  protected statesEqual(a: State, b: State): boolean {
    if (a.locals.size !== b.locals.size || a.unassigned.size !== b.unassigned.size || a.iters.size !== b.iters.size) return false;
    if (a.refs.size !== b.refs.size || a.rcuLocked !== b.rcuLocked) return false;
    for (const [k, v] of a.iters) { const w = b.iters.get(k); if (!w || !v.rcuEnded !== !w.rcuEnded || !v.reported !== !w.reported) return false; }
    const ids = new Map<number, number>(), back = new Map<number, number>();
    for (const [k, v] of a.locals) { const w = b.locals.get(k); if (!w || !valueEqualUpToIds(v, w, ids, back)) return false; }
    for (const [k, v] of a.stack) {
      const w = b.stack.get(k);
      if (!w) return false;
      for (let i = 0; i < v.init.length; i++) if (v.init[i] !== w.init[i]) return false;
      if (v.spills.size !== w.spills.size) return false;
    }
    return true;
  }

  protected peek(id: number, s: State): Range | undefined {
    const v = s.locals.get(this.key(id));
    return v && v.kind === 'scalar' ? v.range : undefined;
  }

  /** Range of an expression without side effects or diagnostics. */
  protected peekExpr(e: Expr, s: State): Range | undefined {
    const saved = this.reporting;
    this.reporting = false;
    const v = this.eval(e, cloneState(s));
    this.reporting = saved;
    return v.kind === 'scalar' ? v.range : undefined;
  }
}
