import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { captureScenario, CaptureHost, CaptureOptions } from '../../../server/src/realHost/capture';
import { captureMain } from '../../../server/src/cli/capture';
import { parseScenario } from '../../../server/src/exec/scenario';
import type { ScenarioCgroupJson } from '../../../server/src/exec/scenarioCgroups';
import type { KernelObjectsJson } from '../../../server/src/exec/scenarioObjects';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createNodeHost } from '../../../server/src/service/host';
import { btfVmlinuxHeader } from '../targets/btfHeader';

const KALLSYMS = [
  'ffffffff81000000 T _stext',
  'ffffffff81000100 t do_one_initcall',
  'ffffffff81000200 D jiffies',
  'ffffffffc0a01000 t nft_do_chain\t[nf_tables]',
  'ffffffffc0a02000 T nft_register_expr\t[nf_tables]',
  'ffffffffc0b00000 t ext4_fill_super\t[ext4]',
  'ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]',
  'ffffffffc0300000 t bpf_prog_0123456789abcdef_host_only\t[bpf]', ''].join('\n');
const SLABINFO = [
  'slabinfo - version: 2.1',
  '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
  'task_struct          420    440  10560    3    8 : tunables    0    0    0 : slabdata    147    147      0',
  'dentry             91000  91056    192   21    1 : tunables    0    0    0 : slabdata   4336   4336      0',
  'kmem_cache           240    240    256   16    1 : tunables    0    0    0 : slabdata     15     15      0', ''].join('\n');

