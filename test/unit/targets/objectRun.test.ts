import * as assert from 'assert';
import * as path from 'path';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from './btfHeader';
import { SIMULATED_ITER_TARGETS } from '../../../server/src/kernel/kernel';

const DIR = path.dirname(FIXTURE_PATH);
const SCENARIO = path.join(DIR, 'objects.bpfscenario.json');

const HEAD = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
`;

const PROGS = HEAD + `SEC("iter/bpf_prog")
int list_programs_by_id(struct bpf_iter__bpf_prog *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_prog *prog = ctx->prog;
	if (!prog) { BPF_SEQ_PRINTF(seq, "end %llu\\n", ctx->meta->seq_num); return 0; }
	BPF_SEQ_PRINTF(seq, "%llu %u %s %u %u %u\\n", ctx->meta->seq_num, prog->aux->id, prog->aux->name, prog->type, prog->expected_attach_type, prog->len);
	return 0;
}
`;

const LINKS = HEAD + `SEC("iter/bpf_link")
int links(struct bpf_iter__bpf_link *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_link *link = ctx->link;
	if (!link) { BPF_SEQ_PRINTF(seq, "end %llu\\n", ctx->meta->seq_num); return 0; }
	BPF_SEQ_PRINTF(seq, "%u %u %u %u\\n", link->id, link->type, link->prog->aux->id, link->attach_type);
	return 0;
}
`;

const KSYMS = HEAD + `SEC("iter/ksym")
int ksyms(struct bpf_iter__ksym *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kallsym_iter *it = ctx->ksym;
	if (!it) { BPF_SEQ_PRINTF(seq, "NULL\\n"); return 0; }
	BPF_SEQ_PRINTF(seq, "%llu %lld %c [%s] %s", ctx->meta->seq_num, it->pos, it->type ? it->type : '0', it->module_name, it->name);
	BPF_SEQ_PRINTF(seq, " %d %lld %lld %lld\\n", it->exported, it->pos_mod_end, it->pos_ftrace_mod_end, it->pos_bpf_end);
	return 0;
}
`;

const SLABS = HEAD + `SEC("iter/kmem_cache")
int slabs(struct bpf_iter__kmem_cache *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kmem_cache *s = ctx->s;
	if (!s) { BPF_SEQ_PRINTF(seq, "end %llu\\n", ctx->meta->seq_num); return 0; }
	BPF_SEQ_PRINTF(seq, "%s %u %u %u %u %d %u\\n", s->name, s->object_size, s->size, s->align, s->offset, s->refcount, s->inuse);
	return 0;
}
`;

const DMABUFS = HEAD + `SEC("iter/dmabuf")
int bufs(struct bpf_iter__dmabuf *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct dma_buf *d = ctx->dmabuf;
	if (!d) { BPF_SEQ_PRINTF(seq, "end\\n"); return 0; }
	BPF_SEQ_PRINTF(seq, "%llu %lu %s %s %lu\\n", ctx->meta->seq_num, d->size, d->exp_name, d->name ? d->name : "-", d->file->f_inode->i_ino);
	return 0;
}
`;

const WORLD = {
  kernel_objects: {
    programs: [
      { id: 3, name: 'sd_devices', type: 'cgroup_device', attach_type: 'cgroup_device', len: 21 },
      { id: 9, name: 'tc_ingress_classifier', type: 'sched_cls', len: 310 },
    ],
    links: [{ id: 2, type: 'tcx', prog_id: 9, attach_type: 46 }],
    kallsyms: {
      core: ['ffffffff81000000 T _stext', 'ffffffff82064ec0 T tcp_sendmsg'],
      modules: [{ name: 'nf_tables', symbols: ['ffffffffc0a3b010 t nft_do_chain', 'ffffffffc0a41b30 T nft_register_expr'] }],
      ftrace: [],
    },
    slab_caches: [
      { name: 'TCP', object_size: 2304, align: 64, offset: 2304 },
      { name: 'kmalloc-96', object_size: 96, align: 32, refcount: 3 },
      { name: 'kmem_cache', object_size: 232, align: 64, refcount: -1 },
    ],
    dmabufs: [
      { size: 4096, exp_name: 'system', name: 'fb0', ino: 50 },
      { size: 65536, exp_name: 'udmabuf', ino: 51 },
    ],
  },
};

async function run(text: string, scenario: object | null = WORLD): Promise<{ output: string; error?: string }> {
  const service = serviceFor(scenario ? { ...TARGET_FILES, [SCENARIO]: JSON.stringify(scenario) } : TARGET_FILES);
  const r = await service.run(FIXTURE_PATH, text, scenario ? { scenario: SCENARIO } : {}) as unknown as { output: string | null; error?: { message: string } };
  return { output: r.output ?? '', error: r.error?.message };
}

describe('kernel-object targets on the simulated kernel (prog_iter.c, link_iter.c, kallsyms.c, kmem_cache_iter.c, dmabuf_iter.c)', () => {
  it('every one of the five is simulated (hover and completion no longer say "not simulated")', () => {
    for (const t of ['bpf_prog', 'bpf_link', 'ksym', 'kmem_cache', 'dmabuf']) assert.ok(SIMULATED_ITER_TARGETS.includes(t), t);
  });

  it('iter/bpf_prog: the scenario\'s programs by id, then the iterator\'s own (next id, tracing/trace_iter), then the NULL call', async () => {
    const r = await run(PROGS);
    assert.ok(!r.error, r.error);
    // aux->name keeps 15 characters; the own program's len is not known to the simulator (0)
    assert.strictEqual(r.output, ['0 3 sd_devices 15 6 21', '1 9 tc_ingress_clas 3 0 310', '2 10 list_programs_b 26 28 0', 'end 2', ''].join('\n'));
  });

  it('iter/bpf_link: the scenario\'s links by id, then the iterator\'s own link (type iter) on its program', async () => {
    const r = await run(LINKS);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['2 11 9 46', '3 4 10 28', 'end 1', ''].join('\n'));
  });

  it('iter/ksym: core (pos one past), modules from their null symbol, BPF symbols, and a final call that is not NULL', async () => {
    const r = await run(KSYMS);
    assert.ok(!r.error, r.error);
    const lines = r.output.trimEnd().split('\n');
    assert.deepStrictEqual(lines.slice(0, 5), [
      '0 1 T [] _stext 0 0 0 0',
      '1 2 T [] tcp_sendmsg 0 0 0 0',
      '2 2 U [nf_tables]  0 0 0 0',
      '3 3 t [nf_tables] nft_do_chain 0 0 0 0',
      '4 4 T [nf_tables] nft_register_expr 1 0 0 0',
    ]);
    // the BPF symbols: the two scenario programs and the iterator's own, named by their whole name
    assert.match(lines[5], /^5 5 t \[bpf\] bpf_prog_[0-9a-f]{16}_sd_devices 0 5 5 0$/);
    assert.match(lines[7], /^7 7 t \[bpf\] bpf_prog_[0-9a-f]{16}_ksyms 0 5 5 0$/);
    // bpf_iter_ksym_seq_stop(): the same kallsym_iter, the last name, module "__builtin__kprobes", same seq_num
    assert.match(lines[8], /^7 8 t \[__builtin__kprobes\] bpf_prog_[0-9a-f]{16}_ksyms 0 5 5 8$/);
    assert.strictEqual(lines.length, 9);
  });

  it('iter/kmem_cache: list order, sizes derived as calculate_sizes(), a reference held on the visited cache, the NULL call', async () => {
    const r = await run(SLABS);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, [
      'TCP 2304 2368 64 2304 2 2304', 'kmalloc-96 96 96 32 48 4 96', 'kmem_cache 232 256 64 112 -1 232', 'end 2', ''].join('\n'));
  });

  it('iter/dmabuf: newest first, no final call; a small read size resumes at the buffer it stopped on', async () => {
    const r = await run(DMABUFS);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, ['0 65536 udmabuf - 51', '1 4096 system fb0 50', ''].join('\n'));
    const small = await run(DMABUFS, { ...WORLD, read_size: 40 });
    assert.strictEqual(small.output, r.output);
  });

  it('the default system gives every target something to print', async () => {
    for (const [text, min] of [[PROGS, 10], [LINKS, 8], [KSYMS, 40], [SLABS, 10], [DMABUFS, 1]] as const) {
      const r = await run(text, null);
      assert.ok(!r.error, r.error);
      assert.ok(r.output.split('\n').length > min, r.output);
    }
  });

  it('scenario problems: a link whose program is not listed, a program id given twice', async () => {
    const r = await run(LINKS, { kernel_objects: { programs: [{ id: 1, name: 'a', type: 'xdp' }, { id: 1, name: 'b', type: 'xdp' }], links: [{ id: 1, type: 'xdp', prog_id: 7 }] } });
    assert.ok(r.error?.includes('given twice') || r.error?.includes('no program with id 7'), r.error);
  });

  it('iter/ksym: a KSYM_NAME_LEN buffer of which 8 bytes are used is checked and run (clang keeps only those bytes: measured, loads)', async () => {
    const text = HEAD + `static __always_inline int is_nft(const char *n) { return n[0] == 'n' && n[1] == 'f' && n[2] == 't'; }
