import type { Logger } from '../logging/logger';
import type { SearchResult } from './search';
import type { ResolvedVideo } from './types';

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
 * A small per-isolate copy in front of the Cache API: a popular track asked
 * for again and again is answered without even the cache lookup.
 */
const MEMORY_ENTRIES = 256;
const memory = new Map<string, { video: ResolvedVideo; until: number }>();

function remember(video: ResolvedVideo, ttlSeconds: number): void {
  memory.delete(video.id);
  memory.set(video.id, { video, until: Date.now() + ttlSeconds * 1000 });
  if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
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

  private write(key: string, response: Response): Promise<void> {
    const writing = this.cache.put(key, response);
    if (!this.background) return writing;
    // A failed write only costs a later miss.
    this.background(writing.catch((error: unknown) => this.logger?.warn('metadata_cache.write_failed', { error })));
    return Promise.resolve();
  }

  async getVideo(videoId: string): Promise<ResolvedVideo | null> {
    const held = memory.get(videoId);
    if (held && held.until > Date.now()) return held.video;
    const hit = await this.cache.match(videoKey(videoId));
    if (!hit) return null;
    const video = (await hit.json()) as ResolvedVideo;
    const untilExpiry = Math.floor(video.expiresAt - Date.now() / 1000 - URL_SAFETY_MARGIN_SECONDS);
    if (untilExpiry <= 0) return null;
    remember(video, Math.min(this.ttlSeconds, untilExpiry, 60));
    return video;
  }

  async putVideo(video: ResolvedVideo): Promise<void> {
    const untilExpiry = Math.floor(video.expiresAt - Date.now() / 1000 - URL_SAFETY_MARGIN_SECONDS);
    const ttl = Math.min(this.ttlSeconds, untilExpiry);
    if (ttl <= 0) return;
    remember(video, Math.min(ttl, 60));
    await this.write(videoKey(video.id), jsonResponse(video, ttl));
  }

  async forgetVideo(videoId: string): Promise<void> {
    memory.delete(videoId);
    await this.cache.delete(videoKey(videoId));
  }

  async getSearch(mode: string, text: string, limit: number): Promise<SearchResult[] | null> {
    const hit = await this.cache.match(searchKey(mode, text, limit));
    return hit ? ((await hit.json()) as SearchResult[]) : null;
  }

  async putSearch(mode: string, text: string, limit: number, results: SearchResult[]): Promise<void> {
    await this.write(searchKey(mode, text, limit), jsonResponse(results, this.ttlSeconds));
  }
}

function jsonResponse(value: unknown, ttlSeconds: number): Response {
  return new Response(JSON.stringify(value), {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${ttlSeconds}` },
  });
}
