/**
 * What a debugger sees of a running program. The interpreter (never the generated JS) calls
 * `onStatement` before every statement when hooks are given; without hooks the check is one
 * `undefined` test per statement. Frames expose the function, arguments, scalar locals by id and the
 * frame's stack bytes, so a debug adapter can show variables (slot locals are read from `stackBytes`
 * at `slot.offset`) and decide where to stop (breakpoints by `stmt.loc`, step over/into/out by
 * comparing `frames.length` with the depth at which the step started).
 *
 * The hook is synchronous: the adapter pauses by not returning (running the interpreter in a worker
 * and blocking on Atomics.wait), or returns 'abort' to stop the run with a 'cancelled' error.
 */
import type { IrFunction, Local, Stmt } from '../lang/ir';
import type { ExecRegion, RuntimeValue } from './values';

export interface Frame {
  readonly func: IrFunction;
  /** Argument values, in parameter order. */
  readonly args: ReadonlyArray<RuntimeValue>;
  /** Scalar locals by local id (slot locals live in the stack). */
  readonly locals: RuntimeValue[];
  /** Byte offset of this frame's slots in `stack`. */
  readonly base: number;
  readonly stack: ExecRegion;
}

export type HookDecision = 'continue' | 'abort';

export interface DebugHooks {
  onStatement(frame: Frame, stmt: Stmt, frames: ReadonlyArray<Frame>): HookDecision | void;
}

/** A local's current value for display: scalars from the frame, slot locals as their bytes. */
export function localValue(frame: Frame, local: Local): RuntimeValue | Uint8Array | undefined {
  if (local.slot !== undefined) {
    const slot = frame.func.slots.find((s) => s.id === local.slot);
    if (slot === undefined) return undefined;
    return frame.stack.bytes.slice(frame.base + slot.offset, frame.base + slot.offset + slot.size);
  }
  return frame.locals[local.id];
}

export type StepCommand = 'continue' | 'stepIn' | 'stepOver' | 'stepOut' | 'abort';
export type StopReason = 'entry' | 'breakpoint' | 'step';
export interface StopEvent { reason: StopReason; stmt: Stmt; frame: Frame; frames: ReadonlyArray<Frame> }

/**
 * The stepping logic of a debugger as a DebugHooks: stops on entry (optional), at breakpoints and after
 * steps, and asks `pause` what to do next. `pause` runs synchronously while the program is stopped (the
 * debug adapter blocks in it, e.g. a worker waiting on Atomics.wait for the client's next request), and
 * may inspect frames with `localValue` and evaluate with `Interpreter.evaluate`.
 * Blocks are not stopping points (they only group statements); every other statement is.
 */
export class StepController implements DebugHooks {
  private mode: Exclude<StepCommand, 'abort'>;
  private stepDepth = 0;

  constructor(
    private readonly pause: (event: StopEvent) => StepCommand,
    private readonly isBreakpoint: (stmt: Stmt) => boolean = () => false,
    stopOnEntry = false,
  ) {
    this.mode = stopOnEntry ? 'stepIn' : 'continue';
  }

  onStatement(frame: Frame, stmt: Stmt, frames: ReadonlyArray<Frame>): HookDecision {
    if (stmt.op === 'block') return 'continue';
    const depth = frames.length;
    let reason: StopReason | undefined;
    if (this.isBreakpoint(stmt)) reason = 'breakpoint';
    else if (this.mode === 'stepIn') reason = this.stepDepth === 0 ? 'entry' : 'step';
    else if (this.mode === 'stepOver' && depth <= this.stepDepth) reason = 'step';
    else if (this.mode === 'stepOut' && depth < this.stepDepth) reason = 'step';
    if (reason === undefined) return 'continue';
    const command = this.pause({ reason, stmt, frame, frames });
    if (command === 'abort') return 'abort';
    this.mode = command;
    this.stepDepth = depth;
    return 'continue';
  }
}
