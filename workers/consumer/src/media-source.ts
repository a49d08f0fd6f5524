import { InputFile } from 'grammy';
import type { Logger } from '../../core/src/logging/logger';
import type { OutboundFetch } from '../../core/src/outbound/http';
import type { CacheType } from '../../core/src/store/types';
import { proxyMedia, type ProxySource } from '../../core/src/stream/chunked-proxy';
import { bestAudio, bestM4aAudio, bestProgressive } from '../../core/src/youtube/formats';
import type { ResolvedVideo, StreamFormat } from '../../core/src/youtube/types';
import { JobFailure } from './job-failure';

/**
 * What the consumer uploads for a video and type, and the bytes themselves:
 * fetched from googlevideo in ≤ 10 MB `range=` chunks (the stream proxy's own
 * chunking), passed on as they arrive, so memory stays flat.
 */
export type UploadMethod = 'sendAudio' | 'sendVideo' | 'sendDocument';

export interface UploadPlan {
  method: UploadMethod;
  format: StreamFormat;
  /** Telegram infers the file type from the name's extension. */
  extension: string;
  mime: string;
}

/**
 * Audio: sendAudio takes MP3 or M4A only (anything else does not show in
 * Telegram's music player), so the best m4a wins over opus here; opus alone
 * goes up as a document. Video: one file holding both tracks, i.e. a
 * progressive format; a video offered only as HLS or separate adaptive
 * streams cannot be uploaded as one file, and fails with that reason.
 */
export function planUpload(video: ResolvedVideo, type: CacheType): UploadPlan {
  if (video.isLive) throw new JobFailure('failed', 'This is a live stream; only finished videos are cached.');
  if (type === 'audio') {
    const m4a = bestM4aAudio(video.formats);
    if (m4a) return { method: 'sendAudio', format: m4a, extension: 'm4a', mime: 'audio/mp4' };
    const other = bestAudio(video.formats);
    if (other) return { method: 'sendDocument', format: other, extension: extensionOf(other.mime), mime: baseMime(other.mime) };
    throw new JobFailure('failed', 'YouTube offers no audio-only stream for this video.');
  }
  const progressive = bestProgressive(video.formats);
  if (!progressive) {
    throw new JobFailure(
      'failed',
      'YouTube offers this video only as HLS or as separate audio and video streams; the cache stores single files only.',
    );
  }
  const mp4 = progressive.mime.startsWith('video/mp4');
  return { method: mp4 ? 'sendVideo' : 'sendDocument', format: progressive, extension: extensionOf(progressive.mime), mime: baseMime(progressive.mime) };
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
  const reader = response.body!.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > options.maxBytes) throw new JobFailure('too_large', `The file is over the ${megabytes(options.maxBytes)} upload limit.`);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (source.size !== null && total !== source.size) {
    throw new Error(`googlevideo sent ${total} of ${source.size} bytes`);
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
