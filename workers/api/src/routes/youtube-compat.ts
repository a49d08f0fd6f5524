import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { toAppError, type AppError } from '../../../core/src/errors';
import { resolveTrackFor } from './resolve';

/**
 * `GET /youtube?query=&video=true|false`: the original Flask service's answer,
 * byte for byte in shape, so bots written for it switch without changes. Its
 * errors are `{"error": "<message>"}` with 400 / 404 / 500, as before.
 */
export const youtubeCompatRoute = new Hono<AppEnv>().get('/youtube', async (c) => {
  const query = c.req.query('query') ?? c.req.query('q') ?? '';
  const wantsVideo = /^(true|1|yes)$/i.test(c.req.query('video') ?? 'false');
  try {
    const track = await resolveTrackFor(c, query, wantsVideo ? 'video' : 'audio');
    const { video } = track;
    const hit = track.cache.status === 'hit' ? track.cache.entry : null;
    return c.json({
      id: video.id,
      title: video.title,
      duration: video.duration,
      link: `https://www.youtube.com/watch?v=${video.id}`,
      channel: video.channel,
      views: video.views,
      thumbnail: video.thumbnail,
      stream_url: track.stream.path,
      direct_url: new URL(c.req.url).origin + track.stream.path,
      stream_type: wantsVideo ? 'Video' : 'Audio',
      cached: hit !== null,
      telegram_cached: hit !== null,
      telegram_file_id: hit?.file_id ?? null,
    });
  } catch (error) {
    const appError = toAppError(error);
    const status = compatStatus(appError);
    if (appError.status >= 500) c.get('logger').error('request.failed', { code: appError.code, path: c.req.path });
    return c.json({ error: appError.message }, status as 400, { ...appError.headers, 'X-Error-Code': appError.code });
  }
});

/** The original's statuses: 400 bad query, 404 nothing playable, 500 our failure; auth and limits keep theirs. */
function compatStatus(error: AppError): number {
  if (error.status >= 500) return 500;
  if (error.code.startsWith('query.') || error.code === 'request.invalid') return 400;
  if ([401, 403, 429].includes(error.status) && !error.code.startsWith('video.')) return error.status;
  return 404;
}
