import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { serveTrackFile } from '../../media/track-file';
import { verifiedClaims } from '../stream';
import { describe } from '../describe';

/**
 * `GET, HEAD /file/<token>`: the track as one downloadable file, for the bot
 * shapes that hand out a link (NexGen, DeadlineTech, YTProxy). The same bytes
 * as `/stream/<token>`, with `Content-Disposition: attachment; filename="<id>.<ext>"`;
 * a video offered only as HLS comes as one MPEG-TS file, never a playlist.
 */
export const fileRoute = new Hono<AppEnv>().on(['GET', 'HEAD'], '/file/:token', describe({ tag: 'stream', auth: 'link', summary: 'A track as one downloadable file', description: 'The same bytes as /stream/{token}, with Content-Disposition: attachment; filename="<id>.<ext>"; an HLS-only video is one MPEG-TS file.', success: { description: 'The file (Range requests answer 206)', media: 'application/octet-stream' }, errors: ['stream.token_invalid', 'stream.token_expired', 'stream.range_not_satisfiable', 'stream.upstream', 'rate.limited', 'stream.too_many_restarts'] }), async (c) => {
  return serveTrackFile(c, await verifiedClaims(c), { attachment: true });
});
