import type { Logger } from '../../../core/src/logging/logger';
import type { MetadataStore } from '../../../core/src/store/types';
import { storeLogRecords } from './log-batch-consumer';
import { toLogRecord, type LogMessage, type LogQueueBody } from './request-log-message';

/**
 * Sends one packed message of request logs to LOG_QUEUE. A failed send is
 * tried again (the queue may refuse for a moment); if the queue stays
 * unavailable, the records go straight to the store, which ignores request ids
 * it already holds, so a send that did land after all is not doubled. Only
 * if both fail are the records given up, with an error line saying how many.
 */
export const SEND_DELAYS_MS = [100, 500];

export interface ShipTargets {
  queue: Pick<Queue<LogQueueBody>, 'send'>;
  store: () => MetadataStore;
  logger: Logger;
}

export async function shipRecords(records: LogMessage[], targets: ShipTargets, delaysMs: readonly number[] = SEND_DELAYS_MS): Promise<void> {
  const { queue, store, logger } = targets;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await queue.send({ records }, { contentType: 'json' });
      if (attempt > 0) logger.info('log.enqueue_recovered', { attempts: attempt + 1, records: records.length });
      return;
    } catch (error) {
      if (attempt >= delaysMs.length) {
        logger.warn('log.enqueue_failed', { error, attempts: attempt + 1, records: records.length });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, delaysMs[attempt]));
    }
  }
  try {
    await storeLogRecords(records.map(toLogRecord), store(), logger);
    logger.info('log.stored_directly', { records: records.length });
  } catch (error) {
    logger.error('log.lost', { error, records: records.length });
  }
}
