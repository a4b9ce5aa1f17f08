import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
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

  it('a version changes exactly when the text does', () => {
    const files: Record<string, string> = { '/a.h': 'aaaa' };
    const host = createMemoryHost(files);
    const first = host.version('/a.h');
    assert.strictEqual(host.version('/a.h'), first);
    files['/a.h'] = 'bbbb';
    const second = host.version('/a.h');
    assert.notStrictEqual(second, first);
    files['/a.h'] = ['bb', 'bb'].join('');
    assert.strictEqual(host.version('/a.h'), second, 'an equal text built anew is the same version');
    delete files['/a.h'];
    assert.strictEqual(host.version('/a.h'), undefined);
  });
});
