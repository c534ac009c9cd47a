// What the database said, kept in process in front of it: at most `maxEntries` values (least
// recently used dropped), each for at most `ttlMs`, each tagged with the database it came from
// (tests run several forges in one process). Owners drop entries whenever what they say may
// have changed (their write paths, the bus); a read that began before such a drop hands back
// the generation it saw and is not kept, so a slow read cannot bring back what was dropped.
interface Entry<V> {
  value: V;
  storedAt: number;
  source: object;
}

export class RowCache<V> {
  private readonly map = new Map<string, Entry<V>>();
  private gen = 0;

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  /** The generation to hand back to `set`: any drop in between makes `set` a no-op. */
  get generation() {
    return this.gen;
  }

  get(key: string, source: object, now = Date.now()): V | undefined {
    const hit = this.map.get(key);
    if (!hit || hit.source !== source) return undefined;
    this.map.delete(key);
    if (now - hit.storedAt > this.ttlMs) return undefined;
    this.map.set(key, hit); // most recently used last
    return hit.value;
  }

  set(key: string, value: V, source: object, generation: number, now = Date.now()) {
    if (generation !== this.gen || this.maxEntries <= 0) return;
    this.map.delete(key);
    this.map.set(key, { value, storedAt: now, source });
    for (const oldest of this.map.keys()) {
      if (this.map.size <= this.maxEntries) break;
      this.map.delete(oldest);
    }
  }

  /** Drops the entries whose value matches. */
  forget(matches: (value: V) => boolean) {
    this.gen++;
    for (const [key, e] of this.map) if (matches(e.value)) this.map.delete(key);
  }

  clear() {
    this.gen++;
    this.map.clear();
  }

  get size() {
    return this.map.size;
  }
}
