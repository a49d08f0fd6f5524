import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import type { CacheType } from '../../../core/src/store/types';
import { PENDING_TIMEOUT_MS, TelegramCache, type UploadHold } from './telegram-cache';

/**
 * How many uploads one key may have pending at once through the t.me shapes
 * (PENDING_UPLOADS_PER_KEY): the consumer uploads one job at a time, so a key
 * that queues hundreds of tracks would starve every other bot's for hours.
 * The places live in the key's QuotaCounter. A place is given back when its
 * upload is done: the store is asked about the held uploads only when the key
 * is at its cap, and a place lapses after the pending timeout in any case.
 * The bootstrap key and keyless requests (keys off) hold no places.
 */
export function pendingUploadHold(c: Context<AppEnv>): UploadHold | undefined {
  const principal = c.get('principal');
  const keyHash = principal?.kind === 'key' ? principal.keyHash : null;
  if (!keyHash) return undefined;
  const keyGate = c.get('keyGate');
  const cap = c.get('config').PENDING_UPLOADS_PER_KEY;
  const idOf = (videoId: string, type: CacheType) => `${type}:${videoId}`;
  return {
    async acquire(videoId, type) {
      const uploadId = idOf(videoId, type);
      const ask = () => keyGate.holdUpload(keyHash, uploadId, Date.now(), cap, Date.now() + PENDING_TIMEOUT_MS);
      let answer = await ask();
      if (!answer.held) {
        const done = await doneUploads(TelegramCache.of(c), answer.pending);
        if (done.length > 0) {
          await keyGate.dropUploads(keyHash, done);
          answer = await ask();
        }
      }
      if (!answer.held) {
        throw new AppError('cache.too_many_pending', `This key already has ${cap} uploads to the Telegram channel under way; ask again once one has landed.`, {
          headers: { 'Retry-After': '60' },
        });
      }
    },
    release(videoId, type) {
      c.executionCtx.waitUntil(keyGate.dropUploads(keyHash, [idOf(videoId, type)]).catch(() => undefined));
    },
  };
}

/** Of the held uploads, those the store no longer has pending (landed, failed, gone). */
async function doneUploads(cache: TelegramCache, uploadIds: string[]): Promise<string[]> {
  const states = await Promise.all(
    uploadIds.map(async (uploadId) => {
      const [type, videoId] = uploadId.split(':') as [CacheType, string];
      const entry = await cache.lookup(videoId, type);
      // The store not answering proves nothing: the place stays held.
      return entry !== 'unavailable' && (entry === null || entry.status !== 'pending') ? uploadId : null;
    }),
  );
  return states.filter((uploadId): uploadId is string => uploadId !== null);
}
