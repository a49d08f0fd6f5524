import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { createLogger } from '../../../core/src/logging/logger';
import { handleError, handleNotFound } from './error-handler';

function app(lines: string[]) {
  const hono = new Hono<AppEnv>();
  hono.use(async (c, next) => {
    c.set('logger', createLogger({ level: 'debug', format: 'json', sink: (line) => lines.push(line) }));
    await next();
  });
  hono.get('/quota', () => {
    throw new AppError('quota.exceeded', 'This key has used its requests for today.', { headers: { 'Retry-After': '120' } });
  });
  hono.get('/bug', () => {
    throw new TypeError('secret-looking internals: row 42 of table api_keys');
  });
  hono.notFound(handleNotFound);
  hono.onError(handleError);
  return hono;
}

describe('handleError', () => {
  it('answers an AppError with its status, code, message and headers', async () => {
    const answer = await app([]).request('/quota');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('X-Error-Code')).toBe('quota.exceeded');
    expect(answer.headers.get('Retry-After')).toBe('120');
    expect(await answer.json()).toEqual({ error: { code: 'quota.exceeded', message: 'This key has used its requests for today.' } });
  });

  it('answers anything else 500 internal with a generic message, and logs the cause for the operator only', async () => {
    const lines: string[] = [];
    const answer = await app(lines).request('/bug');
    expect(answer.status).toBe(500);
    const body = await answer.text();
    expect(body).not.toContain('api_keys');
    expect(JSON.parse(body).error.code).toBe('internal');
    expect(lines.join('\n')).toContain('TypeError: secret-looking internals');
  });

  it('answers an unknown route 404 route.not_found pointing at /info', async () => {
    const answer = await app([]).request('/nowhere', { method: 'DELETE' });
    expect(answer.status).toBe(404);
    expect((await answer.json<{ error: { message: string } }>()).error.message).toBe('No route DELETE /nowhere; see /info.');
  });
});
