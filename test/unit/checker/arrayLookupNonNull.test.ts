/**
 * An array lookup whose key is a stack zero is not NULL on Linux 6.18 (get_constant_map_key(): the key's bytes are
 * STACK_ZERO, key 0 < max_entries; can_elide_value_nullness(): ARRAY and PERCPU_ARRAY), so a program may use the
 * value without a check. Measured with clang 14: `__u32 key = 0` and `int key = 0` load; `__u32 key = 1` (clang puts
 * it at fp-4, not an aligned spill) and a hash map are refused with "invalid mem access 'map_value_or_null'".
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const program = (type: string, key: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, ${type});
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("iter/task")
int walk(struct bpf_iter__task *ctx)
{
	${key}
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	*v += 1;
	return 0;
}
`;

describe('checker: an array lookup with a zero key on the stack', () => {
  const codesOf = (text: string): string[] => {
    const file = '/array-lookup/walk.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).map((d) => String(d.code));
  };

  it('is not NULL for an array or a per-CPU array', () => {
    assert.deepStrictEqual(codesOf(program('BPF_MAP_TYPE_ARRAY', '__u32 key = 0;')), []);
    assert.deepStrictEqual(codesOf(program('BPF_MAP_TYPE_ARRAY', 'int key = 0;')), []);
    assert.deepStrictEqual(codesOf(program('BPF_MAP_TYPE_PERCPU_ARRAY', '__u32 key = 0;')), []);
  });

  it('may be NULL for another key, another map type, or a key the program changed', () => {
    assert.ok(codesOf(program('BPF_MAP_TYPE_ARRAY', '__u32 key = 1;')).includes('BPF2001'));
    assert.ok(codesOf(program('BPF_MAP_TYPE_HASH', '__u32 key = 0;')).includes('BPF2001'));
    assert.ok(codesOf(program('BPF_MAP_TYPE_ARRAY', '__u32 key = 0; key = ctx->meta->seq_num & 1;')).includes('BPF2001'));
  });
});
