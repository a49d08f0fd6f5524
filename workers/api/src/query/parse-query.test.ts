import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/src/errors';
import { parseQuery } from './parse-query';

const ID = 'dQw4w9WgXcQ';

describe('parseQuery', () => {
  it.each([
    [ID],
    [`https://www.youtube.com/watch?v=${ID}`],
    [`https://youtube.com/watch?v=${ID}&t=42s&list=PL123&index=3`],
    [`https://www.youtube.com/watch?feature=share&v=${ID}`],
    [`https://m.youtube.com/watch?v=${ID}`],
    [`https://music.youtube.com/watch?v=${ID}&si=abc`],
    [`https://youtu.be/${ID}`],
    [`https://youtu.be/${ID}?si=Xyz123&t=10`],
    [`https://www.youtube.com/shorts/${ID}`],
    [`https://youtube.com/shorts/${ID}?feature=share`],
    [`https://www.youtube.com/live/${ID}?si=abc`],
    [`https://www.youtube.com/embed/${ID}?start=5`],
    [`https://www.youtube-nocookie.com/embed/${ID}`],
    [`www.youtube.com/watch?v=${ID}`],
    [`youtu.be/${ID}`],
    [`  ${ID}  `],
  ])('finds the video id in %s', (query) => {
    expect(parseQuery(query)).toEqual({ kind: 'video', videoId: ID });
  });

  it.each([['BcqxLCWnXHM'], ['xKwKpMXQdvA'], ['JGwWNGJdvxQ']])('takes the letters-only id %s as an id, searching it only if no such video exists', (id) => {
    expect(parseQuery(id)).toEqual({ kind: 'video', videoId: id, searchIfMissing: id });
  });

  it.each([['never gonna give you up'], ['Imagine Dragons - Believer'], ['lofi'], ['despacito'], ['beautifully'], ['Beautifully'], ['BEAUTIFULLY']])(
    'treats %j as search text',
    (query) => {
      expect(parseQuery(query)).toEqual({ kind: 'search', text: query });
    },
  );

  it.each([
    ['', 'query.missing'],
    ['   ', 'query.missing'],
    ['a'.repeat(501), 'query.too_long'],
    ['https://vimeo.com/76979871', 'query.unsupported_url'],
    ['https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC', 'query.unsupported_url'],
    ['https://www.youtube.com/@channel', 'query.unsupported_url'],
    ['https://www.youtube.com/watch?v=short', 'query.unsupported_url'],
    ['javascript:alert(1)', null],
  ])('handles %j', (query, code) => {
    if (code === null) {
      expect(parseQuery(query).kind).toBe('search');
      return;
    }
    try {
      parseQuery(query);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(code);
      expect((error as AppError).status).toBe(400);
    }
  });
});
