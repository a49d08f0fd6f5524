import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import { sha256, toHex } from '../../../../core/src/hash';
import { startsAtFirstByte as startsAtRangeStart } from '../../../../core/src/stream/range';
import { signStreamToken, verifyStreamToken, type StreamClaims } from '../../../../core/src/stream/token';
import type { ResolvedTrack } from '../../media/resolve-track';
import { extensionOf } from '../../media/track-file';
import { resolveTrackFor } from '../resolve';

/**
 * What every bot shape does first: resolve the track as `/v1/resolve` does
 * (same quota, same Telegram cache) and name the file a bot downloads, at
 * `/file/<token>`, a stream token served by serveTrackFile with a
 * Content-Disposition. The token is the credential: the download needs no key.
 */
export interface BotTrack {
  track: ResolvedTrack;
  /** The stream token of the chosen format (or of the cached copy). */
  token: string;
  claims: StreamClaims;
  /** Absolute: every family downloads it as it is or joins it to its base URL. */
  fileUrl: string;
  /** The extension of the file behind fileUrl: `webm`, `m4a`, `mp4`, `ts`. */
  format: string;
}

export async function resolveBotTrack(c: Context<AppEnv>, query: string, type: 'audio' | 'video'): Promise<BotTrack> {
  const track = await resolveTrackFor(c, query, type);
  // Bots save the file before playing it: a live stream has no end to save.
  if (track.video.isLive) throw new AppError('video.no_formats', 'This is a live stream: it has no end to download as one file; play its HLS stream (/v1/resolve) instead.');
  const token = track.stream.path.slice('/stream/'.length);
  const claims = await verifyStreamToken(token, c.get('config').STREAM_SIGNING_KEY);
  return { track, token, claims, fileUrl: fileUrlOf(c, token), format: extensionOf(track.stream.mime, type) };
}

export function fileUrlOf(c: Context<AppEnv>, token: string): string {
  return `${new URL(c.req.url).origin}/file/${token}`;
}

/**
 * A link to the best file of another type of the same video, minted without
 * resolving it now: a cache link (delivery `telegram`) names no format, so
 * serveTrackFile serves the channel's copy or whatever a resolve of that type
 * would stream at download time. For shapes that answer audio and video links at once.
 */
export async function deferredToken(claims: StreamClaims, type: 'audio' | 'video', secret: string, expiresAt = claims.expiresAt): Promise<string> {
  return signStreamToken({ ...claims, type, itag: 0, delivery: 'telegram', expiresAt }, secret);
}

/**
 * The same link, valid for less time (a download token handed to a client that fetches at once).
 * It says when it was minted: its short expiry would otherwise date it a day back, before any
 * emergency cut-off (routes/stream.ts).
 */
export async function shortLivedToken(claims: StreamClaims, secret: string, ttlSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = Math.min(claims.expiresAt, now + ttlSeconds);
  return signStreamToken({ ...claims, expiresAt, issuedAt: claims.issuedAt ?? now }, secret);
}

/** `true`, `1`, `yes` in any case; anything else is false, as Python's `str(False).lower()` sends `false`. */
export const flag = z
  .string()
  .optional()
  .transform((value) => /^(true|1|yes)$/i.test(value ?? ''));

/** A request for the first byte of a file (or for all of it): the one that spends quota. */
export function startsAtFirstByte(c: Context<AppEnv>): boolean {
  return startsAtRangeStart(c.req.header('Range'));
}

/** How long the ranges of one /download read stay free after its first request: ffmpeg reads a track in minutes. */
const READ_WINDOW_MS = 6 * 3600_000;

/**
 * The read a /download request belongs to: the key's requests for one track
 * and type within READ_WINDOW_MS. A range of a read the key never began
 * resolves the track all the same, so it counts as the read's first request.
 */
export async function fileReadOf(c: Context<AppEnv>): Promise<{ id: string; expiresAt: number }> {
  const name = `read\n${c.req.query('type') ?? 'audio'}\n${(c.req.query('url') ?? '').trim()}`;
  const id = toHex((await sha256(name)).slice(0, 12));
  return { id, expiresAt: Date.now() + READ_WINDOW_MS };
}

/** Whether a /download request counts against the rate limit: its first byte's, or its read's first. */
export function countsAsRead(c: Context<AppEnv>): boolean {
  return startsAtFirstByte(c) || c.get('firstRead') === true;
}
