/**
 * bpf_seq_printf and bpf_snprintf format rules: exactly the grammar bpf_bprintf_prepare() accepts (kernel/bpf/helpers.c), plus
 * clang -Wformat-like width warnings. The integrator passes the AST-level format and argument C types.
 */
import { Diagnostics, FrontEndDiagnostic, DiagnosticMessage, formatMessage } from '../diagnostics';
import type { Loc } from '../ir';

/**
 * `widened`: an integer the code cast to a 64-bit slot itself (`args[0] = (__u64)pid`), right for %d and %lld alike.
 * `pointerCast`: a pointer the code cast to a 64-bit integer (`(long)ptr`), right for %s and %p, and for %lx too.
 */
export interface FormatArg { cType: string; bits: number; signed: boolean; isPointer: boolean; widened?: boolean; pointerCast?: boolean; loc: Loc }
/** A call of a helper that formats like the kernel's bstr_printf(), with its format and its arguments as written. */
/**
 * args: the values as written, by their index in the u64 array (a hole where the value is not known: an element
 * written in a loop); argCount: how many the call passes (data_len / 8) when data_len is a constant, else args' length.
 */
export interface FormatCall { helper: FormatHelper; format: string | null; args: ReadonlyArray<FormatArg | undefined>; argCount?: number; loc: Loc }

/**
 * bpf_seq_printf reads its format when it runs (a bad one makes that call return -EINVAL); the verifier checks
 * bpf_snprintf's when the program loads (check_bpf_snprintf_call()).
 */
export type FormatHelper = 'bpf_seq_printf' | 'bpf_snprintf';

/** MAX_BPRINTF_VARARGS */
export const MAX_BPRINTF_VARARGS = 12;

export interface Conversion {
  text: string;
  kind: 'int32' | 'int64' | 'char' | 'string' | 'pointer' | 'ipPointer';
  /** Letters and digits right after a %p conversion: bstr_printf() skips them (`%pI6c` prints no `c`). */
  dropped?: string;
}

export type ParsedFormat = { ok: true; conversions: Conversion[] } | { ok: false; problem: string; nonPrintable?: number };

