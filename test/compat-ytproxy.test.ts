import { describe, expect, it } from 'vitest';
import { createKey } from './support/api';
import { BASE, aiohttpJson, botFetch, ytproxy } from './support/bot-clients';
import { expectSameBytes, remainingAfterProbe, streamBytesOf } from './support/bot-checks';

describe('YTProxy shape: /info/<id> with x-api-key', () => {
  it('the client downloads audio_url with its header, byte-exact: the answer and the file once each', async () => {
    const { key } = await createKey({ daily_limit: 20 });
    const { file } = await ytproxy.download(BASE, key, 'M4gD1WSo5mA', false);
    expect(file?.name).toBe('M4gD1WSo5mA.mp3');
    expect(file!.headers.get('Content-Type')).toBe('audio/webm');
    expect(file!.headers.get('Content-Length')).toBe(String(file!.bytes.length));
    expectSameBytes(file!.bytes, (await streamBytesOf('M4gD1WSo5mA')).bytes);
    // The answer, the file's first request (as a /stream link's), the probe.
    expect(await remainingAfterProbe(key)).toBe(20 - 3);
  });

  it('answers status "success" with both file URLs and the metadata', async () => {
    const { key } = await createKey();
    const response = await botFetch(`${BASE}/info/M4gD1WSo5mA`, { headers: { 'x-api-key': key } });
    expect(response.status).toBe(200);
    const body = await aiohttpJson(response);
    expect(body).toMatchObject({ status: 'success', id: 'M4gD1WSo5mA', duration: 721, audio_format: 'webm' });
    expect(body.audio_url).toMatch(/^http:\/\/api\.test\/file\//);
    expect(body.video_url).toMatch(/^http:\/\/api\.test\/file\//);
    expect(body.video_url).not.toBe(body.audio_url);
    expect(JSON.stringify(body)).not.toContain(key);
  });

  it('answers {"status": "error", "message"} for a bad key or an unplayable video', async () => {
    const bad = await ytproxy.download(BASE, '00000000-0000-4000-8000-000000000000', 'M4gD1WSo5mA', false);
    expect(bad).toMatchObject({ file: null, status: 401, message: expect.any(String) });
    const { key } = await createKey();
    const unplayable = await botFetch(`${BASE}/info/8VajtrESJzA`, { headers: { 'x-api-key': key } });
    expect(unplayable.status).toBe(403);
    expect(await aiohttpJson(unplayable)).toMatchObject({ status: 'error', code: 'video.private', message: expect.stringMatching(/private/i) });
  });
});
