/**
 * The build setup through the language service (the one path the CLI, the server and the run worker share):
 * hover on #include explains the resolution, an edit to compile_flags.txt is seen at the next analysis, and the
 * object's data maps are named as libbpf names them. In-memory files only; no system folder is read.
 */
import * as assert from 'assert';
import { MarkupContent } from 'vscode-languageserver-types';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost, FileHost } from '../../../server/src/service/host';
import { SystemIncludeFolders } from '../../../server/src/lang/buildSetup';

const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "local.h"

char LICENSE[] SEC("license") = "GPL";
int seen = 0;
const volatile int limit = 2;

SEC("iter/bpf_map")
int dump(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;
	if (!map)
		return 0;
	seen += limit;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u\\n", map->id);
	return 0;
}
`;

function hostWith(files: Record<string, string>, system?: SystemIncludeFolders): FileHost {
  const host = createMemoryHost(files);
  return system ? { ...host, systemIncludeFolders: () => system } : host;
}

function hoverText(files: Record<string, string>, main: string, line: number, system?: SystemIncludeFolders): string {
  const service = createLanguageService(hostWith(files, system), defaultSettings());
  const hover = service.hover(main, files[main], { line, character: 3 });
  return hover ? (hover.contents as MarkupContent).value : '';
}

describe('build setup in the language service', () => {
  const project = {
    '/p/compile_flags.txt': '-Iheaders\n',
    '/p/headers/vmlinux.h': '',
    '/p/src/local.h': '',
    '/p/src/prog.bpf.c': PROGRAM,
  };

  it('hover on #include names the file and why: -I from compile_flags.txt, beside the file, system, bundled fallback', () => {
    const files = project;
    const vmlinux = hoverText(files, '/p/src/prog.bpf.c', 0);
    assert.match(vmlinux, /`\/p\/headers\/vmlinux\.h`/);
    assert.match(vmlinux, /found in -I headers from compile_flags\.txt at \/p\/compile_flags\.txt/);
    assert.match(hoverText(files, '/p/src/prog.bpf.c', 2), /`\/p\/src\/local\.h`[\s\S]*found beside the including file/);
    const system = { searched: [{ path: '/usr/include', role: 'usr' as const }], unsearched: [] };
    assert.match(hoverText({ ...files, '/usr/include/bpf/bpf_helpers.h': '' }, '/p/src/prog.bpf.c', 1, system),
      /`\/usr\/include\/bpf\/bpf_helpers\.h`[\s\S]*system header folder \/usr\/include/);
    const noVmlinux = { ...project } as Record<string, string>;
    delete noVmlinux['/p/headers/vmlinux.h'];
    assert.match(hoverText(noVmlinux, '/p/src/prog.bpf.c', 0), /bundled fallback: no vmlinux\.h on the include path \(searched \/p\/headers\)/);
  });

  it('an edit to compile_flags.txt is used by the next validation (no restart, no watcher needed)', () => {
    const files: Record<string, string> = { '/p/compile_flags.txt': '', '/p/headers/extra.h': '#define EXTRA 1\n',
      '/p/src/x.bpf.c': '#include <extra.h>\nint v = EXTRA;\n' };
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    const before = service.validate('/p/src/x.bpf.c', files['/p/src/x.bpf.c']).filter((d) => d.severity === 1);
    assert.ok(before.some((d) => /'extra\.h' file not found; looked in .*add a line -I<folder holding it> to \/p\/compile_flags\.txt/.test(String(d.message))),
      JSON.stringify(before.map((d) => d.message)));
    files['/p/compile_flags.txt'] = '-Iheaders\n';
    const after = service.validate('/p/src/x.bpf.c', files['/p/src/x.bpf.c']).filter((d) => d.severity === 1);
    assert.deepStrictEqual(after.map((d) => d.message), []);
  });

  it('a header several headers include is missing once, as clang stops at it; the user\'s own missing includes each stay', () => {
    // source: generated protobuf-c headers, each including <protobuf-c/protobuf-c.h>, included by a program
    const files: Record<string, string> = { '/p/compile_flags.txt': '-Igen\n',
      '/p/gen/a.pb-c.h': '#include <protobuf-c/protobuf-c.h>\n', '/p/gen/b.pb-c.h': '#include <protobuf-c/protobuf-c.h>\n',
      '/p/gen/c.pb-c.h': '#include "a.pb-c.h"\n#include <protobuf-c/protobuf-c.h>\n',
      '/p/x.bpf.c': '#include <a.pb-c.h>\n#include <b.pb-c.h>\n#include <c.pb-c.h>\n#include <one.h>\n#include <two.h>\nint v;\n' };
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    const missing = service.validate('/p/x.bpf.c', files['/p/x.bpf.c']).filter((d) => d.severity === 1)
      .map((d) => /^'([^']*)' file not found/.exec(String(d.message))?.[1] ?? String(d.message));
    assert.deepStrictEqual(missing, ['protobuf-c/protobuf-c.h', 'one.h', 'two.h']);
  });

  it('files of two projects sharing a header, checked in turn by one service, each see their own nested includes', () => {
    const files: Record<string, string> = {
      '/shared/top.h': '#include <sub.h>\n',
      '/a/compile_flags.txt': '-I/shared\n-Iinc\n', '/a/inc/sub.h': '#define SUB 1\n',
      '/b/compile_flags.txt': '-I/shared\n-Iinc\n', '/b/inc/sub.h': '#define SUB 2\n',
      '/a/x.bpf.c': '#include <top.h>\n_Static_assert(SUB == 1, "a sees b");\n',
      '/b/x.bpf.c': '#include <top.h>\n_Static_assert(SUB == 2, "b sees a");\n',
    };
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    for (let round = 0; round < 2; round++) {
      for (const main of ['/a/x.bpf.c', '/b/x.bpf.c']) {
        assert.deepStrictEqual(service.validate(main, files[main]).filter((d) => d.severity === 1).map((d) => d.message), [], `${main}, round ${round}`);
      }
    }
  });

  it('a file named my-prog.bpf.c runs: its data maps are my_prog.bss and my_prog.rodata, as libbpf names them', async () => {
    const files = { '/p/my-prog.bpf.c': PROGRAM.replace('#include "local.h"\n', ''), '/p/compile_flags.txt': '' };
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    const analysis = service.analyze('/p/my-prog.bpf.c', files['/p/my-prog.bpf.c']).analysis;
    assert.strictEqual(analysis.objectName, 'my-prog');
    const result = await service.run('/p/my-prog.bpf.c', files['/p/my-prog.bpf.c'], {});
    assert.strictEqual(result.error, null, JSON.stringify(result.error));
    const names = result.maps.map((m) => m.name);
    assert.ok(names.includes('my_prog.bss') && names.includes('my_prog.rodata'), JSON.stringify(names));
  });
});
