import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import type { AppEnv } from './env';
import { handleError, handleNotFound } from './middleware/error-handler';
import { services } from './middleware/services';
import { metaRoute } from './routes/meta';
import { resolveRoute } from './routes/resolve';
import { searchRoute } from './routes/search';
import { streamRoute } from './routes/stream';
import { youtubeCompatRoute } from './routes/youtube-compat';

/** The API Worker's routes and the middleware every request passes through. */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(timing({ totalDescription: 'total', crossOrigin: false }));
  app.use(services());
  app.route('/', metaRoute);
  app.route('/', resolveRoute);
  app.route('/', searchRoute);
  app.route('/', youtubeCompatRoute);
  app.route('/', streamRoute);
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
