import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { proxyMedia, type ProxySource } from '../../../core/src/stream/chunked-proxy';
import { RouteWalk } from '../../../core/src/stream/route-walk';
import { StreamHealthWatch } from '../../../core/src/stream/stream-health';
import type { StreamClaims } from '../../../core/src/stream/token';
import { mediaType } from '../../../core/src/stream/media-type';
import { isAllowedStreamHost, mediaFetch } from '../../../core/src/stream/upstream-hosts';
import { serveCachedStream } from '../telegram-cache/cached-stream';
import { serveJoinedHls } from './joined-hls';
import { bestAudio, bestProgressive } from '../../../core/src/youtube/formats';
import { mediaHeadersOf } from '../../../core/src/youtube/media-headers';
import type { ResolvedVideo, StreamFormat } from '../../../core/src/youtube/types';

/**
 * The bytes of one track as one file, for `/stream/<token>` and for every
 * bot shape that downloads a file: a Telegram-cached copy when the link is a
 * cache link and the channel still has it, else the YouTube format, proxied in
 * ≤ STREAM_CHUNK_BYTES ranges (never a redirect: googlevideo URLs are locked
 * to the IP that resolved them). GET and HEAD, single ranges.
 *
 * A video that YouTube offers only as HLS becomes one file too: the segments of
 * one variant joined into a single MPEG-TS stream (`serveHlsVideoAsOneFile`).
 */
export interface TrackFileOptions {
  /** Sends `Content-Disposition: attachment; filename="<id>.<ext>"`, the extension from the type served. */
  attachment?: boolean;
}

export async function serveTrackFile(c: Context<AppEnv>, claims: StreamClaims, options: TrackFileOptions = {}): Promise<Response> {
  const response = await trackBytes(c, claims);
  if (!options.attachment) return response;
  const headers = new Headers(response.headers);
  headers.set('Content-Disposition', attachmentFor(claims.videoId, headers.get('Content-Type')));
  return new Response(response.body, { status: response.status, headers });
}

async function trackBytes(c: Context<AppEnv>, claims: StreamClaims): Promise<Response> {
  if (claims.delivery === 'hls') return serveHlsVideoAsOneFile(c, claims);
  if (claims.delivery === 'telegram') {
    const cached = await serveCachedStream(c, claims);
    if (cached) return cached;
  }
  const youtube = c.get('youtube');
  // A 403 on a client's first URL fetch marks that client; the walk's next resolve skips it.
  const watch = new StreamHealthWatch(youtube.health);
  const walk = new RouteWalk(watch, async (skipClients) => (await youtube.resolve(claims.videoId, { fresh: true, skipClients })).video);
  const sourceOf = (video: ResolvedVideo): ProxySource | 'hls' | null => {
    const format = formatFor(video, claims);
    if (!format) {
      // A cache link of a video with no progressive format: what a resolve would stream is HLS.
      if (claims.delivery === 'telegram' && claims.type === 'video' && video.hlsManifestUrl) return 'hls';
      return null;
    }
    const mime = mediaType(format.mime, claims.type === 'audio' ? 'audio/mp4' : 'video/mp4');
    return watch.track(checkedSource({ url: format.url, size: format.size, mime, headers: mediaHeadersOf(video) }, c), video);
  };
  const gone = () => new AppError('stream.token_expired', 'This format is no longer offered; resolve the track again.');
  const { video } = await youtube.resolve(claims.videoId);
  walk.began(video);
  const source = sourceOf(video) ?? sourceOf(await walk.next());
  if (source === 'hls') return serveHlsVideoAsOneFile(c, claims);
  if (!source) throw gone();
  return proxyMedia(source, {
    fetch: watch.wrap(mediaFetch(c.get('outbound'), c.get('config').FALLBACK_INSTANCES)),
    chunkBytes: c.get('config').STREAM_CHUNK_BYTES,
    refresh: async () => {
      const next = sourceOf(await walk.next());
      if (next === 'hls' || !next) throw gone();
      return next;
    },
    method: c.req.method === 'HEAD' ? 'HEAD' : 'GET',
    rangeHeader: c.req.header('Range') ?? null,
    waitUntil: (work) => c.executionCtx.waitUntil(work),
  });
}

/** A video YouTube offers only as HLS, as one playable file: one variant's segments joined into MPEG-TS (media/joined-hls.ts). */
export function serveHlsVideoAsOneFile(c: Context<AppEnv>, claims: StreamClaims): Promise<Response> {
  return serveJoinedHls(c, claims.videoId);
}

/** A cache link names no YouTube format: its fallback is what a resolve of that type would stream. */
function formatFor(video: ResolvedVideo, claims: StreamClaims): StreamFormat | undefined {
  if (claims.delivery !== 'telegram') return video.formats.find((candidate) => candidate.itag === claims.itag);
  return claims.type === 'audio' ? bestAudio(video.formats) : bestProgressive(video.formats);
}

export function checkedSource(source: ProxySource, c: Context<AppEnv>): ProxySource {
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    throw new AppError('stream.host_forbidden', 'The stream points to an invalid address.');
  }
  if (!isAllowedStreamHost(url, c.get('config').FALLBACK_INSTANCES)) {
    c.get('logger').warn('stream.host_forbidden', { host: url.host });
    throw new AppError('stream.host_forbidden', 'The stream points to a host this service does not fetch from.');
  }
  return source;
}

const EXTENSIONS: Record<string, string> = {
  'audio/webm': 'webm',
  'audio/mp4': 'm4a',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/mp2t': 'ts',
  // An HLS video is downloaded as its variant joined into one MPEG-TS file.
  'application/vnd.apple.mpegurl': 'ts',
};

/** The file extension of a media type: `audio/webm; codecs="opus"` → `webm`. */
export function extensionOf(mime: string | null | undefined, type: 'audio' | 'video' = 'audio'): string {
  const essence = (mime ?? '').split(';')[0]!.trim().toLowerCase();
  return EXTENSIONS[essence] ?? (type === 'video' ? 'mp4' : 'm4a');
}

export function attachmentFor(videoId: string, mime: string | null | undefined): string {
  const type = (mime ?? '').startsWith('video/') ? 'video' : 'audio';
  return `attachment; filename="${videoId}.${extensionOf(mime, type)}"`;
}
