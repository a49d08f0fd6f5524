import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { mediaType } from '../../../core/src/stream/media-type';
import { passThroughResponse } from '../../../core/src/stream/range';
import type { StreamClaims } from '../../../core/src/stream/token';
import { TelegramCache } from './telegram-cache';

/**
 * `/stream/<token>` of a cache hit: the bytes come from the Telegram channel
 * through the consumer Worker, with the client's Range passed on and the
 * consumer's exact 200/206 answer kept. null means "stream from YouTube
 * instead": the entry is no longer ready, the consumer is unreachable, or
 * Telegram lost the file (the entry then turns stale and is uploaded again).
 */
export async function serveCachedStream(c: Context<AppEnv>, claims: StreamClaims): Promise<Response | null> {
  if (!c.env.TELEGRAM_CACHE) return null;
  const cache = TelegramCache.of(c);
  const logger = c.get('logger');
  const entry = await cache.lookup(claims.videoId, claims.type);
  if (!cache.isHit(entry)) return null;
  const method = c.req.method === 'HEAD' ? 'HEAD' : 'GET';
  let response: Response;
  try {
    response = await cache.fetchFile(entry.file_id!, method, c.req.header('Range') ?? null);
  } catch (error) {
    logger.warn('cache.file_unreachable', { videoId: claims.videoId, error });
    return null;
  }
  if (response.status === 410) {
    await response.body?.cancel();
    const stale = await cache.markStale(claims.videoId, claims.type, 'Telegram no longer serves the cached file.');
    // Re-cache at once rather than waiting for the next resolve of this track.
    const recache = async () => {
      if (stale && (await cache.enabled())) await cache.requestUpload(claims.videoId, claims.type, stale);
    };
    c.executionCtx.waitUntil(recache());
    return null;
  }
  if (response.status === 416) {
    await response.body?.cancel();
    const contentRange = response.headers.get('Content-Range') ?? `bytes */${entry.size ?? 0}`;
    throw new AppError('stream.range_not_satisfiable', 'The range is outside the bytes of this stream.', {
      headers: { 'Content-Range': contentRange, 'Accept-Ranges': 'bytes' },
    });
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    logger.warn('cache.file_failed', { videoId: claims.videoId, status: response.status, code: response.headers.get('X-Error-Code') });
    return null;
  }
  const type = mediaType(entry.mime ?? response.headers.get('Content-Type'), claims.type === 'audio' ? 'audio/mp4' : 'video/mp4');
  const answer = passThroughResponse(response, method, type);
  answer.headers.set('Cache-Control', 'private, max-age=3600');
  return answer;
}
