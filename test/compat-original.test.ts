import { describe, expect, it } from 'vitest';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { api, apiJson, createKey, TEST_ADMIN_KEY, upstream, withKey } from './support/api';
import { apiWithCache, consumerEnv, PRIVATE_CHANNEL, runJobs, store, telegram, testVideoId } from './support/telegram-cache';

/**
 * The original Flask service (Probotsvip/Hai routes/api.py, routes/admin.py,
 * auth.py), parsed as its bots do: `stream_url` goes to PyTgCalls as is, so it
 * must be absolute and play; every error is `{"error": "<message>"}` as JSON,
 * and a key failure of any kind is 401.
 */
const FIELDS = ['id', 'title', 'duration', 'link', 'channel', 'views', 'thumbnail', 'stream_url', 'direct_url', 'stream_type', 'cached', 'telegram_cached', 'telegram_file_id'];

async function expectOriginalError(response: Response, status: number, message?: string | RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error).toBe('string');
  if (message !== undefined) expect(body.error).toMatch(message);
  return body;
}

describe('GET /youtube (the original service’s shape)', () => {
  it('answers exactly the original fields and types, with a stream_url PyTgCalls can open as it is', async () => {
    const { status, body, headers } = await apiJson('/youtube?query=M4gD1WSo5mA');
    expect(status).toBe(200);
    expect(headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(Object.keys(body).sort()).toEqual([...FIELDS].sort());
    expect(body).toMatchObject({ id: 'M4gD1WSo5mA', duration: 721, stream_type: 'Audio', cached: false, telegram_cached: false, telegram_file_id: null });
    expect(typeof body.title).toBe('string');
    expect(typeof body.views).toBe('number');
    expect(body.link).toBe('https://www.youtube.com/watch?v=M4gD1WSo5mA');
    expect(body.stream_url).toMatch(/^http:\/\/api\.test\/stream\/[\w-]+\.[\w-]+$/);
    expect(body.direct_url).toBe(body.stream_url);

    // What the player does with it: a plain GET of the absolute URL, no headers, no key.
    const played = await api(new URL(body.stream_url).pathname, { headers: { 'X-API-Key': 'none' } });
    expect(played.status).toBe(200);
    expect(played.headers.get('Content-Type')).toBe('audio/webm');
    const bytes = new Uint8Array(await played.arrayBuffer());
    const size = Number(played.headers.get('Content-Length'));
    expect(bytes.length).toBe(size);
    expect(Buffer.from(bytes).equals(Buffer.from(streamBytes(seedOf(`251:${size}`), 0, size - 1)))).toBe(true);
  });

  it('answers video=true with one MPEG-TS file joined from the HLS variant’s segments in order, never a playlist', async () => {
    const { status, body } = await apiJson('/youtube?query=https://www.youtube.com/watch?v=T4XJQO3qol8&video=true');
    expect(status).toBe(200);
    expect(body.stream_type).toBe('Video');
    expect(body.stream_url).toMatch(/^http:\/\/api\.test\/file\/[\w-]+\.[\w-]+$/);

    const file = await api(new URL(body.stream_url).pathname, { headers: { 'X-API-Key': 'none' } });
    expect(file.status).toBe(200);
    expect(file.headers.get('Content-Type')).toBe('video/mp2t');
    expect(file.headers.get('Content-Disposition')).toBe('attachment; filename="T4XJQO3qol8.ts"');
    const bytes = Buffer.from(await file.arrayBuffer());
    // The test HLS stream: a 720p (itag 95) and a 240p variant, two 188,000-byte segments each.
    const segment = (sq: number) => Buffer.from(streamBytes(seedOf(`95:188000:sq${sq}`), 0, 187_999));
    expect(bytes.length).toBe(2 * 188_000);
    expect(bytes.equals(Buffer.concat([segment(1), segment(2)]))).toBe(true);
    expect(bytes.subarray(0, 7).toString()).not.toBe('#EXTM3U');
    // MPEG-TS packets are 188 bytes: whole segments keep them whole.
    expect(bytes.length % 188).toBe(0);

    const head = await api(new URL(body.stream_url).pathname, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Type')).toBe('video/mp2t');
  });

  it('keeps the original’s statuses: 400 bad query, 404 nothing playable, always {"error": "…"}', async () => {
    await expectOriginalError(await api('/youtube'), 400, 'Query parameter is required');
    await expectOriginalError(await api('/youtube?query=https://vimeo.com/1'), 400);
    await expectOriginalError(await api('/youtube?query=8VajtrESJzA'), 404, /private/);
  });

  it('answers every key failure 401 with the original’s messages, Retry-After when over the limit', async () => {
    await expectOriginalError(await api('/youtube?query=M4gD1WSo5mA', { headers: { 'X-API-Key': 'none' } }), 401, 'Missing API key');
    await expectOriginalError(await api('/youtube?query=M4gD1WSo5mA&api_key=00000000-0000-4000-8000-000000000000'), 401, 'Invalid API key');
    await expectOriginalError(await api('/youtube?query=M4gD1WSo5mA&api_key=not-a-key'), 401, 'Invalid API key');

    const { key, record } = await createKey({ daily_limit: 1 });
    expect((await api(`/youtube?query=M4gD1WSo5mA&api_key=${key}`)).status).toBe(200);
    const over = await api(`/youtube?query=M4gD1WSo5mA&api_key=${key}`);
    expect(Number(over.headers.get('Retry-After'))).toBeGreaterThan(0);
    await expectOriginalError(over, 401, 'Daily limit exceeded');

    const patch = (body: unknown) =>
      api(`/admin/keys/${record.id}`, { method: 'PATCH', headers: { 'X-API-Key': TEST_ADMIN_KEY, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ daily_limit: 100, expires_at: new Date(Date.now() - 1000).toISOString() })).status).toBe(200);
    await expectOriginalError(await api('/youtube?query=M4gD1WSo5mA', withKey(key)), 401, 'API key has expired');
    expect((await patch({ expires_at: null, active: false })).status).toBe(200);
    await expectOriginalError(await api('/youtube?query=M4gD1WSo5mA', withKey(key)), 401, /deactivated/);
  });

  it('gives a cache hit’s telegram_url as the channel post’s t.me link, never a file URL with the bot token', async () => {
    const token = await telegram.newBot();
    const workerEnv = consumerEnv(token);
    const videoId = testVideoId('og');
    await upstream.alias(videoId, 'tjz2u2DiveM');
    const cached = apiWithCache(workerEnv);
    expect((await cached.json(`/youtube?query=${videoId}`)).body.cached).toBe(false);
    await runJobs(cached.queued, workerEnv);
    const entry = (await store.getCacheEntry(videoId, 'audio'))!;

    const { status, body } = await cached.json(`/youtube?query=${videoId}`);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([...FIELDS, 'telegram_url'].sort());
    expect(body).toMatchObject({ cached: true, telegram_cached: true, telegram_file_id: entry.file_id, telegram_url: `https://t.me/ytmusiccache/${entry.message_id}` });
    expect(JSON.stringify(body)).not.toContain(token);
    expect(body.stream_url).toMatch(/^http:\/\/api\.test\/stream\//);

    // A private channel has no link anyone but its members can open: none is given.
    const privateEnv = consumerEnv(token, { TELEGRAM_CHANNEL_ID: PRIVATE_CHANNEL });
    const privateId = testVideoId('op');
    await upstream.alias(privateId, 'tjz2u2DiveM');
    const privateApi = apiWithCache(privateEnv);
    await privateApi.json(`/youtube?query=${privateId}`);
    await runJobs(privateApi.queued, privateEnv);
    const hit = await privateApi.json(`/youtube?query=${privateId}`);
    expect(hit.body).toMatchObject({ cached: true, telegram_url: null });
  });
});

describe('the original’s admin routes', () => {
  const admin = (method: string, body?: unknown): RequestInit => ({
    method,
    headers: { 'X-API-Key': TEST_ADMIN_KEY, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

  it('POST /admin/create-key → {success, key_id, message}, a key that works at once', async () => {
    const created = await apiJson('/admin/create-key', admin('POST', { name: 'legacy bot', daily_limit: 7, expiry_days: 2 }));
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).slice(0, 3)).toEqual(['success', 'key_id', 'message']);
    expect(created.body).toMatchObject({ success: true, message: 'API key created: legacy bot', daily_limit: 7 });
    const key = created.body.key_id as string;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    const used = await api('/v1/resolve?query=M4gD1WSo5mA', withKey(key));
    expect(used.headers.get('RateLimit-Limit')).toBe('7');

    await expectOriginalError(await api('/admin/create-key', admin('POST', { daily_limit: 7 })), 400, 'Key name is required');
    await expectOriginalError(await api('/admin/create-key', admin('POST', { name: 'x', daily_limit: -1 })), 400, /daily_limit/);
    await expectOriginalError(await api('/admin/create-key', { ...admin('POST', { name: 'x' }), headers: { 'X-API-Key': 'none' } }), 401, 'Missing API key');
  });

  it('DELETE /admin/delete-key/<key> → {success, message}, or 404 {"error": "API key not found"}', async () => {
    const { key } = await createKey({ name: 'to delete' });
    const deleted = await apiJson(`/admin/delete-key/${key}`, admin('DELETE'));
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true, message: 'API key deleted successfully' });
    await expectOriginalError(await api('/youtube?query=M4gD1WSo5mA', withKey(key)), 401, 'Invalid API key');
    await expectOriginalError(await api(`/admin/delete-key/${key}`, admin('DELETE')), 404, 'API key not found');
    // The record id the dashboard shows works too.
    const other = await createKey({ name: 'by id' });
    expect((await apiJson(`/admin/delete-key/${other.record.id}`, admin('DELETE'))).body.success).toBe(true);
  });

  it('GET /admin/stats → the original’s fields and types', async () => {
    await api('/youtube?query=M4gD1WSo5mA');
    const { status, body } = await apiJson('/admin/stats');
    expect(status).toBe(200);
    expect(Object.keys(body).slice(0, 6)).toEqual(['total_requests', 'total_keys', 'active_keys', 'today_requests', 'error_rate', 'popular_endpoints']);
    for (const field of ['total_requests', 'total_keys', 'active_keys', 'today_requests', 'error_rate']) expect(typeof body[field]).toBe('number');
    expect(body.error_rate).toBeGreaterThanOrEqual(0);
    expect(body.error_rate).toBeLessThanOrEqual(100);
    expect(Array.isArray(body.popular_endpoints)).toBe(true);
    for (const endpoint of body.popular_endpoints) {
      expect(Object.keys(endpoint)).toEqual(['_id', 'count']);
      expect(typeof endpoint._id).toBe('string');
      expect(typeof endpoint.count).toBe('number');
    }
  });

  it('GET /admin/keys keeps our paged answer', async () => {
    const { body } = await apiJson('/admin/keys');
    expect(Array.isArray(body.items)).toBe(true);
    expect(typeof body.total).toBe('number');
  });
});
