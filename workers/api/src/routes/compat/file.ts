import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { serveTrackFile } from '../../media/track-file';
import { verifiedClaims } from '../stream';

/**
 * `GET, HEAD /file/<token>`: the track as one downloadable file, for the bot
 * shapes that hand out a link (NexGen, DeadlineTech, YTProxy). The same bytes
 * as `/stream/<token>`, with `Content-Disposition: attachment; filename="<id>.<ext>"`;
 * a video offered only as HLS comes as one MPEG-TS file, never a playlist.
 */
export const fileRoute = new Hono<AppEnv>().on(['GET', 'HEAD'], '/file/:token', async (c) => {
  return serveTrackFile(c, await verifiedClaims(c), { attachment: true });
});
