import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import { isRelayHost, RELAY_SECRET_HEADER } from './relay-hosts';
import { rerouteUrl, type UpstreamOrigins } from './upstream-origins';

/**
 * The one door for outbound HTTP. Every call gets a timeout, honours
 * UPSTREAM_ORIGINS and is logged (at debug) with its label, status and time.
 * A rerouted YouTube or googlevideo request carries RELAY_SECRET for an
 * egress relay, and its redirects are followed here, each hop rerouted again:
 * the relay follows none, so every hop leaves through it.
 */
export interface OutboundOptions {
  upstreamOrigins: UpstreamOrigins;
  timeoutMs: number;
  logger: Logger;
  /** X-Relay-Secret on rerouted requests to the relay's hosts (relay-hosts.ts). */
  relaySecret?: string;
  /** Replaces the global fetch (a service binding's fetch, say). */
  transport?: typeof fetch;
}

export interface OutboundInit extends RequestInit {
  timeoutMs?: number;
  /** What the call is for, in logs: `youtube.player`, `googlevideo.chunk`, … */
  label?: string;
}

export type OutboundFetch = (input: string | URL | Request, init?: OutboundInit) => Promise<Response>;

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createOutbound(options: OutboundOptions): OutboundFetch {
  const transport = options.transport ?? ((input, init) => fetch(input, init));
  return async function outboundFetch(input, init = {}) {
    const { timeoutMs = options.timeoutMs, label = 'outbound', ...requestInit } = init;
    const original = input instanceof Request ? input : undefined;
    let target = new URL(original ? original.url : input.toString());
    const method = requestInit.method ?? original?.method ?? 'GET';
    const redirect = requestInit.redirect ?? 'follow';
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = requestInit.signal ?? original?.signal;
    const started = Date.now();
    try {
      for (let hop = 0; ; hop++) {
        const { url, forwardedHost } = rerouteUrl(target, options.upstreamOrigins);
        const headers = new Headers(requestInit.headers ?? original?.headers);
        if (forwardedHost) headers.set('X-Forwarded-Host', forwardedHost);
        if (forwardedHost && options.relaySecret && isRelayHost(forwardedHost)) headers.set(RELAY_SECRET_HEADER, options.relaySecret);
        // A rerouted GET follows its redirects here, so each hop is rerouted too.
        const followHere = Boolean(forwardedHost) && redirect === 'follow' && (method === 'GET' || method === 'HEAD');
        const response = await transport(url.toString(), {
          method,
          body: hop === 0 ? (requestInit.body ?? (original ? original.body : undefined)) : undefined,
          redirect: followHere ? 'manual' : redirect,
          headers,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        options.logger.debug('outbound', { label, host: target.host, status: response.status, ms: Date.now() - started });
        const location = followHere && REDIRECTS.has(response.status) ? response.headers.get('location') : null;
        if (!location) return response;
        if (hop >= MAX_REDIRECTS) {
          await response.body?.cancel();
          throw new AppError('upstream.failed', `The upstream ${target.host} redirected more than ${MAX_REDIRECTS} times.`);
        }
        await response.body?.cancel();
        const next = new URL(location, target);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new AppError('upstream.failed', `The upstream ${target.host} redirected to an unusable address.`);
        target = next;
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      const timedOut = timeout.aborted;
      options.logger.debug('outbound.failed', { label, host: target.host, timedOut, ms: Date.now() - started });
      if (timedOut) {
        throw new AppError('upstream.timeout', `The upstream ${target.host} did not answer within ${timeoutMs} ms.`);
      }
      throw new AppError('upstream.failed', `The upstream ${target.host} could not be reached.`, { cause: error });
    }
  };
}
