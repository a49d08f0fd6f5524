import { beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { apiJson, upstream } from './support/api';
import { apiWith } from './support/api-with';

/**
 * One client's refusal is not the video's verdict (issue 18 §4): VISIONOS refuses "made for kids"
 * videos that tv_downgraded and web_embedded play, with the very answer YouTube gives an id that
 * does not exist. A video is declared gone only when a client of another kind agrees.
 */
// The first resolve of a file loads youtubei.js and the player script: slow on a shared machine.
const SLOW = { timeout: 120_000 };

beforeEach(async () => {
  await resetIsolateClientHealth();
});

const freshId = (prefix: string) => `${prefix}${crypto.randomUUID().replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 11);

async function playerClients(videoId: string) {
  return (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId).map((call) => call.client);
}

describe('a video one client refuses and others play', () => {
  it('resolves through the next client of another kind (a "made for kids" video VISIONOS refuses)', SLOW, async () => {
    const videoId = freshId('kid');
    await upstream.alias(videoId, 'tjz2u2DiveM');
    await upstream.madeForKids(videoId);
    const answer = await apiJson(`/v1/resolve?query=${videoId}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.title).toMatch(/\w/);
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5']);
  });

  it('goes past a second refusal of the same kind (ANDROID_VR after VISIONOS) to one of another kind', SLOW, async () => {
    const videoId = freshId('kiv');
    await upstream.alias(videoId, 'cJ9to6EmElQ');
    await upstream.madeForKids(videoId);
    const answer = await apiWith({ YOUTUBE_CLIENTS: 'VISIONOS,ANDROID_VR,WEB_EMBEDDED', FALLBACK_INSTANCES: '' }).json(`/v1/resolve?query=${videoId}`);
    expect(answer.status, answer.text).toBe(200);
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'ANDROID_VR', 'WEB_EMBEDDED_PLAYER']);
  });
});

describe('an id YouTube has no video for', () => {
  it('is 404 video.not_found once a second client, of another kind, agrees', SLOW, async () => {
    const videoId = freshId('nox');
    const answer = await apiJson(`/v1/resolve?query=${videoId}`);
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('video.not_found');
    expect(await playerClients(videoId)).toEqual(['VISIONOS', 'TVHTML5']);
  });

  it('is not declared gone when the only other kind could not answer (a bot check): try again later', SLOW, async () => {
    const videoId = freshId('noy');
    await upstream.scenario(videoId, 'bot_check', 'TVHTML5');
    const answer = await apiWith({ YOUTUBE_CLIENTS: 'VISIONOS,TV', FALLBACK_INSTANCES: '' }).json(`/v1/resolve?query=${videoId}`);
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('youtube.bot_check');
  });

  it('with a chain of one kind of client, is 404 on that kind’s word', SLOW, async () => {
    const videoId = freshId('noz');
    const answer = await apiWith({ YOUTUBE_CLIENTS: 'VISIONOS', FALLBACK_INSTANCES: '' }).json(`/v1/resolve?query=${videoId}`);
    expect(answer.status).toBe(404);
    expect(await playerClients(videoId)).toEqual(['VISIONOS']);
  });
});

describe('an unambiguous refusal', () => {
  it('(YouTube names the video and its reason: members only) ends the search at the first client', SLOW, async () => {
    const videoId = freshId('pay');
    await upstream.alias(videoId, 'sMJ8bRN2dak');
    const answer = await apiJson(`/v1/resolve?query=${videoId}`);
    expect(answer.status).toBe(402);
    expect(answer.body.error.code).toBe('video.paid');
    expect(await playerClients(videoId)).toEqual(['VISIONOS']);
  });
});
