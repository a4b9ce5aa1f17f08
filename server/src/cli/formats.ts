/**
 * The report formats of `bpf-iter check`: `text` (clang's layout: location, severity, message, then the source
 * line with a caret and tildes under the range, in clang's colours on a terminal), `json` (the files and their
 * LSP diagnostics), `sarif` (SARIF 2.1.0, as GitHub code scanning reads it) and `github` (workflow commands, so
 * diagnostics show on a pull request's lines). Each is a pure function of the checked files: printing only.
 */
import * as path from 'path';
import { Diagnostics, DiagnosticMessage, codeString } from '../lang/diagnostics';
import { severityName, LspDiagnostic, docsLink } from '../service/diagnostics';
import { URI } from '../service/uri';

export type ReportFormat = 'text' | 'json' | 'sarif' | 'github';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'github'];

/** One checked file: where it is, how to show its path, its text (for source lines) and what was found. */
export interface CheckedFile {
  /** Absolute path. */
  path: string;
  /** The path as the user named it (or relative to the folder checked). */
  display: string;
  text: string;
  diagnostics: LspDiagnostic[];
  /** Why the file could not be read, when it could not. */
  readError?: string;
}

/** The plain text of a diagnostic's message (LSP allows markup; ours are plain). */
function messageText(d: LspDiagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

// ---- text ----

/** The escape sequences clang uses (bold, bold red errors, bold magenta warnings, bold green carets). */
const STYLE = {
  reset: '\x1b[0m', bold: '\x1b[1m', error: '\x1b[0;1;31m', warning: '\x1b[0;1;35m', note: '\x1b[0;1;30m', caret: '\x1b[0;1;32m',
};

/** One diagnostic in clang's layout: `file:line:col: severity: message [code]`, the source line, the caret line. */
export function formatTextDiagnostic(display: string, text: string, d: LspDiagnostic, color: boolean): string {
  const { line, character } = d.range.start;
  const sourceLine = sourceLineAt(text, line);
  const endCharacter = d.range.end.line === line ? d.range.end.character : sourceLine.length;
  // Like clang, tabs are expanded to 8-column stops so the caret lines up in a terminal.
  const column = (ch: number) => {
    let col = 0;
    for (let i = 0; i < Math.min(ch, sourceLine.length); i++) col = sourceLine[i] === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
    return col;
  };
  const shown = sourceLine.replace(/\t/g, (_m, offset: number) => ' '.repeat(8 - (column(offset) % 8)));
  const start = column(character);
  const width = Math.max(1, Math.min(column(endCharacter) - start, 200));
  const caret = ' '.repeat(start) + '^' + '~'.repeat(width - 1);
  const severity = severityName(d.severity);
  const where = `${display}:${line + 1}:${character + 1}:`;
  if (!color) return `${where} ${severity}: ${messageText(d)} [${d.code}]\n${shown}\n${caret}\n`;
  const severityStyle = severity === 'error' ? STYLE.error : severity === 'warning' ? STYLE.warning : STYLE.note;
  return `${STYLE.bold}${where} ${STYLE.reset}${severityStyle}${severity}: ${STYLE.reset}${STYLE.bold}${messageText(d)} [${d.code}]${STYLE.reset}\n`
    + `${shown}\n${STYLE.caret}${caret}${STYLE.reset}\n`;
}

function sourceLineAt(text: string, line: number): string {
  let start = 0;
  for (let l = 0; l < line; l++) {
    const next = text.slice(start).search(/\r\n|\r|\n/);
    if (next < 0) return '';
    start += next + (text.startsWith('\r\n', start + next) ? 2 : 1);
  }
  const end = text.slice(start).search(/\r\n|\r|\n/);
  return end < 0 ? text.slice(start) : text.slice(start, start + end);
}

export interface Counts { files: number; errors: number; warnings: number }

export function countDiagnostics(files: readonly CheckedFile[]): Counts {
  let errors = 0, warnings = 0;
  for (const f of files) {
    if (f.readError) errors++;
    for (const d of f.diagnostics) {
      const s = severityName(d.severity);
      if (s === 'error') errors++;
      else if (s === 'warning') warnings++;
    }
  }
  return { files: files.length, errors, warnings };
}

/** The closing line of a project check, as ESLint and Ruff print one: `12 files, 1 error, 3 warnings`. */
export function summaryLine(c: Counts): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(c.files, 'file')}, ${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}`;
}

// ---- json ----

export function formatJson(files: readonly CheckedFile[]): string {
  const report = {
    files: files.map((f) => ({
      file: f.display,
      diagnostics: f.diagnostics.map((d) => ({ severity: severityName(d.severity), code: d.code, message: d.message, range: d.range })),
    })),
  };
  return JSON.stringify(report, null, 2) + '\n';
}

// ---- github workflow commands ----

/** `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=BPF2001::message`, escaped as the runner unescapes. */
export function formatGithub(files: readonly CheckedFile[]): string {
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const lines: string[] = [];
  for (const f of files) {
    const file = f.display.split(path.sep).join('/');
    if (f.readError) lines.push(`::error file=${property(file)},title=bpf-iter::${data(f.readError)}`);
    for (const d of f.diagnostics) {
      const severity = severityName(d.severity);
      const command = severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'notice';
      const { start, end } = d.range;
      // Columns 1-based; the end column is that of the range's last character (the LSP end is exclusive).
      const endColumn = end.line === start.line ? Math.max(start.character + 1, end.character) : Math.max(1, end.character);
      lines.push(`::${command} file=${property(file)},line=${start.line + 1},col=${start.character + 1},endLine=${end.line + 1},endColumn=${endColumn},`
        + `title=${property(String(d.code))}::${data(messageText(d))}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

