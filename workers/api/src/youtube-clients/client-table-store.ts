import { DurableObject } from 'cloudflare:workers';
import type { ClientOverrides } from '../../../core/src/youtube/client-overrides';
import type { StoredClientOverrides } from '../../../core/src/youtube/client-table';

/**
 * The one durable home of the operator's client-table overrides (`PUT /admin/youtube/clients`):
 * one object holds the overrides in force and the last changes (who, what, when). Every isolate
 * of both Workers reads it at most every CLIENT_TABLE_REFRESH_MS (core/src/youtube/client-table.ts).
 */
export interface ClientTableChange {
  at: string;
  /** The admin key id (`admin` for ADMIN_API_KEY). */
  by: string;
  action: 'put' | 'delete';
  /** The overrides set by a put; those removed by a delete. */
  overrides: ClientOverrides;
}

const HISTORY_LIMIT = 50;

export class ClientTableStore extends DurableObject<Record<string, unknown>> {
  async current(): Promise<StoredClientOverrides | null> {
    return (await this.ctx.storage.get<StoredClientOverrides>('current')) ?? null;
  }

  async history(): Promise<ClientTableChange[]> {
    return (await this.ctx.storage.get<ClientTableChange[]>('history')) ?? [];
  }

  /** Replaces the overrides in force (the caller validated them). */
  async put(overrides: ClientOverrides, by: string, at = new Date().toISOString()): Promise<StoredClientOverrides> {
    const stored: StoredClientOverrides = { overrides, changedAt: at, changedBy: by };
    await this.remember({ at, by, action: 'put', overrides });
    await this.ctx.storage.put('current', stored);
    return stored;
  }

  /** Back to the built-in table (and YOUTUBE_CLIENT_OVERRIDES); null when nothing was stored. */
  async clear(by: string, at = new Date().toISOString()): Promise<StoredClientOverrides | null> {
    const previous = await this.current();
    if (!previous) return null;
    await this.remember({ at, by, action: 'delete', overrides: previous.overrides });
    await this.ctx.storage.delete('current');
    return previous;
  }

  private async remember(change: ClientTableChange): Promise<void> {
    const history = await this.history();
    await this.ctx.storage.put('history', [change, ...history].slice(0, HISTORY_LIMIT));
  }
}
