import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { loadConfig } from '../config';
import { createLogger } from '../../../core/src/logging/logger';
import { recordsOfBody, type LogQueueBody } from '../logging/request-log-message';
import { requestLog } from './request-log';

const KEY = '2f0c5a4e-9b1d-4c3e-8f7a-6b5d4c3e2f1a';

/** Runs requests through requestLog with a recording LOG_QUEUE (or none), waiting for its waitUntil work. */
function app(withQueue = true) {
  const sent: LogQueueBody[] = [];
  const lines: string[] = [];
  const queue = { async send(body: LogQueueBody) { sent.push(body); } } as unknown as Queue<LogQueueBody>;
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (work: Promise<unknown>) => void waits.push(work), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  const hono = new Hono<AppEnv>();
  hono.use(requestId());
  hono.use(async (c, next) => {
    c.set('config', loadConfig({ STREAM_SIGNING_KEY: 'unit-test-signing-key-0123' }));
    c.set('logger', createLogger({ level: 'info', format: 'json', sink: (line) => lines.push(line) }));
    await next();
  });
  hono.use(requestLog());
  hono.get('/v1/resolve', (c) => {
    c.set('principal', { kind: 'key', keyId: 'k1', keyHash: 'h', tier: 'user' });
    return c.json({ ok: true });
  });
  hono.get('/admin/keys', (c) => c.json([]));
  hono.get('/stream/:token', (c) => c.text('bytes'));
  const env = withQueue ? { LOG_QUEUE: queue } : {};
  const request = (path: string, init: RequestInit = {}) => hono.request(path, init, env, ctx);
  const settled = () => Promise.all(waits);
  return { sent, lines, request, settled };
}

describe('requestLog', () => {
  it('queues one record per request, packed together, with the key id and never the key', async () => {
    const { sent, request, settled } = app();
    await request(`/v1/resolve?query=M4gD1WSo5mA&api_key=${KEY}`, { headers: { 'CF-Connecting-IP': '203.0.113.7' } });
    await request('/stream/secret-token-value');
    await settled();
    expect(sent.length).toBe(1);
    const [resolve, stream] = sent[0]!.records;
    expect(resolve).toMatchObject({ endpoint: '/v1/resolve', method: 'GET', status: 200, key_id: 'k1', client_ip: '203.0.113.7', query: 'M4gD1WSo5mA' });
    expect(stream).toMatchObject({ endpoint: '/stream/:token', status: 200, key_id: null });
    expect(JSON.stringify(sent)).not.toContain(KEY);
    expect(JSON.stringify(sent)).not.toContain('secret-token-value');
  });

  it('sends records the log consumer accepts, long client text clipped to the stored limits', async () => {
    const { sent, request, settled } = app();
    await request(`/v1/resolve?query=${'a'.repeat(3000)}`, { headers: { 'CF-Connecting-IP': `2001:db8::${'f'.repeat(90)}` } });
    await request('/no/such/route');
    await settled();
    const { valid, invalid } = recordsOfBody(sent[0]);
    expect(invalid).toBe(0);
    expect(valid).toHaveLength(2);
    expect(valid[0]!.query).toHaveLength(500);
    expect(valid[0]!.client_ip.length).toBeLessThanOrEqual(64);
    expect(valid[1]).toMatchObject({ endpoint: '(unmatched)', status: 404 });
  });

  it("leaves out the dashboard's reads and CORS preflights", async () => {
    const { sent, request, settled } = app();
    await request('/admin/keys');
    await request('/v1/resolve', { method: 'OPTIONS' });
    await settled();
    expect(sent).toEqual([]);
  });

  it('writes the record to the log when there is no queue', async () => {
    const { lines, request, settled } = app(false);
    await request('/v1/resolve?query=abc');
    await settled();
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ event: 'request', endpoint: '/v1/resolve', query: 'abc' })]);
  });
});
