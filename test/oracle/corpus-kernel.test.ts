import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLanguageService, defaultSettings } from '../../server/src/service/languageService';
import { createNodeHost } from '../../server/src/service/host';
import { elemIterRefused, firstLine, loadErrno, realKernelUnavailable } from './kernelOracle';
import { baselineRunErrno } from '../integration/corpusBaseline';
import { iteratorMapIds } from '../../server/src/realHost/kernelRun';
import { spawnRunner } from '../../server/src/realHost/hostTools';

/**
 * Differential test of the corpus against the real kernel: every iter/bpf_map program is compiled with real clang,
 * pinned with bpftool over the scenario's maps (created and filled with bpftool under a private bpffs directory),
 * and read with cat. Accept/reject must agree with our error diagnostics and the seq output must be identical.
 * iter/bpf_map_elem programs are attached to a map created and filled with bpftool as the scenario says, where the
 * kernel allows loading them (a probe loads a tiny one first; some sandboxes refuse them with EPERM).
 * Every row that cannot be compared here says why in one line.
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

/**
 * Rejected programs whose refused load fails with another errno on the kernel than in our run (each diagnostic
 * declares its errno, lang/diagnostics.ts; these still say the default EACCES). Found when the errno of every rejected
 * program clang compiles was first compared (before, only the 8 the corpus's expectations named); listed in
 * docs/fidelity.md. The test fails when one of them stops differing, so the list cannot go stale.
 */
const KNOWN_LOAD_ERRNO_DIFFERENCES: Record<string, string> = {};

interface ScenarioMap { name: string; type?: string; key_size?: number; value_size?: number; max_entries?: number; flags?: string[]; entries?: { key: unknown; value?: unknown; values?: unknown[] }[] }
interface Scenario { maps?: ScenarioMap[]; attach?: { map?: string }; globals?: Record<string, unknown> }

function whyUnavailable(): string | undefined {
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'no /sys/kernel/btf/vmlinux';
  if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) return 'libbpf-dev headers are missing';
  return realKernelUnavailable(['clang', 'bpftool']) ?? undefined;
}

/** The ids of the maps the program behind a pinned iterator link holds (what run --kernel waits for, kernelRun.ts). */
function mapIdsOfPinnedIter(pinned: string): Set<number> {
  const ids = iteratorMapIds(spawnRunner, pinned);
  assert.ok(ids, `bpftool does not show the program behind ${pinned}`);
  return new Set(ids);
}

/** The prefix of the maps the corpus's iter/bpf_map programs list; maps with it that we did not create change their output. */
const CORPUS_MAP_PREFIX = 'lab_';
/**
 * Ids and names of the maps on this kernel whose name starts with CORPUS_MAP_PREFIX or is one of `names` (the
 * scenario's maps: a program may list maps by their own names, and a killed run leaves pinned ones behind).
 */
