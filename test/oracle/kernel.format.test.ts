import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Kernel } from '../../server/src/kernel';
import { PinDir, realKernelUnavailable, run, tempDir } from './kernelOracle';

/** Each case: a format and its u64 args; 'IP' / 'STR' stand for pointers to the program's globals. */
const CASES: [string, (bigint | 'IP' | 'STR')[]][] = [
  ['[%d|%5d|%-5d|%05d|%+d|% d]', [-7n, 42n, 42n, -42n, 7n, 7n]],
  ['[%x|%X|%08x|%u|%i]', [0xbeefn, 0xbeefn, 0xbeefn, 0xfffffffffffffffen, 0x100000005n]],
  ['[%ld|%lld|%llu|%llx|%lx|%lu]', [0xffffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0x1234567890abcdefn, 0xabcn, 77n]],
  ['[%c|%-4c|%3c|%%]', [65n, 66n, 67n]],
  ['[%s|%10s|%-10s|]', ['STR', 'STR', 'STR']],
  ['[%pI4|%pi4|%pI6|%pi6]', ['IP', 'IP', 'IP', 'IP']],
  ['[%+05d|%-05d|% 5d|%0+5d]', [3n, 3n, 3n, 3n]],
  ['[%p|%px|%5s|%c]', [0n, 0n, 0n, 0x141n]],
  // bpf_bprintf_prepare() formats an address itself with two letters; bstr_printf() skips letters and digits after %p
  ['[%pI6c|%pi6c|%pI4h|%pI4l|%pI4abc|%pI4 z]', ['IP', 'IP', 'IP', 'IP', 'IP', 'IP']],
  ['[%pxabc|%20px|%-20px|%020px|%px]', [0x10n, 1n, 0xabcn, 0xabcn, 0xfffffffffffffff0n]],
  // NULL and error pointers print as they are (ptr_to_id()), with pointer_string()'s width rules
  ['[%p|%20p|%-5p|%p]', [0n, 0n, 0n, 0xffffffffffffffean]],
  // %pks is copied whole: no width
  ['[%10pks|%-8pks|%pks]', ['STR', 'STR', 'STR']],
];

function cLiteral(s: string): string { return JSON.stringify(s).replace(/%/g, '%'); }

describe('oracle: bpf_seq_printf output equals the real kernel\'s vsnprintf', function () {
  this.timeout(60000);
  let pins: PinDir;
  let work: string;
  let real = '';
  before(function () {
    const why = realKernelUnavailable(['bpftool', 'clang']);
    if (why) { console.log(`    skipped: real-kernel format tests need root, bpftool and clang (${why})`); this.skip(); }
    if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) { console.log('    skipped: libbpf-dev headers missing'); this.skip(); }
    pins = new PinDir();
    work = tempDir();
    fs.writeFileSync(path.join(work, 'vmlinux.h'), run('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c']));
    const body = CASES.map(([f, args]) => {
      const a = args.map((x) => (x === 'IP' ? 'ip' : x === 'STR' ? 'str' : `(__u64)${x}ULL`));
      return `  BPF_SEQ_PRINTF(seq, ${cLiteral(f + '\n')}${a.map((x) => ', ' + x).join('')});`;
    }).join('\n');
    const src = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char _license[] SEC("license") = "GPL";
const char ip[16] = { 10, 1, 2, 3, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xfe, 0x01 };
const char str[8] = "kernel";
SEC("iter/bpf_map")
int fmt_cases(struct bpf_iter__bpf_map *ctx)
{
  struct seq_file *seq = ctx->meta->seq;
  if (ctx->map) return 0;
${body}
  return 0;
}
`;
    fs.writeFileSync(path.join(work, 'fmt.bpf.c'), src);
    run('clang', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', work, '-c', path.join(work, 'fmt.bpf.c'), '-o', path.join(work, 'fmt.bpf.o')]);
    try {
      run('bpftool', ['iter', 'pin', path.join(work, 'fmt.bpf.o'), path.join(pins.dir, 'fmt')]);
    } catch (e) {
      console.log(`    skipped: bpf() refused loading the iterator (${String((e as Error).message).split('\n')[0]})`);
      this.skip();
    }
    real = fs.readFileSync(path.join(pins.dir, 'fmt'), 'utf8');
  });
  after(() => { pins?.remove(); if (work) fs.rmSync(work, { recursive: true, force: true }); });

  it('every case prints the same text', () => {
    const k = new Kernel();
    const ip = k.memory.alloc(16, 'ip', true);
    ip.bytes.set([10, 1, 2, 3, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xfe, 0x01]);
    const str = k.memory.alloc(8, 'str', true);
    str.bytes.set(Buffer.from('kernel\0'));
    const progFd = k.loadProgram({ name: 'fmt_cases', attachTarget: 'bpf_map', sleepable: false, maxRdonlyAccess: 0, maxRdwrAccess: 0,
      gplCompatible: true, fingerprint: 'fmt', run: (ctx) => {
        if (ctx.map) return 0;
        for (const [f, args] of CASES) {
          const r = k.seqPrintfDirect(ctx.seq, Buffer.from(f + '\n\0'), args.map((x) => (x === 'IP' ? ip.addr : x === 'STR' ? str.addr : x)));
          assert.strictEqual(r, 0, f);
        }
        return 0;
      } });
    const sim = Buffer.from(k.readIterAll(k.createIter(k.createIterLink(progFd)))).toString();
    assert.deepStrictEqual(sim.split('\n'), real.split('\n'));
  });
});
