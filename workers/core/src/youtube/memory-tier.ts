/**
 * A bounded in-memory tier of one isolate: entries expire at their own time,
 * and past `maxEntries` the least recently used goes first. Written by hand
 * because a Map's insertion order already is the recency list: a dependency
 * would add more to the Worker bundle than these lines.
 */
export class MemoryTier<Value> {
  private readonly entries = new Map<string, { value: Value; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get(key: string): Value | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` until `until` (epoch ms); nothing when that has passed. */
  set(key: string, value: Value, until: number): void {
    this.entries.delete(key);
    if (until <= this.now()) return;
    this.entries.set(key, { value, until });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
