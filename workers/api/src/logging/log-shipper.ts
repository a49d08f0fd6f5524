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
  private pending: LogMessage[] = [];
  private flushScheduled = false;

  constructor(private readonly options: LogShipperOptions = { flushMs: 1000, maxRecords: 100 }) {}

  ship(record: LogMessage, send: SendRecords, waitUntil: (work: Promise<unknown>) => void): void {
    this.pending.push(record);
    if (this.pending.length >= this.options.maxRecords) {
      waitUntil(send(this.pending.splice(0, this.options.maxRecords)));
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    waitUntil(
      new Promise((resolve) => setTimeout(resolve, this.options.flushMs)).then(() => {
        this.flushScheduled = false;
        const sends: Promise<void>[] = [];
        while (this.pending.length > 0) sends.push(send(this.pending.splice(0, this.options.maxRecords)));
        return Promise.all(sends);
      }),
    );
  }
}
