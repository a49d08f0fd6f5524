import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import type { ErrorShape } from '../../middleware/error-shape';
import { validate } from '../../middleware/validate';
import { serveTrackFile } from '../../media/track-file';
import { MAX_QUERY_LENGTH } from '../../query/parse-query';
import { verifiedClaims } from '../stream';
import { resolveBotTrack, shortLivedToken } from './bot-track';
import { describe } from '../describe';

/**
 * The Shruti family (`SHRUTI_API_URL`, ShrutiMusic/platforms/Youtube.py):
 *
 * - newest clients: `GET /download?url=<id or URL>&type=audio|video&api_key=<key>`
 *   and save the answer body as the file (`<id>.mp3` / `<id>.mp4` whatever the
 *   container; aiohttp timeouts 300 s / 600 s). One version hands this URL to
 *   ffmpeg, which reads it in byte ranges: only the request for the first byte
 *   spends quota.
 * - older clients send no key (so their owners put it in the base URL,
 *   `/k/<key>`): `GET /download?url=&type=` answers `{"download_token": "…"}`
 *   (read within 7 s), then `GET /stream/<id>?type=&token=<download token>`
 *   or the same with `X-Download-Token`. An 11-character id there is this
 *   form; our own stream tokens are far longer and contain a dot.
 *
 * Which answer /download gives: a key in the query means the newest client.
 */
const DOWNLOAD_TOKEN_TTL_SECONDS = 30 * 60;
export const SHRUTI_STREAM_PATH = '/stream/:id{[A-Za-z0-9_-]{11}}';

const DownloadQuerySchema = z.object({
  url: z.string().max(MAX_QUERY_LENGTH + 1000).default(''),
  type: z.enum(['audio', 'video']).default('audio'),
});

const StreamQuerySchema = z.object({
  type: z.enum(['audio', 'video']).optional(),
  token: z.string().max(2000).optional(),
});

export const shrutiErrors: ErrorShape = (error) => ({
  status: error.status,
  body: { status: 'error', error: error.message, code: error.code },
});

export const shrutiRoute = new Hono<AppEnv>()
  .get('/download', describe({ tag: 'compat', auth: 'key', summary: 'Shruti: the file itself, or a download token', description: 'With a key: the track file as the body. Without one (older clients): {download_token} for /stream/{id}?token=.', success: { description: 'The file, or {download_token}', media: 'application/octet-stream' }, errors: ['request.invalid', 'video.not_found', 'youtube.unavailable'] }), validate('query', DownloadQuerySchema), async (c) => {
    const { url, type } = c.req.valid('query');
    const bot = await resolveBotTrack(c, url, type);
    if (keyInQuery(c.req.query())) return serveTrackFile(c, bot.claims, { attachment: true });
    const id = bot.track.video.id;
    const downloadToken = await shortLivedToken(bot.claims, c.get('config').STREAM_SIGNING_KEY, DOWNLOAD_TOKEN_TTL_SECONDS);
    return c.json({
      status: 'success',
      video_id: id,
      type,
      title: bot.track.video.title,
      duration: bot.track.video.duration,
      download_token: downloadToken,
      stream_url: `/stream/${id}?type=${type}&token=${encodeURIComponent(downloadToken)}`,
    });
  })
  .on(['GET', 'HEAD'], SHRUTI_STREAM_PATH, describe({ tag: 'compat', auth: 'link', summary: 'Shruti: the file of a download token', description: 'The token comes as ?token= or X-Download-Token.', success: { description: 'The file', media: 'application/octet-stream' }, errors: ['request.invalid', 'stream.token_invalid', 'stream.token_expired'] }), validate('query', StreamQuerySchema), async (c) => {
    const { type, token: queryToken } = c.req.valid('query');
    const token = queryToken ?? c.req.header('X-Download-Token');
    if (!token) throw new AppError('stream.token_invalid', 'Send the download token from /download as ?token= or X-Download-Token.');
    const claims = await verifiedClaims(c, token.trim());
    if (claims.videoId !== c.req.param('id') || (type && type !== claims.type)) {
      throw new AppError('stream.token_invalid', 'This download token is for another track or type.');
    }
    return serveTrackFile(c, claims, { attachment: true });
  });

function keyInQuery(query: Record<string, string>): boolean {
  return ['api_key', 'api', 'key'].some((name) => Boolean(query[name]?.trim()));
}
