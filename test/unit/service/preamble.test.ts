/**
 * The preamble (issue 18 point 2, issue 15 requirement 10): the bundled fallback vmlinux.h is the whole Linux 6.18
 * one, indexed lazily (only the declarations a program names are bound); one preamble is shared by every document
 * with the same leading #includes, flags and folder; the index is kept on disk by content hash, and a damaged
 * cache file is ignored and rewritten.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundledHeaderFilePath } from '../../../server/src/lang/headers';
import { clearLazyIndexMemo, lazyHeaderIndex, lazyIndexStats, setLazyIndexStore } from '../../../server/src/lang/lazyHeader';
import { createDiskIndexStore, cacheFolder } from '../../../server/src/service/diskCache';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';

const HEAD = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\n';
const TASK = `${HEAD}SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
\tstruct task_struct *task = ctx->task;
\tif (!task)
\t\treturn 0;
\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d %s\\n", task->pid, task->comm);
\treturn 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
const MAPS = `${HEAD}SEC("iter/bpf_map")
int dump_map(struct bpf_iter__bpf_map *ctx)
{
\tstruct bpf_map *map = ctx->map;
\tif (map)
\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u %u\\n", map->id, BPF_MAP_TYPE_HASH);
\treturn 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

const bundledVmlinux = (): string => fs.readFileSync(bundledHeaderFilePath('<bundled>/vmlinux.h')!, 'utf8');

describe('preamble: the whole bundled vmlinux.h, indexed lazily, shared, cached on disk', function () {
  this.timeout(120_000);

  it('the bundled vmlinux.h is the whole Linux 6.18 one (task, socket and every iterator ctx type)', () => {
    const text = bundledVmlinux();
    assert.ok(text.length > 2_000_000, `${text.length} bytes`);
    for (const definition of ['struct task_struct {', 'struct sock_common {', 'struct bpf_iter__ksym {', 'struct bpf_map {', 'struct file {', 'struct vm_area_struct {']) {
      assert.ok(text.includes(`\n${definition}\n`), definition);
    }
    assert.match(text, /^\s+true = 1,$/m);
    assert.ok(lazyHeaderIndex(text), 'it is of the shape the lazy index reads');
  });

  it('a task iterator checks against the bundled header, and only what it names is bound', () => {
    const file = '/p/task.bpf.c';
    const service = createLanguageService(createMemoryHost({ [file]: TASK }), defaultSettings());
    const errors = service.validate(file, TASK).filter((d) => d.severity === 1);
    assert.deepStrictEqual(errors.map((d) => d.message), []);
    const { analysis } = service.analyze(file, TASK);
    const tags = analysis.compilation.preamble!.model.fileScope.tags;
    // Map#size counts what is bound; the index knows every tag (keys())
    assert.ok(tags.size < 1500, `${tags.size} tags bound`);
    assert.ok([...tags.keys()].length > 10_000, 'the index lists every tag of vmlinux.h');
    const task = tags.get('task_struct');
    assert.ok(task?.kind === 'record' && task.info.complete && task.info.preserveAccessIndex, 'task_struct is bound with preserve_access_index');
  });

  it('two documents of a folder, in two services, share one preamble instance', () => {
    const files = { '/p/a.bpf.c': MAPS, '/p/b.bpf.c': MAPS.replace('dump_map', 'dump_other') };
    const first = createLanguageService(createMemoryHost(files), defaultSettings());
    const second = createLanguageService(createMemoryHost(files), defaultSettings());
    const a = first.analyze('/p/a.bpf.c', files['/p/a.bpf.c']).analysis;
    const b = second.analyze('/p/b.bpf.c', files['/p/b.bpf.c']).analysis;
    assert.ok(a.compilation.preamble !== undefined);
    assert.strictEqual(a.compilation.preamble, b.compilation.preamble);
    assert.deepStrictEqual(second.validate('/p/b.bpf.c', files['/p/b.bpf.c']).filter((d) => d.severity === 1), []);
    // the includes of the shared preamble are this document's: hover on `#include "vmlinux.h"` names the file
    assert.ok(b.pp.includes.some((include) => include.file === b.mainFile && include.name === 'vmlinux.h'));
    // another folder, other headers beside it: its own preamble
    const other = { '/q/c.bpf.c': MAPS, '/q/vmlinux.h': 'typedef unsigned int u32;\n' };
    const c = createLanguageService(createMemoryHost(other), defaultSettings()).analyze('/q/c.bpf.c', MAPS).analysis;
    assert.notStrictEqual(c.compilation.preamble, a.compilation.preamble);
  });

  it('the index is stored by content hash, read back on the next start, and a damaged file is ignored and rewritten', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-index-'));
    const text = bundledVmlinux();
    try {
      setLazyIndexStore(createDiskIndexStore(folder));
      clearLazyIndexMemo();
      const before = { ...lazyIndexStats };
      const built = lazyHeaderIndex(text)!;
      assert.strictEqual(lazyIndexStats.built, before.built + 1);
      const [stored] = fs.readdirSync(folder);
      assert.match(stored, /^lazy-index-v\d+-[0-9a-f]{64}\.bin$/);

      clearLazyIndexMemo();
      const loaded = lazyHeaderIndex(text)!;
      assert.strictEqual(lazyIndexStats.loaded, before.loaded + 1, 'the next start reads the stored index');
      assert.strictEqual(lazyIndexStats.built, before.built + 1, 'and builds nothing');
      // the stored index answers every question as the built one does
      const entries = (table: typeof built.tags) => [...table.keys()].map((name) => [name, table.get(name)]);
      assert.deepStrictEqual(entries(loaded.tags), entries(built.tags));
      assert.deepStrictEqual(entries(loaded.symbols), entries(built.symbols));
      assert.deepStrictEqual([...loaded.typedefNames], [...built.typedefNames]);
      for (const name of ['__not_a_tag__', '', 'task_struct_', 'zzzz']) assert.strictEqual(loaded.tags.get(name), undefined, name);
      assert.deepStrictEqual([...loaded.declarations], [...built.declarations]);
      assert.deepStrictEqual(loaded.directiveLines, built.directiveLines);
      assert.strictEqual(loaded.guard, built.guard);
      // The stored identifiers answer as the built Set does (the preprocessor asks for each macro's name).
      const identifiers = [...(built.identifiers as ReadonlySet<string>)];
      assert.ok(identifiers.length > 10_000);
      for (const name of [...identifiers.slice(0, 200), ...identifiers.slice(-200), 'task_struct', 'bpf_map']) assert.ok(loaded.identifiers.has(name), name);
      const builtSet = built.identifiers as ReadonlySet<string>;
      const sample = identifiers.filter((_, i) => i % 97 === 0);
      // near misses: parts and extensions of real identifiers, numbers' letters (`0x1fULL`), not identifiers at all
      const nearMisses = sample.flatMap((name) => [name.slice(1), name.slice(0, -1), `${name}_`, `_${name}`]);
      for (const name of [...sample, ...nearMisses, '__not_in_vmlinux_h__', '', 'a b', 'task_struct_', 'zzzz_last', 'ULL', 'x1f', 'a$b', '1abc']) {
        assert.strictEqual(loaded.identifiers.has(name), builtSet.has(name), name);
      }

      const flipped = (at: number) => (b: Buffer) => { const c = Buffer.from(b); c[at] ^= 1; return c; };
      const damages = [(b: Buffer) => b.subarray(0, b.length / 2), flipped(2), flipped(300), flipped(70_000), (b: Buffer) => b.subarray(0, b.length - 1), () => Buffer.from('{}'), () => Buffer.alloc(0)];
      for (const damage of damages) {
        const file = path.join(folder, stored);
        fs.writeFileSync(file, damage(fs.readFileSync(file)));
        clearLazyIndexMemo();
        const rejectedBefore = lazyIndexStats.rejected;
        const builtBefore = lazyIndexStats.built;
        const again = lazyHeaderIndex(text)!;
        assert.strictEqual(lazyIndexStats.rejected, rejectedBefore + 1, 'the damaged file was read and refused');
        assert.strictEqual(lazyIndexStats.built, builtBefore + 1, 'a damaged file is not used: the index is built again');
        assert.strictEqual(again.tags.size, built.tags.size);
        clearLazyIndexMemo();
        const loadedBefore = lazyIndexStats.loaded;
        lazyHeaderIndex(text);
        assert.strictEqual(lazyIndexStats.loaded, loadedBefore + 1, 'and rewritten: the next start reads it');
      }
    } finally {
      setLazyIndexStore(undefined);
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('the cache folder: BPF_ITER_CACHE_DIR, then XDG_CACHE_HOME, then the OS cache folder; off disables it', () => {
    assert.strictEqual(cacheFolder({ BPF_ITER_CACHE_DIR: '/c' }, 'linux', '/h'), '/c');
    assert.strictEqual(cacheFolder({ BPF_ITER_CACHE_DIR: 'off', XDG_CACHE_HOME: '/x' }, 'linux', '/h'), undefined);
    assert.strictEqual(cacheFolder({ XDG_CACHE_HOME: '/x' }, 'linux', '/h'), path.join('/x', 'bpf-iter-lab'));
    assert.strictEqual(cacheFolder({}, 'linux', '/h'), path.join('/h', '.cache', 'bpf-iter-lab'));
    assert.strictEqual(cacheFolder({}, 'darwin', '/h'), path.join('/h', 'Library', 'Caches', 'bpf-iter-lab'));
  });
});
