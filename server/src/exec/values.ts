/**
 * Runtime values and the memory interface of the executor, shared by the interpreter and the generated JS.
 *
 * Integers are bigints normalised to their IR width. A pointer is a region plus a byte offset; NULL is the
 * null region. An address that resolves to no region becomes a pointer into a zero-length "unmapped" region
 * at that address: it prints and compares like any address, and every access through it faults on the bounds
 * check, so the fast path needs no extra test for it.
 */
import type { IrType, Loc } from '../lang/ir';
import { wrapTo } from '../lang/ir';

export interface ExecRegion { addr: bigint; bytes: Uint8Array; view: DataView; readonly: boolean; label: string }
export interface ExecMemory {
  find(addr: bigint): { region: ExecRegion; offset: number } | null;
  /** find() of the address hi * 2^32 + lo without a BigInt (optional): the region, its offset left in foundOffset */
  findParts?(lo: number, hi: number): ExecRegion | null;
  readonly foundOffset?: number;
  /**
   * Present (a number) only when the regions find() returns never overlap each other or the executor's own regions
   * (the stack), so every address inside a region find() returned resolves to that region; it changes whenever a
   * region is freed. The JIT remembers the regions of pointer loads while it stays the same.
   */
  readonly generation?: number;
}

export interface Pointer { region: ExecRegion | null; offset: number }
export type RuntimeValue = bigint | Pointer;

export const NULL_POINTER: Pointer = Object.freeze({ region: null, offset: 0 });

export type ExecErrorKind = 'fault' | 'budget' | 'helper' | 'cancelled';
export interface ExecErrorInfo { kind: ExecErrorKind; message: string; loc: Loc }
export type RunOutcome = { ok: true; value: bigint } | { ok: false; error: ExecErrorInfo };

/** Thrown inside a run and turned into a RunOutcome at the run boundary; never escapes the executor. */
export class ExecError extends Error {
  constructor(readonly kind: ExecErrorKind, message: string, readonly loc: Loc) { super(message); }
  toInfo(): ExecErrorInfo { return { kind: this.kind, message: this.message, loc: this.loc }; }
}

export function isPointer(v: RuntimeValue): v is Pointer { return typeof v !== 'bigint'; }

/** An integer value as a run keeps it: the IR's wrap to the type's width (one definition for lowering, checker and run). */
export const normalise = wrapTo;

/** The zero value a fresh scalar local holds (the verifier rejects reading it before a write). */
export function zeroOf(type: IrType | undefined): RuntimeValue {
  return type !== undefined && type.kind === 'ptr' ? NULL_POINTER : 0n;
}

const UNMAPPED_LABEL = 'unmapped';

const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BYTES.buffer);

function unmappedRegion(addr: bigint): ExecRegion {
  return { addr, bytes: NO_BYTES, view: NO_VIEW, readonly: true, label: UNMAPPED_LABEL };
}

/** The u64 address of a pointer (0 for NULL). */
export function addressOf(region: ExecRegion | null, offset: number): bigint {
  return region === null ? 0n : BigInt.asUintN(64, region.addr + BigInt(offset));
}

/** Offsets beyond this are kept exact by moving to an unmapped region at the exact address. */
const MAX_EXACT_OFFSET = 2 ** 48;

/** ptr + delta bytes, for pointers that left the fast range or started at NULL. */
export function offsetPointer(region: ExecRegion | null, offset: number, delta: bigint): Pointer {
  if (delta === 0n) return { region, offset };
  if (region !== null) {
    const next = offset + Number(delta);
    if (next <= MAX_EXACT_OFFSET && next >= -MAX_EXACT_OFFSET) return { region, offset: next };
  }
  const addr = BigInt.asUintN(64, addressOf(region, offset) + delta);
  return addr === 0n ? NULL_POINTER : { region: unmappedRegion(addr), offset: 0 };
}

/**
 * The executor's view of the address space for one run: the env's memory plus the regions the executor
 * owns (the stack), so that a stored stack address loads back as a stack pointer.
 */
export class AddressResolver {
  /** where each own region ends, computed once (a BigInt add per check and per load adds up) */
  private readonly ownEnds: bigint[];
  constructor(private readonly memory: ExecMemory, private readonly own: ReadonlyArray<ExecRegion>) {
    this.ownEnds = own.map((r) => r.addr + BigInt(r.bytes.length));
    this.ownLo = own.map((r) => Number(r.addr & 0xffffffffn));
    this.ownHi = own.map((r) => Number(r.addr >> 32n));
  }
  private readonly ownLo: number[];
  private readonly ownHi: number[];
  /** resolve() of the u64 hi * 2^32 + lo (a pointer loaded from memory as two u32 halves): the same answer, no BigInt on the way */
  resolveParts(lo: number, hi: number): Pointer {
    if (lo === 0 && hi === 0) return NULL_POINTER;
    for (let i = 0; i < this.own.length; i++) {
      const d = (hi - this.ownHi[i]) * 4294967296 + (lo - this.ownLo[i]);
      if (d >= 0 && d < this.own[i].bytes.length) return { region: this.own[i], offset: d };
    }
    if (this.memory.findParts !== undefined) {
      const region = this.memory.findParts(lo, hi);
      if (region !== null) return { region, offset: this.memory.foundOffset! };
    }
    return this.resolve((BigInt(hi) << 32n) | BigInt(lo));
  }
  resolve(addr: bigint): Pointer {
    addr = BigInt.asUintN(64, addr);
    if (addr === 0n) return NULL_POINTER;
    for (let i = 0; i < this.own.length; i++) {
      const r = this.own[i];
      if (addr >= r.addr && addr < this.ownEnds[i]) return { region: r, offset: Number(addr - r.addr) };
    }
    const found = this.memory.find(addr);
    if (found !== null) return { region: found.region, offset: found.offset };
    return { region: unmappedRegion(addr), offset: 0 };
  }
}

export function hex(v: bigint): string { return '0x' + BigInt.asUintN(64, v).toString(16); }

/** The one wording of a memory fault, so the interpreter and the generated code report identically. */
export function accessFault(loc: Loc, region: ExecRegion | null, offset: number, size: number, write: boolean): ExecError {
  const what = write ? 'write' : 'read';
  if (region === null) return new ExecError('fault', `NULL pointer dereference (${what} of ${size} bytes at offset ${offset})`, loc);
  const at = hex(region.addr + BigInt(offset));
  if (region.label === UNMAPPED_LABEL) return new ExecError('fault', `invalid memory access: ${what} of ${size} bytes at unmapped address ${at}`, loc);
  if (write && region.readonly && offset >= 0 && offset + size <= region.bytes.length) {
    return new ExecError('fault', `write of ${size} bytes into read-only memory (${region.label}) at ${at}`, loc);
  }
  return new ExecError('fault', `out-of-bounds ${what} of ${size} bytes at offset ${offset} of ${region.label} (${region.bytes.length} bytes)`, loc);
}
