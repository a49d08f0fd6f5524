import { createApp } from './app';
import type { Env } from './env';
import { createLogger } from './logging/logger';
import { consumeLogBatch } from './logging/log-batch-consumer';
import { createOutbound } from './outbound/http';
import { createMetadataStore } from './store';
import { installEvaluator } from './youtube/evaluator';

export { QuotaCounter } from './quota/quota-counter';

installEvaluator();
const app = createApp();

export default {
  fetch: app.fetch,
  /** LOG_QUEUE's consumer: request logs into the store, in batches. */
  async queue(batch, env, _ctx) {
    const logger = createLogger({ level: 'info', format: 'json' });
    const upstreamOrigins = typeof env.UPSTREAM_ORIGINS === 'string' && env.UPSTREAM_ORIGINS ? JSON.parse(env.UPSTREAM_ORIGINS) : {};
    const store = createMetadataStore(env, { outbound: createOutbound({ upstreamOrigins, timeoutMs: 10_000, logger }), logger });
    await consumeLogBatch(batch, store, logger);
  },
} satisfies ExportedHandler<Env>;