/** A cgroup2 root (cgroup.controllers marks it) with two slices; the ids the kernel would give are the inode numbers. */
function writeCgroupTree(root: string, dirs: string[]): void {
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu memory pids\n');
  for (const d of dirs) {
    fs.mkdirSync(path.join(root, d));
    fs.writeFileSync(path.join(root, d, 'cgroup.procs'), ''); // control files are not cgroups
    // the controllers the root's subtree_control enables on its children (rdma: not a controller of this kernel's build)
    fs.writeFileSync(path.join(root, d, 'cgroup.controllers'), d.includes('/') ? '\n' : 'memory pids rdma\n');
  }
}

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
`;
const CGROUPS = HEAD + `SEC("iter/cgroup")
int walk(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cg = ctx->cgroup;
	if (!cg)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu %d %s\\n", cg->kn->id, cg->level, cg->kn->name);
	return 0;
}
`;
const KSYMS = HEAD + `SEC("iter/ksym")
int ksyms(struct bpf_iter__ksym *ctx)
{
	struct kallsym_iter *it = ctx->ksym;
	if (!it)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llx %c %s [%s]\\n", it->value, it->type, it->name, it->module_name);
	return 0;
}
`;

async function runOn(dir: string, scenario: object, text: string): Promise<string> {
  const file = path.join(dir, 'host.bpfscenario.json');
  fs.writeFileSync(file, JSON.stringify(scenario));
  const prog = path.join(dir, 'p.bpf.c');
  fs.writeFileSync(prog, text);
  fs.writeFileSync(path.join(dir, 'vmlinux.h'), btfVmlinuxHeader());
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const r = await service.run(prog, text, { scenario: file });
  assert.ok(!r.error, JSON.stringify(r.error));
  return r.output ?? '';
}

const host = (procRoot: string, cgroupRoot?: string): CaptureHost => ({ root: false, procRoot, cgroupRoot, run: () => { throw new Error('bpftool must not run with --no-maps'); } });
const kernelOnly = (extra: Partial<CaptureOptions['world']> = {}): CaptureOptions => ({
  names: [], ids: [], types: [], maxEntries: 0, maps: false, world: { processes: false, sockets: false, pids: [], maxProcesses: 1, cgroups: true, symbols: true, ...extra } });

describe('capture: cgroups from /sys/fs/cgroup, symbols from /proc/kallsyms, slab caches from /proc/slabinfo (fixtures written here)', function () {
  this.timeout(60000);
  let dir: string;
  let proc: string;
  let cg: string;
  const DIRS = ['system.slice', 'user.slice', 'system.slice/sshd.service', 'user.slice/user-1000.slice', 'system.slice/cron.service'];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-kcap-'));
    proc = path.join(dir, 'proc');
    cg = path.join(dir, 'cgroup');
    fs.mkdirSync(proc);
    fs.writeFileSync(path.join(proc, 'kallsyms'), KALLSYMS);
    fs.writeFileSync(path.join(proc, 'slabinfo'), SLABINFO);
    writeCgroupTree(cg, DIRS);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ino = (rel: string) => fs.statSync(path.join(cg, rel)).ino;
  /** parents before children, siblings by inode number (creation order), as the capture lists them */
  function expectedCgroups(): ScenarioCgroupJson[] {
    const out: ScenarioCgroupJson[] = [{ path: '/', id: 1 }];
    const walk = (rel: string) => {
      for (const d of DIRS.filter((x) => path.dirname(x) === (rel || '.')).sort((a, b) => ino(a) - ino(b))) {
        out.push({ path: `/${d}`, id: ino(d), ...(d.includes('/') ? {} : { controllers: ['memory', 'pids'] }) });
        walk(d);
      }
    };
    walk('');
    return out;
  }

  it('every cgroup directory with its path and its inode as id; the scenario reads back and iter/cgroup walks it', async () => {
    const r = captureScenario(host(proc, cg), kernelOnly({ symbols: false }));
    const cgroups = r.scenario!.cgroups as ScenarioCgroupJson[];
    assert.deepStrictEqual(cgroups, expectedCgroups());
    assert.strictEqual(cgroups.length, 6);
    assert.strictEqual(r.scenario!.kernel_objects, undefined);
    const scenario = { ...r.scenario!, attach: { order: 'descendants_pre' } };
    assert.deepStrictEqual(parseScenario(JSON.stringify(scenario), 'c.json').problems, []);
    const expected = cgroups.map((c) => `${c.id} ${c.path === '/' ? 0 : c.path.split('/').length - 1} ${path.basename(c.path)}`).join('\n') + '\n';
    assert.strictEqual(await runOn(dir, scenario, CGROUPS), expected);
  });

  it('the hybrid layout\'s cgroup2 mount (unified/); a cgroup v1 tree alone is left out with a warning; the bound warns', () => {
    const hybrid = path.join(dir, 'hybrid');
    fs.mkdirSync(path.join(hybrid, 'cpu'), { recursive: true });
    writeCgroupTree(path.join(hybrid, 'unified'), ['init.scope']);
    const r = captureScenario(host(proc, hybrid), kernelOnly({ symbols: false }));
    assert.deepStrictEqual(r.scenario!.cgroups, [{ path: '/', id: 1 }, { path: '/init.scope', id: fs.statSync(path.join(hybrid, 'unified/init.scope')).ino, controllers: ['memory', 'pids'] }]);
    const v1 = path.join(dir, 'v1');
    fs.mkdirSync(path.join(v1, 'memory'), { recursive: true });
    const none = captureScenario(host(proc, v1), kernelOnly({ symbols: false }));
    assert.strictEqual(none.scenario!.cgroups, undefined);
    assert.ok(none.warnings.some((w) => /no cgroup v2 hierarchy/.test(w)), none.warnings.join('\n'));
  });

  it('kallsyms as core, module and ftrace lines (BPF symbols left out); slabinfo as slab caches; both read back; iter/ksym prints them', async () => {
    const r = captureScenario(host(proc, cg), kernelOnly({ cgroups: false }));
    assert.strictEqual(r.scenario!.cgroups, undefined);
    const ko = r.scenario!.kernel_objects as KernelObjectsJson;
    assert.deepStrictEqual(ko.kallsyms, {
      core: ['ffffffff81000000 T _stext', 'ffffffff81000100 t do_one_initcall', 'ffffffff81000200 D jiffies'],
      modules: [{ name: 'nf_tables', symbols: ['ffffffffc0a01000 t nft_do_chain', 'ffffffffc0a02000 T nft_register_expr'] },
        { name: 'ext4', symbols: ['ffffffffc0b00000 t ext4_fill_super'] }],
      ftrace: ['ffffffffc0201000 t ftrace_trampoline'],
    });
    assert.deepStrictEqual(ko.slab_caches, [
      { name: 'task_struct', object_size: 10560, size: 10560, order: 3 },
      { name: 'dentry', object_size: 192, size: 192, order: 0 },
      { name: 'kmem_cache', object_size: 256, size: 256, order: 0, refcount: -1 }]);
    assert.ok(r.warnings.some((w) => /1 BPF program symbols left out/.test(w)), r.warnings.join('\n'));
    // with /sys/kernel/slab, the object size and alignment slabinfo does not show
    const slab = path.join(dir, 'slab');
    fs.mkdirSync(path.join(slab, 'task_struct'), { recursive: true });
    fs.writeFileSync(path.join(slab, 'task_struct', 'object_size'), '10496\n');
    fs.writeFileSync(path.join(slab, 'task_struct', 'align'), '64\n');
    const sized = captureScenario({ ...host(proc, cg), slabRoot: slab }, kernelOnly({ cgroups: false }));
    assert.deepStrictEqual((sized.scenario!.kernel_objects as KernelObjectsJson).slab_caches![0], { name: 'task_struct', object_size: 10496, size: 10560, order: 3, align: 64 });
    assert.deepStrictEqual(parseScenario(JSON.stringify(sized.scenario), 'k.json').problems, []);
    assert.deepStrictEqual(parseScenario(JSON.stringify(r.scenario), 'k.json').problems, []);
    const lines = (await runOn(dir, r.scenario!, KSYMS)).split('\n');
    for (const want of ['ffffffff81000000 T _stext []', 'ffffffff81000100 t do_one_initcall []', 'ffffffff81000200 D jiffies []',
      'ffffffffc0a01000 t nft_do_chain [nf_tables]', 'ffffffffc0a02000 T nft_register_expr [nf_tables]', 'ffffffffc0b00000 t ext4_fill_super [ext4]',
      'ffffffffc0201000 t ftrace_trampoline [__builtin__ftrace]']) assert.ok(lines.includes(want), `no "${want}" in:\n${lines.join('\n')}`);
    assert.ok(!lines.some((l) => l.includes('host_only')), `the host's BPF symbol is not a kernel symbol of the scenario:\n${lines.join('\n')}`);
  });

  it('--max-symbols bounds the symbols with a warning; unreadable slabinfo warns; --no-cgroups / --no-symbols on the command line', () => {
    const r = captureScenario(host(proc, cg), kernelOnly({ cgroups: false, maxSymbols: 2 }));
    assert.deepStrictEqual((r.scenario!.kernel_objects as KernelObjectsJson).kallsyms, { core: ['ffffffff81000000 T _stext', 'ffffffff81000100 t do_one_initcall'] });
    assert.ok(r.warnings.includes('7 kernel symbols, the first 2 captured (--max-symbols)'), r.warnings.join('\n'));
    const bare = path.join(dir, 'bare-proc');
    fs.mkdirSync(bare);
    fs.writeFileSync(path.join(bare, 'kallsyms'), KALLSYMS);
    const noSlab = captureScenario(host(bare, cg), kernelOnly({ cgroups: false }));
    assert.strictEqual((noSlab.scenario!.kernel_objects as KernelObjectsJson).slab_caches, undefined);
    assert.ok(noSlab.warnings.some((w) => /slabinfo: not readable \(it needs root\)/.test(w)));
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: () => undefined };
    assert.strictEqual(captureMain(['--no-maps', '--no-processes', '--no-sockets'], io, host(proc, cg)), 0);
    const all = JSON.parse(out.pop()!);
    assert.deepStrictEqual([all.cgroups.length, all.kernel_objects.kallsyms.core.length, all.kernel_objects.slab_caches.length], [6, 3, 3]);
    assert.strictEqual(captureMain(['--no-maps', '--no-processes', '--no-sockets', '--no-cgroups', '--no-symbols'], io, host(proc, cg)), 0);
    const none = JSON.parse(out.pop()!);
    assert.deepStrictEqual([none.cgroups, none.kernel_objects], [undefined, undefined]);
    assert.strictEqual(captureMain(['--no-maps', '--max-symbols', 'x'], io, host(proc, cg)), 2);
  });
});

