import { z } from 'zod';
import type { YouTubeClientName } from '../settings';
import type { ClientHealth, ClientOutcome } from './client-health';
import {
  addOutcome,
  ClientLedgerSchema,
  emptyLedger,
  horizonMs,
  pruneLedger,
  standingOf,
  viewOf,
  type ClientLedger,
  type ClientStanding,
  type ClientView,
  type HealthRules,
} from './client-health-ledger';
import { edgeCache } from '../cache/edge-cache';

/**
 * Client health shared by a colo's isolates (issue 10 §5). Each isolate keeps
 * its own attempts in memory and, at most once a minute, merges the colo's
 * snapshot from the Cache API (per colo, like the isolates that share it) and
 * publishes its own part there, through waitUntil. So a request never waits
 * for the shared state except an isolate's very first plan, and a
 * metadata-cache hit, which plans nothing, never touches it.
 *
 * The snapshot holds one ledger per isolate, never a sum: an isolate only
 * ever writes its own part, so concurrent writers cannot double-count, and a
 * part lost to a racing write comes back with that isolate's next publish.
 */
const SNAPSHOT_URL = 'https://client-health.internal/v1/snapshot';
export const SYNC_INTERVAL_MS = 60_000;
/** While a client that was cooling off gets its one trial request, the isolate's other requests skip it. */
const PROBE_WINDOW_MS = 30_000;

const SnapshotSchema = z.object({
  isolates: z.record(
    z.string(),
    z.object({ at: z.number(), version: z.number(), clients: z.record(z.string(), ClientLedgerSchema) }),
  ),
});
type Snapshot = z.infer<typeof SnapshotSchema>;
export type IsolatePart = Snapshot['isolates'][string];

/**
 * Where the isolates' parts meet without the Cache API: the API Worker's SharedHealth Durable
 * Object (workers/api/src/shared-health). One exchange hands over this isolate's part (null when
 * it has nothing new) and returns the other isolates' parts.
 */
export interface HealthBoard {
  readonly tier: 'durable_object';
  exchange(isolateId: string, part: IsolatePart | null, horizonMs: number): Promise<Record<string, IsolatePart>>;
}

export type HealthTier = 'durable_object' | 'cache_api';

export interface ColoHealthOptions {
  cache: () => Cache;
  now?: () => number;
  isolateId?: string;
  board?: HealthBoard;
}

export class ColoClientHealth {
  private readonly isolateId: string;
  private readonly now: () => number;
  private readonly own = new Map<string, ClientLedger>();
  private version = 0;
  private others: Record<string, IsolatePart> = {};
  private syncedAt: number | null = null;
  private syncing: Promise<void> | null = null;
  private readonly probing = new Map<string, number>();
  private board: HealthBoard | undefined;
  /** The version of this isolate's part the board last received. */
  private sentVersion = 0;

  constructor(private readonly options: ColoHealthOptions) {
    this.isolateId = options.isolateId ?? crypto.randomUUID();
    this.now = options.now ?? Date.now;
    this.board = options.board;
  }

  /**
   * Shares through the board from now on (the Worker's Durable Object binding, given with the
   * first request that has it); without one, the colo's Cache API snapshot is the shared place.
   */
  useBoard(board: HealthBoard | undefined): this {
    if (board && !this.board) this.board = board;
    return this;
  }

  /** Where this isolate's health meets the others'. */
  get tier(): HealthTier {
    return this.board ? 'durable_object' : 'cache_api';
  }

  /** A facade for one request (or cron run): its rules, and its waitUntil for the background writes. */
  forRequest(rules: HealthRules, waitUntil?: (work: Promise<unknown>) => void): ClientHealth {
    return {
      plan: (clients) => this.plan(clients, rules, waitUntil),
      record: (outcome) => this.record(outcome, rules, waitUntil),
    };
  }

