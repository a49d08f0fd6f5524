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
import { errorShape } from './middleware/error-shape';
import { adminRoute } from './routes/admin';
import { LEGACY_ADMIN_PATHS } from './routes/admin/legacy';
import { originalErrors } from './routes/compat/original-errors';
import { fallenRoute } from './routes/compat/fallen';
import { originalRoute } from './routes/compat/original';
import { shuklaRoute } from './routes/compat/shukla';
import { metaRoute } from './routes/meta';
import { resolveRoute } from './routes/resolve';
import { searchRoute } from './routes/search';
import { streamRoute } from './routes/stream';
import { streamFileRoute } from './routes/stream-file';

/** The API Worker's routes and the middleware every request passes through. */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(timing({ totalDescription: 'total', crossOrigin: false }));
  app.use(services());
  app.use(dashboardCors());
  app.use(requestLog());
  // Before the key check, so that key failures take the family's error form too.
  for (const path of ['/youtube', ...LEGACY_ADMIN_PATHS]) app.use(path, errorShape(originalErrors));
  for (const path of ['/v1/*', '/youtube', '/api/*', '/download/*', '/stream/*', '/admin/*']) app.use(path, rateLimit());
  for (const path of ['/v1/*', '/youtube', '/api/*', '/download/*']) app.use(path, apiKey());
  app.route('/', metaRoute);
  app.route('/', resolveRoute);
  app.route('/', searchRoute);
  app.route('/', originalRoute);
  app.route('/', fallenRoute);
  app.route('/', shuklaRoute);
  app.route('/', streamFileRoute);
  app.route('/', streamRoute);
  app.route('/', adminRoute);
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
