import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { serveJoinedHls } from '../media/joined-hls';
import { verifiedClaims } from './stream';

/**
 * `/stream/<token>/<video id>.ts`: the video of an HLS stream link as one
 * MPEG-TS file, never a playlist (media/joined-hls.ts). Same token, same
 * key check and expiry as the playlist it stands for.
 */
export const streamFileRoute = new Hono<AppEnv>().on(['GET', 'HEAD'], '/stream/:token/:file{[A-Za-z0-9_-]{11}\\.ts}', async (c) => {
  const claims = await verifiedClaims(c);
  if (claims.delivery !== 'hls') throw new AppError('stream.token_invalid', 'This stream link is not an HLS stream.');
  if (c.req.param('file') !== `${claims.videoId}.ts`) throw new AppError('route.not_found', 'This link names another video than its token.');
  return serveJoinedHls(c, claims.videoId, { filename: `${claims.videoId}.ts` });
});

/** The one-file form of an HLS stream link path (`/stream/<token>`). */
export function joinedFilePath(streamPath: string, videoId: string): string {
  return `${streamPath}/${videoId}.ts`;
}
