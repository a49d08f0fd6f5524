import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { validate } from '../../middleware/validate';
import { MAX_QUERY_LENGTH } from '../../query/parse-query';
import { AppError } from '../../../../core/src/errors';
import { messageUrl } from '../../telegram-cache/telegram-cache';
import { resolveTrackFor } from '../resolve';
import { fileUrlOf, flag } from './bot-track';
import { describe } from '../describe';

/**
 * `GET /youtube?query=&video=true|false`: the original Flask service's answer
 * (Probotsvip/Hai routes/api.py), so bots written for it switch without
 * changes. `stream_url` is absolute: its bots hand it straight to PyTgCalls;
 * a video is one file (an HLS-only one joined into MPEG-TS), never a playlist.
 * A cache hit adds `telegram_url`, the channel post's t.me link (the original
 * put a Bot API file URL carrying its bot token there). Errors are
 * original-errors.ts's `{"error": "<message>"}`.
 */
const YoutubeQuerySchema = z.object({
  query: z.string().max(MAX_QUERY_LENGTH + 1000).optional(),
  q: z.string().max(MAX_QUERY_LENGTH + 1000).optional(),
  video: flag,
});

export const originalRoute = new Hono<AppEnv>().get('/youtube', describe({ tag: 'compat', auth: 'key', summary: 'The original service: resolve a track', description: 'The Flask service\'s answer shape; every error is {"error": "<message>"}, key failures 401.', errors: ['request.invalid', 'query.missing', 'video.not_found', 'youtube.unavailable'] }), validate('query', YoutubeQuerySchema), async (c) => {
  const input = c.req.valid('query');
  const query = input.query ?? input.q ?? '';
  if (!query.trim()) throw new AppError('query.missing', 'Query parameter is required');
  const wantsVideo = input.video;
  const track = await resolveTrackFor(c, query, wantsVideo ? 'video' : 'audio');
  const { video } = track;
  const hit = track.cache.status === 'hit' ? track.cache.entry : null;
  // Its bots may save the stream as a file: an HLS-only video is given as one MPEG-TS file, never a playlist.
  const joined = track.stream.delivery === 'hls' && !video.isLive;
  const streamUrl = joined ? fileUrlOf(c, track.stream.path.slice('/stream/'.length)) : new URL(c.req.url).origin + track.stream.path;
  return c.json({
    id: video.id,
    title: video.title,
    duration: video.duration,
    link: `https://www.youtube.com/watch?v=${video.id}`,
    channel: video.channel,
    views: video.views,
    thumbnail: video.thumbnail,
    stream_url: streamUrl,
    // The original's googlevideo URL works only from the IP that resolved it: ours plays anywhere.
    direct_url: streamUrl,
    stream_type: wantsVideo ? 'Video' : 'Audio',
    cached: hit !== null,
    telegram_cached: hit !== null,
    telegram_file_id: hit?.file_id ?? null,
    ...(hit ? { telegram_url: messageUrl(hit) } : {}),
  });
});
