import type { Config } from '../config';
import { AppError } from '../errors';
import { parseQuery } from '../query/parse-query';
import { signStreamToken, type Delivery } from '../stream/token';
import { bestAudio, bestProgressive, bestVideoOnly } from '../youtube/formats';
import type { MediaType, ResolvedVideo, StreamFormat } from '../youtube/types';
import type { YouTubeService } from '../youtube/youtube-service';

/**
 * The core path shared by `/v1/resolve` and `/youtube`: identify the video
 * (id, link or search), resolve it, choose what to stream and sign the link.
 */
export interface StreamLink {
  path: string;
  mime: string;
  bitrate: number;
  size: number | null;
  expiresAt: number;
  delivery: Delivery;
  itag: number;
}

export interface ResolvedTrack {
  video: ResolvedVideo;
  type: MediaType;
  stream: StreamLink;
  videoOnly: StreamLink | null;
  audioOnly: StreamLink | null;
  fromCache: boolean;
}

export async function resolveTrack(
  query: string,
  type: MediaType,
  youtube: YouTubeService,
  config: Config,
  keyHash: string | null,
): Promise<ResolvedTrack> {
  const parsed = parseQuery(query);
  let videoId: string;
  if (parsed.kind === 'video') {
    videoId = parsed.videoId;
  } else {
    const [best] = await youtube.search(parsed.text, type, 5);
    if (!best) throw new AppError('search.no_results', `Nothing on YouTube matches “${parsed.text}”.`);
    videoId = best.id;
  }
  const { video, fromCache } = await youtube.resolve(videoId);
  const expiresAt = Math.floor(Date.now() / 1000) + config.STREAM_TOKEN_TTL_SECONDS;
  const link = async (format: StreamFormat | undefined, linkType: MediaType): Promise<StreamLink | null> => {
    if (!format) return null;
    const path = `/stream/${await signStreamToken({ videoId, itag: format.itag, type: linkType, delivery: 'direct', expiresAt, keyHash }, config.STREAM_SIGNING_KEY)}`;
    return { path, mime: format.mime, bitrate: format.bitrate, size: format.size, expiresAt, delivery: 'direct', itag: format.itag };
  };
  const hlsLink = async (): Promise<StreamLink | null> => {
    if (!video.hlsManifestUrl) return null;
    const path = `/stream/${await signStreamToken({ videoId, itag: 0, type: 'video', delivery: 'hls', expiresAt, keyHash }, config.STREAM_SIGNING_KEY)}`;
    return { path, mime: 'application/vnd.apple.mpegurl', bitrate: 0, size: null, expiresAt, delivery: 'hls', itag: 0 };
  };

  let stream: StreamLink | null;
  if (type === 'audio') {
    if (video.isLive) {
      throw new AppError('video.live_audio', 'This is a live stream: it has no audio-only stream. Ask for type=video to get its HLS stream.');
    }
    stream = await link(bestAudio(video.formats), 'audio');
  } else {
    stream = video.isLive ? await hlsLink() : ((await link(bestProgressive(video.formats), 'video')) ?? (await hlsLink()));
  }
  if (!stream) throw new AppError('video.no_formats', `YouTube offers no ${type} stream for ${videoId}.`);
  return {
    video,
    type,
    stream,
    videoOnly: video.isLive ? null : await link(bestVideoOnly(video.formats), 'video'),
    audioOnly: video.isLive ? null : await link(bestAudio(video.formats), 'audio'),
    fromCache,
  };
}
