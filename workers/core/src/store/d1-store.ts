import { timedPing } from './shared';
import { d1CacheOps } from './d1-cache';
import { d1KeyOps } from './d1-keys';
import { d1LogOps } from './d1-logs';
import { d1OverviewOps } from './d1-overview';
import { d1 } from './d1-rows';
import type { MetadataStore } from './types';

/**
 * The embedded default backend: Cloudflare D1 (SQLite), schema in
 * /migrations applied by `wrangler d1 migrations apply`.
 */
export function createD1Store(db: D1Database): MetadataStore {
  return {
    backend: 'd1',
    // Reading a table also proves the migrations ran. D1 answers with the database's size, which
    // deep health shows: a full database (10 GB, 500 MB on the Free plan) refuses every write.
    async ping() {
      let size: number | undefined;
      const result = await timedPing('d1', async () => {
        size = (await d1('ping', () => db.prepare('SELECT 1 FROM api_keys LIMIT 1').run())).meta.size_after;
      });
      return typeof size === 'number' ? { ...result, size_bytes: size } : result;
    },
    ...d1KeyOps(db),
    ...d1LogOps(db),
    ...d1OverviewOps(db),
    ...d1CacheOps(db),
  };
}
