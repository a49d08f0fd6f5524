import { AppError } from '../errors';
import { RELAY_SAFETY_HEADERS } from './media-type';

/**
 * Parses a `Range` header against a known size. Only single byte ranges are
 * honoured; a multi-range request gets the whole body (RFC 9110 allows it).
 */
export type RangeResult =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

export function parseRange(header: string | null | undefined, size: number): RangeResult {
  if (!header) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first, last] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || (last !== '' && Number(last) < start)) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

/** How to answer a Range request over `size` known bytes: the bytes to send, the status and the headers. */
export interface RangePlan {
  start: number;
  end: number;
  length: number;
  status: 200 | 206;
  /** Accept-Ranges, Content-Length and, for a partial answer, Content-Range. */
  headers: Headers;
}

/** Plans the answer to `header` over `size` bytes; a range outside them is a 416 naming `what` was asked. */
export function planRange(header: string | null | undefined, size: number, what: string): RangePlan {
  const range = parseRange(header, size);
  if (range.kind === 'unsatisfiable') {
    throw new AppError('stream.range_not_satisfiable', `The range is outside the ${size} bytes of this ${what}.`, {
      headers: { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' },
    });
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const length = size === 0 ? 0 : end - start + 1;
  const headers = new Headers({ 'Accept-Ranges': 'bytes', 'Content-Length': String(length) });
  if (range.kind === 'partial') headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  return { start, end, length, status: range.kind === 'partial' ? 206 : 200, headers };
}

/**
 * Whether a request asks for a file from its first byte (or all of it): the request of a read that counts.
 * Decided by parseRange itself, so the two never disagree: whatever it serves whole (no header, a
 * multi-range, a header it cannot read) or from byte 0 (`bytes=0-`, `bytes=00-`) starts the file. A
 * suffix range (`bytes=-N`) may cover the whole file, so it counts as a start too.
 */
export function startsAtFirstByte(header: string | null | undefined): boolean {
  const range = parseRange(header, Number.MAX_SAFE_INTEGER);
  if (range.kind === 'full') return true;
  if (range.kind === 'unsatisfiable') return false;
  return range.start === 0 || /^bytes=-/i.test((header ?? '').trim());
}

/** The client's Range header, to forward upstream as is when the size is not known. */
export function forwardedRange(header: string | null | undefined): Record<string, string> {
  return header ? { Range: header } : {};
}

/**
 * An upstream answer relayed: its status, length and range headers, and its body unless HEAD.
 * Its type is the caller's (see mediaType), and it carries the relay safety headers.
 */
export function passThroughResponse(upstream: Response, method: string, contentType: string): Response {
  const headers = new Headers({ ...RELAY_SAFETY_HEADERS, 'Content-Type': contentType, 'Accept-Ranges': 'bytes' });
  for (const name of ['content-length', 'content-range']) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  // A fetch or service-binding body of known length keeps it on the wire; withLength is for bodies cut here.
  return new Response(method === 'HEAD' ? null : upstream.body, { status: upstream.status, headers });
}

/**
 * The body as a stream workerd knows the length of, so the answer goes out
 * with Content-Length rather than chunked: a Content-Length header set beside
 * a stream of unknown length (a TransformStream cutting a slice) is
 * dropped on the wire, and players (ffmpeg among them) then cannot seek or
 * show a duration. FixedLengthStream also ends the answer in error if the
 * bytes fall short, rather than passing a truncated file for a whole one.
 */
export function withLength(body: ReadableStream<Uint8Array>, length: number): ReadableStream<Uint8Array> {
  const { readable, writable } = new FixedLengthStream(length);
  body.pipeTo(writable).catch(() => {});
  return readable;
}
