/**
 * Which helpers the kernel gives an iterator program, against the checker's table (lang/checker/helpers.ts): for every
 * helper id from 1 past the last one, an iter/bpf_map program that calls that id (through a raw helper pointer, with
 * zero arguments) is loaded with bpftool. The verifier answers before it looks at the arguments when it refuses the
 * helper itself ("program of this type cannot use helper", "helper call might sleep", "invalid func"); any other
 * answer (a load, or an argument error) means the helper was given.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { helperNameById, lookupHelper, LAST_HELPER_ID } from '../../server/src/lang/checker/helpers';
import { PinDir, realKernelUnavailable, tempDir, firstLine } from './kernelOracle';

const PROGRAM = `
struct bpf_iter_meta;
struct bpf_map;
struct bpf_iter__bpf_map { struct bpf_iter_meta *meta; struct bpf_map *map; };
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
static long (*helper)(long, long, long, long, long) = (void *) HELPER_ID;
__attribute__((section("iter/bpf_map"), used))
int call_helper(struct bpf_iter__bpf_map *ctx) { return helper(0, 0, 0, 0, 0) ? 0 : 0; }
`;

type Verdict = 'given' | 'not given' | 'might sleep' | 'invalid';

/**
 * Helpers the probe sees given that a later check refuses for every iterator program: the table says not given.
 * bpf_get_func_ip's proto is given, then check_helper_call() says "supported only for fentry/fexit/fmod_ret
 * programs" once R1 is the ctx (the probe passes 0 and stops at the argument).
 */
const REFUSED_AFTER_THE_PROTO: Record<number, string> = { 173: 'bpf_get_func_ip' };

function kernelVerdict(log: string): Verdict {
  if (/program of this type cannot use helper|supported only for fentry/.test(log)) return 'not given';
  if (/helper call might sleep in a non-sleepable prog/.test(log)) return 'might sleep';
  if (/invalid func unknown#/.test(log)) return 'invalid';
  return 'given';
}

function ourVerdict(id: number): Verdict {
  const name = helperNameById(id);
  if (!name) return 'invalid';
  const found = lookupHelper(name, { target: 'bpf_map', sleepable: false });
  switch (found.status) {
    case 'allowed': case 'notModelled': return 'given';
    case 'notAllowed': return 'not given';
    case 'mightSleep': return 'might sleep';
    default: return 'invalid';
  }
}

describe('oracle: the helpers Linux gives an iter/bpf_map program, id by id (clang + bpftool prog load)', function () {
  this.timeout(600_000);
  const why = realKernelUnavailable(['clang', 'bpftool']);
  it('every helper id gets the kernel\'s verdict from the checker\'s table', function () {
    if (why) { this.skip(); return; }
    const work = tempDir();
    const pins = new PinDir();
    const differences: string[] = [];
    let compared = 0;
    try {
      fs.writeFileSync(path.join(work, 'helper.bpf.c'), PROGRAM);
      for (let id = 1; id <= LAST_HELPER_ID + 2; id++) {
        const object = path.join(work, `helper${id}.o`);
        const cc = spawnSync('clang', ['-g', '-O2', '-target', 'bpf', `-DHELPER_ID=${id}`, '-c', path.join(work, 'helper.bpf.c'), '-o', object], { encoding: 'utf8' });
        if (cc.status !== 0) throw new Error(`clang: ${firstLine(cc.stderr)}`);
        const pin = `${pins.dir}/h${id}`;
        const load = spawnSync('bpftool', ['prog', 'load', object, pin], { encoding: 'utf8' });
        fs.rmSync(pin, { force: true });
        const log = `${load.stdout}\n${load.stderr}`;
        // a sandbox that refuses every load (EPERM before the verifier) says nothing of the helper
        if (load.status !== 0 && /Operation not permitted/.test(log) && !/processed \d+ insns/.test(log)) {
          if (id === 1) { this.skip(); return; }
          continue;
        }
        compared++;
        const probed = load.status === 0 ? 'given' : kernelVerdict(log);
        const kernel = REFUSED_AFTER_THE_PROTO[id] && probed === 'given' ? 'not given' : probed;
        const ours = ourVerdict(id);
        if (kernel !== ours) differences.push(`#${id} ${helperNameById(id) ?? 'unknown'}: kernel ${kernel}, ours ${ours}`);
      }
    } finally {
      pins.remove();
      fs.rmSync(work, { recursive: true, force: true });
    }
    assert.ok(compared > LAST_HELPER_ID / 2, `only ${compared} helper ids were compared`);
    assert.deepStrictEqual(differences, []);
  });
});
