import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

/**
 * Headers the middleware give every answer (`Vary`, `X-Request-Id`, `RateLimit-*`). They are set
 * with `c.header` before the route, which Hono folds into the one Response a route builds with
 * `c.json`/`c.body`. A route that answers with a Response of its own (the stream proxies) gets
 * them from `answerHeaders`, run last before the routes. Touching `c.res` before the route
 * would carry them too, but makes Hono build every answer three times (~36 µs a request).
 */
export function setAnswerHeader(c: Context<AppEnv>, name: string, value: string): void {
  c.header(name, value);
  const set = c.get('answerHeaders');
  if (set) set.push([name, value]);
  else c.set('answerHeaders', [[name, value]]);
}

export function answerHeaders() {
  return createMiddleware<AppEnv>(async function answerHeaders(c, next) {
    await next();
    const wanted = c.get('answerHeaders');
    if (!wanted || wanted.every(([name, value]) => c.res.headers.get(name) === value)) return;
    // The route's own Response: one mutable copy with the headers added (its own may be immutable, as fetch's are).
    const own = new Response(c.res.body, c.res);
    for (const [name, value] of wanted) own.headers.set(name, value);
    c.res = undefined;
    c.res = own;
  });
}
