/**
 * A flat simulated kernel address space. Pointers handed to programs are u64 values; each allocation is a
 * Region so a pointer can be resolved back to bytes in O(log n).
 */
export interface Region {
  readonly addr: bigint;
  /** addr split into u32 halves, so hot paths can form pointers without BigInt arithmetic */
  readonly addrLo: number;
  readonly addrHi: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly readonly: boolean;
  readonly label: string;
}

/** A resolved address; iterator ctx pieces are reused between calls, so copy one to keep it past run(). */
export interface Resolved { region: Region; offset: number }

/** Kernel direct-map style base so printed pointers look like kernel addresses. */
const KERNEL_BASE = 0xffff888000000000n;
/** Gap between regions so off-by-one accesses fault instead of landing in a neighbour. */
const GUARD = 4096n;
/** How many regions findParts() remembers. */
const RECENT_REGIONS = 8;

export class KernelMemory {
  private readonly regions: Region[] = []; // sorted by addr (allocation is monotonic)
  /** the regions not freed: owns() answers without a search */
  private readonly live = new WeakSet<object>();
  private nextAddr = KERNEL_BASE + 0x100000n;

  alloc(size: number, label: string, readonly = false): Region {
    const bytes = new Uint8Array(Math.max(size, 0));
    const region: Region = { addr: this.nextAddr, addrLo: Number(this.nextAddr & 0xffffffffn), addrHi: Number(this.nextAddr >> 32n), bytes, view: new DataView(bytes.buffer), readonly, label };
    const aligned = ((BigInt(size) + 4095n) / 4096n) * 4096n;
    this.nextAddr += aligned + GUARD;
    this.regions.push(region);
    this.live.add(region);
    return region;
  }

  free(region: Region): void {
    this.recent.fill(null); // a freed region must fault, never be found in the cache
    this.live.delete(region);
    this.generation++;
    const i = this.indexOf(region.addr);
    if (i >= 0 && this.regions[i] === region) this.regions.splice(i, 1);
  }

  get regionCount(): number { return this.regions.length; }
  /** Changes when a region is freed (regions never overlap and addresses are never reused): see ExecMemory.generation. */
  generation = 0;

  /**
   * Whether `region` is one of this memory's regions and not freed: then find() of any address inside it gives this
   * region (regions never overlap), so a caller holding (region, offset) may skip the search.
   */
  owns(region: object | null): region is Region {
    if (region === null) return false;
    // the last two regions asked about (a format and an argument array, per BPF_SEQ_PRINTF), while nothing is freed
    if (this.generation === this.ownedGeneration && (region === this.owned0 || region === this.owned1)) return true;
    if (!this.live.has(region)) return false;
    if (this.generation !== this.ownedGeneration) { this.ownedGeneration = this.generation; this.owned1 = null; }
    else this.owned1 = this.owned0;
    this.owned0 = region;
    return true;
  }
  private owned0: object | null = null;
  private owned1: object | null = null;
  private ownedGeneration = 0;

  /**
   * The regions of the last few finds and their ends, tried before the binary search: an iterator's program and
   * its helpers go back and forth between the same few (ctx, meta, seq_file, stack, the element arena).
   */
  private readonly recent: Array<Region | null> = new Array<Region | null>(RECENT_REGIONS).fill(null);
  private readonly recentEnd: bigint[] = new Array<bigint>(RECENT_REGIONS).fill(0n);
  private recentNext = 0;

  /** The region containing addr, or null (a fault). */
  find(addr: bigint): Resolved | null {
    const recent = this.recent;
    for (let k = 0; k < RECENT_REGIONS; k++) {
      const r = recent[k];
      if (r !== null && addr >= r.addr && addr < this.recentEnd[k]) return { region: r, offset: Number(addr - r.addr) };
    }
    const i = this.indexOf(addr);
    if (i < 0) return null;
    const r = this.regions[i];
    const offset = Number(addr - r.addr);
    if (offset >= r.bytes.length) return null;
    recent[this.recentNext] = r;
    this.recentEnd[this.recentNext] = r.addr + BigInt(r.bytes.length);
    this.recentNext = (this.recentNext + 1) % RECENT_REGIONS;
    return { region: r, offset };
  }

  /**
   * find() for an address given as its u32 halves (a pointer a program loads), without a BigInt: the regions of the
   * last few finds are compared as numbers (an iterator's program loads its ctx, meta, seq_file and element
   * pointers over and over). Returns the region and leaves the offset in `foundOffset`; null where find() is null.
   */
  findParts(lo: number, hi: number): Region | null {
    const recent = this.recent;
    for (let i = 0; i < RECENT_REGIONS; i++) {
      const r = recent[i];
      if (r === null) continue;
      const d = (hi - r.addrHi) * 4294967296 + (lo - r.addrLo);
      if (d >= 0 && d < r.bytes.length) { this.foundOffset = d; return r; }
    }
    const found = this.find((BigInt(hi) << 32n) | BigInt(lo)); // remembers the region it finds
    if (found === null) return null;
    this.foundOffset = found.offset;
    return found.region;
  }
  /** The offset findParts() found. */
  foundOffset = 0;

  /** Reads len bytes at addr, or null when any byte would fault (like copy_from_kernel_nofault). */
  read(addr: bigint, len: number): Uint8Array | null {
    const at = this.find(addr);
    if (!at || at.offset + len > at.region.bytes.length) return len === 0 && at ? new Uint8Array(0) : null;
    return at.region.bytes.subarray(at.offset, at.offset + len);
  }

  /** Writes bytes at addr; false on fault or read-only memory. */
  write(addr: bigint, data: Uint8Array): boolean {
    const at = this.find(addr);
    if (!at || at.region.readonly || at.offset + data.length > at.region.bytes.length) return false;
    at.region.bytes.set(data, at.offset);
    return true;
  }

  /** NUL-terminated string at addr, at most max bytes; null on a fault before any NUL. */
  readString(addr: bigint, max = 4096): Uint8Array | null {
    const at = this.find(addr);
    if (!at) return null;
    const end = Math.min(at.region.bytes.length, at.offset + max);
    for (let i = at.offset; i < end; i++) if (at.region.bytes[i] === 0) return at.region.bytes.subarray(at.offset, i);
    return end - at.offset === max ? at.region.bytes.subarray(at.offset, end) : null;
  }

  private indexOf(addr: bigint): number {
    let lo = 0, hi = this.regions.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.regions[mid].addr <= addr) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }
}
