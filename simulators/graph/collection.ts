/**
 * Directory objects in creation order with a cached list of live (not soft-deleted) objects, so paging
 * is a binary search by ordinal instead of a scan, and pages stay stable when objects come and go.
 */
export class Collection<T extends { id: string; deletedDateTime: string | null }> {
  private readonly byId = new Map<string, { item: T; ordinal: number }>();
  private nextOrdinal = 1;
  private liveCache: { items: T[]; ordinals: number[] } | null = null;

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    return this.byId.get(id)?.item;
  }

  getLive(id: string): T | undefined {
    const item = this.get(id);
    return item && item.deletedDateTime === null ? item : undefined;
  }

  ordinalOf(id: string): number | undefined {
    return this.byId.get(id)?.ordinal;
  }

  add(item: T): void {
    this.byId.set(item.id, { item, ordinal: this.nextOrdinal++ });
    this.liveCache = null;
  }

  delete(id: string): boolean {
    this.liveCache = null;
    return this.byId.delete(id);
  }

  /** Call after toggling `deletedDateTime`. */
  invalidate(): void {
    this.liveCache = null;
  }

  all(): IterableIterator<T> {
    return Array.from(this.byId.values(), (e) => e.item)[Symbol.iterator]();
  }

  live(): readonly T[] {
    return this.liveIndex().items;
  }

  /** Index in `live()` of the first object created after `ordinal`. */
  liveIndexAfter(ordinal: number): number {
    const { ordinals } = this.liveIndex();
    let lo = 0;
    let hi = ordinals.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ordinals[mid] ?? 0) <= ordinal) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  clear(): void {
    this.byId.clear();
    this.liveCache = null;
  }

  private liveIndex(): { items: T[]; ordinals: number[] } {
    if (!this.liveCache) {
      const items: T[] = [];
      const ordinals: number[] = [];
      for (const { item, ordinal } of this.byId.values()) {
        if (item.deletedDateTime !== null) continue;
        items.push(item);
        ordinals.push(ordinal);
      }
      this.liveCache = { items, ordinals };
    }
    return this.liveCache;
  }
}
