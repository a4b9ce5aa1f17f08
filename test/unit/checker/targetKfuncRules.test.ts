import * as assert from 'assert';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

function program(target: string, body: string): string {
  return `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
int bpf_sock_destroy(struct sock_common *sk) __ksym;
SEC("iter/${target}")
int prog(struct bpf_iter__${target} *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
${body}
	return 0;
}
`;
}

function codes(text: string): string[] {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1).map((d) => `${d.code}: ${d.message}`);
}

describe('checker: kfunc and helper-size rules measured on 6.18 (bpf_sock_destroy, signed sizes)', () => {
  it('bpf_sock_destroy takes the trusted sockets of iter/tcp and iter/udp (udp_sock matches sock_common by its first members)', () => {
    // the tcp programs read a sock_common field: without one clang emits sock_common (the ctx's pointee) as a BTF forward
    // declaration and libbpf refuses bpf_sock_destroy()'s prototype before the verifier runs (BPF2066, measured on 6.18)
    assert.deepStrictEqual(codes(program('tcp', '\tstruct sock_common *s = ctx->sk_common;\n\tif (!s) return 0;\n\tBPF_SEQ_PRINTF(seq, "%u", s->skc_family);\n\tbpf_sock_destroy(s);')), []);
    assert.deepStrictEqual(codes(program('udp', '\tstruct udp_sock *u = ctx->udp_sk;\n\tif (!u) return 0;\n\tbpf_sock_destroy((struct sock_common *)u);')), []);
  });

  it('iter/unix: "R1 must be referenced or trusted"; a task or a map: the struct mismatch; no NULL check: "Possibly NULL"', () => {
    const unix = codes(program('unix', '\tstruct unix_sock *u = ctx->unix_sk;\n\tif (!u) return 0;\n\tbpf_sock_destroy((struct sock_common *)u);'));
    assert.strictEqual(unix.length, 1);
    assert.match(unix[0], /^BPF2115: .*R1 must be referenced or trusted/);
    const task = codes(program('task', '\tstruct task_struct *t = ctx->task;\n\tif (!t) return 0;\n\tbpf_sock_destroy((struct sock_common *)t);'));
    assert.match(task[0] ?? '', /^BPF2034: .*expected pointer to STRUCT sock_common but R1 has a pointer to STRUCT task_struct/);
    const map = codes(program('bpf_map', '\tstruct bpf_map *m = ctx->map;\n\tif (!m) return 0;\n\tbpf_sock_destroy((struct sock_common *)m);'));
    assert.match(map[0] ?? '', /^BPF2034: .*STRUCT bpf_map/);
    const unchecked = codes(program('tcp', '\tstruct sock_common *c = ctx->sk_common;\n\tif (c) BPF_SEQ_PRINTF(seq, "%u", c->skc_family);\n\tbpf_sock_destroy(ctx->sk_common);'));
    assert.match(unchecked[0] ?? '', /^BPF2025: .*Possibly NULL pointer passed to trusted arg0/);
  });

  it('the socket casts take a NULL-checked socket (ARG_PTR_TO_BTF_ID_SOCK_COMMON); bpf_get_socket_cookie() takes NULL too (measured on 6.18)', () => {
    const cast = (arg: string, check = ''): string[] => codes(program('tcp', `${check}\tstruct tcp_sock *tp = bpf_skc_to_tcp_sock(${arg});\n\tif (!tp) return 0;\n\tBPF_SEQ_PRINTF(seq, "%u", tp->snd_cwnd);`));
    assert.deepStrictEqual(cast('skc', '\tstruct sock_common *skc = ctx->sk_common;\n\tif (!skc) return 0;\n'), []);
    const unchecked = cast('ctx->sk_common');
    assert.strictEqual(unchecked.length, 1, unchecked.join('\n'));
    assert.match(unchecked[0], /^BPF2117: ctx->sk_common cannot be argument 1 of bpf_skc_to_tcp_sock: .*"R1 type=trusted_ptr_or_null_ expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_"$/);
    assert.match(cast('(void *)ctx->meta')[0] ?? '', /^BPF2117: .*"R1 is of type bpf_iter_meta but sock_common is expected"$/);
    assert.match(codes(program('tcp', '\t__u64 x = 0;\n\tstruct tcp_sock *tp = bpf_skc_to_tcp_sock(&x);\n\tif (!tp) return 0;'))[0] ?? '', /^BPF2117: .*"R1 type=fp expected=sock_common/);
    assert.match(codes(program('tcp', '\tstruct tcp_sock *tp = bpf_skc_to_tcp_sock(0);\n\tif (!tp) return 0;'))[0] ?? '', /^BPF2117: .*"R1 type=scalar expected=sock_common/);
    assert.deepStrictEqual(codes(program('tcp', '\tBPF_SEQ_PRINTF(seq, "%llu", bpf_get_socket_cookie(ctx->sk_common));')), []);
    assert.match(codes(program('tcp', '\t__u64 x = 0;\n\tBPF_SEQ_PRINTF(seq, "%llu", bpf_get_socket_cookie(&x));'))[0] ?? '', /^BPF2117: .*"R1 type=fp expected=sock_common/);
  });

  it('BPF_PROG reads its arguments as ctx[i] words: the verifier types them by offset, so an unchecked task is refused (measured on 6.18)', () => {
    const bpfProg = (body: string): string => `#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\nchar LICENSE[] SEC("license") = "GPL";\n`
      + `SEC("iter/task")\nint BPF_PROG(dump_task, struct bpf_iter_meta *meta, struct task_struct *task)\n{\n${body}\n\treturn 0;\n}\n`;
    const unchecked = codes(bpfProg('\tBPF_SEQ_PRINTF(meta->seq, "%d\\n", task->pid);'));
    assert.strictEqual(unchecked.length, 1, unchecked.join('\n'));
    assert.match(unchecked[0], /^BPF2001: ctx->task may be NULL here.*invalid mem access 'trusted_ptr_or_null_'/);
    assert.deepStrictEqual(codes(bpfProg('\tif (!task)\n\t\treturn 0;\n\tBPF_SEQ_PRINTF(meta->seq, "%d %s\\n", task->pid, task->comm);')), []);
  });

  it('a signed size that may be negative: "R2 min value is negative"; tested or unsigned sizes pass', () => {
    const body = (decl: string, test: string): string => `\tstruct bpf_map *m = ctx->map;\n\tchar buf[16];\n\tif (!m) return 0;\n\t${decl} n = m->key_size - 4;\n\t${test}\n\tbpf_probe_read_kernel(buf, n, m->name);\n\tbpf_seq_write(seq, buf, sizeof(buf));`;
    const neg = codes(program('bpf_map', body('int', 'if (n > 16) return 0;')));
    assert.strictEqual(neg.length, 1, neg.join('\n'));
    assert.match(neg[0], /^BPF2116: The size n passed as argument 2 of bpf_probe_read_kernel .*R2 min value is negative, either use unsigned or 'var &= const'/);
    assert.deepStrictEqual(codes(program('bpf_map', body('int', 'if (n <= 0 || n > 16) return 0;'))), []);
    assert.deepStrictEqual(codes(program('bpf_map', body('unsigned int', 'if (n > 16) return 0;'))), []);
    assert.deepStrictEqual(codes(program('bpf_map', body('int', 'n &= 15;'))), []);
  });
});
