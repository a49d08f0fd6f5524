import type { YouTubeClientName, YouTubeSettings } from '../settings';
import { AppError } from '../errors';
import { untrackedClientHealth, type ClientHealth } from './client-health';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import { fetchFromInstance } from './fallback';
import { selectFormats, toStreamFormat } from './formats';
import { getInnertube, getPlayer } from './innertube';
import { checkPlayability } from './playability';
import { PlayerResponseSchema, type PlayerResponse } from './player-response';
import type { ResolvedVideo, StreamFormat } from './types';

/**
 * Resolves a video id to its metadata and stream formats: the configured
 * InnerTube clients in order, then the fallback instances. A definitive answer
 * (private, not found, paid: checkPlayability's non-retryable ones) stops the
 * search at once; anything a different client or instance might get past
 * (a bot check, age or region limits) moves on to the next.
 */
const DEFINITIVE: ReadonlySet<string> = new Set(['video.private', 'video.not_found', 'video.paid']);

export interface ExtractorOptions {
  /** Orders the clients and hears every attempt (issue 10 §5); untracked by default. */
  health?: ClientHealth;
}

export class Extractor {
  private readonly health: ClientHealth;

  constructor(
    private readonly config: Pick<YouTubeSettings, 'YOUTUBE_CLIENTS' | 'FALLBACK_INSTANCES'>,
    private readonly fetch: OutboundFetch,
    private readonly logger: Logger,
    private readonly routeKey: string,
    options: ExtractorOptions = {},
  ) {
    this.health = options.health ?? untrackedClientHealth;
  }

  /** `skipClients`: clients whose URLs googlevideo just refused (kept when no other is configured). */
  async resolve(videoId: string, options: { skipClients?: readonly YouTubeClientName[] } = {}): Promise<ResolvedVideo> {
    const failures: AppError[] = [];
    const skip = new Set(options.skipClients ?? []);
    const wanted = this.config.YOUTUBE_CLIENTS.filter((client) => !skip.has(client));
    const clients = await this.health.plan(wanted.length > 0 ? wanted : this.config.YOUTUBE_CLIENTS);
    for (const client of clients) {
      const started = Date.now();
      try {
        const video = await this.tryClient(videoId, client);
        this.logger.debug('youtube.client', { videoId, client, outcome: 'ok', ms: Date.now() - started });
        this.health.record({ client, phase: 'player', code: 'ok', latencyMs: Date.now() - started });
        return video;
      } catch (error) {
        const failure = asFailure(error);
        this.logger.debug('youtube.client', { videoId, client, outcome: failure.code, ms: Date.now() - started, upstream: failure.logDetails });
        this.health.record({ client, phase: 'player', code: failure.code, latencyMs: Date.now() - started });
        if (DEFINITIVE.has(failure.code)) throw failure;
        failures.push(failure);
      }
    }
    for (const instance of this.config.FALLBACK_INSTANCES) {
      const started = Date.now();
      try {
        const video = await fetchFromInstance(instance, videoId, this.fetch);
        const formats = selectFormats(video.formats);
        this.logger.info('youtube.fallback', { videoId, instance: instance.url, type: instance.type, outcome: 'ok', ms: Date.now() - started });
        return { ...video, formats };
      } catch (error) {
        const reason = error instanceof AppError ? error.code : error instanceof Error ? error.message : 'failed';
        this.logger.info('youtube.fallback', { videoId, instance: instance.url, type: instance.type, outcome: reason, ms: Date.now() - started });
      }
    }
    throw mostTelling(failures, videoId);
  }

  private async tryClient(videoId: string, client: YouTubeClientName): Promise<ResolvedVideo> {
    const response = await this.fetchPlayer(videoId, client);
    const failure = checkPlayability(response, videoId);
    if (failure) throw failure.error;
    const details = response.videoDetails;
    const streaming = response.streamingData;
    if (!details || !streaming) throw new AppError('video.unavailable', `YouTube gave no streams for ${videoId}.`);
    const all = [...(streaming.formats ?? []), ...(streaming.adaptiveFormats ?? [])]
      .map(toStreamFormat)
      .filter((format): format is StreamFormat => format !== null);
    const formats = await this.decipher(selectFormats(all));
    const thumbnails = details.thumbnail?.thumbnails ?? [];
    const biggest = [...thumbnails].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0];
    return {
      id: videoId,
      title: details.title ?? '',
      duration: Number(details.lengthSeconds ?? 0),
      channel: details.author ?? '',
      views: Number(details.viewCount ?? 0),
      thumbnail: biggest?.url.split('?')[0] ?? `https://i.ytimg.com/vi/${videoId}/hqdefault.jpg`,
      isLive: Boolean(details.isLive),
      source: `youtube:${client}`,
      formats,
      hlsManifestUrl: streaming.hlsManifestUrl ?? null,
      expiresAt: Math.floor(Date.now() / 1000) + Number(streaming.expiresInSeconds ?? 21_540),
    };
  }

  private async fetchPlayer(videoId: string, client: YouTubeClientName): Promise<PlayerResponse> {
    const innertube = await getInnertube(this.routeKey, this.fetch);
    let body: unknown;
    try {
      const response = await innertube.actions.execute('/player', {
        videoId,
        racyCheckOk: true,
        contentCheckOk: true,
        client,
        playbackContext: { contentPlaybackContext: { html5Preference: 'HTML5_PREF_WANTS' } },
      });
      body = response.data;
    } catch (error) {
      if (error instanceof AppError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const status = /status code (\d+)/.exec(message)?.[1];
      throw new AppError('youtube.unavailable', `YouTube refused the ${client} client.`, { logDetails: { status, message: message.slice(0, 300) } });
    }
    const parsed = PlayerResponseSchema.safeParse(body);
    if (!parsed.success) throw new AppError('youtube.unavailable', 'YouTube answered in an unexpected shape.');
    return parsed.data;
  }

  /** Deciphers only the formats this service will serve: each evaluation costs real CPU. */
  private async decipher(formats: StreamFormat[]): Promise<StreamFormat[]> {
    if (!formats.some((format) => format.needsDecipher)) return formats;
    const player = await getPlayer(this.routeKey, this.fetch);
    const nCache = new Map<string, string>();
    return Promise.all(
      formats.map(async (format) => {
        if (!format.needsDecipher) return format;
        const url = await player.decipher(format.url || undefined, format.signatureCipher, undefined, nCache);
        const { signatureCipher: _cipher, ...rest } = format;
        return { ...rest, url, needsDecipher: false };
      }),
    );
  }
}

function asFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('youtube.unavailable', 'YouTube could not be reached.', { cause: error });
}

/** The most specific reason among the clients' failures, for the client's benefit. */
function mostTelling(failures: AppError[], videoId: string): AppError {
  const generic = new Set(['youtube.unavailable', 'upstream.failed', 'upstream.timeout', 'video.unavailable']);
  return (
    failures.find((failure) => !generic.has(failure.code)) ??
    failures.find((failure) => failure.code === 'video.unavailable') ??
    failures[0] ??
    new AppError('youtube.unavailable', `No client could resolve ${videoId}.`)
  );
}
