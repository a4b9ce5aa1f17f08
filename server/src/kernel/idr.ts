/** mirrors idr_alloc_cyclic(idr, ptr, 1, INT_MAX) + idr_get_next(): ids grow cyclically, lowest free id at or after the cursor. */
export class CyclicIdr<T> {
  private readonly byId = new Map<number, T>();
  private readonly sorted: number[] = [];
  private cursor = 1;
  constructor(private readonly max = 0x7fffffff) {}

  alloc(value: T): number {
    let id = this.cursor;
    for (let tries = 0; this.byId.has(id); tries++) {
      if (tries > this.byId.size) throw new Error('idr full');
      id = id >= this.max - 1 ? 1 : id + 1;
    }
    this.byId.set(id, value);
    const at = this.lowerBound(id);
    this.sorted.splice(at, 0, id);
    this.cursor = id >= this.max - 1 ? 1 : id + 1;
    return id;
  }
  remove(id: number): void {
    if (!this.byId.delete(id)) return;
    const at = this.lowerBound(id);
    if (this.sorted[at] === id) this.sorted.splice(at, 1);
  }
  /** Ids up to `id` were handed out elsewhere (a scenario's objects): the next alloc() continues after them. */
  skipPast(id: number): void { if (id >= this.cursor && id < this.max - 1) this.cursor = id + 1; }
  get(id: number): T | undefined { return this.byId.get(id); }
  /** idr_get_next(): the entry with the lowest id >= id */
  getNext(id: number): { id: number; value: T } | null {
    const at = this.lowerBound(id);
    if (at >= this.sorted.length) return null;
    const found = this.sorted[at];
    return { id: found, value: this.byId.get(found)! };
  }
  get size(): number { return this.byId.size; }
  ids(): readonly number[] { return this.sorted; }
  private lowerBound(id: number): number {
    let lo = 0, hi = this.sorted.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.sorted[mid] < id) lo = mid + 1; else hi = mid; }
    return lo;
  }
}
