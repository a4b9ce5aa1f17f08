/**
 * A compilation unit without a license, linked with a license unit by `bpftool gen object` (Falco's modern probe):
 * the object has the license, so the unit's GPL-only helpers are allowed and "no SEC("license")" is not said of it.
 * A folder of standalone programs each with its own license says nothing of one that forgot it.
 */
import * as assert from 'assert';
import { createMemoryHost } from '../../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';

const UNIT = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("iter/bpf_map")
int list_maps(struct bpf_iter__bpf_map *ctx)
{
\tstruct bpf_map *map = ctx->map;

\tif (map)
\t\tBPF_SEQ_PRINTF(ctx->meta->seq, "%s\\n", map->name);
\treturn 0;
}
`;
const LICENSE_UNIT = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nchar LICENSE[] SEC("license") = "Dual MIT/GPL";\n';
const STANDALONE = `${UNIT}\nchar LICENSE[] SEC("license") = "GPL";\n`;

function codes(files: Record<string, string>, file: string): { codes: string[]; linked?: string } {
  const service = createLanguageService(createMemoryHost(files), defaultSettings());
  const text = files[file];
  const shown = service.validate(file, text).filter((d) => d.severity === 1).map((d) => String(d.code));
  return { codes: shown, linked: service.analyze(file, text).analysis.linkedLicense?.path };
}

describe('service: a unit linked with a license unit (bpftool gen object)', () => {
  it('takes the license of the project\'s license unit: no BPF1395, GPL-only helpers allowed', () => {
    const project = { '/p/compile_flags.txt': '-I/p/include\n', '/p/license/license.bpf.c': LICENSE_UNIT, '/p/programs/iter/maps.bpf.c': UNIT };
    assert.deepStrictEqual(codes(project, '/p/programs/iter/maps.bpf.c'), { codes: [], linked: '/p/license/license.bpf.c' });
  });

  it('without a license unit in the project, the missing license is the error it always was', () => {
    const alone = codes({ '/p/compile_flags.txt': '', '/p/programs/maps.bpf.c': UNIT }, '/p/programs/maps.bpf.c');
    assert.ok(alone.codes.includes('BPF1395'), alone.codes.join(' '));
    assert.strictEqual(alone.linked, undefined);
    // a sibling program with its own license is no license unit: it is a program of its own
    const examples = codes({ '/p/compile_flags.txt': '', '/p/good.bpf.c': STANDALONE, '/p/forgot.bpf.c': UNIT }, '/p/forgot.bpf.c');
    assert.ok(examples.codes.includes('BPF1395'), examples.codes.join(' '));
  });

  it('a license unit of a non-GPL license allows no GPL-only helper', () => {
    const project = { '/p/compile_flags.txt': '', '/p/license.bpf.c': LICENSE_UNIT.replace('Dual MIT/GPL', 'MIT'), '/p/maps.bpf.c': UNIT };
    const shown = codes(project, '/p/maps.bpf.c');
    assert.strictEqual(shown.linked, '/p/license.bpf.c');
    assert.ok(!shown.codes.includes('BPF1395') && shown.codes.length > 0, shown.codes.join(' '));
  });
});
