/**
 * A string read of a pointer's address (BPF2067): BPF_CORE_READ_STR_INTO(&buf, t, cgroups, dfl_cgrp, kn, name), as
 * DataDog's cgroup-name reader writes it, copies the bytes of kn->name (a kernel address) as the string; measured on
 * Linux 6.18: the kernel prints those bytes (buf[0] != 0) where kn->name itself is "" (the root cgroup).
 */
import * as assert from 'assert';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';
import { Diagnostics } from '../../../server/src/lang/diagnostics';

const text = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/task")
int cgname(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct file *f;
	char buf[32] = {}, ok[32] = {}, comm[16] = {}, dn[32] = {};
	if (!t || t->pid != t->tgid)
		return 0;
	BPF_CORE_READ_STR_INTO(&buf, t, cgroups, dfl_cgrp, kn, name);
	bpf_probe_read_kernel_str(ok, sizeof(ok), BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, name));
	BPF_CORE_READ_STR_INTO(&comm, t, comm);
	f = t->mm ? t->mm->exe_file : 0;
	if (f)
		bpf_probe_read_kernel_str(dn, sizeof(dn), (void *)&f->f_path.dentry->d_name.name);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s [%s] %d %s\\n", comm, ok, buf[0] != 0, dn);
	return 0;
}
`;

describe('lang: a string read of the address of a pointer (BPF2067)', () => {
  it('warns where a kernel string helper is given &ptr (BPF_CORE_READ_STR_INTO of a pointer field, a hand-written &d_name.name), not for arrays or read pointers', () => {
    const ds = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text);
    const code = `BPF${Diagnostics.PointerReadAsString.code}`;
    const got = ds.filter((d) => String(d.code) === code).map((d) => [d.range.start.line, d.severity, typeof d.message === 'string' ? d.message : d.message.value]);
    assert.deepStrictEqual(got.map(([line, severity]) => [line, severity]), [[13, 2], [18, 2]], JSON.stringify(got));
    assert.match(String(got[0][2]), /^`name` is a pointer \((const )?char \*\): bpf_probe_read_kernel_str\(\) of its address copies the pointer's own bytes/);
    assert.deepStrictEqual(ds.filter((d) => d.severity === 1).map((d) => d.message), []);
  });
});
