// Kernel benchmark: a 1M-element hash map walked through the bpf_map_elem iterator on the kernel API alone,
// against a plain JS loop over a Map holding the same data (measured in the same run).
import { BPF_F, BPF_MAP_TYPE, Kernel } from '../../server/src/kernel';

const N = 1000000; // exactly MAX_ITER_OBJECTS: one read walks the whole map

function time<T>(fn: () => T): { ms: number; result: T } {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

export async function run(): Promise<void> {
  const k = new Kernel({ cpus: 2 });
  const fd = k.createMap({ type: BPF_MAP_TYPE.HASH, keySize: 4, valueSize: 8, maxEntries: N, flags: BPF_F.ZERO_SEED, name: 'bench' });
  const key = new Uint8Array(4), value = new Uint8Array(8);
  const kv = new DataView(key.buffer), vv = new DataView(value.buffer);
  const plain = new Map<number, bigint>();
  const fill = time(() => {
    for (let i = 0; i < N; i++) { kv.setUint32(0, i, true); vv.setBigUint64(0, BigInt(i), true); k.mapUpdate(fd, key, value); }
  });
  for (let i = 0; i < N; i++) plain.set(i, BigInt(i));
  let sum = 0n;
  const progFd = k.loadProgram({ name: 'sum', attachTarget: 'bpf_map_elem', sleepable: false, maxRdonlyAccess: 4, maxRdwrAccess: 8,
    gplCompatible: true, fingerprint: 'bench-sum', run: (ctx) => {
      if (!ctx.value) { k.seqPrintfDirect(ctx.seq, Buffer.from('%llu\n\0'), [sum]); return 0; }
      sum += ctx.value.region.view.getBigUint64(ctx.value.offset, true);
      return 0;
    } });
  const iterFd = k.createIter(k.createIterLink(progFd, { mapFd: fd }));
  const walk = time(() => k.readIterAll(iterFd, 4096));
  const base = time(() => { let s = 0n; for (const v of plain.values()) s += v; return s; });
  const expected = BigInt(N) * BigInt(N - 1) / 2n;
  if (sum !== expected || base.result !== expected) throw new Error(`bench sums disagree: ${sum} / ${base.result} / ${expected}`);
  const rate = (ms: number) => Math.round(N / (ms / 1000));
  console.log(`kernel: hash map fill (syscall API): ${rate(fill.ms).toLocaleString('en-US')} updates/s`);
  console.log(`kernel: bpf_map_elem walk of ${N.toLocaleString('en-US')} elements: ${rate(walk.ms).toLocaleString('en-US')} elements/s (${walk.ms.toFixed(0)} ms)`);
  console.log(`kernel: baseline JS Map values() loop: ${rate(base.ms).toLocaleString('en-US')} elements/s (${base.ms.toFixed(1)} ms)`);
  console.log(`kernel: iterator walk is ${(walk.ms / base.ms).toFixed(1)}x the baseline time`);
}

if (require.main === module) run().catch((e) => { console.error(e); process.exit(1); });
