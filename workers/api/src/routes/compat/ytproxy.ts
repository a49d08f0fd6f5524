import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import type { ErrorShape } from '../../middleware/error-shape';
import { deferredToken, fileUrlOf, resolveBotTrack } from './bot-track';
import { describe } from '../describe';

/**
 * YTProxy (`YTPROXY_URL`, WCGKING/BrandrdXMusic history): `GET /info/<id>` with
 * header `x-api-key`, answering `{"status": "success", "audio_url", "video_url", …}`
 * or `{"status": "error", "message"}`; the bot then downloads one of the two
 * URLs, sending the same header (timeouts 7–60 s for the info call). One answer
 * names both files, so the audio is resolved now and the video link is a
 * deferred one, resolved when (and if) it is downloaded.
 */
export const ytproxyErrors: ErrorShape = (error) => ({
  status: error.status,
  body: { status: 'error', message: error.message, code: error.code },
});

export const ytproxyRoute = new Hono<AppEnv>().get('/info/:id', describe({ tag: 'compat', auth: 'key', summary: 'YTProxy: audio and video URLs of a track', description: '{status: "success", audio_url, video_url, …}; the key is the x-api-key header.', errors: ['video.not_found', 'video.unavailable', 'youtube.unavailable'] }), async (c) => {
  const bot = await resolveBotTrack(c, c.req.param('id'), 'audio');
  const { video } = bot.track;
  const videoToken = await deferredToken(bot.claims, 'video', c.get('config').STREAM_SIGNING_KEY);
  return c.json({
    status: 'success',
    id: video.id,
    title: video.title,
    duration: video.duration,
    channel: video.channel,
    thumbnail: video.thumbnail,
    audio_url: bot.fileUrl,
    audio_format: bot.format,
    video_url: fileUrlOf(c, videoToken),
  });
});
