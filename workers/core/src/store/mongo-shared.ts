import { z } from 'zod';
import type { Document, MongoDataApi } from './mongo-data-api';
import { parseStored } from './shared';

/** Collection names, as the original service had them. */
export const COLLECTIONS = { keys: 'api_keys', logs: 'api_logs', cache: 'cache_metadata' } as const;

/** What a log document counts for: its weight (LOG_SAMPLE_ONE_IN), 1 when it has none. */
export const LOG_WEIGHT: Document = { $ifNull: ['$weight', 1] };

/** `$sum` of the weights of documents whose status is in [min, max). */
function countWhereStatus(min: number, max: number): Document {
  return { $sum: { $cond: [{ $and: [{ $gte: ['$status', min] }, { $lt: ['$status', max] }] }, LOG_WEIGHT, 0] } };
}

/** Accumulators of the status classes, the `$group` twin of the D1 SQL sums. */
export const STATUS_CLASS_GROUP: Document = {
  status_2xx: countWhereStatus(200, 300),
  status_3xx: countWhereStatus(300, 400),
  status_4xx: countWhereStatus(400, 500),
  status_5xx: countWhereStatus(500, 600),
};

/** Accumulators of the cache outcomes, weighted as the status classes. */
export const CACHE_GROUP: Document = {
  cache_hits: { $sum: { $cond: [{ $eq: ['$cache', 'hit'] }, LOG_WEIGHT, 0] } },
  cache_misses: { $sum: { $cond: [{ $eq: ['$cache', 'miss'] }, LOG_WEIGHT, 0] } },
};

const counter = z.number().int().nonnegative();
export const StatusClassRowSchema = z.object({
  total: counter,
  status_2xx: counter,
  status_3xx: counter,
  status_4xx: counter,
  status_5xx: counter,
});

export async function countDocuments(api: MongoDataApi, collection: string, filter: Document): Promise<number> {
  const rows = await api.aggregate(collection, [{ $match: filter }, { $count: 'n' }]);
  if (rows.length === 0) return 0;
  return parseStored(z.object({ n: counter }), rows[0], 'count').n;
}

/** Joins conditions without one overwriting another's keys (two `$or`s, say). */
export function allOf(conditions: Document[]): Document {
  if (conditions.length === 0) return {};
  if (conditions.length === 1) return conditions[0]!;
  return { $and: conditions };
}
