import * as assert from 'assert';
import { CodeAction, TextEdit, Range } from 'vscode-languageserver-types';
import { parseMarkers, serviceFor, FIXTURE_PATH } from './fourslash';
import { URI } from '../../../server/src/service/uri';

function applyEdits(text: string, edits: TextEdit[]): string {
  const offsetOf = (p: { line: number; character: number }) => {
    const lines = text.split('\n');
    return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  };
  const sorted = [...edits].sort((x, y) => offsetOf(y.range.start) - offsetOf(x.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetOf(e.range.start)) + e.newText + out.slice(offsetOf(e.range.end));
  return out;
}

const NULL_DEREF = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	BPF_SEQ_PRINTF(seq, "%u\\n", /*use*/map->id);
	return 0;
}
`;

const NO_LICENSE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	/*body*/return 0;
}
`;

describe('service code actions and lenses (fourslash markers)', () => {
  const service = serviceFor();
  const actionsAt = (text: string, at: { line: number; character: number }): CodeAction[] => {
    const diagnostics = service.validate(FIXTURE_PATH, text);
    const range: Range = { start: at, end: at };
    const here = diagnostics.filter((d) => d.range.start.line <= at.line && d.range.end.line >= at.line);
    return service.codeActions(FIXTURE_PATH, text, range, { diagnostics: here });
  };

  it('a dereference of ctx->map without a NULL check gets a quick fix that inserts the check, and the result checks clean', () => {
    const { text, markers } = parseMarkers(NULL_DEREF);
    const errors = service.validate(FIXTURE_PATH, text).filter((d) => d.severity === 1);
    assert.ok(errors.length > 0, 'the unchecked dereference is an error');
    const fix = actionsAt(text, markers.use).find((a) => a.kind === 'quickfix');
    assert.ok(fix, 'a quick fix is offered');
    assert.strictEqual(fix.title, 'Return 0 when map is NULL');
    const fixed = applyEdits(text, fix.edit!.changes![URI.fromPath(FIXTURE_PATH)]);
    assert.match(fixed, /struct bpf_map \*map = ctx->map;\n\n\tif \(!map\)\n\t\treturn 0;\n/);
    assert.deepStrictEqual(service.validate(FIXTURE_PATH, fixed).filter((d) => d.severity === 1), []);
  });

  it('a program without a license gets a quick fix that adds SEC("license") after the includes', () => {
    const { text } = parseMarkers(NO_LICENSE);
    const diagnostics = service.validate(FIXTURE_PATH, text);
    const license = diagnostics.find((d) => /licen[cs]e/i.test(String(d.message)));
    assert.ok(license, `a license diagnostic among ${JSON.stringify(diagnostics.map((d) => d.message))}`);
    const fix = service.codeActions(FIXTURE_PATH, text, license.range, { diagnostics: [license] }).find((a) => a.kind === 'quickfix');
    assert.ok(fix);
    const fixed = applyEdits(text, fix.edit!.changes![URI.fromPath(FIXTURE_PATH)]);
    assert.match(fixed, /#include <bpf\/bpf_helpers.h>\n\nchar LICENSE\[\] SEC\("license"\) = "GPL";\n/);
    assert.ok(!service.validate(FIXTURE_PATH, fixed).some((d) => /licen[cs]e/i.test(String(d.message))));
  });

  it('`->` on a struct and `.` on a pointer get clang\'s fix-it as a quick fix, and the result checks clean', () => {
    const { text, markers } = parseMarkers(`#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_iter_meta meta = *ctx->meta;
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	BPF_SEQ_PRINTF(meta/*arrow*/->seq, "%u\\n", map/*dot*/.id);
	return 0;
}
`);
    const edits: TextEdit[] = [];
    for (const [marker, title] of [['arrow', "Replace '->' with '.'"], ['dot', "Replace '.' with '->'"]] as const) {
      const fix = actionsAt(text, markers[marker]).find((a) => a.title === title);
      assert.ok(fix, `${title}: offered`);
      edits.push(...fix.edit!.changes![URI.fromPath(FIXTURE_PATH)]);
    }
    const fixed = applyEdits(text, edits);
    assert.match(fixed, /BPF_SEQ_PRINTF\(meta\.seq, "%u\\n", map->id\);/);
    assert.deepStrictEqual(service.validate(FIXTURE_PATH, fixed).filter((d) => d.severity === 1).map((d) => d.message), []);
  });

  it('inside a program, an action creates a scenario file for it', () => {
    const { text, markers } = parseMarkers(NO_LICENSE);
    const create = service.codeActions(FIXTURE_PATH, text, { start: markers.body, end: markers.body }, { diagnostics: [] })
      .find((a) => a.command?.command === 'bpfIter.createScenario');
    assert.ok(create);
    assert.deepStrictEqual(create.command!.arguments, [URI.fromPath(FIXTURE_PATH), 'dump']);
  });

  it('outside any program there is no scenario action', () => {
    const { text } = parseMarkers(NO_LICENSE);
    assert.deepStrictEqual(service.codeActions(FIXTURE_PATH, text, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, { diagnostics: [] }), []);
  });

  it('code lenses: Run Iterator on every program, Run on Map... only on bpf_map_elem programs, on the SEC line', () => {
    const text = NULL_DEREF.replace('/*use*/', '') + `
SEC("iter/bpf_map_elem")
int elems(struct bpf_iter__bpf_map_elem *ctx)
{
	return 0;
}
`;
    const lenses = service.codeLenses(FIXTURE_PATH, text);
    assert.deepStrictEqual(lenses.map((l) => [l.command!.title, l.command!.arguments![1], l.range.start.line]),
      [['▶ Run Iterator', 'dump', 5], ['Debug Iterator', 'dump', 5], ['▶ Run Iterator', 'elems', 15], ['Debug Iterator', 'elems', 15], ['Run on Map...', 'elems', 15]]);
  });
});
