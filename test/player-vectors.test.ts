import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import vectors from './fixtures/youtube/player-js/vectors.json';
import { createLogger } from '../workers/core/src/logging/logger';
import { createOutbound } from '../workers/core/src/outbound/http';
import { upstreamOrigins } from '../workers/core/src/settings';
import { cipherCacheKey, forgetLoadedPlayers, PlayerCiphers } from '../workers/core/src/youtube/player-cipher';
import { upstream } from './support/api';

/**
 * Every recorded player from sts 19292 (late 2022) to 2026, extracted in workerd and run
 * through QuickJS, gives yt-dlp's own value for every vector in vectors.json; the second
 * load of a player in a cold isolate takes its code from the Cache API, not the script.
 */
const logger = createLogger({ level: 'error', format: 'json' });
const outbound = createOutbound({
  upstreamOrigins: upstreamOrigins.parse((env as unknown as { UPSTREAM_ORIGINS: string }).UPSTREAM_ORIGINS),
  timeoutMs: 60_000,
  logger,
});
const byPlayer = new Map<string, typeof vectors.vectors>();
for (const vector of vectors.vectors) byPlayer.set(vector.player_id, [...(byPlayer.get(vector.player_id) ?? []), vector]);
const stsOf = import.meta.glob<number>('./fixtures/youtube/player-js/*-base.json', { eager: true, import: 'signature_timestamp' });

describe('signature and n of the recorded players, in QuickJS', () => {
  it.each([...byPlayer.keys()])('player %s gives yt-dlp’s values', { timeout: 120_000 }, async (playerId) => {
    const cache = await caches.open('player-vectors-test');
    const cipher = await new PlayerCiphers(outbound, logger, 'vectors', cache).forPlayer(playerId);
    // The values below come from the deferred form of the code (lazy-functions.ts), the one kept.
    const kept = (await (await cache.match(cipherCacheKey(playerId)))?.json()) as { code: string } | undefined;
    expect(kept?.code).toContain('__deferred("(function');
    const sts = stsOf[`./fixtures/youtube/player-js/${playerId}-base.json`];
    if (sts) expect(cipher.signatureTimestamp).toBe(sts);
    expect(cipher.signatureTimestamp).toBeGreaterThanOrEqual(19292);
    const own = byPlayer.get(playerId)!;
    const outputs = cipher.decipher(own.map((vector) => (vector.kind === 'n' ? { n: vector.input } : { s: vector.input })));
    expect(outputs.map((output, index) => (own[index]!.kind === 'n' ? output.n : output.sig))).toEqual(own.map((vector) => vector.expected));
  });

  it('loads a player in a cold isolate from the Cache API, without fetching its script again', { timeout: 120_000 }, async () => {
    const cache = await caches.open('player-vectors-cold');
    await forgetLoadedPlayers();
    await new PlayerCiphers(outbound, logger, 'vectors-cold', cache).forPlayer('6e20d3a8');
    await forgetLoadedPlayers();
    const before = (await upstream.calls()).filter((call) => call.path.includes('/6e20d3a8/')).length;
    const cipher = await new PlayerCiphers(outbound, logger, 'vectors-cold', cache).forPlayer('6e20d3a8');
    const after = (await upstream.calls()).filter((call) => call.path.includes('/6e20d3a8/')).length;
    expect(after).toBe(before);
    const vector = byPlayer.get('6e20d3a8')!.find((v) => v.kind === 'n')!;
    expect(cipher.decipher([{ n: vector.input }])[0]!.n).toBe(vector.expected);
  });
});
