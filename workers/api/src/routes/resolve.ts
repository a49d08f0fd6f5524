import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { resolveTrack, type StreamLink } from '../media/resolve-track';
import { validate } from '../middleware/validate';
import { MAX_QUERY_LENGTH } from '../query/parse-query';
import { startTime, endTime } from 'hono/timing';

/** `GET /v1/resolve?query=&type=audio|video`: metadata and a stream link of our own. */
export const ResolveQuerySchema = z.object({
  query: z.string().max(MAX_QUERY_LENGTH + 1000).default(''),
  type: z.enum(['audio', 'video']).default('audio'),
});

export const resolveRoute = new Hono<AppEnv>().get('/v1/resolve', validate('query', ResolveQuerySchema), async (c) => {
  const { query, type } = c.req.valid('query');
  startTime(c, 'resolve');
  const track = await resolveTrack(query, type, c.get('youtube'), c.get('config'), c.get('principal')?.keyHash ?? null);
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
    cached: false,
    cache: { status: 'disabled' },
    metadata_cache: track.fromCache ? 'hit' : 'miss',
  });
});
