import { InputFile } from 'grammy';
import type { CacheJob } from '../../core/src/contracts/cache-job';
import type { CacheEntry } from '../../core/src/store/types';
import { isAllowedStreamHost, mediaFetch } from '../../core/src/stream/upstream-hosts';
import { RouteWalk } from '../../core/src/stream/route-walk';
import { StreamHealthWatch } from '../../core/src/stream/stream-health';
import type { YouTubeClientName } from '../../core/src/settings';
import { untrackedClientHealth, type ClientHealth } from '../../core/src/youtube/client-health';
import { fetchingAs, mediaHeadersOf } from '../../core/src/youtube/media-headers';
import type { ResolvedVideo } from '../../core/src/youtube/types';
import { JobFailure } from './job-failure';
import { fetchThumbnail, hlsBytes, mediaBytes, megabytes, planUpload, type JoinCut, type UploadPlan } from './media-source';
import type { ConsumerRuntime } from './runtime';

/**
 * One cache job: resolve the video here (googlevideo URLs only work from the
 * IP that resolved them), pick the file, check it against Telegram's limits,
 * stream it from googlevideo into a channel post, and record the file.
 */
export interface UploadDeps {
  runtime: ConsumerRuntime;
  /** A fresh resolve every time: URLs resolved elsewhere would be refused. */
  resolveVideo: (videoId: string, options?: { skipClients?: readonly YouTubeClientName[] }) => Promise<ResolvedVideo>;
  /** googlevideo's answer to the first fetch counts toward the client's health. */
  health?: ClientHealth;
  now?: () => Date;
}

const DAY_MS = 86_400_000;
const CAPTION_LIMIT = 1024;
const COMPLETE_ATTEMPTS = 3;

export async function uploadTrack(job: CacheJob, deps: UploadDeps): Promise<CacheEntry | null> {
  const { runtime } = deps;
  const telegram = runtime.telegram!;
  const video = await deps.resolveVideo(job.video_id);
  const plan = planUpload(video, job.type);
  // The same guard as /stream: a crafted answer must not make this Worker fetch anything but media hosts.
  const checked = (url: string) => {
    if (!isAllowedStreamHost(new URL(url), runtime.config.FALLBACK_INSTANCES)) {
      throw new JobFailure('failed', 'The chosen stream points to a host this service does not fetch from.');
    }
    return url;
  };
  const { maxFileBytes, localApi } = runtime.limits;
  if (plan.kind === 'format') {
    checked(plan.format.url);
    if (plan.format.size !== null && plan.format.size > maxFileBytes) {
      throw new JobFailure('too_large', tooLargeReason(plan.format.size, maxFileBytes, localApi, runtime.config.CACHE_MAX_FILE_BYTES !== undefined));
    }
  }

  const thumbnail = await fetchThumbnail(video.id, runtime.outbound, runtime.logger);
  // googlevideo refusing a client's URL counts toward that client; the walk goes on through every
  // route that is left, each URL fetched as the client that minted it.
  const watch = new StreamHealthWatch(deps.health ?? untrackedClientHealth);
  const walk = new RouteWalk(watch, (skipClients) => deps.resolveVideo(job.video_id, { skipClients }));
  walk.began(video);
  const cut: JoinCut = { by: null };
  // A generator runs only when grammY writes the file part: the download starts there.
  const fileOf = (route: ResolvedVideo) => new InputFile(fileBytes(plan, deps, checked, route, walk, cut), `${video.id}.${plan.extension}`);
  const media = fileOf(video);
  const common = {
    caption: `${video.title}\nhttps://youtu.be/${video.id}`.slice(0, CAPTION_LIMIT),
    disable_notification: true,
    ...(thumbnail ? { thumbnail } : {}),
  };
  const started = Date.now();
  let message: SentMessage;
  if (plan.method === 'sendAudio') {
    message = await telegram.api.sendAudio(telegram.channel, media, {
      ...common,
      title: video.title,
      performer: performerOf(video.channel),
      duration: video.duration,
    });
  } else if (plan.method === 'sendVideo') {
    message = await telegram.api.sendVideo(telegram.channel, media, { ...common, duration: video.duration, supports_streaming: true });
  } else {
    message = await sendDocumentAlongRoutes(() => telegram.api.sendDocument(telegram.channel, media, common), async () => {
      const route = await walk.next();
      return telegram.api.sendDocument(telegram.channel, fileOf(route), common);
    }, cut);
  }

  const file = sentFile(message);
  const { chat } = message;
  const now = deps.now?.() ?? new Date();
  runtime.logger.info('cache.uploaded', {
    videoId: job.video_id,
    type: job.type,
    method: plan.method,
    bytes: file.file_size ?? (plan.kind === 'format' ? plan.format.size : null),
    ms: Date.now() - started,
  });
  const completion = {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    message_id: message.message_id,
    // A public channel's @name makes t.me links possible; a private one has only its number.
    chat_id: chat.username ? `@${chat.username}` : String(chat.id),
    size: file.file_size ?? (plan.kind === 'format' ? plan.format.size : null) ?? 0,
    mime: plan.mime,
    title: video.title,
    duration: video.duration,
    channel: video.channel || null,
    views: video.views,
    thumbnail: video.thumbnail || null,
    cached_at: now,
    expires_at: new Date(now.getTime() + runtime.config.CACHE_TTL_DAYS * DAY_MS),
  };
  const entry = await completeWithRetries(() => runtime.store().completeCacheEntry(job.video_id, job.type, job.claim_id, completion, now));
  // Only a newer claim can take the entry from under a leased upload, which the lease's updated_at rules out.
  if (!entry) runtime.logger.warn('cache.completion_fenced', { videoId: job.video_id, type: job.type });
  return entry;
}

