import { z } from 'zod';
import { isAppError } from '../errors';
import type { Document, MongoDataApi } from './mongo-data-api';
import { allOf, CACHE_GROUP, COLLECTIONS, countDocuments, LOG_WEIGHT, STATUS_CLASS_GROUP, StatusClassRowSchema } from './mongo-shared';
import {
  buildSummary,
  checkRange,
  fillBuckets,
  nearestRank,
  paging,
  parseInput,
  parseStored,
  planBuckets,
  statusBounds,
  storedLogRecord,
  type BucketFigures,
} from './shared';
import { LogRecordSchema, type LogRecord, type MetadataStore, type TimeRange } from './types';

type LogOps = Pick<
  MetadataStore,
  'appendLogs' | 'requestsOverTime' | 'logSummary' | 'requestsByEndpoint' | 'topKeys' | 'listLogs' | 'deleteLogsBefore'
>;

const LOGS = COLLECTIONS.logs;
const INSERT_CHUNK = 500;
const EPOCH = new Date(0);
const counter = z.number().int().nonnegative();

const SummaryRowSchema = StatusClassRowSchema.extend({ cache_hits: counter, cache_misses: counter });
const SummaryWithKeptSchema = SummaryRowSchema.extend({ kept: counter });
const BucketRowSchema = SummaryRowSchema.extend({ _id: z.number().int(), latency_p50_ms: z.number(), latency_p95_ms: z.number() });
const EndpointRowSchema = StatusClassRowSchema.extend({ _id: z.string(), duration_sum: z.number().nonnegative() });
const TopKeyRowSchema = StatusClassRowSchema.extend({ _id: z.string() });
const DurationRowSchema = z.object({ duration_ms: z.number() });

/**
 * `$group` accumulator of the duration whose `rank` (1-based, set by a window
 * stage over a partition of `n` documents) is the nearest rank ceil(p·n/100);
 * $max skips the nulls of every other document.
 */
function durationAtRankOf(percent: number): Document {
  const nearest = { $floor: { $divide: [{ $add: [{ $multiply: [percent, '$n'] }, 99] }, 100] } };
  return { $max: { $cond: [{ $eq: ['$rank', nearest] }, '$duration_ms', null] } };
}

function inRange(range: TimeRange, keyId?: string): Document {
  return { time: { $gte: range.from, $lt: range.to }, ...(keyId === undefined ? {} : { key_id: keyId }) };
}

