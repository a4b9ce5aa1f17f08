/**
 * Socket local storage from an iterator program (bpf_sk_storage_get_tracing(), bpf_sk_storage_delete_tracing()): a
 * value per full socket, created with F_CREATE from the initial value, found again by the next call, deleted once;
 * NULL for a time-wait socket (not a full socket) and without F_CREATE.
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const FILE = '/sk-storage/tags.bpf.c';
const SCENARIO = '/sk-storage/tags.bpfscenario.json';
const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} tags SEC(".maps");
SEC("iter/tcp")
int tag(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;
	__u64 init = 40, *v, *again;
	long d1, d2;
	if (!skc)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u not full\\n", skc->skc_num);
		return 0;
	}
	if (bpf_sk_storage_get(&tags, tp, 0, 0))
		return 0;
	v = bpf_sk_storage_get(&tags, tp, &init, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v)
		return 0;
	*v += skc->skc_num;
	again = bpf_sk_storage_get(&tags, tp, 0, 0);
	d1 = bpf_sk_storage_delete(&tags, tp);
	d2 = bpf_sk_storage_delete(&tags, tp);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u %llu %d %ld %ld\\n", skc->skc_num, *v, again == v, d1, d2);
	return 0;
}
`;
const WORLD = { network: { sockets: [
  { protocol: 'tcp', state: 'listen', local: '0.0.0.0:22', uid: 0, inode: 801 },
  { protocol: 'tcp', state: 'established', local: '10.0.0.2:40000', remote: '10.0.0.1:443', uid: 1000, inode: 802 },
] } };

describe('socket local storage from an iterator program', () => {
  it('a value per socket, created from the initial value, found again, deleted once', async () => {
    const service = createLanguageService(createMemoryHost({ [FILE]: PROGRAM, [SCENARIO]: JSON.stringify(WORLD) }, createNodeHost()), defaultSettings());
    assert.deepStrictEqual(service.validate(FILE, PROGRAM).filter((d) => d.severity === 1 || d.severity === 2).map((d) => d.message), []);
    const r = await service.run(FILE, PROGRAM, { scenario: SCENARIO }) as unknown as { output: string | null; error?: { message: string } };
    assert.ok(!r.error, r.error?.message);
    assert.strictEqual(r.output, '22 62 1 0 -2\n40000 40040 1 0 -2\n');
  });
});
