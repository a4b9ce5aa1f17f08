/**
 * bpf_sock_from_file() on the simulated machine: a task's `socket:[ino]` file is the socket of that inode in the
 * reader's network namespace (file->private_data when f_op is socket_file_ops); any other file gives NULL, and so does
 * a socket file the namespace does not have.
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const FILE = '/sock-from-file/files.bpf.c';
const SCENARIO = '/sock-from-file/files.bpfscenario.json';
const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/task_file")
int files(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct socket *sock;
	if (!file || !ctx->task)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock) {
		BPF_SEQ_PRINTF(ctx->meta->seq, "%u -\\n", ctx->fd);
		return 0;
	}
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u type=%d family=%u\\n", ctx->fd, sock->type,
		       sock->sk ? sock->sk->__sk_common.skc_family : 0);
	return 0;
}
`;
const WORLD = {
  processes: [
    { pid: 1, ppid: 0, comm: 'daemon', files: [
      { fd: 0, path: '/dev/null', flags: ['O_RDWR'] },
      { fd: 3, path: 'socket:[500]', flags: ['O_RDWR'], dname: 'UNIX' },
      { fd: 4, path: 'socket:[777]', flags: ['O_RDWR'], dname: 'UDP' },
      { fd: 5, path: 'socket:[999]', flags: ['O_RDWR'], dname: 'UNIX' },
    ] },
  ],
  network: { sockets: [
    { protocol: 'unix', type: 'dgram', state: 'close', path: '/run/daemon.sock', uid: 0, inode: 500 },
    { protocol: 'udp', local: '0.0.0.0:68', uid: 0, inode: 777 },
  ] },
};

describe('bpf_sock_from_file on the simulated machine', () => {
  it('gives the struct socket of a socket file of the namespace, NULL for another file or a socket it does not have', async () => {
    const service = createLanguageService(createMemoryHost({ [FILE]: PROGRAM, [SCENARIO]: JSON.stringify(WORLD) }, createNodeHost()), defaultSettings());
    assert.deepStrictEqual(service.validate(FILE, PROGRAM).filter((d) => d.severity === 1 || d.severity === 2).map((d) => d.message), []);
    const r = await service.run(FILE, PROGRAM, { scenario: SCENARIO }) as unknown as { output: string | null; error?: { message: string } };
    assert.ok(!r.error, r.error?.message);
    assert.strictEqual(r.output, ['0 -', '3 type=2 family=1', '4 type=2 family=2', '5 -', ''].join('\n'));
  });
});
