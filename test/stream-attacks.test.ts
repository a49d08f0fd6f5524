import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../workers/api/src/app';
import { base64url } from '../workers/core/src/stream/token';
import { TEST_ADMIN_KEY, api, apiJson, upstream } from './support/api';

/**
 * The stream proxy as a hostile client and a hostile upstream see it: it
 * fetches only URIs it wrote, only from media hosts, on every redirect hop,
 * and never serves an upstream's document from this origin.
 */
const internal = (name: string) => `${upstream.internalUrl}/__internal/${name}`;

/** A live stream's link under the test's own id, so that hostile rules can single out its playlists and segments. */
async function hlsLink(videoId = 'X4VbdwhkE10') {
  if (videoId !== 'X4VbdwhkE10') await upstream.alias(videoId, 'X4VbdwhkE10');
  const { body } = await apiJson(`/v1/resolve?query=${videoId}&type=video`);
  const path = new URL(body.stream.url).pathname;
  const master = await (await api(path)).text();
  const variants = master.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => new URL(line).pathname);
  const media = await (await api(variants[0]!)).text();
  const segments = media.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => new URL(line).pathname);
  return { path, token: path.split('/')[2]!, variants, segments };
}

describe('the HLS relay fetches only URIs this service wrote', () => {
  it('refuses a URI it did not write, even on googlevideo, and fetches nothing', async () => {
    const { token } = await hlsLink();
    const before = (await upstream.calls()).length;
    const forged = 'https://rr1---sn-test.googlevideo.com/videoplayback/id/hls/itag/95/clen/999/sq/7/file/seg.ts';
    const encoded = base64url(new TextEncoder().encode(forged));
    for (const segment of [encoded, `${encoded}.${'A'.repeat(22)}`, `${encoded}.`, `${encoded}.x.y`]) {
      const response = await api(`/stream/${token}/hls/${segment}`);
      expect(response.status).toBe(403);
      expect((await response.json<any>()).error.code).toBe('stream.token_invalid');
    }
    const after = await upstream.calls();
    expect(after.slice(before).some((call) => call.clen === 999)).toBe(false);
  });

  it('refuses a URI written for one link under another link, or with its target swapped', async () => {
    const first = await hlsLink();
    const second = await hlsLink();
    const [, , , , tail] = first.segments[0]!.split('/');
    const moved = await api(`/stream/${second.token}/hls/${tail}`);
    // Two resolves in one second can mint the same token; only a different token proves the point.
    if (second.token !== first.token) expect(moved.status).toBe(403);
    const [, mac] = tail!.split('.');
    const other = base64url(new TextEncoder().encode('https://rr1---sn-test.googlevideo.com/videoplayback/id/hls/itag/92/clen/188000/sq/1/file/seg.ts'));
    expect((await api(`/stream/${first.token}/hls/${other}.${mac}`)).status).toBe(403);
    expect((await api(first.segments[0]!)).status).toBe(200);
  });
});

describe('redirects never lead off the media hosts', () => {
  it('/stream: a googlevideo redirect to an internal address is refused and never fetched', async () => {
    await upstream.alias('redirDirct1', 'kX3nB4PpJko');
    const { body } = await apiJson('/v1/resolve?query=redirDirct1');
    await upstream.hostile({ match: 'tv=redirDirct1&', redirect: internal('direct') });
    const response = await api(new URL(body.stream.url).pathname, { headers: { Range: 'bytes=0-99' } });
    expect(response.status).toBe(502);
    expect((await response.json<any>()).error.code).toBe('upstream.redirect_forbidden');
    expect(await upstream.internalHits()).not.toContain('/__internal/direct');
  });

  it('/stream: a redirect to another googlevideo host is followed', async () => {
    await upstream.alias('redirDirct2', 'kX3nB4PpJko');
    const { body } = await apiJson('/v1/resolve?query=redirDirct2');
    const url = new URL(body.stream.url);
    // The format's own URL, moved to another googlevideo node (the test googlevideo serves any of them).
    const moved = `https://rr9---sn-moved.googlevideo.com/videoplayback?itag=${body.stream.mime.includes('opus') ? 251 : 140}&clen=${body.stream.size}&range=0-99`;
    await upstream.hostile({ match: 'tv=redirDirct2&', redirect: moved, times: 1 });
    const response = await api(url.pathname, { headers: { Range: 'bytes=0-99' } });
    expect(response.status).toBe(206);
    expect((await response.arrayBuffer()).byteLength).toBe(100);
    const hosts = (await upstream.calls()).filter((call) => call.clen === body.stream.size).map((call) => call.host);
    expect(hosts).toContain('rr9---sn-moved.googlevideo.com');
  });

  it('HLS relay: a segment redirecting to an internal address or a loop is refused', async () => {
    const { segments } = await hlsLink('hlsRedirct1');
    await upstream.hostile({ match: '/src/hlsRedirct1.X4VbdwhkE10.1/itag/95/clen/188000/sq/2/', redirect: internal('hls') });
    const refused = await api(segments[1]!);
    expect(refused.status).toBe(502);
    expect(await upstream.internalHits()).not.toContain('/__internal/hls');
    await upstream.hostile({ match: '/src/hlsRedirct1.X4VbdwhkE10.1/itag/95/clen/188000/sq/2/', redirect: '/videoplayback/id/hls/src/hlsRedirct1.X4VbdwhkE10.1/itag/95/clen/188000/sq/2/file/seg.ts', times: 20 });
    const loop = await api(segments[1]!);
    expect(loop.status).toBe(502);
    expect((await loop.json<any>()).error.message).toMatch(/redirected more than 5 times/);
  });

  it('fallback instances: a redirect of the instance API to an internal address is never fetched', async () => {
    await upstream.alias('redirFallbk', 'tjz2u2DiveM');
    await upstream.scenario('redirFallbk', 'bot_check');
    await upstream.hostile({ match: '/api/v1/videos/redirFallbk', redirect: internal('invidious') });
    await upstream.hostile({ match: '/streams/redirFallbk', redirect: internal('piped'), status: 307 });
    const answer = await apiJson('/v1/resolve?query=redirFallbk');
    expect(answer.status).toBeGreaterThanOrEqual(500);
    const hits = await upstream.internalHits();
    expect(hits).not.toContain('/__internal/invidious');
    expect(hits).not.toContain('/__internal/piped');
  });
});

