/**
 * Random edit sequences for the language service, shared by the bounded `npm test` property test
 * (test/robustness/fuzzEditing.test.ts) and the long-running `npm run fuzz` (test/fuzz/run.ts).
 *
 * Every request must return (never throw) within a bound. The files live in an in-memory directory over the
 * real disk (for the bundled headers), with headers that include themselves and each other.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { createLanguageService, defaultSettings, LanguageService } from '../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../server/src/service/host';

export const repoRoot = path.join(__dirname, '../../..');
export const FUZZ_DIR = '/bpf-iter-fuzz';
export const MAIN_FILE = `${FUZZ_DIR}/edited.bpf.c`;

/** Programs the edits start from: the examples and the front end's valid fixtures. */
export function seedPrograms(): string[] {
  const dirs = ['examples', 'test/fixtures/pp', 'test/fixtures/c/programs', 'test/fixtures/c/valid'];
  const out: string[] = [];
  for (const dir of dirs) {
    const abs = path.join(repoRoot, dir);
    for (const name of fs.readdirSync(abs).sort()) if (/\.c$/.test(name)) out.push(fs.readFileSync(path.join(abs, name), 'utf8'));
  }
  return out;
}

/** Headers next to the edited file that the edits can include: recursive, mutually recursive, bombs. */
export const HOSTILE_HEADERS: Record<string, string> = {
  [`${FUZZ_DIR}/self.h`]: '#include "self.h"\nint self_h;\n',
  [`${FUZZ_DIR}/ping.h`]: '#include "pong.h"\nint ping;\n',
  [`${FUZZ_DIR}/pong.h`]: '#include "ping.h"\nint pong;\n',
  [`${FUZZ_DIR}/bomb.h`]: `#define B0 x\n${Array.from({ length: 12 }, (_, i) => `#define B${i + 1} B${i} B${i}`).join("\n")}\n`,
  [`${FUZZ_DIR}/edited.bpfscenario.json`]: '{ "cpus": 2, "globals": { "__proto__": 1 } }',
};

/** Fragments an editor (or a paste) may insert, chosen for the trouble they cause. */
const NASTY_FRAGMENTS = [
  '\0', '\r\n', '\r', '\uFEFF', '\uD800', '\uDC00', '\\\n', '/*', '*/', '"', "'", '#', '##', '#if 1\n', '#endif\n', '#else\n',
  '#include "self.h"\n', '#include "ping.h"\n', '#include "bomb.h"\nint bomb = B12;\n', '#include "edited.bpf.c"\n',
  '#include <', '#define foo foo + 1\nint f1 = foo;\n', '#define a b\n#define b a\nint f2 = a;\n',
  '#define F(x) F(x) x\nint f3 = F(F(1));\n', '__attribute__((', 'SEC("iter/bpf_map")\n', 'SEC("iter/bpf_map_elem")\n',
  'for (;;) {}\n', 'while (1) ;\n', 'BPF_SEQ_PRINTF(ctx->meta->seq, "%s%s%s%pI6%pK\\n");\n', 'ctx->', '->', '.',
  'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4294967295); } huge SEC(".maps");\n',
  '__proto__', 'constructor', '${process.exit(1)}', '</script>', '`',
];

export type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'paste'; at: number; from: number; line: number; count: number }
  | { kind: 'lineEndings'; style: '\r\n' | '\r' | '\n' }
  | { kind: 'bom' }
  | { kind: 'nest'; at: number; open: '(' | '{' | 'F(' | '[' ; depth: number; close: boolean }
  | { kind: 'longLine'; at: number; length: number }
  | { kind: 'grow'; bytes: number };

export interface EditOptions { maxNestDepth: number; maxLongLine: number; maxGrowBytes: number }

