import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { api, apiJson, createKey, TEST_ADMIN_KEY } from './support/api';
import { BASE, aiohttpJson, botFetch } from './support/bot-clients';

const SONG = '/song/M4gD1WSo5mA';

describe('keys wherever a bot family sends them', () => {
  it('accepts api, api_key, key, X-API-Key in any letter case and Authorization: Bearer', async () => {
    const { key } = await createKey({ daily_limit: 20 });
    const answers = [
      await botFetch(`${BASE}${SONG}?api=${key}`),
      await botFetch(`${BASE}${SONG}?api_key=${key}`),
      await botFetch(`${BASE}${SONG}?key=${key}`),
      await botFetch(`${BASE}${SONG}`, { headers: { 'x-api-key': key } }),
      await botFetch(`${BASE}${SONG}`, { headers: { 'X-Api-Key': key } }),
      await botFetch(`${BASE}${SONG}`, { headers: { 'X-API-KEY': key } }),
      await botFetch(`${BASE}${SONG}`, { headers: { Authorization: `Bearer ${key}` } }),
    ];
    expect(answers.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(answers.map((response) => response.headers.get('RateLimit-Remaining'))).toEqual(['19', '18', '17', '16', '15', '14', '13']);
  });

  it('does not take Shruti’s download token parameter for a key', async () => {
    const { key } = await createKey();
    const response = await botFetch(`${BASE}${SONG}?token=${key}`);
    expect(response.status).toBe(401);
    expect(await aiohttpJson(response)).toMatchObject({ status: 'error', code: 'key.missing' });
  });

  it('takes a key in the base URL (/k/<key>/…) on every route, and refuses a bad one with the family’s JSON', async () => {
    const { key } = await createKey();
    expect((await botFetch(`${BASE}/k/${key}${SONG}`)).status).toBe(200);
    expect((await botFetch(`${BASE}/k/${key}/v1/resolve?query=M4gD1WSo5mA`)).status).toBe(200);
    expect((await botFetch(`${BASE}/k/${key}/info/M4gD1WSo5mA`)).status).toBe(200);
    // The owner's key in the base URL wins over a key the bot's code still sends.
    expect((await botFetch(`${BASE}/k/${key}/download?url=M4gD1WSo5mA&type=audio&api_key=ShrutiBotsDefaultKey`)).status).toBe(200);
    const bad = await botFetch(`${BASE}/k/not-a-key${SONG}`);
    expect(bad.status).toBe(401);
    expect(await aiohttpJson(bad)).toMatchObject({ status: 'error', code: 'key.invalid' });
  });

  it('never logs a key that came in the base URL: the request log sees the path without it', async () => {
    const { key, record } = await createKey({ name: 'prefix bot' });
    const log = vi.spyOn(console, 'log');
    const answer = await botFetch(`${BASE}/k/${key}${SONG}`);
    expect(answer.status).toBe(200);
    const requestId = answer.headers.get('X-Request-Id');
    let items: any[] = [];
    for (let attempt = 0; attempt < 120 && items.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      items = (await apiJson(`/admin/logs?key_id=${record.id}`)).body.items;
    }
    expect(items.map((item) => item.request_id)).toEqual([requestId]);
    expect(items[0]).toMatchObject({ endpoint: '/song/:id', status: 200, key_id: record.id });
    const everything = JSON.stringify(items) + log.mock.calls.flat().join('\n');
    for (const secret of [key, TEST_ADMIN_KEY, (env as unknown as { STREAM_SIGNING_KEY: string }).STREAM_SIGNING_KEY]) expect(everything).not.toContain(secret);
    log.mockRestore();
  });

  it('answers the rate limit and every other refusal as JSON with Content-Type application/json', async () => {
    for (const path of [SONG, '/video/M4gD1WSo5mA', '/download?url=M4gD1WSo5mA', '/youtube/v2/download?query=x', '/info/M4gD1WSo5mA']) {
      const response = await api(path, { headers: { 'X-API-Key': 'none' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect((await response.json<any>()).status).toBe('error');
    }
  });

  it('counts a Shruti /stream/<id> request once against the per-IP limit, and refuses the one past it in Shruti’s JSON', async () => {
    const headers = { 'CF-Connecting-IP': '203.0.113.91', 'X-API-Key': 'none' };
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 101; i++) {
      const response = await api('/stream/M4gD1WSo5mA?type=audio&token=not-a-token', { headers });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
      else await response.body?.cancel();
    }
    expect(statuses.slice(0, 100).every((status) => status === 403)).toBe(true);
    expect(statuses[100]).toBe(429);
    expect(refused!.headers.get('Retry-After')).toBe('60');
    expect(await aiohttpJson(refused!)).toMatchObject({ status: 'error', code: 'rate.limited' });
  });
});
