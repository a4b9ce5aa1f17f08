import * as assert from 'assert';
import { ITER_TARGETS, iterTargetInfo, kernelBtf } from '../../../server/src/kernel';
import { CTX_FIELDS, ITER_TARGETS as TARGET_DOCS } from '../../../server/src/service/docs';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from './btfHeader';

/** A program of `target` reading `expr` (in a statement list), with `guard` before it. */
function program(target: string, body: string, section = 'iter'): string {
  return `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("${section}/${target}")
int prog(struct bpf_iter__${target} *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
${body}
	return 0;
}
`;
}

function errors(text: string): Array<{ code: string; message: string }> {
  return serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.severity === 1).map((d) => ({ code: String(d.code), message: String(d.message) }));
}

/** The first pointer field after meta of each target, and a field of its struct to read through it. */
const DEREF: Record<string, [string, string]> = {
  bpf_prog: ['prog', 'len'], bpf_link: ['link', 'id'], task: ['task', 'pid'], task_file: ['file', 'f_flags'],
  task_vma: ['vma', 'vm_start'], tcp: ['sk_common', 'skc_family'], udp: ['udp_sk', 'len'], netlink: ['sk', 'portid'],
  ipv6_route: ['rt', 'fib6_flags'], ksym: ['ksym', 'value'], cgroup: ['cgroup', 'level'], kmem_cache: ['s', 'size'],
  dmabuf: ['dmabuf', 'size'],
};

describe('iterator targets: the kernel table and the checker on every target (Linux 6.18)', () => {
  it('lists the 18 targets with ctx fields at the offsets of the kernel BTF', () => {
    assert.strictEqual(ITER_TARGETS.length, 18);
    for (const t of ITER_TARGETS) {
      const btf = kernelBtf[t.ctxStruct];
      assert.ok(btf, t.ctxStruct);
      assert.strictEqual(btf.size, t.ctxSize, t.name);
      for (const f of t.fields) {
        const b = btf.fields.find((x) => x.name === f.name);
        assert.ok(b, `${t.ctxStruct}.${f.name}`);
        assert.strictEqual(b.offset, f.offset, `${t.ctxStruct}.${f.name}`);
        if (f.type.kind === 'btf') assert.strictEqual(b.typeName, `struct ${f.type.struct} *`, `${t.ctxStruct}.${f.name}`);
      }
      assert.deepStrictEqual(btf.fields.map((x) => x.name), t.fields.map((x) => x.name), t.name);
    }
  });

  for (const [target, [field, member]] of Object.entries(DEREF)) {
    const info = iterTargetInfo(target)!;
    const type = info.fields.find((f) => f.name === field)!.type as { trusted: boolean; struct: string };
    const expected = `${type.trusted ? 'trusted_' : ''}ptr_or_null_`;
    it(`${target}: ctx->${field} dereferenced without a NULL check is refused with '${expected}' (measured), accepted after one`, () => {
      const bad = errors(program(target, `\tBPF_SEQ_PRINTF(seq, "%lx\\n", (long)ctx->${field}->${member});`));
      assert.strictEqual(bad.length, 1, JSON.stringify(bad));
      assert.ok(bad[0].message.includes(`invalid mem access '${expected}'`), bad[0].message);
      // each ctx load is a fresh maybe-NULL register: the checked one must be the one dereferenced (as on 6.18)
      const reloaded = errors(program(target, `\tif (!ctx->${field}) return 0;\n\tBPF_SEQ_PRINTF(seq, "%lx\\n", (long)ctx->${field}->${member});`));
      assert.strictEqual(reloaded.length, 1, JSON.stringify(reloaded));
      const good = errors(program(target, `\tstruct ${type.struct} *p = ctx->${field};\n\tif (!p) return 0;\n\tBPF_SEQ_PRINTF(seq, "%lx\\n", (long)p->${member});`));
      assert.deepStrictEqual(good, []);
    });
  }

  it('reads a scalar ctx field (task_file fd) without a NULL check, and a kernel struct is read-only', () => {
    assert.deepStrictEqual(errors(program('task_file', '\tBPF_SEQ_PRINTF(seq, "%u\\n", ctx->fd);')), []);
    const write = errors(program('task', '\tstruct task_struct *t = ctx->task;\n\tif (!t) return 0;\n\tt->pid = 1;'));
    assert.strictEqual(write.length, 1, JSON.stringify(write));
    assert.ok(/task_struct/.test(write[0].message), write[0].message);
  });

  it('sleepable programs attach only to BPF_ITER_RESCHED targets (measured with iter.s/ pins)', () => {
    for (const t of ['task', 'task_file', 'task_vma', 'ksym', 'kmem_cache', 'dmabuf']) {
      assert.deepStrictEqual(errors(program(t, '', 'iter.s')), [], t);
    }
    for (const t of ['bpf_prog', 'bpf_link', 'tcp', 'udp', 'unix', 'netlink', 'ipv6_route']) {
      assert.strictEqual(errors(program(t, '', 'iter.s')).length, 1, t);
    }
  });

  it('hover and completion document every ctx field of every target', () => {
    for (const t of ITER_TARGETS) {
      assert.ok(TARGET_DOCS[t.name], t.name);
      for (const f of t.fields) assert.ok(CTX_FIELDS[`${t.ctxStruct}.${f.name}`], `${t.ctxStruct}.${f.name}`);
    }
    assert.strictEqual(CTX_FIELDS['bpf_iter__task.task'].nullable, true);
    assert.ok(CTX_FIELDS['bpf_iter__task.task'].doc.includes("'trusted_ptr_or_null_'"));
  });
  // mirrors btf_ctx_access(): every field of every target's ctx reads at its own width; past the end is refused
  for (const t of ITER_TARGETS) {
    it(`${t.name}: every ctx field reads without an error; a read at offset ${t.ctxSize} (past struct ${t.ctxStruct}) is refused`, () => {
      const reads = t.fields.filter((f) => f.name !== 'meta')
        .map((f) => `\tBPF_SEQ_PRINTF(seq, "%lx\\n", (long)ctx->${f.name});`).join('\n');
      assert.deepStrictEqual(errors(program(t.name, reads)), []);
      const past = errors(program(t.name, `\tBPF_SEQ_PRINTF(seq, "%lx\\n", *(long *)((char *)ctx + ${t.ctxSize}));`));
      assert.ok(past.some((d) => d.message.includes(`invalid bpf_context access off=${t.ctxSize} size=8`)), JSON.stringify(past));
    });
  }
});
