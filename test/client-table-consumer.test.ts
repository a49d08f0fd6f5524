import { describe, expect, it } from 'vitest';
import { upstream } from './support/api';
import { apiWithCache, claim, consumerEnv, runJobs, telegram, testVideoId } from './support/telegram-cache';

/**
 * The consumer Worker resolves each track itself, so it must use the client table in force too:
 * its own YOUTUBE_CLIENT_OVERRIDES, and over it the stored overrides the API put in the job.
 */
async function playerVersions(videoId: string) {
  return (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId).map((call) => [call.client, call.clientVersion]);
}

describe('the cache consumer’s client table', () => {
  it('is its YOUTUBE_CLIENT_OVERRIDES with the overrides the job carries over it', { timeout: 120_000 }, async () => {
    const token = await telegram.newBot();
    const settings = { YOUTUBE_CLIENTS: 'VISIONOS', YOUTUBE_CLIENT_OVERRIDES: JSON.stringify({ VISIONOS: { clientVersion: '1.50', osVersion: '26.6' } }) };

    const own = testVideoId('cto');
    await upstream.alias(own, 'tjz2u2DiveM');
    await claim(own);
    expect((await runJobs([{ video_id: own, type: 'audio' }], consumerEnv(token, settings))).explicitAcks).toEqual(['job-0']);
    expect(await playerVersions(own)).toEqual([['VISIONOS', '1.50']]);

    const carried = testVideoId('ctj');
    await upstream.alias(carried, 'tjz2u2DiveM');
    await claim(carried);
    const job = { video_id: carried, type: 'audio' as const, client_overrides: { VISIONOS: { clientVersion: '1.99' } } };
    expect((await runJobs([job], consumerEnv(token, settings))).explicitAcks).toEqual(['job-0']);
    expect(await playerVersions(carried)).toEqual([['VISIONOS', '1.99']]);
  });

  it('follows PUT /admin/youtube/clients: the API queues the stored overrides with the job, and the consumer resolves with them', { timeout: 120_000 }, async () => {
    const token = await telegram.newBot();
    const workerEnv = consumerEnv(token, { YOUTUBE_CLIENTS: 'VISIONOS' });
    const api = apiWithCache(workerEnv, { YOUTUBE_CLIENTS: 'VISIONOS' });
    const put = await api.fetch('/admin/youtube/clients', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ VISIONOS: { clientVersion: '1.77' } }) });
    expect(put.status).toBe(200);
    try {
      const videoId = testVideoId('cta');
      await upstream.alias(videoId, 'tjz2u2DiveM');
      expect((await api.json(`/v1/resolve?query=${videoId}`)).status).toBe(200);
      expect(api.queued).toEqual([expect.objectContaining({ video_id: videoId, client_overrides: { VISIONOS: { clientVersion: '1.77' } } })]);
      await runJobs(api.queued, workerEnv);
      expect(await playerVersions(videoId)).toEqual([['VISIONOS', '1.77'], ['VISIONOS', '1.77']]);
    } finally {
      await api.fetch('/admin/youtube/clients', { method: 'DELETE' });
    }
  });
});
