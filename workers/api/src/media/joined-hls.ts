import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { JOINED_HLS_MIME, joinedHlsBody, planHlsJoin, type HlsJoinOptions, type HlsJoinPlan } from '../../../core/src/stream/hls-join';
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
 * Playlists and segments are fetched as the client that minted the manifest; a
 * manifest googlevideo refuses sends the join down the next route (route-walk.ts).
 */
export async function serveJoinedHls(c: Context<AppEnv>, videoId: string): Promise<Response> {
  const youtube = c.get('youtube');
  const watch = new StreamHealthWatch(youtube.health);
  const walk = new RouteWalk(watch, async (skipClients) => (await youtube.resolve(videoId, { fresh: true, skipClients })).video);
  let { video } = await youtube.resolve(videoId);
  walk.began(video);
  const checkUrl = (url: string) => {
    if (!isAllowedStreamHost(new URL(url), c.get('config').FALLBACK_INSTANCES)) {
      c.get('logger').warn('stream.host_forbidden', { host: new URL(url).host });
      throw new AppError('stream.host_forbidden', 'The stream points to a host this service does not fetch from.');
    }
  };
  for (;;) {
    if (video.isLive) throw new AppError('video.no_formats', 'This is a live stream: it has no end to save as one file; play its HLS stream instead.');
    if (!video.hlsManifestUrl) throw new AppError('video.no_formats', 'This video has no HLS stream to join.');
    const joinOptions: HlsJoinOptions = {
      fetch: watch.wrap(fetchingAs(mediaFetch(c.get('outbound'), c.get('config').FALLBACK_INSTANCES), mediaHeadersOf(video))),
      checkUrl,
      waitUntil: (work) => c.executionCtx.waitUntil(work),
    };
    const refusedBefore = watch.refused.length;
    let plan: HlsJoinPlan;
    try {
      plan = await planHlsJoin(watch.track({ url: video.hlsManifestUrl }, video).url, joinOptions);
    } catch (error) {
      if (watch.refused.length === refusedBefore) throw error;
      video = await walk.next();
      continue;
    }
    const headers = new Headers({ ...RELAY_SAFETY_HEADERS, 'Content-Type': JOINED_HLS_MIME, 'Accept-Ranges': 'none', 'Cache-Control': 'private, max-age=3600' });
    if (c.req.method === 'HEAD') return new Response(null, { headers });
    return new Response(await joinedHlsBody(plan, joinOptions), { headers });
  }
}
