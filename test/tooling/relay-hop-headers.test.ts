import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayServer } from '../../relay/relay-server';

/**
 * The relay forwards the request to YouTube, not the hop it came on: headers
 * the sender names in `Connection:` belong to that hop (RFC 9110 §7.6.1) and
 * go no further, either way.
 */
const SECRET = 'hop-test-relay-secret-0123456789';
let upstream: Server;
let relay: Server;
let seen: IncomingHttpHeaders | undefined;

const portOf = (server: Server) => (server.address() as AddressInfo).port;
const listen = (server: Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen = req.headers;
    res.writeHead(200, { 'content-type': 'application/json', connection: 'x-upstream-hop', 'x-upstream-hop': 'internal', 'x-kept': 'yes' }).end('{}');
  });
  await listen(upstream);
  relay = createRelayServer({ secret: SECRET, upstreamOrigins: { 'www.youtube.com': `http://127.0.0.1:${portOf(upstream)}` }, log: () => {} });
  await listen(relay);
});

afterAll(() => {
  relay?.close();
  upstream?.close();
});

describe('the relay and hop-by-hop headers', () => {
  it('drops the headers named in Connection: on the request and on the answer', async () => {
    const answer = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const call = request(
        {
          host: '127.0.0.1',
          port: portOf(relay),
          path: '/youtubei/v1/player',
          method: 'GET',
          headers: { 'X-Forwarded-Host': 'www.youtube.com', 'X-Relay-Secret': SECRET, Connection: 'keep-alive, X-Worker-Hop', 'X-Worker-Hop': 'secret-of-the-hop', 'X-Goes-On': '1' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        },
      );
      call.on('error', reject);
      call.end();
    });
    expect(seen?.['x-goes-on']).toBe('1');
    expect(seen?.['x-worker-hop']).toBeUndefined();
    expect(answer['x-kept']).toBe('yes');
    expect(answer['x-upstream-hop']).toBeUndefined();
  });
});
