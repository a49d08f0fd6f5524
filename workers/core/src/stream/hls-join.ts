import { Parser, type ParsedVariant } from 'm3u8-parser';
import { AppError } from '../errors';
import type { OutboundFetch } from '../outbound/http';
import { readPlaylist } from './hls';

/**
 * One playable file from an HLS stream: one variant's MPEG-TS segments,
 * fetched in order and written one after the other into a single body
 * (`video/mp2t`). MPEG-TS is made to be cut and joined so: ffmpeg and
 * PyTgCalls play the result, where a saved `.m3u8` plays nothing. The
 * playlists are read with m3u8-parser; the joining is ours (no library joins
 * streams inside a Worker).
 *
 * Each segment is its own subrequest: at YouTube's 5 s segments a 4-minute
 * video takes ~50, which is all the Workers Free plan allows one request.
 */
export interface HlsVariantChoice {
  /** Tallest picture wanted (default 720). */
  maxHeight?: number;
  /** With the duration, leaves out variants whose estimated size (bandwidth × duration) is over this. */
  maxBytes?: number;
  durationSeconds?: number;
}

export interface HlsJoinOptions extends HlsVariantChoice {
  fetch: OutboundFetch;
  /** The host guard: throws for a URL outside the media hosts. */
  checkUrl: (url: string) => void;
  /** Keeps the pump alive after the response has been returned. */
  waitUntil?: (work: Promise<unknown>) => void;
  segmentTimeoutMs?: number;
}

export interface HlsJoinPlan {
  segments: string[];
  bandwidth: number | null;
  height: number | null;
}

export const JOINED_HLS_MIME = 'video/mp2t';
const DEFAULT_MAX_HEIGHT = 720;
const DEFAULT_SEGMENT_TIMEOUT_MS = 120_000;
/** Room for the estimate's error: a variant's BANDWIDTH is a peak, usually above the average. */
const SIZE_MARGIN = 0.9;

/** Reads the master playlist (if it is one), picks a variant, and lists its segments. */
export async function planHlsJoin(manifestUrl: string, options: HlsJoinOptions): Promise<HlsJoinPlan> {
  let url = manifestUrl;
  let manifest = await fetchPlaylist(url, options);
  let chosen: ParsedVariant | null = null;
  if (manifest.playlists?.length) {
    chosen = chooseVariant(manifest.playlists, options);
    url = new URL(chosen.uri, url).toString();
    manifest = await fetchPlaylist(url, options);
    if (manifest.playlists?.length) throw unjoinable('its variant playlist lists further playlists');
  }
  if (manifest.segments.length === 0) throw unjoinable('its playlist has no segments');
  for (const segment of manifest.segments) {
    if (segment.key && segment.key.method !== 'NONE') throw unjoinable('its segments are encrypted');
    if (segment.map) throw unjoinable('its segments are fragmented MP4, not MPEG-TS');
    if (segment.byterange) throw unjoinable('its segments are byte ranges of one file');
  }
  const segments = manifest.segments.map((segment) => new URL(segment.uri, url).toString());
  for (const segment of segments) options.checkUrl(segment);
  return { segments, bandwidth: chosen?.attributes.BANDWIDTH ?? null, height: chosen?.attributes.RESOLUTION?.height ?? null };
}

/**
 * The joined body. The first segment is fetched before this returns, so a
 * refused stream is still a clean error; then one segment is fetched ahead
 * while the current one is written, and each is piped natively (no
 * JavaScript per piece of data).
 */
export async function joinedHlsBody(plan: HlsJoinPlan, options: HlsJoinOptions): Promise<ReadableStream<Uint8Array>> {
  const fetchSegment = async (index: number): Promise<Response> => {
    const url = plan.segments[index]!;
    for (let attempt = 1; ; attempt++) {
      // Written to the client at its pace (the next one waits while the current one is read): the timeout bounds the answer only.
      const response = await options.fetch(url, { label: 'stream.hls_segment', timeoutMs: options.segmentTimeoutMs ?? DEFAULT_SEGMENT_TIMEOUT_MS, streamsBody: true });
      if (response.ok) return response;
      await response.body?.cancel();
      // One more try for a hiccup; a refusal that lasts ends the file.
      if (attempt >= 2 || response.status < 500) throw new AppError('stream.upstream', `The media host answered HTTP ${response.status} for segment ${index + 1} of ${plan.segments.length}.`);
    }
  };
  const first = await fetchSegment(0);
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const pump = (async () => {
    let current: Promise<Response> = Promise.resolve(first);
    try {
      for (let index = 0; index < plan.segments.length; index++) {
        const response = await current;
        const next = index + 1 < plan.segments.length ? fetchSegment(index + 1) : null;
        // A failure of the one fetched ahead surfaces when it is awaited, not as an unhandled rejection.
        next?.catch(() => undefined);
        await response.body!.pipeTo(writable, { preventClose: true });
        if (next) current = next;
      }
      await writable.close();
    } catch (error) {
      await writable.abort(error).catch(() => undefined);
    }
  })();
  options.waitUntil?.(pump);
  return readable;
}

function chooseVariant(variants: ParsedVariant[], choice: HlsVariantChoice): ParsedVariant {
  // A variant whose CODECS name no audio codec is picture only: no use to a music bot.
  const withAudio = variants.filter((variant) => !variant.attributes.CODECS || /mp4a|ac-3|ec-3|opus|mp3/i.test(variant.attributes.CODECS));
  const candidates = withAudio.length ? withAudio : variants;
  const bandwidth = (variant: ParsedVariant) => variant.attributes.BANDWIDTH ?? 0;
  const maxHeight = choice.maxHeight ?? DEFAULT_MAX_HEIGHT;
  const fits = candidates.filter((variant) => {
    const height = variant.attributes.RESOLUTION?.height;
    if (height !== undefined && height > maxHeight) return false;
    if (choice.maxBytes === undefined || !choice.durationSeconds) return true;
    return (bandwidth(variant) * choice.durationSeconds) / 8 <= choice.maxBytes * SIZE_MARGIN;
  });
  const byBandwidth = (pool: ParsedVariant[]) => [...pool].sort((a, b) => bandwidth(a) - bandwidth(b));
  return fits.length ? byBandwidth(fits).at(-1)! : byBandwidth(candidates)[0]!;
}

async function fetchPlaylist(url: string, options: HlsJoinOptions) {
  options.checkUrl(url);
  const response = await options.fetch(url, { label: 'stream.hls_playlist' });
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError('stream.upstream', `The media host answered HTTP ${response.status} for the HLS playlist.`);
  }
  const parser = new Parser();
  parser.push(await readPlaylist(response));
  parser.end();
  return parser.manifest;
}

function unjoinable(why: string): AppError {
  return new AppError('video.no_formats', `This video's HLS stream cannot be joined into one file: ${why}.`);
}
