import { z } from 'zod';
import { LogRecordSchema, type LogRecord } from '../store/types';

/** A request log record as it travels through the queue: dates as ISO strings, ids only. */
export const LogMessageSchema = LogRecordSchema.extend({ time: z.iso.datetime() });
export type LogMessage = z.infer<typeof LogMessageSchema>;

export function toLogRecord(message: LogMessage): LogRecord {
  return { ...message, time: new Date(message.time) };
}
