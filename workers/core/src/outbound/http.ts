import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import { answerDeadline, type AnswerDeadline } from './answer-deadline';
import { headersForHop, MAX_REDIRECTS, nextHop } from './redirects';
import { isRelayHost, RELAY_SECRET_HEADER } from './relay-hosts';
import { rerouteUrl, type UpstreamOrigins } from './upstream-origins';

/**
 * The one door for outbound HTTP. Every call gets a timeout, honours
 * UPSTREAM_ORIGINS and is logged (at debug) with its label, status and time.
 * A rerouted YouTube or googlevideo request carries RELAY_SECRET for an
 * egress relay. No call lets the runtime follow a redirect: they are followed
 * here, each hop rerouted again (the relay follows none, so every hop leaves
 * through it), POSTs included. A call with an allow-list (`allowUrl`: media
 * hosts, a fallback instance) has each hop checked against that list.
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
  /**
   * The allow-list of this call: the first URL and every redirect hop must
   * pass it, at most MAX_REDIRECTS hops. Without it, redirects are still
   * followed here (never by the runtime), unless the caller asks `manual`.
   */
  allowUrl?: (url: URL) => boolean;
  /**
   * The body is streamed to a client at the client's pace (media): the timeout bounds the wait for
   * the answer, every redirect hop included, not the reading of its body. A player that reads a
   * 10 MB chunk in real time takes minutes over it, and a timeout still running would cut its
   * stream mid-play. Without it, the timeout covers the body too.
   */
  streamsBody?: boolean;
}

export type OutboundFetch = (input: string | URL | Request, init?: OutboundInit) => Promise<Response>;


export function createOutbound(options: OutboundOptions): OutboundFetch {
  if (options.relaySecret) refuseCleartextRelay(options.upstreamOrigins);
  const transport = options.transport ?? ((input, init) => fetch(input, init));
  return async function outboundFetch(input, init = {}) {
    const { timeoutMs = options.timeoutMs, label = 'outbound', allowUrl, streamsBody = false, ...requestInit } = init;
    const original = input instanceof Request ? input : undefined;
    let target = new URL(original ? original.url : input.toString());
    let method = requestInit.method ?? original?.method ?? 'GET';
    let body = requestInit.body ?? (original ? original.body : undefined);
    let headers = new Headers(requestInit.headers ?? original?.headers);
    const redirect = requestInit.redirect ?? 'follow';
    if (allowUrl && !allowUrl(target)) {
      throw new AppError('upstream.redirect_forbidden', `The upstream ${target.host} is not one this service fetches from.`);
    }
    const timeout = deadline(timeoutMs, streamsBody);
    const callerSignal = requestInit.signal ?? original?.signal;
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;
    const started = Date.now();

    const send = async (url: URL, hopHeaders: Headers, hopRedirect: RequestInit['redirect']): Promise<Response> => {
      try {
        const response = await transport(url.toString(), { method, body, redirect: hopRedirect, headers: hopHeaders, signal });
        options.logger.debug('outbound', { label, host: target.host, status: response.status, ms: Date.now() - started });
        return response;
      } catch (error) {
        const timedOut = timeout.signal.aborted;
        options.logger.debug('outbound.failed', { label, host: target.host, timedOut, ms: Date.now() - started });
        if (timedOut) {
          throw new AppError('upstream.timeout', `The upstream ${target.host} did not answer within ${timeoutMs} ms.`);
        }
        throw new AppError('upstream.failed', `The upstream ${target.host} could not be reached.`, { cause: error });
      }
    };

    // A streamed body's timeout ends with the answer (however the call ends): only the wait is bounded.
    try {
      for (let redirects = 0; ; redirects++) {
        const { url, forwardedHost } = rerouteUrl(target, options.upstreamOrigins);
        // A copy only when this hop adds to the headers: `headers` itself is never changed in place.
        const hopHeaders = forwardedHost ? new Headers(headers) : headers;
        if (forwardedHost) hopHeaders.set('X-Forwarded-Host', forwardedHost);
        if (forwardedHost && options.relaySecret && isRelayHost(forwardedHost)) hopHeaders.set(RELAY_SECRET_HEADER, options.relaySecret);
        // The runtime never follows a redirect: a hop it followed would leave outside the relay with
        // X-Relay-Secret, cookies and the sign-in header. Followed here, every hop rerouted, its
        // credentials dropped on a host change, and checked against the allow-list when there is one.
        const followHere = Boolean(allowUrl) || redirect === 'follow';
        const response = await send(url, hopHeaders, 'manual');
        if (!followHere) return response;
        const hop = nextHop(response, target, method);
        // A body that was a stream cannot be sent twice: the caller gets the redirect itself.
        if (!hop || (hop.keepBody && body instanceof ReadableStream)) return response;
        await response.body?.cancel();
        if (redirects >= MAX_REDIRECTS) {
          throw new AppError('upstream.failed', `The upstream ${target.host} redirected more than ${MAX_REDIRECTS} times.`);
        }
        if (allowUrl && !allowUrl(hop.url)) {
          options.logger.warn('outbound.redirect_forbidden', { label, from: target.host, to: hop.url.host });
          throw new AppError('upstream.redirect_forbidden', `The upstream ${target.host} redirected to a host this service does not fetch from.`);
        }
        if (hop.url.protocol !== 'https:' && hop.url.protocol !== 'http:') {
          throw new AppError('upstream.failed', `The upstream ${target.host} redirected to an unusable address.`);
        }
        headers = headersForHop(headers, target, hop.url);
        if (!hop.keepBody) body = undefined;
        target = hop.url;
        method = hop.method;
      }
    } finally {
      timeout.answered();
    }
  };
}

/** A call's timeout: over the whole call, or (`untilAnswer`) cleared once the answer's headers are in. */
function deadline(timeoutMs: number, untilAnswer: boolean): AnswerDeadline {
  return untilAnswer ? answerDeadline(timeoutMs) : { signal: AbortSignal.timeout(timeoutMs), answered: () => {} };
}

/**
 * With RELAY_SECRET set, the relay's origin must be https: over http: the secret, and the cookies and
 * sign-in header beside it, would cross the network readable. A loopback relay (a test, or a relay on
 * the same machine) is the one exception: nothing crosses a network.
 */
const relayOriginsChecked = new WeakSet<UpstreamOrigins>();

function refuseCleartextRelay(origins: UpstreamOrigins): void {
  // The door is made per request from the config's origins object: checked once per object, not per request.
  if (relayOriginsChecked.has(origins)) return;
  for (const [pattern, origin] of Object.entries(origins)) {
    const host = pattern.startsWith('*.') ? `x${pattern.slice(1)}` : pattern;
    if (!isRelayHost(host)) continue;
    const url = new URL(origin);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (url.protocol === 'http:' && !loopback) {
      throw new AppError('config.invalid', `UPSTREAM_ORIGINS sends ${pattern} to ${url.origin}: with RELAY_SECRET set, the relay must be reached over https:.`);
    }
  }
  relayOriginsChecked.add(origins);
}
