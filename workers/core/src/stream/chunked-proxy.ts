import { AppError } from '../errors';
import type { OutboundFetch } from '../outbound/http';
import { mediaType, RELAY_SAFETY_HEADERS } from './media-type';
import { forwardedRange, passThroughResponse, planRange } from './range';

/**
 * Streams a byte range of an upstream media URL to the client. Upstream is
 * asked in chunks of at most `chunkBytes` (googlevideo throttles bigger
 * requests) through googlevideo's `range=` parameter, one chunk at a time and
 * only as fast as the client reads, so memory stays flat for any file size.
 */
export interface ProxySource {
  url: string;
  size: number | null;
  mime: string;
  /** Sent with every fetch of `url`: the User-Agent of the client that minted it (youtube/media-headers.ts). */
  headers?: Record<string, string>;
}

export interface ProxyOptions {
  fetch: OutboundFetch;
  chunkBytes: number;
  /**
   * Called when upstream refuses or expired the URL (403/410): another URL, from a fresh
   * resolve that skips the clients refused so far. Called again for each refusal until it
   * throws (every route spent); it decides when to give up.
   */
  refresh?: () => Promise<ProxySource>;
  method: 'GET' | 'HEAD';
  rangeHeader: string | null;
  /** Keeps the pump alive after the response has been returned. */
  waitUntil?: (work: Promise<unknown>) => void;
}

const EXPIRED = new Set([403, 410]);
/** A bound on the walk whatever `refresh` does: more than any configured chain of clients and instances. */
const MAX_REFRESHES = 16;

export async function proxyMedia(initial: ProxySource, options: ProxyOptions): Promise<Response> {
  let source = initial;
  if (source.size === null) return passThrough(source, options);

  const { start, end, length, status, headers } = planRange(options.rangeHeader, source.size, 'stream');
  for (const [name, value] of Object.entries(RELAY_SAFETY_HEADERS)) headers.set(name, value);
  headers.set('Content-Type', mediaType(source.mime, 'application/octet-stream'));
  headers.set('Cache-Control', 'private, max-age=3600');
  if (options.method === 'HEAD' || length === 0) return new Response(null, { status, headers });

  let refreshes = 0;
  const fetchChunk = async (from: number, to: number): Promise<Response> => {
    for (;;) {
      // The body goes to the client at its pace: the timeout bounds the wait for each chunk, not its reading.
      const response = await options.fetch(withRange(source.url, from, to), { label: 'stream.chunk', streamsBody: true, ...(source.headers ? { headers: source.headers } : {}) });
      if (response.ok) return response;
      await response.body?.cancel();
      if (EXPIRED.has(response.status) && options.refresh && refreshes < MAX_REFRESHES) {
        refreshes += 1;
        source = await options.refresh();
        continue;
      }
      throw new AppError('stream.upstream', `The media host answered HTTP ${response.status}.`);
    }
  };

  // The first chunk is fetched before answering, so an expired or refused URL
  // still becomes a clean JSON error instead of a broken 200.
  const chunkEnd = (from: number) => Math.min(end, from + options.chunkBytes - 1);
  const first = await fetchChunk(start, chunkEnd(start));
  // A range that fits one chunk (what players ask for) is the upstream body as is: no extra stream hop.
  if (chunkEnd(start) === end) return new Response(first.body, { status, headers });
  // workerd pumps each chunk's body into the response natively (pipeTo), so no
  // JavaScript runs per piece of data and only one chunk is in flight at a time.
  const { readable, writable } = new FixedLengthStream(length);
  const pump = (async () => {
    let response = first;
    let position = start;
    try {
      for (;;) {
        const expected = chunkEnd(position) - position + 1;
        const length = Number(response.headers.get('content-length') ?? expected);
        await response.body!.pipeTo(writable, { preventClose: true });
        position += Number.isFinite(length) && length > 0 ? length : expected;
        if (position > end) break;
        response = await fetchChunk(position, chunkEnd(position));
      }
      await writable.close();
    } catch (error) {
      await writable.abort(error).catch(() => {});
    }
  })();
  options.waitUntil?.(pump);
  return new Response(readable, { status, headers });
}

function withRange(url: string, from: number, to: number): string {
  const target = new URL(url);
  target.searchParams.set('range', `${from}-${to}`);
  return target.toString();
}

/** Without a known size, forward the client's Range header and stream the answer as is. */
async function passThrough(source: ProxySource, options: ProxyOptions): Promise<Response> {
  const headers = new Headers(forwardedRange(options.rangeHeader));
  for (const [name, value] of Object.entries(source.headers ?? {})) headers.set(name, value);
  const upstream = await options.fetch(source.url, { method: options.method, headers, label: 'stream.passthrough', streamsBody: true });
  if (upstream.status === 416) throw new AppError('stream.range_not_satisfiable', 'The range is outside this stream.');
  if (!upstream.ok) throw new AppError('stream.upstream', `The media host answered HTTP ${upstream.status}.`);
  return passThroughResponse(upstream, options.method, mediaType(upstream.headers.get('content-type'), mediaType(source.mime, 'application/octet-stream')));
}
