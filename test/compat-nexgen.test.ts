import { describe, expect, it } from 'vitest';
import { createKey } from './support/api';
import { BASE, aiohttpJson, botFetch, nexgen } from './support/bot-clients';
import { expectSameBytes, playableSearch, recordingSleep, remainingAfterProbe, streamBytesOf } from './support/bot-checks';

/**
 * anony/core/youtube.py builds `NexGenApi(config.API_URL, config.VIDEO_API_URL, config.API_KEY)`
 * while the constructor reads `(api_url, api_key, video_api_url)`: the README tells the owner to
 * set API_URL and API_KEY to the service's URL and VIDEO_API_URL to the key. This is that bot.
 */
function currentBot(config: { API_URL: string; VIDEO_API_URL: string; API_KEY: string }) {
  const [api_url, api_key, video_api_url] = [config.API_URL, config.VIDEO_API_URL, config.API_KEY];
  return (vidId: string, video: boolean, sleep: (seconds: number) => Promise<void>) => nexgen.download(api_url, api_key, video_api_url, vidId, video, sleep);
}

describe('NexGen shape: /song/<id>, /video/<id>', () => {
  it('the current client, configured as the README says, saves the file under its Content-Disposition name, byte-exact', async () => {
    const { key } = await createKey({ daily_limit: 20 });
    const download = currentBot({ API_URL: BASE, VIDEO_API_URL: key, API_KEY: BASE });
    const { sleep, delays } = recordingSleep();
    const saved = await download('M4gD1WSo5mA', false, sleep);
    expect(delays).toEqual([]);
    expect(saved?.name).toBe('M4gD1WSo5mA.webm');
    expect(saved!.headers.get('Content-Disposition')).toBe('attachment; filename="M4gD1WSo5mA.webm"');
    expect(saved!.headers.get('Content-Type')).toBe('audio/webm');
    expect(saved!.headers.get('Content-Length')).toBe(String(saved!.bytes.length));
    expectSameBytes(saved!.bytes, (await streamBytesOf('M4gD1WSo5mA')).bytes);
    // The answer spent one request, the file behind `link` one (its first request, as a /stream link's), then the probe.
    expect(await remainingAfterProbe(key)).toBe(20 - 3);
  });

  it('answers status "done" with an absolute link, the format, title and duration', async () => {
    const { key } = await createKey();
    const response = await botFetch(`${BASE}/song/M4gD1WSo5mA?api=${key}`, { headers: { Accept: 'application/json' } });
    expect(response.status).toBe(200);
    const body = await aiohttpJson(response);
    expect(body).toMatchObject({ status: 'done', format: 'webm', video_id: 'M4gD1WSo5mA', duration: 721 });
    expect(typeof body.title).toBe('string');
    expect(body.link).toMatch(/^http:\/\/api\.test\/file\/[\w-]+\.[\w-]+$/);
    expect(JSON.stringify(body)).not.toContain(key);
  });

  it('takes a percent-encoded URL or search text where the id goes, on /song and on YTProxy’s /info', async () => {
    const { key } = await createKey();
    const byUrl = await aiohttpJson(await botFetch(`${BASE}/song/${encodeURIComponent('https://youtu.be/M4gD1WSo5mA?si=abc')}?api=${key}`));
    expect(byUrl).toMatchObject({ status: 'done', video_id: 'M4gD1WSo5mA' });
    const id = await playableSearch('lofi hip hop radio');
    const bySearch = await aiohttpJson(await botFetch(`${BASE}/song/${encodeURIComponent('lofi hip hop radio')}?api=${key}`));
    expect(bySearch).toMatchObject({ status: 'done', video_id: id });
    const info = await aiohttpJson(await botFetch(`${BASE}/info/${encodeURIComponent('https://www.youtube.com/watch?v=M4gD1WSo5mA&t=1')}`, { headers: { 'x-api-key': key } }));
    expect(info).toMatchObject({ status: 'success', id: 'M4gD1WSo5mA' });
  });

  it('the older client names the file <id>.<format> and logs the error of a failed answer', async () => {
    const { key } = await createKey();
    const { file } = await nexgen.legacyDownload(BASE, key, 'M4gD1WSo5mA');
    expect(file?.name).toBe('M4gD1WSo5mA.webm');
    expectSameBytes(file!.bytes, (await streamBytesOf('M4gD1WSo5mA')).bytes);
    const failed = await botFetch(`${BASE}/song/8VajtrESJzA?api=${key}`);
    expect(failed.status).toBe(403);
    expect(await aiohttpJson(failed)).toMatchObject({ status: 'error', code: 'video.private', error: expect.stringMatching(/private/i), message: expect.any(String) });
  });

  it('refuses a bad key with JSON the client parses before it sees the status', async () => {
    const download = currentBot({ API_URL: BASE, VIDEO_API_URL: '00000000-0000-4000-8000-000000000000', API_KEY: BASE });
    expect(await download('M4gD1WSo5mA', false, recordingSleep().sleep)).toBeNull();
    const response = await botFetch(`${BASE}/song/M4gD1WSo5mA?api=00000000-0000-4000-8000-000000000000`);
    expect(response.status).toBe(401);
    expect(await aiohttpJson(response)).toMatchObject({ status: 'error', code: 'key.invalid' });
  });

  it('answers /video/<id> with a file link of one playable file (HLS-only video: MPEG-TS)', async () => {
    const { key } = await createKey();
    const response = await botFetch(`${BASE}/video/T4XJQO3qol8?api=${key}`);
    expect(response.status).toBe(200);
    const body = await aiohttpJson(response);
    expect(body).toMatchObject({ status: 'done', format: 'ts', video_id: 'T4XJQO3qol8' });
    expect(body.link).toMatch(/^http:\/\/api\.test\/file\//);
  });
});
