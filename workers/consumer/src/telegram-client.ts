import { Api, GrammyError, HttpError } from 'grammy';
import type { OutboundFetch } from '../../core/src/outbound/http';
import type { ConsumerConfig } from './config';

/**
 * The bot's side of the Telegram Bot API, through grammY and the outbound
 * door (timeouts, UPSTREAM_ORIGINS). The token only ever travels in the URLs
 * built here; the logger masks it, and no URL is ever logged or answered.
 */
export function createTelegramApi(config: ConsumerConfig, token: string, outbound: OutboundFetch): Api {
  const telegramFetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const method = new URL(String(input instanceof Request ? input.url : input)).pathname.split('/').pop() ?? 'call';
    const uploads = method.startsWith('send');
    return outbound(String(input instanceof Request ? input.url : input), {
      ...init,
      label: `telegram.${method}`,
      timeoutMs: uploads ? config.TELEGRAM_UPLOAD_TIMEOUT_MS : config.UPSTREAM_TIMEOUT_MS,
    });
  };
  return new Api(token, {
    apiRoot: config.TELEGRAM_API_ROOT,
    fetch: telegramFetch as typeof fetch,
    timeoutSeconds: Math.ceil(config.TELEGRAM_UPLOAD_TIMEOUT_MS / 1000),
  });
}

/** Where getFile's file_path downloads from. A local server in --local mode answers absolute paths. */
export function fileDownloadUrl(config: ConsumerConfig, token: string, filePath: string): string {
  const root = config.TELEGRAM_FILE_ROOT ?? `${config.TELEGRAM_API_ROOT}/file/bot${token}`;
  const path = filePath.split('/').map(encodeURIComponent).join('/');
  return filePath.startsWith('/') ? `${root}${path}` : `${root}/${path}`;
}

/** How a failed Telegram call should be handled by the job. */
export type TelegramFailure =
  | { kind: 'rate_limited'; retryAfterSeconds: number; reason: string }
  | { kind: 'too_large'; reason: string }
  | { kind: 'permanent'; reason: string }
  | { kind: 'transient'; reason: string };

export function classifyTelegramError(error: unknown): TelegramFailure | null {
  if (error instanceof GrammyError) {
    const reason = `Telegram answered ${error.error_code} to ${error.method}: ${error.description}`;
    const retryAfter = error.parameters.retry_after;
    if (error.error_code === 429) return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, retryAfter ?? 5), reason };
    if (error.error_code === 413) return { kind: 'too_large', reason };
    if (error.error_code >= 500) return { kind: 'transient', reason };
    // 400 (chat not found, bad file), 401 (token refused), 403 (bot not in the channel): retrying will not help.
    return { kind: 'permanent', reason };
  }
  if (error instanceof HttpError) return { kind: 'transient', reason: error.message };
  return null;
}

/** True when Telegram says this file id no longer leads to a file. */
export function isFileGone(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /wrong file_id|file is temporarily unavailable|file is too big|invalid file_id|file not found/i.test(error.description)
  );
}
