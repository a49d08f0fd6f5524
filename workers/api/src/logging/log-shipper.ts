import type { LogMessage } from './request-log-message';

/**
 * Packs one isolate's request logs into few queue messages.
 *
 * Why: every queue message costs three operations (write, read, delete), and
 * the Workers Free plan allows 10,000 a day; one message per request would
 * stop logging after about 3,300 requests. Records wait up to `flushMs` in
 * the isolate and leave together, at most `maxRecords` to a message (each
 * record is under 1 KB, the message limit is 128 KB).
 *
 * The request that starts a batch sends it, kept alive by its waitUntil; the
 * other requests' records are plain data, which one request may send for
 * another (unlike streams or stubs).
 */
export interface LogShipperOptions {
  flushMs: number;
  maxRecords: number;
}

export type SendRecords = (records: LogMessage[]) => Promise<void>;

export class LogShipper {
  // One buffer per destination queue: records never travel through another env's binding.
  private readonly buffers = new WeakMap<object, { pending: LogMessage[]; flushScheduled: boolean }>();

  constructor(private readonly options: LogShipperOptions = { flushMs: 1000, maxRecords: 100 }) {}

  ship(record: LogMessage, destination: object, send: SendRecords, waitUntil: (work: Promise<unknown>) => void): void {
    let buffer = this.buffers.get(destination);
    if (!buffer) this.buffers.set(destination, (buffer = { pending: [], flushScheduled: false }));
    const { maxRecords, flushMs } = this.options;
    buffer.pending.push(record);
    if (buffer.pending.length >= maxRecords) {
      waitUntil(send(buffer.pending.splice(0, maxRecords)));
      return;
    }
    if (buffer.flushScheduled) return;
    buffer.flushScheduled = true;
    const flushing = buffer;
    waitUntil(
      new Promise((resolve) => setTimeout(resolve, flushMs)).then(() => {
        flushing.flushScheduled = false;
        const sends: Promise<void>[] = [];
        while (flushing.pending.length > 0) sends.push(send(flushing.pending.splice(0, maxRecords)));
        return Promise.all(sends);
      }),
    );
  }
}
