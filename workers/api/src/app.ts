import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import type { AppEnv } from './env';
import { apiKey } from './middleware/api-key';
import { dashboardCors } from './middleware/dashboard-cors';
import { handleError, handleNotFound } from './middleware/error-handler';
import { rateLimit } from './middleware/rate-limit';
import { requestLog } from './middleware/request-log';
import { services } from './middleware/services';
import { adminRoute } from './routes/admin';
import { metaRoute } from './routes/meta';
import { resolveRoute } from './routes/resolve';
import { searchRoute } from './routes/search';
import { streamRoute } from './routes/stream';
import { youtubeCompatRoute } from './routes/youtube-compat';

/** The API Worker's routes and the middleware every request passes through. */
export function createApp() {
  const app = new Hono<AppEnv>();
  // CORS first: an answer that fails anywhere after it (a bad setting, say) still reaches the dashboard.
  app.use(dashboardCors());
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(timing({ totalDescription: 'total', crossOrigin: false }));
  app.use(services());
  app.use(requestLog());
  // The key first, so that keyed requests are limited per key; /stream limits only a link's first request, /admin/* in adminRoute.
  for (const path of ['/v1/*', '/youtube']) app.use(path, apiKey(), rateLimit());
  app.route('/', metaRoute);
  app.route('/', resolveRoute);
  app.route('/', searchRoute);
  app.route('/', youtubeCompatRoute);
  app.route('/', streamRoute);
  app.route('/', adminRoute);
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
