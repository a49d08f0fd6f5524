import { describe, expect, it } from 'vitest';
import { base64url } from './token';
import { rewritePlaylist, verifyProxiedUrl } from './hls';

const links = { proxyBase: 'https://api.example/stream/TOKEN/hls', token: 'TOKEN', secret: 'hls-test-secret' };
const uriLines = (text: string) => text.split('\n').filter((line) => line && !line.startsWith('#'));
const quotedUris = (text: string) => [...text.matchAll(/URI="([^"]+)"/g)].map((match) => match[1]!);

/** ffmpeg's HLS demuxer (extension_picky) plays a segment only when its URL's path ends in a media extension matching its content. */
describe('rewritten HLS URIs end in the extension of what they name', () => {
  it('variant playlists end in .m3u8, even when googlevideo names them without one', async () => {
    const master = ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'https://manifest.googlevideo.com/api/manifest/hls_playlist/id/x/itag/95/index.m3u8', '#EXT-X-STREAM-INF:BANDWIDTH=2', '/api/manifest/hls_playlist/id/x/itag/96/playlist', '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="/api/manifest/hls_playlist/id/x/itag/140"', ''].join('\n');
    const rewritten = await rewritePlaylist(master, 'https://manifest.googlevideo.com/api/manifest/hls_variant/id/x', links);
    for (const uri of [...uriLines(rewritten), ...quotedUris(rewritten)]) expect(uri).toMatch(/^https:\/\/api\.example\/stream\/TOKEN\/hls\/[\w-]+\.[\w-]{22}\.m3u8$/);
  });

  it('segments keep their own media extension (.ts, .aac, .m4s), default to .ts, and the init segment to .mp4', async () => {
    const media = [
      '#EXTM3U', '#EXT-X-TARGETDURATION:5', '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:5,', 'https://rr1.googlevideo.com/videoplayback/sq/1/file/seg.ts',
      '#EXTINF:5,', 'https://rr1.googlevideo.com/videoplayback/sq/2/file/seg.aac',
      '#EXTINF:5,', 'https://rr1.googlevideo.com/videoplayback/sq/3/chunk.m4s?x=1',
      '#EXTINF:5,', 'https://rr1.googlevideo.com/videoplayback/id/x/sq/4',
      '',
    ].join('\n');
    const rewritten = await rewritePlaylist(media, 'https://rr1.googlevideo.com/p/index.m3u8', links);
    expect(uriLines(rewritten).map((uri) => uri.split('.').at(-1))).toEqual(['ts', 'aac', 'm4s', 'ts']);
    expect(quotedUris(rewritten)[0]).toMatch(/\.mp4$/);
  });

  it('the relay verifies a URI with or without its extension (links already handed out), and refuses a tampered one', async () => {
    const target = 'https://rr1.googlevideo.com/videoplayback/sq/1/file/seg.ts';
    const [uri] = uriLines(await rewritePlaylist(`#EXTINF:5,\n${target}`, 'https://rr1.googlevideo.com/p.m3u8', links));
    const segment = uri!.slice(uri!.lastIndexOf('/') + 1);
    const [encoded, mac] = segment.split('.');
    expect((await verifyProxiedUrl(segment, 'TOKEN', links.secret))?.toString()).toBe(target);
    expect((await verifyProxiedUrl(`${encoded}.${mac}`, 'TOKEN', links.secret))?.toString()).toBe(target);
    expect(await verifyProxiedUrl(`${encoded}.${mac}.ts.ts`, 'TOKEN', links.secret)).toBeNull();
    expect(await verifyProxiedUrl(`${encoded}.${mac}.t%2Fs`, 'TOKEN', links.secret)).toBeNull();
    expect(await verifyProxiedUrl(`${encoded}.${mac}.ts`, 'OTHER', links.secret)).toBeNull();
    const other = base64url(new TextEncoder().encode('https://rr1.googlevideo.com/videoplayback/sq/2/file/seg.ts'));
    expect(await verifyProxiedUrl(`${other}.${mac}.ts`, 'TOKEN', links.secret)).toBeNull();
  });
});
