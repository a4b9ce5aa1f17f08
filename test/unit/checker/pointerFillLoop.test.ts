/**
 * A stack buffer filled through a pointer a counted loop moves on every pass (`*p++ = c;`): the verifier walks the
 * passes one by one, each store at a constant offset, and sees every byte written; the fixpoint here joins the
 * passes into a variable offset, which initialises nothing for sure (a false BPF2015 at the helper reading the
 * buffer). Measured on Linux 6.18: such programs load and print the bytes the loop wrote.
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const program = (body: string, read = 'sizeof(buf)') => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int fill(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char buf[8];
	char *p = buf;
	int i;

	if (!map)
		return 0;
${body}
	bpf_seq_write(ctx->meta->seq, buf, ${read});
	return 0;
}
`;

describe('checker: a stack buffer filled through a pointer a counted loop moves', () => {
  const messages = (text: string): string[] => {
    const file = '/pointer-fill/fill.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
    return service.validate(file, text).filter((d) => d.code === 'BPF2015').map((d) => String(d.message));
  };

  it('sees each pass\'s store, and the pointer where the last pass left it', () => {
    assert.deepStrictEqual(messages(program('\tfor (i = 0; i < 7; i++)\n\t\t*p++ = \'a\' + i;\n\t*p = 0;')), []);
    assert.deepStrictEqual(messages(program('\tfor (i = 0; i < 4; i++) {\n\t\t__u8 b = map->id >> i;\n\t\t*p++ = \'a\' + (b & 7);\n\t\t*p++ = \'0\';\n\t}')), []);
    assert.deepStrictEqual(messages(program('\tfor (i = 0; i < 2; i++) {\n\t\t*p = \'x\';\n\t\tp[1] = \'y\';\n\t\tp[2] = \'z\';\n\t\tp += 3;\n\t}\n\t*p++ = 0;\n\t*p = 0;')), []);
  });

  it('fills a caller\'s buffer through the pointer a static function is given', () => {
    const helper = (bound: number) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

static void put_hex(char *p, __u32 v)
{
	int i;

	for (i = 0; i < ${bound}; i++)
		*p++ = 'a' + ((v >> (28 - 4 * i)) & 0xf);
}

SEC("iter/bpf_map")
int fill(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	char buf[8];

	if (!map)
		return 0;
	put_hex(buf, map->id);
	bpf_seq_write(ctx->meta->seq, buf, sizeof(buf));
	return 0;
}
`;
    assert.deepStrictEqual(messages(helper(8)), []);
    const [m] = messages(helper(6));
    assert.ok(m && m.includes('off -8+6 size 8'), m);
  });

  it('still reports the bytes no pass writes', () => {
    const [m] = messages(program('\tfor (i = 0; i < 4; i++)\n\t\t*p++ = \'a\' + i;\n\t*p = 0;'));
    assert.ok(m && m.includes('off -8+5 size 8'), m);
    const [n] = messages(program('\tfor (i = 0; i < 3; i++) {\n\t\t*p = \'x\';\n\t\tp += 2;\n\t}\n\t*p++ = 0;\n\t*p = 0;', '7'));
    assert.ok(n && n.includes('off -8+1 size 7'), n);
  });
});
