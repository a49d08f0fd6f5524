import { beforeEach, describe, expect, it } from 'vitest';
import { resetIsolateClientHealth } from '../workers/core/src/youtube/colo-client-health';
import { createKey, upstream } from './support/api';
import { apiWith } from './support/api-with';

// The first resolve of a file loads youtubei.js and the player script: slow on a shared machine.
/**
 * The client table of August 2026 (yt-dlp's INNERTUBE_CLIENTS) and an operator's corrections to
 * it without a deploy: the YOUTUBE_CLIENT_OVERRIDES setting and /admin/youtube/clients.
 */
beforeEach(async () => {
  await resetIsolateClientHealth();
});

const freshId = (prefix: string) => `${prefix}${crypto.randomUUID().replace(/-/g, '')}`.slice(0, 11);

async function playerCalls(videoId: string) {
  return (await upstream.calls()).filter((call) => call.path === '/youtubei/v1/player' && call.videoId === videoId);
}

function adminCall(app: ReturnType<typeof apiWith>, method: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = key ? { 'X-API-Key': key } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return app.call('/admin/youtube/clients', { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
}

describe('TV as yt-dlp’s tv_downgraded', () => {
  it('resolves with TVHTML5 5.x and its own user agent where the 7.x TV client (TV_MODERN) gets SABR only', { timeout: 120_000 }, async () => {
    const videoId = freshId('tvd');
    await upstream.alias(videoId, 'tjz2u2DiveM');
    const resolved = await apiWith({ YOUTUBE_CLIENTS: 'TV', FALLBACK_INSTANCES: '' }).json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status, resolved.text).toBe(200);
    const [call] = await playerCalls(videoId);
    expect(call).toMatchObject({ client: 'TVHTML5', clientVersion: expect.stringMatching(/^5\./), userAgent: 'Mozilla/5.0 (ChromiumStylePlatform) Cobalt/Version' });

    const modern = freshId('tvm');
    await upstream.alias(modern, 'tjz2u2DiveM');
    const refused = await apiWith({ YOUTUBE_CLIENTS: 'TV_MODERN', FALLBACK_INSTANCES: '' }).json(`/v1/resolve?query=${modern}`);
    expect(refused.body.error.code).toBe('youtube.sabr_only');
    expect((await playerCalls(modern))[0]!.clientVersion).toMatch(/^7\./);
  });
});

describe('YOUTUBE_CLIENT_OVERRIDES', () => {
  it('replaces a client’s fields in the player request: TV put back at 7.x gets SABR only and the chain moves on', { timeout: 120_000 }, async () => {
    const videoId = freshId('ovs');
    await upstream.alias(videoId, 'tjz2u2DiveM');
    const app = apiWith({ YOUTUBE_CLIENTS: 'TV,WEB_EMBEDDED', FALLBACK_INSTANCES: '', YOUTUBE_CLIENT_OVERRIDES: JSON.stringify({ TV: { clientVersion: '7.20260707.07.00', userAgent: 'Cobalt/Test' } }) });
    const resolved = await app.json(`/v1/resolve?query=${videoId}`);
    expect(resolved.status, resolved.text).toBe(200);
    expect((await playerCalls(videoId)).map((call) => [call.client, call.clientVersion, call.userAgent])).toEqual([
      ['TVHTML5', '7.20260707.07.00', 'Cobalt/Test'],
      ['WEB_EMBEDDED_PLAYER', expect.stringMatching(/^2\./), expect.any(String)],
    ]);
  });

  it('malformed, fails fast with config.invalid naming the field', async () => {
    const answer = await apiWith({ YOUTUBE_CLIENT_OVERRIDES: '{"TV":{"clientVersion":"latest"}}' }).json('/v1/resolve?query=tjz2u2DiveM');
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('config.invalid');
    expect(answer.body.error.message).toMatch(/YOUTUBE_CLIENT_OVERRIDES.*TV\.clientVersion/);
  });
});

describe('/admin/youtube/clients', () => {
  it('PUT stores overrides that the next resolve uses, GET shows the effective table with who changed what and when, DELETE undoes them', { timeout: 120_000 }, async () => {
    const app = apiWith({ YOUTUBE_CLIENTS: 'TV,WEB_EMBEDDED', FALLBACK_INSTANCES: '' });
    try {
      const before = await (await adminCall(app, 'GET')).json<any>();
      expect(before.checked_on).toMatch(/^2026-/);
      expect(before.clients.find((client: any) => client.name === 'TV')).toMatchObject({ client_name: 'TVHTML5', client_version: '5.20260707', in_chain: true, overrides: [] });

      const put = await adminCall(app, 'PUT', { TV: { clientVersion: '7.20260801.00.00', userAgent: 'Cobalt/Operator' } });
      expect(put.status).toBe(200);
      const view = await (await adminCall(app, 'GET')).json<any>();
      const tv = view.clients.find((client: any) => client.name === 'TV');
      expect(tv).toMatchObject({ client_version: '7.20260801.00.00', user_agent: 'Cobalt/Operator', built_in_version: '5.20260707' });
      expect(tv.overrides).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'clientVersion', value: '7.20260801.00.00', from: 'admin', changed_by: 'admin', changed_at: expect.any(String) })]));
      expect(view.history[0]).toMatchObject({ action: 'put', by: 'admin', overrides: { TV: { clientVersion: '7.20260801.00.00' } } });

      const videoId = freshId('ova');
      await upstream.alias(videoId, 'tjz2u2DiveM');
      expect((await app.json(`/v1/resolve?query=${videoId}`)).status).toBe(200);
      expect((await playerCalls(videoId)).map((call) => [call.client, call.clientVersion])).toEqual([
        ['TVHTML5', '7.20260801.00.00'],
        ['WEB_EMBEDDED_PLAYER', expect.stringMatching(/^2\./)],
      ]);

      // Undone by another admin: the history names that key's id.
      const other = await createKey({ name: 'second admin', tier: 'admin' });
      expect((await adminCall(app, 'DELETE', undefined, other.key)).status).toBe(200);
      const after = await (await adminCall(app, 'GET')).json<any>();
      expect(after.stored_overrides).toBeNull();
      expect(after.history.map((change: any) => [change.action, change.by])).toEqual([['delete', other.record.id], ['put', 'admin']]);
      const again = freshId('ovd');
      await upstream.alias(again, 'tjz2u2DiveM');
      expect((await app.json(`/v1/resolve?query=${again}`)).status).toBe(200);
      expect((await playerCalls(again)).map((call) => [call.client, call.clientVersion])).toEqual([['TVHTML5', '5.20260707']]);
    } finally {
      await adminCall(app, 'DELETE');
    }
  });

  it.each([
    [{ TV: { clientVersion: 'latest' } }, /TV\.clientVersion/],
    [{ TV: { nameId: -1 } }, /TV\.nameId/],
    [{ NETSCAPE: { clientVersion: '1.0' } }, /NETSCAPE/],
    ['{"TV":', /json|body|JSON/i],
  ])('PUT %j is a 400 naming the field, and the table in force stays as it was', async (body, field) => {
    const app = apiWith({});
    const answer = await adminCall(app, 'PUT', body);
    expect(answer.status).toBe(400);
    const error = (await answer.json<any>()).error;
    expect(error.code).toBe('request.invalid');
    expect(error.message).toMatch(field);
    expect((await (await adminCall(app, 'GET')).json<any>()).stored_overrides).toBeNull();
  });

  it('needs an admin key', async () => {
    const answer = await apiWith({}).call('/admin/youtube/clients', { headers: { 'X-API-Key': 'not-a-key-at-all-0000' } });
    expect(answer.status).toBe(401);
  });
});
