import type { Logger } from '../../../core/src/logging/logger';
import type { LogRecord, MetadataStore } from '../../../core/src/store/types';
import { recordsOfBody, toLogRecord } from './request-log-message';

/**
 * The LOG_QUEUE consumer: writes request logs to the store in batches and adds
 * each key's usage (last used, total). Each record is checked on its own, so
 * one bad record is dropped alone, never with the rest of its message. If the
 * store is down the batch is retried with backoff; after max_retries it lands
 * in the dead-letter queue. Inserts are idempotent by request_id, so a retry
 * never duplicates a log, and usage is counted from the rows that were new.
 */
export async function consumeLogBatch(batch: MessageBatch<unknown>, store: MetadataStore, logger: Logger): Promise<void> {
  const records: LogRecord[] = [];
  const carrying: Message<unknown>[] = [];
  let rejected = 0;
  for (const message of batch.messages) {
    const { valid, invalid } = recordsOfBody(message.body);
    rejected += invalid;
    if (valid.length === 0) {
      logger.warn('log.malformed', { id: message.id, invalid });
      message.ack();
      continue;
    }
    records.push(...valid.map(toLogRecord));
    carrying.push(message);
  }
  if (rejected > 0) logger.warn('log.records_dropped', { count: rejected });
  if (records.length === 0) return;
  try {
    await storeLogRecords(records, store, logger);
    batch.ackAll();
  } catch (error) {
    const attempts = Math.max(...carrying.map((message) => message.attempts));
    logger.warn('log.store_failed', { error, attempts, size: records.length });
    batch.retryAll({ delaySeconds: Math.min(300, 2 ** attempts) });
  }
}

/**
 * Inserts the records (idempotent by request id) and counts the usage of the
 * rows that were new: a record already stored, by an earlier delivery of its
 * batch or a duplicate inside it, is never counted twice. Throws when the
 * logs could not be written, so the caller keeps them for another try. A
 * usage write that fails after the logs landed is retried here; a retry of
 * the batch would find no new rows and count nothing.
 */
export async function storeLogRecords(records: LogRecord[], store: MetadataStore, logger: Logger): Promise<{ inserted: number }> {
  const { inserted, insertedIds } = await store.appendLogs(records);
  const fresh = new Set(insertedIds);
  const usage = usageOf(records.filter((record) => fresh.delete(record.request_id)));
  if (usage.length === 0) return { inserted };
  for (let attempt = 1; ; attempt += 1) {
    try {
      await store.recordKeyUsage(usage);
      return { inserted };
    } catch (error) {
      if (attempt >= 3) {
        logger.error('log.usage_failed', { error, keys: usage.length, requests: usage.reduce((sum, entry) => sum + entry.count, 0) });
        return { inserted };
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

function usageOf(records: Array<{ key_id: string | null; time: Date; status: number; weight?: number }>) {
  const byKey = new Map<string, { id: string; count: number; last_used_at: Date }>();
  for (const record of records) {
    if (!record.key_id || record.key_id === 'admin') continue;
    const entry = byKey.get(record.key_id) ?? { id: record.key_id, count: 0, last_used_at: record.time };
    // A sampled record (LOG_SAMPLE_ONE_IN) stands for `weight` requests.
    entry.count += record.weight ?? 1;
    if (record.time > entry.last_used_at) entry.last_used_at = record.time;
    byKey.set(record.key_id, entry);
  }
  return [...byKey.values()];
}
