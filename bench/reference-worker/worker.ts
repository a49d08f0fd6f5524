import { DurableObject } from 'cloudflare:workers';
import { Hono } from 'hono';

/**
 * The floor `npm run bench` compares the service with: what workerd itself
 * costs, measured on the same machine under the same `wrangler dev`.
 * - /hello is a bare Hono app answering JSON: the floor a Hono Worker's request costs;
 * - /plain answers a small JSON body without Hono;
 * - /counted does the same after one call to a Durable Object (the key check's floor);
 * - /cache looks a new key up in the Cache API and stores 2 KB under it, as a resolve miss does
 *   (?only=match or ?only=put for one of the two);
 * - /miss?url=<player endpoint> does what any resolve miss must: the lookup, one InnerTube call and its
 *   JSON parse, the write in waitUntil (the floor a miss is compared with);
 * - /pass?url= answers with the upstream's body as is (the stream proxy's floor).
 * Not deployed; a benchmark fixture only.
 */
export class Counter extends DurableObject {
  private count = 0;

  increment(): number {
    return ++this.count;
  }
}

interface Env {
  COUNTER: DurableObjectNamespace<Counter>;
}

const body = JSON.stringify({ id: 'M4gD1WSo5mA', title: 'reference', padding: 'x'.repeat(1200) });
const hello = new Hono().get('/hello', (c) => c.json({ hello: 'world' }));

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === '/hello') return hello.fetch(request);
    if (url.pathname === '/plain') return new Response(body, { headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/counted') {
      const count = await env.COUNTER.getByName('reference').increment();
      return new Response(body, { headers: { 'content-type': 'application/json', 'x-count': String(count) } });
    }
    if (url.pathname === '/cache') {
      const key = `https://reference.cache.internal/${crypto.randomUUID()}`;
      const only = url.searchParams.get('only');
      const known = only === 'put' ? undefined : await caches.default.match(key);
      if (only !== 'match') await caches.default.put(key, new Response(body + body, { headers: { 'content-type': 'application/json', 'cache-control': 'max-age=600' } }));
      return new Response(body, { headers: { 'content-type': 'application/json', 'x-known': String(Boolean(known)) } });
    }
    if (url.pathname === '/miss') {
      // What any resolve miss must do: a Cache API lookup of a new key, one InnerTube player
      // call over loopback with its answer parsed, the entry written in waitUntil.
      const key = `https://reference.cache.internal/miss/${crypto.randomUUID()}`;
      const known = await caches.default.match(key);
      const upstream = await fetch(url.searchParams.get('url')!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Forwarded-Host': 'www.youtube.com' },
        body: JSON.stringify({ videoId: 'M4gD1WSo5mA', context: { client: { clientName: 'VISIONOS', clientVersion: '0.1' } } }),
      });
      const answer = (await upstream.json()) as { videoDetails?: { videoId?: string } };
      const entry = JSON.stringify({ id: answer.videoDetails?.videoId ?? null, known: Boolean(known), padding: 'x'.repeat(2400) });
      ctx.waitUntil(caches.default.put(key, new Response(entry, { headers: { 'content-type': 'application/json', 'cache-control': 'max-age=600' } })));
      return new Response(entry.slice(0, 60), { headers: { 'content-type': 'application/json' } });
    }
    if (url.pathname === '/pass') {
      const upstream = await fetch(url.searchParams.get('url')!, { headers: { 'X-Forwarded-Host': request.headers.get('X-Forwarded-Host') ?? '' } });
      return new Response(upstream.body, upstream);
    }
    return new Response('not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
