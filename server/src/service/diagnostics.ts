import { Diagnostic, DiagnosticSeverity, DiagnosticRelatedInformation } from 'vscode-languageserver-types';
import { FrontEndDiagnostic, DiagnosticCategory, codeString } from '../lang/diagnostics';
import { URI } from './uri';
import { SourceFile } from '../lang/sourceFile';
import { DOCS_BASE_URL } from './docs';

export type LspDiagnostic = Diagnostic;

/**
 * Offset <-> LSP position (0-based line, UTF-16 character) for one text, with a range helper. The arithmetic is the
 * SourceFile's (lang/sourceFile.ts): a file of the translation unit is used as it is, any other text (the
 * document, a scenario file) gets a SourceFile of its own.
 */
export class LineMap {
  private readonly file: SourceFile;
  constructor(source: SourceFile | string) {
    this.file = typeof source === 'string' ? new SourceFile(-1, '', source) : source;
  }
  position(offset: number): { line: number; character: number } { return this.file.offsetToPosition(offset); }
  offset(pos: { line: number; character: number }): number { return this.file.positionToOffset(pos); }
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
    map = new LineMap(owner instanceof SourceFile ? owner : owner.text);
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

/** The files of a translation unit as the conversion of its diagnostics reads them. */
export interface DiagnosticFiles {
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
export function toLspDiagnostics(diags: ReadonlyArray<FrontEndDiagnostic>, files: DiagnosticFiles,
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
