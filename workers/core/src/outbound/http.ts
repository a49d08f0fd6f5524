import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import { headersForHop, MAX_REDIRECTS, nextHop } from './redirects';
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
  /**
   * The allow-list of this call: the first URL and every redirect hop must
   * pass it. Redirects are then followed by hand, at most MAX_REDIRECTS.
   * Without it, the runtime follows redirects (fixed, operator-set hosts).
   */
  allowUrl?: (url: URL) => boolean;
}

export type OutboundFetch = (input: string | URL | Request, init?: OutboundInit) => Promise<Response>;

export function createOutbound(options: OutboundOptions): OutboundFetch {
  const transport = options.transport ?? ((input, init) => fetch(input, init));
  return async function outboundFetch(input, init = {}) {
    const { timeoutMs = options.timeoutMs, label = 'outbound', allowUrl, ...requestInit } = init;
    const original = input instanceof Request ? input : undefined;
    let target = new URL(original ? original.url : input.toString());
    let method = requestInit.method ?? original?.method ?? 'GET';
    let body = requestInit.body ?? (original ? original.body : undefined);
    let headers = new Headers(requestInit.headers ?? original?.headers);
    const timeout = AbortSignal.timeout(timeoutMs);
    const callerSignal = requestInit.signal ?? original?.signal;
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;

    const send = async (hop: URL): Promise<Response> => {
      const { url, forwardedHost } = rerouteUrl(hop, options.upstreamOrigins);
      const hopHeaders = new Headers(headers);
      if (forwardedHost) hopHeaders.set('X-Forwarded-Host', forwardedHost);
      const started = Date.now();
      try {
        const response = await transport(url.toString(), {
          method,
          body,
          redirect: allowUrl ? 'manual' : (requestInit.redirect ?? 'follow'),
          headers: hopHeaders,
          signal,
        });
        options.logger.debug('outbound', { label, host: hop.host, status: response.status, ms: Date.now() - started });
        return response;
      } catch (error) {
        const timedOut = timeout.aborted;
        options.logger.debug('outbound.failed', { label, host: hop.host, timedOut, ms: Date.now() - started });
        if (timedOut) {
          throw new AppError('upstream.timeout', `The upstream ${hop.host} did not answer within ${timeoutMs} ms.`);
        }
        throw new AppError('upstream.failed', `The upstream ${hop.host} could not be reached.`, { cause: error });
      }
    };

    if (allowUrl && !allowUrl(target)) {
      throw new AppError('upstream.redirect_forbidden', `The upstream ${target.host} is not one this service fetches from.`);
    }
    for (let redirects = 0; ; redirects++) {
      const response = await send(target);
      if (!allowUrl) return response;
      const hop = nextHop(response, target, method);
      // A body that was a stream cannot be sent twice: the caller gets the redirect itself.
      if (!hop || (hop.keepBody && body instanceof ReadableStream)) return response;
      await response.body?.cancel();
      if (redirects >= MAX_REDIRECTS) {
        throw new AppError('upstream.failed', `The upstream ${target.host} redirected more than ${MAX_REDIRECTS} times.`);
      }
      if (!allowUrl(hop.url)) {
        options.logger.warn('outbound.redirect_forbidden', { label, from: target.host, to: hop.url.host });
        throw new AppError('upstream.redirect_forbidden', `The upstream ${target.host} redirected to a host this service does not fetch from.`);
      }
      headers = headersForHop(headers, target, hop.url);
      if (!hop.keepBody) body = undefined;
      target = hop.url;
      method = hop.method;
    }
  };
}
