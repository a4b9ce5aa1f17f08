/**
 * Differential test of iter/cgroup against the running kernel: bpftool cannot pass link_info.cgroup, so a tiny
 * libbpf loader (compiled here with cc -lbpf) attaches with an order and a cgroup_fd or cgroup_id, prints the fdinfo
 * lines and the output. A small tree is made under the cgroup2 mount; the programs print level and name (ids differ
 * per machine), and the same tree as a scenario must give the same lines and the same attach errnos.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { realKernelUnavailable, tempDir, firstLine, have } from './kernelOracle';
import { serviceFor, FIXTURE_PATH } from '../unit/service/fourslash';
import { TARGET_FILES } from '../unit/targets/btfHeader';

const PROGRAM = `#include "vmlinux.h"
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
	BPF_SEQ_PRINTF(seq, "%llu %d %s\\n", ctx->meta->seq_num, cg->level - BASE, cg->level == BASE ? "top" : (const char *)cg->kn->name);
	return 0;
}
`;

/** bpf_cgroup_from_id() of each cgroup's own id gives it back (released); an id nobody has, NULL; bpf_cgroup_acquire(). */
const FROM_ID_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
SEC("iter/cgroup")
int from_id(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cg = ctx->cgroup, *again, *none, *held;
	if (!cg)
		return 0;
	again = bpf_cgroup_from_id(cg->kn->id);
	none = bpf_cgroup_from_id(0xfffffffffff0ULL);
	held = bpf_cgroup_acquire(cg);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s same=%d none=%d held=%d\\n", cg->level == BASE ? "top" : (const char *)cg->kn->name,
		again == cg, none != 0, held == cg);
	if (again)
		bpf_cgroup_release(again);
	if (none)
		bpf_cgroup_release(none);
	if (held)
		bpf_cgroup_release(held);
	return 0;
}
`;

/** bpf_cgroup_ancestor() at the top's level and one above each cgroup: the top itself, the parent, NULL past the cgroup. */
const ANCESTOR_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
SEC("iter/cgroup")
int ancestors(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cg = ctx->cgroup, *top, *parent, *past;
	if (!cg)
		return 0;
	top = bpf_cgroup_ancestor(cg, BASE);
	parent = bpf_cgroup_ancestor(cg, cg->level - 1);
	past = bpf_cgroup_ancestor(cg, cg->level + 1);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s top=%d parent=%s past=%d\\n", cg->level == BASE ? "top" : (const char *)cg->kn->name,
		top != 0 && top->level == BASE, parent && parent->level > BASE ? (const char *)parent->kn->name : parent ? "top-or-above" : "-",
		past != 0);
	if (top)
		bpf_cgroup_release(top);
	if (parent)
		bpf_cgroup_release(parent);
	if (past)
		bpf_cgroup_release(past);
	return 0;
}
`;

/**
 * The open-coded css iterator from the attached cgroup (self_only): each order of bpf_iter_css_new() (1, SELF_ONLY,
 * is -EINVAL for it), the cgroups above the tree shown as "^" (their names are this machine's).
 */
