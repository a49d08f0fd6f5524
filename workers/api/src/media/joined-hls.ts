import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { JOINED_HLS_MIME, type HlsJoinOptions } from '../../../core/src/stream/hls-join';
import { joinAlongRoutes } from '../../../core/src/stream/hls-join-walk';
import { RELAY_SAFETY_HEADERS } from '../../../core/src/stream/media-type';
import { RouteWalk } from '../../../core/src/stream/route-walk';
import { StreamHealthWatch } from '../../../core/src/stream/stream-health';
import { isAllowedStreamHost, mediaFetch } from '../../../core/src/stream/upstream-hosts';
import { fetchingAs, mediaHeadersOf } from '../../../core/src/youtube/media-headers';

/**
 * A video YouTube offers only as HLS, as one MPEG-TS file (core/src/stream/hls-join.ts),
 * for the bots that download or play a single file. Its length is not known
 * before the last segment, so there is no Content-Length, and a Range is
 * answered with the whole file (200), which players and ffmpeg accept.
 * (serveTrackFile adds a Content-Disposition where a family reads one.)
 * Playlists and segments are fetched as the client that minted the manifest; googlevideo
 * refusing the manifest, a variant playlist or a segment before the answer starts sends the join
 * down the next route (hls-join-walk.ts).
 */
export async function serveJoinedHls(c: Context<AppEnv>, videoId: string): Promise<Response> {
  const youtube = c.get('youtube');
  const watch = new StreamHealthWatch(youtube.health);
  const walk = new RouteWalk(watch, async (skipClients) => (await youtube.resolve(videoId, { fresh: true, skipClients })).video);
  const { video } = await youtube.resolve(videoId);
  walk.began(video);
  const checkUrl = (url: string) => {
    if (!isAllowedStreamHost(new URL(url), c.get('config').FALLBACK_INSTANCES)) {
      c.get('logger').warn('stream.host_forbidden', { host: new URL(url).host });
      throw new AppError('stream.host_forbidden', 'The stream points to a host this service does not fetch from.');
    }
  };
  if (video.isLive) throw new AppError('video.no_formats', 'This is a live stream: it has no end to save as one file; play its HLS stream instead.');
  const optionsFor = (route: typeof video): HlsJoinOptions => ({
    fetch: fetchingAs(mediaFetch(c.get('outbound'), c.get('config').FALLBACK_INSTANCES), mediaHeadersOf(route)),
    checkUrl,
    waitUntil: (work) => c.executionCtx.waitUntil(work),
  });
  const head = c.req.method === 'HEAD';
  const joined = await joinAlongRoutes(video, walk, optionsFor, { body: !head });
  const headers = new Headers({ ...RELAY_SAFETY_HEADERS, 'Content-Type': JOINED_HLS_MIME, 'Accept-Ranges': 'none', 'Cache-Control': 'private, max-age=3600' });
  return new Response(joined.body, { headers });
}
