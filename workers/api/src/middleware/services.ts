import { createMiddleware } from 'hono/factory';
import { loadConfig, SECRET_SETTINGS } from '../config';
import type { AppEnv } from '../env';
import { createLogger } from '../logging/logger';
import { createOutbound } from '../outbound/http';
import { KeyGate } from '../quota/key-gate';
import { createMetadataStore } from '../store';
import type { MetadataStore } from '../store/types';
import { YouTubeService } from '../youtube/youtube-service';

/**
 * Builds the request's services from the Worker's env: settings (parsed once
 * per env object), the logger with secrets masked, the outbound door, the
 * YouTube service, the store (lazily) and the key gate.
 */
export function services() {
  return createMiddleware<AppEnv>(async function services(c, next) {
    const config = loadConfig(c.env);
    const secrets = SECRET_SETTINGS.map((name) => c.env[name]).filter((value): value is string => typeof value === 'string');
    const logger = createLogger(
      { level: config.DEBUG ? 'debug' : config.LOG_LEVEL, format: config.LOG_FORMAT, secrets },
      { requestId: c.get('requestId') },
    );
    const outbound = createOutbound({ upstreamOrigins: config.UPSTREAM_ORIGINS, timeoutMs: config.UPSTREAM_TIMEOUT_MS, logger });
    let store: MetadataStore | undefined;
    const getStore = () => (store ??= createMetadataStore(c.env, { outbound, logger }));
    c.set('config', config);
    c.set('logger', logger);
    c.set('outbound', outbound);
    c.set('youtube', new YouTubeService(config, outbound, logger));
    c.set('store', getStore);
    c.set('keyGate', new KeyGate(c.env.QUOTA, getStore, (work) => c.executionCtx.waitUntil(work)));
    await next();
  });
}
