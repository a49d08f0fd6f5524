import { Hono, type Context } from 'hono';
import { timing } from 'hono/timing';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { answerHeaders, setAnswerHeader } from './answer-headers';

function app(route: (c: Context<AppEnv>) => Response | Promise<Response>) {
  const hono = new Hono<AppEnv>();
  hono.use(timing());
  hono.use(async (c, next) => {
    setAnswerHeader(c, 'X-Request-Id', 'req-1');
    setAnswerHeader(c, 'RateLimit-Remaining', '41');
    await next();
  });
  hono.use(answerHeaders());
  hono.get('/', route);
  return hono;
}

describe('answerHeaders', () => {
  it('puts the middleware headers on a route’s own Response, even one whose headers are immutable', async () => {
    const upstream = await fetch('data:audio/mp4,abc');
    const answer = await app(() => upstream).request('/');
    expect(answer.headers.get('X-Request-Id')).toBe('req-1');
    expect(answer.headers.get('RateLimit-Remaining')).toBe('41');
    expect(answer.headers.get('Content-Type')).toBe('audio/mp4');
    expect(answer.headers.get('Server-Timing')).toContain('total');
    expect(await answer.text()).toBe('abc');
  });

  it('leaves an answer the route built with the context as it is, headers included', async () => {
    const answer = await app((c) => c.json({ ok: true }, 201)).request('/');
    expect(answer.status).toBe(201);
    expect(answer.headers.get('X-Request-Id')).toBe('req-1');
    expect(answer.headers.get('RateLimit-Remaining')).toBe('41');
    expect(await answer.json()).toEqual({ ok: true });
  });
});