const CSS_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_css_new(struct bpf_iter_css *it, struct cgroup_subsys_state *start, unsigned int flags) __weak __ksym;
extern struct cgroup_subsys_state *bpf_iter_css_next(struct bpf_iter_css *it) __weak __ksym;
extern void bpf_iter_css_destroy(struct bpf_iter_css *it) __weak __ksym;
SEC("iter/cgroup")
int css_walk(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cg = ctx->cgroup;
	struct cgroup_subsys_state *pos;
	struct bpf_iter_css it;
	unsigned int order;
	int r;

	if (!cg)
		return 0;
	for (order = 1; order <= 4; order++) {
		r = bpf_iter_css_new(&it, &cg->self, order);
		BPF_SEQ_PRINTF(seq, "order %u (%d):", order, r);
		while ((pos = bpf_iter_css_next(&it))) {
			if (pos->cgroup->level < BASE)
				BPF_SEQ_PRINTF(seq, " ^");
			else
				BPF_SEQ_PRINTF(seq, " %s", pos->cgroup->level == BASE ? "top" : (const char *)pos->cgroup->kn->name);
		}
		bpf_iter_css_destroy(&it);
		BPF_SEQ_PRINTF(seq, "\\n");
	}
	return 0;
}
`;

/**
 * The open-coded css_task iterator from each cgroup's own css: its tasks (not its children's) in the order they joined,
 * every thread (flags 0), the processes (1, 3), -EINVAL for 2 (CSS_TASK_ITER_THREADED alone).
 */
const CSS_TASK_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
extern int bpf_iter_css_task_new(struct bpf_iter_css_task *it, struct cgroup_subsys_state *css, unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_css_task_next(struct bpf_iter_css_task *it) __weak __ksym;
extern void bpf_iter_css_task_destroy(struct bpf_iter_css_task *it) __weak __ksym;
SEC("iter/cgroup")
int css_tasks(struct bpf_iter__cgroup *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct cgroup *cg = ctx->cgroup;
	struct bpf_iter_css_task it;
	struct task_struct *t;
	unsigned int flags;
	int r;

	if (!cg)
		return 0;
	for (flags = 0; flags < 4; flags++) {
		r = bpf_iter_css_task_new(&it, &cg->self, flags);
		BPF_SEQ_PRINTF(seq, "%s %u (%d):", cg->level == BASE ? "top" : (const char *)cg->kn->name, flags, r);
		while ((t = bpf_iter_css_task_next(&it)))
			BPF_SEQ_PRINTF(seq, " %s/%d", t->comm, t->pid == t->tgid);
		bpf_iter_css_task_destroy(&it);
		BPF_SEQ_PRINTF(seq, "\\n");
	}
	return 0;
}
`;

