/**
 * The unknown-key memory shared by every isolate without the Cache API (which
 * keeps nothing on a workers.dev address): the SharedHealth Durable Object's
 * `unknown-keys` object holds the hashes found unknown. An isolate hands over
 * what it found in the background, at once (a key found unknown already cost
 * a store read; what is found while a report is on its way goes as one batch
 * with the next), and reads the whole list back at most once a minute. A key
 * the isolate's copy knows is never a call: only a key it does not know, once
 * the copy is a minute old, waits for one read.
 */
export interface UnknownKeyExchange {
  /** Adds `found`; returns the whole list when `read`, else nothing. */
  exchangeUnknownKeys(found: Array<[string, number]>, read: boolean): Promise<Array<[string, number]>>;
}

export const UNKNOWN_KEYS_SYNC_MS = 60_000;
export const UNKNOWN_KEYS_BOARD = 'unknown-keys';

export class SharedUnknownKeys {
  private known = new Map<string, number>();
  private pending: Array<[string, number]> = [];
  private syncedAt: number | null = null;
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly board: () => UnknownKeyExchange,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Whether any isolate found this key unknown within its minute; reads the shared list when this copy is due. */
  async has(keyHash: string): Promise<boolean> {
    if (this.holds(keyHash)) return true;
    if (this.syncing) await this.syncing;
    if (this.due()) await this.sync();
    return this.holds(keyHash);
  }

  /** Notes a key found unknown until `until` (epoch ms); the batch leaves with the next exchange. */
  report(keyHash: string, until: number, background: (work: Promise<unknown>) => void): void {
    // Known already (read from the list): the others know it too.
    if (this.holds(keyHash)) return;
    this.known.set(keyHash, until);
    this.pending.push([keyHash, until]);
    if (!this.syncing) background(this.sync());
  }

  private holds(keyHash: string): boolean {
    return (this.known.get(keyHash) ?? 0) > this.now();
  }

  private due(): boolean {
    return this.syncedAt === null || this.now() - this.syncedAt >= UNKNOWN_KEYS_SYNC_MS;
  }

  /** Never rejects: a board that does not answer costs store reads, never a request. */
  private sync(): Promise<void> {
    this.syncing ??= (async () => {
      const batch = this.pending.splice(0);
      const read = this.due();
      try {
        const listed = await this.board().exchangeUnknownKeys(batch, read);
        if (read) {
          const now = this.now();
          const known = new Map(listed.filter(([, until]) => until > now));
          for (const [hash, until] of [...batch, ...this.pending]) known.set(hash, until);
          this.known = known;
        }
      } catch {
        // The batch goes with the next exchange.
        this.pending.unshift(...batch);
      } finally {
        if (read) this.syncedAt = this.now();
        this.syncing = null;
      }
      // What was found meanwhile leaves as the next batch.
      if (this.pending.length > 0 && batch.length > 0) await this.sync();
    })();
    return this.syncing;
  }
}

let isolateShared: SharedUnknownKeys | undefined;

/** The isolate's one copy, reading the board of `namespace` (the first given is kept). */
export function isolateSharedUnknownKeys(namespace: DurableObjectNamespace<import('../shared-health/shared-health').SharedHealth>): SharedUnknownKeys {
  const board: UnknownKeyExchange = {
    // RPC's types widen tuples to arrays: the object returns what it was given.
    exchangeUnknownKeys: async (found, read) => (await namespace.getByName(UNKNOWN_KEYS_BOARD).exchangeUnknownKeys(found, read)) as Array<[string, number]>,
  };
  return (isolateShared ??= new SharedUnknownKeys(() => board));
}
