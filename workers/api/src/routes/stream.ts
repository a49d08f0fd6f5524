import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { decodeProxiedUrl, isPlaylist, rewritePlaylist } from '../../../core/src/stream/hls';
import { copyLengthHeaders } from '../../../core/src/stream/range';
import { StreamHealthWatch } from '../../../core/src/stream/stream-health';
import { verifyStreamToken, type StreamClaims } from '../../../core/src/stream/token';
import { checkedSource, serveTrackFile } from '../media/track-file';
import { revocationCutoff } from '../stream-links/revocation-cutoff';
import { describe } from './describe';

/**
 * `/stream/<token>`: proxies the media bytes (never a redirect: googlevideo
 * URLs are locked to the IP that resolved them). GET and HEAD, single ranges.
 * `/stream/<token>/hls/<url>` carries the playlists and segments of an HLS stream.
 * A Telegram-cache link serves the channel's copy, and YouTube's when that is gone.
 */
export const streamRoute = new Hono<AppEnv>();

/**
 * A link minted for a key dies with the key: revoked or expired keys stop streaming at once.
 * The bot shapes' file links and job ids are stream tokens too, and pass here.
 */
export async function verifiedClaims(c: Context<AppEnv>, token = c.req.param('token')!): Promise<StreamClaims> {
  const config = c.get('config');
  const claims = await verifyStreamToken(token, config.STREAM_SIGNING_KEY);
  // The emergency cut-off covers every link, those of no key (bootstrap, keys off) too.
  if (claims.expiresAt - config.STREAM_TOKEN_TTL_SECONDS < (await revocationCutoff(c.env.STREAM_LINKS))) {
    throw new AppError('stream.token_invalid', 'This stream link has been revoked; resolve the track again.');
  }
  if (claims.keyHash && c.get('config').REQUIRE_API_KEY) {
    const admission = await c.get('keyGate').admit(claims.keyHash, Date.now(), { consume: false });
    c.set('principal', { kind: 'key', keyId: admission.key.id, keyHash: claims.keyHash, tier: admission.key.tier });
  }
  return claims;
}

streamRoute.on(['GET', 'HEAD'], '/stream/:token', describe({ tag: 'stream', auth: 'link', summary: 'Play a resolved track (audio or video), with Range', description: 'The link from /v1/resolve; it carries its key. Byte ranges of one link are free; its first request counts.', success: { description: 'The media (206 for a Range)', media: 'audio/*' }, errors: ['stream.token_invalid', 'stream.token_expired', 'stream.range_not_satisfiable', 'stream.host_forbidden', 'stream.upstream', 'key.revoked', 'quota.exceeded'] }), async (c) => {
  const claims = await verifiedClaims(c);
  if (claims.delivery === 'hls') return serveHlsManifest(c, claims);
  return serveTrackFile(c, claims);
});

streamRoute.on(['GET', 'HEAD'], '/stream/:token/hls/:encoded', describe({ tag: 'stream', auth: 'link', summary: 'A playlist or segment of a live or HLS-only track', description: 'URIs this service wrote into a playlist; each is signed.', success: { description: 'An HLS playlist or an MPEG-TS segment', media: 'application/vnd.apple.mpegurl' }, errors: ['stream.token_invalid', 'stream.token_expired', 'stream.host_forbidden', 'stream.upstream'] }), async (c) => {
  const claims = await verifiedClaims(c);
  if (claims.delivery !== 'hls') throw new AppError('stream.token_invalid', 'This stream link is not an HLS stream.');
  const target = decodeProxiedUrl(c.req.param('encoded'));
  if (!target) throw new AppError('stream.token_invalid', 'This HLS link is malformed.');
  return relayHls(c, checkedSource({ url: target.toString(), size: null, mime: '' }, c).url);
});

async function serveHlsManifest(c: Context<AppEnv>, claims: StreamClaims): Promise<Response> {
  const youtube = c.get('youtube');
  const { video } = await youtube.resolve(claims.videoId);
  if (!video.hlsManifestUrl) throw new AppError('video.no_formats', 'This video has no HLS stream.');
  // googlevideo's answer to the manifest counts toward the client that minted it.
  const watch = new StreamHealthWatch(youtube.health);
  const manifest = watch.track(checkedSource({ url: video.hlsManifestUrl, size: null, mime: '' }, c), video);
  return relayHls(c, manifest.url, watch.wrap(c.get('outbound')));
}

async function relayHls(c: Context<AppEnv>, url: string, fetch = c.get('outbound')): Promise<Response> {
  const range = c.req.header('Range');
  const upstream = await fetch(url, { label: 'stream.hls', headers: range ? { Range: range } : {} });
  if (!upstream.ok) {
    await upstream.body?.cancel();
    throw new AppError('stream.upstream', `The media host answered HTTP ${upstream.status}.`);
  }
  const target = new URL(url);
  if (isPlaylist(target, upstream.headers.get('content-type'))) {
    const requestUrl = new URL(c.req.url);
    const token = requestUrl.pathname.split('/')[2];
    const playlist = rewritePlaylist(await upstream.text(), url, `${requestUrl.origin}/stream/${token}/hls`);
    return new Response(c.req.method === 'HEAD' ? null : playlist, {
      headers: { 'Content-Type': 'application/vnd.apple.mpegurl', 'Cache-Control': 'no-cache' },
    });
  }
  const headers = copyLengthHeaders(upstream.headers, new Headers({ 'Content-Type': upstream.headers.get('content-type') ?? 'video/mp2t', 'Accept-Ranges': 'bytes' }));
  return new Response(c.req.method === 'HEAD' ? null : upstream.body, { status: upstream.status, headers });
}
