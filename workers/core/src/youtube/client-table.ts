import type { Logger } from '../logging/logger';
import { ClientOverridesSchema, mergeClientTable, type ClientOverrides, type ClientTable } from './client-overrides';

/**
 * The client table a request uses: the built-in one (clients.ts), the YOUTUBE_CLIENT_OVERRIDES
 * setting over it, and over both the overrides an operator stored with
 * `PUT /admin/youtube/clients` (the ClientTableStore Durable Object). Each isolate keeps the
 * stored overrides for CLIENT_TABLE_REFRESH_MS, so a change is in effect everywhere within
 * that time without a call per request; an unreachable store keeps the last known overrides
 * (or none), never a broken chain.
 */
export const CLIENT_TABLE_REFRESH_MS = 30_000;

/** What `PUT /admin/youtube/clients` stored: the overrides, and who changed them when. */
export interface StoredClientOverrides {
  overrides: ClientOverrides;
  changedAt: string;
  /** The admin key id (`admin` for ADMIN_API_KEY). */
  changedBy: string;
}

/** Reads the stored overrides (the API Worker: its Durable Object; the consumer: what the job carried). */
export interface ClientOverrideReader {
  /** The same object for the same store: the per-isolate cache is keyed by it. */
  readonly key: object;
  read(): Promise<StoredClientOverrides | null>;
}

const known = new WeakMap<object, { stored: StoredClientOverrides | null; until: number }>();

/** The stored overrides, from this isolate's copy while it is fresh. */
export async function storedClientOverrides(reader: ClientOverrideReader | undefined, logger?: Logger, nowMs = Date.now()): Promise<StoredClientOverrides | null> {
  if (!reader) return null;
  const cached = known.get(reader.key);
  if (cached && cached.until > nowMs) return cached.stored;
  try {
    const stored = await reader.read();
    // Re-checked on the way in: a stored value is never trusted to still fit the schema after a deploy.
    const valid = stored && ClientOverridesSchema.safeParse(stored.overrides).success ? stored : null;
    if (stored && !valid) logger?.warn('youtube.client_overrides_ignored', { reason: 'stored overrides no longer fit the schema', changedAt: stored.changedAt });
    known.set(reader.key, { stored: valid, until: nowMs + CLIENT_TABLE_REFRESH_MS });
    return valid;
  } catch (error) {
    logger?.warn('youtube.client_overrides_unreadable', { error });
    const fallback = cached?.stored ?? null;
    // Retried after a short pause, not on every request of an isolate whose store is down.
    known.set(reader.key, { stored: fallback, until: nowMs + 5_000 });
    return fallback;
  }
}

/** Drops this isolate's copy (after this isolate changed the overrides itself). */
export function forgetStoredClientOverrides(reader: ClientOverrideReader, stored?: StoredClientOverrides | null): void {
  if (stored === undefined) known.delete(reader.key);
  else known.set(reader.key, { stored, until: Date.now() + CLIENT_TABLE_REFRESH_MS });
}

const tables = new WeakMap<object, WeakMap<object, ClientTable>>();
const NONE = {};

/**
 * The effective client table: what every resolve, stream and canary reads a client's context,
 * version and user agent from. Built once per (setting, stored) pair and isolate.
 */
export async function effectiveClientTable(
  settingOverrides: ClientOverrides | undefined,
  reader?: ClientOverrideReader,
  logger?: Logger,
): Promise<ClientTable> {
  const stored = await storedClientOverrides(reader, logger);
  return tableOf(settingOverrides, stored?.overrides);
}

/** The same merge without a store (the setting alone, or a snapshot already read). */
export function tableOf(settingOverrides: ClientOverrides | undefined, storedOverrides?: ClientOverrides | null): ClientTable {
  const first = settingOverrides ?? NONE;
  const second = storedOverrides ?? NONE;
  let bySecond = tables.get(first);
  if (!bySecond) tables.set(first, (bySecond = new WeakMap()));
  let table = bySecond.get(second);
  if (!table) bySecond.set(second, (table = mergeClientTable(settingOverrides, storedOverrides)));
  return table;
}
