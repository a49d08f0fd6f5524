import { describe, expect, it } from 'vitest';
import { api, createKey } from './support/api';
import { BASE, aiohttpJson, botFetch, shruti } from './support/bot-clients';
import { expectSameBytes, playableSearch, remainingAfterProbe, streamBytesOf } from './support/bot-checks';

describe('Shruti shape: /download and /stream/<id>', () => {
  it('the newest client (?api_key=) saves the answer body: the same bytes as /stream, one request of quota', async () => {
    const { key } = await createKey({ daily_limit: 20 });
    const saved = await shruti.download(BASE, key, 'https://www.youtube.com/watch?v=M4gD1WSo5mA&t=3', false);
    expect(saved?.name).toBe('M4gD1WSo5mA.mp3');
    expect(saved!.headers.get('Content-Type')).toBe('audio/webm');
    expect(saved!.headers.get('Content-Length')).toBe(String(saved!.bytes.length));
    expectSameBytes(saved!.bytes, (await streamBytesOf('M4gD1WSo5mA')).bytes);
    expect(await remainingAfterProbe(key)).toBe(20 - 2);
  });

  it('accepts a percent-encoded watch URL and search text as url=', async () => {
    const { key } = await createKey();
    const byUrl = await api(`/download?url=${encodeURIComponent('https://youtu.be/M4gD1WSo5mA?si=x')}&type=audio&api_key=${key}`);
    expect(byUrl.status).toBe(200);
    expect(byUrl.headers.get('Content-Disposition')).toBe('attachment; filename="M4gD1WSo5mA.webm"');
    await byUrl.body?.cancel();
    const id = await playableSearch('lofi hip hop radio');
    const bySearch = await api(`/download?url=${encodeURIComponent('lofi hip hop radio')}&type=audio&api_key=${key}`);
    expect(bySearch.status).toBe(200);
    expect(bySearch.headers.get('Content-Disposition')).toContain(`filename="${id}.`);
    expect(bySearch.headers.get('Content-Type')).toMatch(/^audio\//);
    await bySearch.body?.cancel();
  });

  it('serves the byte ranges ffmpeg asks of the /download URL, counting only the first', async () => {
    const { key } = await createKey({ daily_limit: 20 });
    const url = `/download?url=M4gD1WSo5mA&type=audio&api_key=${key}`;
    const whole = (await streamBytesOf('M4gD1WSo5mA')).bytes;
    const head = await api(url, { headers: { Range: 'bytes=0-' } });
    expect(head.status).toBe(206);
    await head.body?.cancel();
    const tail = await api(url, { headers: { Range: `bytes=${whole.length - 1000}-` } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('Content-Range')).toBe(`bytes ${whole.length - 1000}-${whole.length - 1}/${whole.length}`);
    expectSameBytes(new Uint8Array(await tail.arrayBuffer()), whole.slice(whole.length - 1000));
    const middle = await api(url, { headers: { Range: 'bytes=5000-5999' } });
    expectSameBytes(new Uint8Array(await middle.arrayBuffer()), whole.slice(5000, 6000));
    expect(await remainingAfterProbe(key)).toBe(20 - 2);
  });

  it('the newest client with its key in the base URL and SHRUTI_API_KEY left empty still gets the file, not the token JSON', async () => {
    const { key } = await createKey();
    const saved = await shruti.download(`${BASE}/k/${key}`, '', 'M4gD1WSo5mA', false);
    expect(saved?.name).toBe('M4gD1WSo5mA.mp3');
    expect(saved!.headers.get('Content-Type')).toBe('audio/webm');
    expectSameBytes(saved!.bytes, (await streamBytesOf('M4gD1WSo5mA')).bytes);
  });

  it.each(['query', 'header'] as const)('an older client with no key, its owner’s key in the base URL, gets a download token and the file (token in the %s)', async (tokenIn) => {
    const { key } = await createKey({ daily_limit: 20 });
    const saved = await shruti.tokenDownload(`${BASE}/k/${key}`, 'M4gD1WSo5mA', false, tokenIn);
    expect(saved?.name).toBe('M4gD1WSo5mA.mp3');
    expectSameBytes(saved!.bytes, (await streamBytesOf('M4gD1WSo5mA')).bytes);
    // /download spent one request, the file's first request with its token one more (as a /stream link's), then the probe.
    expect(await remainingAfterProbe(key)).toBe(20 - 3);
  });

  it('answers the download token as JSON within the old client’s contract, signed and short-lived', async () => {
    const { key } = await createKey();
    const response = await botFetch(`${BASE}/k/${key}/download?url=M4gD1WSo5mA&type=audio`);
    expect(response.status).toBe(200);
    const body = await aiohttpJson(response);
    expect(body).toMatchObject({ status: 'success', video_id: 'M4gD1WSo5mA', type: 'audio' });
    expect(typeof body.download_token).toBe('string');
    expect(body.download_token.length).toBeGreaterThan(11);
    expect(JSON.stringify(body)).not.toContain(key);
    const forged = body.download_token.slice(0, -2) + (body.download_token.endsWith('AA') ? 'BB' : 'AA');
    const refused = await botFetch(`${BASE}/stream/M4gD1WSo5mA?type=audio&token=${forged}`);
    expect(refused.status).toBe(403);
    expect((await aiohttpJson(refused)).status).toBe('error');
    const otherTrack = await botFetch(`${BASE}/stream/T4XJQO3qol8?type=audio&token=${body.download_token}`);
    expect(otherTrack.status).toBe(403);
    const otherType = await botFetch(`${BASE}/stream/M4gD1WSo5mA?type=video&token=${body.download_token}`);
    expect(otherType.status).toBe(403);
  });

  it('refuses a client with no key at all with JSON, which the bot reads as a failure', async () => {
    const response = await botFetch(`${BASE}/download?url=M4gD1WSo5mA&type=audio`);
    expect(response.status).toBe(401);
    expect(await aiohttpJson(response)).toMatchObject({ status: 'error', code: 'key.missing' });
    expect(await shruti.tokenDownload(BASE, 'M4gD1WSo5mA', false, 'query')).toBeNull();
    const noToken = await botFetch(`${BASE}/stream/M4gD1WSo5mA?type=audio`);
    expect(noToken.status).toBe(403);
    expect(await aiohttpJson(noToken)).toMatchObject({ status: 'error', code: 'stream.token_invalid' });
  });

  it('answers an unplayable video as JSON with its status, never a broken file', async () => {
    const { key } = await createKey();
    const response = await botFetch(`${BASE}/download?url=8VajtrESJzA&type=audio&api_key=${key}`);
    expect(response.status).toBe(403);
    expect(await aiohttpJson(response)).toMatchObject({ status: 'error', code: 'video.private' });
    expect(await shruti.download(BASE, key, '8VajtrESJzA', false)).toBeNull();
  });
});
