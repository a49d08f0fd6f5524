import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { validate } from '../../middleware/validate';
import { MAX_QUERY_LENGTH } from '../../query/parse-query';
import { messageUrl } from '../../telegram-cache/telegram-cache';
import { resolveBotTrack } from './bot-track';
import { describe } from '../describe';

/**
 * The Fallen API's `GET /api/track?url=<YouTube URL>` (YukkiMusic
 * internal/platforms/fallenapi.go, TgMusicBot src/core/dl/api.go), key as
 * `api_key=` or `X-API-Key`. Both read `cdnurl`: a `https://t.me/<user>/<msg>`
 * link is fetched through their Telegram client, anything else downloaded
 * over plain HTTP (Yukki) or handed to the call library as it is (TgMusicBot),
 * so it is our file link (`/file/<token>`: plays with no headers, and its
 * Content-Disposition names TgMusicBot's file `<id>.<ext>`). Their timeouts are
 * 10–20 s: this never waits for an upload. TgMusicBot asks twice per play,
 * the second time for `https://www.youtube.com/watch?v=<id of the first answer>`.
 */
const TrackQuerySchema = z.object({
  url: z.string().max(MAX_QUERY_LENGTH + 1000).optional(),
  query: z.string().max(MAX_QUERY_LENGTH + 1000).optional(),
});

export const fallenRoute = new Hono<AppEnv>().get('/api/track', describe({ tag: 'compat', auth: 'key', summary: 'Fallen / TgMusicBot: a track and its CDN URL', description: 'cdnurl is the Telegram post when the track is cached in a public channel, else a file link of this service; never waits for an upload.', errors: ['request.invalid', 'video.not_found', 'video.unavailable', 'youtube.unavailable'] }), validate('query', TrackQuerySchema), async (c) => {
  const { url, query } = c.req.valid('query');
  const { track, fileUrl } = await resolveBotTrack(c, url ?? query ?? '', 'audio');
  const hit = track.cache.status === 'hit' ? track.cache.entry : null;
  const telegramLink = hit ? messageUrl(hit) : null;
  return c.json({
    id: track.video.id,
    url: `https://www.youtube.com/watch?v=${track.video.id}`,
    platform: 'youtube',
    cdnurl: telegramLink ?? fileUrl,
  });
});
