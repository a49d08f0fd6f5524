import { createApp } from './app';
import { CANARY_CRON, DAILY_CLEANUP_CRON } from './crons';
import type { Env } from './env';
import { consumeLogBatch } from './logging/log-batch-consumer';
import { loadStoreConfig } from '../../core/src/store';
import { applyRetention } from '../../core/src/store/retention';
import { createWorkerServices } from './worker-services';
import { moveKeyFromPath } from './middleware/key-path-prefix';
import { healthRules, isolateClientHealth } from '../../core/src/youtube/colo-client-health';
import { effectiveClientTable } from '../../core/src/youtube/client-table';
import { clientTableReader } from './youtube-clients/client-table-reader';

export { QuotaCounter } from './quota/quota-counter';
export { StreamLinkRevocations } from './stream-links/stream-link-revocations';
export { SharedHealth } from './shared-health/shared-health';
export { MongoStoreConnection } from '../../core/src/store/mongodb-connection';
export { ClientTableStore } from './youtube-clients/client-table-store';
export { PlayerFunctions } from '../../core/src/youtube/player-functions';

// youtubei.js and its QuickJS evaluator load on the first miss (core/src/youtube/engine.ts), not here.
const app = createApp();

export default {
  /** A key in the base URL (`/k/<key>/…`) becomes X-API-Key before anything else sees the request. */
  fetch: (request, env, ctx) => app.fetch(moveKeyFromPath(request), env, ctx),
  /** LOG_QUEUE's consumer: request logs into the store, in batches. */
  async queue(batch, env, _ctx) {
    const { logger, store } = createWorkerServices(env);
    await consumeLogBatch(batch, store(), logger);
  },
  async scheduled(controller, env, ctx) {
    const { config, logger, outbound, store } = createWorkerServices(env, { cron: controller.cron });
    if (controller.cron === CANARY_CRON) {
      // Every 15 minutes: each YouTube client tried on CANARY_VIDEO_ID, its outcome recorded.
      const rules = healthRules(config);
      const colo = isolateClientHealth();
      const health = colo.forRequest(rules, (work) => ctx.waitUntil(work));
      // The canary needs youtubei.js: it loads here, behind the same door as a miss (core/src/youtube/engine.ts).
      const { runCanary } = await import('../../core/src/youtube/engine');
      const clientTable = () => effectiveClientTable(config.YOUTUBE_CLIENT_OVERRIDES, clientTableReader(env.CLIENT_TABLE), logger);
      await runCanary(config.CANARY_VIDEO_ID, { config, fetch: outbound, logger, health, routeKey: JSON.stringify(config.UPSTREAM_ORIGINS), clientTable, playerFunctions: env.PLAYER_FUNCTIONS });
      await colo.flush(rules);
      return;
    }
    if (controller.cron === DAILY_CLEANUP_CRON) {
      // 00:00 IST: request logs past LOG_RETENTION_DAYS and expired cache entries go.
      await applyRetention(store(), loadStoreConfig(env), new Date(controller.scheduledTime), logger);
      return;
    }
    logger.warn('cron.unknown', { cron: controller.cron });
  },
} satisfies ExportedHandler<Env>;
