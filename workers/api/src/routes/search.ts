import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { AppError } from '../../../core/src/errors';
import { validate } from '../middleware/validate';
import { MAX_QUERY_LENGTH } from '../query/parse-query';
import { describe } from './describe';

/** `GET /v1/search?query=&limit=&type=`: ranked results, best match first. */
const SearchQuerySchema = z.object({
  query: z.string().trim().max(MAX_QUERY_LENGTH, `at most ${MAX_QUERY_LENGTH} characters`).default(''),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  type: z.enum(['audio', 'video']).default('audio'),
});

export const searchRoute = new Hono<AppEnv>().get('/v1/search', describe({ tag: 'resolve', auth: 'key', summary: 'Search YouTube Music (audio) or YouTube (video)', errors: ['request.invalid', 'query.missing', 'search.no_results', 'youtube.unavailable', 'upstream.timeout'] }), validate('query', SearchQuerySchema), async (c) => {
  const { query, limit, type } = c.req.valid('query');
  if (!query) throw new AppError('query.missing', 'Give search text in `query`.');
  const results = await c.get('youtube').search(query, type, limit);
  return c.json({
    query,
    type,
    results: results.map((result) => ({ ...result, link: `https://www.youtube.com/watch?v=${result.id}` })),
  });
});
