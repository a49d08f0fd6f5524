import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { KeyGate } from '../quota/key-gate';
import { createWorkerServices } from '../worker-services';
import { healthRules, isolateClientHealth } from '../../../core/src/youtube/colo-client-health';
import { YouTubeService } from '../../../core/src/youtube/youtube-service';

/** Puts the request's services on the context: the Worker's own, plus the YouTube service and the key gate. */
export function services() {
  return createMiddleware<AppEnv>(async function services(c, next) {
    const { config, logger, outbound, store } = createWorkerServices(c.env, { requestId: c.get('requestId') });
    c.set('config', config);
    c.set('logger', logger);
    c.set('outbound', outbound);
    // Client health lives in the isolate's memory: building this facade touches no store.
    const health = isolateClientHealth().forRequest(healthRules(config), (work) => c.executionCtx.waitUntil(work));
    c.set('youtube', new YouTubeService(config, outbound, logger, undefined, { health, playerFunctions: c.env.PLAYER_FUNCTIONS, background: (work) => c.executionCtx.waitUntil(work) }));
    c.set('store', store);
    c.set('keyGate', new KeyGate(c.env.QUOTA, store, (work) => c.executionCtx.waitUntil(work), { logger }));
    await next();
  });
}
