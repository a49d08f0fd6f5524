/**
 * A base URL that carries the key: `https://<service>/k/<key>/…`. Bots that
 * send no key at all (older Shruti clients, say) then work with nothing
 * changed but their base-URL setting. The key moves into `X-API-Key` before
 * the app sees the request, so routing, the request log, error logs and every
 * answer see the path without it; it wins over any other key the client sends,
 * since the owner put it there on purpose.
 */
const KEY_PREFIX = /^\/k\/([^/]+)(\/.*)?$/;
/** A base URL written with a trailing slash (`https://<service>/k/<key>/`) gives `//download`: the same route. */
const LEADING_SLASHES = /^\/{2,}/;
const HEADER_SAFE = /^[\x20-\x7e\xa0-\xff]+$/;

export function moveKeyFromPath(request: Request): Request {
  const url = new URL(request.url);
  const match = KEY_PREFIX.exec(url.pathname);
  if (!match) {
    if (!LEADING_SLASHES.test(url.pathname)) return request;
    url.pathname = url.pathname.replace(LEADING_SLASHES, '/');
    return new Request(url.toString(), request);
  }
  let key: string;
  try {
    key = decodeURIComponent(match[1]!).trim();
  } catch {
    key = match[1]!;
  }
  url.pathname = (match[2] ?? '/').replace(LEADING_SLASHES, '/');
  const rewritten = new Request(url.toString(), request);
  // A header carries only printable Latin-1: any other key (`/k/%00/`) goes as it came, still
  // percent-encoded, so the key check refuses it as invalid instead of the Worker throwing.
  if (key) rewritten.headers.set('X-API-Key', HEADER_SAFE.test(key) ? key : match[1]!);
  return rewritten;
}

/** For anything that prints raw request lines (wrangler's own log): the key of a /k/<key>/ path becomes ***. */
export function maskKeyPath(text: string): string {
  return text.replace(/\/k\/[^/\s?#]+/g, '/k/***');
}
