import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { createOutbound } from './http';
import { findUpstreamOrigin } from './upstream-origins';

const silent = createLogger({ level: 'error', format: 'json', sink: () => {} });

describe('UPSTREAM_ORIGINS routing', () => {
  it('matches exact hosts and the longest *.suffix', () => {
    const origins = { 'www.youtube.com': 'http://a', '*.googlevideo.com': 'http://b', '*.rr1.googlevideo.com': 'http://c' };
    expect(findUpstreamOrigin('www.youtube.com', origins)).toBe('http://a');
    expect(findUpstreamOrigin('youtube.com', origins)).toBeUndefined();
    expect(findUpstreamOrigin('rr5---sn-x.googlevideo.com', origins)).toBe('http://b');
    expect(findUpstreamOrigin('x.rr1.googlevideo.com', origins)).toBe('http://c');
    expect(findUpstreamOrigin('googlevideo.com.evil.example', origins)).toBeUndefined();
  });

  it('sends a matching request to the origin with path, query and X-Forwarded-Host', async () => {
    const seen: Request[] = [];
    const fetch = createOutbound({
      upstreamOrigins: { 'api.telegram.org': 'http://127.0.0.1:9100' },
      timeoutMs: 1000,
      logger: silent,
      transport: async (input, init) => {
        seen.push(new Request(input, init));
        return new Response('ok');
      },
    });
    await fetch('https://api.telegram.org/bot123/getMe?x=1', { method: 'POST', body: 'hi' });
    expect(seen[0]!.url).toBe('http://127.0.0.1:9100/bot123/getMe?x=1');
    expect(seen[0]!.headers.get('X-Forwarded-Host')).toBe('api.telegram.org');
    expect(await seen[0]!.text()).toBe('hi');
    await fetch('https://example.com/a');
    expect(seen[1]!.url).toBe('https://example.com/a');
    expect(seen[1]!.headers.has('X-Forwarded-Host')).toBe(false);
  });

  it('gives every call a timeout and reports it as upstream.timeout', async () => {
    const fetch = createOutbound({
      upstreamOrigins: {},
      timeoutMs: 50,
      logger: silent,
      transport: (_input, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    });
    await expect(fetch('https://slow.example/')).rejects.toMatchObject({ code: 'upstream.timeout' });
  });
});
