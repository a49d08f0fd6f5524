import type { YouTubeClientName, YouTubeSettings } from '../settings';
import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import type { ClientProfile } from './clients';
import type { ClientTable } from './client-overrides';
import { tableOf } from './client-table';
import { isVerdict, VerdictTally } from './client-verdict';
import { untrackedClientHealth, type ClientHealth } from './client-health';
import { parseYouTubeCookies, type YouTubeCookies } from './cookies';
import { decipherFormats, decipherManifestUrl, manifestWithPoToken, withPoToken } from './decipher-formats';
import { fetchFromInstance } from './fallback';
import { bestAudio, selectFormats, toStreamFormat } from './formats';
import { getInnertube } from './innertube';
import { mediaHeadersOf } from './media-headers';
import { checkPlayability } from './playability';
import { PlayerCiphers } from './player-cipher';
import type { PlayerFunctionsNamespace } from './player-functions';
import { requestPlayer } from './player-request';
import { PlayerResponseSchema, type PlayerResponse } from './player-response';
import { gvsContentBinding, playerContentBinding, wantsPlayerToken, type PlayerSession } from './po-token-binding';
import { poTokenSource, type PoTokenSource } from './po-token-provider';
import { noteUrlRefused, urlsRefusedRecently } from './refused-urls';
import { isAllowedStreamHost } from '../stream/upstream-hosts';
import type { ResolvedVideo, StreamFormat } from './types';

/**
 * Resolves a video id to its metadata and stream formats: the clients client
 * health plans (YOUTUBE_CLIENTS in order, less those cooling off), then the
 * fallback instances, each client as the effective client table describes it.
 * A refusal saying the video is private, gone or paid stops the search only once
 * it is the video's verdict (client-verdict.ts: a client of another kind agrees,
 * or the answer is unambiguous); anything a different client or instance might
 * get past (one client's refusal, a bot check, a SABR-only answer, a cipher that
 * cannot be solved, age or region limits) moves on.
 */
let skipLogged = false;

export type ExtractorConfig = Pick<YouTubeSettings, 'YOUTUBE_CLIENTS' | 'FALLBACK_INSTANCES'> &
  Partial<Pick<YouTubeSettings, 'PO_TOKEN_PROVIDER_URL' | 'YOUTUBE_COOKIES' | 'UPSTREAM_TIMEOUT_MS' | 'YOUTUBE_CLIENT_OVERRIDES'>>;

