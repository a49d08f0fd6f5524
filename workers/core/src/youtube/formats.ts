import type { RawFormat } from './player-response';
import type { StreamFormat } from './types';

/** Turns InnerTube formats into StreamFormats and picks the ones each mode serves. */
export function toStreamFormat(raw: RawFormat): StreamFormat | null {
  const mime = raw.mimeType;
  const codecs = /codecs="([^"]*)"/.exec(mime)?.[1]?.split(',').map((codec) => codec.trim()) ?? [];
  const isAudioMime = mime.startsWith('audio/');
  const hasVideo = mime.startsWith('video/');
  const hasAudio = isAudioMime || (hasVideo && codecs.length > 1);
  // Dynamic-range-compressed and dubbed tracks are never the one a listener wants.
  if (raw.isDrc === true || (isRecord(raw.audioTrack) && raw.audioTrack.audioIsDefault === false)) return null;
  const url = raw.url ?? '';
  const cipher = raw.signatureCipher ?? raw.cipher;
  if (!url && !cipher) return null;
  const size = raw.contentLength ? Number(raw.contentLength) : sizeFromUrl(url || cipher!);
  return {
    itag: raw.itag,
    url,
    ...(cipher ? { signatureCipher: cipher } : {}),
    mime,
    bitrate: raw.bitrate ?? raw.averageBitrate ?? 0,
    size: Number.isFinite(size) ? size : null,
    hasAudio,
    hasVideo,
    needsDecipher: Boolean(cipher) || hasNParameter(url),
  };
}

function sizeFromUrl(url: string): number {
  const clen = /[?&]clen=(\d+)/.exec(decodeURIComponent(url))?.[1];
  return clen ? Number(clen) : NaN;
}

function hasNParameter(url: string): boolean {
  // Most format URLs carry no `n`: a plain text test spares them a URL parse each (a player answer has ~20 formats).
  if (!url || !/[?&]n(?:[=&#]|$)/.test(url)) return false;
  try {
    return new URL(url).searchParams.has('n');
  } catch {
    return false;
  }
}

const byBitrate = (a: StreamFormat, b: StreamFormat) => b.bitrate - a.bitrate;

/** Best audio-only format: opus (251) first, else m4a (140); the higher bitrate within each. */
export function bestAudio(formats: StreamFormat[]): StreamFormat | undefined {
  return formats
    .filter((format) => format.hasAudio && !format.hasVideo)
    .sort((a, b) => Number(b.mime.includes('opus')) - Number(a.mime.includes('opus')) || byBitrate(a, b))[0];
}

/** Best m4a (AAC) audio-only format: what Telegram's sendAudio takes, for the channel cache. */
export function bestM4aAudio(formats: StreamFormat[]): StreamFormat | undefined {
  return formats.filter((format) => format.hasAudio && !format.hasVideo && format.mime.startsWith('audio/mp4')).sort(byBitrate)[0];
}

/** Progressive format (audio and video together), mp4 first, then bitrate. */
export function bestProgressive(formats: StreamFormat[]): StreamFormat | undefined {
  return formats
    .filter((format) => format.hasAudio && format.hasVideo)
    .sort((a, b) => Number(b.mime.startsWith('video/mp4')) - Number(a.mime.startsWith('video/mp4')) || byBitrate(a, b))[0];
}

/** Best video-only format, for clients that mux themselves: mp4 (avc) first, then bitrate. */
export function bestVideoOnly(formats: StreamFormat[]): StreamFormat | undefined {
  return formats
    .filter((format) => format.hasVideo && !format.hasAudio)
    .sort((a, b) => Number(b.mime.startsWith('video/mp4')) - Number(a.mime.startsWith('video/mp4')) || byBitrate(a, b))[0];
}

/** The formats worth keeping: everything the service may stream for either mode. */
export function selectFormats(formats: StreamFormat[]): StreamFormat[] {
  const chosen = [bestAudio(formats), bestM4aAudio(formats), bestProgressive(formats), bestVideoOnly(formats)];
  const unique = new Map<number, StreamFormat>();
  for (const format of chosen) if (format) unique.set(format.itag, format);
  return [...unique.values()];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
