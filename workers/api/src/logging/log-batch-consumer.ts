import type { Logger } from '../../../core/src/logging/logger';
import type { MetadataStore } from '../../../core/src/store/types';
import { LogQueueBodySchema, toLogRecord, type LogMessage } from './request-log-message';

/**
 * The LOG_QUEUE consumer: writes request logs to the store in batches and adds
 * each key's usage (last used, total). If the store is down the whole batch is
 * retried with backoff; after max_retries it lands in the dead-letter queue.
 * Inserts are idempotent by request_id, so a retry never duplicates a log.
 */
export async function consumeLogBatch(batch: MessageBatch<unknown>, store: MetadataStore, logger: Logger): Promise<void> {
  const records = [];
  for (const message of batch.messages) {
    const parsed = LogQueueBodySchema.safeParse(message.body);
    if (parsed.success) records.push(...parsed.data.records.map((record) => toLogRecord(record as LogMessage)));
    else {
      logger.warn('log.malformed', { id: message.id });
      message.ack();
    }
  }
  if (records.length === 0) return;
  try {
    const { inserted } = await store.appendLogs(records);
    // Usage is counted only for a batch seen for the first time: a retried batch
    // would otherwise count its requests twice.
    if (inserted === records.length) await store.recordKeyUsage(usageOf(records));
    batch.ackAll();
  } catch (error) {
    const attempts = Math.max(...batch.messages.map((message) => message.attempts));
    logger.warn('log.store_failed', { error, attempts, size: records.length });
    batch.retryAll({ delaySeconds: Math.min(300, 2 ** attempts) });
  }
}

function usageOf(records: Array<{ key_id: string | null; time: Date; status: number }>) {
  const byKey = new Map<string, { id: string; count: number; last_used_at: Date }>();
  for (const record of records) {
    if (!record.key_id || record.key_id === 'admin') continue;
    const entry = byKey.get(record.key_id) ?? { id: record.key_id, count: 0, last_used_at: record.time };
    entry.count += 1;
    if (record.time > entry.last_used_at) entry.last_used_at = record.time;
    byKey.set(record.key_id, entry);
  }
  return [...byKey.values()];
}