export interface ExtractorOptions {
  /** The effective client table (client-table.ts), read once per resolve; by default the built-in one with YOUTUBE_CLIENT_OVERRIDES. */
  clientTable?: () => Promise<ClientTable>;
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
  private readonly clientTable: () => Promise<ClientTable>;

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
    this.clientTable = options.clientTable ?? (async () => tableOf(config.YOUTUBE_CLIENT_OVERRIDES));
  }

  /**
   * `skipClients`: clients whose URLs googlevideo just refused. When that is every client, the
   * fallback instances are next; without instances every client is asked again (a 403 may
   * also mean a URL simply expired).
   */
  async resolve(videoId: string, options: { skipClients?: readonly YouTubeClientName[] } = {}): Promise<ResolvedVideo> {
    const failures: AppError[] = [];
    const verdicts = new VerdictTally();
    const table = await this.clientTable();
    const skip = new Set(options.skipClients ?? []);
    const playable = this.config.YOUTUBE_CLIENTS.filter((client) => table[client].poToken === false || this.poTokens.configured);
    if (playable.length < this.config.YOUTUBE_CLIENTS.length && !skipLogged) {
      // Once per isolate: the same reason holds for every resolve until the settings change.
      skipLogged = true;
      const skipped = this.config.YOUTUBE_CLIENTS.filter((client) => !playable.includes(client));
      this.logger.info('youtube.clients_skipped', { clients: skipped, reason: 'they need a PO token and PO_TOKEN_PROVIDER_URL is not set' });
    }
    const wanted = playable.filter((client) => !skip.has(client));
    const walkedToInstances = wanted.length === 0 && this.config.FALLBACK_INSTANCES.length > 0;
    const usable = wanted.length > 0 || walkedToInstances ? wanted : playable;
    const tokenFor = this.tokensOfOneResolve();
    for (const client of usable.length > 0 ? await this.health.plan(usable) : []) {
      const started = Date.now();
      try {
        const video = await this.tryClient(videoId, table[client], tokenFor);
        this.record(client, 'ok', started);
        this.logger.debug('youtube.client', { videoId, client, outcome: 'ok', ms: Date.now() - started });
        if (urlsRefusedRecently(client) && !(await this.urlServed(video))) {
          // googlevideo refuses what this client mints: a link that would not play is not an answer.
          this.health.record({ client, phase: 'stream', code: 'googlevideo.forbidden', latencyMs: Date.now() - started });
          this.logger.info('youtube.client', { videoId, client, outcome: 'googlevideo.forbidden', ms: Date.now() - started });
          failures.push(new AppError('stream.upstream', `googlevideo refused the ${client} client's stream URLs.`));
          continue;
        }
        return video;
      } catch (error) {
        const failure = asFailure(error);
        this.record(client, failure.code, started);
        const level = failure.code === 'youtube.po_token_unavailable' ? 'info' : 'debug';
        this.logger[level]('youtube.client', { videoId, client, outcome: failure.code, ms: Date.now() - started, upstream: failure.logDetails });
        if (verdicts.add(failure, table[client].kind)) throw failure;
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
    // A claim about the video that no client of another kind confirmed is not the answer.
    throw verdicts.standing() ?? mostTelling(failures.filter((failure) => !isVerdict(failure)), videoId);
  }

  /**
   * PO tokens for one resolve, by content binding. MWEB and WEB share the session's GVS token,
   * and once the provider fails the rest of the resolve does not ask it again: a provider that
   * is down or slow costs a resolve one timeout, not one per client.
   */
  private tokensOfOneResolve(): (binding: string) => Promise<string> {
    const asked = new Map<string, Promise<string>>();
    let failed: Promise<string> | undefined;
    return (binding) => {
      if (failed) return failed;
      let ask = asked.get(binding);
      if (!ask) {
        const pending = this.poTokens.tokenFor(binding);
        pending.catch(() => void (failed ??= pending));
        asked.set(binding, (ask = pending));
      }
      return ask;
    };
  }

  /** One byte of the video's best audio, fetched as its client: false only when googlevideo refuses it. */
  private async urlServed(video: ResolvedVideo): Promise<boolean> {
    const format = bestAudio(video.formats) ?? video.formats[0];
    if (!format || !video.fetchAs) return true;
    try {
      const url = new URL(format.url);
      if (!isAllowedStreamHost(url, [])) return true;
      url.searchParams.set('range', '0-0');
      const response = await this.fetch(url.toString(), { label: 'youtube.url_probe', headers: mediaHeadersOf(video) });
      await response.body?.cancel();
      if (response.status !== 403) return true;
      noteUrlRefused(video.fetchAs.client);
      return false;
    } catch {
      // The probe's own failure says nothing about the client.
      return true;
    }
  }

  private record(client: YouTubeClientName, code: string, started: number): void {
    try {
      this.health.record({ client, phase: 'player', code, latencyMs: Date.now() - started });
    } catch {
      // health is advisory: it must never fail a resolve
    }
  }

  private async tryClient(videoId: string, profile: ClientProfile, tokenFor: (binding: string) => Promise<string>): Promise<ResolvedVideo> {
    const cipher = profile.ciphered ? await this.ciphers.current() : null;
    const innertube = await getInnertube(this.routeKey, this.fetch);
    const session: PlayerSession = { visitorData: innertube.session.context.client.visitorData || undefined, signedIn: Boolean(this.cookies && profile.cookies) };
    // Signed out, the GVS token's binding (the visitor data the request carries) is known before
    // the request: a provider that cannot mint it spares YouTube the player call.
    const sentBinding = profile.poToken && !session.signedIn ? gvsContentBinding(session) : null;
    let gvsToken = sentBinding ? await tokenFor(sentBinding) : undefined;
    const playerToken = profile.poToken && wantsPlayerToken(profile.name) ? await tokenFor(playerContentBinding(videoId)) : undefined;
    const response = await this.fetchPlayer(videoId, profile, session.visitorData, cipher?.signatureTimestamp, playerToken);
    const failure = checkPlayability(response, videoId);
    if (failure) throw failure.error;
    if (profile.poToken && gvsToken === undefined) {
      // Signed in (the account's data sync id), or a session YouTube gave its visitor data only now.
      const answered = response.responseContext;
      const binding = gvsContentBinding({ ...session, visitorData: session.visitorData ?? answered?.visitorData, dataSyncId: answered?.mainAppWebResponseContext?.datasyncId });
      if (!binding) throw new AppError('youtube.po_token_unavailable', 'YouTube named no session to bind a PO token to.', { logDetails: { client: profile.name, reason: 'no_binding' } });
      gvsToken = await tokenFor(binding);
    }
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
    if (gvsToken) formats = formats.map((format) => withPoToken(format, gvsToken));
    if (hlsManifestUrl && gvsToken) hlsManifestUrl = manifestWithPoToken(hlsManifestUrl, gvsToken);
    // The widest thumbnail (the first of equals): one pass, not a sorted copy.
    let biggest: { url: string; width?: number } | undefined;
    for (const thumbnail of details.thumbnail?.thumbnails ?? []) if (!biggest || (thumbnail.width ?? 0) > (biggest.width ?? 0)) biggest = thumbnail;
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
      // The profile this request was made with: a client table override changes what later requests send, not this.
      fetchAs: { client: profile.name, userAgent: profile.userAgent },
    };
  }

  private async fetchPlayer(videoId: string, profile: ClientProfile, visitorData: string | undefined, signatureTimestamp?: number, poToken?: string): Promise<PlayerResponse> {
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