function isPunctOrSpaceOrEnd(c: string | undefined): boolean {
  return c === undefined || /[\s!-\/:-@[-`{-~]/.test(c);
}

/** Mirrors bpf_bprintf_prepare(): which conversions take an argument, or why the format is refused. */
export function parseBprintfFormat(fmt: string): ParsedFormat {
  const conversions: Conversion[] = [];
  for (let i = 0; i < fmt.length; i++) {
    const code = fmt.charCodeAt(i);
    if (!((code >= 0x20 && code < 0x7f) || (code >= 9 && code <= 13))) return { ok: false, problem: `character code ${code}`, nonPrintable: code };
    if (fmt[i] !== '%') continue;
    const start = i;
    if (fmt[i + 1] === '%') { i++; continue; }
    i++;
    while (i < fmt.length && '0+- '.includes(fmt[i])) i++;
    if (fmt[i] >= '1' && fmt[i] <= '9') while (fmt[i] >= '0' && fmt[i] <= '9') i++;
    const rest = fmt.slice(i);
    const spec = (n: number) => fmt.slice(start, i + n);
    if (fmt[i] === 'p') {
      const m = /^p(ks|us|i4|I4|i6|I6|K|x|s|S|B)?/.exec(rest)!;
      const suffix = m[1];
      if (!suffix && !isPunctOrSpaceOrEnd(fmt[i + 1])) return { ok: false, problem: `"${spec(2)}" is not a pointer format the kernel knows` };
      const kind = suffix && /^[iI][46]$/.test(suffix) ? 'ipPointer' : suffix === 'ks' || suffix === 'us' ? 'string' : 'pointer';
      // %pks and %pus are strings, checked as %s is
      if (kind === 'string' && !isPunctOrSpaceOrEnd(fmt[i + m[0].length])) {
        return { ok: false, problem: `"${spec(m[0].length + 1)}": %p${suffix} must be followed by whitespace, punctuation or the end` };
      }
      const text = spec(m[0].length);
      i += m[0].length - 1;
      const dropped = /^[A-Za-z0-9]*/.exec(fmt.slice(i + 1))![0];
      conversions.push(dropped ? { text, kind, dropped } : { text, kind });
      i += dropped.length;
      continue;
    }
    if (fmt[i] === 's') {
      if (!isPunctOrSpaceOrEnd(fmt[i + 1])) return { ok: false, problem: `"${spec(2)}": %s must be followed by whitespace, punctuation or the end` };
      conversions.push({ text: spec(1), kind: 'string' });
      continue;
    }
    if (fmt[i] === 'c') { conversions.push({ text: spec(1), kind: 'char' }); continue; }
    let longs = 0;
    while (fmt[i] === 'l' && longs < 2) { longs++; i++; }
    if (fmt[i] !== undefined && 'diuxX'.includes(fmt[i])) {
      conversions.push({ text: spec(1), kind: longs > 0 ? 'int64' : 'int32' });
      continue;
    }
    return { ok: false, problem: `"${fmt.slice(start, Math.min(fmt.length, i + 1))}" is not a conversion the kernel accepts` };
  }
  return { ok: true, conversions };
}

function diag(m: DiagnosticMessage, loc: Loc, args: Array<string | number>): FrontEndDiagnostic {
  return { code: m.code, category: m.category, message: formatMessage(m.message, args), file: loc.file, pos: loc.pos, end: loc.end };
}

/** The diagnostics for one BPF_SEQ_PRINTF / bpf_seq_printf or BPF_SNPRINTF / bpf_snprintf call. */
export function checkFormatCall(call: FormatCall): FrontEndDiagnostic[] {
  const out: FrontEndDiagnostic[] = [];
  if (call.format === null) return [diag(Diagnostics.FormatNotConstant, call.loc, [call.helper])];
  const argCount = call.argCount ?? call.args.length;
  // mirrors bpf_seq_printf() / bpf_snprintf(): data_len > MAX_BPRINTF_VARARGS * 8 is -EINVAL when the call runs
  if (argCount > MAX_BPRINTF_VARARGS) out.push(diag(Diagnostics.FormatTooManyArguments, call.loc, [call.helper, argCount]));
  const parsed = parseBprintfFormat(call.format);
  // mirrors check_bpf_snprintf_call(): bpf_bprintf_prepare() on the format at load time
  const refusedAtLoad = call.helper === 'bpf_snprintf';
  if (!parsed.ok) {
    if (refusedAtLoad) {
      const why = parsed.nonPrintable !== undefined ? `it contains a character that is neither printable ASCII nor whitespace (code ${parsed.nonPrintable})` : parsed.problem;
      out.push(diag(Diagnostics.SnprintfFormatRefused, call.loc, [why]));
    } else if (parsed.nonPrintable !== undefined) out.push(diag(Diagnostics.FormatNonPrintable, call.loc, [parsed.nonPrintable]));
    else out.push(diag(Diagnostics.FormatInvalidSpecifier, call.loc, [parsed.problem]));
    return out;
  }
  if (parsed.conversions.length > argCount) {
    const counts = [parsed.conversions.length, argCount];
    out.push(refusedAtLoad
      ? diag(Diagnostics.SnprintfFormatRefused, call.loc, [`the format has ${counts[0]} conversions but only ${counts[1]} arguments`])
      : diag(Diagnostics.FormatTooFewArguments, call.loc, counts));
  }
  parsed.conversions.forEach((conv, index) => {
    const arg = call.args[index];
    if (!arg) return;
    const expected = expectedFor(conv);
    const ok = conv.kind === 'string' || conv.kind === 'pointer' || conv.kind === 'ipPointer' ? arg.isPointer
      : conv.kind === 'char' ? !arg.isPointer
      : conv.kind === 'int64' ? (!arg.isPointer && (arg.bits === 64 || arg.widened === true)) || arg.pointerCast === true
      : !arg.isPointer && arg.bits <= 32;
    if (!ok) out.push(diag(Diagnostics.FormatArgumentMismatch, arg.loc, [conv.text, expected, arg.cType]));
  });
  for (const conv of parsed.conversions) {
    if (conv.dropped === undefined) continue;
    const plain = conv.text.replace(/^%[-+ 0-9]*/, '%');
    const ipModifier = conv.kind === 'ipPointer' ? `; the address is formatted as plain ${plain}, modifiers have no effect` : '';
    out.push(diag(Diagnostics.FormatPointerSuffixDropped, call.loc, [conv.text + conv.dropped, conv.text, conv.dropped, ipModifier]));
  }
  return out;
}

function expectedFor(conv: Conversion): string {
  switch (conv.kind) {
    case 'int32': return 'a 32-bit (or narrower) integer';
    case 'int64': return 'a 64-bit integer';
    case 'char': return 'a character';
    case 'string': return 'a pointer to a string';
    default: return 'a pointer';
  }
}
