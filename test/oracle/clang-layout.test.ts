/**
 * Differential test of struct layout against real clang -target bpf: sizeof, _Alignof and offsetof of the
 * structs an iterator program touches in this machine's vmlinux.h (and everything they embed), sizes of every
 * struct in it, and of ~100 generated tricky structs (mixed-width bit-fields, packed, aligned, nested anonymous
 * unions, flexible arrays). clang evaluates `const unsigned long` globals; we read them back from `-S` output.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from '../../server/src/lang/parser';
import { analyze, SemanticModel } from '../../server/src/lang/sema/analyzer';
import { RecordInfo, resolve, sizeOf } from '../../server/src/lang/types';
import { lex } from '../unit/lang/parser-lexer.test';

function hasTool(name: string, args: string[]): boolean {
  try { execFileSync(name, args, { stdio: 'ignore' }); return true; } catch { return false; }
}

/** Compiles `globals` (name -> C constant expression) after `prelude` and returns clang's values. */
function clangValues(directory: string, prelude: string, globals: Array<[string, string]>): Map<string, bigint> {
  const file = path.join(directory, `probe-${Math.random().toString(36).slice(2)}.c`);
  fs.writeFileSync(file, prelude + '\n' + globals.map(([name, expression]) => `const unsigned long ${name} = ${expression};`).join('\n') + '\n');
  const assembly = execFileSync('clang', ['-target', 'bpf', '-S', '-o', '-', '-w', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const values = new Map<string, bigint>();
  let current: string | undefined;
  for (const line of assembly.split('\n')) {
    const label = /^([A-Za-z_][\w]*):/.exec(line);
    if (label) { current = label[1]; continue; }
    const quad = /^\s+\.quad\s+(-?\d+)/.exec(line);
    if (quad && current) { values.set(current, BigInt(quad[1])); current = undefined; }
  }
  return values;
}

/** Our own answers for the same globals, evaluated by the front end on the same text. */
function ourValues(prelude: string, globals: Array<[string, string]>): { values: Map<string, bigint | undefined>; model: SemanticModel } {
  const text = prelude + '\n' + globals.map(([name, expression]) => `const unsigned long ${name} = ${expression};`).join('\n') + '\n';
  const parsed = parse(lex(text));
  assert.deepStrictEqual(parsed.diagnostics.slice(0, 3), []);
  const model = analyze(parsed.unit);
  assert.deepStrictEqual(model.diagnostics.slice(0, 3), []);
  const values = new Map<string, bigint | undefined>();
  for (const [name] of globals) {
    const symbol = model.fileScope.symbols.get(name);
    const init = symbol?.initializer;
    values.set(name, init && init.kind !== 'InitializerList' ? model.evaluate(init) : undefined);
  }
  return { values, model };
}

function compare(prelude: string, globals: Array<[string, string]>, directory: string): void {
  const expected = clangValues(directory, prelude, globals);
  const { values } = ourValues(prelude, globals);
  const mismatches: string[] = [];
  assert.strictEqual(expected.size, globals.length, 'clang produced a value for every probe');
  for (const [name, expression] of globals) {
    if (expected.get(name) !== values.get(name)) mismatches.push(`${expression}: clang ${expected.get(name)}, ours ${values.get(name)}`);
  }
  assert.deepStrictEqual(mismatches.slice(0, 20), [], `${mismatches.length} of ${globals.length} differ`);
}

/** Record names reachable by value (embedded structs/unions/arrays of them) from the roots. */
function embeddedClosure(model: SemanticModel, roots: string[]): RecordInfo[] {
  const seen = new Set<RecordInfo>();
  const work = roots.map((name) => { const tag = model.fileScope.tags.get(name); assert.ok(tag?.kind === 'record', name); return tag.info; });
  while (work.length > 0) {
    const record = work.pop()!;
    if (seen.has(record)) continue;
    seen.add(record);
    for (const field of record.fields) {
      let type = resolve(field.type);
      while (type.kind === 'array') type = resolve(type.of);
      if (type.kind === 'record') work.push(type.record);
    }
  }
  return [...seen];
}

describe('oracle: struct layout equals clang -target bpf', function () {
  let directory = '';
  before(function () {
    if (!hasTool('clang', ['--version'])) { console.log('      skipped: clang not installed'); this.skip(); }
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-layout-'));
  });
  after(() => { if (directory) fs.rmSync(directory, { recursive: true, force: true }); });

  it('matches sizeof/_Alignof/offsetof of the iterator structs of the real vmlinux.h and all they embed, and sizeof of every struct', function () {
    if (!hasTool('bpftool', ['version']) || !fs.existsSync('/sys/kernel/btf/vmlinux')) { console.log('      skipped: bpftool or /sys/kernel/btf/vmlinux missing'); this.skip(); }
    const vmlinux = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const { model } = ourValues(vmlinux, []);
    const roots = ['bpf_map', 'bpf_iter_meta', 'seq_file', 'bpf_iter__bpf_map', 'bpf_iter__bpf_map_elem', 'bpf_iter__task', 'bpf_prog'];
    const globals: Array<[string, string]> = [];
    let counter = 0;
    const records = embeddedClosure(model, roots).filter((r) => r.name);
    for (const record of records) {
      const type = `${record.tag} ${record.name}`;
      globals.push([`v${counter++}`, `sizeof(${type})`], [`v${counter++}`, `_Alignof(${type})`]);
      for (const field of record.fields) if (field.name && field.bitWidth === undefined) globals.push([`v${counter++}`, `__builtin_offsetof(${type}, ${field.name})`]);
    }
    // Every complete named struct/union: sizes and alignments.
    for (const [name, tag] of model.fileScope.tags) {
      if (tag.kind === 'record' && tag.info.complete && sizeOf({ kind: 'record', record: tag.info }) !== undefined) {
        globals.push([`v${counter++}`, `sizeof(${tag.info.tag} ${name})`], [`v${counter++}`, `_Alignof(${tag.info.tag} ${name})`]);
      }
    }
    assert.ok(records.length >= 6 && globals.length > 1000, `${records.length} records, ${globals.length} probes`);
    compare(vmlinux, globals, directory);
  });

  it('matches clang on 100 generated structs with bit-fields, packed, aligned, anonymous unions and flexible arrays', () => {
    const { prelude, globals } = generateTrickyStructs(100, 20251125);
    assert.ok(/: \d+;/.test(prelude) && prelude.includes('packed') && prelude.includes('flexible[]') && globals.length > 300);
    compare(prelude, globals, directory);
  });
});

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateTrickyStructs(count: number, seed: number): { prelude: string; globals: Array<[string, string]> } {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const intTypes: Array<[string, number]> = [['char', 8], ['unsigned char', 8], ['short', 16], ['unsigned short', 16], ['int', 32], ['unsigned int', 32], ['long', 64], ['unsigned long long', 64]];
  const scalarTypes = ['char', 'short', 'int', 'long', 'void *', 'unsigned long long', 'double', 'char'];
  const lines: string[] = [];
  const globals: Array<[string, string]> = [];
  let fieldCounter = 0;
  const member = (depth: number, allowFlexible: boolean): string => {
    const choice = next();
    const name = `f${fieldCounter++}`;
    if (choice < 0.35) {
      const [type, bits] = pick(intTypes);
      const width = next() < 0.1 ? 0 : 1 + Math.floor(next() * bits);
      return width === 0 ? `${type} : 0;` : next() < 0.15 ? `${type} : ${width};` : `${type} ${name} : ${width};`;
    }
    if (choice < 0.45 && depth < 2) {
      const tag = next() < 0.5 ? 'union' : 'struct';
      const inner = Array.from({ length: 1 + Math.floor(next() * 3) }, () => member(depth + 1, false)).join(' ');
      return `${tag} { ${inner} }${next() < 0.3 ? ' __attribute__((packed))' : ''};`;
    }
    if (choice < 0.52) return `${pick(scalarTypes)} ${name} __attribute__((aligned(${pick([1, 2, 4, 8, 16, 32])})));`;
    if (choice < 0.6) return `${pick(scalarTypes)} ${name}[${1 + Math.floor(next() * 5)}];`;
    if (choice < 0.65 && allowFlexible) return `int ${name}[];`;
    return `${pick(scalarTypes)} ${name};`;
  };
  for (let i = 0; i < count; i++) {
    const tag = next() < 0.8 ? 'struct' : 'union';
    const length = 1 + Math.floor(next() * 6);
    const members: string[] = [];
    // A named non-bit-field member first keeps every struct valid C (no struct of only unnamed bit-fields).
    members.push(`${pick(scalarTypes)} first;`);
    for (let j = 0; j < length; j++) members.push(member(0, false));
    if (tag === 'struct' && next() < 0.2) members.push(`long flexible[];`);
    const attributes = [next() < 0.25 ? 'packed' : '', next() < 0.2 ? `aligned(${pick([2, 4, 8, 16])})` : ''].filter(Boolean);
    const suffix = attributes.length ? ` __attribute__((${attributes.join(', ')}))` : '';
    lines.push(`${tag} t${i} { ${members.join(' ')} }${suffix};`);
    globals.push([`s${i}`, `sizeof(${tag} t${i})`], [`a${i}`, `_Alignof(${tag} t${i})`]);
    for (const named of members.join(' ').matchAll(/\b(first|f\d+)\b(?! *:)/g)) {
      // Only direct named non-bit-field members and members of anonymous aggregates can be probed with offsetof.
      if (!new RegExp(`\\b${named[1]}\\b *:`).test(members.join(' '))) globals.push([`o${i}_${named[1]}`, `__builtin_offsetof(${tag} t${i}, ${named[1]})`]);
    }
  }
  return { prelude: lines.join('\n'), globals };
}
