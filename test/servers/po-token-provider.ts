import { buffer } from 'node:stream/consumers';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintPoToken } from './po-tokens';

/**
 * A PO token provider as strict as bgutil-ytdlp-pot-provider's HTTP server:
 *   POST /get_pot  {"content_binding": "<video id>", …bgutil's optional fields}
 *     → 200 {"poToken", "contentBinding", "expiresAt": ISO}; a bad request → 400 {"error"}
 *   GET /ping → {"server_uptime": seconds, "version"}
 * Anything else is 404/405. Tests steer it through /__control/* (down, delay, token lifetime)
 * and read what it was asked (/__control/calls).
 */
const OPTIONAL_FIELDS = new Set(['proxy', 'bypass_cache', 'source_address', 'disable_tls_verification', 'challenge', 'disable_innertube', 'innertube_context']);

export async function startPoTokenProvider(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const started = Date.now();
  let calls: { path: string; contentBinding?: string }[] = [];
  let down = false;
  let delayMs = 0;
  let lifetimeSeconds = 6 * 3600;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider.test');
    const body = await buffer(req);
    if (url.pathname.startsWith('/__control/')) {
      const input = body.length ? JSON.parse(body.toString()) : {};
      if (url.pathname === '/__control/reset') [calls, down, delayMs, lifetimeSeconds] = [[], false, 0, 6 * 3600];
      else if (url.pathname === '/__control/down') down = input.down !== false;
      else if (url.pathname === '/__control/delay') delayMs = Number(input.ms) || 0;
      else if (url.pathname === '/__control/lifetime') lifetimeSeconds = Number(input.seconds);
      else if (url.pathname === '/__control/calls') return json(res, 200, calls);
      else return json(res, 404, { error: 'unknown control' });
      return json(res, 200, { ok: true });
    }
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (url.pathname === '/ping') {
      calls.push({ path: '/ping' });
      if (req.method !== 'GET') return json(res, 405, { error: 'Method not allowed' });
      if (down) return json(res, 503, { error: 'down' });
      return json(res, 200, { server_uptime: (Date.now() - started) / 1000, version: '1.2.2' });
    }
    if (url.pathname !== '/get_pot') return json(res, 404, { error: 'Not found' });
    if (req.method !== 'POST') return json(res, 405, { error: 'Method not allowed' });
    if (!/^application\/json\b/.test(String(req.headers['content-type'] ?? ''))) return json(res, 400, { error: 'Content-Type must be application/json' });
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body.toString());
    } catch {
      return json(res, 400, { error: 'Invalid JSON body' });
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) return json(res, 400, { error: 'Body must be a JSON object' });
    const unknown = Object.keys(request).filter((key) => key !== 'content_binding' && !OPTIONAL_FIELDS.has(key));
    if (unknown.length) return json(res, 400, { error: `Unknown fields: ${unknown.join(', ')}` });
    const binding = request.content_binding;
    if (typeof binding !== 'string' || binding === '') return json(res, 400, { error: 'content_binding must be a non-empty string' });
    calls.push({ path: '/get_pot', contentBinding: binding });
    if (down) return json(res, 500, { error: 'Failed to generate a PO token: BotGuard challenge failed' });
    return json(res, 200, { poToken: mintPoToken(binding), contentBinding: binding, expiresAt: new Date(Date.now() + lifetimeSeconds * 1000).toISOString() });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: boundPort } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${boundPort}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
