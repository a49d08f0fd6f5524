import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { proxyMedia, type ProxySource } from '../../../core/src/stream/chunked-proxy';
import { isPlaylist, readPlaylist, rewritePlaylist, verifyProxiedUrl } from '../../../core/src/stream/hls';
import { HLS_PLAYLIST_TYPE, mediaType, RELAY_SAFETY_HEADERS } from '../../../core/src/stream/media-type';
import { copyLengthHeaders } from '../../../core/src/stream/range';
import { linkIdOf, verifyStreamToken, type StreamClaims } from '../../../core/src/stream/token';
import { limitIp, limitKey, refuseCountingIp } from '../middleware/rate-limit';
import { isAllowedStreamHost, mediaFetch } from '../../../core/src/stream/upstream-hosts';
import { serveCachedStream } from '../telegram-cache/cached-stream';
import { bestAudio, bestProgressive } from '../../../core/src/youtube/formats';
import type { ResolvedVideo, StreamFormat } from '../../../core/src/youtube/types';

/**
 * `/stream/<token>`: proxies the media bytes (never a redirect: googlevideo
 * URLs are locked to the IP that resolved them). GET and HEAD, single ranges.
 * `/stream/<token>/hls/<url>.<mac>` carries the playlists and segments of an HLS
 * stream: only URIs this service wrote into a playlist for this token (hls.ts).
 * Every fetch, redirects included, stays on the media hosts (upstream-hosts.ts).
 * A Telegram-cache link serves the channel's copy, and YouTube's when that is gone.
 */
export const streamRoute = new Hono<AppEnv>();

/**
 * A link minted for a key dies with the key: revoked or expired keys stop
 * streaming at once. A link's first request counts one unit of the key's
 * quota and one of its rate limit; the ranges and segments a player then asks
 * for only check the key (quota/quota-counter.ts `useLink`). A link without a
 * key counts per IP, on a request that starts the stream (no Range, or from
 * byte 0; not the HLS segments). A bad token counts per IP too.
 */
async function verifiedClaims(c: Context<AppEnv>): Promise<StreamClaims> {
  const token = c.req.param('token')!;
  const claims = await verifyStreamToken(token, c.get('config').STREAM_SIGNING_KEY).catch((error: unknown) => refuseCountingIp(c, error));
  if (!claims.keyHash || !c.get('config').REQUIRE_API_KEY) {
    if (startsStream(c)) await limitIp(c);
    return claims;
  }
  const keyGate = c.get('keyGate');
  const linkId = linkIdOf(token);
  const admission = await keyGate.admitLink(claims.keyHash, { id: linkId, expiresAt: claims.expiresAt * 1000 }, Date.now());
  c.set('principal', { kind: 'key', keyId: admission.key.id, keyHash: claims.keyHash, tier: admission.key.tier });
  if (admission.firstUse) {
    const release = () => keyGate.releaseLink(claims.keyHash!, admission.day, linkId);
    c.set('releaseFirstUse', release);
    await limitKey(c, admission.key.id).catch((error: unknown) => {
      c.executionCtx.waitUntil(release());
      throw error;
    });
  }
  return claims;
}

function startsStream(c: Context<AppEnv>): boolean {
  if (c.req.path.includes('/hls/')) return false;
  const range = c.req.header('Range');
  return !range || /^bytes=0-/i.test(range.trim());
}

/** A first request that failed on our side gives its unit back: the next request of the link is the first again. */
streamRoute.use('/stream/*', async (c, next) => {
  await next();
  const release = c.get('releaseFirstUse');
  if (release && c.res.status >= 500) c.executionCtx.waitUntil(release());
});

