/**
 * The on-disk caches never change a result (issue 18 point 3): a program analysed on a start that read vmlinux.h's
 * index from the cache gets the same diagnostics, hovers and completions as on a start that built it. Each start
 * is its own folder, so nothing of the first (its preamble, the index object) is shared with the second.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clearLazyIndexMemo, lazyIndexStats, setLazyIndexStore } from '../../../server/src/lang/lazyHeader';
import { createDiskIndexStore } from '../../../server/src/service/diskCache';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';

const CORPUS = path.join(__dirname, '../../../../test/corpus');

// A macro defined above the include that names vmlinux.h identifiers: those declarations are read whole, through the
// preprocessor, which asks the index whether the header holds each macro's name.
const MACRO_ABOVE = `#define tgid pid
#define nr_cpu_ids 4
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
\tstruct task_struct *task = ctx->task;
\tif (!task)
\t\treturn 0;
\tBPF_SEQ_PRINTF(ctx->meta->seq, "%d %d %s\\n", task->pid, task->tgid, task->comm);
\treturn 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

/** Everything the editor shows of a file: diagnostics, a hover and a completion at every 7th identifier. */
function whatTheEditorShows(folder: string, name: string, text: string): unknown {
  const file = `${folder}/${name}`;
  const service = createLanguageService(createMemoryHost({ [file]: text }), defaultSettings());
  const lines = text.split('\n');
  const shown: unknown[] = [service.validate(file, text)];
  let count = 0;
  lines.forEach((line, number) => {
    for (const m of line.matchAll(/[A-Za-z_]\w*/g)) {
      if (count++ % 7 !== 0) continue;
      const position = { line: number, character: m.index! + 1 };
      shown.push(service.hover(file, text, position), service.complete(file, text, { line: number, character: m.index! + m[0].length }).map((item) => item.label));
    }
  });
  return JSON.parse(JSON.stringify(shown).split(folder).join('<folder>'));
}

describe('disk cache: a start that reads the cached index shows what a start that builds it shows', function () {
  this.timeout(300_000);

  it('diagnostics, hovers and completions are equal with the index built and with it read from disk', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-equal-'));
    const programs: Array<[string, string]> = [['macro_above.bpf.c', MACRO_ABOVE]];
    for (const name of fs.readdirSync(CORPUS).filter((f) => f.endsWith('.bpf.c')).sort().filter((_, i) => i % 12 === 0)) {
      programs.push([name, fs.readFileSync(path.join(CORPUS, name), 'utf8')]);
    }
    try {
      setLazyIndexStore(createDiskIndexStore(cache));
      clearLazyIndexMemo();
      const built = lazyIndexStats.built;
      const first = programs.map(([name, text]) => whatTheEditorShows('/start1', name, text));
      assert.strictEqual(lazyIndexStats.built, built + 1, 'the first start builds the index and stores it');
      clearLazyIndexMemo();
      const loaded = lazyIndexStats.loaded;
      const next = programs.map(([name, text]) => whatTheEditorShows('/start2', name, text));
      assert.strictEqual(lazyIndexStats.loaded, loaded + 1, 'the next start reads it');
      assert.strictEqual(lazyIndexStats.built, built + 1, 'and builds nothing');
      for (let i = 0; i < programs.length; i++) assert.deepStrictEqual(next[i], first[i], programs[i][0]);
    } finally {
      setLazyIndexStore(undefined);
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
