/**
 * The iterator checker: what the verifier (do_check) and bpf_iter_attach_map() would reject, on the IR.
 * Registers in the kernel's messages are printed as `R?` (clang picks them; R0 for the return value).
 */
import { appendAll } from '../arrays';
import type { IrProgram, Loc } from '../ir';
import { Diagnostics, FrontEndDiagnostic, formatMessage } from '../diagnostics';
import { Verifier, type AnalysisOptions } from './verifier';
import { findFrameClangRefuses, findStackOverflow } from './stack';
import { checkFormatCall, FormatCall } from './formats';
import { iterTargetInfo } from '../../kernel/iterTargets';

export type { AttachMapInfo } from './verifier';
export type { FormatCall, FormatArg } from './formats';
export { checkFormatCall, parseBprintfFormat } from './formats';
export { lookupHelper, iterHelperNames } from './helpers';

/** What checkProgram() needs: the verifier's options (target, attach map, license, ...) and the program's format calls. */
export interface CheckOptions extends AnalysisOptions {
  /** AST-level bpf_seq_printf calls (format string and argument C types). */
  formats?: FormatCall[];
}

export interface AttachError { errno: 'EACCES' | 'EINVAL'; message: string; loc: Loc }

export interface CheckResult {
  diagnostics: FrontEndDiagnostic[];
  maxRdonlyAccess: number;
  maxRdwrAccess: number;
  maxRdonlyLoc?: Loc;
  maxRdwrLoc?: Loc;
  attachError?: AttachError;
}


export function checkIterProgram(ir: IrProgram, entryIndex: number, options: CheckOptions): CheckResult {
  const verifier = new Verifier(ir, options);
  const diagnostics: FrontEndDiagnostic[] = [];
  try {
    verifier.run(entryIndex);
  } catch (error) {
    // analyses must not throw; if one does (or runs out of budget), keep the results so far and say so
    const loc = ir.functions[entryIndex]?.loc ?? { file: 0, pos: 0, end: 0 };
    const m = Diagnostics.CheckerInternalError;
    diagnostics.push({ code: m.code, category: m.category, message: formatMessage(m.message, [(error as Error).message]), file: loc.file, pos: loc.pos, end: loc.end });
  }
  appendAll(diagnostics, verifier.diagnostics);
  // one function's own frame reaching 512 bytes stops clang's build before any verifier sees a call chain
  const refusedFrame = findFrameClangRefuses(ir, entryIndex);
  const overflow = refusedFrame ? undefined : findStackOverflow(ir, entryIndex);
  if (refusedFrame) {
    const m = Diagnostics.FrameTooLargeForClang;
    const fn = ir.functions[refusedFrame.func];
    diagnostics.push({ code: m.code, category: m.category, file: fn.loc.file, pos: fn.loc.pos, end: fn.loc.end,
      message: formatMessage(m.message, [fn.name, refusedFrame.bytes]) });
  } else if (overflow) {
    const m = Diagnostics.StackTooLarge;
    diagnostics.push({ code: m.code, category: m.category, file: overflow.loc.file, pos: overflow.loc.pos, end: overflow.loc.end,
      message: formatMessage(m.message, [overflow.frames, overflow.depth, `combined stack size of ${overflow.frames} calls is ${overflow.depth}. Too large`]) });
  }
  for (const call of options.formats ?? []) appendAll(diagnostics, checkFormatCall(call));
  const result: CheckResult = {
    diagnostics,
    maxRdonlyAccess: verifier.maxRdonly.size,
    maxRdwrAccess: verifier.maxRdwr.size,
    ...(verifier.maxRdonly.loc ? { maxRdonlyLoc: verifier.maxRdonly.loc } : {}),
    ...(verifier.maxRdwr.loc ? { maxRdwrLoc: verifier.maxRdwr.loc } : {}),
  };
  const entry = ir.entries.find((e) => e.func === entryIndex);
  if (entry?.sleepable && iterTargetInfo(options.target)?.resched !== true) {
    // mirrors bpf_iter_link_attach(): only targets with BPF_ITER_RESCHED take sleepable programs
    const m = Diagnostics.AttachSleepableNotSupported;
    const loc = ir.functions[entryIndex]?.loc ?? { file: 0, pos: 0, end: 0 };
    const message = formatMessage(m.message, [options.target]);
    diagnostics.push({ code: m.code, category: m.category, message, file: loc.file, pos: loc.pos, end: loc.end });
    result.attachError = { errno: 'EINVAL', message, loc };
  }
  // mirrors bpf_iter_attach_map(): it compares the widest key access, then the widest value access, with the
  // map; name the widest too-wide access, as that is the one the kernel's max_rdonly/max_rdwr_access hold.
  const atWidest = (code: number, widest: Loc | undefined) => diagnostics.find((d) => d.code === code && widest !== undefined
    && d.file === widest.file && d.pos === widest.pos && d.end === widest.end) ?? diagnostics.find((d) => d.code === code);
  // a run attaches to the guessed map too (it has no other), so its refusal is the run's
  const attach = atWidest(Diagnostics.AttachKeyAccessTooLarge.code, verifier.maxRdonly.loc)
    ?? atWidest(Diagnostics.GuessedAttachKeyAccessTooLarge.code, verifier.maxRdonly.loc)
    ?? atWidest(Diagnostics.AttachValueAccessTooLarge.code, verifier.maxRdwr.loc)
    ?? atWidest(Diagnostics.GuessedAttachValueAccessTooLarge.code, verifier.maxRdwr.loc);
  if (attach && !result.attachError) result.attachError = { errno: 'EACCES', message: attach.message, loc: { file: attach.file, pos: attach.pos, end: attach.end } };
  return result;
}