SEC("iter/ksym")
int nft_syms(struct bpf_iter__ksym *ctx)
{
	struct kallsym_iter *it = ctx->ksym;
	char name[512];
	if (!it) return 0;
	__builtin_memcpy(name, it->name, 8);
	if (is_nft(name) && name[3] == '_')
		BPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", it->name);
	return 0;
}
`;
    const service = serviceFor({ ...TARGET_FILES, [SCENARIO]: JSON.stringify(WORLD) });
    assert.deepStrictEqual(service.validate(FIXTURE_PATH, text).filter((d) => d.severity === 1).map((d) => d.message), []);
    const r = await run(text);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, 'nft_do_chain\nnft_register_expr\n');
  });

  it('extern __kconfig variables read what libbpf fills in from the kernel\'s configuration (CONFIG_HZ=250 on the measured 6.18 host), 0 when unset', async () => {
    const text = HEAD + `extern unsigned long CONFIG_HZ __kconfig;
extern int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_IPV6 __kconfig __weak;
extern bool CONFIG_NOT_A_REAL_OPTION __kconfig __weak;
SEC("iter/ksym")
int cfg(struct bpf_iter__ksym *ctx)
{
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(ctx->meta->seq, "%lu %x %d %d\\n", CONFIG_HZ, LINUX_KERNEL_VERSION, CONFIG_IPV6, CONFIG_NOT_A_REAL_OPTION);
	return 0;
}
`;
    const r = await run(text);
    assert.ok(!r.error, r.error);
    assert.strictEqual(r.output, '250 6122c 1 0\n');
  });
});
