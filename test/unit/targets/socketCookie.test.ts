/**
 * bpf_get_socket_cookie() on the simulated machine (bpf_get_socket_ptr_cookie()): the socket's skc_cookie, the same
 * on every call, distinct per socket; 0 for NULL.
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const FILE = '/socket-cookie/cookies.bpf.c';
const SCENARIO = '/socket-cookie/cookies.bpfscenario.json';
const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/udp")
int cookies(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp = ctx->udp_sk;
	__u64 a, b;
	if (!udp)
		return 0;
	a = bpf_get_socket_cookie(udp);
	b = bpf_get_socket_cookie(udp);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %d %llu\\n", a != 0, a == b, a == udp->inet.sk.__sk_common.skc_cookie.counter,
		       bpf_get_socket_cookie((struct sock *)0));
	return 0;
}
`;
const WORLD = { network: { sockets: [
  { protocol: 'udp', local: '0.0.0.0:68', uid: 0, inode: 701 },
  { protocol: 'udp', local: '127.0.0.53:53', uid: 101, inode: 702 },
] } };

describe('bpf_get_socket_cookie on the simulated machine', () => {
  it('gives each socket its skc_cookie, the same on every call; NULL gives 0', async () => {
    const service = createLanguageService(createMemoryHost({ [FILE]: PROGRAM, [SCENARIO]: JSON.stringify(WORLD) }, createNodeHost()), defaultSettings());
    assert.deepStrictEqual(service.validate(FILE, PROGRAM).filter((d) => d.severity === 1 || d.severity === 2).map((d) => d.message), []);
    const r = await service.run(FILE, PROGRAM, { scenario: SCENARIO }) as unknown as { output: string | null; error?: { message: string } };
    assert.ok(!r.error, r.error?.message);
    assert.strictEqual(r.output, '1 1 1 0\n1 1 1 0\n');
  });
});
