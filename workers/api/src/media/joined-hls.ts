import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { JOINED_HLS_MIME, joinedHlsBody, planHlsJoin, type HlsJoinOptions } from '../../../core/src/stream/hls-join';
import { RELAY_SAFETY_HEADERS } from '../../../core/src/stream/media-type';
import { isAllowedStreamHost, mediaFetch } from '../../../core/src/stream/upstream-hosts';

/**
 * A video YouTube offers only as HLS, as one MPEG-TS file (core/src/stream/hls-join.ts),
 * for the bots that download or play a single file. Its length is not known
 * before the last segment, so there is no Content-Length, and a Range is
 * answered with the whole file (200), which players and ffmpeg accept.
 * (serveTrackFile adds a Content-Disposition where a family reads one.)
 */
export async function serveJoinedHls(c: Context<AppEnv>, videoId: string): Promise<Response> {
  const { video } = await c.get('youtube').resolve(videoId);
  if (video.isLive) throw new AppError('video.no_formats', 'This is a live stream: it has no end to save as one file; play its HLS stream instead.');
  if (!video.hlsManifestUrl) throw new AppError('video.no_formats', 'This video has no HLS stream to join.');
  const joinOptions: HlsJoinOptions = {
    fetch: mediaFetch(c.get('outbound'), c.get('config').FALLBACK_INSTANCES),
    checkUrl: (url) => {
      if (!isAllowedStreamHost(new URL(url), c.get('config').FALLBACK_INSTANCES)) {
        c.get('logger').warn('stream.host_forbidden', { host: new URL(url).host });
        throw new AppError('stream.host_forbidden', 'The stream points to a host this service does not fetch from.');
      }
    },
    waitUntil: (work) => c.executionCtx.waitUntil(work),
  };
  const plan = await planHlsJoin(video.hlsManifestUrl, joinOptions);
  const headers = new Headers({ ...RELAY_SAFETY_HEADERS, 'Content-Type': JOINED_HLS_MIME, 'Accept-Ranges': 'none', 'Cache-Control': 'private, max-age=3600' });
  if (c.req.method === 'HEAD') return new Response(null, { headers });
  return new Response(await joinedHlsBody(plan, joinOptions), { headers });
}
