import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clangResourceDir, createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';

describe('service/host: the in-memory host (the run worker keeps open documents in one)', () => {
  it('a header edited to a text of the same length is read again, not replayed from the header cache', () => {
    const files: Record<string, string> = {
      '/w/size.h': '#define N 4\n',
      '/w/main.bpf.c': '#include "size.h"\n_Static_assert(N == 8, "N is not 8");\nint x;\n',
    };
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    const errors = () => service.validate('/w/main.bpf.c', files['/w/main.bpf.c']).filter((d) => d.severity === 1).map((d) => String(d.message));
    assert.ok(errors().some((m) => m.includes('N is not 8')));
    files['/w/size.h'] = '#define N 8\n';
    assert.deepStrictEqual(errors().filter((m) => m.includes('N is not 8')), []);
  });

  it('a stamp changes exactly when the text does', () => {
    const files: Record<string, string> = { '/a.h': 'aaaa' };
    const host = createMemoryHost(files);
    const first = host.stamp('/a.h');
    assert.strictEqual(host.stamp('/a.h'), first);
    files['/a.h'] = 'bbbb';
    const second = host.stamp('/a.h');
    assert.notStrictEqual(second, first);
    files['/a.h'] = ['bb', 'bb'].join('');
    assert.strictEqual(host.stamp('/a.h'), second, 'an equal text built anew is the same version');
    delete files['/a.h'];
    assert.strictEqual(host.stamp('/a.h'), undefined);
  });
});

describe('service/host: clang -print-resource-dir is asked once per clang binary', () => {
  it('a second probe reads the disk cache; another clang binary asks again', function () {
    if (process.platform === 'win32') this.skip(); // the fake clang is a shell script
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-clang-'));
    const saved = { PATH: process.env.PATH, BPF_ITER_CACHE_DIR: process.env.BPF_ITER_CACHE_DIR };
    try {
      const bin = path.join(dir, 'bin');
      const resource = path.join(dir, 'resource');
      fs.mkdirSync(bin);
      fs.mkdirSync(resource);
      const calls = path.join(dir, 'calls');
      const fake = path.join(bin, 'clang');
      const writeFake = (extra: string) => fs.writeFileSync(fake, `#!/bin/sh\necho x >> '${calls}'\necho '${resource}'\n${extra}`, { mode: 0o755 });
      writeFake('');
      process.env.PATH = bin;
      process.env.BPF_ITER_CACHE_DIR = path.join(dir, 'cache');
      const count = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).length : 0);
      assert.strictEqual(clangResourceDir(), resource);
      assert.strictEqual(clangResourceDir(), resource);
      assert.strictEqual(count(), 1, 'the second answer comes from the cache');
      writeFake('# another build of clang\n');
      assert.strictEqual(clangResourceDir(), resource);
      assert.strictEqual(count(), 2, 'a changed binary is asked again');
      process.env.PATH = path.join(dir, 'nothing-here');
      assert.strictEqual(clangResourceDir(), undefined, 'no clang on PATH: no answer, cached or not');
    } finally {
      for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
