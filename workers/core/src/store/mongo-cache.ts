import { z } from 'zod';
import { AppError, isAppError } from '../errors';
import type { Document, MongoDataApi } from './mongo-data-api';
import { COLLECTIONS, countDocuments } from './mongo-shared';
import { DEFAULT_PENDING_TIMEOUT_MS, paging, parseInput, parseStored, statsFrom } from './shared';
import { CacheCompletionSchema, CacheEntrySchema, type CacheType, type MetadataStore } from './types';

type CacheOps = Pick<
  MetadataStore,
  | 'getCacheEntry'
  | 'claimCacheEntry'
  | 'startCacheUpload'
  | 'releaseCacheUpload'
  | 'completeCacheEntry'
  | 'failCacheEntry'
  | 'markCacheEntryStale'
  | 'listCacheEntries'
  | 'deleteExpiredCacheEntries'
  | 'cacheStats'
>;

const CACHE = COLLECTIONS.cache;

/** One document per (video, type): the pair is the _id, so the primary index keeps it unique. */
function entryId(videoId: string, type: CacheType): string {
  return `${type}:${videoId}`;
}

const toEntry = (document: Document) => parseStored(CacheEntrySchema, document, 'cache entry');

const EMPTY_FIELDS = {
  file_id: null,
  file_unique_id: null,
  message_id: null,
  chat_id: null,
  size: null,
  mime: null,
  title: null,
  duration: null,
  channel: null,
  views: null,
  thumbnail: null,
  cached_at: null,
  expires_at: null,
  failure_reason: null,
};

const StatsRowSchema = z.object({ _id: z.string(), total: z.number().int().nonnegative(), bytes: z.number().nonnegative() });

export function mongoCacheOps(api: MongoDataApi): CacheOps {
  const getCacheEntry = async (videoId: string, type: CacheType) => {
    const document = await api.findOne(CACHE, { _id: entryId(videoId, type) });
    return document ? toEntry(document) : null;
  };

  /** `claim`: only while the entry is pending under this claim (a job's outcome); null: any entry (a stale file). */
  const setFields = async (videoId: string, type: CacheType, claim: string | null, set: Document) => {
    const fence = claim === null ? {} : { status: 'pending', claim_id: claim };
    const { matchedCount } = await api.updateOne(CACHE, { _id: entryId(videoId, type), ...fence }, { $set: { ...set, lease_until: null } });
    return matchedCount === 0 ? null : getCacheEntry(videoId, type);
  };

  return {
    getCacheEntry,

    async claimCacheEntry(videoId, type, options) {
      const now = options.now;
      const pendingTimeout = options.pendingTimeoutMs ?? DEFAULT_PENDING_TIMEOUT_MS;
      // Matches only a claimable entry; when the entry exists but is not
      // claimable, the upsert's insert hits the _id index and the store
      // answers DuplicateKey: someone else holds it.
      const filter = {
        _id: entryId(videoId, type),
        $or: [
          { status: 'failed', updated_at: { $lte: new Date(now.getTime() - options.retryAfterMs) } },
          { status: 'stale' },
          { status: { $in: ['ready', 'too_large'] }, expires_at: { $ne: null, $lte: now } },
          // A running upload (its lease not run out) keeps its claim however long it takes.
          { status: 'pending', updated_at: { $lte: new Date(now.getTime() - pendingTimeout) }, $or: [{ lease_until: null }, { lease_until: { $lte: now } }] },
        ],
      };
      const update = {
        $set: { status: 'pending', claimed_at: now, updated_at: now, claim_id: crypto.randomUUID(), lease_until: null },
        $inc: { attempts: 1 },
        $setOnInsert: { video_id: videoId, type, ...EMPTY_FIELDS },
      };
      for (let attempt = 0; attempt < 3; attempt += 1) {
        let claimed: boolean;
        try {
          const result = await api.updateOne(CACHE, filter, update, { upsert: true });
          claimed = result.upsertedId !== undefined || result.modifiedCount === 1;
        } catch (error) {
          if (!isAppError(error) || error.code !== 'store.conflict') throw error;
          claimed = false;
        }
        const entry = await getCacheEntry(videoId, type);
        if (entry) return { claimed, entry };
        // The entry vanished (expired and deleted) between the two calls: claim again.
      }
      throw new AppError('store.conflict', 'The cache entry changed during the claim; try again.');
    },

    async startCacheUpload(videoId, type, claimId, options) {
      const { now, leaseMs } = options;
      const filter = {
        _id: entryId(videoId, type),
        status: 'pending',
        claim_id: claimId,
        $or: [{ lease_until: null }, { lease_until: { $lte: now } }],
      };
      const { modifiedCount } = await api.updateOne(CACHE, filter, { $set: { lease_until: new Date(now.getTime() + leaseMs), updated_at: now } });
      return { started: modifiedCount === 1, entry: await getCacheEntry(videoId, type) };
    },

    async releaseCacheUpload(videoId, type, claimId) {
      const filter = { _id: entryId(videoId, type), status: 'pending', claim_id: claimId };
      return (await api.updateOne(CACHE, filter, { $set: { lease_until: null } })).matchedCount > 0;
    },

    async completeCacheEntry(videoId, type, claimId, fields, now = new Date()) {
      const done = parseInput(CacheCompletionSchema, fields, 'cache completion');
      return setFields(videoId, type, claimId, { ...done, status: 'ready', failure_reason: null, updated_at: now });
    },

    failCacheEntry: (videoId, type, claimId, reason, status = 'failed', now = new Date()) =>
      setFields(videoId, type, claimId, { status, failure_reason: reason.slice(0, 500), updated_at: now }),

    markCacheEntryStale: (videoId, type, reason, now = new Date()) =>
      setFields(videoId, type, null, { status: 'stale', failure_reason: reason.slice(0, 500), updated_at: now }),

    async listCacheEntries(query) {
      const { limit, offset } = paging(query.page, query.pageSize);
      const filter = query.status ? { status: query.status } : {};
      const [documents, total] = await Promise.all([
        api.find(CACHE, { filter, sort: { updated_at: -1, video_id: 1, type: 1 }, skip: offset, limit }),
        countDocuments(api, CACHE, filter),
      ]);
      return { items: documents.map(toEntry), total };
    },

    deleteExpiredCacheEntries: (now) => api.deleteMany(CACHE, { expires_at: { $ne: null, $lte: now } }),

    async cacheStats() {
      const rows = await api.aggregate(CACHE, [
        {
          $group: {
            _id: '$status',
            total: { $sum: 1 },
            bytes: { $sum: { $cond: [{ $eq: ['$status', 'ready'] }, { $ifNull: ['$size', 0] }, 0] } },
          },
        },
      ]);
      return statsFrom(
        rows.map((row) => {
          const parsed = parseStored(StatsRowSchema, row, 'cache stats');
          return { status: parsed._id, total: parsed.total, bytes: parsed.bytes };
        }),
      );
    },
  };
}
