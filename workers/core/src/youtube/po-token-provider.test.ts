import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { createOutbound } from '../outbound/http';
import { forgetPoTokens, noPoTokens, ping, PoTokenProvider } from './po-token-provider';

const lines: string[] = [];
const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => void lines.push(line) });

function provider(answer: (request: Request) => Response | Promise<Response>, timeoutMs = 1_000) {
  const requests: Request[] = [];
  const fetch = createOutbound({
    upstreamOrigins: {},
    timeoutMs: 10_000,
    logger,
    transport: async (input, init) => {
      const request = new Request(input, init);
      requests.push(request.clone());
      return answer(request);
    },
  });
  return { source: new PoTokenProvider('https://pot.example/', fetch, timeoutMs), requests };
}

const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

describe('PO token provider (bgutil protocol)', () => {
  beforeEach(() => {
    forgetPoTokens();
    lines.length = 0;
  });

  it('asks POST /get_pot with the video as content binding, and keeps the token until it expires', async () => {
    const { source, requests } = provider(async (request) => {
      const body = await request.json<{ content_binding: string }>();
      return Response.json({ poToken: `tok-${body.content_binding}-0123456789`, contentBinding: body.content_binding, expiresAt: inHours(6) });
    });
    await expect(source.tokenFor('vid00000001')).resolves.toBe('tok-vid00000001-0123456789');
    await expect(source.tokenFor('vid00000001')).resolves.toBe('tok-vid00000001-0123456789');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.url).toBe('https://pot.example/get_pot');
    expect(requests[0]!.headers.get('content-type')).toBe('application/json');
    expect(await requests[0]!.json()).toEqual({ content_binding: 'vid00000001' });
    await source.tokenFor('vid00000002');
    expect(requests).toHaveLength(2);
  });

  it('does not keep a token about to expire', async () => {
    const { source, requests } = provider(() => Response.json({ poToken: 'short-lived-token', contentBinding: 'vid00000003', expiresAt: new Date(Date.now() + 60_000).toISOString() }));
    await expect(source.tokenFor('vid00000003')).rejects.toMatchObject({ code: 'youtube.po_token_unavailable' });
    expect(requests).toHaveLength(1);
  });

  it.each([
    ['an error answer', () => Response.json({ error: 'BotGuard failed' }, { status: 500 })],
    ['a token bound to another video', () => Response.json({ poToken: 'other-video-token', contentBinding: 'someoneElse', expiresAt: inHours(6) })],
    ['an answer without expiresAt', () => Response.json({ poToken: 'no-expiry-token', contentBinding: 'vid00000004' })],
    ['a non-JSON answer', () => new Response('<html>', { status: 200 })],
  ])('refuses %s with youtube.po_token_unavailable, naming no token', async (_name, answer) => {
    const { source } = provider(answer);
    const error = (await source.tokenFor('vid00000004').then(() => null, (caught: unknown) => caught)) as Error & { code: string };
    expect(error.code).toBe('youtube.po_token_unavailable');
    expect(JSON.stringify({ message: error.message, details: (error as any).logDetails })).not.toMatch(/other-video-token|no-expiry-token/);
  });

  it('never waits on the provider longer than its timeout', async () => {
    const { source } = provider((request) => new Promise((_resolve, reject) => request.signal.addEventListener('abort', () => reject(new Error('aborted')))), 50);
    const started = Date.now();
    await expect(source.tokenFor('vid00000005')).rejects.toMatchObject({ code: 'youtube.po_token_unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('pings GET /ping for /health?deep', async () => {
    const up = provider((request) => (new URL(request.url).pathname === '/ping' ? Response.json({ server_uptime: 12.5, version: '1.2.2' }) : new Response(null, { status: 404 })));
    await expect(ping(up.source)).resolves.toEqual({ configured: true, reachable: true });
    expect(up.requests[0]!.method).toBe('GET');
    const down = provider(() => new Response('bad gateway', { status: 502 }));
    await expect(ping(down.source)).resolves.toEqual({ configured: true, reachable: false });
    await expect(ping(noPoTokens)).resolves.toEqual({ configured: false, reachable: false });
  });
});
