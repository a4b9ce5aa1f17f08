import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from './btfHeader';
import { nextDescendantPost, nextDescendantPre, SimulatedCgroups, CgroupObject } from '../../../server/src/kernel/cgroupIter';
import { Kernel } from '../../../server/src/kernel';

const SCENARIO = path.join(path.dirname(FIXTURE_PATH), 'cgroups.bpfscenario.json');

const WALK = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/cgroup")
int walk(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cg = ctx->cgroup;
	if (!cg) {
		BPF_SEQ_PRINTF(seq, "end %llu\\n", ctx->meta->seq_num);
		return 0;
	}
	BPF_SEQ_PRINTF(seq, "%llu %d %s %d\\n", cg->kn->id, cg->level, cg->kn->name, cg->nr_descendants);
	return STOP_AT && cg->kn->id == STOP_AT;
}
`;

// a: 20 (children x 39, y 58), b 77
// no other BPF programs or links on this machine: the iterator's own prog and link get id 1
const WORLD = { cgroups: [{ path: '/', id: 1 }, { path: '/a' }, { path: '/a/x' }, { path: '/a/y' }, { path: '/b' }], kernel_objects: { programs: [], links: [] } };

async function run(attach: object | undefined, extra: object = {}, stopAt = 0): Promise<{ output: string; error?: string; bpftool?: string; fdinfo?: string; json?: string }> {
  const json = { ...WORLD, ...extra, ...(attach ? { attach } : {}) };
  const service = serviceFor({ ...TARGET_FILES, [SCENARIO]: JSON.stringify(json) });
  const r = await service.run(FIXTURE_PATH, WALK.replace(/STOP_AT/g, String(stopAt)), { scenario: SCENARIO }) as unknown as
    { output: string | null; error?: { errno: string; message: string }; bpftool?: string; fdinfo?: string; bpftoolJson?: string };
  return { output: r.output ?? '', error: r.error ? `${r.error.errno}: ${r.error.message}` : undefined, bpftool: r.bpftool, fdinfo: r.fdinfo, json: r.bpftoolJson };
}

describe('cgroup target (kernel/bpf/cgroup_iter.c walks, attach and link info)', () => {
  it('descendants_pre from the root: parents before children, siblings in creation order; the NULL call keeps the last seq_num', async () => {
    const r = await run({ order: 'descendants_pre' });
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, '1 0  4\n20 1 a 2\n39 2 x 0\n58 2 y 0\n77 1 b 0\nend 4\n');
  });

  it('descendants_post, ancestors_up and self_only from a cgroup given by path (cgroup_fd) or id', async () => {
    assert.strictEqual((await run({ order: 'descendants_post' })).output, '39 2 x 0\n58 2 y 0\n20 1 a 2\n77 1 b 0\n1 0  4\nend 4\n');
    assert.strictEqual((await run({ order: 'ancestors_up', cgroup: '/a/y' })).output, '58 2 y 0\n20 1 a 2\n1 0  4\nend 2\n');
    assert.strictEqual((await run({ order: 'self_only', cgroup_id: 20 })).output, '20 1 a 2\nend 0\n');
    assert.strictEqual((await run({ order: 'descendants_pre', cgroup: '/a' })).output, '20 1 a 2\n39 2 x 0\n58 2 y 0\nend 2\n');
  });

  it('a program returning 1 ends the walk after that cgroup (no EAGAIN retry), then the NULL call', async () => {
    const r = await run({ order: 'descendants_pre' }, {}, 39);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, '1 0  4\n20 1 a 2\n39 2 x 0\nend 2\n');
  });

  it('attach errors as 6.18 gives them: no order EINVAL, fd and id together EINVAL, unknown id ENOENT', async () => {
    assert.match((await run(undefined)).error ?? '', /^EINVAL: .*order/);
    assert.match((await run({ cgroup: '/a' })).error ?? '', /^EINVAL: .*order/);
    assert.match((await run({ order: 'self_only', cgroup: '/a', cgroup_id: 20 })).error ?? '', /^EINVAL: .*not both/);
    assert.match((await run({ order: 'self_only', cgroup_id: 4242 })).error ?? '', /^ENOENT/);
  });

  it('link info: bpftool prints cgroup_id and the order name, fdinfo the cgroup path', async () => {
    const r = await run({ order: 'descendants_post', cgroup: '/a' });
    assert.ok(r.bpftool?.includes('target_name cgroup  cgroup_id 20  order descendants_post  '), r.bpftool);
    assert.ok(r.fdinfo?.includes('target_name:\tcgroup\ncgroup_path:\t/a\norder: descendants_post\n'), r.fdinfo);
    assert.deepStrictEqual(JSON.parse(r.json ?? '[]')[0], { id: 1, type: 'iter', prog_id: 1, target_name: 'cgroup', cgroup_id: 20, order: 'descendants_post' });
  });

  it('a read that ends before the walk does makes the next read fail with EOPNOTSUPP (the walk cannot resume)', async () => {
    const r = await run({ order: 'descendants_pre' }, { read_size: 8 });
    assert.match(r.error ?? '', /EOPNOTSUPP/);
    // the first read() fills the buffer past 8 bytes (bpf_seq_read() stops once count >= size), the rest is lost
    assert.strictEqual(r.output, '1 0  4\n20 1 a 2\n');
  });

  it('a dying cgroup is passed without running the program (its seq_num is used up)', async () => {
    const r = await run({ order: 'descendants_pre' }, { cgroups: [...WORLD.cgroups.slice(0, 2), { path: '/a/x', dying: true }, ...WORLD.cgroups.slice(3)] });
    assert.strictEqual(r.output, '1 0  4\n20 1 a 2\n58 2 y 0\n77 1 b 0\nend 4\n');
  });

  it('the default system has a believable hierarchy (root, init.scope, system.slice services, user.slice)', async () => {
    const service = serviceFor({ ...TARGET_FILES, [SCENARIO]: JSON.stringify({ attach: { order: 'descendants_pre' } }) });
    // a scenario without a cgroups section walks the default system's
    const r = await service.run(FIXTURE_PATH, WALK.replace(/STOP_AT/g, '0'), { scenario: SCENARIO }) as unknown as { output: string | null; error?: { message: string } };
    assert.ok(!r.error, r.error?.message);
    const lines = (r.output ?? '').split('\n');
    assert.ok(lines.some((l) => / 1 system\.slice /.test(l)) && lines.some((l) => / 2 ssh\.service /.test(l)) && lines.some((l) => / 3 session-2\.scope /.test(l)), r.output ?? '');
  });

  it('without a scenario file, the default system attaches at its root in descendants_pre order, so a first run prints', async () => {
    const service = serviceFor({ ...TARGET_FILES });
    const r = await service.run(FIXTURE_PATH, WALK.replace(/STOP_AT/g, '0'), {}) as unknown as { output: string | null; error?: { message: string }; bpftool?: string };
    assert.ok(!r.error, r.error?.message);
    const lines = (r.output ?? '').split('\n');
    assert.match(lines[0], /^1 0 {2}/, 'the root first');
    assert.ok(lines.some((l) => / 1 system\.slice /.test(l)), r.output ?? '');
    assert.ok(r.bpftool?.includes('order descendants_pre'), r.bpftool);
  });

  it('kernel memory: ancestors[], kn->__parent and the css list heads point where the kernel\'s do', () => {
    const k = new Kernel();
    const cg = new SimulatedCgroups(k, [{ path: '/a/x' }, { path: '/a/y' }]);
    const x = cg.byPathName('/a/x')!;
    const u64 = (o: CgroupObject, at: number): bigint => o.region.view.getBigUint64(at, true);
    // ancestors at the end of struct cgroup: [root, a, x]
    assert.strictEqual(u64(x, 2224), cg.root.region.addr);
    assert.strictEqual(u64(x, 2232), cg.byPathName('/a')!.region.addr);
    assert.strictEqual(u64(x, 2240), x.region.addr);
    // pre and post order agree with css_next_descendant_*()
    const walk = (f: typeof nextDescendantPre): string[] => { const out: string[] = []; for (let p = f(null, cg.root); p; p = f(p, cg.root)) out.push(p.path); return out; };
    assert.deepStrictEqual(walk(nextDescendantPre), ['/', '/a', '/a/x', '/a/y']);
    assert.deepStrictEqual(walk(nextDescendantPost), ['/a/x', '/a/y', '/a', '/']);
  });
});
