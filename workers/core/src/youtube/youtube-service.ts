import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import type { YouTubeClientName, YouTubeSettings } from '../settings';
import { untrackedClientHealth, type ClientHealth } from './client-health';
import { Extractor, type ExtractorOptions } from './extractor';
import { getInnertube } from './innertube';
import { MetadataCache } from './metadata-cache';
import { searchMusicSongs, searchWebVideos, type SearchResult } from './search';
import type { MediaType, ResolvedVideo } from './types';

/**
 * The service's view of YouTube: resolve a video id (metadata cache first) and
 * search. Routes talk to this, never to youtubei.js or the network directly.
 */
export class YouTubeService {
  private readonly extractor: Extractor;
  private readonly cache: MetadataCache;
  /** The client health the extractor reports to; /stream adds googlevideo's answers. */
  readonly health: ClientHealth;

  constructor(
    config: YouTubeSettings & { METADATA_CACHE_TTL_SECONDS: number },
    private readonly fetch: OutboundFetch,
    private readonly logger: Logger,
    private readonly routeKey: string = JSON.stringify(config.UPSTREAM_ORIGINS),
    extractorOptions: ExtractorOptions = {},
  ) {
    this.health = extractorOptions.health ?? untrackedClientHealth;
    this.extractor = new Extractor(config, fetch, logger, routeKey, { ...extractorOptions, health: this.health });
    this.cache = new MetadataCache(config.METADATA_CACHE_TTL_SECONDS);
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
    const video = await this.extractor.resolve(videoId, { skipClients: options.skipClients ?? [] });
    await this.cache.putVideo(video);
    return { video, fromCache: false };
  }

  /** Audio: YouTube Music's songs first, then the web; video: the web search. */
  async search(text: string, type: MediaType, limit: number): Promise<SearchResult[]> {
    const cached = await this.cache.getSearch(type, text, limit);
    if (cached) return cached;
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

  async forget(videoId: string): Promise<void> {
    await this.cache.forgetVideo(videoId);
  }
}
