import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

// out/test/unit/client -> repository root
const root = path.join(__dirname, '..', '..', '..', '..');
const grammar = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes', 'bpf-c.injection.tmLanguage.json'), 'utf8'));
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const rule = (name: string) => grammar.repository[name];
const re = (source: string) => new RegExp(source);

describe('client grammar: BPF C injection into source.c', () => {
  it('is contributed as an injection into source.c under its own scope name', () => {
    const contributed = manifest.contributes.grammars.find((g: { scopeName: string }) => g.scopeName === grammar.scopeName);
    assert.ok(contributed, 'package.json contributes the grammar');
    assert.deepStrictEqual(contributed.injectTo, ['source.c']);
    assert.ok(fs.existsSync(path.join(root, contributed.path)));
  });
  it('splits SEC("iter/bpf_map_elem") into keyword, section kind and iterator target', () => {
    const m = re(rule('section').match).exec('SEC("iter/bpf_map_elem")');
    assert.ok(m);
    assert.deepStrictEqual([m[1], m[4], m[6]], ['SEC', 'iter', 'bpf_map_elem']);
    const maps = re(rule('section').match).exec('} flows SEC(".maps");');
    assert.strictEqual(maps?.[7], '.maps');
  });
  it('highlights format specifiers the verifier accepts, including %pI4 and %llu', () => {
    const spec = re(`^(?:${rule('format-string').patterns[1].match})$`);
    for (const ok of ['%d', '%-15pI4', '%10llu', '%5u', '%x', '%pi6', '%pK', '%c', '%s', '%lld', '%016llx', '%*d']) assert.ok(spec.test(ok), ok);
    assert.ok(!spec.test('%q'));
    assert.ok(re(rule('print-call').begin).test('BPF_SEQ_PRINTF(seq, "x")'));
  });
  it('tells kfuncs from helpers', () => {
    assert.ok(re(rule('kfunc-call').match).test('bpf_map_sum_elem_count(map)'));
    assert.ok(!re(rule('kfunc-call').match).test('bpf_map_lookup_elem(&m, &k)'));
    assert.strictEqual(re(rule('helper-call').match).exec('v = bpf_map_lookup_elem(&m, &k)')?.[1], 'bpf_map_lookup_elem');
  });
});
