/**
 * Redirects followed by hand (`redirect: 'manual'`), so that every hop is
 * checked against the caller's allow-list, not only the first: a media host
 * or a fallback instance answering `302 Location: http://169.254.169.254/`
 * must not make the Worker fetch it.
 */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface Hop {
  url: URL;
  method: string;
  /** False when the next request must drop the body (303, or 301/302 after a POST). */
  keepBody: boolean;
}

/** The next hop of a redirect answer, or null when the answer is not a redirect we can follow. */
export function nextHop(response: Response, from: URL, method: string): Hop | null {
  if (!REDIRECT_STATUSES.has(response.status)) return null;
  const location = response.headers.get('location');
  if (!location) return null;
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    return null;
  }
  const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST');
  return { url, method: toGet && method !== 'HEAD' ? 'GET' : method, keepBody: !toGet };
}

/** Credentials do not follow a redirect to another host. */
export function headersForHop(headers: Headers, from: URL, to: URL): Headers {
  if (from.host === to.host) return headers;
  const next = new Headers(headers);
  for (const name of ['authorization', 'cookie', 'proxy-authorization']) next.delete(name);
  return next;
}
