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
    await expect(fetch('https://slow.example/', { streamsBody: true })).rejects.toMatchObject({ code: 'upstream.timeout' });
  });

  it('ends a streamed body’s timeout with the answer, so a client reading slowly is not cut off; any other body stays under it', async () => {
    const signals: AbortSignal[] = [];
    const fetch = createOutbound({
      upstreamOrigins: {},
      timeoutMs: 50,
      logger: silent,
      transport: async (_input, init) => {
        signals.push(init!.signal!);
        return new Response('media');
      },
    });
    await fetch('https://media.example/chunk', { streamsBody: true });
    await fetch('https://api.example/answer');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(signals.map((signal) => signal.aborted)).toEqual([false, true]);
  });

  it('sends RELAY_SECRET to the relay with YouTube and googlevideo requests only, never to another rerouted host', async () => {
    const seen: Request[] = [];
    const fetch = createOutbound({
      upstreamOrigins: { 'www.youtube.com': 'https://relay.example:8790', '*.googlevideo.com': 'https://relay.example:8790', 'api.telegram.org': 'http://127.0.0.1:8081' },
      timeoutMs: 1000,
      logger: silent,
      relaySecret: 'relay-secret-0123456789',
      transport: async (input, init) => {
        seen.push(new Request(input, init));
        return new Response('ok');
      },
    });
    await fetch('https://www.youtube.com/youtubei/v1/player', { method: 'POST', body: '{}' });
    await fetch('https://rr3---sn-abc.googlevideo.com/videoplayback?id=1');
    await fetch('https://api.telegram.org/bot1/getMe');
    await fetch('https://www.youtube.com.evil.example/x');
    expect(seen.map((request) => request.headers.get('X-Relay-Secret'))).toEqual(['relay-secret-0123456789', 'relay-secret-0123456789', null, null]);
    expect(seen[1]!.url).toBe('https://relay.example:8790/videoplayback?id=1');
    expect(seen[1]!.headers.get('X-Forwarded-Host')).toBe('rr3---sn-abc.googlevideo.com');
  });

  it('follows a rerouted request’s redirects itself, each hop through the reroute again', async () => {
    const seen: Request[] = [];
    const fetch = createOutbound({
      upstreamOrigins: { '*.googlevideo.com': 'https://relay.example' },
      timeoutMs: 1000,
      logger: silent,
      relaySecret: 'relay-secret-0123456789',
      transport: async (input, init) => {
        const request = new Request(input, init);
        seen.push(request);
        if (seen.length === 1) return new Response(null, { status: 302, headers: { Location: 'https://rr9---sn-x.googlevideo.com/videoplayback?id=2' } });
        return new Response('bytes');
      },
    });
    const response = await fetch('https://rr1---sn-x.googlevideo.com/videoplayback?id=1');
    expect(await response.text()).toBe('bytes');
    expect(seen.map((request) => [request.url, request.headers.get('X-Forwarded-Host'), request.redirect])).toEqual([
      ['https://relay.example/videoplayback?id=1', 'rr1---sn-x.googlevideo.com', 'manual'],
      ['https://relay.example/videoplayback?id=2', 'rr9---sn-x.googlevideo.com', 'manual'],
    ]);
  });
  it('never lets the runtime follow a redirect: a rerouted POST’s hop stays in the relay, one off it carries no secret or cookie', async () => {
    const seen: Array<{ url: string; host: string | null; secret: string | null; cookie: string | null; redirect: RequestInit['redirect']; method: string }> = [];
    const fetch = createOutbound({
      upstreamOrigins: { 'www.youtube.com': 'https://relay.example' },
      timeoutMs: 1000,
      logger: silent,
      relaySecret: 'relay-secret-0123456789',
      transport: async (input, init) => {
        const request = new Request(input, init);
        seen.push({ url: request.url, host: request.headers.get('X-Forwarded-Host'), secret: request.headers.get('X-Relay-Secret'), cookie: request.headers.get('Cookie'), redirect: init?.redirect, method: request.method });
        if (seen.length === 1) return new Response(null, { status: 307, headers: { Location: 'https://www.youtube.com/youtubei/v1/player?moved=1' } });
        if (seen.length === 2) return new Response(null, { status: 302, headers: { Location: 'https://attacker.example/collect' } });
        return new Response('{}');
      },
    });
    const response = await fetch('https://www.youtube.com/youtubei/v1/player', { method: 'POST', body: '{}', headers: { Cookie: 'SID=secret' } });
    await response.text();
    expect(seen.map((hop) => hop.redirect)).toEqual(['manual', 'manual', 'manual']);
    expect(seen[1]).toMatchObject({ url: 'https://relay.example/youtubei/v1/player?moved=1', host: 'www.youtube.com', secret: 'relay-secret-0123456789', method: 'POST' });
    expect(seen[2]).toMatchObject({ url: 'https://attacker.example/collect', host: null, secret: null, cookie: null, method: 'GET' });
  });
});

