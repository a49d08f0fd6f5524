import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import type { YouTubeClientName, YouTubeSettings } from '../settings';
import { untrackedClientHealth, type ClientHealth } from './client-health';
import type { ClientTable } from './client-overrides';
import { tableOf } from './client-table';
import type { Extractor, ExtractorOptions } from './extractor';
import { MetadataCache } from './metadata-cache';
import type { SearchResult } from './search';
import type { MediaType, ResolvedVideo } from './types';
import { edgeCache } from '../cache/edge-cache';

let engine: Promise<typeof import('./engine')> | undefined;
/** youtubei.js and the evaluator, evaluated once per isolate on first need (see engine.ts). */
const loadEngine = () => (engine ??= import('./engine'));

/**
 * The service's view of YouTube: resolve a video id (metadata cache first) and
 * search. Routes talk to this, never to youtubei.js or the network directly.
 */
export class YouTubeService {
  private extractor: Extractor | undefined;
  private readonly extractorOptions: ExtractorOptions;
  private readonly cache: MetadataCache;
  /** The client health the extractor reports to; /stream adds googlevideo's answers. */
  readonly health: ClientHealth;
  /**
   * The effective client table of this request (client-table.ts): the profile (context,
   * version, user agent) each client is to be used with, overrides applied.
   */
  readonly clientTable: () => Promise<ClientTable>;

  /** `background` keeps work that the answer need not wait for (the cache writes) alive after it: the request's waitUntil. */
  constructor(
    private readonly config: YouTubeSettings & { METADATA_CACHE_TTL_SECONDS: number },
    private readonly fetch: OutboundFetch,
    private readonly logger: Logger,
    private readonly routeKey: string = routeKeyOf(config.UPSTREAM_ORIGINS),
    { background, ...extractorOptions }: ExtractorOptions & { background?: (work: Promise<unknown>) => void } = {},
  ) {
    this.health = extractorOptions.health ?? untrackedClientHealth;
    this.clientTable = extractorOptions.clientTable ?? (async () => tableOf(config.YOUTUBE_CLIENT_OVERRIDES));
    this.extractorOptions = { ...extractorOptions, health: this.health, clientTable: this.clientTable };
    this.cache = new MetadataCache(config.METADATA_CACHE_TTL_SECONDS, edgeCache(), background, logger);
  }

  /** The extractor, made on the first miss, once youtubei.js has loaded. */
  private async extractorOf(): Promise<Extractor> {
    const { Extractor } = await loadEngine();
    return (this.extractor ??= new Extractor(this.config, this.fetch, this.logger, this.routeKey, this.extractorOptions));
  }

  /**
   * Resolves a video; `fromCache` tells whether YouTube was spared a call.
   * `skipClients` (with `fresh`): clients whose stream URLs googlevideo refused.
   */
  async resolve(
    videoId: string,
    options: { fresh?: boolean; skipClients?: readonly YouTubeClientName[] } = {},
  ): Promise<{ video: ResolvedVideo; fromCache: boolean }> {
    if (!options.fresh) {
      const cached = await this.cache.getVideo(videoId);
      if (cached) return { video: cached, fromCache: true };
    }
    const resolved = await (await this.extractorOf()).resolve(videoId, { skipClients: options.skipClients ?? [] });
    // When the player answered (just now): client health tells these URLs from older ones by it.
    const video = { ...resolved, resolvedAt: Date.now() };
    await this.cache.putVideo(video);
    return { video, fromCache: false };
  }

  /** Audio: YouTube Music's songs first, then the web; video: the web search. */
  async search(text: string, type: MediaType, limit: number): Promise<SearchResult[]> {
    const cached = await this.cache.getSearch(type, text, limit);
    if (cached) return cached;
    const { getInnertube, searchMusicSongs, searchWebVideos } = await loadEngine();
    const innertube = await getInnertube(this.routeKey, this.fetch);
    let results: SearchResult[] = [];
    if (type === 'audio') {
      try {
        results = await searchMusicSongs(innertube, text, limit);
      } catch (error) {
        this.logger.warn('youtube.search.music_failed', { error });
      }
    }
    if (results.length === 0) {
      try {
        results = await searchWebVideos(innertube, text, limit);
      } catch (error) {
        this.logger.warn('youtube.search.web_failed', { error });
        throw new AppError('youtube.unavailable', 'YouTube search is not answering; try again shortly.');
      }
    }
    if (results.length > 0) await this.cache.putSearch(type, text, limit, results);
    return results;
  }
}

/** One session key per origins object (the config's, made once per env), not a JSON.stringify per request. */
const routeKeys = new WeakMap<object, string>();
function routeKeyOf(origins: YouTubeSettings['UPSTREAM_ORIGINS']): string {
  let key = routeKeys.get(origins);
  if (key === undefined) routeKeys.set(origins, (key = JSON.stringify(origins)));
  return key;
}
