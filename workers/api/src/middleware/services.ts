import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { KeyGate } from '../quota/key-gate';
import { isolateSharedUnknownKeys } from '../quota/shared-unknown-keys';
import { healthBoard } from '../shared-health/shared-health';
import { createWorkerServices } from '../worker-services';
import { healthRules, isolateClientHealth } from '../../../core/src/youtube/colo-client-health';
import { YouTubeService } from '../../../core/src/youtube/youtube-service';
import { effectiveClientTable } from '../../../core/src/youtube/client-table';
import { clientTableReader } from '../youtube-clients/client-table-reader';

/** Puts the request's services on the context: the Worker's own, plus the YouTube service and the key gate. */
export function services() {
  return createMiddleware<AppEnv>(async function services(c, next) {
    const { config, logger, outbound, store } = createWorkerServices(c.env, { requestId: c.get('requestId') });
    c.set('config', config);
    c.set('logger', logger);
    c.set('outbound', outbound);
    // Client health lives in the isolate's memory: building this facade touches no store. The
    // SharedHealth object is where isolates meet (at most once a minute each), the Cache API without it.
    const shared = c.env.SHARED_HEALTH;
    const board = shared ? healthBoard(shared, c.req.raw.cf?.colo as string | undefined) : undefined;
    const health = isolateClientHealth(board).forRequest(healthRules(config), (work) => c.executionCtx.waitUntil(work));
    // The client table in force: read only when a resolve reaches YouTube (a cache hit never does).
    const clientTable = () => effectiveClientTable(config.YOUTUBE_CLIENT_OVERRIDES, clientTableReader(c.env.CLIENT_TABLE), logger);
    c.set('youtube', new YouTubeService(config, outbound, logger, undefined, { health, clientTable, playerFunctions: c.env.PLAYER_FUNCTIONS, background: (work) => c.executionCtx.waitUntil(work) }));
    c.set('store', store);
    c.set('keyGate', new KeyGate(c.env.QUOTA, store, (work) => c.executionCtx.waitUntil(work), { logger, sharedUnknownKeys: shared ? isolateSharedUnknownKeys(shared) : null }));
    await next();
  });
}
