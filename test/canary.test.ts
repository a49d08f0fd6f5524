import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { CANARY_CRON } from '../workers/api/src/crons';
import worker from '../workers/api/src/index';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { apiJson, upstream } from './support/api';

/** The canary cron on a video of the test's own (CANARY_VIDEO_ID), as Cloudflare would fire it. */
async function fireCanary(videoId: string) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: CANARY_CRON }), { ...env, CANARY_VIDEO_ID: videoId } as never, ctx);
  await waitOnExecutionContext(ctx);
}

async function health(): Promise<Record<string, any>> {
  const { body } = await apiJson('/health?deep=true');
  return Object.fromEntries(body.youtube.clients.map((client: any) => [client.name, client]));
}

async function canaryVideo(recordedId = 'M4gD1WSo5mA'): Promise<string> {
  const id = `cny${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);
  await upstream.alias(id, recordedId);
  return id;
}

describe('the canary (cron every 15 minutes)', () => {
  beforeEach(async () => {
    await resetIsolateClientHealth();
  });

  it('resolves CANARY_VIDEO_ID through each configured client on its own and fetches its first bytes', async () => {
    const videoId = await canaryVideo();
    await upstream.scenario(videoId, 'bot_check', 'TVHTML5');
    await fireCanary(videoId);
    const players = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId);
    expect(players.map((call) => call.client)).toEqual(['VISIONOS', 'TVHTML5', 'WEB_EMBEDDED_PLAYER']);
    const clients = await health();
    expect(clients.VISIONOS).toMatchObject({ state: 'ok', attempts_1h: 1 });
    expect(clients.TV).toMatchObject({ state: 'failing', attempts_1h: 1, last_failure: { code: 'youtube.bot_check' } });
    expect(clients.WEB_EMBEDDED).toMatchObject({ state: 'ok', attempts_1h: 1 });
  });

  it('counts googlevideo refusing a client’s URL as that client failing', async () => {
    // A recording no other test file streams: the 403 below is keyed by its content length.
    const videoId = await canaryVideo('An8vtD1FDqs');
    const { body } = await apiJson(`/v1/resolve?query=${videoId}`);
    await resetIsolateClientHealth();
    // The first client's probe of the audio meets a 403; the others' do not.
    await upstream.expireStream(body.stream.size, 1);
    await fireCanary(videoId);
    const clients = await health();
    expect(clients.VISIONOS).toMatchObject({ state: 'failing', last_failure: { code: 'googlevideo.forbidden' } });
    expect(clients.TV.state).toBe('ok');
  });

  it('sets a dying client aside before a user meets it', async () => {
    const videoId = await canaryVideo();
    await upstream.scenario(videoId, 'bot_check', 'VISIONOS');
    for (let run = 0; run < 5; run++) await fireCanary(videoId);
    expect((await health()).VISIONOS.state).toBe('cooling_off');
    const userVideo = await canaryVideo();
    expect((await apiJson(`/v1/resolve?query=${userVideo}`)).status).toBe(200);
    const players = (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === userVideo);
    expect(players.map((call) => call.client)).toEqual(['TVHTML5']);
  });

  it('leaves the daily clean-up on its own cron', async () => {
    const videoId = await canaryVideo();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '30 18 * * *' }), { ...env, CANARY_VIDEO_ID: videoId } as never, ctx);
    await waitOnExecutionContext(ctx);
    expect((await upstream.calls()).some((call) => call.videoId === videoId)).toBe(false);
  });
});
