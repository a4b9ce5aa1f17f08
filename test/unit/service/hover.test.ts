import * as assert from 'assert';
import { MarkupContent } from 'vscode-languageserver-types';
import { parseMarkers, serviceFor, FIXTURE_PATH } from './fourslash';

const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define KEY_LIMIT 64

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, KEY_LIMIT);
	__type(key, __u32);
	__type(value, __u64);
} /*mapdef*/counts SEC(".maps");

extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

SEC("/*sec*/iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->/*meta*/meta->/*seq*/seq;
	__u64 n = ctx->meta->/*seqnum*/seq_num + ctx->meta->/*session*/session_id;
	struct bpf_map *map = ctx->/*map*/map;

	if (!map)
		return 0;
	BPF_SEQ_PRINTF(seq, "/*fmt*/%4u %s\\n", map->/*mapid*/id, map->name);
	/*helper*/bpf_seq_write(seq, "x", 1);
	n += /*kfunc*/bpf_map_sum_elem_count(map) + /*macro*/KEY_LIMIT;
	return 0;
}

SEC("iter/bpf_map_elem")
int elems(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->/*key*/key;
	__u64 *value = ctx->/*value*/value;
	return 0;
}
`;

describe('service hover (fourslash markers)', () => {
  const { text, markers } = parseMarkers(SOURCE);
  const service = serviceFor({ [FIXTURE_PATH]: text }, { cpus: 4 });
  const hoverText = (marker: string): string => {
    const h = service.hover(FIXTURE_PATH, text, markers[marker]);
    assert.ok(h, `no hover at /*${marker}*/`);
    return (h.contents as MarkupContent).value;
  };

  const cases: Array<[string, string, RegExp[]]> = [
    ['mapdef', 'a map definition: type, sizes and the per-CPU value size for the configured CPUs',
      [/map `counts`/, /BPF_MAP_TYPE_PERCPU_HASH/, /key_size 4/, /value_size 8/, /max_entries 64/, /4 × round_up\(8, 8\) = 32 bytes \(4 CPUs\)/]],
    ['sec', 'SEC("iter/bpf_map"): the target, its ctx type and when it calls the program', [/iterator target `bpf_map`/, /struct bpf_iter__bpf_map \*ctx/, /ascending map id/, /Linux 6\.18/]],
    ['meta', 'ctx->meta: type, never NULL, which iterator sets it', [/struct bpf_iter_meta \*/, /never NULL/, /set by iter\/bpf_map/]],
    ['seq', 'meta->seq: the seq_file', [/struct seq_file \*/, /never NULL/, /BPF_SEQ_PRINTF/]],
    ['seqnum', 'meta->seq_num: read-only, when it grows', [/__u64/, /read-only/, /same seq_num/]],
    ['session', 'meta->session_id: read-only, first session is 1', [/__u64/, /read-only/, /first session is 1/]],
    ['map', 'ctx->map: may be NULL in the final call', [/struct bpf_map \*/, /\*\*may be NULL\*\*/, /set by iter\/bpf_map/, /trusted_ptr_or_null_/]],
    ['fmt', 'a BPF_SEQ_PRINTF format specifier with its width', [/`%4u`/, /unsigned int, decimal/]],
    ['mapid', 'a struct bpf_map field: type, offset and size', [/u32 id/, /offset 92, size 4 in `struct bpf_map`/]],
    ['helper', 'a helper: signature and errno', [/long bpf_seq_write\(struct seq_file \* m, const void \* data, __u32 len\)/, /EOVERFLOW/]],
    ['kfunc', 'a kfunc: signature, what it does, flags', [/s64 bpf_map_sum_elem_count\(const struct bpf_map \*map\)/, /KF_TRUSTED_ARGS/, /0 for maps without counters/]],
    ['macro', 'a macro: its expansion', [/macro `KEY_LIMIT`/, /```c\n64\n```/]],
    ['key', 'ctx->key of bpf_map_elem: may be NULL, read-only, EACCES beyond key_size', [/\*\*may be NULL\*\*/, /read-only/, /set by iter\/bpf_map_elem/, /EACCES/]],
    ['value', 'ctx->value of bpf_map_elem: may be NULL, writable, per-CPU layout', [/\*\*may be NULL\*\*/, /read-write/, /round_up\(value_size, 8\)/]],
  ];
  for (const [marker, what, expected] of cases) {
    it(`hover on ${what}`, () => {
      const value = hoverText(marker);
      for (const re of expected) assert.match(value, re);
    });
  }

  it('hover ranges cover exactly the hovered ctx field', () => {
    const h = service.hover(FIXTURE_PATH, text, markers.session)!;
    assert.deepStrictEqual(h.range, { start: markers.session, end: { line: markers.session.line, character: markers.session.character + 'session_id'.length } });
  });

  it('no hover on an empty line', () => {
    assert.strictEqual(service.hover(FIXTURE_PATH, text, { line: 2, character: 0 }), null);
  });

  it('hover on an unknown iterator target says loading fails', () => {
    const { text: t, markers: m } = parseMarkers('SEC("/*x*/iter/bpf_nosuch")\nint p(void *ctx) { return 0; }\n');
    const h = service.hover(FIXTURE_PATH, t, m.x)!;
    assert.match((h.contents as MarkupContent).value, /no iterator target `bpf_nosuch`.*loading fails/);
  });

  it('inside a macro argument, hover shows the argument\'s own expression and type, not the macro\'s internal names', () => {
    const { text: t, markers: m } = parseMarkers(SOURCE.replace('map->/*mapid*/id, map->name', 'map-/*arrow*/>id + 1, /*name*/map->name'));
    const arrow = (service.hover(FIXTURE_PATH, t, m.arrow)!.contents as MarkupContent).value;
    assert.match(arrow, /```c\nmap->id\n```/);
    assert.match(arrow, /type `u32`/);
    assert.match(arrow, /argument of macro `BPF_SEQ_PRINTF`/);
    assert.doesNotMatch(arrow, /___param/);
    const name = (service.hover(FIXTURE_PATH, t, m.name)!.contents as MarkupContent).value;
    assert.match(name, /struct bpf_map \* map/, 'a name spelled in the argument is that name');
  });

  it('on the macro name itself, hover shows the expansion, not a variable of the macro body', () => {
    const { text: t, markers: m } = parseMarkers(SOURCE.replace('BPF_SEQ_PRINTF(seq, "/*fmt*/', 'BPF_/*printf*/SEQ_PRINTF(seq, "'));
    const value = (service.hover(FIXTURE_PATH, t, m.printf)!.contents as MarkupContent).value;
    assert.match(value, /macro `BPF_SEQ_PRINTF`/);
    assert.doesNotMatch(value, /___param\n```\n\nvariable/);
    assert.doesNotMatch(value, /argument of macro/);
  });

  it('the per-CPU size follows the cpus setting', () => {
    const two = serviceFor({ [FIXTURE_PATH]: text }, { cpus: 2 });
    const h = two.hover(FIXTURE_PATH, text, markers.mapdef)!;
    assert.match((h.contents as MarkupContent).value, /2 × round_up\(8, 8\) = 16 bytes \(2 CPUs\)/);
  });
});
