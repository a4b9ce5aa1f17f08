import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';

/**
 * Differential test of the corpus against the real kernel: every iter/bpf_map program is compiled with real clang,
 * pinned with bpftool over the scenario's maps (created and filled with bpftool under a private bpffs directory),
 * and read with cat. Accept/reject must agree with our error diagnostics and the seq output must be identical.
 * iter/bpf_map_elem programs are refused with EPERM on these machines, so their comparison is skipped.
 */
const corpusDir = path.resolve(__dirname, '../../../test/corpus');

const MAP_FLAG_BITS: Record<string, number> = {
  BPF_F_NO_PREALLOC: 1, BPF_F_NO_COMMON_LRU: 2, BPF_F_NUMA_NODE: 4, BPF_F_RDONLY: 8, BPF_F_WRONLY: 16,
  BPF_F_STACK_BUILD_ID: 32, BPF_F_ZERO_SEED: 64, BPF_F_RDONLY_PROG: 128, BPF_F_WRONLY_PROG: 256, BPF_F_MMAPABLE: 1024,
};

/**
 * Differences we know and keep on purpose, each explained in docs/fidelity.md. The test still fails when one of
 * them stops differing, so the list cannot go stale.
 */
const KNOWN_VERDICT_DIFFERENCES: Record<string, string> = {
};

interface ScenarioMap { name: string; type?: string; key_size?: number; value_size?: number; max_entries?: number; flags?: string[]; entries?: { key: unknown; value?: unknown }[] }

function whyUnavailable(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  for (const tool of ['clang', 'bpftool']) {
    if (spawnSync(tool, ['--version']).status !== 0) return `${tool} is missing`;
  }
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'no /sys/kernel/btf/vmlinux';
  if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) return 'libbpf-dev headers are missing';
  if (!fs.existsSync('/sys/fs/bpf') || spawnSync('mountpoint', ['-q', '/sys/fs/bpf']).status !== 0) {
    if (spawnSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']).status !== 0) return 'bpffs is not mounted and cannot be';
  }
  return undefined;
}

function bytesOf(v: unknown, size: number): string {
  const bytes: number[] = [];
  if (typeof v === 'number') {
    let n = BigInt.asUintN(size * 8, BigInt(v));
    for (let i = 0; i < size; i++) { bytes.push(Number(n & 0xffn)); n >>= 8n; }
  } else {
    for (const h of String(v).replace(/\s+/g, '').match(/../g) ?? []) bytes.push(parseInt(h, 16));
  }
  return bytes.map((b) => String(b)).join(' ');
}

describe('oracle: corpus on the real kernel (clang + bpftool iter pin + cat)', function () {
  this.timeout(600000);
  const reason = whyUnavailable();
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const programs = fs.readdirSync(corpusDir).filter((f) => f.endsWith('.bpf.c')).sort();
  const tally = { compared: 0, acceptAgree: 0, outputCompared: 0, outputAgree: 0, differences: [] as string[] };
  let work = '';
  let pinDir = '';

  before(function () {
    if (reason) { console.log(`      skipped: ${reason}`); this.skip(); }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-corpus-'));
    fs.writeFileSync(path.join(work, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 28 }));
    pinDir = `/sys/fs/bpf/bpf-iter-corpus-${process.pid}-${Date.now()}`;
    fs.mkdirSync(pinDir);
  });

  after(function () {
    if (pinDir) fs.rmSync(pinDir, { recursive: true, force: true });
    if (work) fs.rmSync(work, { recursive: true, force: true });
    if (tally.compared) {
      console.log(`      accept/reject agreement: ${tally.acceptAgree}/${tally.compared}; output agreement: ${tally.outputAgree}/${tally.outputCompared}`);
      for (const d of tally.differences) console.log(`      difference: ${d}`);
    }
  });

  for (const file of programs) {
    const name = file.slice(0, -'.bpf.c'.length);
    const text = fs.readFileSync(path.join(corpusDir, file), 'utf8');
    const elem = /SEC\("iter\/bpf_map_elem"\)/.test(text);
    it(`${name}: ${elem ? 'bpf_map_elem (cannot load here)' : 'same verdict and output as the kernel'}`, async function () {
      if (reason) this.skip();
      if (elem) { console.log('      skipped: loading iter/bpf_map_elem programs is refused with EPERM on this machine'); this.skip(); }
      const source = path.join(corpusDir, file);
      const ours = service.validate(source, text).filter((d) => d.severity === 1);
      const obj = path.join(work, `${name}.o`);
      const cc = spawnSync('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', work, '-c', source, '-o', obj], { encoding: 'utf8' });
      const dir = path.join(pinDir, name);
      fs.mkdirSync(dir);
      try {
        let realAccepts = cc.status === 0;
        let realOutput = '';
        let loadLog = cc.stderr;
        if (realAccepts) {
          const scenarioPath = path.join(corpusDir, `${name}.bpfscenario.json`);
          const maps: ScenarioMap[] = fs.existsSync(scenarioPath) ? JSON.parse(fs.readFileSync(scenarioPath, 'utf8')).maps ?? [] : [];
          for (const m of maps) {
            const flags = (m.flags ?? []).reduce((acc, f) => acc | (MAP_FLAG_BITS[f] ?? 0), 0);
            execFileSync('bpftool', ['map', 'create', path.join(dir, m.name), 'type', String(m.type), 'key', String(m.key_size), 'value', String(m.value_size),
              'entries', String(m.max_entries), 'name', m.name, 'flags', String(flags)]);
            for (const e of m.entries ?? []) {
              execFileSync('bpftool', ['map', 'update', 'pinned', path.join(dir, m.name), 'key', ...bytesOf(e.key, m.key_size!).split(' '),
                'value', ...bytesOf(e.value, m.value_size!).split(' ')]);
            }
          }
          const pin = spawnSync('bpftool', ['iter', 'pin', obj, path.join(dir, 'iter')], { encoding: 'utf8' });
          realAccepts = pin.status === 0;
          loadLog = pin.stderr;
          if (realAccepts) realOutput = fs.readFileSync(path.join(dir, 'iter'), 'latin1');
        }
        tally.compared++;
        const weAccept = ours.length === 0;
        if (weAccept === realAccepts) tally.acceptAgree++;
        else tally.differences.push(`${name}: kernel ${realAccepts ? 'accepts' : 'rejects'}, we ${weAccept ? 'accept' : 'reject'}`);
        if (KNOWN_VERDICT_DIFFERENCES[name]) {
          assert.notStrictEqual(weAccept, realAccepts, `${name} no longer differs from the kernel: remove it from KNOWN_VERDICT_DIFFERENCES and docs/fidelity.md`);
          console.log(`      known difference: ${KNOWN_VERDICT_DIFFERENCES[name]}`);
          return;
        }
        assert.strictEqual(weAccept, realAccepts,
          `kernel ${realAccepts ? 'accepts' : 'rejects'}; ours: ${ours.map((d) => `${d.code} ${d.message}`).join('; ') || 'no errors'}\n${loadLog.split('\n').slice(-8).join('\n')}`);
        if (!realAccepts) return;
        const result = await service.run(source, text, {});
        tally.outputCompared++;
        // byte for byte: both sides as latin1, one character per byte, so binary output compares exactly too
        const ourOutput = Buffer.from(result.outputBytes).toString('latin1');
        if (ourOutput === realOutput) tally.outputAgree++;
        else tally.differences.push(`${name}: output differs`);
        assert.strictEqual(ourOutput, realOutput);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
