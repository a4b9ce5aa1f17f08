/**
 * Navigation over one program (fourslash markers): definition into the file and into headers, references
 * within the file, rename of locals and parameters (never of globals, fields or macro-made names), and
 * the document outline.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { SymbolKind, DocumentSymbol } from 'vscode-languageserver-types';
import { parseMarkers, serviceFor, FIXTURE_PATH } from './fourslash';
import { URI } from '../../../server/src/service/uri';

const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define LIMIT 64

struct flow_key {
	__u32 saddr;
	__u16 /*sportDecl*/sport;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LIMIT);
	__type(key, struct flow_key);
	__type(value, __u64);
} /*flowsDecl*/flows SEC(".maps");

__u64 /*totalDecl*/total = 0;

static int twice(int /*paramDecl*/value)
{
	return /*paramUse*/value * 2;
}

SEC("iter/bpf_map_elem")
int dump_flows(struct bpf_iter__bpf_map_elem */*ctxDecl*/ctx)
{
	struct seq_file */*seqDecl*/seq = ctx->meta->seq;
	struct flow_key *key = ctx->key;
	__u64 */*bytesDecl*/bytes = ctx->value;

	if (key == (void *)0 || /*bytesUse1*/bytes == (void *)0)
		return 0;
	/*totalUse*/total += */*bytesUse2*/bytes + twice(key->/*sportUse*/sport) + /*limitUse*/LIMIT;
	BPF_SEQ_PRINTF(/*seqUse*/seq, "%u\\n", key->sport);
	return 0;
}
`;

describe('language service: navigation', () => {
  const { text, markers } = parseMarkers(SOURCE);
  const service = serviceFor({ [FIXTURE_PATH]: text });
  const uri = URI.fromPath(FIXTURE_PATH);
  const at = (name: string) => markers[name];

  it('definition of a global, a local, a parameter and a struct field lands on its declarator', () => {
    for (const [use, decl] of [['totalUse', 'totalDecl'], ['bytesUse2', 'bytesDecl'], ['paramUse', 'paramDecl'], ['sportUse', 'sportDecl'], ['seqUse', 'seqDecl']]) {
      const found = service.definition(FIXTURE_PATH, text, at(use));
      assert.ok(found && found.length === 1, `${use}: ${JSON.stringify(found)}`);
      assert.strictEqual(found[0].uri, uri, use);
      assert.deepStrictEqual(found[0].range.start.line, at(decl).line, `${use} -> ${decl}: ${JSON.stringify(found[0].range)}`);
    }
  });

  it('definition of a macro lands on its #define', () => {
    const found = service.definition(FIXTURE_PATH, text, at('limitUse'));
    assert.ok(found && found.length === 1);
    assert.strictEqual(found[0].uri, uri);
    assert.strictEqual(text.split('\n')[found[0].range.start.line], '#define LIMIT 64');
  });

  it('definition of BPF_SEQ_PRINTF and of struct seq_file goes into the headers', () => {
    const line = text.split('\n').findIndex((l) => l.startsWith('\tBPF_SEQ_PRINTF('));
    const macro = service.definition(FIXTURE_PATH, text, { line, character: 2 });
    assert.ok(macro && macro.length === 1, JSON.stringify(macro));
    assert.match(macro[0].uri, /bpf_helpers\.h$/);
    const seqLine = text.split('\n').findIndex((l) => l.includes('struct seq_file *seq'));
    const tag = service.definition(FIXTURE_PATH, text, { line: seqLine, character: text.split('\n')[seqLine].indexOf('seq_file') + 2 });
    assert.ok(tag && tag.length === 1, JSON.stringify(tag));
    assert.match(tag[0].uri, /vmlinux\.h$/);
    // Bundled headers are real files the editor can open, not the front end's virtual <bundled> paths.
    for (const loc of [macro[0], tag[0]]) {
      assert.ok(!loc.uri.includes('bundled'), loc.uri);
      const lines = fs.readFileSync(URI.toPath(loc.uri), 'utf8').split('\n');
      assert.match(lines[loc.range.start.line], loc === macro[0] ? /#define BPF_SEQ_PRINTF/ : /struct seq_file \{/);
    }
  });

  it('references of a local list its declaration and every use in the file', () => {
    const refs = service.references(FIXTURE_PATH, text, at('bytesUse1'));
    const starts = refs.map((r) => [r.range.start.line, r.range.start.character]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    assert.deepStrictEqual(starts, [at('bytesDecl'), at('bytesUse1'), at('bytesUse2')].map((p) => [p.line, p.character]));
    for (const r of refs) assert.strictEqual(text.split('\n')[r.range.start.line].slice(r.range.start.character, r.range.end.character), 'bytes');
  });

  it('references of a struct field include the use through a macro argument', () => {
    const refs = service.references(FIXTURE_PATH, text, at('sportDecl'));
    assert.ok(refs.length >= 3, JSON.stringify(refs));
    for (const r of refs) assert.strictEqual(text.split('\n')[r.range.start.line].slice(r.range.start.character, r.range.end.character), 'sport');
  });

  it('rename of a local edits the declaration and every use, nothing else', () => {
    assert.ok(service.prepareRename(FIXTURE_PATH, text, at('bytesUse2')));
    const edit = service.rename(FIXTURE_PATH, text, at('bytesUse2'), 'octets');
    const edits = edit?.changes?.[uri] ?? [];
    assert.strictEqual(edits.length, 3, JSON.stringify(edit));
    const lines = text.split('\n');
    for (const e of [...edits].sort((x, y) => y.range.start.line - x.range.start.line || y.range.start.character - x.range.start.character)) {
      const l = lines[e.range.start.line];
      lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
    }
    const renamed = lines.join('\n');
    assert.strictEqual((renamed.match(/\boctets\b/g) ?? []).length, 3);
    assert.strictEqual((renamed.match(/\bbytes\b/g) ?? []).length, 0);
    // The renamed program still checks clean.
    assert.deepStrictEqual(service.validate(FIXTURE_PATH, renamed).filter((d) => d.severity === 1), []);
  });

  it('rename of a parameter works; of a global, a field or a macro it is refused', () => {
    assert.strictEqual(service.rename(FIXTURE_PATH, text, at('paramUse'), 'v')?.changes?.[uri]?.length, 2);
    assert.strictEqual(service.prepareRename(FIXTURE_PATH, text, at('totalUse')), null);
    assert.strictEqual(service.prepareRename(FIXTURE_PATH, text, at('sportUse')), null);
    assert.strictEqual(service.prepareRename(FIXTURE_PATH, text, at('limitUse')), null);
  });

  it('document symbols: the program, the helper function, the map, the globals and the struct', () => {
    const symbols = service.documentSymbols(FIXTURE_PATH, text);
    const byName = new Map<string, DocumentSymbol>(symbols.map((s) => [s.name, s]));
    for (const name of ['dump_flows', 'twice', 'flows', 'total', 'LICENSE', 'struct flow_key']) assert.ok(byName.has(name), `${name} missing from ${[...byName.keys()]}`);
    // Programs are events (the kernel calls them), shown with their section.
    assert.strictEqual(byName.get('dump_flows')!.kind, SymbolKind.Event);
    assert.strictEqual(byName.get('dump_flows')!.detail, 'SEC("iter/bpf_map_elem")');
    assert.strictEqual(byName.get('twice')!.kind, SymbolKind.Function);
    assert.strictEqual(byName.get('flows')!.kind, SymbolKind.Object);
    assert.match(byName.get('flows')!.detail ?? '', /key 8 value 8 max 64/);
    assert.strictEqual(byName.get('dump_flows')!.selectionRange.start.line, text.split('\n').findIndex((l) => l.startsWith('int dump_flows')));
    // Nothing from the headers.
    assert.ok(!byName.has('seq_file') && !byName.has('bpf_map'), [...byName.keys()].join(','));
  });

  it('answers null or nothing, never throws, on whitespace, comments and positions past the end', () => {
    for (const position of [{ line: 2, character: 0 }, { line: 0, character: 3 }, { line: 9999, character: 0 }, { line: 5, character: 999 }]) {
      assert.strictEqual(service.definition(FIXTURE_PATH, text, position), null);
      assert.deepStrictEqual(service.references(FIXTURE_PATH, text, position), []);
      assert.strictEqual(service.prepareRename(FIXTURE_PATH, text, position), null);
    }
  });
});
