import { z } from 'zod';
import { LogRecordSchema, type LogRecord } from '../../../core/src/store/types';

/** A request log record as it travels through the queue: dates as ISO strings, ids only. */
export const LogMessageSchema = LogRecordSchema.extend({ time: z.iso.datetime() });
export type LogMessage = z.infer<typeof LogMessageSchema>;

export interface LogQueueBody {
  records: LogMessage[];
}

/** A queue message: the records of one isolate's moment (LogShipper), or a single record as sent before packing. */
export const LogQueueBodySchema = z.union([z.object({ records: z.array(LogMessageSchema).min(1) }), LogMessageSchema.transform((record) => ({ records: [record] }))]);

export function toLogRecord(message: LogMessage): LogRecord {
  return { ...message, time: new Date(message.time) };
}
