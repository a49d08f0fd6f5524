import { beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { upstream } from './support/api';
import { apiWith } from './support/api-with';

/**
 * A ciphered client's HLS manifest URL carries its `n` as a `/n/<challenge>/` path segment
 * (yt-dlp's get_manifest_n_challenge); googlevideo refuses the playlist while it is left as it
 * came (test/servers/client-answers.ts manifestRefusal), so a resolve deciphers it too.
 */
beforeEach(async () => {
  await resetIsolateClientHealth();
  await upstream.player('c9168c90');
});

describe('HLS manifests of the ciphered clients', () => {
  it.each(['TV', 'WEB_EMBEDDED'] as const)('through %s, the manifest’s n is deciphered and its playlist plays', { timeout: 120_000 }, async (client) => {
    const app = apiWith({ YOUTUBE_CLIENTS: client, FALLBACK_INSTANCES: '' });
    const videoId = `mHlsN${client === 'TV' ? 'tv' : 'em'}0001`;
    await upstream.alias(videoId, 'tjz2u2DiveM');
    const resolved = await app.json(`/v1/resolve?query=${videoId}&type=video`);
    expect(resolved.status, resolved.text).toBe(200);
    expect(resolved.body.stream.delivery).toBe('hls');
    const master = await app.call(new URL(resolved.body.stream.url).pathname);
    expect(master.status).toBe(200);
    expect(await master.text()).toContain('#EXTM3U');
    const manifests = (await upstream.calls()).filter((call) => call.path.startsWith('/api/manifest/hls_variant/') && call.path.includes(`/id/${videoId}.`));
    expect(manifests.length).toBeGreaterThan(0);
    expect(manifests.filter((call) => call.refused)).toEqual([]);
  });
});
