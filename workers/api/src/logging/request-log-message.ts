import { z } from 'zod';
import { LogRecordSchema, type LogRecord } from '../../../core/src/store/types';

/** A request log record as it travels through the queue: dates as ISO strings, ids only. */
export const LogMessageSchema = LogRecordSchema.extend({ time: z.iso.datetime() });
export type LogMessage = z.infer<typeof LogMessageSchema>;

export interface LogQueueBody {
  records: LogMessage[];
}

const PackedBodySchema = z.object({ records: z.array(z.unknown()) });

/**
 * The records of a queue message, each checked on its own: a packed message
 * (LogShipper's `{records}`) or a single record as sent before packing.
 * A bad record is counted and left out; the others go on.
 */
export function recordsOfBody(body: unknown): { valid: LogMessage[]; invalid: number } {
  const packed = PackedBodySchema.safeParse(body);
  const candidates = packed.success ? packed.data.records : [body];
  const valid: LogMessage[] = [];
  for (const candidate of candidates) {
    const parsed = LogMessageSchema.safeParse(candidate);
    if (parsed.success) valid.push(parsed.data);
  }
  return { valid, invalid: candidates.length - valid.length };
}

export function toLogRecord(message: LogMessage): LogRecord {
  return { ...message, time: new Date(message.time) };
}
