import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetadataCache, metadataCacheTiers } from './metadata-cache';
import { NOOP_CACHE } from '../cache/edge-cache';
import type { ResolvedVideo } from './types';

/** The Cache API as on a workers.dev address: every put accepted, nothing ever kept. */
function noOpCache() {
  const calls = { match: 0, put: 0 };
  const cache = {
    match: async () => ((calls.match += 1), undefined),
    put: async () => void (calls.put += 1),
    delete: async () => false,
  } as unknown as Cache;
  return { cache, calls };
}

const TTL = 3600;

function video(id: string, urlLifetimeSeconds = 6 * 3600): ResolvedVideo {
  return {
    id,
    title: 'A track',
    duration: 200,
    channel: 'A channel',
    views: 1,
    thumbnail: `https://i.ytimg.com/vi/${id}/hqdefault.jpg`,
    isLive: false,
    source: 'youtube:VISIONOS',
    formats: [{ itag: 140, url: `https://rr1.googlevideo.com/videoplayback?id=${id}`, mime: 'audio/mp4', bitrate: 128_000, size: 1000, hasAudio: true, hasVideo: false }],
    hlsManifestUrl: null,
    expiresAt: Math.floor(Date.now() / 1000) + urlLifetimeSeconds,
  };
}

const uniqueId = () => crypto.randomUUID().replace(/-/g, '').slice(0, 11);
const results = (id: string) => [{ id, title: 'A track', duration: 200, channel: 'A channel', thumbnail: 'https://i.ytimg.com/vi/x/hqdefault.jpg' }];

describe('metadata cache without a working Cache API (workers.dev)', () => {
  afterEach(() => vi.useRealTimers());

  it('answers a repeated resolve and a repeated search from the isolate’s memory, for the whole TTL', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { cache, calls } = noOpCache();
    const id = uniqueId();
    const text = `song ${id}`;
    await new MetadataCache(TTL, cache).putVideo(video(id));
    await new MetadataCache(TTL, cache).putSearch('audio', text, 5, results(id));
    vi.setSystemTime(Date.now() + 50 * 60_000);
    // A later request's cache: the answers come from memory, the Cache API is not even asked.
    const later = new MetadataCache(TTL, cache);
    expect((await later.getVideo(id))?.id).toBe(id);
    expect(await later.getSearch('audio', text.toUpperCase(), 5)).toEqual(results(id));
    expect(calls.match).toBe(0);
    vi.setSystemTime(Date.now() + 11 * 60_000);
    expect(await later.getVideo(id)).toBeNull();
    expect(await later.getSearch('audio', text, 5)).toBeNull();
  });

  it('with CACHE_API=off, serialises no entry for the cache that keeps nothing, and still answers from memory', async () => {
    const id = uniqueId();
    // An entry whose serialisation would fail: a miss that built the Cache API's copy would throw here.
    const unserialisable = { ...video(id), toJSON: () => { throw new Error('serialised for a cache that keeps nothing'); } };
    await new MetadataCache(TTL, NOOP_CACHE).putVideo(unserialisable);
    await new MetadataCache(TTL, NOOP_CACHE).putSearch('audio', `song ${id}`, 5, Object.assign(results(id), { toJSON: () => { throw new Error('serialised'); } }));
    expect((await new MetadataCache(TTL, NOOP_CACHE).getVideo(id))?.id).toBe(id);
    expect(await new MetadataCache(TTL, NOOP_CACHE).getSearch('audio', `song ${id}`, 5)).toHaveLength(1);
  });

  it('never keeps a video past the time its stream URLs still play, less the margin', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { cache } = noOpCache();
    const id = uniqueId();
    // URLs that live 30 minutes: with a 15-minute margin, 15 minutes in memory, not the hour's TTL.
    await new MetadataCache(TTL, cache).putVideo(video(id, 30 * 60));
    vi.setSystemTime(Date.now() + 14 * 60_000);
    expect((await new MetadataCache(TTL, cache).getVideo(id))?.id).toBe(id);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect(await new MetadataCache(TTL, cache).getVideo(id)).toBeNull();
  });

  it('keeps at most 256 searches in memory, dropping the least recently used', async () => {
    const { cache } = noOpCache();
    const metadata = new MetadataCache(TTL, cache);
    const prefix = uniqueId();
    await metadata.putSearch('audio', `${prefix} kept`, 5, results('kept'));
    await metadata.putSearch('audio', `${prefix} dropped`, 5, results('dropped'));
    for (let i = 0; i < 255; i++) {
      if (i === 100) expect(await metadata.getSearch('audio', `${prefix} kept`, 5)).not.toBeNull();
      await metadata.putSearch('video', `${prefix} filler ${i}`, 5, results(String(i)));
    }
    expect(await metadata.getSearch('audio', `${prefix} kept`, 5)).not.toBeNull();
    expect(await metadata.getSearch('audio', `${prefix} dropped`, 5)).toBeNull();
    expect(metadataCacheTiers().search).toMatchObject({ tier: 'isolate_memory+cache_api', entries: 256 });
  });
});
