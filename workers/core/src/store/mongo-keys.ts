import { z } from 'zod';
import type { Document, MongoDataApi } from './mongo-data-api';
import { allOf, COLLECTIONS, countDocuments } from './mongo-shared';
import { escapeRegex, foldName, newKeyRecord, paging, parseInput, parseStored } from './shared';
import {
  ApiKeyPatchSchema,
  ApiKeyRecordSchema,
  KeyUsageIncrementSchema,
  type ApiKeyRecord,
  type KeyStatusFilter,
  type MetadataStore,
} from './types';

type KeyOps = Pick<
  MetadataStore,
  'createKey' | 'getKeyByHash' | 'getKeyById' | 'listKeys' | 'countKeys' | 'updateKey' | 'deleteKey' | 'recordKeyUsage'
>;

const KEYS = COLLECTIONS.keys;

function statusFilter(status: KeyStatusFilter, now: Date): Document {
  switch (status) {
    case 'active':
      return { active: true, $or: [{ expires_at: null }, { expires_at: { $gt: now } }] };
    case 'expired':
      return { active: true, expires_at: { $ne: null, $lte: now } };
    case 'revoked':
      return { active: false };
    case 'all':
      return {};
  }
}

/** Aggregation-expression twins of statusFilter, for counting in one `$group`. */
function statusExpression(status: 'active' | 'expired', now: Date): Document {
  const isActive = { $eq: ['$active', true] };
  if (status === 'active') return { $and: [isActive, { $or: [{ $eq: ['$expires_at', null] }, { $gt: ['$expires_at', now] }] }] };
  return { $and: [isActive, { $ne: ['$expires_at', null] }, { $lte: ['$expires_at', now] }] };
}

const toKey = (document: Document) => parseStored(ApiKeyRecordSchema, document, 'API key');

export function mongoKeyOps(api: MongoDataApi): KeyOps {
  const findKey = async (filter: Document) => {
    const document = await api.findOne(KEYS, filter);
    return document ? toKey(document) : null;
  };

  return {
    async createKey(input) {
      const record = newKeyRecord(input);
      // The public id doubles as _id, so a duplicate id fails on the primary index.
      await api.insertOne(KEYS, { _id: record.id, ...record, name_lower: foldName(record.name) });
      return record;
    },

    getKeyByHash: (keyHash) => findKey({ key_hash: keyHash }),
    getKeyById: (id) => findKey({ _id: id }),

    async listKeys(query) {
      const { limit, offset } = paging(query.page, query.pageSize);
      const conditions = [statusFilter(query.status ?? 'all', query.now)];
      const search = query.search?.trim();
      if (search) conditions.push({ name_lower: { $regex: escapeRegex(foldName(search)) } });
      const filter = allOf(conditions.filter((condition) => Object.keys(condition).length > 0));
      const [documents, total] = await Promise.all([
        api.find(KEYS, { filter, sort: { created_at: -1, _id: 1 }, skip: offset, limit }),
        countDocuments(api, KEYS, filter),
      ]);
      return { items: documents.map(toKey), total };
    },

    async countKeys(now) {
      const rows = await api.aggregate(KEYS, [
        {
          $group: {
            _id: null,
            total: { $sum: 1 },
            active: { $sum: { $cond: [statusExpression('active', now), 1, 0] } },
            expired: { $sum: { $cond: [statusExpression('expired', now), 1, 0] } },
            revoked: { $sum: { $cond: [{ $eq: ['$active', false] }, 1, 0] } },
          },
        },
      ]);
      const counter = z.number().int().nonnegative();
      const schema = z.object({ total: counter, active: counter, expired: counter, revoked: counter });
      return rows[0] ? parseStored(schema, rows[0], 'key count') : { total: 0, active: 0, expired: 0, revoked: 0 };
    },

    async updateKey(id, patch) {
      const changes = parseInput(ApiKeyPatchSchema, patch, 'key update');
      const set: Document = {};
      for (const [field, value] of Object.entries(changes)) if (value !== undefined) set[field] = value;
      if (changes.name !== undefined) set.name_lower = foldName(changes.name);
      if (Object.keys(set).length > 0) {
        const { matchedCount } = await api.updateOne(KEYS, { _id: id }, { $set: set, $inc: { version: 1 } });
        if (matchedCount === 0) return null;
      }
      return findKey({ _id: id });
    },

    async deleteKey(id) {
      return (await api.deleteOne(KEYS, { _id: id })) > 0;
    },

    async recordKeyUsage(increments) {
      const merged = new Map<string, { filter: Document; count: number; last: Date }>();
      for (const raw of increments) {
        const increment = parseInput(KeyUsageIncrementSchema, raw, 'usage increment');
        const filter = 'id' in increment ? { _id: increment.id } : { key_hash: increment.key_hash };
        const mapKey = JSON.stringify(filter);
        const previous = merged.get(mapKey);
        const last = previous && previous.last > increment.last_used_at ? previous.last : increment.last_used_at;
        merged.set(mapKey, { filter, count: (previous?.count ?? 0) + increment.count, last });
      }
      // One update per key; $max keeps last_used_at from moving back when batches arrive out of order.
      await Promise.all(
        [...merged.values()].map((item) =>
          api.updateOne(KEYS, item.filter, { $inc: { total_used: item.count }, $max: { last_used_at: item.last } }),
        ),
      );
    },
  };
}
