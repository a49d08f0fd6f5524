import { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { adminAuth } from '../../middleware/admin-auth';
import { rateLimit } from '../../middleware/rate-limit';
import { keysRoute } from './keys';
import { legacyAdminRoute } from './legacy';
import { logsRoute } from './logs';
import { statsRoute } from './stats';
import { streamLinksRoute } from './stream-links';
import { youtubeClientsRoute } from './youtube-clients';

/** Everything under /admin: ADMIN_API_KEY or an admin-tier key. */
export const adminRoute = new Hono<AppEnv>();
adminRoute.use('/admin/*', adminAuth(), rateLimit());
adminRoute.route('/', keysRoute);
adminRoute.route('/', statsRoute);
adminRoute.route('/', logsRoute);
adminRoute.route('/', legacyAdminRoute);
adminRoute.route('/', streamLinksRoute);
adminRoute.route('/', youtubeClientsRoute);
