/**
 * The corpus's expectations (test/corpus/NAME.baseline): what the pipeline says of each program as readable text,
 * compared with the reference baseline by test/integration/corpus.test.ts (test/baseline.ts has the mechanics).
 *
 * A baseline is
 *   - its header: `// source: ...` (where the expectation comes from: a real kernel, clang, or derived from the
 *     kernel source) and optional `// note: ...` lines. The header is written by hand and is the one copy of that
 *     fact: the actual text takes it from the reference, so a review sees only what the code changed;
 *   - every diagnostic `validate` reports (errors, warnings, information, hints), as `NAME.bpf.c(line,col): severity
 *     CODE: message`, then the source lines of its range with the range underlined (`^` for an empty range);
 *   - the run: `error: none` or `error: ERRNO: message` (for a rejected program, the errno bpf(BPF_PROG_LOAD) fails
 *     with, which the kernel oracle test compares with the real kernel's), then the seq output byte for byte (as
 *     `hexdump -C` lines when it is not printable text), then the bpf_printk() trace messages if there are any.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Diagnostic } from 'vscode-languageserver';
import type { RunOutcome } from '../../server/src/exec/runner';
import { hexDumpLine, hexDumpLineCount } from '../../shared/src/hexdump';
import { readReference } from '../baseline';

export const corpusDir = path.resolve(__dirname, '../../../test/corpus');
export const CORPUS_SUITE = 'corpus';

export interface CorpusEntry { name: string; file: string; baseline: string }

export function corpusEntries(): CorpusEntry[] {
  return fs.readdirSync(corpusDir)
    .filter((f) => f.endsWith('.bpf.c'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.bpf.c'.length);
      return { name, file: path.join(corpusDir, f), baseline: path.join(corpusDir, `${name}.baseline`) };
    });
}

const HEADER_LINE = /^\/\/ /;

/** The hand-written header of a reference baseline (its leading `// ` lines), '' when there is none. */
export function baselineHeader(referencePath: string): string {
  const reference = readReference(referencePath) ?? '';
  const lines: string[] = [];
  for (const line of reference.split('\n')) {
    if (!HEADER_LINE.test(line)) break;
    lines.push(line);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The `// source:` of a header: where the expectation comes from, or undefined. */
export function sourceOf(header: string): string | undefined {
  return /^\/\/ source: (.+)$/m.exec(header)?.[1];
}

const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];

/** `    17 | text` and `       | ~~~~` under it; tabs before the range stay tabs so the marks line up in any editor. */
function sourceExcerpt(lines: string[], d: Diagnostic): string[] {
  const out: string[] = [];
  const { start, end } = d.range;
  const last = Math.min(end.line, start.line + 3);
  const width = String(last + 1).length;
  for (let l = start.line; l <= last && l < lines.length; l++) {
    const text = lines[l];
    const from = l === start.line ? start.character : 0;
    const to = l === end.line ? end.character : text.length;
    const lead = text.slice(0, from).replace(/[^\t]/g, ' ');
    const marks = to > from ? '~'.repeat(to - from) : l === start.line ? '^' : '';
    out.push(`${String(l + 1).padStart(width + 4)} | ${text}`.trimEnd());
    out.push(`${' '.repeat(width + 4)} | ${lead}${marks}`.trimEnd());
  }
  if (end.line > last) out.push(`${' '.repeat(width + 4)} | ... to line ${end.line + 1}`);
  return out;
}

function diagnosticText(fileName: string, lines: string[], d: Diagnostic): string[] {
  const at = (r: Diagnostic['range']) => `(${r.start.line + 1},${r.start.character + 1})`;
  const out = [`${fileName}${at(d.range)}: ${SEVERITY[d.severity ?? 1]} ${d.code ?? ''}: ${d.message}`];
  out.push(...sourceExcerpt(lines, d));
  for (const related of d.relatedInformation ?? []) {
    out.push(`  related ${path.basename(decodeURIComponent(related.location.uri))}${at(related.location.range)}: ${related.message}`);
  }
  return out;
}

/** Text the file shows as is: no control characters but newline and tab. */
function printable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text);
}

function outputText(run: RunOutcome): string[] {
  const bytes = run.outputBytes;
  if (run.output !== null && printable(run.output)) {
    const out = [`==== output (${bytes.length} bytes) ====`];
    if (run.output === '') return out;
    const body = run.output.endsWith('\n') ? run.output.slice(0, -1) : run.output;
    out.push(...body.split('\n'));
    if (!run.output.endsWith('\n')) out.push('\\ No newline at end of output');
    return out;
  }
  const out = [`==== output (${bytes.length} bytes, hexdump -C) ====`];
  for (let i = 0; i < hexDumpLineCount(bytes.length); i++) out.push(hexDumpLine(bytes, i));
  return out;
}

/** The whole baseline text of one program: header, diagnostics, run. */
export function renderCorpusBaseline(header: string, file: string, text: string, diagnostics: Diagnostic[], run: RunOutcome): string {
  const lines = text.split(/\r?\n/);
  const fileName = path.basename(file);
  const out: string[] = [];
  if (header) out.push(header.trimEnd(), '');
  out.push(`==== diagnostics (${diagnostics.length}) ====`);
  for (const d of diagnostics) out.push(...diagnosticText(fileName, lines, d));
  out.push('', '==== run ====');
  out.push(run.error ? `error: ${run.error.errno}: ${run.error.message}` : 'error: none');
  out.push('', ...outputText(run));
  // bpf_printk() messages (the trace log, never part of the output), when the program wrote any
  if (run.trace.length) out.push('', `==== trace (${run.trace.length} messages) ====`, ...run.trace.map((m) => JSON.stringify(m)));
  return out.join('\n') + '\n';
}

/** The errno a reference baseline says the run (for a rejected program: the load) fails with, or undefined. */
export function baselineRunErrno(referencePath: string): string | undefined {
  const errno = /^==== run ====\nerror: (\w+)/m.exec(readReference(referencePath) ?? '')?.[1];
  return errno === 'none' ? undefined : errno;
}
