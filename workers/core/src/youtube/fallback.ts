import { z } from 'zod';
import type { FallbackInstance } from '../settings';
import type { OutboundFetch } from '../outbound/http';
import { isInstanceUrl } from '../stream/upstream-hosts';
import type { ResolvedVideo, StreamFormat } from './types';

/**
 * Invidious (`/api/v1/videos/:id`) and Piped (`/streams/:id`) instances, tried
 * when every InnerTube client fails. Their answers are validated and mapped to
 * the same ResolvedVideo the InnerTube path produces.
 */
const InvidiousSchema = z.looseObject({
  title: z.string(),
  author: z.string().default(''),
  lengthSeconds: z.coerce.number().default(0),
  viewCount: z.coerce.number().default(0),
  liveNow: z.boolean().default(false),
  hlsUrl: z.string().optional(),
  videoThumbnails: z.array(z.looseObject({ url: z.string() })).default([]),
  adaptiveFormats: z
    .array(z.looseObject({ itag: z.coerce.number(), type: z.string(), bitrate: z.coerce.number().default(0), clen: z.string().optional(), url: z.string() }))
    .default([]),
  formatStreams: z.array(z.looseObject({ itag: z.coerce.number(), type: z.string(), url: z.string(), bitrate: z.coerce.number().optional() })).default([]),
});

const PipedStreamSchema = z.looseObject({
  url: z.string(),
  mimeType: z.string().default(''),
  codec: z.string().nullable().optional(),
  bitrate: z.coerce.number().default(0),
  itag: z.coerce.number().default(0),
  contentLength: z.coerce.number().optional(),
  videoOnly: z.boolean().default(false),
});

const PipedSchema = z.looseObject({
  title: z.string(),
  uploader: z.string().default(''),
  duration: z.coerce.number().default(0),
  views: z.coerce.number().default(0),
  thumbnailUrl: z.string().default(''),
  livestream: z.boolean().default(false),
  hls: z.string().nullable().optional(),
  audioStreams: z.array(PipedStreamSchema).default([]),
  videoStreams: z.array(PipedStreamSchema).default([]),
});

export async function fetchFromInstance(
  instance: FallbackInstance,
  videoId: string,
  fetch: OutboundFetch,
): Promise<ResolvedVideo> {
  const path = instance.type === 'invidious' ? `/api/v1/videos/${videoId}` : `/streams/${videoId}`;
  const response = await fetch(new URL(path, instance.url), {
    label: `fallback.${instance.type}`,
    headers: { accept: 'application/json' },
    // A redirect may not lead the call off the instance (to an internal address, say).
    allowUrl: (url) => isInstanceUrl(url, instance),
  });
  if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
  const body: unknown = await response.json();
  const expiresAt = Math.floor(Date.now() / 1000) + 3 * 3600;
  const source = `${instance.type}:${instance.url}`;
  if (instance.type === 'invidious') {
    const video = InvidiousSchema.parse(body);
    const formats: StreamFormat[] = [...video.formatStreams, ...video.adaptiveFormats].map((format) => ({
      itag: format.itag,
      url: format.url,
      mime: format.type,
      bitrate: format.bitrate ?? 0,
      size: 'clen' in format && format.clen ? Number(format.clen) : null,
      hasAudio: format.type.startsWith('audio/') || /,/.test(format.type),
      hasVideo: format.type.startsWith('video/'),
    }));
    return {
      id: videoId,
      title: video.title,
      duration: video.lengthSeconds,
      channel: video.author,
      views: video.viewCount,
      thumbnail: video.videoThumbnails[0]?.url ?? `https://i.ytimg.com/vi/${videoId}/hqdefault.jpg`,
      isLive: video.liveNow,
      source,
      formats,
      hlsManifestUrl: video.hlsUrl ?? null,
      expiresAt,
    };
  }
  const video = PipedSchema.parse(body);
  const formats: StreamFormat[] = [...video.audioStreams, ...video.videoStreams].map((stream) => ({
    itag: stream.itag,
    url: stream.url,
    mime: stream.codec ? `${stream.mimeType}; codecs="${stream.codec}"` : stream.mimeType,
    bitrate: stream.bitrate,
    size: stream.contentLength ?? null,
    hasAudio: stream.mimeType.startsWith('audio/') || (stream.mimeType.startsWith('video/') && !stream.videoOnly),
    hasVideo: stream.mimeType.startsWith('video/'),
  }));
  return {
    id: videoId,
    title: video.title,
    duration: video.duration,
    channel: video.uploader,
    views: video.views,
    thumbnail: video.thumbnailUrl || `https://i.ytimg.com/vi/${videoId}/hqdefault.jpg`,
    isLive: video.livestream,
    source,
    formats,
    hlsManifestUrl: video.hls ?? null,
    expiresAt,
  };
}
