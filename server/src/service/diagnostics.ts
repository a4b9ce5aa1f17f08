import { Diagnostic, DiagnosticSeverity, DiagnosticRelatedInformation } from 'vscode-languageserver-types';
import { FrontEndDiagnostic, DiagnosticCategory, codeString } from '../lang/diagnostics';
import { URI } from './uri';
import { computeLineStarts } from '../lang/sourceFile';
import { DOCS_BASE_URL } from './docs';

export type LspDiagnostic = Diagnostic;

/** Offset <-> position for one file's text (LSP positions: 0-based line, UTF-16 character). */
export class LineMap {
  private readonly starts: Int32Array;
  constructor(private readonly text: string) {
    this.starts = computeLineStarts(text);
  }
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (this.starts[mid] <= o) lo = mid; else hi = mid - 1; }
    return { line: lo, character: o - this.starts[lo] };
  }
  offset(pos: { line: number; character: number }): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    const lineEnd = pos.line + 1 < this.starts.length ? this.starts[pos.line + 1] : this.text.length;
    return Math.min(this.starts[pos.line] + Math.max(0, pos.character), lineEnd);
  }
  range(pos: number, end: number) { return { start: this.position(pos), end: this.position(end) }; }
}

/**
 * The LineMap of an object holding a text that does not change (a SourceFile, an Analysis), made once: a
 * diagnostic in a header must not scan the header again, nor each request the document.
 */
const lineMaps = new WeakMap<{ readonly text: string }, LineMap>();

export function lineMapOf(owner: { readonly text: string }): LineMap {
  let map = lineMaps.get(owner);
  if (!map) {
    map = new LineMap(owner.text);
    lineMaps.set(owner, map);
  }
  return map;
}

export function severityOf(category: DiagnosticCategory): DiagnosticSeverity {
  switch (category) {
    case 'error': return DiagnosticSeverity.Error;
    case 'warning': return DiagnosticSeverity.Warning;
    case 'information': return DiagnosticSeverity.Information;
    default: return DiagnosticSeverity.Hint;
  }
}

export function severityName(severity: DiagnosticSeverity | undefined): 'error' | 'warning' | 'information' | 'hint' {
  switch (severity) {
    case DiagnosticSeverity.Warning: return 'warning';
    case DiagnosticSeverity.Information: return 'information';
    case DiagnosticSeverity.Hint: return 'hint';
    default: return 'error';
  }
}

export function docsLink(code: number): string {
  return `${DOCS_BASE_URL}#${codeString(code).toLowerCase()}`;
}

export interface FileTable {
  /** Main file id. */
  main: number;
  path(file: number): string;
  lineMap(file: number): LineMap;
}

/**
 * Converts front-end diagnostics to LSP diagnostics of the main file. A diagnostic located in a header
 * (or a macro body) is shown at the main-file location that led to it, with the original place as
 * related information, so the user sees it where they can act on it.
 */
export function toLspDiagnostics(diags: ReadonlyArray<FrontEndDiagnostic>, files: FileTable,
  mainLocationOf: (d: FrontEndDiagnostic) => { pos: number; end: number } | undefined): Diagnostic[] {
  const mainMap = files.lineMap(files.main);
  const out: Diagnostic[] = [];
  for (const d of diags) {
    let range;
    const related: DiagnosticRelatedInformation[] = [];
    if (d.file === files.main) {
      range = mainMap.range(d.pos, d.end);
    } else {
      const at = mainLocationOf(d);
      range = at ? mainMap.range(at.pos, at.end) : mainMap.range(0, 0);
      related.push({ location: { uri: URI.fromPath(files.path(d.file)), range: files.lineMap(d.file).range(d.pos, d.end) }, message: 'reported here' });
    }
    for (const r of d.related ?? []) {
      related.push({ location: { uri: URI.fromPath(files.path(r.file)), range: files.lineMap(r.file).range(r.pos, r.end) }, message: r.message });
    }
    const diag: Diagnostic = {
      range,
      severity: severityOf(d.category),
      code: codeString(d.code),
      codeDescription: { href: docsLink(d.code) },
      source: 'bpf-iter',
      message: d.message,
    };
    if (related.length) diag.relatedInformation = related;
    out.push(diag);
  }
  return out;
}
