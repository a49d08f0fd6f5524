import type { Logger } from '../logging/logger';
import type { SearchResult } from './search';
import type { ResolvedVideo } from './types';
import { MemoryTier } from './memory-tier';
import { NOOP_CACHE } from '../cache/edge-cache';

/**
 * Resolved metadata and search answers in the Cache API, so a repeated query
 * does not call YouTube again. A video is kept for less time than its stream
 * URLs live (minus a safety margin), so a cached answer always still streams.
 */
const ORIGIN = 'https://metadata.cache.internal';
const URL_SAFETY_MARGIN_SECONDS = 15 * 60;

function videoKey(videoId: string): string {
  return `${ORIGIN}/video/${videoId}`;
}

function searchKey(mode: string, text: string, limit: number): string {
  return `${ORIGIN}/search/${mode}/${limit}/${encodeURIComponent(text.toLowerCase())}`;
}

/**
 * Each isolate keeps a bounded copy in memory in front of the Cache API, with
 * the same lifetimes: a popular track is answered without even the cache
 * lookup, and on a workers.dev address, where the Cache API keeps nothing,
 * this tier is the metadata cache. Both tiers are of one colo: stream URLs are
 * locked to the IP that resolved them, so nothing carrying a googlevideo URL
 * goes to a tier shared beyond the colo.
 */
const MEMORY_ENTRIES = 256;
const FRESH_UNTIL_HEADER = 'X-Fresh-Until';
const videos = new MemoryTier<ResolvedVideo>(MEMORY_ENTRIES);
const searches = new MemoryTier<SearchResult[]>(MEMORY_ENTRIES);
const counts = { video: { memory_hits: 0, cache_api_hits: 0, misses: 0 }, search: { memory_hits: 0, cache_api_hits: 0, misses: 0 } };

/**
 * What deep health says of the metadata and search caches: their tiers, and this isolate's
 * hits per tier since it started (on workers.dev the Cache API's stay at 0).
 */
export function metadataCacheTiers() {
  const tier = 'isolate_memory+cache_api' as const;
  return {
    metadata: { tier, entries: videos.size, max_entries: MEMORY_ENTRIES, ...counts.video },
    search: { tier, entries: searches.size, max_entries: MEMORY_ENTRIES, ...counts.search },
  };
}

export class MetadataCache {
  /**
   * With `background` (the request's waitUntil), writes leave the request
   * path: the answer does not wait for the Cache API, and this isolate's
   * memory copy already serves the entry meanwhile. Without it, writes are
   * awaited.
   */
  constructor(
    private readonly ttlSeconds: number,
    private readonly cache: Cache = caches.default,
    private readonly background?: (work: Promise<unknown>) => void,
    private readonly logger?: Logger,
  ) {}

  /** `entry` is built only for a cache that keeps it: on workers.dev (CACHE_API=off) a miss serialises nothing. */
  private write(key: string, entry: () => Response): Promise<void> {
    if (this.cache === NOOP_CACHE) return Promise.resolve();
    const writing = this.cache.put(key, entry());
    if (!this.background) return writing;
    // A failed write only costs a later miss.
    this.background(writing.catch((error: unknown) => this.logger?.warn('metadata_cache.write_failed', { error })));
    return Promise.resolve();
  }

  async getVideo(videoId: string): Promise<ResolvedVideo | null> {
    const held = videos.get(videoId);
    if (held) return (counts.video.memory_hits += 1), held;
    const hit = await this.cache.match(videoKey(videoId));
    if (!hit) return (counts.video.misses += 1), null;
    const freshUntil = freshUntilOf(hit, this.ttlSeconds);
    const video = (await hit.json()) as ResolvedVideo;
    const until = Math.min(freshUntil, streamableUntil(video));
    if (until <= Date.now()) return (counts.video.misses += 1), null;
    counts.video.cache_api_hits += 1;
    videos.set(videoId, video, until);
    return video;
  }

  async putVideo(video: ResolvedVideo): Promise<void> {
    const until = Math.min(Date.now() + this.ttlSeconds * 1000, streamableUntil(video));
    const ttl = Math.floor((until - Date.now()) / 1000);
    if (ttl <= 0) return;
    videos.set(video.id, video, until);
    await this.write(videoKey(video.id), () => jsonResponse(video, ttl, until));
  }

  async forgetVideo(videoId: string): Promise<void> {
    videos.delete(videoId);
    await this.cache.delete(videoKey(videoId));
  }

  async getSearch(mode: string, text: string, limit: number): Promise<SearchResult[] | null> {
    const key = searchKey(mode, text, limit);
    const held = searches.get(key);
    if (held) return (counts.search.memory_hits += 1), held;
    const hit = await this.cache.match(key);
    if (!hit) return (counts.search.misses += 1), null;
    const until = freshUntilOf(hit, this.ttlSeconds);
    const results = (await hit.json()) as SearchResult[];
    counts.search.cache_api_hits += 1;
    searches.set(key, results, until);
    return results;
  }

  async putSearch(mode: string, text: string, limit: number, results: SearchResult[]): Promise<void> {
    const key = searchKey(mode, text, limit);
    const until = Date.now() + this.ttlSeconds * 1000;
    searches.set(key, results, until);
    await this.write(key, () => jsonResponse(results, this.ttlSeconds, until));
  }
}

/** A cached answer is never kept past the time its stream URLs still play (less a margin). */
function streamableUntil(video: ResolvedVideo): number {
  return (video.expiresAt - URL_SAFETY_MARGIN_SECONDS) * 1000;
}

/** Until when a Cache API entry is fresh, so the memory copy does not outlive it (older entries: a full TTL from now). */
function freshUntilOf(hit: Response, ttlSeconds: number): number {
  const until = Number(hit.headers.get(FRESH_UNTIL_HEADER));
  return Number.isFinite(until) && until > 0 ? until : Date.now() + ttlSeconds * 1000;
}

function jsonResponse(value: unknown, ttlSeconds: number, freshUntil: number): Response {
  return new Response(JSON.stringify(value), {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${ttlSeconds}`, [FRESH_UNTIL_HEADER]: String(freshUntil) },
  });
}
