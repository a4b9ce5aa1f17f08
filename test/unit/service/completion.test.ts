import * as assert from 'assert';
import { CompletionItem } from 'vscode-languageserver-types';
import { parseMarkers, serviceFor, FIXTURE_PATH } from './fourslash';

const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, /*maptype*/);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("iter//*sec*/")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->/*ctxmap*/;
	__u64 n = ctx->meta->/*meta*/;

	if (!map)
		return 0;
	n += map->/*mapfield*/;
	BPF_SEQ_PRINTF(seq, "%/*fmt*/\\n", n);
	bpf_seq_w/*helper*/;
	bpf_map_sum/*kfunc*/;
	bpf_seq_write(seq, "x", /*sig*/1);
	return 0;
}

SEC("iter/bpf_map_elem")
int elems(struct bpf_iter__bpf_map_elem *ctx)
{
	void *k = ctx->/*ctxelem*/;
	struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		/*mapkey*/
	} inner SEC(".maps");
	return 0;
}
`;

describe('service completion (fourslash markers)', () => {
  const { text, markers } = parseMarkers(SOURCE);
  const service = serviceFor({ [FIXTURE_PATH]: text });
  const labels = (marker: string): string[] => service.complete(FIXTURE_PATH, text, markers[marker]).map((c) => c.label);
  const item = (marker: string, label: string): CompletionItem => {
    const found = service.complete(FIXTURE_PATH, text, markers[marker]).find((c) => c.label === label);
    assert.ok(found, `no completion ${label} at /*${marker}*/`);
    return found;
  };

  it('map types after __uint(type, in a map definition', () => {
    const got = labels('maptype');
    for (const t of ['BPF_MAP_TYPE_HASH', 'BPF_MAP_TYPE_ARRAY', 'BPF_MAP_TYPE_PERCPU_HASH', 'BPF_MAP_TYPE_LRU_PERCPU_HASH']) assert.ok(got.includes(t), t);
    assert.ok(!got.includes('LICENSE'));
  });

  it('__uint/__type keys inside a SEC(".maps") struct, as snippets', () => {
    const got = labels('mapkey');
    for (const k of ['max_entries', 'key', 'value', 'map_flags']) assert.ok(got.includes(k), `${k} in ${got}`);
    assert.match(item('mapkey', 'max_entries').insertText!, /^__uint\(max_entries, \$\{1:/);
  });

  it('iterator targets inside SEC("iter/ with the simulated ones first', () => {
    const items = service.complete(FIXTURE_PATH, text, markers.sec);
    const sorted = [...items].sort((x, y) => (x.sortText ?? '').localeCompare(y.sortText ?? '')).map((c) => c.label);
    assert.deepStrictEqual(sorted.slice(0, 2), ['iter/bpf_map', 'iter/bpf_map_elem']);
    assert.ok(sorted.includes('iter/task'));
  });

  it('ctx-> of a bpf_map program offers exactly meta and map', () => {
    assert.deepStrictEqual(labels('ctxmap'), ['meta', 'map']);
    assert.match(JSON.stringify(item('ctxmap', 'map').documentation), /may be NULL/);
  });

  it('ctx-> of a bpf_map_elem program offers meta, map, key and value', () => {
    assert.deepStrictEqual(labels('ctxelem'), ['meta', 'map', 'key', 'value']);
  });

  it('ctx->meta-> offers seq, session_id and seq_num', () => {
    assert.deepStrictEqual([...labels('meta')].sort(), ['seq', 'seq_num', 'session_id']);
  });

  it('struct bpf_map members after map->', () => {
    const got = labels('mapfield');
    for (const f of ['id', 'name', 'key_size', 'value_size', 'max_entries', 'map_type', 'map_flags']) assert.ok(got.includes(f), f);
  });

  it('format specifiers after % in a BPF_SEQ_PRINTF string', () => {
    const got = labels('fmt');
    for (const f of ['%llu', '%pI4', '%s', '%%']) assert.ok(got.includes(f), f);
    assert.strictEqual(item('fmt', '%llu').insertText, 'llu');
  });

  it('helpers complete with a snippet of their parameters', () => {
    const seqWrite = item('helper', 'bpf_seq_write');
    assert.strictEqual(seqWrite.insertText, 'bpf_seq_write(${1:m}, ${2:data}, ${3:len})');
    assert.strictEqual(seqWrite.insertTextFormat, 2);
    assert.ok(!labels('helper').includes('bpf_map_sum_elem_count'));
  });

  it('kfuncs complete with a snippet of their parameters', () => {
    const kfunc = item('kfunc', 'bpf_map_sum_elem_count');
    assert.strictEqual(kfunc.insertText, 'bpf_map_sum_elem_count(${1:map})');
    assert.strictEqual(kfunc.insertTextFormat, 2);
  });

  it('signature help inside a helper call marks the active parameter', () => {
    const help = service.signatureHelp(FIXTURE_PATH, text, markers.sig)!;
    assert.strictEqual(help.signatures[0].label, 'long bpf_seq_write(struct seq_file * m, const void * data, __u32 len)');
    assert.strictEqual(help.activeParameter, 2);
  });

  it('names like __proto__ and constructor are no documented kfunc or target (the edit fuzzer\'s `__proto__(`, seed 23400)', () => {
    const position = (t: string, at: string) => ({ line: 0, character: t.indexOf(at) + at.length });
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const call = `${name}(`;
      // an implicitly declared function of that name, as clang declares one; never a documentation entry
      const help = service.signatureHelp(FIXTURE_PATH, call, position(call, '('));
      assert.deepStrictEqual(help?.signatures.map((sig) => sig.label), [`int ${name}()`], name);
      const decl = `int ${name}(void) { return 0; } int f(void) { return ${name}(); }`;
      assert.doesNotThrow(() => service.hover(FIXTURE_PATH, decl, position(decl, `return ${name}`)), name);
      const sec = `SEC("iter/${name}") int p(void *ctx) { return 0; }`;
      const hover = service.hover(FIXTURE_PATH, sec, position(sec, 'iter/'));
      assert.match(JSON.stringify(hover), new RegExp(`no iterator target`), name);
    }
  });
});
