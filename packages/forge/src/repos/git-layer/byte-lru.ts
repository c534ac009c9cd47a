// A least-recently-used map capped by bytes, not entries: each value is stored with its size,
// and the oldest values go once the total passes the cap. A value larger than a quarter of
// the cap is not kept at all (one huge file never empties the cache). In memory, one process.
export class ByteLru<V> {
  private readonly map = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit); // most recently used last
    return hit.value;
  }

  has(key: string) {
    return this.map.has(key);
  }

  set(key: string, value: V, size: number) {
    this.delete(key);
    if (size > this.maxBytes / 4) return;
    this.map.set(key, { value, size });
    this.total += size;
    for (const [k, v] of this.map) {
      if (this.total <= this.maxBytes) break;
      this.map.delete(k);
      this.total -= v.size;
    }
  }

  delete(key: string) {
    const old = this.map.get(key);
    if (!old) return;
    this.map.delete(key);
    this.total -= old.size;
  }

  /** Drops every key starting with `prefix` (a repository removed). */
  deletePrefix(prefix: string) {
    for (const k of [...this.map.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }

  get bytes() {
    return this.total;
  }

  get size() {
    return this.map.size;
  }

  clear() {
    this.map.clear();
    this.total = 0;
  }
}

/** Rough bytes of a string or buffer held in memory (UTF-16 strings: two bytes a unit). */
export const sizeOf = (v: string | Buffer) => (typeof v === "string" ? v.length * 2 : v.length) + 64;
