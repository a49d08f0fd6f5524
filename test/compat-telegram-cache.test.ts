import { describe, expect, it } from 'vitest';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { upstream } from './support/api';
import { apiWithCache, consumerEnv, runJobs, telegram, testVideoId } from './support/telegram-cache';

// "dog" (tjz2u2DiveM): YouTube streams its opus (251); the cache holds its m4a (140).
const RECORDING = 'tjz2u2DiveM';
const M4A = { itag: 140, size: 180_018 };
const M4A_BYTES = streamBytes(seedOf(`${M4A.itag}:${M4A.size}`), 0, M4A.size - 1);

async function cachedTrack(prefix: string) {
  const workerEnv = consumerEnv(await telegram.newBot());
  const videoId = testVideoId(prefix);
  await upstream.alias(videoId, RECORDING);
  const api = apiWithCache(workerEnv);
  await api.json(`/v1/resolve?query=${videoId}`);
  await runJobs(api.queued, workerEnv);
  return { api, videoId };
}

describe('bot shapes on a Telegram-cached track', () => {
  it('NexGen, Shruti and YTProxy download the channel’s copy, named for its type, without calling YouTube', async () => {
    const { api, videoId } = await cachedTrack('bc');
    const playerCalls = async () => (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId).length;
    const before = await playerCalls();

    const song = await api.json(`/song/${videoId}`);
    expect(song.body).toMatchObject({ status: 'done', format: 'm4a' });
    const file = await api.fetch(new URL(song.body.link).pathname);
    expect(file.status).toBe(200);
    expect(file.headers.get('Content-Type')).toBe('audio/mp4');
    expect(file.headers.get('Content-Disposition')).toBe(`attachment; filename="${videoId}.m4a"`);
    expect(file.headers.get('Content-Length')).toBe(String(M4A.size));
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(M4A_BYTES))).toBe(true);

    const shruti = await api.fetch(`/download?url=${videoId}&type=audio&api_key=x`, { headers: {} });
    expect(shruti.status).toBe(200);
    expect(Buffer.from(await shruti.arrayBuffer()).equals(Buffer.from(M4A_BYTES))).toBe(true);

    const info = await api.json(`/info/${videoId}`);
    const audio = await api.fetch(new URL(info.body.audio_url).pathname);
    expect(Buffer.from(await audio.arrayBuffer()).equals(Buffer.from(M4A_BYTES))).toBe(true);
    await api.settle();
    expect(await playerCalls()).toBe(before);
  });
});