describe('capture: this machine\'s cgroups and kernel symbols (live)', function () {
  this.timeout(120000);
  it('captures the root cgroup and the first kernel symbol, and iter/cgroup and iter/ksym print them', async function () {
    const mount = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].find((d) => fs.existsSync(path.join(d, 'cgroup.controllers')));
    let kallsyms: string | undefined;
    try { kallsyms = fs.readFileSync('/proc/kallsyms', 'utf8'); } catch { kallsyms = undefined; }
    if (!mount || !kallsyms) {
      console.log(`    (skipped: ${!mount ? 'no readable cgroup v2 hierarchy under /sys/fs/cgroup' : '/proc/kallsyms is not readable'})`);
      this.skip();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-klive-'));
    try {
      const r = captureScenario({ root: false, procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup', run: () => { throw new Error('no bpftool'); } }, kernelOnly({ maxSymbols: 500 }));
      assert.deepStrictEqual(parseScenario(JSON.stringify(r.scenario), 'live.json').problems, []);
      const cgroups = r.scenario!.cgroups as ScenarioCgroupJson[];
      assert.deepStrictEqual(cgroups[0], { path: '/', id: 1 });
      assert.strictEqual(fs.statSync(mount!).ino, 1, 'the root cgroup directory\'s inode is its id, 1');
      assert.strictEqual(await runOn(dir, { ...r.scenario!, attach: { order: 'self_only' } }, CGROUPS), '1 0 \n');
      const first = /^([0-9a-f]+) (\S) (\S+)/.exec(kallsyms!)!;
      const ksyms = await runOn(dir, r.scenario!, KSYMS);
      assert.ok(ksyms.split('\n').includes(`${BigInt('0x' + first[1]).toString(16)} ${first[2]} ${first[3]} []`), `no ${first[3]} in:\n${ksyms.slice(0, 1000)}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
