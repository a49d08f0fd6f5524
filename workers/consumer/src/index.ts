import { installEvaluator } from '../../core/src/youtube/evaluator';
import { handleCacheServiceRequest } from './file-server';
import { handleCacheBatch } from './queue-handler';
import type { ConsumerEnv } from './runtime';

// The player functions' durable home: this Worker hosts its own namespace (see player-functions.ts).
export { PlayerFunctions } from '../../core/src/youtube/player-functions';

/**
 * The Telegram-cache consumer Worker: uploads each newly claimed track to the
 * channel (queue `yt-api-cache-jobs`), and serves the cached files to the API
 * Worker through its service binding. It alone holds the bot token.
 */
installEvaluator();

export { MongoStoreConnection } from '../../core/src/store/mongodb-connection';

export default {
  fetch: (request, env) => handleCacheServiceRequest(request, env),
  queue: (batch, env, ctx) => handleCacheBatch(batch, env, {}, ctx),
} satisfies ExportedHandler<ConsumerEnv>;
