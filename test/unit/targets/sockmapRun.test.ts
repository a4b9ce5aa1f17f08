import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from './btfHeader';

const SCENARIO = path.join(path.dirname(FIXTURE_PATH), 'sockmaps.bpfscenario.json');

const SOCKMAP = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/sockmap")
int dump(struct bpf_iter__sockmap *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct sock *sk = ctx->sk;
	__u32 *key = ctx->key;
	if (!key) { BPF_SEQ_PRINTF(seq, "end %u\\n", ctx->map->max_entries); return 0; }
	if (!sk) { BPF_SEQ_PRINTF(seq, "%u -\\n", *key); return 0; }
	BPF_SEQ_PRINTF(seq, "%u %u %u\\n", *key, sk->sk_protocol, sk->__sk_common.skc_state);
	return 0;
}
`;

const STORAGE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_sk_storage_map")
int dump(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct sock *sk = ctx->sk;
	__u64 *v = ctx->value;
	if (!sk || !v) { BPF_SEQ_PRINTF(seq, "end\\n"); return 0; }
	BPF_SEQ_PRINTF(seq, "%u %llu\\n", sk->sk_protocol, *v);
	return 0;
}
`;

const WORLD = {
  network: { sockets: [
    { protocol: 'tcp', state: 'listen', local: '0.0.0.0:22' },
    { protocol: 'tcp', state: 'established', local: '10.0.0.1:22', remote: '10.0.0.2:5000' },
    { protocol: 'udp', local: '127.0.0.1:53' },
    { protocol: 'tcp', state: 'time_wait', local: '10.0.0.1:4000', remote: '10.0.0.3:443' },
  ] },
  maps: [
    { name: 'sock_arr', type: 'sockmap', key_size: 4, value_size: 4, max_entries: 4, entries: [{ key: 0, socket: 0 }, { key: 2, socket: 2 }] },
    { name: 'sock_hash', type: 'sockhash', key_size: 4, value_size: 8, max_entries: 8, entries: [{ key: 7, socket: 1 }, { key: 9, socket: 0 }] },
    { name: 'sk_stg', type: 'sk_storage', key_size: 4, value_size: 8, max_entries: 0, flags: ['BPF_F_NO_PREALLOC'], btf: true,
      entries: [{ socket: 1, value: 11 }, { socket: 2, value: 22 }] },
  ],
};

async function run(text: string, map: string, world: object = WORLD): Promise<{ output: string; error?: string; bpftool?: string; fdinfo?: string }> {
  const service = serviceFor({ ...TARGET_FILES, [SCENARIO]: JSON.stringify(world) });
  const r = await service.run(FIXTURE_PATH, text, { scenario: SCENARIO, map }) as unknown as { output: string | null; error?: { errno: string; message: string }; bpftool?: string; fdinfo?: string };
  return { output: r.output ?? '', error: r.error ? `${r.error.errno}: ${r.error.message}` : undefined, bpftool: r.bpftool, fdinfo: r.fdinfo };
}

describe('sockmap and bpf_sk_storage_map targets (net/core/sock_map.c, net/core/bpf_sk_storage.c)', () => {
  it('sockmap: every index below max_entries (empty slots with sk NULL), then the call with key and sk NULL', async () => {
    const r = await run(SOCKMAP, 'sock_arr');
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, '0 6 10\n1 -\n2 17 7\n3 -\nend 4\n');
    // bpftool prints no map_id for sockmap links (is_iter_map_target()); fdinfo has it (bpf_iter_map_show_fdinfo())
    assert.ok(r.bpftool?.includes('target_name sockmap  ') && !r.bpftool.includes('map_id'), r.bpftool);
    assert.ok(/map_id:\t\d+\n/.test(r.fdinfo ?? ''), r.fdinfo);
  });

  it('sockhash: the elements by jhash bucket, each with its key', async () => {
    const r = await run(SOCKMAP, 'sock_hash');
    assert.ok(!r.error, r.error);
    assert.deepStrictEqual(r.output.split('\n').filter(Boolean).sort(), ['7 6 1', '9 6 10', 'end 8']);
    assert.ok(r.output.endsWith('end 8\n'));
  });

  it('bpf_sk_storage_map: each socket with its value, then sk and value NULL; bpftool shows map_id', async () => {
    const r = await run(STORAGE, 'sk_stg');
    assert.ok(!r.error, r.error);
    assert.deepStrictEqual(r.output.split('\n').filter(Boolean).sort(), ['17 22', '6 11', 'end']);
    assert.ok(/target_name bpf_sk_storage_map {2}map_id \d+ {2}/.test(r.bpftool ?? ''), r.bpftool);
  });

  it('a program\'s own sk_storage map defined with __type(key/value) is created with BTF, as libbpf creates it; __uint sizes alone are refused (EINVAL)', async () => {
    const own = (def: string) => STORAGE.replace('SEC("iter/bpf_sk_storage_map")',
      `struct { __uint(type, 24 /* BPF_MAP_TYPE_SK_STORAGE */); __uint(map_flags, 1 /* BPF_F_NO_PREALLOC */); ${def} } own_stg SEC(".maps");\nSEC("iter/bpf_sk_storage_map")`);
    const world = { network: WORLD.network, maps: [{ name: 'own_stg', entries: [{ socket: 0, value: 5 }] }] };
    const typed = await run(own('__type(key, int); __type(value, __u64);'), 'own_stg', world);
    assert.ok(!typed.error, typed.error);
    assert.deepStrictEqual(typed.output.split('\n').filter(Boolean).sort(), ['6 5', 'end']);
    const sized = await run(own('__uint(key_size, 4); __uint(value_size, 8);'), 'own_stg', world);
    assert.match(sized.error ?? '', /^EINVAL: .*needs BTF/);
  });

  it('attach needs a map of the target\'s type (EINVAL), as sock_map_iter_attach_target() and bpf_iter_attach_map() check', async () => {
    assert.match((await run(STORAGE, 'sock_arr')).error ?? '', /^EINVAL: .*sockmap/);
    assert.match((await run(SOCKMAP, 'sk_stg')).error ?? '', /^EINVAL: .*sk_storage/);
  });

  it('a time-wait socket cannot go into a sockmap (EOPNOTSUPP); an entry needs "socket"', async () => {
    const tw = { ...WORLD, maps: [{ ...WORLD.maps[0], entries: [{ key: 1, socket: 3 }] }] };
    assert.match((await run(SOCKMAP, 'sock_arr', tw)).error ?? '', /EOPNOTSUPP/);
    const noSock = { ...WORLD, maps: [{ ...WORLD.maps[0], entries: [{ key: 1, value: 3 }] }] };
    assert.match((await run(SOCKMAP, 'sock_arr', noSock)).error ?? '', /needs "socket"/);
  });
});
