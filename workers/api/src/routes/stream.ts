import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { fetchTarget, isPlaylist, readPlaylist, rewritePlaylist, verifyProxiedUrl } from '../../../core/src/stream/hls';
import { HLS_PLAYLIST_TYPE, mediaType, RELAY_SAFETY_HEADERS } from '../../../core/src/stream/media-type';
import { forwardedRange, passThroughResponse, startsAtFirstByte } from '../../../core/src/stream/range';
import { RouteWalk } from '../../../core/src/stream/route-walk';
import { StreamHealthWatch } from '../../../core/src/stream/stream-health';
import { linkIdOf, verifyStreamToken, type StreamClaims } from '../../../core/src/stream/token';
import { mediaFetch } from '../../../core/src/stream/upstream-hosts';
import { mediaHeadersOf } from '../../../core/src/youtube/media-headers';
import { checkedSource, serveTrackFile } from '../media/track-file';
import { limitLink } from '../middleware/link-rate-limit';
import { limitIp, limitKey, refuseCountingIp } from '../middleware/rate-limit';
import { revocationCutoff } from '../stream-links/revocation-cutoff';
import { describe } from './describe';

/**
 * `/stream/<token>`: proxies the media bytes (never a redirect: googlevideo
 * URLs are locked to the IP that resolved them). GET and HEAD, single ranges.
 * `/stream/<token>/hls/<url>.<mac>.<ext>` carries the playlists and segments of an HLS
 * stream: only URIs this service wrote into a playlist for this token (hls.ts).
 * Every fetch, redirects included, stays on the media hosts (upstream-hosts.ts).
 * A Telegram-cache link serves the channel's copy, and YouTube's when that is gone.
 */
export const streamRoute = new Hono<AppEnv>();

export interface ClaimsOptions {
  /** false: only check the link and its key (a job-status poll); nothing is counted. */
  counts?: boolean;
}

/**
 * A link minted for a key dies with the key: revoked or expired keys stop
 * streaming at once. The bot shapes' file links and job ids are stream tokens
 * too, and pass here.
 *
 * A link's first request counts one unit of the key's quota and one of its
 * rate limit; the ranges and segments a player then asks for only check the
 * key (quota/quota-counter.ts `useLink`). A link without a key counts per IP,
 * on a request that starts the stream (no Range, or from byte 0; not the HLS
 * segments). A bad token counts per IP too. Every request of a link, its
 * ranges and segments too, counts against the link and IP limiters
 * (middleware/link-rate-limit.ts), and a started link may be restarted from
 * its first byte LINK_MAX_RESTARTS times.
 */
export async function verifiedClaims(c: Context<AppEnv>, token = c.req.param('token')!, options: ClaimsOptions = {}): Promise<StreamClaims> {
  const counts = options.counts ?? true;
  const config = c.get('config');
  const refuse = (error: unknown) => (counts ? refuseCountingIp(c, error) : Promise.reject(error));
  const claims = await verifyStreamToken(token, config.STREAM_SIGNING_KEY).catch(refuse);
  // The emergency cut-off covers every link, those of no key (bootstrap, keys off) too.
  const issuedAt = claims.issuedAt ?? claims.expiresAt - config.STREAM_TOKEN_TTL_SECONDS;
  if (issuedAt < (await revocationCutoff(c.env.STREAM_LINKS))) {
    return refuse(new AppError('stream.token_invalid', 'This stream link has been revoked; resolve the track again.'));
  }
  const linkId = linkIdOf(token);
  if (counts) await limitLink(c, linkId);
  if (!claims.keyHash || !config.REQUIRE_API_KEY) {
    if (counts && startsStream(c)) await limitIp(c);
    return claims;
  }
  const keyGate = c.get('keyGate');
  if (!counts) {
    const admission = await keyGate.admit(claims.keyHash, Date.now(), { consume: false });
    c.set('principal', { kind: 'key', keyId: admission.key.id, keyHash: claims.keyHash, tier: admission.key.tier });
    return claims;
  }
  // A whole-file request of a started link (GET from byte 0) is a restart: LINK_MAX_RESTARTS per link
  // (0: no cap). An HLS player's playlist reloads are no restart: its segments are what costs.
  const playlist = claims.delivery === 'hls' && c.req.path.startsWith('/stream/');
  const restart = c.req.method === 'GET' && startsStream(c) && !playlist && config.LINK_MAX_RESTARTS > 0 ? { max: config.LINK_MAX_RESTARTS } : undefined;
  const admission = await keyGate.admitLink(claims.keyHash, { id: linkId, expiresAt: claims.expiresAt * 1000 }, Date.now(), restart);
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
  return startsAtFirstByte(c.req.header('Range'));
}

