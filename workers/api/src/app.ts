import { Hono } from 'hono';
import { timing } from 'hono/timing';
import type { AppEnv } from './env';
import { answerHeaders } from './middleware/answer-headers';
import { apiKey } from './middleware/api-key';
import { dashboardCors } from './middleware/dashboard-cors';
import { releaseFailedFirstUse } from './middleware/first-use-release';
import { handleError, limitedNotFound } from './middleware/error-handler';
import { registerRoutes } from './logging/endpoint-names';
import { rateLimit } from './middleware/rate-limit';
import { linkRateLimit } from './middleware/link-rate-limit';
import { requestId } from './middleware/request-id';
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
import { openApiDocument } from './routes/openapi';
import { resolveRoute } from './routes/resolve';
import { searchRoute } from './routes/search';
import { streamRoute } from './routes/stream';
import { deadlineErrors, deadlineRoute } from './routes/compat/deadline';
import { fileRoute } from './routes/compat/file';
import { nexgenErrors, nexgenRoute } from './routes/compat/nexgen';
import { SHRUTI_STREAM_PATH, shrutiErrors, shrutiRoute } from './routes/compat/shruti';
import { ytproxyErrors, ytproxyRoute } from './routes/compat/ytproxy';
import { countsAsRead, fileReadOf, startsAtFirstByte } from './routes/compat/bot-track';

/** The music bots' own API shapes (routes/compat): each family's paths and its error body. */
const BOT_SHAPES = [
  { paths: ['/download', SHRUTI_STREAM_PATH], errors: shrutiErrors },
  { paths: ['/song/:id', '/video/:id'], errors: nexgenErrors },
  { paths: ['/youtube/v2/download', '/youtube/jobStatus'], errors: deadlineErrors },
  { paths: ['/info/:id'], errors: ytproxyErrors },
  // The original service's /youtube and admin routes: {"error": "<message>"}, 401 for any key failure.
  { paths: ['/youtube', ...LEGACY_ADMIN_PATHS], errors: originalErrors },
];
/** Bot shapes that answer in this service's own error body: Fallen's /api/track, SHUKLA's /download/audio|video. */
const OWN_ERROR_PATHS = ['/api/track', '/download/audio', '/download/video'];

/** The API Worker's routes and the middleware every request passes through. */
export function createApp() {
  const app = new Hono<AppEnv>();
  // CORS first: an answer that fails anywhere after it (a bad setting, say) still reaches the dashboard.
  app.use(dashboardCors());
  app.use(requestId());
  app.use(timing({ totalDescription: 'total', crossOrigin: false }));
  app.use(services());
  app.use(requestLog());
  for (const shape of BOT_SHAPES) for (const path of shape.paths) app.use(path, errorShape(shape.errors));
  // The key first, so that a keyed request is limited per key (middleware/rate-limit.ts).
  for (const path of ['/v1/*', '/youtube', '/song/:id', '/video/:id', '/youtube/v2/download', '/info/:id', ...OWN_ERROR_PATHS]) app.use(path, apiKey(), rateLimit());
  // Shruti's /download may answer the file itself, read in byte ranges: only the first byte's request counts.
  // A range of a track the key never began still resolves it: it counts once (fileReadOf).
  app.use('/download', apiKey({ consumes: startsAtFirstByte, read: fileReadOf }), rateLimit({ counts: countsAsRead }), linkRateLimit(fileReadOf));
  // (DeadlineTech's /youtube/jobStatus, polled without a key, counts against the job's key: routes/compat/deadline.ts.)
  // Links (/stream/*, /file/*, Shruti's /stream/<id>) count their first request in verifiedClaims
  // (routes/stream.ts), and give it back when it fails on our side; /admin/* is limited in adminRoute.
  app.use(releaseFailedFirstUse());
  // Routes with no key limiter count per IP: every request writes a log row, so none is free.
  for (const path of ['/health', '/info', '/openapi.json']) app.use(path, rateLimit());
  // Last before the routes: a route's own Response gets the headers the middleware set.
  app.use(answerHeaders());
  app.route('/', metaRoute);
  app.route('/', resolveRoute);
  app.route('/', searchRoute);
  app.route('/', originalRoute);
  app.route('/', fallenRoute);
  app.route('/', shuklaRoute);
  app.route('/', shrutiRoute);
  app.route('/', nexgenRoute);
  app.route('/', deadlineRoute);
  app.route('/', ytproxyRoute);
  app.route('/', fileRoute);
  app.route('/', streamRoute);
  app.route('/', adminRoute);
  app.get('/openapi.json', openApiDocument(app));
  app.notFound(limitedNotFound);
  app.onError(handleError);
  registerRoutes(app.routes);
  return app;
}