describe('a video joined into one file (the bot shapes) stays on the media hosts too', () => {
  async function fileLink(videoId: string): Promise<string> {
    await upstream.alias(videoId, 'tjz2u2DiveM');
    const { body } = await apiJson(`/v1/resolve?query=${videoId}&type=video`);
    expect(body.stream.delivery).toBe('hls');
    return new URL(body.stream.url).pathname.replace('/stream/', '/file/');
  }

  it('refuses a segment redirecting to an internal address, and a huge playlist', async () => {
    const redirected = await fileLink('joinRedir01');
    await upstream.hostile({ match: '/src/joinRedir01.', redirect: internal('joined') });
    const refused = await api(redirected);
    expect(refused.status).toBe(502);
    expect((await refused.json<any>()).error.code).toBe('upstream.redirect_forbidden');
    expect(await upstream.internalHits()).not.toContain('/__internal/joined');

    const huge = await fileLink('joinHuge001');
    await upstream.hostile({ match: '/hls_playlist/id/joinHuge001.', playlistBytes: 64 * 1024 * 1024 });
    const tooBig = await api(huge);
    expect(tooBig.status).toBe(502);
    expect((await tooBig.json<any>()).error.message).toMatch(/playlist over/);
  });
});

describe('relayed bodies are media, never documents of this origin', () => {
  it('serves an upstream segment sent as HTML as video/mp2t with nosniff', async () => {
    const { segments } = await hlsLink('hlsHtmlSeg1');
    await upstream.hostile({ match: '/src/hlsHtmlSeg1.X4VbdwhkE10.1/itag/95/clen/188000/sq/1/', contentType: 'text/html; charset=utf-8', body: '<script>alert(document.cookie)</script>' });
    const response = await api(segments[0]!);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('video/mp2t');
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });

  it('sends nosniff and a fixed media type on /stream and on playlists', async () => {
    const { body } = await apiJson('/v1/resolve?query=M4gD1WSo5mA');
    const media = await api(new URL(body.stream.url).pathname, { method: 'HEAD' });
    expect(media.headers.get('Content-Type')).toBe('audio/webm');
    expect(media.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const { path } = await hlsLink();
    const playlist = await api(path);
    expect(playlist.headers.get('Content-Type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });

  it('gives up on a playlist whose host stops sending mid-body: UPSTREAM_TIMEOUT_MS bounds a playlist’s whole read (504)', async () => {
    const { variants } = await hlsLink('hlsStallLst');
    await upstream.hostile({ match: '/hls_playlist/id/hlsStallLst.X4VbdwhkE10.1/', stall: true });
    const ctx = createExecutionContext();
    const response = await createApp().fetch(
      new Request(`http://api.test${variants[0]}`, { headers: { 'X-API-Key': TEST_ADMIN_KEY, 'CF-Connecting-IP': '10.92.0.1' } }),
      { ...env, UPSTREAM_TIMEOUT_MS: '500' },
      ctx,
    );
    expect(response.status).toBe(504);
    expect((await response.json<any>()).error.code).toBe('upstream.timeout');
  });

  it('refuses a playlist of many megabytes without reading it all', async () => {
    const { variants } = await hlsLink('hlsHugeList');
    await upstream.hostile({ match: '/hls_playlist/id/hlsHugeList.X4VbdwhkE10.1/', playlistBytes: 64 * 1024 * 1024 });
    const response = await api(variants[0]!);
    expect(response.status).toBe(502);
    expect((await response.json<any>()).error.message).toMatch(/playlist over/);
  });
});
