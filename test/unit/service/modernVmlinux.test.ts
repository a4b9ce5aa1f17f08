/**
 * vmlinux.h as bpftool 7.3 and later write it (test/vmlinuxLayouts.ts) was read whole: the index refused its
 * `#define`s, its comment line and its `extern`s, so opening a file took 2.3 s instead of 0.36 s and each CLI check
 * 2.3 s of CPU (libbpf-tools' x86/vmlinux.h). It is now read through its index (lang/lazyHeader.ts), the kfuncs'
 * prototypes whole in their place, and the editor shows exactly what it shows when the header is read whole.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { bundledHeaderFilePath } from '../../../server/src/lang/headers';
import { lazyHeaderIndex } from '../../../server/src/lang/lazyHeader';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { bpftool75Layout, KFUNC_PROTOTYPES } from '../../vmlinuxLayouts';

/** The bundled 6.18 header (bpftool 7.1's layout) laid out as bpftool 7.5 writes it. */
function modernHeader(): string {
  return bpftool75Layout(fs.readFileSync(bundledHeaderFilePath('<bundled>/vmlinux.h')!, 'utf8'));
}

const MAP_SUM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("iter/bpf_map")
int dump_bpf_map(struct bpf_iter__bpf_map *ctx)
{
\tstruct bpf_map *map = ctx->map;

\tif (!map)
\t\treturn 0;
\tBPF_SEQ_PRINTF(ctx->meta->seq, "%u %lld\\n", map->id, bpf_map_sum_elem_count(map));
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const TASK_KFUNCS = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
\tstruct task_struct *task = ctx->task, *leader;

\tif (!task)
\t\treturn 0;
\tleader = bpf_task_from_pid(task->tgid);
\tif (!leader)
\t\treturn 0;
\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d %s\\n", leader->pid, leader->comm);
\tbpf_task_release(leader);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const PROGRAMS: Record<string, string> = {
  'a kfunc the header declares': MAP_SUM,
  'kfuncs returning and releasing a reference': TASK_KFUNCS,
  '__ksym and __weak defined by the program before the header': `#define __ksym __attribute__((section(".ksyms")))\n#define __weak __attribute__((weak))\n${MAP_SUM}`,
  'BPF_NO_KFUNC_PROTOTYPES: the prototypes are skipped': `#define BPF_NO_KFUNC_PROTOTYPES\n${MAP_SUM}`,
  'the program declares the kfunc again, as programs for older headers do':
    MAP_SUM.replace('SEC("iter/bpf_map")', 'extern s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym __weak;\n\nSEC("iter/bpf_map")'),
  'a macro of the header\'s names defined by the program': `#define __bpf_fastcall\n${MAP_SUM}`,
};

/** Diagnostics, and a hover and a completion at every 5th identifier, of `text` with `header` as its vmlinux.h. */
function whatTheEditorShows(header: string, text: string): unknown {
  const file = '/modern/prog.bpf.c';
  const host = createMemoryHost({ [file]: text, '/modern/vmlinux.h': header, '/modern/nothing.h': '' });
  const service = createLanguageService(host, defaultSettings());
  const shown: unknown[] = [service.validate(file, text)];
  let count = 0;
  text.split('\n').forEach((line, number) => {
    for (const m of line.matchAll(/[A-Za-z_]\w*/g)) {
      if (count++ % 5 !== 0) continue;
      shown.push(service.hover(file, text, { line: number, character: m.index! + 1 }),
        service.complete(file, text, { line: number, character: m.index! + m[0].length }).map((item) => item.label));
    }
  });
  return shown;
}

describe('vmlinux.h as bpftool 7.3+ writes it: read through its index, kfunc prototypes whole', function () {
  this.timeout(300_000);
  const modern = modernHeader();
  // The same header made one the index refuses (an #include it does not read), so it is read whole; the line
  // replaces a blank one, so every line keeps its number.
  const readWhole = modern.replace('#define __VMLINUX_H__\n\n', '#define __VMLINUX_H__\n#include "nothing.h"\n');

  it('is indexed; the prototypes, and only they, are read whole', () => {
    assert.notStrictEqual(readWhole, modern);
    assert.strictEqual(lazyHeaderIndex(readWhole), undefined, 'the variant with an #include is read whole');
    const index = lazyHeaderIndex(modern);
    assert.ok(index, 'the modern layout is of the shape the index reads');
    assert.strictEqual(index.alwaysExpanded.length, KFUNC_PROTOTYPES.length);
    for (const d of index.alwaysExpanded) assert.match(modern.slice(index.declarations[d * 3], index.declarations[d * 3 + 1]), /^extern .* __weak __ksym;$/);
  });

  for (const [name, text] of Object.entries(PROGRAMS)) {
    it(`${name}: the same diagnostics, hovers and completions as with the header read whole`, () => {
      assert.deepStrictEqual(whatTheEditorShows(modern, text), whatTheEditorShows(readWhole, text));
    });
  }

  it('the kfuncs come from the header: no error without a declaration of the program\'s own, an undeclared call with BPF_NO_KFUNC_PROTOTYPES', () => {
    const errors = (text: string) => (whatTheEditorShows(modern, text) as Array<Array<{ severity?: number; message: string }>>)[0]
      .filter((d) => d.severity === 1).map((d) => d.message);
    assert.deepStrictEqual(errors(MAP_SUM), []);
    assert.deepStrictEqual(errors(TASK_KFUNCS), []);
    const undeclared = (whatTheEditorShows(modern, PROGRAMS['BPF_NO_KFUNC_PROTOTYPES: the prototypes are skipped']) as Array<Array<{ message: string }>>)[0];
    assert.ok(undeclared.some((d) => /bpf_map_sum_elem_count/.test(d.message)), JSON.stringify(undeclared.map((d) => d.message)));
  });
});