export function mongoLogOps(api: MongoDataApi): LogOps {
  /** The duration at a 1-based rank of the ascending order (nearest-rank percentile). */
  const durationAtRank = async (match: Document, rank: number): Promise<number | null> => {
    const rows = await api.aggregate(LOGS, [
      { $match: match },
      { $sort: { duration_ms: 1 } },
      { $skip: rank - 1 },
      { $limit: 1 },
      { $project: { _id: 0, duration_ms: 1 } },
    ]);
    return rows[0] ? parseStored(DurationRowSchema, rows[0], 'duration').duration_ms : null;
  };

  /** Upserting one by one is the slow path, for a batch that raced a retry of itself. */
  const upsertEach = async (records: LogRecord[]): Promise<string[]> => {
    const results = await Promise.all(
      records.map((record) =>
        api.updateOne(LOGS, { _id: record.request_id }, { $setOnInsert: { ...record } }, { upsert: true }),
      ),
    );
    return records.filter((_record, index) => results[index]!.upsertedId !== undefined).map((record) => record.request_id);
  };

  return {
    async appendLogs(batch) {
      const unique = new Map<string, LogRecord>();
      for (const raw of batch) {
        const record = parseInput(LogRecordSchema, raw, 'log record');
        if (!unique.has(record.request_id)) unique.set(record.request_id, record);
      }
      const records = [...unique.values()];
      const insertedIds: string[] = [];
      for (let start = 0; start < records.length; start += INSERT_CHUNK) {
        const chunk = records.slice(start, start + INSERT_CHUNK);
        const ids = chunk.map((record) => record.request_id);
        const known = await api.find(LOGS, { filter: { _id: { $in: ids } }, projection: { _id: 1 }, limit: ids.length });
        const knownIds = new Set(known.map((document) => String(document._id)));
        const fresh = chunk.filter((record) => !knownIds.has(record.request_id));
        if (fresh.length === 0) continue;
        try {
          await api.insertMany(LOGS, fresh.map((record) => ({ _id: record.request_id, ...record })));
          insertedIds.push(...fresh.map((record) => record.request_id));
        } catch (error) {
          if (!isAppError(error) || error.code !== 'store.conflict') throw error;
          // A concurrent delivery of the same records got there first: the upserts say which rows are still new.
          insertedIds.push(...(await upsertEach(fresh)));
        }
      }
      return { inserted: insertedIds.length, insertedIds };
    },

    async requestsOverTime(query) {
      const plan = planBuckets(query);
      if (plan.starts.length === 0) return [];
      const ms = { $subtract: ['$time', EPOCH] };
      const rows = await api.aggregate(LOGS, [
        { $match: inRange(query, query.key_id) },
        // Same truncating remainder as SQLite's `%` and shared.bucketStart.
        { $project: { status: 1, cache: 1, duration_ms: 1, weight: 1, bucket: { $subtract: [ms, { $mod: [{ $add: [ms, plan.offsetMs] }, plan.sizeMs] }] } } },
        // Durations are ranked within their bucket, so one pass yields every bucket's percentiles.
        {
          $setWindowFields: {
            partitionBy: '$bucket',
            sortBy: { duration_ms: 1 },
            output: {
              rank: { $documentNumber: {} },
              n: { $count: {}, window: { documents: ['unbounded', 'unbounded'] } },
            },
          },
        },
        {
          $group: {
            _id: '$bucket',
            total: { $sum: LOG_WEIGHT },
            ...STATUS_CLASS_GROUP,
            ...CACHE_GROUP,
            latency_p50_ms: durationAtRankOf(50),
            latency_p95_ms: durationAtRankOf(95),
          },
        },
      ]);
      const counted = new Map<number, BucketFigures>();
      for (const row of rows) {
        const { _id, ...figures } = parseStored(BucketRowSchema, row, 'time bucket');
        counted.set(_id, figures);
      }
      return fillBuckets(plan, counted);
    },

    async logSummary(query) {
      checkRange(query);
      const match = inRange(query, query.key_id);
      const rows = await api.aggregate(LOGS, [
        { $match: match },
        {
          $group: {
            _id: null,
            total: { $sum: LOG_WEIGHT },
            kept: { $sum: 1 },
            ...STATUS_CLASS_GROUP,
            ...CACHE_GROUP,
          },
        },
      ]);
      const { kept, ...counts } = rows[0]
        ? parseStored(SummaryWithKeptSchema, rows[0], 'log summary')
        : { kept: 0, total: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, cache_hits: 0, cache_misses: 0 };
      if (kept === 0) return buildSummary(counts, null, null);
      // Percentiles rank the documents kept (a uniform sample when LOG_SAMPLE_ONE_IN > 1); counts weigh them.
      const [p50, p95] = await Promise.all([durationAtRank(match, nearestRank(50, kept)), durationAtRank(match, nearestRank(95, kept))]);
      return buildSummary(counts, p50, p95);
    },

    async requestsByEndpoint(query) {
      checkRange(query);
      const rows = await api.aggregate(LOGS, [
        { $match: inRange(query) },
        { $group: { _id: '$endpoint', total: { $sum: LOG_WEIGHT }, ...STATUS_CLASS_GROUP, duration_sum: { $sum: { $multiply: ['$duration_ms', LOG_WEIGHT] } } } },
        { $sort: { total: -1, _id: 1 } },
        { $limit: query.limit ?? 50 },
      ]);
      return rows.map((row) => {
        const parsed = parseStored(EndpointRowSchema, row, 'endpoint stats');
        return {
          endpoint: parsed._id,
          total: parsed.total,
          status_4xx: parsed.status_4xx,
          status_5xx: parsed.status_5xx,
          avg_duration_ms: Math.round(parsed.duration_sum / Math.max(1, parsed.total)),
        };
      });
    },

    async topKeys(query) {
      checkRange(query);
      const rows = await api.aggregate(LOGS, [
        { $match: { ...inRange(query), key_id: { $ne: null } } },
        { $group: { _id: '$key_id', total: { $sum: LOG_WEIGHT }, ...STATUS_CLASS_GROUP } },
        { $sort: { total: -1, _id: 1 } },
        { $limit: query.limit },
      ]);
      const top = rows.map((row) => parseStored(TopKeyRowSchema, row, 'top key'));
      if (top.length === 0) return [];
      const keys = await api.find(COLLECTIONS.keys, {
        filter: { _id: { $in: top.map((row) => row._id) } },
        projection: { _id: 1, name: 1 },
        limit: top.length,
      });
      const names = new Map(keys.map((key) => [String(key._id), typeof key.name === 'string' ? key.name : null]));
      return top.map((row) => ({
        key_id: row._id,
        name: names.get(row._id) ?? null,
        total: row.total,
        status_4xx: row.status_4xx,
        status_5xx: row.status_5xx,
      }));
    },

    async listLogs(query) {
      const { limit, offset } = paging(query.page, query.pageSize);
      const conditions: Document[] = [];
      if (query.key_id !== undefined) conditions.push({ key_id: query.key_id });
      if (query.endpoint !== undefined) conditions.push({ endpoint: query.endpoint });
      if (query.status !== undefined) {
        const { min, max } = statusBounds(query.status);
        conditions.push({ status: { $gte: min, $lt: max } });
      }
      if (query.from) conditions.push({ time: { $gte: query.from } });
      if (query.to) conditions.push({ time: { $lt: query.to } });
      const filter = allOf(conditions);
      const [documents, total] = await Promise.all([
        api.find(LOGS, { filter, sort: { time: -1, _id: -1 }, skip: offset, limit }),
        countDocuments(api, LOGS, filter),
      ]);
      return { items: documents.map((document) => storedLogRecord(document)), total };
    },

    deleteLogsBefore: (before) => api.deleteMany(LOGS, { time: { $lt: before } }),
  };
}
