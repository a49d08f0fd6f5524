import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { handleError } from './error-handler';
import { errorShape } from './error-shape';

function app() {
  const hono = new Hono<AppEnv>();
  hono.use('/shaped/*', errorShape((error) => ({ status: error.status, body: { status: 'error', message: error.message, code: error.code } })));
  // A refusal before any route, as the key check makes.
  hono.use('/shaped/refused', async () => {
    throw new AppError('key.missing', 'Send your API key.');
  });
  hono.get('/shaped/failed', () => {
    throw new AppError('video.private', 'This video is private.');
  });
  hono.get('/plain', () => {
    throw new AppError('video.private', 'This video is private.');
  });
  hono.onError(handleError);
  return hono;
}

describe('errorShape', () => {
  it.each([
    ['/shaped/refused', 401, 'key.missing'],
    ['/shaped/failed', 403, 'video.private'],
  ])('answers %s in the family’s JSON with the status and X-Error-Code', async (path, status, code) => {
    const response = await app().request(path);
    expect(response.status).toBe(status);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(response.headers.get('X-Error-Code')).toBe(code);
    expect(await response.json()).toEqual({ status: 'error', message: expect.any(String), code });
  });

  it('leaves other routes with the service’s own error body', async () => {
    const response = await app().request('/plain');
    expect(await response.json()).toEqual({ error: { code: 'video.private', message: 'This video is private.' } });
  });
});
