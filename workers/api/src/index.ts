import { createApp } from './app';
import type { Env } from './env';
import { consumeLogBatch } from './logging/log-batch-consumer';
import { loadStoreConfig } from '../../core/src/store';
import { applyRetention } from '../../core/src/store/retention';
import { createWorkerServices } from './worker-services';
import { moveKeyFromPath } from './middleware/key-path-prefix';
import { installEvaluator } from '../../core/src/youtube/evaluator';

export { QuotaCounter } from './quota/quota-counter';

installEvaluator();
const app = createApp();

export default {
  /** A key in the base URL (`/k/<key>/…`) becomes X-API-Key before anything else sees the request. */
  fetch: (request, env, ctx) => app.fetch(moveKeyFromPath(request), env, ctx),
  /** LOG_QUEUE's consumer: request logs into the store, in batches. */
  async queue(batch, env, _ctx) {
    const { logger, store } = createWorkerServices(env);
    await consumeLogBatch(batch, store(), logger);
  },
  /** The daily cron (00:00 IST): request logs past LOG_RETENTION_DAYS and expired cache entries go. */
  async scheduled(controller, env, _ctx) {
    const { logger, store } = createWorkerServices(env);
    await applyRetention(store(), loadStoreConfig(env), new Date(controller.scheduledTime), logger);
  },
} satisfies ExportedHandler<Env>;