// ---- SARIF 2.1.0 ----

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The base id results' URIs are relative to; `originalUriBaseIds` gives its absolute URI. */
export const SARIF_ROOT_ID = '%SRCROOT%';

function sarifLevel(d: LspDiagnostic | DiagnosticMessage['category']): 'error' | 'warning' | 'note' {
  const s = typeof d === 'string' ? d : severityName(d.severity);
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

function fileUri(absolute: string): string {
  const forward = absolute.split(path.sep).join('/');
  return 'file://' + (forward.startsWith('/') ? '' : '/') + forward.split('/').map(encodeURIComponent).join('/');
}

/** `root`'s relative URI for `absolute`, or its absolute file URI when it lies outside root. */
function artifactLocation(root: string, absolute: string): { uri: string; uriBaseId?: string } {
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return { uri: fileUri(absolute) };
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SARIF_ROOT_ID };
}

function region(range: LspDiagnostic['range']) {
  // SARIF lines and columns are 1-based; the end column is the one just past the range (as LSP's end is).
  return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

/** One run of the tool: its rules are every code of the diagnostics table, each with its docs page. */
export function formatSarif(files: readonly CheckedFile[], root: string, version: string): string {
  const table = Object.entries(Diagnostics as Record<string, DiagnosticMessage>).sort((a, b) => a[1].code - b[1].code);
  const rules = table.map(([name, m]) => ({
    id: codeString(m.code),
    name,
    shortDescription: { text: m.message.replace(/\{\d+\}/g, '…') },
    fullDescription: { text: m.explanation ?? m.message.replace(/\{\d+\}/g, '…') },
    helpUri: docsLink(m.code),
    defaultConfiguration: { level: sarifLevel(m.category) },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results: object[] = [];
  for (const f of files) {
    if (f.readError) {
      results.push({ level: 'error', message: { text: f.readError }, locations: [{ physicalLocation: { artifactLocation: artifactLocation(root, f.path) } }] });
    }
    for (const d of f.diagnostics) {
      const id = String(d.code);
      const related = (d.relatedInformation ?? []).map((r) => ({
        physicalLocation: { artifactLocation: artifactLocation(root, URI.toPath(r.location.uri)), region: region(r.location.range) },
        message: { text: String(r.message) },
      }));
      results.push({
        ruleId: id,
        ...(ruleIndex.has(id) ? { ruleIndex: ruleIndex.get(id) } : {}),
        level: sarifLevel(d),
        message: { text: messageText(d) },
        locations: [{ physicalLocation: { artifactLocation: artifactLocation(root, f.path), region: region(d.range) } }],
        ...(related.length ? { relatedLocations: related } : {}),
      });
    }
  }
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'bpf-iter', version, semanticVersion: version, informationUri: 'https://github.com/bpf-iter-lab/bpf-iter-lab', rules } },
      originalUriBaseIds: { [SARIF_ROOT_ID]: { uri: fileUri(root).replace(/\/?$/, '/') } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
