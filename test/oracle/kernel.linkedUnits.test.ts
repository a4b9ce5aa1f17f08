/**
 * An object linked from two compilation units by `bpftool gen object` (BPF static linking, as Falco's modern probe is
 * built): an iterator unit without a license and a license unit. The linked object loads and runs on the kernel; the
 * unit alone, checked in its project, gets no license error and runs to the same output.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createNodeHost } from '../../server/src/service/host';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { PinDir, realKernelUnavailable, run, tempDir } from './kernelOracle';

const UNIT = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
\t__uint(type, BPF_MAP_TYPE_ARRAY);
\t__uint(max_entries, 4);
\t__type(key, __u32);
\t__type(value, __u64);
} lu_counts SEC(".maps");

SEC("iter/bpf_map")
int list_own(struct bpf_iter__bpf_map *ctx)
{
\tstruct bpf_map *map = ctx->map;
\t__u32 zero = 0;
\t__u64 *seen;

\tif (!map || map->name[0] != 'l' || map->name[1] != 'u' || map->name[2] != '_')
\t\treturn 0;
\t// the iterator's own map: the object keeps it while the link lives
\tseen = bpf_map_lookup_elem(&lu_counts, &zero);
\tif (seen)
\t\t*seen += 1;
\tBPF_SEQ_PRINTF(ctx->meta->seq, "%s max=%u value=%u\\n", map->name, map->max_entries, map->value_size);
\treturn 0;
}
`;
const LICENSE_UNIT = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nchar LICENSE[] SEC("license") = "Dual MIT/GPL";\n';

describe('oracle: a unit linked with a license unit by bpftool gen object', function () {
  this.timeout(120_000);
  let work = '';
  let pins: PinDir | undefined;
  before(function () {
    const why = realKernelUnavailable(['bpftool', 'clang']);
    if (why) { console.log(`    skipped: needs root, bpftool and clang (${why})`); this.skip(); }
    if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) { console.log('    skipped: libbpf-dev headers missing'); this.skip(); }
    work = tempDir();
  });
  after(() => { pins?.remove(); if (work) fs.rmSync(work, { recursive: true, force: true }); });

  it('loads and prints on the kernel what the unit checked alone prints, with no license error', function () {
    fs.mkdirSync(path.join(work, 'include'));
    fs.mkdirSync(path.join(work, 'license'));
    fs.mkdirSync(path.join(work, 'programs'));
    fs.writeFileSync(path.join(work, 'include', 'vmlinux.h'), run('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c']));
    fs.writeFileSync(path.join(work, 'compile_flags.txt'), `-I${path.join(work, 'include')}\n-D__TARGET_ARCH_x86\n`);
    fs.writeFileSync(path.join(work, 'license', 'license.bpf.c'), LICENSE_UNIT);
    const unit = path.join(work, 'programs', 'own.bpf.c');
    fs.writeFileSync(unit, UNIT);
    const objects = ['programs/own', 'license/license'].map((name) => {
      run('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', path.join(work, 'include'), '-c', path.join(work, `${name}.bpf.c`), '-o', path.join(work, `${name}.o`)]);
      return path.join(work, `${name}.o`);
    });
    const linked = path.join(work, 'linked.o');
    try {
      run('bpftool', ['gen', 'object', linked, ...objects]);
    } catch (e) {
      console.log(`    skipped: this bpftool cannot link objects (${String((e as Error).message).split('\n')[0]})`);
      this.skip();
    }
    pins = new PinDir();
    const pin = path.join(pins.dir, 'iter');
    run('bpftool', ['iter', 'pin', linked, pin]);
    const kernelOutput = fs.readFileSync(pin, 'utf8');
    assert.strictEqual(kernelOutput, 'lu_counts max=4 value=8\n', 'the linked object runs on the kernel');

    const service = createLanguageService(createNodeHost(), defaultSettings());
    const errors = service.validate(unit, UNIT).filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`);
    assert.deepStrictEqual(errors, []);
    return service.run(unit, UNIT, {}).then((outcome) => {
      assert.strictEqual(outcome.error, null, JSON.stringify(outcome.error));
      assert.strictEqual(outcome.output, kernelOutput);
    });
  });
});
