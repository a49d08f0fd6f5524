import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../workers/api/src/index';
import { createLogger } from '../workers/core/src/logging/logger';
import { createOutbound } from '../workers/core/src/outbound/http';
import { createMetadataStore } from '../workers/core/src/store';

const DAY = 86_400_000;

describe('the daily clean-up (cron)', () => {
  it('deletes request logs past LOG_RETENTION_DAYS and expired cache entries, and keeps the rest', async () => {
    const logger = createLogger({ level: 'error', format: 'json', sink: () => {} });
    const store = createMetadataStore(env, { outbound: createOutbound({ upstreamOrigins: {}, timeoutMs: 1000, logger }), logger });
    const now = Date.parse('2027-06-01T18:30:00Z');
    const log = (id: string, ageDays: number) => ({
      request_id: id, time: new Date(now - ageDays * DAY), endpoint: '/v1/resolve', method: 'GET', key_id: null,
      client_ip: '1.1.1.1', status: 200, error_code: null, duration_ms: 5, query: null, colo: null, cache: null,
    });
    await store.appendLogs([log('retention-old', 91), log('retention-recent', 89)]);
    for (const [videoId, expiresInDays] of [['retentionX1', -1], ['retentionK1', 1]] as const) {
      const { entry } = await store.claimCacheEntry(videoId, 'audio', { now: new Date(now - 2 * DAY), retryAfterMs: 0 });
      await store.completeCacheEntry(videoId, 'audio', entry.claim_id!, {
        file_id: `f-${videoId}`, file_unique_id: `u-${videoId}`, message_id: 1, chat_id: '@c', size: 10, mime: 'audio/mp4',
        title: 't', duration: 1, cached_at: new Date(now - 2 * DAY), expires_at: new Date(now + expiresInDays * DAY),
      });
    }

    const controller = createScheduledController({ scheduledTime: now, cron: '30 18 * * *' });
    await worker.scheduled(controller, env as never, createExecutionContext());

    const remaining = (await store.listLogs({ page: 1, pageSize: 100, to: new Date(now) })).items.map((item) => item.request_id);
    expect(remaining).toContain('retention-recent');
    expect(remaining).not.toContain('retention-old');
    expect(await store.getCacheEntry('retentionX1', 'audio')).toBeNull();
    expect((await store.getCacheEntry('retentionK1', 'audio'))?.status).toBe('ready');
  });
});
