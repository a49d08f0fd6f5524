import { describe, expect, it } from 'vitest';
import { apiWith } from './support/api-with';
import { createKey, withKey } from './support/api';
import { fakeLimiter } from './support/fake-limiter';

/**
 * Links are not free after their first request: every request of a link
 * (/stream, /file, Shruti's /download ranges) counts per link and per IP,
 * and a started link is restarted from its first byte LINK_MAX_RESTARTS times at most.
 */
const IP = '198.51.100.140';
const from = (init: RequestInit = {}, ip = IP): RequestInit => {
  const headers = new Headers(init.headers);
  headers.set('CF-Connecting-IP', ip);
  if (!headers.has('X-API-Key')) headers.set('X-API-Key', 'none');
  return { ...init, headers };
};

async function linkOf(service: ReturnType<typeof apiWith>, key: string, videoId = 'M4gD1WSo5mA'): Promise<string> {
  const response = await service.call(`/v1/resolve?query=${videoId}`, withKey(key));
  expect(response.status).toBe(200);
  return new URL(((await response.json()) as any).stream.url).pathname;
}

async function statusOf(response: Response): Promise<[number, string | null]> {
  const code = response.headers.get('X-Error-Code');
  await response.body?.cancel();
  return [response.status, code];
}

describe('every link request under a limiter', () => {
  it('counts the ranges of one link against LINK_RATE_LIMITER, whatever address asks', async () => {
    const perLink = fakeLimiter(3);
    const service = apiWith({ LINK_RATE_LIMITER: perLink as unknown as string });
    const { key } = await createKey({ daily_limit: 100 });
    const path = await linkOf(service, key);
    const answers = [];
    for (let index = 0; index < 4; index++) answers.push(await statusOf(await service.call(path, from({ headers: { Range: `bytes=${100 + index}-199` } }, `203.0.113.${index}`))));
    expect(answers).toEqual([[206, null], [206, null], [206, null], [429, 'rate.limited']]);
    // /file/<token> is the same link.
    expect(await statusOf(await service.call(path.replace('/stream/', '/file/'), from({ headers: { Range: 'bytes=5-9' } })))).toEqual([429, 'rate.limited']);
  });

  it('counts the link requests of one address against LINK_IP_RATE_LIMITER, across links', async () => {
    const perIp = fakeLimiter(2);
    const service = apiWith({ LINK_IP_RATE_LIMITER: perIp as unknown as string });
    const { key } = await createKey({ daily_limit: 100 });
    const paths = [await linkOf(service, key, 'M4gD1WSo5mA'), await linkOf(service, key, 'T4XJQO3qol8')];
    const answers = [];
    for (const path of [...paths, paths[0]!]) answers.push((await statusOf(await service.call(path, from({ headers: { Range: 'bytes=10-19' } }))))[0]);
    expect(answers).toEqual([206, 206, 429]);
    expect(perIp.counts.get(`ip:${IP}`)).toBe(3);
  });

  it('counts Shruti /download range reads, which spend no quota, per read', async () => {
    const perLink = fakeLimiter(2);
    const service = apiWith({ LINK_RATE_LIMITER: perLink as unknown as string });
    const { key } = await createKey({ daily_limit: 100 });
    const url = `/download?url=M4gD1WSo5mA&type=audio&api_key=${key}`;
    const answers = [];
    for (const range of ['bytes=0-99', 'bytes=1-', 'bytes=1-']) answers.push((await statusOf(await service.call(url, from({ headers: { Range: range, 'X-API-Key': key } }))))[0]);
    expect(answers).toEqual([206, 206, 429]);
  });
});

describe('whole-file restarts of a link', () => {
  it('allows LINK_MAX_RESTARTS of them after the first request, byte-0 ranges in any spelling, then refuses with 429 stream.too_many_restarts', async () => {
    const service = apiWith({ LINK_MAX_RESTARTS: '2' });
    const { key } = await createKey({ daily_limit: 100 });
    const path = await linkOf(service, key);
    const starts = ['bytes=0-99', 'bytes=00-', undefined, 'bytes=000-5'];
    const answers = [];
    for (const range of starts) answers.push(await statusOf(await service.call(path, from(range ? { headers: { Range: range } } : {}))));
    expect(answers.map(([status]) => status)).toEqual([206, 206, 200, 429]);
    expect(answers[3]![1]).toBe('stream.too_many_restarts');
    // A player's later ranges and a HEAD still pass: only whole-file restarts are capped.
    expect((await statusOf(await service.call(path, from({ headers: { Range: 'bytes=1000-1999' } }))))[0]).toBe(206);
    expect((await statusOf(await service.call(path, from({ method: 'HEAD' }))))[0]).toBe(200);
  });
});
