import type { YouTubeClientName, YouTubeSettings } from '../settings';
import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import { CLIENT_PROFILES, type ClientProfile } from './clients';
import { untrackedClientHealth, type ClientHealth } from './client-health';
import { parseYouTubeCookies, type YouTubeCookies } from './cookies';
import { decipherFormats, decipherManifestUrl, withPoToken } from './decipher-formats';
import { fetchFromInstance } from './fallback';
import { selectFormats, toStreamFormat } from './formats';
import { getInnertube } from './innertube';
import { checkPlayability } from './playability';
import { PlayerCiphers } from './player-cipher';
import type { PlayerFunctionsNamespace } from './player-functions';
import { requestPlayer } from './player-request';
import { PlayerResponseSchema, type PlayerResponse } from './player-response';
import { poTokenSource, type PoTokenSource } from './po-token-provider';
import type { ResolvedVideo, StreamFormat } from './types';

/**
 * Resolves a video id to its metadata and stream formats: the clients client
 * health plans (YOUTUBE_CLIENTS in order, less those cooling off), then the
 * fallback instances. A definitive answer (private, not found, paid:
 * checkPlayability's non-retryable ones) stops the search at once; anything a
 * different client or instance might get past (a bot check, a SABR-only
 * answer, a cipher that cannot be solved, age or region limits) moves on.
 */
const DEFINITIVE: ReadonlySet<string> = new Set(['video.private', 'video.not_found', 'video.paid']);
let skipLogged = false;

export type ExtractorConfig = Pick<YouTubeSettings, 'YOUTUBE_CLIENTS' | 'FALLBACK_INSTANCES'> &
  Partial<Pick<YouTubeSettings, 'PO_TOKEN_PROVIDER_URL' | 'YOUTUBE_COOKIES' | 'UPSTREAM_TIMEOUT_MS'>>;

export interface ExtractorOptions {
  health?: ClientHealth;
  poTokens?: PoTokenSource;
  ciphers?: PlayerCiphers;
  /** The PlayerFunctions Durable Objects (the player functions' durable home); see player-cipher.ts. */
  playerFunctions?: PlayerFunctionsNamespace;
}

export class Extractor {
  private readonly health: ClientHealth;
  private readonly poTokens: PoTokenSource;
  private readonly ciphers: PlayerCiphers;
  private readonly cookies: YouTubeCookies | null;

  constructor(
    private readonly config: ExtractorConfig,
    private readonly fetch: OutboundFetch,
    private readonly logger: Logger,
    private readonly routeKey: string,
    options: ExtractorOptions = {},
  ) {
    this.health = options.health ?? untrackedClientHealth;
    this.poTokens = options.poTokens ?? poTokenSource(config.PO_TOKEN_PROVIDER_URL, fetch, config.UPSTREAM_TIMEOUT_MS ?? 10_000);
    this.ciphers = options.ciphers ?? new PlayerCiphers(fetch, logger, routeKey, { functions: options.playerFunctions });
    this.cookies = parseYouTubeCookies(config.YOUTUBE_COOKIES);
  }

