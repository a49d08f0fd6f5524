import { describe, expect, it } from 'vitest';
import { seedOf, streamBytes } from './servers/stream-bytes';
import { createKey } from './support/api';
import { BASE, aiohttpJson, botFetch, deadline, nexgen, shruti, ytproxy } from './support/bot-clients';
import { recordingSleep } from './support/bot-checks';

// T4XJQO3qol8 has no progressive format: its video is the test HLS stream, whose 720p variant
// (itag 95) is two 188,000-byte segments. One playable file is those segments joined in order.
const VIDEO = 'T4XJQO3qol8';
const segment = (sq: number) => Buffer.from(streamBytes(seedOf(`95:188000:sq${sq}`), 0, 187_999));
const JOINED = Buffer.concat([segment(1), segment(2)]);

function expectJoined(bytes: Uint8Array | undefined) {
  expect(bytes?.length).toBe(JOINED.length);
  expect(Buffer.from(bytes!).equals(JOINED)).toBe(true);
}

describe('video through the bot shapes: one MPEG-TS file, never a playlist', () => {
  it('Shruti: the newest client and an older one save the joined file', async () => {
    const { key } = await createKey();
    const newest = await shruti.download(BASE, key, VIDEO, true);
    expect(newest?.name).toBe(`${VIDEO}.mp4`);
    expect(newest!.headers.get('Content-Type')).toBe('video/mp2t');
    expectJoined(newest?.bytes);
    const older = await shruti.tokenDownload(`${BASE}/k/${key}`, VIDEO, true, 'header');
    expectJoined(older?.bytes);
  });

  it('NexGen: /video/<id> answers format "ts" and the client names the file <id>.ts from Content-Disposition', async () => {
    const { key } = await createKey();
    const saved = await nexgen.download(BASE, key, BASE, VIDEO, true, recordingSleep().sleep);
    expect(saved?.name).toBe(`${VIDEO}.ts`);
    expect(saved!.headers.get('Content-Disposition')).toBe(`attachment; filename="${VIDEO}.ts"`);
    expectJoined(saved?.bytes);
  });

  it('DeadlineTech: isVideo=true gives a job whose file is the joined video', async () => {
    const { key } = await createKey();
    const { file, polls } = await deadline.download(BASE, key, `https://youtu.be/${VIDEO}`, true, recordingSleep().sleep);
    expect(polls).toBe(0);
    expect(file!.headers.get('Content-Type')).toBe('video/mp2t');
    expectJoined(file?.bytes);
  });

  it('YTProxy: video_url, resolved only when downloaded, is the joined video', async () => {
    const { key } = await createKey();
    const { file } = await ytproxy.download(BASE, key, VIDEO, true);
    expect(file!.headers.get('Content-Disposition')).toBe(`attachment; filename="${VIDEO}.ts"`);
    expectJoined(file?.bytes);
  });

  it('refuses a live stream in the family’s JSON before handing out a link: it has no end to save', async () => {
    const { key } = await createKey();
    const nexgenAnswer = await botFetch(`${BASE}/video/X4VbdwhkE10?api=${key}`);
    expect(nexgenAnswer.status).toBe(422);
    expect(await aiohttpJson(nexgenAnswer)).toMatchObject({ status: 'error', code: 'video.no_formats', error: expect.stringMatching(/live/) });
    const deadlineAnswer = await botFetch(`${BASE}/youtube/v2/download?query=X4VbdwhkE10&isVideo=true&api_key=${key}`);
    // DeadlineTech's client stops at a 404 (and retries anything else): the real code stays in X-Error-Code.
    expect(deadlineAnswer.status).toBe(404);
    expect(deadlineAnswer.headers.get('X-Error-Code')).toBe('video.no_formats');
    expect((await aiohttpJson(deadlineAnswer)).job).toMatchObject({ status: 'error' });
    expect(await shruti.download(BASE, key, 'X4VbdwhkE10', true)).toBeNull();
  });
});
