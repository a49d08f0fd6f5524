import { describe, expect, it } from 'vitest';
import { fromBase64url } from '../workers/core/src/stream/token';
import { api, apiJson, createKey, upstream, withKey } from './support/api';
import { apiWithCache, consumerEnv, runJobs, telegram, testVideoId } from './support/telegram-cache';

/**
 * The smaller holes: a link says when it was minted, a client-forced 416 is
 * the client's, and key holders see an upload's status but not why it failed.
 */
function payloadFields(path: string): string[] {
  const token = path.split('/')[2]!;
  return new TextDecoder().decode(fromBase64url(token.split('.')[0]!)).split('.');
}

describe('stream links', () => {
  it('carry their mint time, whatever the TTL setting, so revoke-before never depends on it', async () => {
    const { key } = await createKey({ name: 'mint time' });
    const before = Math.floor(Date.now() / 1000);
    const { body } = await apiJson('/v1/resolve?query=M4gD1WSo5mA', withKey(key));
    const after = Math.floor(Date.now() / 1000);
    for (const url of [body.stream.url, body.formats.video_only.url]) {
      const fields = payloadFields(new URL(url).pathname);
      expect(fields).toHaveLength(7);
      const issuedAt = Number(fields[6]);
      expect(issuedAt).toBeGreaterThanOrEqual(before);
      expect(issuedAt).toBeLessThanOrEqual(after);
    }
  });

  it('keep the unit of an HLS link’s first request that the upstream answers 416 for the client’s own Range', async () => {
    const videoId = 'hlsRange416';
    await upstream.alias(videoId, 'X4VbdwhkE10');
    const { key } = await createKey({ daily_limit: 10 });
    const resolved = await apiJson(`/v1/resolve?query=${videoId}&type=video`, withKey(key));
    expect(resolved.body.stream.delivery).toBe('hls');
    const path = new URL(resolved.body.stream.url).pathname;
    await upstream.hostile({ match: videoId, status: 416, contentType: 'text/plain', body: 'range' });
    const refused = await api(path, { headers: { 'X-API-Key': 'none', Range: 'bytes=999999999-' } });
    expect(refused.status).toBe(416);
    expect((await refused.json<any>()).error.code).toBe('stream.range_not_satisfiable');
    // The resolve, the link's first request, and this resolve.
    const again = await api(`/v1/resolve?query=M4gD1WSo5mA`, withKey(key));
    expect(again.headers.get('RateLimit-Remaining')).toBe(String(10 - 3));
  });
});

describe('upload status', () => {
  it('tells a key holder that an upload failed, but not the consumer’s reason; an admin sees it', async () => {
    const workerEnv = consumerEnv(await telegram.newBot(), { TELEGRAM_CHANNEL_ID: '@nosuchchannel' });
    const videoId = testVideoId('rs');
    await upstream.alias(videoId, 'tjz2u2DiveM');
    const cached = apiWithCache(workerEnv);
    await cached.json(`/v1/resolve?query=${videoId}`);
    await runJobs(cached.queued, workerEnv);
    const { key } = await createKey({ name: 'status only' });
    const asUser = await cached.json(`/v1/resolve?query=${videoId}`, withKey(key));
    expect(asUser.body.cache).toEqual({ status: 'failed' });
    expect(JSON.stringify(asUser.body)).not.toMatch(/chat not found/);
    const asAdmin = await cached.json(`/v1/resolve?query=${videoId}`);
    expect(asAdmin.body.cache.reason).toMatch(/chat not found/);
  });
});
