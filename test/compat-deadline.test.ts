import { describe, expect, it } from 'vitest';
import { createKey } from './support/api';
import { BASE, aiohttpJson, botFetch, deadline } from './support/bot-clients';
import { expectSameBytes, playableSearch, recordingSleep, remainingAfterProbe, streamBytesOf } from './support/bot-checks';

describe('DeadlineTech shape: /youtube/v2/download and /youtube/jobStatus', () => {
  it('the client downloads the URL of the first answer at once, byte-exact: the job and the file once each', async () => {
    const { key } = await createKey({ daily_limit: 20 });
    const { sleep, delays } = recordingSleep();
    const { file, polls } = await deadline.download(BASE, key, 'https://www.youtube.com/watch?v=M4gD1WSo5mA', false, sleep);
    expect(polls).toBe(0);
    expect(delays).toEqual([]);
    expect(file?.name).toBe('M4gD1WSo5mA.m4a');
    expect(file!.headers.get('Content-Type')).toBe('audio/webm');
    expectSameBytes(file!.bytes, (await streamBytesOf('M4gD1WSo5mA')).bytes);
    // The job, its file's first request (as a /stream link's), the probe.
    expect(await remainingAfterProbe(key)).toBe(20 - 3);
  });

  it('the version that always polls finds the URL on its first poll, sending its key or none; polls spend no quota', async () => {
    const { key } = await createKey({ daily_limit: 20 });
    const { sleep, delays } = recordingSleep();
    const { file, polls } = await deadline.download(BASE, key, 'M4gD1WSo5mA', false, sleep, true);
    expect(polls).toBe(1);
    expect(delays).toEqual([2]);
    expectSameBytes(file!.bytes, (await streamBytesOf('M4gD1WSo5mA')).bytes);

    const start = await aiohttpJson(await botFetch(`${BASE}/youtube/v2/download?query=M4gD1WSo5mA&isVideo=false&api_key=${key}`));
    for (let poll = 0; poll < 3; poll++) {
      const status = await botFetch(`${BASE}/youtube/jobStatus?job_id=${start.job_id}`);
      expect(status.status).toBe(200);
      const body = await aiohttpJson(status);
      expect(body.job).toMatchObject({ id: start.job_id, status: 'done' });
      expect(body.public_url).toBe(start.public_url);
    }
    // Two jobs and the first one's file (its first request, as a /stream link's), then the probe; the polls spend nothing.
    expect(await remainingAfterProbe(key)).toBe(20 - 4);
  });

  it('answers the job with URL-valued fields only where the client looks for the file', async () => {
    const { key } = await createKey();
    const body = await aiohttpJson(await botFetch(`${BASE}/youtube/v2/download?query=M4gD1WSo5mA&isVideo=false&api_key=${key}`));
    expect(body).toMatchObject({ status: 'success', job: { status: 'done', result: { video_id: 'M4gD1WSo5mA', format: 'webm' } } });
    expect(body.job_id).toBe(body.job.id);
    expect(body.job_id.length).toBeGreaterThan(40);
    expect(body.public_url).toMatch(/^http:\/\/api\.test\/file\//);
    expect(body.job.result.public_url).toBe(body.public_url);
    for (const name of ['cdnurl', 'download_url', 'url', 'tg_link', 'result', 'results', 'data', 'items']) expect(body).not.toHaveProperty(name);
    expect(JSON.stringify(body)).not.toContain(key);
  });

  it('accepts search text as the query', async () => {
    const { key } = await createKey();
    const id = await playableSearch('lofi hip hop radio');
    const { file } = await deadline.download(BASE, key, 'lofi hip hop radio', false, recordingSleep().sleep);
    expect(file?.headers.get('Content-Disposition')).toMatch(new RegExp(`^attachment; filename="${id}\\.(webm|m4a)"$`));
    expect(file!.bytes.length).toBeGreaterThan(0);
  });

  it('answers a track it cannot play with 404 JSON, where the client stops retrying', async () => {
    const { key } = await createKey();
    const response = await botFetch(`${BASE}/youtube/v2/download?query=8VajtrESJzA&isVideo=false&api_key=${key}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('X-Error-Code')).toBe('video.private');
    expect(await aiohttpJson(response)).toMatchObject({ status: 'error', code: 'video.private', job: { status: 'error' } });
  });

  it('refuses a guessed or forged job id with 404 JSON, and a bad key before any job starts', async () => {
    const guessed = await botFetch(`${BASE}/youtube/jobStatus?job_id=1234`);
    expect(guessed.status).toBe(404);
    expect(await aiohttpJson(guessed)).toMatchObject({ status: 'error', job: { status: 'error' } });
    const missing = await botFetch(`${BASE}/youtube/jobStatus`);
    expect(missing.status).toBe(400);
    const { file, error } = await deadline.download(BASE, '00000000-0000-4000-8000-000000000000', 'M4gD1WSo5mA', false, recordingSleep().sleep);
    expect(file).toBeNull();
    expect(error).toBe('start answered 401');
  });
});
