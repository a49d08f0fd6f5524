import { InputFile } from 'grammy';
import type { Logger } from '../../core/src/logging/logger';
import type { OutboundFetch } from '../../core/src/outbound/http';
import type { CacheType } from '../../core/src/store/types';
import { proxyMedia, type ProxySource } from '../../core/src/stream/chunked-proxy';
import { JOINED_HLS_MIME } from '../../core/src/stream/hls-join';
import { joinAlongRoutes } from '../../core/src/stream/hls-join-walk';
import type { RouteWalk } from '../../core/src/stream/route-walk';
import { bestAudio, bestM4aAudio, bestProgressive } from '../../core/src/youtube/formats';
import type { ResolvedVideo, StreamFormat } from '../../core/src/youtube/types';
import { JobFailure } from './job-failure';

/**
 * What the consumer uploads for a video and type, and the bytes themselves:
 * fetched from googlevideo in ≤ 10 MB `range=` chunks (the stream proxy's own
 * chunking), passed on as they arrive, so memory stays flat.
 */
export type UploadMethod = 'sendAudio' | 'sendVideo' | 'sendDocument';

/** Telegram infers the file type from the name's extension. */
export type UploadPlan =
  | { kind: 'format'; method: UploadMethod; format: StreamFormat; extension: string; mime: string }
  /** An HLS-only video: one variant's segments joined into one MPEG-TS file. */
  | { kind: 'hls'; method: 'sendDocument'; manifestUrl: string; extension: 'ts'; mime: typeof JOINED_HLS_MIME };

/**
 * Audio: sendAudio takes MP3 or M4A only (anything else does not show in
 * Telegram's music player), so the best m4a wins over opus here; opus alone
 * goes up as a document. Video: one file holding both tracks, i.e. a
 * progressive format, else the HLS stream joined into one MPEG-TS file
 * (a document: Telegram plays only MP4 as a video); a video with neither
 * fails with that reason.
 */
export function planUpload(video: ResolvedVideo, type: CacheType): UploadPlan {
  if (video.isLive) throw new JobFailure('failed', 'This is a live stream; only finished videos are cached.');
  if (type === 'audio') {
    const m4a = bestM4aAudio(video.formats);
    if (m4a) return { kind: 'format', method: 'sendAudio', format: m4a, extension: 'm4a', mime: 'audio/mp4' };
    const other = bestAudio(video.formats);
    if (other) return { kind: 'format', method: 'sendDocument', format: other, extension: extensionOf(other.mime), mime: baseMime(other.mime) };
    throw new JobFailure('failed', 'YouTube offers no audio-only stream for this video.');
  }
  const progressive = bestProgressive(video.formats);
  if (progressive) {
    const mp4 = progressive.mime.startsWith('video/mp4');
    return { kind: 'format', method: mp4 ? 'sendVideo' : 'sendDocument', format: progressive, extension: extensionOf(progressive.mime), mime: baseMime(progressive.mime) };
  }
  if (video.hlsManifestUrl) return { kind: 'hls', method: 'sendDocument', manifestUrl: video.hlsManifestUrl, extension: 'ts', mime: JOINED_HLS_MIME };
  throw new JobFailure('failed', 'YouTube offers this video only as separate audio and video streams; the cache stores single files only.');
}

function baseMime(mime: string): string {
  return mime.split(';')[0]!.trim();
}

function extensionOf(mime: string): string {
  const base = baseMime(mime);
  if (base === 'audio/webm' || base === 'video/webm') return 'webm';
  if (base === 'video/mp4') return 'mp4';
  if (base === 'audio/mp4') return 'm4a';
  return 'bin';
}

export interface MediaBytesOptions {
  fetch: OutboundFetch;
  chunkBytes: number;
  /** A fresh URL when googlevideo says this one expired (a re-resolve). */
  refresh: () => Promise<ProxySource>;
  maxBytes: number;
}

/** The format's bytes in order; throws JobFailure('too_large') past maxBytes and fails on a short body. */
export async function* mediaBytes(source: ProxySource, options: MediaBytesOptions): AsyncGenerator<Uint8Array> {
  const response = await proxyMedia(source, {
    fetch: options.fetch,
    chunkBytes: options.chunkBytes,
    refresh: options.refresh,
    method: 'GET',
    rangeHeader: null,
  });
  yield* countedBytes(response.body!, options.maxBytes, source.size);
}

export interface HlsBytesOptions {
  /** A fetch as the client that minted this route's manifest. */
  fetchFor: (video: ResolvedVideo) => OutboundFetch;
  /** The host guard, for the playlists and every segment. */
  checkUrl: (url: string) => void;
  maxBytes: number;
  /** Seconds: with maxBytes, picks a variant whose estimated size fits. */
  durationSeconds: number;
  /** Set to the route when googlevideo refused one of its segments after bytes went out. */
  cut?: JoinCut;
}

export interface JoinCut {
  by: ResolvedVideo | null;
}

/**
 * An HLS-only video's bytes: one variant's MPEG-TS segments, in order. googlevideo refusing the
 * manifest, a playlist or the first segment sends the join down the next client's route before
 * a byte is passed on (hls-join-walk.ts); a refusal later cuts the file, and the upload starts
 * again on the next route (upload-job.ts).
 */
export async function* hlsBytes(video: ResolvedVideo, walk: RouteWalk, options: HlsBytesOptions): AsyncGenerator<Uint8Array> {
  const optionsFor = (route: ResolvedVideo) => ({ fetch: options.fetchFor(route), checkUrl: options.checkUrl, maxBytes: options.maxBytes, durationSeconds: options.durationSeconds });
  const joined = await joinAlongRoutes(video, walk, optionsFor, { body: true });
  const refusedBefore = walk.watch.refused.length;
  try {
    yield* countedBytes(joined.body!, options.maxBytes, null);
  } catch (error) {
    if (options.cut && walk.watch.refused.length > refusedBefore) options.cut.by = joined.video;
    throw error;
  }
}

async function* countedBytes(body: ReadableStream<Uint8Array>, maxBytes: number, expectedSize: number | null): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new JobFailure('too_large', `The file is over the ${megabytes(maxBytes)} upload limit.`);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (expectedSize !== null && total !== expectedSize) {
    throw new Error(`googlevideo sent ${total} of ${expectedSize} bytes`);
  }
}

/** Telegram wants a JPEG under 200 kB and at most 320 px a side: YouTube's mqdefault is 320×180. */
const THUMBNAIL_MAX_BYTES = 200 * 1024;

export async function fetchThumbnail(videoId: string, fetch: OutboundFetch, logger: Logger): Promise<InputFile | undefined> {
  try {
    const response = await fetch(`https://i.ytimg.com/vi/${videoId}/mqdefault.jpg`, {
      label: 'youtube.thumbnail',
      allowUrl: (url) => url.protocol === 'https:' && url.hostname === 'i.ytimg.com',
    });
    if (!response.ok) {
      await response.body?.cancel();
      logger.info('cache.thumbnail_missing', { videoId, status: response.status });
      return undefined;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength === 0 || bytes.byteLength > THUMBNAIL_MAX_BYTES) return undefined;
    return new InputFile(bytes, 'thumbnail.jpg');
  } catch (error) {
    // A track without a cover is still worth caching.
    logger.info('cache.thumbnail_missing', { videoId, error });
    return undefined;
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
