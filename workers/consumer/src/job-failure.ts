/**
 * A job that cannot succeed by retrying: the entry records why, and the
 * message is acknowledged. `too_large` is kept apart so operators can tell
 * "over Telegram's limits" from "broken".
 */
export class JobFailure extends Error {
  constructor(
    readonly status: 'failed' | 'too_large',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'JobFailure';
  }
}