function corpusNamedMaps(names: ReadonlySet<string>): Map<number, string> {
  const list = JSON.parse(execFileSync('bpftool', ['-j', 'map', 'list'], { encoding: 'utf8', maxBuffer: 1 << 26 }) || '[]') as { id: number; name?: string }[];
  return new Map(list.filter((m) => m.name !== undefined && (m.name.startsWith(CORPUS_MAP_PREFIX) || names.has(m.name))).map((m) => [m.id, m.name!]));
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
  const cpus = reason ? 0 : Number(fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim().split('-').pop()) + 1;
  const service = createLanguageService(createNodeHost(), defaultSettings());
  const programs = fs.readdirSync(corpusDir).filter((f) => f.endsWith('.bpf.c')).sort();
  const tally = { compared: 0, acceptAgree: 0, outputCompared: 0, outputAgree: 0, differences: [] as string[] };
  let work = '';
  let pinDir = '';

  before(function () {
    if (reason) { console.log(`      skipped: ${reason}`); this.skip(); }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-corpus-'));
    fs.writeFileSync(path.join(work, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 28 }));
    const elemWhy = elemIterRefused(work);
    if (elemWhy) console.log(`      iter/bpf_map_elem rows skip: ${elemWhy}`);
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
    it(`${name}: same verdict and output as the kernel${elem ? ' (iter/bpf_map_elem)' : ''}`, async function () {
      if (reason) this.skip();
      const skip = (why: string) => { console.log(`      skip: ${why}`); this.skip(); };
      const scenarioPath = path.join(corpusDir, `${name}.bpfscenario.json`);
      const scenario: Scenario = fs.existsSync(scenarioPath) ? JSON.parse(fs.readFileSync(scenarioPath, 'utf8')) : {};
      if (elem) {
        const elemWhy = elemIterRefused(work);
        if (elemWhy) skip(elemWhy);
        if (scenario.globals) skip('the scenario sets globals before load, which bpftool iter pin cannot');
        if (scenario.maps?.some((m) => m.entries?.some((e) => e.values))) skip('the scenario gives each CPU its own value, which bpftool map update cannot');
      }
      const source = path.join(corpusDir, file);
      const ours = service.validate(source, text).filter((d) => d.severity === 1);
      const obj = path.join(work, `${name}.o`);
      const cc = spawnSync('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', work, '-c', source, '-o', obj], { encoding: 'utf8' });
      const dir = path.join(pinDir, name);
      fs.mkdirSync(dir);
      const pinnedByName = [...text.matchAll(/__uint\(pinning,\s*LIBBPF_PIN_BY_NAME\)[^}]*\}\s*(\w+)\s+SEC\("\.maps"\)/g)].map((m) => m[1]);
      let pinsToRemove: string[] = [];
      try {
        let realAccepts = cc.status === 0;
        let realOutput = '';
        let loadLog = cc.stderr;
        let attachArgs: string[] = [];
        if (realAccepts) {
          const maps: ScenarioMap[] = [...scenario.maps ?? []];
          if (elem) {
            // The attach map is one of the object's own maps (its definition comes from the file): take its type and
            // sizes from a simulated run, create it with bpftool and attach the program to it.
            const attachName = scenario.attach?.map;
            const simulated = (await service.run(source, text, { cpus })).maps.find((m) => m.name === attachName);
            const def = maps.find((m) => m.name === attachName);
            if (!attachName || !simulated || !def) return skip('the scenario names no attach map of the object');
            maps.splice(maps.indexOf(def), 1, { ...def, type: simulated.type, key_size: simulated.key_size, value_size: simulated.value_size,
              max_entries: simulated.max_entries, flags: Object.keys(MAP_FLAG_BITS).filter((f) => simulated.flags & MAP_FLAG_BITS[f]) });
            attachArgs = ['map', 'pinned', path.join(dir, attachName)];
            const unreachable = maps.filter((m) => m.name !== attachName && !m.type).map((m) => m.name);
            if (unreachable.length) return skip(`the scenario fills ${unreachable.join(', ')} of the object besides the attached map, which bpftool cannot before the load`);
          }
          for (const m of maps) {
            const flags = (m.flags ?? []).reduce((acc, f) => acc | (MAP_FLAG_BITS[f] ?? 0), 0);
            execFileSync('bpftool', ['map', 'create', path.join(dir, m.name), 'type', String(m.type), 'key', String(m.key_size), 'value', String(m.value_size),
              'entries', String(m.max_entries), 'name', m.name, 'flags', String(flags)]);
            for (const e of m.entries ?? []) {
              execFileSync('bpftool', ['map', 'update', 'pinned', path.join(dir, m.name), 'key', ...bytesOf(e.key, m.key_size!).split(' '),
                'value', ...bytesOf(e.value, m.value_size!).split(' ')]);
            }
          }
          // libbpf pins a map declared with LIBBPF_PIN_BY_NAME in /sys/fs/bpf under its name (bpftool iter pin gives
          // no other root): one there already would be reused, and the one made here is removed after the run
          for (const pinned of pinnedByName) {
            if (fs.existsSync(path.join('/sys/fs/bpf', pinned))) return skip(`/sys/fs/bpf/${pinned} exists already: libbpf would reuse that map`);
          }
          pinsToRemove = pinnedByName.map((pinned) => path.join('/sys/fs/bpf', pinned));
          const pin = spawnSync('bpftool', ['iter', 'pin', obj, path.join(dir, 'iter'), ...attachArgs], { encoding: 'utf8' });
          realAccepts = pin.status === 0;
          loadLog = pin.stderr;
          // EPERM is a sandbox's or capability's answer, not the verifier's: bpf_check() answers EACCES or EINVAL
          if (!realAccepts && loadErrno(pin.stderr) === 'EPERM') skip(`the kernel refuses to load this program here (EPERM: ${firstLine(pin.stderr)})`);
          if (realAccepts) realOutput = fs.readFileSync(path.join(dir, 'iter'), 'latin1');
          if (realAccepts && !elem) {
            // An iter/bpf_map program sees every map of the kernel: maps named like ours that neither the scenario
            // nor the loaded program (its .maps, .rodata, .bss) account for are another process's, and change the output.
            const ours = mapIdsOfPinnedIter(path.join(dir, 'iter'));
            for (const m of maps) ours.add((JSON.parse(execFileSync('bpftool', ['-j', 'map', 'show', 'pinned', path.join(dir, m.name)], { encoding: 'utf8' })) as { id: number }).id);
            const foreign = [...corpusNamedMaps(new Set(maps.map((m) => m.name)))].filter(([id]) => !ours.has(id)).map(([, n]) => n);
            if (foreign.length) skip(`other maps named like ours exist on this kernel (${foreign.join(', ')}: another process's, or pinned by a killed run), and this program lists every one`);
          }
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
        if (!realAccepts) {
          // the errno our run's load fails with, as the program's baseline (test/corpus/NAME.baseline) records it
          const expectedErrno = baselineRunErrno(path.join(corpusDir, `${name}.baseline`));
          if (!expectedErrno || cc.status !== 0) return;
          const log = loadLog.split('\n').slice(-4).join('\n');
          if (KNOWN_LOAD_ERRNO_DIFFERENCES[name]) {
            assert.notStrictEqual(loadErrno(loadLog), expectedErrno, `${name}'s load errno no longer differs from the kernel's: remove it from KNOWN_LOAD_ERRNO_DIFFERENCES and docs/fidelity.md\n${log}`);
            console.log(`      known load errno difference: ${KNOWN_LOAD_ERRNO_DIFFERENCES[name]}`);
            return;
          }
          assert.strictEqual(loadErrno(loadLog), expectedErrno, `the kernel's load errno\n${log}`);
          return;
        }
        // an iter/task program reads this machine's tasks (and the open-coded task iterator every task, whatever the
        // pid namespace): its output is its scenario's, which cannot be this machine's; test/oracle/kernel.taskIter.test.ts
        // compares task output in a pid namespace of known tasks
        if (/SEC\("iter(\.s)?\/task(_file|_vma)?"\)/.test(text)) return skip('an iter/task program prints this machine\'s tasks, not its scenario\'s: the verdict agrees, the output is not compared');
        const result = await service.run(source, text, { cpus, map: elem ? scenario.attach?.map : undefined });
        tally.outputCompared++;
        // byte for byte: both sides as latin1, one character per byte, so binary output compares exactly too
        const ourOutput = Buffer.from(result.outputBytes).toString('latin1');
        if (ourOutput === realOutput) tally.outputAgree++;
        else tally.differences.push(`${name}: output differs`);
        assert.strictEqual(ourOutput, realOutput);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        for (const pinned of pinsToRemove) fs.rmSync(pinned, { force: true });
      }
    });
  }
});