export function editArbitrary(opts: EditOptions): fc.Arbitrary<Edit> {
  const at = fc.nat();
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, text: fc.constantFrom(...NASTY_FRAGMENTS) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, text: fc.string({ unit: 'binary', maxLength: 12 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, text: fc.string({ unit: fc.constantFrom('(', ')', '{', '}', ';', ',', '*', '&', 'x', ' ', '\n', '0', '"'), maxLength: 30 }) }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 200 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('paste' as const), at, from: fc.nat(), line: fc.nat(), count: fc.integer({ min: 1, max: 20 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('lineEndings' as const), style: fc.constantFrom('\r\n' as const, '\r' as const, '\n' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('bom' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), at, open: fc.constantFrom('(' as const, '{' as const, 'F(' as const, '[' as const), depth: fc.integer({ min: 1, max: opts.maxNestDepth }), close: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('longLine' as const), at, length: fc.integer({ min: 1, max: opts.maxLongLine }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const), bytes: fc.integer({ min: 1, max: opts.maxGrowBytes }) }) },
  );
}

/** Snaps an offset to a line start half of the time, so directives land where they take effect. */
function place(text: string, at: number): number {
  const offset = text.length === 0 ? 0 : at % (text.length + 1);
  if (at % 2 === 0) return offset;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return lineStart;
}

export function applyEdit(text: string, edit: Edit, seeds: readonly string[]): string {
  switch (edit.kind) {
    case 'insert': { const p = place(text, edit.at); return text.slice(0, p) + edit.text + text.slice(p); }
    case 'delete': { const p = place(text, edit.at); return text.slice(0, p) + text.slice(p + edit.length); }
    case 'paste': {
      const lines = seeds[edit.from % seeds.length].split('\n');
      const start = edit.line % lines.length;
      const p = place(text, edit.at);
      return text.slice(0, p) + lines.slice(start, start + edit.count).join('\n') + '\n' + text.slice(p);
    }
    case 'lineEndings': return text.replace(/\r\n|\r|\n/g, edit.style);
    case 'bom': return text.startsWith('\uFEFF') ? text.slice(1) : '\uFEFF' + text;
    case 'nest': {
      const p = place(text, edit.at);
      const closer = edit.open === '{' ? '}' : edit.open === '[' ? ']' : ')';
      const fragment = (edit.open === 'F(' ? '#define F(x) x\n' : '') + edit.open.repeat(edit.depth) + '1' + (edit.close ? closer.repeat(edit.depth) : '');
      return text.slice(0, p) + fragment + text.slice(p);
    }
    case 'longLine': { const p = place(text, edit.at); return text.slice(0, p) + 'x'.repeat(edit.length) + '\n' + text.slice(p); }
    case 'grow': return text + '\n// ' + 'y'.repeat(edit.bytes) + '\n';
  }
}

export interface RequestTiming { request: string; ms: number }

