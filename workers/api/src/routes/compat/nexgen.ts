import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../env';
import type { ErrorShape } from '../../middleware/error-shape';
import { resolveBotTrack } from './bot-track';
import { describe } from '../describe';

/**
 * The NexGen family (CyberPixelPro/AviaxMusic `anony/helpers/_api.py`):
 * `API_URL` + `GET /song/<id>?api=<key>`, `VIDEO_API_URL` + `GET /video/<id>?api=<key>`.
 *
 * The current client parses the body as JSON before it looks at the status,
 * reads only `status` and `link` (`"downloading"`: retry 10 times, 4 s apart;
 * anything else but `"done"` fails), then downloads `link` whole inside its
 * 40 s session timeout and names the file from `Content-Disposition` with
 * `filename="?(.+?)"?$`. Older clients name it `<id>.<format>` and log
 * `error` or `message` of a failed answer. We resolve at once, so the answer is
 * always `"done"`: the file is proxied while the bot downloads it.
 */
export const nexgenErrors: ErrorShape = (error) => ({
  status: error.status,
  body: { status: 'error', error: error.message, message: error.message, code: error.code },
});

async function answer(c: Context<AppEnv>, type: 'audio' | 'video') {
  const bot = await resolveBotTrack(c, c.req.param('id') ?? '', type);
  const { video } = bot.track;
  return c.json({
    status: 'done',
    link: bot.fileUrl,
    format: bot.format,
    video_id: video.id,
    title: video.title,
    duration: video.duration,
  });
}

export const nexgenRoute = new Hono<AppEnv>()
  .get('/song/:id', describe({ tag: 'compat', auth: 'key', summary: 'NexGen (AviaxMusic): an audio track', description: '{status: "done", link, format, title, duration}; the key is ?api=.', errors: ['video.not_found', 'video.unavailable', 'youtube.unavailable'] }), (c) => answer(c, 'audio'))
  .get('/video/:id', describe({ tag: 'compat', auth: 'key', summary: 'NexGen (AviaxMusic): a video track', description: 'As /song/{id}, for video.', errors: ['video.not_found', 'video.unavailable', 'youtube.unavailable'] }), (c) => answer(c, 'video'));