streamRoute.on(['GET', 'HEAD'], '/stream/:token', describe({ tag: 'stream', auth: 'link', summary: 'Play a resolved track (audio or video), with Range', description: 'The link from /v1/resolve; it carries its key. Byte ranges of one link are free; its first request counts.', success: { description: 'The media (206 for a Range)', media: 'audio/*' }, errors: ['stream.token_invalid', 'stream.token_expired', 'stream.range_not_satisfiable', 'stream.host_forbidden', 'stream.upstream', 'upstream.redirect_forbidden', 'key.revoked', 'quota.exceeded', 'rate.limited', 'stream.too_many_restarts'] }), async (c) => {
  const claims = await verifiedClaims(c);
  if (claims.delivery === 'hls') return serveHlsManifest(c, claims);
  return serveTrackFile(c, claims);
});

streamRoute.on(['GET', 'HEAD'], '/stream/:token/hls/:encoded', describe({ tag: 'stream', auth: 'link', summary: 'A playlist or segment of a live or HLS-only track', description: 'URIs this service wrote into a playlist; each is signed.', success: { description: 'An HLS playlist (.m3u8) or a segment (.ts, .m4s, .mp4, .aac…): each URI ends in the extension of what it names', media: 'application/vnd.apple.mpegurl' }, errors: ['stream.token_invalid', 'stream.token_expired', 'stream.host_forbidden', 'stream.upstream', 'upstream.redirect_forbidden', 'rate.limited'] }), async (c) => {
  // The URI's HMAC first: a forged one costs a hash and counts against the IP, never a key lookup.
  const target = await verifyProxiedUrl(c.req.param('encoded'), c.req.param('token'), c.get('config').STREAM_SIGNING_KEY);
  if (!target) return refuseCountingIp(c, new AppError('stream.token_invalid', 'This HLS link was not written by this service.'));
  const claims = await verifiedClaims(c);
  if (claims.delivery !== 'hls') throw new AppError('stream.token_invalid', 'This stream link is not an HLS stream.');
  const { url, userAgent } = fetchTarget(target);
  return relayHls(c, checkedSource({ url, size: null, mime: '' }, c).url, userAgent);
});

async function serveHlsManifest(c: Context<AppEnv>, claims: StreamClaims): Promise<Response> {
  const youtube = c.get('youtube');
  // googlevideo's answer to the manifest counts toward the client that minted it; a refused one sends the stream down the next route.
  const watch = new StreamHealthWatch(youtube.health);
  const walk = new RouteWalk(watch, async (skipClients) => (await youtube.resolve(claims.videoId, { fresh: true, skipClients })).video);
  let { video } = await youtube.resolve(claims.videoId);
  walk.began(video);
  for (;;) {
    if (!video.hlsManifestUrl) throw new AppError('video.no_formats', 'This video has no HLS stream.');
    const manifest = watch.track(checkedSource({ url: video.hlsManifestUrl, size: null, mime: '' }, c), video);
    const refusedBefore = watch.refused.length;
    try {
      return await relayHls(c, manifest.url, mediaHeadersOf(video)['User-Agent'], watch.wrap(c.get('outbound')));
    } catch (error) {
      if (watch.refused.length === refusedBefore) throw error;
      video = await walk.next();
    }
  }
}

async function relayHls(c: Context<AppEnv>, url: string, userAgent: string | undefined, fetch = c.get('outbound')): Promise<Response> {
  const guarded = mediaFetch(fetch, c.get('config').FALLBACK_INSTANCES);
  const headers = { ...forwardedRange(c.req.header('Range')), ...(userAgent ? { 'User-Agent': userAgent } : {}) };
  const target = new URL(url);
  // A segment goes to the player at its pace: the timeout bounds its answer, not its body. A playlist
  // is read here in full, so its timeout covers the reading too (a host that stalls mid-playlist).
  const upstream = await guarded(url, { label: 'stream.hls', headers, streamsBody: !isPlaylist(target, null) });
  if (!upstream.ok) {
    await upstream.body?.cancel();
    // The client's own Range asked for it: a 4xx of theirs, so a link's first request keeps its unit.
    if (upstream.status === 416) throw new AppError('stream.range_not_satisfiable', 'The range is outside this stream.');
    throw new AppError('stream.upstream', `The media host answered HTTP ${upstream.status}.`);
  }
  if (isPlaylist(target, upstream.headers.get('content-type'))) {
    const requestUrl = new URL(c.req.url);
    const token = c.req.param('token')!;
    const links = { proxyBase: `${requestUrl.origin}/stream/${token}/hls`, token, secret: c.get('config').STREAM_SIGNING_KEY, ...(userAgent ? { userAgent } : {}) };
    const playlist = await rewritePlaylist(await readPlaylist(upstream), url, links);
    const body = new TextEncoder().encode(playlist);
    // HEAD says the length GET would send.
    return new Response(c.req.method === 'HEAD' ? null : body, {
      headers: { ...RELAY_SAFETY_HEADERS, 'Content-Type': HLS_PLAYLIST_TYPE, 'Cache-Control': 'no-cache', 'Content-Length': String(body.byteLength) },
    });
  }
  return passThroughResponse(upstream, c.req.method, mediaType(upstream.headers.get('content-type'), 'video/mp2t'));
}
