import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import { rerouteUrl, type UpstreamOrigins } from './upstream-origins';

/**
 * The one door for outbound HTTP. Every call gets a timeout, honours
 * UPSTREAM_ORIGINS and is logged (at debug) with its label, status and time.
 */
export interface OutboundOptions {
  upstreamOrigins: UpstreamOrigins;
  timeoutMs: number;
  logger: Logger;
  /** Replaces the global fetch (a service binding's fetch, say). */
  transport?: typeof fetch;
}

export interface OutboundInit extends RequestInit {
  timeoutMs?: number;
  /** What the call is for, in logs: `youtube.player`, `googlevideo.chunk`, … */
  label?: string;
}

export type OutboundFetch = (input: string | URL | Request, init?: OutboundInit) => Promise<Response>;

export function createOutbound(options: OutboundOptions): OutboundFetch {
  const transport = options.transport ?? ((input, init) => fetch(input, init));
  return async function outboundFetch(input, init = {}) {
    const { timeoutMs = options.timeoutMs, label = 'outbound', ...requestInit } = init;
    const original = input instanceof Request ? input : undefined;
    const target = new URL(original ? original.url : input.toString());
    const { url, forwardedHost } = rerouteUrl(target, options.upstreamOrigins);
    const headers = new Headers(requestInit.headers ?? original?.headers);
    if (forwardedHost) headers.set('X-Forwarded-Host', forwardedHost);

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = requestInit.signal ?? original?.signal;
    const started = Date.now();
    try {
      const response = await transport(url.toString(), {
        method: requestInit.method ?? original?.method ?? 'GET',
        body: requestInit.body ?? (original ? original.body : undefined),
        redirect: requestInit.redirect ?? 'follow',
        headers,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      options.logger.debug('outbound', { label, host: target.host, status: response.status, ms: Date.now() - started });
      return response;
    } catch (error) {
      const timedOut = timeout.aborted;
      options.logger.debug('outbound.failed', { label, host: target.host, timedOut, ms: Date.now() - started });
      if (timedOut) {
        throw new AppError('upstream.timeout', `The upstream ${target.host} did not answer within ${timeoutMs} ms.`);
      }
      throw new AppError('upstream.failed', `The upstream ${target.host} could not be reached.`, { cause: error });
    }
  };
}
