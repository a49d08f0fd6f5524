import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import vectors from './fixtures/youtube/player-js/vectors.json';
import { NOOP_CACHE } from '../workers/core/src/cache/edge-cache';
import { createLogger } from '../workers/core/src/logging/logger';
import { createOutbound } from '../workers/core/src/outbound/http';
import { upstreamOrigins } from '../workers/core/src/settings';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { forgetLoadedPlayers, newPlayerMemory, PlayerCiphers } from '../workers/core/src/youtube/player-cipher';
import type { PlayerFunctionsNamespace } from '../workers/core/src/youtube/player-functions';
import { upstream } from './support/api';
import { apiWith } from './support/api-with';

/**
 * The player functions' durable home (core/src/youtube/player-functions.ts): with the Cache API
 * a no-op, as on a workers.dev address, isolates that have never seen a player still cost the
 * service one extraction, and a player the extraction cannot read is not analysed again per request.
 */
const bindings = env as unknown as { PLAYER_FUNCTIONS: PlayerFunctionsNamespace; UPSTREAM_ORIGINS: string };
const logger = createLogger({ level: 'error', format: 'json' });
const outbound = createOutbound({ upstreamOrigins: upstreamOrigins.parse(bindings.UPSTREAM_ORIGINS), timeoutMs: 60_000, logger });
const objectOf = (playerId: string) => bindings.PLAYER_FUNCTIONS.get(bindings.PLAYER_FUNCTIONS.idFromName(playerId));
const scriptFetches = async (playerId: string) => (await upstream.calls()).filter((call) => call.path.startsWith(`/s/player/${playerId}/`)).length;
/** A fresh isolate: its own memory, no Cache API (workers.dev), the service's PlayerFunctions objects. */
const freshIsolate = () => new PlayerCiphers(outbound, logger, 'player-functions', { cache: NOOP_CACHE, functions: bindings.PLAYER_FUNCTIONS, memory: newPlayerMemory() });

beforeEach(async () => {
  await resetIsolateClientHealth();
});

describe('a new player build, with the Cache API off', () => {
  it('is extracted once for several fresh isolates asking at once, not once each, and their answers are yt-dlp’s', { timeout: 120_000 }, async () => {
    const playerId = '074a8365';
    await objectOf(playerId).forget();
    const before = await scriptFetches(playerId);
    const isolates = Array.from({ length: 4 }, freshIsolate);
    const ciphers = await Promise.all(isolates.map((isolate) => isolate.forPlayer(playerId)));
    expect((await scriptFetches(playerId)) - before).toBe(1);
    const vector = vectors.vectors.find((v) => v.player_id === playerId && v.kind === 'n')!;
    for (const cipher of ciphers) expect(cipher.decipher([{ n: vector.input }])[0]!.n).toBe(vector.expected);
    // Isolates that start later read the stored code: no script fetched again.
    await Promise.all(Array.from({ length: 3 }, freshIsolate).map((isolate) => isolate.forPlayer(playerId)));
    expect((await scriptFetches(playerId)) - before).toBe(1);
    expect(await objectOf(playerId).held()).toMatchObject({ ok: true, signatureTimestamp: expect.any(Number) });
  });
});

describe('a player the extraction cannot read', () => {
  it('is analysed once; other isolates and later requests get the remembered failure at once', { timeout: 60_000 }, async () => {
    const playerId = 'badbad01';
    await upstream.brokenPlayer(playerId);
    await objectOf(playerId).forget();
    const before = await scriptFetches(playerId);
    await expect(freshIsolate().forPlayer(playerId)).rejects.toMatchObject({ code: 'youtube.decipher_failed' });
    await expect(freshIsolate().forPlayer(playerId)).rejects.toMatchObject({ code: 'youtube.decipher_failed' });
    await expect(freshIsolate().forPlayer(playerId)).rejects.toMatchObject({ code: 'youtube.decipher_failed' });
    expect((await scriptFetches(playerId)) - before).toBe(1);
    expect(await objectOf(playerId).held()).toMatchObject({ ok: false, error: 'youtube.decipher_failed', retryAt: expect.any(Number) });
  });

  it('makes the ciphered clients count as failing: resolves move on to the next client without fetching the script again', { timeout: 60_000 }, async () => {
    const playerId = 'badbad02';
    await upstream.brokenPlayer(playerId, { current: true });
    await forgetLoadedPlayers();
    try {
      const app = apiWith({ YOUTUBE_CLIENTS: 'TV,VISIONOS', FALLBACK_INSTANCES: '' });
      const before = await scriptFetches(playerId);
      for (const [videoId, recorded] of [['mBrokenPl01', 'tjz2u2DiveM'], ['mBrokenPl02', 'T4XJQO3qol8']] as const) {
        await upstream.alias(videoId, recorded);
        const resolved = await app.json(`/v1/resolve?query=${videoId}`);
        expect(resolved.status, resolved.text).toBe(200);
        // TV gave up before asking YouTube (no functions to decipher with); VISIONOS answered.
        const asked = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId);
        expect(asked.map((call) => call.client)).toEqual(['VISIONOS']);
      }
      expect((await scriptFetches(playerId)) - before).toBe(1);
    } finally {
      await upstream.player('c9168c90');
      await forgetLoadedPlayers();
    }
  });
});
