// Small iterator programs written as JS `run` functions over the kernel's memory API, as the executor would.
import { btfField, IterProgramSpec, IterRunContext, Kernel } from '../../../server/src/kernel';

export const enc = (s: string): Uint8Array => Buffer.from(s + '\0', 'latin1');
export const u32 = (n: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n >>> 0, true); return b; };
export const u64 = (n: number | bigint): Uint8Array => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };
export const ints = (...xs: number[]): Uint8Array => Buffer.concat(xs.map(u32));

export function spec(attachTarget: string, run: (ctx: IterRunContext) => number, extra: Partial<IterProgramSpec> = {}): IterProgramSpec {
  return { name: 'test_prog', attachTarget, sleepable: false, maxRdonlyAccess: 0, maxRdwrAccess: 0, gplCompatible: true,
    fingerprint: `fp-${attachTarget}-${extra.name ?? 'test_prog'}`, run, ...extra };
}

/** Reads a struct bpf_map field through memory, as a CO-RE load would. */
export function mapField(k: Kernel, mapAddr: bigint, field: string): bigint {
  const f = btfField('bpf_map', field);
  const at = k.memory.find(mapAddr + BigInt(f.offset))!;
  const v = at.region.view;
  if (f.size === 8) return f.typeName.endsWith('*') ? v.getBigUint64(at.offset, true) : v.getBigInt64(at.offset, true);
  return BigInt(v.getUint32(at.offset, true));
}

/** Reads until read() returns 0, collecting chunks; returns the text and the number of reads. */
export function readAll(k: Kernel, fd: number, size: number): { bytes: Buffer; reads: number } {
  const chunks: Uint8Array[] = [];
  let reads = 0;
  for (;;) {
    reads++;
    const c = k.readIter(fd, size);
    if (c.length === 0) break;
    chunks.push(c);
  }
  return { bytes: Buffer.concat(chunks), reads };
}

export function attachAndOpen(k: Kernel, s: IterProgramSpec, mapFd?: number): { progFd: number; linkFd: number; iterFd: number } {
  const progFd = k.loadProgram(s);
  const linkFd = k.createIterLink(progFd, mapFd === undefined ? {} : { mapFd });
  const iterFd = k.createIter(linkFd);
  return { progFd, linkFd, iterFd };
}

export function expectKernelError(fn: () => unknown, code: string): void {
  try { fn(); } catch (e) {
    if ((e as { code?: string }).code !== code) throw new Error(`expected ${code}, got ${(e as Error).message}`);
    return;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
