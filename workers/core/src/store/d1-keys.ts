import { count, d1, keyFromRow, ms, type Row } from './d1-rows';
import { foldName, newKeyRecord, paging, parseInput } from './shared';
import {
  ApiKeyPatchSchema,
  KeyUsageIncrementSchema,
  type ApiKeyRecord,
  type KeyStatusFilter,
  type MetadataStore,
} from './types';

type KeyOps = Pick<
  MetadataStore,
  'createKey' | 'getKeyByHash' | 'getKeyById' | 'listKeys' | 'countKeys' | 'updateKey' | 'deleteKey' | 'recordKeyUsage'
>;

/** SQL condition for a status filter; `?` placeholders take `now` once per occurrence. */
function statusCondition(status: KeyStatusFilter, now: number): { sql: string; params: unknown[] } {
  switch (status) {
    case 'active':
      return { sql: 'active = 1 AND (expires_at IS NULL OR expires_at > ?)', params: [now] };
    case 'expired':
      return { sql: 'active = 1 AND expires_at IS NOT NULL AND expires_at <= ?', params: [now] };
    case 'revoked':
      return { sql: 'active = 0', params: [] };
    case 'all':
      return { sql: '1 = 1', params: [] };
  }
}

export function d1KeyOps(db: D1Database): KeyOps {
  const one = async (sql: string, ...params: unknown[]): Promise<ApiKeyRecord | null> => {
    const row = await db.prepare(sql).bind(...params).first<Row>();
    return row ? keyFromRow(row) : null;
  };
  const getKeyById = (id: string) => d1('getKeyById', () => one('SELECT * FROM api_keys WHERE id = ?', id));

  return {
    async createKey(input) {
      const record = newKeyRecord(input);
      await d1('createKey', () =>
        db
          .prepare(
            `INSERT INTO api_keys (id, key_hash, name, name_lower, tier, daily_limit, created_at, expires_at, active, last_used_at, total_used, version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, 0, 1)`,
          )
          .bind(
            record.id,
            record.key_hash,
            record.name,
            foldName(record.name),
            record.tier,
            record.daily_limit,
            ms(record.created_at),
            ms(record.expires_at),
          )
          .run(),
      );
      return record;
    },

    getKeyByHash: (keyHash) => d1('getKeyByHash', () => one('SELECT * FROM api_keys WHERE key_hash = ?', keyHash)),
    getKeyById,

    async listKeys(query) {
      const { limit, offset } = paging(query.page, query.pageSize);
      const status = statusCondition(query.status ?? 'all', query.now.getTime());
      const conditions = [status.sql];
      const params = [...status.params];
      const search = query.search?.trim();
      if (search) {
        conditions.push('instr(name_lower, ?) > 0');
        params.push(foldName(search));
      }
      const where = conditions.join(' AND ');
      const [rows, total] = await d1('listKeys', () =>
        db.batch<Row>([
          db
            .prepare(`SELECT * FROM api_keys WHERE ${where} ORDER BY created_at DESC, id ASC LIMIT ? OFFSET ?`)
            .bind(...params, limit, offset),
          db.prepare(`SELECT COUNT(*) AS total FROM api_keys WHERE ${where}`).bind(...params),
        ]),
      );
      return { items: (rows?.results ?? []).map(keyFromRow), total: count(total?.results[0]?.total) };
    },

    async countKeys(now) {
      const at = now.getTime();
      const row = await d1('countKeys', () =>
        db
          .prepare(
            `SELECT COUNT(*) AS total,
               SUM(CASE WHEN active = 1 AND (expires_at IS NULL OR expires_at > ?1) THEN 1 ELSE 0 END) AS active,
               SUM(CASE WHEN active = 1 AND expires_at IS NOT NULL AND expires_at <= ?1 THEN 1 ELSE 0 END) AS expired,
               SUM(CASE WHEN active = 0 THEN 1 ELSE 0 END) AS revoked
             FROM api_keys`,
          )
          .bind(at)
          .first<Row>(),
      );
      return { total: count(row?.total), active: count(row?.active), expired: count(row?.expired), revoked: count(row?.revoked) };
    },

    async updateKey(id, patch) {
      const changes = parseInput(ApiKeyPatchSchema, patch, 'key update');
      const sets: string[] = [];
      const params: unknown[] = [];
      if (changes.name !== undefined) {
        sets.push('name = ?', 'name_lower = ?');
        params.push(changes.name, foldName(changes.name));
      }
      if (changes.daily_limit !== undefined) {
        sets.push('daily_limit = ?');
        params.push(changes.daily_limit);
      }
      if (changes.expires_at !== undefined) {
        sets.push('expires_at = ?');
        params.push(ms(changes.expires_at));
      }
      if (changes.active !== undefined) {
        sets.push('active = ?');
        params.push(changes.active ? 1 : 0);
      }
      if (sets.length === 0) return getKeyById(id);
      sets.push('version = version + 1');
      return d1('updateKey', () => one(`UPDATE api_keys SET ${sets.join(', ')} WHERE id = ? RETURNING *`, ...params, id));
    },

    async deleteKey(id) {
      const result = await d1('deleteKey', () => db.prepare('DELETE FROM api_keys WHERE id = ?').bind(id).run());
      return result.meta.changes > 0;
    },

    async recordKeyUsage(increments) {
      const merged = new Map<string, { column: 'id' | 'key_hash'; value: string; count: number; last: number }>();
      for (const raw of increments) {
        const increment = parseInput(KeyUsageIncrementSchema, raw, 'usage increment');
        const [column, value] = 'id' in increment ? (['id', increment.id] as const) : (['key_hash', increment.key_hash] as const);
        const mapKey = `${column}:${value}`;
        const previous = merged.get(mapKey);
        const last = increment.last_used_at.getTime();
        merged.set(mapKey, {
          column,
          value,
          count: (previous?.count ?? 0) + increment.count,
          last: Math.max(previous?.last ?? 0, last),
        });
      }
      if (merged.size === 0) return;
      const statements = [...merged.values()].map((item) =>
        db
          .prepare(
            `UPDATE api_keys SET total_used = total_used + ?, last_used_at = MAX(COALESCE(last_used_at, 0), ?)
             WHERE ${item.column} = ?`,
          )
          .bind(item.count, item.last, item.value),
      );
      await d1('recordKeyUsage', () => db.batch(statements));
    },
  };
}
