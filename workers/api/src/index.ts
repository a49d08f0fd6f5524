import { createApp } from './app';
import type { Env } from './env';
import { consumeLogBatch } from './logging/log-batch-consumer';
import { createWorkerServices } from './worker-services';
import { installEvaluator } from './youtube/evaluator';

export { QuotaCounter } from './quota/quota-counter';

installEvaluator();
const app = createApp();

export default {
  fetch: app.fetch,
  /** LOG_QUEUE's consumer: request logs into the store, in batches. */
  async queue(batch, env, _ctx) {
    const { logger, store } = createWorkerServices(env);
    await consumeLogBatch(batch, store(), logger);
  },
} satisfies ExportedHandler<Env>;
