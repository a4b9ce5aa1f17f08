/**
 * A pointer or a counter stepped on one side of an `if` only, then used to fill or read a stack buffer: the verifier
 * walks the two sides apart, so on each path the pointer's offset and the counter's value are constants, every store
 * marks its byte written and the helper reads exactly those bytes. Joined at the `if`, the pointer had a variable
 * offset and the counter a range: a false BPF2015 ("before all of its bytes are written"). In a counted loop, a
 * counter stepped under a test (`if (c) n++;`) moves at most once a pass: widened to the ends of its type it was a
 * false BPF2116/BPF2029 at the helper it sizes. Measured on Linux 6.18: each program here that is said to load does,
 * and the two out-of-bounds ones are refused ("invalid write to stack").
 */
import * as assert from 'assert';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

const program = (locals: string, body: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map")
int fill(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
${locals}

	if (!map)
		return 0;
${body}
	return 0;
}
`;

const codes = (text: string): string[] => {
  const file = '/conditional-steps/fill.bpf.c';
  const service = createLanguageService(createMemoryHost({ [file]: text }, createNodeHost()), defaultSettings());
  return service.validate(file, text).filter((d) => d.severity === 1 || d.severity === 2).map((d) => `${d.code}: ${String(d.message)}`);
};

describe('checker: a pointer or counter stepped on one side of an if', () => {
  it('fills a buffer through a pointer a flag may step first', () => {
    const prefix = (reads: string) => program('\tchar buf[4];\n\tchar *p = buf;', `\tif (map->map_flags & 1)
		*p++ = '-';
	*p++ = map->name[0];
	*p++ = map->name[1];
	*p++ = '\\n';
	bpf_seq_write(ctx->meta->seq, buf, ${reads});`);
    assert.deepStrictEqual(codes(prefix('3')), []);
    // the path without the prefix wrote 3 bytes: a read of 4 sees one unwritten there
    const [m] = codes(prefix('4'));
    assert.ok(m && m.startsWith('BPF2015') && m.includes('off -8+3 size 4'), m);
  });

  it('fills a buffer through a counter a flag may step first', () => {
    const counted = (reads: string) => program('\tchar buf[4];\n\tint n = 0;', `\tif (map->map_flags & 1)
		buf[n++] = '-';
	buf[n++] = map->name[0];
	buf[n++] = '\\n';
	bpf_seq_write(ctx->meta->seq, buf, ${reads});`);
    assert.deepStrictEqual(codes(counted('n')), []);
    // one byte past what each path wrote: said once, in the words of the first path walked (the verifier stops there)
    const ms = codes(counted('n + 1'));
    assert.ok(ms.length === 1 && ms[0].startsWith('BPF2015') && ms[0].includes('off -8+3 size 4'), ms.join('\n'));
  });

  it('keeps one state per value through a run of such ifs', () => {
    // five flags, each adding a letter: the verifier prunes the 32 paths to one per n; 2^5 copies are not needed here
    const flags = (reads: string) => program('\tchar buf[8];\n\tint n = 0;\n\t__u32 f;', `\tf = map->map_flags;
	if (f & 1) buf[n++] = 'A';
	if (f & 2) buf[n++] = 'B';
	if (f & 4) buf[n++] = 'C';
	if (f & 8) buf[n++] = 'D';
	if (f & 16) buf[n++] = 'E';
	buf[n++] = '\\n';
	bpf_seq_write(ctx->meta->seq, buf, ${reads});`);
    assert.deepStrictEqual(codes(flags('n')), []);
    const [m] = codes(flags('n + 1'));
    assert.ok(m && m.startsWith('BPF2015'), m);
  });

  it('bounds a counter a loop steps under a test by the passes the loop makes', () => {
    const counting = (passes: number) => program('\tchar buf[8];\n\tint n = 0, i;', `\t__builtin_memset(buf, '*', sizeof(buf));
	for (i = 0; i < ${passes}; i++) {
		if (map->name[i] == 'a')
			n++;
	}
	buf[n] = '\\n';
	bpf_seq_write(ctx->meta->seq, buf, n + 1);`);
    assert.deepStrictEqual(codes(counting(6)), []);
    // nine passes may leave n at 9: the verifier refuses the store past buf on that path, and so do we
    const refused = codes(counting(9));
    // (the kernel's words name the first path it walks: n = 8, off=0, on Linux 6.18; which one comes first here differs)
    assert.ok(refused[0]?.startsWith('BPF2991') && /invalid write to stack R\? off=[01] size=1/.test(refused[0]), refused.join('\n'));
  });

  it('walks a loop that fills a buffer through a counter stepped under a test pass by pass', () => {
    const filling = (extra: string) => program('\tchar buf[8];\n\tint n = 0, i;', `\tfor (i = 0; i < 6; i++) {
		char c = map->name[i];

		if (c >= 'a' && c <= 'z')
			buf[n++] = c;
	}
	buf[n++] = '\\n';
	bpf_seq_write(ctx->meta->seq, buf, n${extra});`);
    // one path per value of n, each with the bytes [0, n) written, as the verifier walks them
    assert.deepStrictEqual(codes(filling('')), []);
    // a byte more than each path wrote: every path reads one unwritten byte
    const ms = codes(filling(' + 1'));
    assert.ok(ms.length === 1 && ms[0].startsWith('BPF2015') && /off -8\+\d size \d/.test(ms[0]), ms.join('\n'));
  });
});
