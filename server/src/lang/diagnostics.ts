/**
 * Every diagnostic the front end and the checker can report, declared once with a stable code, a category
 * and a message template (like the TypeScript compiler's diagnosticMessages.json). Code refers to
 * `Diagnostics.X`; tests and the docs links use the code. `{0}`, `{1}`... are filled by `formatMessage`.
 *
 * Code ranges: BPF1000-1099 preprocessor, BPF1100-1199 parser, BPF1200-1399 types and semantics,
 * BPF2000-2999 verifier-equivalent checks, BPF3000-3999 attach/link/load (libbpf, bpf_iter_attach_map),
 * BPF4000-4999 run-time (executor, limits).
 */

export type DiagnosticCategory = 'error' | 'warning' | 'information' | 'hint';

export interface DiagnosticMessage {
  code: number;
  category: DiagnosticCategory;
  message: string;
  /** Longer plain explanation for hover and the docs page; may be empty. */
  explanation?: string;
  /** The kernel's / clang's own words, when a message mirrors them (printf-style template as they print it). */
  kernelText?: string;
}

/** A diagnostic bound to a source range: file id plus UTF-16 offsets in that file's text. */
export interface FrontEndDiagnostic {
  code: number;
  category: DiagnosticCategory;
  message: string;
  file: number;
  pos: number;
  end: number;
  /** Extra locations (e.g. the map definition whose key_size an access exceeds). */
  related?: Array<{ file: number; pos: number; end: number; message: string }>;
}

export function formatMessage(template: string, args: ReadonlyArray<string | number | bigint>): string {
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

function d(code: number, category: DiagnosticCategory, message: string, extra: Partial<DiagnosticMessage> = {}): DiagnosticMessage {
  return { code, category, message, ...extra };
}

export const Diagnostics = {
  // ---- BPF1000-1099: preprocessor ----

  // ---- end of preprocessor diagnostics ----

  // ---- BPF1100-1199: parser ----

  // ---- end of parser diagnostics ----

  // ---- BPF1200-1399: types and semantics ----

  // ---- end of types and semantics diagnostics ----

  // ---- BPF2000-2999: verifier-equivalent checks ----

  // ---- end of verifier diagnostics ----

  // ---- BPF3000-3999: load, attach and link ----

  // ---- end of attach diagnostics ----

  // ---- BPF4000-4999: run time and limits ----

  // ---- end of run-time diagnostics ----
} satisfies Record<string, DiagnosticMessage>;

export type DiagnosticKey = keyof typeof Diagnostics;

/** Formats `"BPF1234"` from a numeric code, the form shown to users and used in docs links. */
export function codeString(code: number): string {
  return `BPF${code}`;
}

// Keep `d` referenced while sections are empty; every entry is built with it.
void d;
