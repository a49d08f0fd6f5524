import { AppError } from '../../../core/src/errors';
import type { CacheEntry, CacheType } from '../../../core/src/store/types';
import type { CacheReport, TelegramCache } from './telegram-cache';
import { messageUrl } from './telegram-cache';

/**
 * For bots that take nothing but a channel post (`https://t.me/<channel>/<id>`,
 * fetched through their own Telegram client): the post of a cached track, or,
 * when the upload is under way, the post once it lands, waited for at most
 * `waitMs`. The entry is read from the store every `pollMs`.
 */
export interface ChannelLinkOptions {
  waitMs: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The consumer's own reason for a failed upload is for admins: it names the channel's set-up, not the track. */
  withReason?: boolean;
}

export async function channelPostLink(
  cache: TelegramCache,
  videoId: string,
  type: CacheType,
  report: CacheReport,
  options: ChannelLinkOptions,
): Promise<{ url: string; entry: CacheEntry; waited: boolean }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollMs = options.pollMs ?? 1000;
  const deadline = Date.now() + options.waitMs;
  let waited = false;
  for (;;) {
    if (report.status === 'hit') return { url: postUrl(report.entry), entry: report.entry, waited };
    if (report.status === 'disabled') throw new AppError('telegram.disabled', 'This service runs without its Telegram channel, and this route answers only with channel posts.');
    if (report.status === 'too_large') {
      // The size against Telegram's limit is about the track, not the channel's set-up: everyone may read it.
      throw new AppError('telegram.upload_failed', `The track could not be put in the Telegram channel: ${report.reason ?? 'it is larger than the channel can take'}.`);
    }
    if (report.status === 'failed') {
      const reason = options.withReason && report.reason ? report.reason : 'the upload failed';
      throw new AppError('telegram.upload_failed', `The track could not be put in the Telegram channel: ${reason}.`);
    }
    if (Date.now() + pollMs > deadline) {
      throw new AppError('telegram.upload_pending', `The upload to the Telegram channel is still running after ${Math.round(options.waitMs / 1000)} s; ask again in a minute.`, {
        headers: { 'Retry-After': '30' },
      });
    }
    await sleep(pollMs);
    waited = true;
    report = reportOf(cache, await cache.lookup(videoId, type));
  }
}

function reportOf(cache: TelegramCache, entry: CacheEntry | null | 'unavailable'): CacheReport {
  // The store not answering for a moment is no reason to give up before the deadline.
  if (entry === 'unavailable' || entry === null) return { status: 'pending' };
  const { status, failure_reason } = entry;
  if (cache.isHit(entry)) return { status: 'hit', entry };
  if (status === 'failed' || status === 'too_large') return { status, reason: failure_reason };
  return { status: 'pending' };
}

/** A private channel's posts open only for its members: no bot of someone else's can read them. */
export function privateChannelError(): AppError {
  return new AppError(
    'telegram.channel_private',
    'This service caches tracks in a private Telegram channel, whose t.me/c/… links no other bot can read; the operator must make the channel public (TELEGRAM_CHANNEL_ID=@name).',
  );
}

function postUrl(entry: CacheEntry): string {
  const url = messageUrl(entry);
  if (!url) throw privateChannelError();
  return url;
}