  async plan(clients: readonly YouTubeClientName[], rules: HealthRules, waitUntil?: (work: Promise<unknown>) => void): Promise<YouTubeClientName[]> {
    await this.freshen(rules, waitUntil, false);
    const now = this.now();
    const usable: YouTubeClientName[] = [];
    for (const client of clients) {
      const standing = this.standing(client, rules, now);
      if (standing.coolingOff) continue;
      if (standing.probeDue) {
        if ((this.probing.get(client) ?? 0) > now) continue;
        this.probing.set(client, now + PROBE_WINDOW_MS);
      }
      usable.push(client);
    }
    // Every client set aside: better to ask them all, in order, than to answer nothing.
    return usable.length > 0 ? usable : [...clients];
  }

  record(outcome: ClientOutcome, rules: HealthRules, waitUntil?: (work: Promise<unknown>) => void): void {
    try {
      const now = this.now();
      const wasCoolingOff = this.standing(outcome.client, rules, now).coolingOff;
      let ledger = this.own.get(outcome.client);
      if (!ledger) this.own.set(outcome.client, (ledger = emptyLedger()));
      addOutcome(ledger, outcome, now, rules);
      this.version += 1;
      this.probing.delete(outcome.client);
      const startedCoolOff = !wasCoolingOff && this.standing(outcome.client, rules, now).coolingOff;
      // A client just set aside is news the colo's other isolates should have now, not in a minute
      // (after a sync already under way, which may have left before this record).
      if (startedCoolOff && this.syncing) this.background(this.syncing.then(() => this.freshen(rules, waitUntil, true)), waitUntil);
      else if (startedCoolOff || this.stale(now)) this.background(this.freshen(rules, waitUntil, true), waitUntil);
    } catch {
      // Health is advice: a failure to record must never fail the request that made the attempt.
    }
  }

  /** The colo's view of these clients, read fresh from the snapshot (for /health?deep and the canary). */
  async report(clients: readonly string[], rules: HealthRules): Promise<ClientView[]> {
    await this.freshen(rules, undefined, true);
    const now = this.now();
    return clients.map((client) => this.view(client, rules, now));
  }

  /** Publishes this isolate's part now (the cron canary's isolate may not see another request). */
  async flush(rules: HealthRules): Promise<void> {
    // A sync already under way may have written before the latest records: then one more.
    if (this.syncing) await this.syncing;
    await this.freshen(rules, undefined, true);
  }

  view(client: string, rules: HealthRules, now = this.now()): ClientView {
    return viewOf(client, this.ledgersOf(client), rules, now);
  }

  /** What plan and record read: the view's state and probe without building the whole view. */
  private standing(client: string, rules: HealthRules, now: number): ClientStanding {
    return standingOf(this.ledgersOf(client), rules, now);
  }

  private ledgersOf(client: string): ClientLedger[] {
    const ledgers: ClientLedger[] = [];
    const own = this.own.get(client);
    if (own) ledgers.push(own);
    for (const part of Object.values(this.others)) {
      const ledger = part.clients[client];
      if (ledger) ledgers.push(ledger);
    }
    return ledgers;
  }

  private stale(now: number): boolean {
    return this.syncedAt === null || now - this.syncedAt >= SYNC_INTERVAL_MS;
  }

  /**
   * Reads the snapshot when it is due (or `force`), then writes this isolate's part
   * when the snapshot lacks its latest. A cold isolate waits for the read once;
   * a warm one reads in the background.
   */
  private freshen(rules: HealthRules, waitUntil: ((work: Promise<unknown>) => void) | undefined, force: boolean): Promise<void> {
    const now = this.now();
    if (this.syncing) return this.syncedAt === null || force ? this.syncing : Promise.resolve();
    if (!force && !this.stale(now)) return Promise.resolve();
    const cold = this.syncedAt === null;
    // Never rejects: a resolve must not fail because the shared state could not be read.
    this.syncing = this.sync(rules, waitUntil)
      .catch(() => {
        this.syncedAt = this.now();
      })
      .finally(() => {
        this.syncing = null;
      });
    if (cold || force) return this.syncing;
    this.background(this.syncing, waitUntil);
    return Promise.resolve();
  }