/** Wall-clock and CPU time since `startTimer()`. */
export function startTimer(): () => { ms: number; cpuMs: number } {
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  return () => {
    const cpu = process.cpuUsage(cpuStart);
    return { ms: Number(process.hrtime.bigint() - wallStart) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
}

/**
 * Throws when a request took longer than `boundMs` of both wall-clock and CPU time. Wall time alone failed a
 * fuzz run that other work on the machine starved (88 s for a request that takes 80 ms alone); CPU time alone
 * would miss a request that blocks, but the host reads no FIFOs or devices (service/host.ts), so a request
 * past the wall bound that did not use the CPU was waiting for it.
 */
export function assertWithinBound(request: string, boundMs: number, timing: { ms: number; cpuMs: number }): void {
  if (timing.ms > boundMs && timing.cpuMs > boundMs) {
    throw new Error(`${request} took ${timing.ms.toFixed(0)} ms (${timing.cpuMs.toFixed(0)} ms of CPU), more than the bound of ${boundMs} ms`);
  }
}

export function fuzzService(): { service: LanguageService; files: Record<string, string> } {
  const files: Record<string, string> = { ...HOSTILE_HEADERS };
  const service = createLanguageService(createMemoryHost(files, createNodeHost()), defaultSettings());
  return { service, files };
}

/**
 * Runs every request of the service on `text` and returns the slowest; throws (failing the property) when a
 * request throws or when it takes longer than `boundMs`.
 */
export async function exerciseService(service: LanguageService, files: Record<string, string>, text: string, positionSeed: number, boundMs: number, withRun: boolean,
  compareWithFresh = false): Promise<RequestTiming> {
  files[MAIN_FILE] = text;
  const lineCount = text.split('\n').length;
  const position = { line: positionSeed % (lineCount + 2), character: (positionSeed >>> 3) % 90 };
  if (compareWithFresh) assertSameAsFresh(service, files, text, position);
  const requests: Array<[string, () => unknown]> = [
    ['validate', () => service.validate(MAIN_FILE, text)],
    ['hover', () => service.hover(MAIN_FILE, text, position)],
    ['complete', () => service.complete(MAIN_FILE, text, position)],
    ['codeLenses', () => service.codeLenses(MAIN_FILE, text)],
    ['documentSymbols', () => service.documentSymbols(MAIN_FILE, text)],
    ['signatureHelp', () => service.signatureHelp(MAIN_FILE, text, position)],
    ['definition', () => service.definition(MAIN_FILE, text, position)],
    ['references', () => service.references(MAIN_FILE, text, position)],
    ['prepareRename', () => service.prepareRename(MAIN_FILE, text, position)],
    ['rename', () => service.rename(MAIN_FILE, text, position, 'renamed_by_fuzz')],
    ['codeActions', () => service.codeActions(MAIN_FILE, text, { start: position, end: position }, { diagnostics: service.validate(MAIN_FILE, text) })],
    ['listPrograms', () => service.listPrograms(MAIN_FILE, text)],
  ];
  if (withRun) requests.push(['run', () => service.run(MAIN_FILE, text, {})]);
  let slowest: RequestTiming = { request: '', ms: -1 };
  for (const [request, call] of requests) {
    const stop = startTimer();
    try {
      const result = await call();
      if (request === 'validate' && !Array.isArray(result)) throw new Error('validate returned no diagnostics array');
    } catch (e) {
      throw new Error(`${request} threw at position ${JSON.stringify(position)}: ${e instanceof Error ? e.stack : String(e)}`);
    }
    const timing = stop();
    assertWithinBound(request, boundMs, timing);
    if (timing.ms > slowest.ms) slowest = { request, ms: timing.ms };
  }
  return slowest;
}

/**
 * Throws when the long-lived service's answers for `text` (after the edits before it: lowering and checks reused
 * where nothing they read changed, lower/reuse.ts and checker/reuse.ts; headers replayed from the header cache)
 * differ from those of a service that never saw the file: the diagnostics, and the features that read places in
 * the analysis at `position`. The headers' preamble cache is shared by both, as it is in the editor.
 */
export function assertSameAsFresh(service: LanguageService, files: Record<string, string>, text: string, position = { line: 0, character: 0 }): void {
  const fresh = createLanguageService(createMemoryHost(files, createNodeHost()), defaultSettings());
  const answers = (s: LanguageService): Array<[string, unknown]> => [
    ['diagnostics', s.validate(MAIN_FILE, text)],
    ['hover', s.hover(MAIN_FILE, text, position)],
    ['definition', s.definition(MAIN_FILE, text, position)],
    ['documentSymbols', s.documentSymbols(MAIN_FILE, text)],
    ['codeLenses', s.codeLenses(MAIN_FILE, text)],
  ];
  const mine = answers(service);
  const theirs = answers(fresh);
  for (const [i, [what, answer]] of mine.entries()) {
    const incremental = JSON.stringify(answer) ?? 'undefined';
    const expected = JSON.stringify(theirs[i][1]) ?? 'undefined';
    if (incremental === expected) continue;
    let at = 0;
    while (at < incremental.length && incremental[at] === expected[at]) at++;
    throw new Error(`the ${what} after the edits differ from a fresh analysis of the same text (at ${JSON.stringify(position)}), from character ${at}: ` +
      `incremental ...${incremental.slice(Math.max(0, at - 80), at + 160)}... fresh ...${expected.slice(Math.max(0, at - 80), at + 160)}...`);
  }
}

/** The inputs the issue names, each made from a base program; `slow` ones take seconds and a gigabyte, and run in `npm run fuzz`. */
export const PATHOLOGICAL_CASES: Array<[string, (base: string) => string, boolean]> = [
  ['10,000-deep parentheses', (base) => `${base}\nint deep_parens = ${'('.repeat(10_000)}1${')'.repeat(10_000)};\n`, false],
  ['10,000-deep braces, unclosed', (base) => `${base}\nvoid deep_braces(void) ${'{'.repeat(10_000)}\n`, false],
  ['10,000-deep subscripts, unclosed', (base) => `${base}\nint deep_index = a${'[a'.repeat(10_000)};\n`, false],
  ['10,000-deep #if', (base) => `${'#if 1\n'.repeat(10_000)}${base}`, false],
  ['mutually recursive headers', (base) => `#include "ping.h"\n${base}`, false],
  ['self-referential and mutually referential macros', (base) => `#define foo foo + 1\n#define a b\n#define b a\n${base}\nint self_ref = foo + a;\n`, false],
  ['a 40,000-character line and identifier', (base) => `${base}\nint ${'a'.repeat(40_000)};\n`, false],
  ['a 10 MB file', (base) => `${base}\n// ${'y'.repeat(10 * 1024 * 1024)}\n`, false],
  // Found by npm run fuzz (seed 19101): a character constant's value grew a BigInt byte by byte, hours for this line.
  ['an unclosed character constant on a 10 MB line', (base) => `${base}\nint c = '${'y'.repeat(10 * 1024 * 1024)}\n`, false],
  ['NUL bytes, CR line endings, BOM and lone surrogates', (base) => `\uFEFF${base.replace(/\n/g, '\r').replace(/;/g, ';\0')}\uD800\uDFFF\uDC00`, false],
  ['10,000-deep nested macro arguments', (base) => `#define F(x) x\n${base}\nint deep_macro = ${'F('.repeat(10_000)}1${')'.repeat(10_000)};\n`, false],
  ['a file that includes itself', (base) => `#include "edited.bpf.c"\n${base}`, false],
  // Found by npm run fuzz (seed 202): 200 copies of 7,800 nested calls once took a 4 GB heap.
  ['a file that includes itself, then 7,800 nested calls', (base) => `${base}\n#include "edited.bpf.c"\n${'F('.repeat(7800)}${')'.repeat(7800)}\n`, true],
  // Found by npm run fuzz (seed 505): each bound held, but 200 inclusions of a 9,635-deep nest took 80 s.
  ['a file that includes itself around 9,635-deep nested macro arguments', (base) => `\uFEFF#include "edited.bpf.c"\n#define F(x) x\n${'['.repeat(1129)}1${']'.repeat(1129)}\n${'F('.repeat(9635)}1${')'.repeat(9635)}\n${base}`, false],
  // Found by trying each pathological input inside a self-including file, and lists past the argument limit.
  ['a file that includes itself, then 10,000 unclosed #if', (base) => `#include "edited.bpf.c"\n${'#if 1\n'.repeat(10_000)}${base}`, false],
  ['a file that includes itself around a 1 MB string literal', (base) => `#include "edited.bpf.c"\n${base}\nconst char *big_string = "${'x'.repeat(1_000_000)}";\n`, false],
  // Found by npm run fuzz (seed 24300): two self-inclusions double the copies at each level (65,536 at the
  // self-inclusion limit, cut at the output limit), and each asm statement searched the whole token list: out of memory.
  ['a file that includes itself twice, around asm statements', (base) => `${base}\n#include "edited.bpf.c"\nint twice(void) { int x = 0; asm volatile("" : "+r"(x)); return x; }\n#include "edited.bpf.c"\n`, false],
  ['a 300,000-element initializer and 300,000 attributes', (base) => `${base}\nint big_attrs __attribute__((${'unused,'.repeat(300_000)}unused)) ${'__attribute__((unused)) '.repeat(300_000)};\n`
    + `SEC("iter/bpf_map") int big_init(struct bpf_iter__bpf_map *ctx) { char buf[300000] = {${'1,'.repeat(300_000)}}; return buf[3]; }\n`, false],
  ['a macro bomb past the 1,000,000-token expansion limit', (base) => `#define B0 x\n${Array.from({ length: 40 }, (_, i) => `#define B${i + 1} B${i} B${i}`).join('\n')}\n${base}\nint bomb = B40;\n`, true],
];
