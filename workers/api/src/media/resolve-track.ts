import type { Config } from '../config';
import { AppError } from '../../../core/src/errors';
import { parseQuery } from '../query/parse-query';
import type { CacheEntry } from '../../../core/src/store/types';
import { signStreamToken, type Delivery } from '../../../core/src/stream/token';
import type { CacheReport, TelegramCache, UploadHold } from '../telegram-cache/telegram-cache';
import { bestAudio, bestProgressive, bestVideoOnly } from '../../../core/src/youtube/formats';
import type { MediaType, ResolvedVideo, StreamFormat } from '../../../core/src/youtube/types';
import type { YouTubeService } from '../../../core/src/youtube/youtube-service';

/**
 * The core path shared by `/v1/resolve` and `/youtube`: identify the video
 * (id, link or search), then either answer from the Telegram cache (no
 * YouTube call at all) or resolve it, choose what to stream, sign the link,
 * and ask for the track to be cached.
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

/** What a resolve shows of a video, whether YouTube or the cache entry told it. */
export type TrackInfo = Pick<ResolvedVideo, 'id' | 'title' | 'duration' | 'channel' | 'views' | 'thumbnail' | 'isLive'>;

export interface ResolvedTrack {
  video: TrackInfo;
  type: MediaType;
  stream: StreamLink;
  videoOnly: StreamLink | null;
  audioOnly: StreamLink | null;
  /** true: YouTube was spared a call (metadata cache or Telegram cache). */
  fromCache: boolean;
  cache: CacheReport;
}

export interface ResolveDeps {
  youtube: YouTubeService;
  config: Config;
  keyHash: string | null;
  telegramCache: TelegramCache | null;
  /** The key's places for pending uploads, for routes that answer only once the upload lands (the t.me shapes). */
  uploadHold?: UploadHold;
}

export async function resolveTrack(query: string, type: MediaType, deps: ResolveDeps): Promise<ResolvedTrack> {
  const { youtube, config, keyHash } = deps;
  const parsed = parseQuery(query);
  const searchFor = async (text: string) => {
    const [best] = await youtube.search(text, type, 5);
    if (!best) throw new AppError('search.no_results', `Nothing on YouTube matches “${text}”.`);
    return best.id;
  };
  const cache = deps.telegramCache && (await deps.telegramCache.enabled()) ? deps.telegramCache : null;
  const lookup = async (id: string): Promise<CacheEntry | null | 'unavailable'> => (cache ? cache.lookup(id, type) : null);

  let videoId = parsed.kind === 'video' ? parsed.videoId : await searchFor(parsed.text);
  let known = await lookup(videoId);
  // An 11-letter word may be an id or a search; asking YouTube settles it, and its answer is used below.
  let resolving: ReturnType<YouTubeService['resolve']> | null = null;
  if (parsed.kind === 'video' && parsed.searchIfMissing && !cache?.isHit(known)) {
    resolving = youtube.resolve(videoId);
    const missing = await resolving.then(
      () => false,
      (error: unknown) => error instanceof AppError && error.code === 'video.not_found',
    );
    if (missing) {
      resolving = null;
      known = await lookup((videoId = await searchFor(parsed.searchIfMissing)));
    }
  }
  // The mint time goes in the link: revoke-before then holds whatever the TTL setting later becomes.
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + config.STREAM_TOKEN_TTL_SECONDS;
  const sign = (itag: number, linkType: MediaType, delivery: Delivery) =>
    signStreamToken({ videoId, itag, type: linkType, delivery, expiresAt, keyHash, issuedAt }, config.STREAM_SIGNING_KEY).then((token) => `/stream/${token}`);
  if (cache?.isHit(known)) return cachedTrack(known, type, { path: await sign(0, type, 'telegram'), expiresAt });

  const { video, fromCache } = await (resolving ?? youtube.resolve(videoId));
  const link = async (format: StreamFormat | undefined, linkType: MediaType): Promise<StreamLink | null> => {
    if (!format) return null;
    const path = await sign(format.itag, linkType, 'direct');
    return { path, mime: format.mime, bitrate: format.bitrate, size: format.size, expiresAt, delivery: 'direct', itag: format.itag };
  };
  const hlsLink = async (): Promise<StreamLink | null> => {
    if (!video.hlsManifestUrl) return null;
    const path = await sign(0, 'video', 'hls');
    return { path, mime: 'application/vnd.apple.mpegurl', bitrate: 0, size: null, expiresAt, delivery: 'hls', itag: 0 };
  };

  if (type === 'audio' && video.isLive) {
    throw new AppError('video.live_audio', 'This is a live stream: it has no audio-only stream. Ask for type=video to get its HLS stream.');
  }
  // The audio-only link is also the audio stream: signed once.
  const audioOnly = video.isLive ? null : await link(bestAudio(video.formats), 'audio');
  let stream: StreamLink | null;
  if (type === 'audio') stream = audioOnly;
  else stream = video.isLive ? await hlsLink() : ((await link(bestProgressive(video.formats), 'video')) ?? (await hlsLink()));
  if (!stream) throw new AppError('video.no_formats', `YouTube offers no ${type} stream for ${videoId}.`);
  let report: CacheReport = { status: 'disabled' };
  if (cache) report = known === 'unavailable' ? { status: 'unavailable' } : await cache.requestUpload(videoId, type, known, new Date(), deps.uploadHold);
  return {
    video,
    type,
    stream,
    videoOnly: video.isLive ? null : await link(bestVideoOnly(video.formats), 'video'),
    audioOnly,
    fromCache,
    cache: report,
  };
}

/**
 * A cache hit: everything comes from the entry. The separate video-only and
 * audio-only links need YouTube's formats, so a hit has none.
 */
function cachedTrack(entry: CacheEntry, type: MediaType, link: { path: string; expiresAt: number }): ResolvedTrack {
  const size = entry.size ?? null;
  const duration = entry.duration ?? 0;
  return {
    video: {
      id: entry.video_id,
      title: entry.title ?? '',
      duration,
      channel: entry.channel ?? '',
      views: entry.views ?? 0,
      thumbnail: entry.thumbnail ?? `https://i.ytimg.com/vi/${entry.video_id}/hqdefault.jpg`,
      isLive: false,
    },
    type,
    stream: {
      path: link.path,
      mime: entry.mime ?? (type === 'audio' ? 'audio/mp4' : 'video/mp4'),
      bitrate: size && duration ? Math.round((size * 8) / duration) : 0,
      size,
      expiresAt: link.expiresAt,
      delivery: 'telegram',
      itag: 0,
    },
    videoOnly: null,
    audioOnly: null,
    fromCache: true,
    cache: { status: 'hit', entry },
  };
}