/**
 * The file is in the channel now: a store hiccup must not send the job round
 * again, which would post it a second time. Tried a few times before giving up.
 */
async function completeWithRetries<T>(complete: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await complete();
    } catch (error) {
      if (attempt >= COMPLETE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 4 ** (attempt - 1)));
    }
  }
}

/**
 * An HLS join cut by googlevideo refusing a segment after the upload began (media-source.ts):
 * Telegram got no file, so the upload starts again, whole, on the next client's route — never a
 * file spliced from two clients' streams. Any other failure is the job's.
 */
async function sendDocumentAlongRoutes(first: () => Promise<SentMessage>, onNextRoute: () => Promise<SentMessage>, cut: JoinCut): Promise<SentMessage> {
  let send = first;
  for (;;) {
    cut.by = null;
    try {
      return await send();
    } catch (error) {
      if (!cut.by) throw error;
      send = onNextRoute;
    }
  }
}

/** The upload's bytes: the chosen format through the chunked proxy, or the joined HLS stream. */
function fileBytes(plan: UploadPlan, deps: UploadDeps, checked: (url: string) => string, video: ResolvedVideo, walk: RouteWalk, cut: JoinCut): AsyncGenerator<Uint8Array> {
  const { runtime } = deps;
  const maxBytes = runtime.limits.maxFileBytes;
  const { watch } = walk;
  if (plan.kind === 'hls') {
    // Playlists and segments are fetched as the client that minted the manifest.
    const fetchFor = (route: ResolvedVideo) => fetchingAs(mediaFetch(runtime.outbound, runtime.config.FALLBACK_INSTANCES), mediaHeadersOf(route));
    return hlsBytes(video, walk, { fetchFor, checkUrl: checked, maxBytes, durationSeconds: video.duration, cut });
  }
  const refresh = async () => {
    const fresh = await walk.next();
    const format = fresh.formats.find((candidate) => candidate.itag === plan.format.itag);
    if (!format) throw new Error(`format ${plan.format.itag} is no longer offered`);
    return watch.track({ url: checked(format.url), size: format.size, mime: format.mime, headers: mediaHeadersOf(fresh) }, fresh);
  };
  const source = watch.track({ url: plan.format.url, size: plan.format.size, mime: plan.format.mime, headers: mediaHeadersOf(video) }, video);
  return mediaBytes(source, { fetch: watch.wrap(mediaFetch(runtime.outbound, runtime.config.FALLBACK_INSTANCES)), chunkBytes: runtime.config.STREAM_CHUNK_BYTES, refresh, maxBytes });
}

interface SentFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
}

interface SentMessage {
  message_id: number;
  chat: { id: number; username?: string };
  audio?: SentFile;
  video?: SentFile;
  document?: SentFile;
  voice?: SentFile;
}

/** Telegram may file an upload under another kind than asked (an audio as a document, say). */
function sentFile(message: SentMessage): SentFile {
  const file = message.audio ?? message.video ?? message.document ?? message.voice;
  if (!file?.file_id) throw new Error('Telegram answered without the uploaded file');
  return file;
}

/** YouTube Music's auto-generated channels are "<Artist> - Topic": the artist is the performer. */
function performerOf(channel: string): string {
  return channel.replace(/\s+-\s+Topic$/, '');
}

function tooLargeReason(size: number, limit: number, localApi: boolean, configured: boolean): string {
  const why = configured
    ? 'the CACHE_MAX_FILE_BYTES setting'
    : localApi
      ? 'the upload limit of a local Bot API server'
      : 'what Telegram’s Bot API can serve (getFile downloads at most 20 MB, uploads at most 50 MB; a local Bot API server lifts both)';
  return `The file is ${megabytes(size)} (${size} bytes), over ${megabytes(limit)}: ${why}.`;
}
