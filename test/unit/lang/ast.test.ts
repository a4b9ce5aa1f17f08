/** ast.forEachChild walks by a table of child properties; this checks the table against a reflective walk. */
import * as assert from 'assert';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import * as ast from '../../../server/src/lang/ast';
import { parse } from '../../../server/src/lang/parser';
import { preprocess } from '../../../server/src/lang/preprocessor';
import { createMemoryHost } from '../../../server/src/service/host';

const ROOT = path.resolve(__dirname, '../../../..');

/** Every object below `node` that is a node, in property-creation order: what the walk must visit. */
function reflectiveChildren(node: ast.Node): ast.Node[] {
  const out: ast.Node[] = [];
  const seen = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) { for (const item of value) seen(item); return; }
    const record = value as Record<string, unknown>;
    if (typeof record.kind === 'string' && 'pos' in record) { out.push(value as ast.Node); return; }
    for (const key of Object.keys(record)) seen(record[key]);
  };
  for (const key of Object.keys(node)) {
    if (key === 'kind' || key === 'file' || key === 'pos' || key === 'end') continue;
    seen((node as unknown as Record<string, unknown>)[key]);
  }
  return out;
}

function tableChildren(node: ast.Node): ast.Node[] {
  const out: ast.Node[] = [];
  ast.forEachChild(node, (child) => out.push(child));
  return out;
}

/** Compares both walks at every node of the tree; returns how many nodes it compared. */
function compareWalks(root: ast.Node): number {
  let compared = 0;
  const stack: ast.Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const expected = reflectiveChildren(node);
    const actual = tableChildren(node);
    if (actual.length !== expected.length || actual.some((child, i) => child !== expected[i])) {
      assert.fail(`${node.kind} at ${node.file}:${node.pos}: the table walk visits [${actual.map((c) => c.kind)}], the reflective walk [${expected.map((c) => c.kind)}]`);
    }
    compared++;
    stack.push(...expected);
  }
  return compared;
}

function sources(): Array<[string, string]> {
  const dirs = ['examples', 'test/corpus', 'test/fixtures/c/programs', 'test/fixtures/c/valid', 'test/fixtures/c/broken'];
  const out: Array<[string, string]> = [];
  for (const dir of dirs) {
    const full = path.join(ROOT, dir);
    if (!fs.existsSync(full)) continue;
    for (const name of fs.readdirSync(full).filter((n) => n.endsWith('.c')).sort()) out.push([`${dir}/${name}`, fs.readFileSync(path.join(full, name), 'utf8')]);
  }
  return out;
}

/** A program with the bundled headers; the whole vmlinux.h is read lazily (its nodes are walked once, below). */
function parseWithHeaders(name: string, text: string): ast.TranslationUnit {
  const file = `/virtual/${path.basename(name)}`;
  const result = preprocess(file, text, createMemoryHost({ [file]: text }), { lazyHeaders: true });
  const typedefNames = new Set(result.lazyFiles.flatMap((lazy) => [...lazy.index.typedefNames]));
  return parse(result.tokens, { typedefNames }).unit;
}

describe('ast.forEachChild', () => {
  const files = sources();

  it('visits the same children as a reflective walk, for every node of every corpus program and the bundled headers', function () {
    // the whole bundled vmlinux.h (2.8 MB) is parsed eagerly here: tens of seconds on a loaded machine
    this.timeout(300_000);
    assert.ok(files.length > 50, `found ${files.length} programs`);
    let nodes = 0;
    for (const [name, text] of files) nodes += compareWalks(parseWithHeaders(name, text));
    // the bundled headers, the whole vmlinux.h among them, parsed eagerly once
    const headers = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n#include <bpf/bpf_core_read.h>\n#include <bpf/bpf_endian.h>\n';
    nodes += compareWalks(parse(preprocess('/virtual/headers.c', headers, createMemoryHost({})).tokens).unit);
    assert.ok(nodes > 1_000_000, `compared ${nodes} nodes`);
  });

  it('visits the same children on broken programs (the nodes error recovery makes)', () => {
    const texts = files.map(([, text]) => text);
    fc.assert(fc.property(fc.nat(texts.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(40)), { minLength: 1, maxLength: 8 }), (index, cuts) => {
      let text = texts[index];
      for (const [at, length] of cuts) { const p = at % (text.length + 1); text = text.slice(0, p) + text.slice(p + length); }
      compareWalks(parseWithHeaders('/virtual/broken.c', text));
    }), { numRuns: 60, seed: 8 });
  });

  it('ast.walk visits parents before children and children in source order', () => {
    const unit = parseWithHeaders('order.c', 'int f(int a) { if (a) return a + 1; return 2; }');
    const kinds: string[] = [];
    ast.walk(unit, (node) => kinds.push(node.kind));
    const body = kinds.slice(kinds.indexOf('Compound'));
    assert.deepStrictEqual(body, ['Compound', 'If', 'Identifier', 'Return', 'Binary', 'Identifier', 'IntegerLiteral', 'Return', 'IntegerLiteral']);
  });
});
