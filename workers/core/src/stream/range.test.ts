import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { parseRange, passThroughResponse, planRange, startsAtFirstByte } from './range';

describe('planRange', () => {
  it('answers a whole file 200 with its length, a single range 206 with Content-Range', () => {
    const whole = planRange(null, 1000, 'file');
    expect([whole.status, whole.start, whole.end, whole.headers.get('content-length'), whole.headers.get('content-range')]).toEqual([200, 0, 999, '1000', null]);
    const tail = planRange('bytes=-100', 1000, 'file');
    expect([tail.status, tail.start, tail.end, tail.headers.get('content-range')]).toEqual([206, 900, 999, 'bytes 900-999/1000']);
    expect(planRange(null, 0, 'file').length).toBe(0);
  });

  it('refuses a range outside the bytes with 416 and the size in Content-Range', () => {
    let refused: unknown;
    try {
      planRange('bytes=1000-', 1000, 'stream');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(416);
    expect((refused as AppError).message).toBe('The range is outside the 1000 bytes of this stream.');
    expect((refused as AppError).headers).toMatchObject({ 'Content-Range': 'bytes */1000' });
  });
});

describe('passThroughResponse', () => {
  it('keeps the upstream status, length and range, and drops the body of a HEAD', async () => {
    const upstream = () => new Response('abc', { status: 206, headers: { 'Content-Length': '3', 'Content-Range': 'bytes 0-2/9', 'Set-Cookie': 'x=1' } });
    const get = passThroughResponse(upstream(), 'GET', 'audio/webm');
    expect([get.status, get.headers.get('content-range'), get.headers.get('content-type'), get.headers.get('set-cookie')]).toEqual([206, 'bytes 0-2/9', 'audio/webm', null]);
    expect(await get.text()).toBe('abc');
    expect(passThroughResponse(upstream(), 'HEAD', 'audio/webm').body).toBeNull();
  });
});

describe('startsAtFirstByte', () => {
  it('agrees with the Range parser: whatever it serves from byte 0 or whole is a start', () => {
    for (const header of [null, '', 'bytes=0-', 'bytes=00-', 'bytes=000-99', 'BYTES=0-10', ' bytes=0- ', 'bytes=5-9,0-3', 'items=0-5', 'bytes=abc', 'bytes=-']) {
      const range = parseRange(header, 1000);
      expect(range.kind === 'full' || (range.kind === 'partial' && range.start === 0)).toBe(true);
      expect(startsAtFirstByte(header), String(header)).toBe(true);
    }
    for (const header of ['bytes=1-', 'bytes=01-', 'bytes=500-999', 'bytes=5-1']) expect(startsAtFirstByte(header), header).toBe(false);
  });

  it('counts a suffix range as a start: it may cover the whole file', () => {
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'partial', start: 0, end: 999 });
    expect(startsAtFirstByte('bytes=-5000')).toBe(true);
  });
});