  /** `skipClients`: clients whose URLs googlevideo just refused (kept when no other is configured). */
  async resolve(videoId: string, options: { skipClients?: readonly YouTubeClientName[] } = {}): Promise<ResolvedVideo> {
    const failures: AppError[] = [];
    const skip = new Set(options.skipClients ?? []);
    const wanted = this.config.YOUTUBE_CLIENTS.filter((client) => !skip.has(client));
    const usable = (wanted.length > 0 ? wanted : this.config.YOUTUBE_CLIENTS).filter(
      (client) => CLIENT_PROFILES[client].poToken === false || this.poTokens.configured,
    );
    if (usable.length < this.config.YOUTUBE_CLIENTS.length && !skipLogged) {
      // Once per isolate: the same reason holds for every resolve until the settings change.
      skipLogged = true;
      const skipped = this.config.YOUTUBE_CLIENTS.filter((client) => !usable.includes(client));
      this.logger.info('youtube.clients_skipped', { clients: skipped, reason: 'they need a PO token and PO_TOKEN_PROVIDER_URL is not set' });
    }
    // One ask per resolve, shared by MWEB and WEB: a provider that is down or slow costs a resolve one timeout, not one per client.
    let token: Promise<string> | undefined;
    const tokenOnce = () => (token ??= this.poTokens.tokenFor(videoId));
    for (const client of await this.health.plan(usable)) {
      const started = Date.now();
      try {
        const video = await this.tryClient(videoId, CLIENT_PROFILES[client], tokenOnce);
        this.record(client, 'ok', started);
        this.logger.debug('youtube.client', { videoId, client, outcome: 'ok', ms: Date.now() - started });
        return video;
      } catch (error) {
        const failure = asFailure(error);
        this.record(client, failure.code, started);
        const level = failure.code === 'youtube.po_token_unavailable' ? 'info' : 'debug';
        this.logger[level]('youtube.client', { videoId, client, outcome: failure.code, ms: Date.now() - started, upstream: failure.logDetails });
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

  private record(client: YouTubeClientName, code: string, started: number): void {
    try {
      this.health.record({ client, phase: 'player', code, latencyMs: Date.now() - started });
    } catch {
      // health is advisory: it must never fail a resolve
    }
  }

  private async tryClient(videoId: string, profile: ClientProfile, tokenFor: () => Promise<string>): Promise<ResolvedVideo> {
    const cipher = profile.ciphered ? await this.ciphers.current() : null;
    const poToken = profile.poToken ? await tokenFor() : undefined;
    const response = await this.fetchPlayer(videoId, profile, cipher?.signatureTimestamp, poToken);
    const failure = checkPlayability(response, videoId);
    if (failure) throw failure.error;
    const details = response.videoDetails;
    const streaming = response.streamingData;
    if (!details || !streaming) throw new AppError('video.unavailable', `YouTube gave no streams for ${videoId}.`);
    const raw = [...(streaming.formats ?? []), ...(streaming.adaptiveFormats ?? [])];
    const all = raw.map(toStreamFormat).filter((format): format is StreamFormat => format !== null);
    let hlsManifestUrl = streaming.hlsManifestUrl ?? null;
    if (all.length === 0 && !hlsManifestUrl && (raw.length > 0 || streaming.serverAbrStreamingUrl)) {
      // Only SABR (YouTube's own streaming protocol) would play these: no URL to hand out.
      throw new AppError('youtube.sabr_only', `The ${profile.name} client offered ${videoId} over SABR only.`, { logDetails: { client: profile.name, formats: raw.length } });
    }
    let formats = await decipherFormats(selectFormats(all), cipher ?? (() => this.ciphers.current()), profile.name);
    if (hlsManifestUrl) hlsManifestUrl = await decipherManifestUrl(hlsManifestUrl, cipher ?? (() => this.ciphers.current()), profile.name);
    if (poToken) formats = formats.map((format) => withPoToken(format, poToken));
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
      source: `youtube:${profile.name}`,
      formats,
      hlsManifestUrl,
      expiresAt: Math.floor(Date.now() / 1000) + Number(streaming.expiresInSeconds ?? 21_540),
    };
  }

  private async fetchPlayer(videoId: string, profile: ClientProfile, signatureTimestamp?: number, poToken?: string): Promise<PlayerResponse> {
    const innertube = await getInnertube(this.routeKey, this.fetch);
    const visitorData = innertube.session.context.client.visitorData;
    const body = await requestPlayer(this.fetch, { videoId, profile, visitorData, signatureTimestamp, poToken, cookies: this.cookies });
    const parsed = PlayerResponseSchema.safeParse(body);
    if (!parsed.success) throw new AppError('youtube.unavailable', 'YouTube answered in an unexpected shape.');
    return parsed.data;
  }
}

function asFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('youtube.unavailable', 'YouTube could not be reached.', { cause: error });
}

/** The most specific reason among the clients' failures, for the client's benefit. */
function mostTelling(failures: AppError[], videoId: string): AppError {
  const generic = new Set([
    'youtube.unavailable', 'youtube.sabr_only', 'youtube.decipher_failed', 'youtube.po_token_unavailable',
    'upstream.failed', 'upstream.timeout', 'video.unavailable',
  ]);
  return (
    failures.find((failure) => !generic.has(failure.code)) ??
    failures.find((failure) => failure.code === 'video.unavailable') ??
    failures[0] ??
    new AppError('youtube.unavailable', `No client could resolve ${videoId}.`)
  );
}
