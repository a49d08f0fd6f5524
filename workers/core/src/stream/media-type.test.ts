import { describe, expect, it } from 'vitest';
import { proxyMedia } from './chunked-proxy';
import { mediaType } from './media-type';

describe('relayed media types', () => {
  it('keeps audio/* and video/* and replaces anything else', () => {
    expect(mediaType('audio/webm; codecs="opus"', 'audio/mp4')).toBe('audio/webm');
    expect(mediaType('VIDEO/MP2T', 'video/mp4')).toBe('video/mp2t');
    for (const hostile of ['text/html', 'image/svg+xml', 'application/javascript', 'text/xml', 'audio/', 'video/x"><script>', '', null]) {
      expect(mediaType(hostile, 'audio/mp4')).toBe('audio/mp4');
    }
    expect(mediaType('text/html', 'text/html')).toBe('application/octet-stream');
  });

  it('a pass-through stream of unknown size never keeps an upstream text/html', async () => {
    const response = await proxyMedia(
      { url: 'https://rr1.googlevideo.com/videoplayback', size: null, mime: 'text/html' },
      {
        fetch: async () => new Response('<script>alert(1)</script>', { headers: { 'content-type': 'text/html' } }),
        chunkBytes: 1024,
        method: 'GET',
        rangeHeader: null,
      },
    );
    expect(response.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});