/** argv: OBJ ORDER CGROUP_PATH|- CGROUP_ID; prints "attach errno N" or the fdinfo order line and the output */
const LOADER = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdarg.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return 0; }
int main(int argc, char **argv) {
  libbpf_set_print(quiet);
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || bpf_object__load(obj)) { printf("load failed\\n"); return 1; }
  struct bpf_program *prog = bpf_object__next_program(obj, NULL);
  union bpf_iter_link_info li; memset(&li, 0, sizeof li);
  li.cgroup.order = atoi(argv[2]);
  if (strcmp(argv[3], "-")) li.cgroup.cgroup_fd = open(argv[3], O_RDONLY);
  li.cgroup.cgroup_id = strtoull(argv[4], 0, 0);
  DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, o, .link_info = &li, .link_info_len = sizeof li);
  struct bpf_link *link = bpf_program__attach_iter(prog, &o);
  if (!link) { printf("attach errno %d\\n", errno); return 0; }
  int it = bpf_iter_create(bpf_link__fd(link));
  char buf[8192]; ssize_t n;
  while ((n = read(it, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
  return 0;
}
`;

function cgroup2Mount(): string | undefined {
  const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  return mounts.find((m) => m[2] === 'cgroup2')?.[1];
}

describe('oracle: iter/cgroup against the kernel (orders, attach errnos)', function () {
  this.timeout(120000);
  let skip: string | null = null;
  let dir = '';
  let top = '';
  let base = 0;
  before(function () {
    skip = realKernelUnavailable(['clang', 'bpftool']);
    const mount = skip ? undefined : cgroup2Mount();
    if (!skip && !mount) skip = 'no cgroup2 mount';
    if (!skip && !have('cc')) skip = 'no C compiler for the libbpf loader';
    if (!skip && !fs.existsSync('/usr/include/bpf/libbpf.h')) skip = 'no libbpf-dev headers';
    if (skip) { this.skip(); return; }
    dir = tempDir();
    const vmlinux = spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    fs.writeFileSync(path.join(dir, 'vmlinux.h'), vmlinux.stdout);
    fs.writeFileSync(path.join(dir, 'loader.c'), LOADER);
    const cc = spawnSync('cc', ['-O1', '-o', path.join(dir, 'loader'), path.join(dir, 'loader.c'), '-lbpf'], { encoding: 'utf8' });
    if (cc.status !== 0) { skip = `the libbpf loader does not build (${firstLine(cc.stderr)})`; this.skip(); return; }
    top = path.join(mount!, `bil_cg_${process.pid.toString(36)}`);
    try {
      for (const d of ['', 'a', 'a/x', 'a/y', 'b']) fs.mkdirSync(path.join(top, d));
    } catch (e) { skip = `cannot make cgroups (${(e as Error).message})`; this.skip(); return; }
    base = top.slice(mount!.length).split('/').filter(Boolean).length;
    const src = path.join(dir, 'walk.bpf.c');
    fs.writeFileSync(src, PROGRAM.replace(/BASE/g, String(base)));
    const obj = spawnSync('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', `-I${dir}`, '-c', src, '-o', path.join(dir, 'walk.o')], { encoding: 'utf8' });
    if (obj.status !== 0) { skip = `clang: ${firstLine(obj.stderr)}`; this.skip(); }
    fs.writeFileSync(path.join(dir, 'css.bpf.c'), CSS_PROGRAM.replace(/BASE/g, String(base)));
    const css = spawnSync('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', `-I${dir}`, '-c', path.join(dir, 'css.bpf.c'), '-o', path.join(dir, 'css.o')], { encoding: 'utf8' });
    if (css.status !== 0) { skip = `clang: ${firstLine(css.stderr)}`; this.skip(); }
    fs.writeFileSync(path.join(dir, 'fromid.bpf.c'), FROM_ID_PROGRAM.replace(/BASE/g, String(base)));
    const fromId = spawnSync('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', `-I${dir}`, '-c', path.join(dir, 'fromid.bpf.c'), '-o', path.join(dir, 'fromid.o')], { encoding: 'utf8' });
    if (fromId.status !== 0) { skip = `clang: ${firstLine(fromId.stderr)}`; this.skip(); }
    fs.writeFileSync(path.join(dir, 'ancestor.bpf.c'), ANCESTOR_PROGRAM.replace(/BASE/g, String(base)));
    const ancestor = spawnSync('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', `-I${dir}`, '-c', path.join(dir, 'ancestor.bpf.c'), '-o', path.join(dir, 'ancestor.o')], { encoding: 'utf8' });
    if (ancestor.status !== 0) { skip = `clang: ${firstLine(ancestor.stderr)}`; this.skip(); }
    fs.writeFileSync(path.join(dir, 'csstask.bpf.c'), CSS_TASK_PROGRAM.replace(/BASE/g, String(base)));
    const cssTask = spawnSync('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', `-I${dir}`, '-c', path.join(dir, 'csstask.bpf.c'), '-o', path.join(dir, 'csstask.o')], { encoding: 'utf8' });
    if (cssTask.status !== 0) { skip = `clang: ${firstLine(cssTask.stderr)}`; this.skip(); }
  });
  after(() => {
    if (top) for (const d of ['a/x', 'a/y', 'b', 'a', '']) { try { fs.rmdirSync(path.join(top, d)); } catch { /* gone */ } }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const kernelRun = (order: number, cgroup: string, id = 0, obj = 'walk.o'): string =>
    spawnSync(path.join(dir, 'loader'), [path.join(dir, obj), String(order), cgroup, String(id)], { encoding: 'utf8' }).stdout;

  async function simRun(attach: object, program = PROGRAM, processes?: object[]): Promise<string> {
    // the same tree below `base` empty levels, so cg->level - BASE matches
    const prefix = '/p'.repeat(base - 1) + '/top';
    const scenario = { cgroups: ['', '/a', '/a/x', '/a/y', '/b'].map((p) => ({ path: prefix + p })), attach, ...(processes ? { processes } : {}) };
    const file = path.join(path.dirname(FIXTURE_PATH), 'cg.bpfscenario.json');
    const service = serviceFor({ ...TARGET_FILES, [file]: JSON.stringify(scenario) });
    const text = program.replace(/BASE/g, String(base));
    const r = await service.run(FIXTURE_PATH, text, { scenario: file }) as unknown as { output: string | null; error?: { errno: string } };
    return r.error ? `attach errno ${r.error.errno}` : (r.output ?? '');
  }

  for (const [order, name] of [[1, 'self_only'], [2, 'descendants_pre'], [3, 'descendants_post']] as const) {
    it(`order ${name} from a cgroup_fd: the same walk and final call`, async function () {
      if (skip) this.skip();
      const want = kernelRun(order, top);
      const prefix = '/p'.repeat(base - 1) + '/top';
      assert.strictEqual(await simRun({ order: name, cgroup: prefix }), want);
    });
  }

  it('the open-coded css iterator from each cgroup: pre, post, ancestors up, -EINVAL for self_only; the simulator agrees', async function () {
    if (skip) this.skip();
    const want = kernelRun(2, top, 0, 'css.o');
    const prefix = '/p'.repeat(base - 1) + '/top';
    assert.strictEqual(await simRun({ order: 'descendants_pre', cgroup: prefix }, CSS_PROGRAM), want);
    const up = ' ^'.repeat(base);
    assert.strictEqual(want.split('\n').slice(0, 4).join('\n'), `order 1 (-22):\norder 2 (0): top a x y b\norder 3 (0): x y a b top\norder 4 (0): top${up}`);
  });

  it('bpf_cgroup_from_id() finds each cgroup by its id, NULL for an unknown id; bpf_cgroup_acquire(); the simulator agrees', async function () {
    if (skip) this.skip();
    const want = kernelRun(2, top, 0, 'fromid.o');
    const prefix = '/p'.repeat(base - 1) + '/top';
    assert.strictEqual(await simRun({ order: 'descendants_pre', cgroup: prefix }, FROM_ID_PROGRAM), want);
    assert.match(want, /^top same=1 none=0 held=1\na same=1 none=0 held=1\n/);
  });

  it('bpf_cgroup_ancestor(): the cgroup at a level of its path, NULL past its own level; the simulator agrees', async function () {
    if (skip) this.skip();
    const want = kernelRun(2, top, 0, 'ancestor.o');
    const prefix = '/p'.repeat(base - 1) + '/top';
    assert.strictEqual(await simRun({ order: 'descendants_pre', cgroup: prefix }, ANCESTOR_PROGRAM), want);
    assert.match(want, /^top top=1 parent=top-or-above past=0\na top=1 parent=top-or-above past=0\nx top=1 parent=a past=0\n/);
  });

  it('the open-coded css_task iterator: the tasks of each cgroup itself in the order they joined, by flags; the simulator agrees', async function () {
    if (skip) this.skip();
    // sleepers put in the tree: two in a/x, one in b, one in top (each moved in once started, in this order)
    const placed: Array<[string, string]> = [['/a/x', 'sleep'], ['/b', 'sleep'], ['/a/x', 'sleep'], ['', 'sleep']];
    const kids = placed.map(() => spawn('sleep', ['60'], { stdio: 'ignore' }));
    let want = '';
    let moved: string | null = null;
    try {
      try {
        kids.forEach((k, i) => fs.writeFileSync(path.join(top, placed[i][0], 'cgroup.procs'), String(k.pid)));
      } catch (e) { moved = (e as Error).message; }
      if (!moved) want = kernelRun(2, top, 0, 'csstask.o');
    } finally { for (const k of kids) k.kill(); }
    if (moved) { console.log(`      skip: cannot move a process into the test cgroups here (${moved})`); this.skip(); }
    assert.match(want, /^top 0 \(0\): sleep\/1\ntop 1 \(0\): sleep\/1\ntop 2 \(-22\):\ntop 3 \(0\): sleep\/1\n/);
    const prefix = '/p'.repeat(base - 1) + '/top';
    const processes = placed.map(([cg, comm], i) => ({ pid: 1000 + i, comm, cgroup: prefix + cg, start_time_ns: i + 1 }));
    assert.strictEqual(await simRun({ order: 'descendants_pre', cgroup: prefix }, CSS_TASK_PROGRAM, processes), want);
  });

  it('attach errnos: no order, both fd and id', async function () {
    if (skip) this.skip();
    assert.strictEqual(kernelRun(0, top).trim(), 'attach errno 22');
    assert.strictEqual(kernelRun(2, top, 1).trim(), 'attach errno 22');
    const prefix = '/p'.repeat(base - 1) + '/top';
    assert.strictEqual(await simRun({ cgroup: prefix }), 'attach errno EINVAL');
    assert.strictEqual(await simRun({ order: 'self_only', cgroup: prefix, cgroup_id: 1 }), 'attach errno EINVAL');
  });
});
