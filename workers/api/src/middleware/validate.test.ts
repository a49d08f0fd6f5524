import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { handleError } from './error-handler';
import { validate } from './validate';

const app = new Hono<AppEnv>()
  .post('/keys', validate('json', z.object({ name: z.string().min(1), limits: z.object({ daily: z.number().int().positive() }) })), (c) => c.json(c.req.valid('json')))
  .get('/search', validate('query', z.object({ limit: z.coerce.number().int().max(50) })), (c) => c.json(c.req.valid('query')));
app.onError(handleError);

const post = (body: unknown) => app.request('/keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('validate', () => {
  it('passes valid input on, parsed', async () => {
    expect(await (await post({ name: 'bot', limits: { daily: 5 } })).json()).toEqual({ name: 'bot', limits: { daily: 5 } });
    expect(await (await app.request('/search?limit=7')).json()).toEqual({ limit: 7 });
  });

  it('answers bad input 400 request.invalid naming the field, nested fields by their path', async () => {
    const nested = await post({ name: 'bot', limits: { daily: -1 } });
    expect(nested.status).toBe(400);
    const body = await nested.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('request.invalid');
    expect(body.error.message).toMatch(/^Invalid limits\.daily: /);
    const query = await app.request('/search?limit=500');
    expect(query.status).toBe(400);
    expect((await query.json<{ error: { message: string } }>()).error.message).toMatch(/^Invalid limit: /);
  });
});
