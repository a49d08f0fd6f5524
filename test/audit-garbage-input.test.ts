import { describe, expect, it } from 'vitest';
import { api } from './support/api';

/** Garbage of every kind on every route: a 4xx with a dotted code, never a 5xx. */
const GARBAGE = ['%', '%0A', '%E2%82%AC', '%E0%A4%A', 'a'.repeat(5000), '-1', '1e309', '99999999999999999999', 'NaN', '../../etc', '%00', '[]', '{}'];
const GET_ROUTES = [
  '/v1/resolve?query=$', '/v1/search?q=$', '/v1/search?query=$&limit=$', '/v1/search?query=x&type=$',
  '/youtube?query=$', '/youtube?query=x&video=$', '/download?url=$', '/download?url=x&type=$', '/song/$', '/video/$', '/info/$',
  '/youtube/v2/download?query=$', '/youtube/jobStatus?job_id=$', '/api/track?url=$',
  '/stream/$', '/stream/$/hls/$', '/file/$', '/stream/AAAAAAAAAAA?token=$', '/k/$/youtube?query=x',
  '/admin/keys?page=$', '/admin/keys?page_size=$', '/admin/keys/$', '/admin/logs?page=$', '/admin/logs?page_size=$',
  '/admin/logs?from=$', '/admin/logs?status=$', '/admin/cache?page=$', '/admin/stats/overview?from=$', '/admin/stats/timeseries?bucket=$',
  '/admin/stats/timeseries?from=$&to=$', '/admin/stats/endpoints?limit=$', '/admin/stats/top-keys?limit=$', '/health?deep=$',
];

async function expect4xx(path: string, init?: RequestInit) {
  const response = await api(path, init);
  const text = await response.text();
  if (response.status >= 500) throw new Error(`${init?.method ?? 'GET'} ${path.slice(0, 120)} -> ${response.status} ${text.slice(0, 300)}`);
  return { response, text };
}

describe('bad input is a 4xx on every route', () => {
  it('GET routes with garbage parameters', async () => {
    const failures: string[] = [];
    for (const route of GET_ROUTES) {
      for (const value of GARBAGE) {
        try {
          await expect4xx(route.replaceAll('$', value));
        } catch (error) {
          failures.push(String(error));
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('bodies and methods', async () => {
    const failures: string[] = [];
    const bodies = ['{', 'null', '[]', '"x"', '{"name":' + '"x"'.repeat(1) + ',"daily_limit":1e309}', '{"name":"' + 'a'.repeat(100000) + '"}', '{"before":"garbage"}', '{"before":1e20}', '{"daily_limit":-5,"name":"x"}', '{"expires_at":"x","name":"x"}'];
    const targets: Array<[string, string]> = [
      ['POST', '/admin/keys'], ['PATCH', '/admin/keys/abc'], ['POST', '/admin/create-key'], ['POST', '/admin/stream-links/revoke-before'],
    ];
    for (const [method, path] of targets) {
      for (const body of bodies) {
        for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
          try {
            await expect4xx(path, { method, body, headers: { 'Content-Type': type } });
          } catch (error) {
            failures.push(`${type} ${String(error)}`);
          }
        }
      }
    }
    for (const method of ['PUT', 'DELETE', 'PATCH', 'POST', 'TRACE', 'PROPFIND']) {
      for (const path of ['/v1/resolve', '/stream/x', '/file/x', '/download', '/admin/keys', '/youtube', '/health']) {
        try {
          const { response, text } = await expect4xx(path, { method });
          if (!/"code"\s*:\s*"[a-z_]+\.[a-z_]+"|^\{"error"/.test(text) && response.status !== 404) failures.push(`${method} ${path} ${response.status} ${text.slice(0, 100)}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe('bad ranges on every file route are a 4xx or the whole file', () => {
  it('/stream, /file, Shruti /download and /stream/<id>?token=', async () => {
    const resolved = await (await api('/v1/resolve?query=M4gD1WSo5mA')).json<any>();
    const path = new URL(resolved.stream.url).pathname;
    const token = path.split('/')[2]!;
    const { download_token } = await (await api('/download?url=M4gD1WSo5mA')).json<any>();
    const targets = [path, `/file/${token}`, '/download?url=M4gD1WSo5mA&api_key=', `/stream/M4gD1WSo5mA?token=${encodeURIComponent(download_token)}`];
    const ranges = ['bytes=abc', 'bytes=5-1', 'bytes=-0', 'bytes=0-99,200-299', 'bytes=99999999999999999999-', 'bytes=-99999999999999999999', 'items=0-5', 'bytes=1e3-', 'bytes= -', 'bytes=0-18446744073709551616'];
    const failures: string[] = [];
    for (const target of targets) {
      for (const range of ranges) {
        for (const method of ['GET', 'HEAD']) {
          const response = await api(target, { method, headers: { Range: range } });
          await response.arrayBuffer();
          if (response.status >= 500) failures.push(`${method} ${target.slice(0, 40)} ${range} -> ${response.status} ${response.headers.get('X-Error-Code')}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