  private async exchange(board: HealthBoard, rules: HealthRules): Promise<void> {
    const now = this.now();
    let part: IsolatePart | null = null;
    const version = this.version;
    if (version !== 0 && version !== this.sentVersion) {
      for (const [client, ledger] of this.own) if (!pruneLedger(ledger, now, rules)) this.own.delete(client);
      part = { at: now, version, clients: Object.fromEntries(this.own) };
    }
    const others = await board.exchange(this.isolateId, part, horizonMs(rules));
    const oldest = now - horizonMs(rules);
    this.others = Object.fromEntries(Object.entries(others).filter(([id, held]) => id !== this.isolateId && held.at >= oldest));
    this.syncedAt = now;
    if (part) this.sentVersion = version;
  }

  private async sync(rules: HealthRules, waitUntil: ((work: Promise<unknown>) => void) | undefined): Promise<void> {
    if (this.board) return this.exchange(this.board, rules);
    const cache = this.options.cache();
    const now = this.now();
    let snapshot: Snapshot = { isolates: {} };
    try {
      const hit = await cache.match(SNAPSHOT_URL);
      if (hit) {
        const parsed = SnapshotSchema.safeParse(await hit.json().catch(() => null));
        if (parsed.success) snapshot = parsed.data;
      }
    } catch {
      // An unreadable snapshot: this isolate goes on with what it knows.
    }
    const oldest = now - horizonMs(rules);
    const others: Record<string, IsolatePart> = {};
    for (const [id, part] of Object.entries(snapshot.isolates)) {
      if (id !== this.isolateId && part.at >= oldest) others[id] = part;
    }
    this.others = others;
    this.syncedAt = now;
    const mine = snapshot.isolates[this.isolateId];
    if (this.version === 0 || mine?.version === this.version) return;
    for (const [client, ledger] of this.own) if (!pruneLedger(ledger, now, rules)) this.own.delete(client);
    const part: IsolatePart = { at: now, version: this.version, clients: Object.fromEntries(this.own) };
    const body = JSON.stringify({ isolates: { ...others, [this.isolateId]: part } } satisfies Snapshot);
    const write = cache
      .put(SNAPSHOT_URL, new Response(body, { headers: { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${Math.ceil(horizonMs(rules) / 1000)}` } }))
      .catch(() => {});
    this.background(write, waitUntil);
    if (!waitUntil) await write;
  }

  private background(work: Promise<unknown>, waitUntil: ((work: Promise<unknown>) => void) | undefined): void {
    const quiet = work.catch(() => {});
    if (waitUntil) waitUntil(quiet);
  }
}

/** The isolate's one instance: every request of this isolate adds to it. */
let isolateHealth: ColoClientHealth | undefined;
/** Part of the board's name: a reset (tests) starts a board of its own. */
let boardGeneration = '';

/** `board`: the shared place when the Worker has one (the first given is kept for the isolate's life). */
export function isolateClientHealth(board?: HealthBoard): ColoClientHealth {
  return (isolateHealth ??= new ColoClientHealth({ cache: () => edgeCache() })).useBoard(board);
}

/** The name of the board object of a colo. */
export function healthBoardName(colo: string | undefined): string {
  return `health:${colo ?? 'local'}${boardGeneration}`;
}

/** Tests start from a clean slate: a new isolate identity, nothing known, no snapshot, a new board. */
export async function resetIsolateClientHealth(): Promise<void> {
  isolateHealth = undefined;
  boardGeneration = `:${crypto.randomUUID()}`;
  await caches.default.delete(SNAPSHOT_URL);
}

export function healthRules(config: { CLIENT_FAILURE_THRESHOLD: number; CLIENT_COOL_OFF_SECONDS: number }): HealthRules {
  return { threshold: config.CLIENT_FAILURE_THRESHOLD, coolOffMs: config.CLIENT_COOL_OFF_SECONDS * 1000 };
}
