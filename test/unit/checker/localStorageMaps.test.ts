/**
 * The local storage maps and their helpers (check_map_func_compatibility(), measured on Linux 6.18): a task storage
 * map is reached only through bpf_task_storage_get/delete, which take nothing else, and no local storage map can be
 * walked by bpf_for_each_map_elem() ("callback function not allowed for map").
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const program = (mapType: string, body: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct {
	__uint(type, ${mapType});
	__uint(map_flags, ${mapType.includes('STORAGE') ? 'BPF_F_NO_PREALLOC' : '0'});
	__uint(max_entries, ${mapType.includes('STORAGE') ? 0 : 16});
	__type(key, int);
	__type(value, __u64);
} m SEC(".maps");
static long cb(struct bpf_map *map, int *key, __u64 *val, void *data) { return 0; }
SEC("iter/task")
int p(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	int k = 0;
	__u64 *v;
	if (!task)
		return 0;
	${body}
	return 0;
}
`;

describe('checker: local storage maps and the helpers that take them', () => {
  const codesOf = (text: string): string[] => {
    const file = '/local-storage/p.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).filter((d) => d.severity === 1).map((d) => String(d.code));
  };

  it('a task storage map with its own helpers loads', () => {
    assert.deepStrictEqual(codesOf(program('BPF_MAP_TYPE_TASK_STORAGE', 'v = bpf_task_storage_get(&m, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE); if (v) *v += 1; bpf_task_storage_delete(&m, task);')), []);
  });

  it('a hash map given to bpf_task_storage_get, a task storage map given to bpf_map_lookup_elem: cannot pass map_type', () => {
    assert.deepStrictEqual(codesOf(program('BPF_MAP_TYPE_HASH', 'v = bpf_task_storage_get(&m, task, 0, 0); if (v) *v += 1;')), ['BPF2056']);
    assert.deepStrictEqual(codesOf(program('BPF_MAP_TYPE_TASK_STORAGE', 'v = bpf_map_lookup_elem(&m, &k); if (v) *v += 1;')), ['BPF2056']);
  });

  it('no local storage map can be walked by bpf_for_each_map_elem; a hash map can', () => {
    for (const t of ['TASK_STORAGE', 'SK_STORAGE', 'INODE_STORAGE', 'CGRP_STORAGE']) {
      assert.deepStrictEqual(codesOf(program(`BPF_MAP_TYPE_${t}`, 'bpf_for_each_map_elem(&m, cb, 0, 0);')), ['BPF2487'], t);
    }
    assert.deepStrictEqual(codesOf(program('BPF_MAP_TYPE_HASH', 'bpf_for_each_map_elem(&m, cb, 0, 0);')), []);
  });
});
