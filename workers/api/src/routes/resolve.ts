import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { resolveTrack, type ResolvedTrack, type StreamLink } from '../media/resolve-track';
import { validate } from '../middleware/validate';
import { MAX_QUERY_LENGTH } from '../query/parse-query';
import { startTime, endTime } from 'hono/timing';
import { pendingUploadHold } from '../telegram-cache/pending-uploads';
import { describeCache, TelegramCache } from '../telegram-cache/telegram-cache';
import { describe } from './describe';

/** `GET /v1/resolve?query=&type=audio|video`: metadata and a stream link of our own. */
export const ResolveQuerySchema = z.object({
  query: z.string().max(MAX_QUERY_LENGTH + 1000).default(''),
  type: z.enum(['audio', 'video']).default('audio'),
});

export const resolveRoute = new Hono<AppEnv>().get('/v1/resolve', describe({ tag: 'resolve', auth: 'key', summary: 'Resolve a YouTube URL, id or search text', description: 'Metadata and a signed stream link of this service (audio, or video with type=video).', errors: ['request.invalid', 'query.missing', 'query.too_long', 'query.unsupported_url', 'video.not_found', 'video.private', 'video.unavailable', 'video.region_restricted', 'video.age_restricted', 'video.paid', 'video.live_audio', 'video.no_formats', 'search.no_results', 'youtube.login', 'youtube.bot_check', 'youtube.unavailable', 'upstream.timeout'] }), validate('query', ResolveQuerySchema), async (c) => {
  const { query, type } = c.req.valid('query');
  startTime(c, 'resolve');
  const track = await resolveTrackFor(c, query, type);
  endTime(c, 'resolve');
  const origin = new URL(c.req.url).origin;
  const describe = (link: StreamLink | null) =>
    link && {
      url: origin + link.path,
      mime: link.mime,
      bitrate: link.bitrate,
      size: link.size,
      expires_at: new Date(link.expiresAt * 1000).toISOString(),
    };
  const { video } = track;
  return c.json({
    id: video.id,
    title: video.title,
    duration: video.duration,
    channel: video.channel,
    views: video.views,
    thumbnail: video.thumbnail,
    link: `https://www.youtube.com/watch?v=${video.id}`,
    type: track.type,
    is_live: video.isLive,
    stream: { ...describe(track.stream)!, delivery: track.stream.delivery },
    formats: { video_only: describe(track.videoOnly), audio_only: describe(track.audioOnly) },
    cached: track.cache.status === 'hit',
    cache: describeCache(track.cache, { withReason: c.get('principal')?.tier === 'admin' }),
    metadata_cache: track.fromCache ? 'hit' : 'miss',
  });
});

/** resolveTrack with this request's services; records the cache outcome for the request log. */
export async function resolveTrackFor(c: Context<AppEnv>, query: string, type: 'audio' | 'video', options: { capUploads?: boolean } = {}): Promise<ResolvedTrack> {
  const track = await resolveTrack(query, type, {
    youtube: c.get('youtube'),
    config: c.get('config'),
    keyHash: c.get('principal')?.keyHash ?? null,
    telegramCache: TelegramCache.of(c),
    ...(options.capUploads ? { uploadHold: pendingUploadHold(c) } : {}),
  });
  // The Telegram channel's outcome when it is on; without it, the metadata cache's (YouTube asked or not),
  // so the dashboard's hit ratio tells an operator something on every install.
  if (track.cache.status === 'hit') c.set('cacheOutcome', 'hit');
  else if (track.cache.status !== 'disabled') c.set('cacheOutcome', 'miss');
  else c.set('cacheOutcome', track.fromCache ? 'hit' : 'miss');
  return track;
}