streamRoute.on(['GET', 'HEAD'], '/stream/:token', async (c) => {
  const claims = await verifiedClaims(c);
  if (claims.delivery === 'hls') return serveHlsManifest(c, claims);
  if (claims.delivery === 'telegram') {
    const cached = await serveCachedStream(c, claims);
    if (cached) return cached;
  }
  const youtube = c.get('youtube');
  const sourceFor = async (fresh: boolean): Promise<ProxySource> => {
    const { video } = await youtube.resolve(claims.videoId, { fresh });
    const format = formatFor(video, claims);
    if (!format) {
      if (!fresh) return sourceFor(true);
      throw new AppError('stream.token_expired', 'This format is no longer offered; resolve the track again.');
    }
    return checkedSource({ url: format.url, size: format.size, mime: mediaType(format.mime, claims.type === 'audio' ? 'audio/mp4' : 'video/mp4') }, c);
  };
  return proxyMedia(await sourceFor(false), {
    fetch: mediaFetch(c.get('outbound'), c.get('config').FALLBACK_INSTANCES),
    chunkBytes: c.get('config').STREAM_CHUNK_BYTES,
    refresh: () => sourceFor(true),
    method: c.req.method === 'HEAD' ? 'HEAD' : 'GET',
    rangeHeader: c.req.header('Range') ?? null,
    waitUntil: (work) => c.executionCtx.waitUntil(work),
  });
});

streamRoute.on(['GET', 'HEAD'], '/stream/:token/hls/:encoded', async (c) => {
  // The URI's HMAC first: a forged one costs a hash and counts against the IP, never a key lookup.
  const target = await verifyProxiedUrl(c.req.param('encoded'), c.req.param('token'), c.get('config').STREAM_SIGNING_KEY);
  if (!target) return refuseCountingIp(c, new AppError('stream.token_invalid', 'This HLS link was not written by this service.'));
  const claims = await verifiedClaims(c);
  if (claims.delivery !== 'hls') throw new AppError('stream.token_invalid', 'This stream link is not an HLS stream.');
  return relayHls(c, checkedSource({ url: target.toString(), size: null, mime: '' }, c).url);
});

/** A cache link names no YouTube format: its fallback is what a resolve of that type would stream. */
function formatFor(video: ResolvedVideo, claims: StreamClaims): StreamFormat | undefined {
  if (claims.delivery !== 'telegram') return video.formats.find((candidate) => candidate.itag === claims.itag);
  return claims.type === 'audio' ? bestAudio(video.formats) : bestProgressive(video.formats);
}

async function serveHlsManifest(c: Context<AppEnv>, claims: StreamClaims): Promise<Response> {
  const { video } = await c.get('youtube').resolve(claims.videoId);
  if (!video.hlsManifestUrl) throw new AppError('video.no_formats', 'This video has no HLS stream.');
  return relayHls(c, checkedSource({ url: video.hlsManifestUrl, size: null, mime: '' }, c).url);
}

async function relayHls(c: Context<AppEnv>, url: string): Promise<Response> {
  const range = c.req.header('Range');
  const fetch = mediaFetch(c.get('outbound'), c.get('config').FALLBACK_INSTANCES);
  const upstream = await fetch(url, { label: 'stream.hls', headers: range ? { Range: range } : {} });
  if (!upstream.ok) {
    await upstream.body?.cancel();
    throw new AppError('stream.upstream', `The media host answered HTTP ${upstream.status}.`);
  }
  const target = new URL(url);
  if (isPlaylist(target, upstream.headers.get('content-type'))) {
    const requestUrl = new URL(c.req.url);
    const token = c.req.param('token')!;
    const links = { proxyBase: `${requestUrl.origin}/stream/${token}/hls`, token, secret: c.get('config').STREAM_SIGNING_KEY };
    const playlist = await rewritePlaylist(await readPlaylist(upstream), url, links);
    return new Response(c.req.method === 'HEAD' ? null : playlist, {
      headers: { ...RELAY_SAFETY_HEADERS, 'Content-Type': HLS_PLAYLIST_TYPE, 'Cache-Control': 'no-cache' },
    });
  }
  const headers = copyLengthHeaders(
    upstream.headers,
    new Headers({ ...RELAY_SAFETY_HEADERS, 'Content-Type': mediaType(upstream.headers.get('content-type'), 'video/mp2t'), 'Accept-Ranges': 'bytes' }),
  );
  return new Response(c.req.method === 'HEAD' ? null : upstream.body, { status: upstream.status, headers });
}

function checkedSource(source: ProxySource, c: Context<AppEnv>): ProxySource {
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
