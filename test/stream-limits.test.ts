import { describe, expect, it } from 'vitest';
import { api, apiJson, createKey, inOneRateWindow, upstream, withKey } from './support/api';

/**
 * Limits as a busy bot server meets them: one IP, one key, many listeners,
 * and players that ask for many ranges of each track.
 */
const TRACKS = ['M4gD1WSo5mA', 'T4XJQO3qol8', 'cJ9to6EmElQ'];

function from(ip: string, init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('CF-Connecting-IP', ip);
  return { ...init, headers };
}

async function streamPath(key: string, videoId: string, ip: string): Promise<string> {
  const answer = await apiJson(`/v1/resolve?query=${videoId}`, from(ip, withKey(key)));
  expect(answer.status).toBe(200);
  return new URL(answer.body.stream.url).pathname;
}

const range = (path: string, ip: string, first: number) =>
  api(path, from(ip, { headers: { 'X-API-Key': 'none', Range: `bytes=${first}-${first + 99}` } }));

describe('stream links under the quota and the rate limits', () => {
  it('lets one IP stream many tracks through many Range requests at once, counting each link once', async () => {
    const ip = '198.51.100.20';
    const { key } = await createKey({ daily_limit: 1000 });
    const paths = await Promise.all(TRACKS.map((videoId) => streamPath(key, videoId, ip)));
    const requests = Array.from({ length: 150 }, (_, index) => [paths[index % paths.length]!, index * 1000] as const);
    const statuses: number[] = [];
    for (let start = 0; start < requests.length; start += 15) {
      const batch = requests.slice(start, start + 15);
      statuses.push(...(await Promise.all(batch.map(async ([path, first]) => (await range(path, ip, first)).status))));
    }
    expect(statuses.filter((status) => status !== 206)).toEqual([]);
    // Three resolves, three links' first requests, and this resolve.
    const after = await api(`/v1/resolve?query=${TRACKS[0]}`, from(ip, withKey(key)));
    expect(after.headers.get('RateLimit-Remaining')).toBe(String(1000 - 7));
  });

  it('counts the first request of each link; a key out of quota finishes its track but starts no other', async () => {
    const ip = '198.51.100.21';
    const { key } = await createKey({ daily_limit: 3 });
    const [first, second] = [await streamPath(key, TRACKS[0]!, ip), await streamPath(key, TRACKS[1]!, ip)];
    expect((await range(first, ip, 0)).status).toBe(206);
    for (let index = 1; index <= 10; index++) expect((await range(first, ip, index * 5000)).status).toBe(206);
    const refused = await range(second, ip, 0);
    expect(refused.status).toBe(429);
    expect((await refused.json<any>()).error.code).toBe('quota.exceeded');
    expect((await range(first, ip, 90_000)).status).toBe(206);
  });

  it('gives the unit back when a first request fails on our side, so the retry is the first', async () => {
    const ip = '198.51.100.22';
    const { key } = await createKey({ daily_limit: 10 });
    await upstream.alias('firstFail01', 'An8vtD1FDqs');
    const path = await streamPath(key, 'firstFail01', ip);
    await upstream.hostile({ match: 'tv=firstFail01&', status: 500, contentType: 'text/plain', body: 'boom' });
    expect((await range(path, ip, 0)).status).toBe(502);
    expect((await range(path, ip, 0)).status).toBe(206);
    expect((await range(path, ip, 100)).status).toBe(206);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await api('/v1/resolve?query=firstFail01', from(ip, withKey(key)));
    // resolve, the retried first request, this resolve
    expect(after.headers.get('RateLimit-Remaining')).toBe(String(10 - 3));
  });

  it('limits a key per minute whatever its IPs, and gives the refused requests their quota back', async () => {
    const { key, record } = await createKey({ daily_limit: 5000 });
    const other = await createKey({ daily_limit: 5000 });
    await inOneRateWindow(30_000);
    let last: Response | undefined;
    for (let index = 0; index < 600; index++) {
      const response = await api('/v1/resolve?query=', withKey(key));
      expect(response.status).toBe(400);
    }
    last = await api('/v1/resolve?query=', withKey(key));
    expect(last.status).toBe(429);
    expect((await last.json<any>()).error.code).toBe('rate.limited');
    expect(last.headers.get('Retry-After')).toBe('60');
    expect((await api('/v1/resolve?query=', withKey(other.key))).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const view = await apiJson(`/admin/keys/${record.id}`);
    expect(view.body.used_today ?? view.body.key?.used_today).toBe(600);
  }, 120_000);

  it('does not count a key against the IP: 150 keyed requests from one address pass', async () => {
    const ip = '198.51.100.23';
    const { key } = await createKey({ daily_limit: 1000 });
    const statuses = [];
    for (let index = 0; index < 150; index++) statuses.push((await api('/v1/resolve?query=', from(ip, withKey(key)))).status);
    expect(statuses.filter((status) => status !== 400)).toEqual([]);
  });

  it('counts guessed keys and forged links against the IP', async () => {
    await inOneRateWindow(20_000);
    const ip = '198.51.100.24';
    const statuses = [];
    for (let index = 0; index < 101; index++) {
      const guess = crypto.randomUUID();
      statuses.push((await api('/v1/resolve?query=x', from(ip, withKey(guess)))).status);
    }
    expect(statuses.slice(0, 100).every((status) => status === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
    const forgedIp = '198.51.100.25';
    let lastForged = 0;
    for (let index = 0; index < 101; index++) lastForged = (await api(`/stream/forged${index}.x`, from(forgedIp))).status;
    expect(lastForged).toBe(429);
  }, 60_000);

  it("counts a DeadlineTech bot's job polls against the job's key, not its server's IP", async () => {
    const ip = '198.51.100.27';
    const { key } = await createKey({ daily_limit: 1000 });
    const start = await apiJson(`/youtube/v2/download?query=${TRACKS[0]}&isVideo=false&api_key=${key}`, from(ip, { headers: { 'X-API-Key': 'none' } }));
    expect(start.status).toBe(200);
    const statuses = [];
    for (let index = 0; index < 150; index++) {
      statuses.push((await api(`/youtube/jobStatus?job_id=${encodeURIComponent(start.body.job_id)}`, from(ip, { headers: { 'X-API-Key': 'none' } }))).status);
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });

  it('counts a link minted without a key per IP only where a stream starts, not its ranges', async () => {
    const ip = '198.51.100.26';
    const { body } = await apiJson(`/v1/resolve?query=${TRACKS[0]}`);
    const path = new URL(body.stream.url).pathname;
    const statuses = [];
    for (let index = 1; index <= 150; index++) statuses.push((await range(path, ip, index * 1000)).status);
    expect(statuses.filter((status) => status !== 206)).toEqual([]);
  });
});