describe('redirects under an allow-list', () => {
  const allowUrl = (url: URL) => url.protocol === 'https:' && url.hostname.endsWith('.googlevideo.com');

  function recording(answers: Record<string, () => Response>) {
    const seen: Request[] = [];
    const fetch = createOutbound({
      upstreamOrigins: { '*.googlevideo.com': 'http://127.0.0.1:9100' },
      timeoutMs: 1000,
      logger: silent,
      transport: async (input, init) => {
        const request = new Request(input, init);
        seen.push(request);
        expect(init?.redirect).toBe('manual');
        const answer = answers[`${request.headers.get('X-Forwarded-Host') ?? ''}${new URL(request.url).pathname}`];
        return answer ? answer() : new Response('not found', { status: 404 });
      },
    });
    return { fetch, seen };
  }
  const redirect = (location: string, status = 302) => () => new Response(null, { status, headers: { Location: location } });

  it('follows a redirect that stays on allowed hosts, each hop rerouted and checked', async () => {
    const { fetch, seen } = recording({
      'rr1.googlevideo.com/a': redirect('https://rr2.googlevideo.com/b'),
      'rr2.googlevideo.com/b': redirect('/c', 307),
      'rr2.googlevideo.com/c': () => new Response('media'),
    });
    const response = await fetch('https://rr1.googlevideo.com/a', { headers: { Range: 'bytes=0-9' }, allowUrl });
    expect(await response.text()).toBe('media');
    expect(seen.map((request) => request.headers.get('X-Forwarded-Host'))).toEqual(['rr1.googlevideo.com', 'rr2.googlevideo.com', 'rr2.googlevideo.com']);
    expect(seen.every((request) => request.headers.get('Range') === 'bytes=0-9')).toBe(true);
  });

  it('refuses a redirect to a host outside the list and never fetches it', async () => {
    for (const location of ['http://127.0.0.1:8080/admin', 'http://169.254.169.254/latest/meta-data', 'https://evil.example/x', 'http://rr2.googlevideo.com/x']) {
      const { fetch, seen } = recording({ 'rr1.googlevideo.com/a': redirect(location) });
      await expect(fetch('https://rr1.googlevideo.com/a', { allowUrl })).rejects.toMatchObject({ code: 'upstream.redirect_forbidden' });
      expect(seen).toHaveLength(1);
    }
  });

  it('refuses a first URL outside the list', async () => {
    const { fetch, seen } = recording({});
    await expect(fetch('https://evil.example/a', { allowUrl })).rejects.toMatchObject({ code: 'upstream.redirect_forbidden' });
    expect(seen).toHaveLength(0);
  });

  it('stops after the hop limit', async () => {
    const { fetch, seen } = recording({ 'rr1.googlevideo.com/loop': redirect('/loop') });
    await expect(fetch('https://rr1.googlevideo.com/loop', { allowUrl })).rejects.toMatchObject({ code: 'upstream.failed' });
    expect(seen.length).toBe(6);
  });

  it('drops credentials on a hop to another host', async () => {
    const { fetch, seen } = recording({
      'rr1.googlevideo.com/a': redirect('https://rr2.googlevideo.com/b'),
      'rr2.googlevideo.com/b': () => new Response('ok'),
    });
    await fetch('https://rr1.googlevideo.com/a', { headers: { Authorization: 'Bearer x', Cookie: 'a=b' }, allowUrl });
    expect(seen[1]!.headers.has('Authorization')).toBe(false);
    expect(seen[1]!.headers.has('Cookie')).toBe(false);
  });
});

describe('the relay origin', () => {
  it('must be https: when RELAY_SECRET is set (loopback aside), so the secret never crosses a network in clear', () => {
    const build = (origin: string, relaySecret?: string) => () => createOutbound({ upstreamOrigins: { '*.googlevideo.com': origin }, timeoutMs: 1000, logger: silent, ...(relaySecret ? { relaySecret } : {}) });
    expect(build('http://relay.example:8080', 'relay-secret-0123456789')).toThrow(/must be reached over https/);
    expect(build('https://relay.example', 'relay-secret-0123456789')).not.toThrow();
    expect(build('http://127.0.0.1:9100', 'relay-secret-0123456789')).not.toThrow();
    // No secret, no secret to leak: a plain reroute (a test server, a mirror) may be http:.
    expect(build('http://relay.example:8080')).not.toThrow();
  });
});
