/**
 * css_set->subsys[]: each controller's css on the nearest cgroup, from the task's up, where the scenario enables it
 * (its cgroup.controllers), the root's otherwise; measured on 6.18: no slot is NULL (the oracle's world compares
 * that: test/oracle/kernel.taskWorld.test.ts, program subsys_set).
 */
import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from './btfHeader';
import { PROGRAMS } from '../../programs/taskWorld';

const SCENARIO = path.join(path.dirname(FIXTURE_PATH), 'cg.bpfscenario.json');
async function run(text: string, scenario: object): Promise<string> {
  const service = serviceFor({ ...TARGET_FILES, [SCENARIO]: JSON.stringify(scenario) });
  const r = await service.run(FIXTURE_PATH, text, { scenario: SCENARIO }) as unknown as { output: string | null; error?: { message: string } };
  assert.ok(!r.error, JSON.stringify(r.error));
  return r.output ?? '';
}

const NAMES = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/task")
int names(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct cgroup_subsys_state *mem, *cpu;
	if (!t)
		return 0;
	mem = t->cgroups->subsys[4];
	cpu = t->cgroups->subsys[1];
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s memory=[%s] up=[%s] cpu=[%s] cpu_parent=%d same_set=%d\\n", t->comm, mem->cgroup->kn->name,
		mem->parent ? mem->parent->cgroup->kn->name : "-", cpu->cgroup->kn->name, cpu->parent != 0, mem != &t->cgroups->dfl_cgrp->self);
	return 0;
}
`;

describe('task->cgroups->subsys[]: the controllers\' css of the task\'s cgroup', () => {
  const processes = [{ pid: 1, comm: 'init' }, { pid: 7, comm: 'svc', cgroup: '/app/web' }, { pid: 8, comm: 'job', cgroup: '/batch' }];
  it('no slot is NULL: without controllers in the scenario every slot is the root\'s css', async () => {
    const out = await run(PROGRAMS.subsys_set, { cgroups: [{ path: '/app/web' }, { path: '/batch' }], processes });
    assert.strictEqual(out, 'init subsys_set=12\nsvc subsys_set=12\njob subsys_set=12\n');
    assert.strictEqual(await run(NAMES, { cgroups: [{ path: '/app/web' }], processes: processes.slice(0, 2) }),
      'init memory=[] up=[-] cpu=[] cpu_parent=0 same_set=1\nsvc memory=[] up=[-] cpu=[] cpu_parent=0 same_set=1\n');
  });
  it('a controller enabled down to a cgroup: its css there (parent the ancestor\'s that has it), an ancestor\'s below', async () => {
    const out = await run(NAMES, { cgroups: [{ path: '/app', controllers: ['memory', 'pids'] }, { path: '/app/web' }, { path: '/batch', controllers: ['memory', 'cpu'] }], processes });
    assert.strictEqual(out, 'init memory=[] up=[-] cpu=[] cpu_parent=0 same_set=1\n'
      + 'svc memory=[app] up=[] cpu=[] cpu_parent=0 same_set=1\n'
      + 'job memory=[batch] up=[] cpu=[batch] cpu_parent=1 same_set=1\n');
  });
});
