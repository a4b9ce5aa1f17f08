/**
 * A cache bounded by its number of entries and by the total size of its values (tokens, for the front end's
 * header and preamble caches); the oldest entry goes first. A value larger than half the size bound is not
 * kept at all: it is used once, so that editing a huge or self-including file cannot pile up copies of it.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(readonly maxEntries: number, readonly maxSize: number) {}

  get(key: string): V | undefined { return this.map.get(key)?.value; }

  set(key: string, value: V, size: number): void {
    this.delete(key);
    if (size > this.maxSize / 2) return;
    while (this.map.size > 0 && (this.map.size >= this.maxEntries || this.total + size > this.maxSize)) {
      this.delete(this.map.keys().next().value as string);
    }
    this.map.set(key, { value, size });
    this.total += size;
  }

  delete(key: string): void {
    const entry = this.map.get(key);
    if (!entry) return;
    this.map.delete(key);
    this.total -= entry.size;
  }

  /** Drops every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of [...this.map]) if (matches(entry.value)) this.delete(key);
  }

  clear(): void { this.map.clear(); this.total = 0; }
}
