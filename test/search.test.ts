import { describe, expect, it } from 'vitest';
import { apiJson, upstream } from './support/api';

describe('GET /v1/search', () => {
  it('lists YouTube Music songs for audio, best match first, with id, title, duration, channel and thumbnail', async () => {
    const { status, body } = await apiJson('/v1/search?query=mocromaniac&limit=3');
    expect(status).toBe(200);
    expect(body.results).toHaveLength(3);
    expect(body.results.map((result: any) => result.title)).toEqual(['Boom Boom Boom', 'Maniac', 'Get Money']);
    expect(body.results[0]).toMatchObject({ id: 'HhQGHxWZCd0', duration: 171, channel: 'MocroManiac' });
    expect(body.results[0].thumbnail).toMatch(/^https:\/\//);
    const search = (await upstream.calls()).find((call) => call.path === '/youtubei/v1/search' && call.query === 'mocromaniac');
    expect(search?.client).toBe('WEB_REMIX');
  });

  it('lists web videos for video mode', async () => {
    const { status, body } = await apiJson('/v1/search?query=test&limit=5&type=video');
    expect(status).toBe(200);
    expect(body.results).toHaveLength(5);
    expect(body.results[0]).toMatchObject({ id: 'Z8KYabgkMbw', title: 'Blind Test TOUT GENRE | 140 extraits', duration: 2840, channel: 'Blind Test & Chill' });
  });

  it('resolves search text to the top song and streams it', async () => {
    await upstream.alias('HhQGHxWZCd0', 'M4gD1WSo5mA');
    const { status, body } = await apiJson('/v1/resolve?query=mocromaniac');
    expect(status).toBe(200);
    expect(body.id).toBe('HhQGHxWZCd0');
    const players = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === 'HhQGHxWZCd0');
    expect(players.length).toBeGreaterThan(0);
  });

  it('rejects missing text and a bad limit with 400', async () => {
    expect((await apiJson('/v1/search?query=')).body.error.code).toBe('query.missing');
    const badLimit = await apiJson('/v1/search?query=x&limit=500');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.message).toContain('limit');
  });
});
