import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startYouTubeUpstream } from '../servers/youtube-upstream';
import { freePort } from './support/api-server';
import { startService } from './support/npm-start';

/** The README's first steps under `npm start`: a key from ADMIN_API_KEY, a resolve, the quota counting down. */
const ADMIN = 'change-me-to-a-long-secret';
let youtube: Awaited<ReturnType<typeof startYouTubeUpstream>>;
let service: Awaited<ReturnType<typeof startService>>;

beforeAll(async () => {
  youtube = await startYouTubeUpstream();
  const origins = Object.fromEntries(['www.youtube.com', 'youtubei.googleapis.com', 'music.youtube.com', '*.googlevideo.com'].map((host) => [host, youtube.url]));
  // WRANGLER_LOG=info: wrangler's line per request is on, so the masking of those lines is shown below.
  service = await startService(await freePort(), { ADMIN_API_KEY: ADMIN, UPSTREAM_ORIGINS: JSON.stringify(origins), WRANGLER_LOG: 'info' });
}, 240_000);

afterAll(async () => {
  service?.stop();
  await youtube?.close();
});

describe('README quick start under npm start', () => {
  it('creates a key, resolves with it, streams, and counts the quota down', async () => {
    const created = await fetch(`${service.url}/admin/keys`, {
      method: 'POST',
      headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'my music bot', tier: 'user' }),
    });
    const { key, record } = (await created.json()) as { key: string; record: { daily_limit: number } };
    expect(record.daily_limit).toBe(1000);
    const remaining: string[] = [];
    let streamUrl = '';
    for (const query of ['https://youtu.be/M4gD1WSo5mA', 'M4gD1WSo5mA', 'https://www.youtube.com/watch?v=M4gD1WSo5mA&t=5']) {
      const response = await fetch(`${service.url}/v1/resolve?query=${encodeURIComponent(query)}`, { headers: { 'X-API-Key': key } });
      expect(response.status).toBe(200);
      expect(response.headers.get('RateLimit-Limit')).toBe('1000');
      remaining.push(response.headers.get('RateLimit-Remaining')!);
      streamUrl = ((await response.json()) as { stream: { url: string } }).stream.url;
    }
    expect(remaining).toEqual(['999', '998', '997']);
    const bytes = await fetch(streamUrl, { headers: { Range: 'bytes=0-1023' } });
    expect(bytes.status).toBe(206);
    expect((await bytes.arrayBuffer()).byteLength).toBe(1024);
  });

  it("keeps keys out of npm start's output: wrangler's request lines are masked too", async () => {
    const created = await fetch(`${service.url}/admin/keys`, {
      method: 'POST',
      headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'short-lived bot' }),
    });
    const { key } = (await created.json()) as { key: string };
    expect((await fetch(`${service.url}/v1/resolve?query=M4gD1WSo5mA&api_key=${key}`)).status).toBe(200);
    expect((await fetch(`${service.url}/v1/search?query=dog&api=${encodeURIComponent(key)}`)).status).toBeLessThan(500);
    expect((await fetch(`${service.url}/admin/keys?api_key=${ADMIN}`)).status).toBe(200);
    expect((await fetch(`${service.url}/admin/delete-key/${key}`, { method: 'DELETE', headers: { 'X-API-Key': 'wrong-key' } })).status).toBe(401);
    expect((await fetch(`${service.url}/admin/delete-key/${key}`, { method: 'DELETE', headers: { 'X-API-Key': ADMIN } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const output = service.output();
    expect(output).toContain('/admin/delete-key/[redacted]');
    expect(output).not.toContain(key);
    expect(output).not.toContain(ADMIN);
  });
});
