import { describe, expect, it } from 'vitest';
import { maskKeyPath, moveKeyFromPath } from './key-path-prefix';

describe('moveKeyFromPath', () => {
  it('moves the key of /k/<key>/… into X-API-Key, over any key the client sent', () => {
    const request = new Request('https://svc.test/k/2f0c1a2b-0000-4000-8000-000000000000/download?url=abc&api_key=ShrutiBotsDefault', {
      headers: { 'X-API-Key': 'stale' },
    });
    const moved = moveKeyFromPath(request);
    expect(moved.url).toBe('https://svc.test/download?url=abc&api_key=ShrutiBotsDefault');
    expect(moved.headers.get('X-API-Key')).toBe('2f0c1a2b-0000-4000-8000-000000000000');
  });

  it('keeps the method, and maps a bare /k/<key> to /', () => {
    const moved = moveKeyFromPath(new Request('https://svc.test/k/abc', { method: 'HEAD' }));
    expect(new URL(moved.url).pathname).toBe('/');
    expect(moved.method).toBe('HEAD');
  });

  it('takes a base URL written with a trailing slash: /k/<key>//download and //download are /download', () => {
    const moved = moveKeyFromPath(new Request('https://svc.test/k/abc//download?url=x', { method: 'HEAD' }));
    expect(moved.url).toBe('https://svc.test/download?url=x');
    expect(moved.headers.get('X-API-Key')).toBe('abc');
    expect(moved.method).toBe('HEAD');
    const plain = moveKeyFromPath(new Request('https://svc.test//song/abc?api=k', { headers: { 'X-API-Key': 'k' } }));
    expect(plain.url).toBe('https://svc.test/song/abc?api=k');
    expect(plain.headers.get('X-API-Key')).toBe('k');
  });

  it('a key no header can carry (control or non-Latin-1 characters) still reaches the key check, as an invalid key', () => {
    for (const segment of ['%00', 'ab%0Acd', '%E2%82%AC', '%E0%A4%A']) {
      const moved = moveKeyFromPath(new Request(`https://svc.test/k/${segment}/youtube?query=x`));
      expect(new URL(moved.url).pathname).toBe('/youtube');
      expect(moved.headers.get('X-API-Key')).toBe(segment);
    }
  });

  it('leaves every other path alone', () => {
    const request = new Request('https://svc.test/kx/abc/song/x');
    expect(moveKeyFromPath(request)).toBe(request);
  });

  it('masks the key of such paths in printed request lines', () => {
    expect(maskKeyPath('GET /k/2f0c1a2b-0000/song/abc?api=1 200')).toBe('GET /k/***/song/abc?api=1 200');
  });
});
