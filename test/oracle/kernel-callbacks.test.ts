import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { PinDir, realKernelUnavailable, tempDir } from './kernelOracle';

/**
 * The verifier's own words for the callback and numbers-iterator rules: each must-reject corpus program is compiled
 * with clang and loaded with bpftool, and the quoted "Verifier: ..." text of our diagnostic must be a line of the
 * real verifier log. (corpus-kernel.test.ts compares the verdicts and outputs; this compares the messages.)
 */
const corpusDir = path.resolve(__dirname, '../../../test/corpus');
const REJECTED = ['callback_ret2_maps', 'callback_not_static_maps', 'foreach_queue_maps', 'callback_ctx_global_maps', 'foreach_callback_ret_value_maps', 'iter_num_leak_maps', 'iter_num_uninit_maps'];

describe('oracle: callback and iterator rules word for word with the 6.18 verifier', function () {
  this.timeout(120000);
  const reason = realKernelUnavailable(['clang', 'bpftool']) ?? (fs.existsSync('/sys/kernel/btf/vmlinux') ? null : 'no /sys/kernel/btf/vmlinux');
  const service = createLanguageService(createNodeHost(), defaultSettings());
  let work = '';
  let pins: PinDir | undefined;

  before(function () {
    if (reason) { console.log(`      skipped: ${reason}`); this.skip(); }
    work = tempDir();
    fs.writeFileSync(path.join(work, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 28 }));
    pins = new PinDir();
  });
  after(() => {
    pins?.remove();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  for (const name of REJECTED) {
    it(`${name}: our verifier text is a line of the kernel's log`, function () {
      if (reason) this.skip();
      const source = path.join(corpusDir, `${name}.bpf.c`);
      const ours = service.validate(source, fs.readFileSync(source, 'utf8')).filter((d) => d.severity === 1);
      assert.ok(ours.length > 0, 'we accept it');
      const obj = path.join(work, `${name}.o`);
      execFileSync('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', work, '-c', source, '-o', obj]);
      const pin = spawnSync('bpftool', ['iter', 'pin', obj, path.join(pins!.dir, name)], { encoding: 'utf8' });
      assert.notStrictEqual(pin.status, 0, 'the kernel accepts it');
      const log = pin.stderr.split('\n');
      for (const d of ours) {
        const quoted = /Verifier: "(.*)"$/.exec(typeof d.message === 'string' ? d.message : d.message.value)?.[1];
        assert.ok(quoted, `no verifier text in: ${d.message}`);
        assert.ok(log.some((line) => line.trim() === quoted), `"${quoted}" is not in the kernel log:\n${log.slice(-8).join('\n')}`);
      }
    });
  }
});
