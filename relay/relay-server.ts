import { createHash, timingSafeEqual } from 'node:crypto';
import { Agent as HttpAgent, createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createTlsServer, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';
import { isRelayHost, RELAY_PING_PATH, RELAY_SECRET_HEADER } from '../workers/core/src/outbound/relay-hosts';
import { findUpstreamOrigin, type UpstreamOrigins } from '../workers/core/src/outbound/upstream-origins';

/**
 * The egress relay (issue 10 §4): the Workers send YouTube and googlevideo
 * requests here (UPSTREAM_ORIGINS) with X-Relay-Secret and X-Forwarded-Host,
 * and it sends them on from its own, clean IP to https://<X-Forwarded-Host>
 * with path and query kept. Bodies stream both ways (Node streams, never
 * buffered); redirects are handed back, not followed (the Worker follows
 * them, through the relay again). Any other host, a wrong or missing secret,
 * a request target that is not a plain path: 403, so it is no open proxy.
 * node:http is the whole framework: forwarding one request needs no more.
 */
export interface RelayOptions {
  secret: string;
  /** RELAY_UPSTREAM_ORIGINS: where a host's requests go instead (tests), as UPSTREAM_ORIGINS. */
  upstreamOrigins?: UpstreamOrigins;
  /** Time to the upstream's answer headers, and the longest silence on a connection. */
  timeoutMs?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  log?: (record: Record<string, unknown>) => void;
  version?: string;
}

export const RELAY_VIA = '1.1 yt-music-relay';

/** Request headers that describe this hop, the Worker or Cloudflare, never the request to YouTube. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host',
  RELAY_SECRET_HEADER.toLowerCase(), 'x-forwarded-host', 'x-forwarded-for', 'x-forwarded-proto', 'x-real-ip', 'forwarded', 'via',
  'cf-connecting-ip', 'cf-ipcountry', 'cf-ray', 'cf-visitor', 'cf-worker', 'cf-ew-via', 'cdn-loop',
]);
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'trailer', 'transfer-encoding', 'upgrade']);

export function createRelayServer(options: RelayOptions): Server {
  if (options.secret.length < 16) throw new Error('RELAY_SECRET must be at least 16 characters');
  const expected = digest(options.secret);
  const origins = options.upstreamOrigins ?? {};
  const timeoutMs = options.timeoutMs ?? 30_000;
  const log = options.log ?? ((record) => console.log(JSON.stringify(record)));
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const startedAt = Date.now();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const refuse = (status: number, code: string, message: string) => {
      req.resume();
      log({ event: 'relay.refused', status, code, method: req.method });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message } }));
    };
    const secret = req.headers[RELAY_SECRET_HEADER.toLowerCase()];
    if (typeof secret !== 'string' || !timingSafeEqual(digest(secret), expected)) return refuse(403, 'relay.forbidden', 'Wrong or missing relay secret.');
    const path = req.url ?? '';
    // Only origin-form targets: `GET http://other/ HTTP/1.1` or `//other/` must not pick the destination.
    if (!path.startsWith('/') || path.startsWith('//')) return refuse(403, 'relay.target_forbidden', 'The request target must be a path.');
    if (path === RELAY_PING_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, version: options.version ?? '0.1.0', uptime_s: Math.round((Date.now() - startedAt) / 1000) }));
      return;
    }
    const forwardedHost = req.headers['x-forwarded-host'];
    if (typeof forwardedHost !== 'string' || !isRelayHost(forwardedHost)) return refuse(403, 'relay.host_forbidden', 'This relay forwards to YouTube and googlevideo hosts only.');
    const hostname = forwardedHost.toLowerCase().replace(/:443$/, '');
    const mapped = findUpstreamOrigin(hostname, origins);
    const origin = mapped ?? `https://${hostname}`;
    // Appended, never resolved against the origin: `/\evil.example` must stay a path on this host.
    const target = new URL(origin + path);
    if (target.origin !== new URL(origin).origin) return refuse(403, 'relay.target_forbidden', 'The request target must be a path.');

    const headers: OutgoingHttpHeaders = {};
    const requestHop = namedInConnection(req.headers.connection);
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !DROPPED_REQUEST_HEADERS.has(name) && !requestHop.has(name)) headers[name] = value;
    headers.host = target.host;
    headers.via = RELAY_VIA;
    if (mapped) headers['x-forwarded-host'] = hostname;

    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(target, { method: req.method, headers, agent: target.protocol === 'https:' ? agents.https : agents.http, timeout: timeoutMs });
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('response', (answer) => {
      const out: OutgoingHttpHeaders = {};
      const answerHop = namedInConnection(answer.headers.connection);
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name) && !answerHop.has(name)) out[name] = value;
      res.writeHead(answer.statusCode ?? 502, out);
      pipeline(answer, res, (error) => {
        log({ event: 'relay.forwarded', method: req.method, host: hostname, path: target.pathname, status: answer.statusCode, ms: Date.now() - started, ...(error ? { aborted: true } : {}) });
      });
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) {
        log({ event: 'relay.upstream_failed', host: hostname, message: error.message });
        res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'relay.upstream_failed', message: `${hostname} could not be reached.` } }));
      } else res.destroy(error);
    });
    // The Worker hung up (a player seeked away): stop fetching for it.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    pipeline(req, upstream, () => {});
  };

  const server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createServer(handler);
  server.on('close', () => {
    agents.http.destroy();
    agents.https.destroy();
  });
  return server;
}

/** RFC 9110 §7.6.1: the headers a `Connection:` names belong to that hop and are not forwarded. */
function namedInConnection(connection: string | string[] | undefined): Set<string> {
  const text = Array.isArray(connection) ? connection.join(',') : (connection ?? '');
  return new Set(text.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
