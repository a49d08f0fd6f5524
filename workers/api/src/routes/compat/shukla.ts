import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import { validate } from '../../middleware/validate';
import { MAX_QUERY_LENGTH } from '../../query/parse-query';
import { channelPostLink, privateChannelError } from '../../telegram-cache/channel-link';
import { TelegramCache } from '../../telegram-cache/telegram-cache';
import { resolveTrackFor } from '../resolve';
import { describe } from '../describe';

/**
 * The Stranger / SHUKLA shape (Skssssee/APIMUSIC SHUKLAMUSIC/platforms/Youtube.py):
 * `GET /download/audio?video_id=&api_key=` and `/download/video?…`, answering
 * `{"telegram_url": "https://t.me/<channel>/<message id>"}`. The bot parses
 * that with urlparse (so the scheme is needed), takes the path's two parts as
 * channel and message id, and downloads the post through its own Telegram
 * client: the track must be in our channel, and a public one. A first request
 * waits for the upload, TELEGRAM_LINK_WAIT_SECONDS at most, well inside the
 * bot's 60 s total timeout. Any status but 200 is a failure to it.
 */
const DownloadQuerySchema = z.object({
  video_id: z.string().max(MAX_QUERY_LENGTH + 1000).optional(),
  url: z.string().max(MAX_QUERY_LENGTH + 1000).optional(),
  query: z.string().max(MAX_QUERY_LENGTH + 1000).optional(),
});

const describeDownload = (type: 'audio' | 'video') =>
  describe({ tag: 'compat', auth: 'key', summary: `Stranger / SHUKLA: the track's ${type} as a Telegram post`, description: `{status: "cached"|"uploaded", telegram_url: "https://t.me/<channel>/<message id>", video_id, type: "${type}", title, duration}; the track is video_id, url or query. Waits for the upload up to TELEGRAM_LINK_WAIT_SECONDS.`, errors: ['request.invalid', 'telegram.channel_private', 'telegram.upload_pending', 'telegram.upload_failed', 'telegram.disabled', 'cache.too_many_pending'] });

// One route per type (not /download/:type), so that /openapi.json names /download/audio and /download/video as bots call them.
export const shuklaRoute = new Hono<AppEnv>()
  .get('/download/audio', describeDownload('audio'), validate('query', DownloadQuerySchema), (c) => answerDownload(c, 'audio', c.req.valid('query')))
  .get('/download/video', describeDownload('video'), validate('query', DownloadQuerySchema), (c) => answerDownload(c, 'video', c.req.valid('query')));

async function answerDownload(c: Context<AppEnv>, type: 'audio' | 'video', { video_id, url, query }: z.output<typeof DownloadQuerySchema>): Promise<Response> {
  const cache = TelegramCache.of(c);
  if (!(await cache.enabled())) {
    throw new AppError('telegram.disabled', 'This service runs without its Telegram channel, and this route answers only with channel posts.');
  }
  // Said at once, before any upload: no post of a private channel would be of use.
  if ((await cache.channelPublic()) === false) throw privateChannelError();
  const track = await resolveTrackFor(c, video_id ?? url ?? query ?? '', type, { capUploads: true });
  // The search, the resolve and the upload are done or queued: the unit stays spent, whatever the wait ends in.
  c.set('keepCharge', true);
  if (track.video.isLive) throw new AppError('video.no_formats', 'This is a live stream: it cannot be put in the Telegram channel as a file.');
  const post = await channelPostLink(cache, track.video.id, type, track.cache, {
    waitMs: c.get('config').TELEGRAM_LINK_WAIT_SECONDS * 1000,
    withReason: c.get('principal')?.tier === 'admin',
  });
  return c.json({
    status: post.waited ? 'uploaded' : 'cached',
    telegram_url: post.url,
    video_id: track.video.id,
    type,
    title: post.entry.title ?? track.video.title,
    duration: post.entry.duration ?? track.video.duration,
  });
}
