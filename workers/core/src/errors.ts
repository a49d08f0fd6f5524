import { HTTPException } from 'hono/http-exception';

/**
 * The one exception type of the service. Every failure a client can see is an
 * AppError with a dotted code; the HTTP status comes from STATUS_BY_CODE so the
 * mapping lives in one place.
 */
export const STATUS_BY_CODE = {
  'request.invalid': 400,
  'query.missing': 400,
  'query.too_long': 400,
  'query.unsupported_url': 400,
  'query.invalid_id': 400,
  'route.not_found': 404,
  'video.not_found': 404,
  'video.private': 403,
  'video.unavailable': 404,
  'video.region_restricted': 451,
  'video.paid': 402,
  'video.age_restricted': 403,
  'video.live_audio': 422,
  'video.no_formats': 422,
  'search.no_results': 404,
  'youtube.login': 503,
  'youtube.bot_check': 503,
  'youtube.unavailable': 502,
  'youtube.sabr_only': 502,
  'youtube.decipher_failed': 502,
  'youtube.po_token_unavailable': 503,
  'upstream.timeout': 504,
  'upstream.failed': 502,
  'upstream.redirect_forbidden': 502,
  'stream.token_invalid': 403,
  'stream.token_expired': 410,
  'stream.range_not_satisfiable': 416,
  'stream.host_forbidden': 403,
  'stream.upstream': 502,
  'key.missing': 401,
  'key.invalid': 401,
  'key.expired': 403,
  'key.revoked': 403,
  'key.forbidden': 403,
  'key.not_found': 404,
  'quota.exceeded': 429,
  'rate.limited': 429,
  'cors.forbidden': 403,
  'store.unavailable': 503,
  'store.rejected': 502,
  'store.invalid_answer': 502,
  'store.conflict': 409,
  'cache.unavailable': 503,
  'telegram.disabled': 503,
  'telegram.file_gone': 410,
  'telegram.rate_limited': 503,
  'telegram.unavailable': 502,
  'telegram.channel_private': 503,
  'telegram.upload_failed': 502,
  'telegram.upload_pending': 504,
  'cache.too_many_pending': 429,
  'stream.too_many_restarts': 429,
  'config.invalid': 500,
  'internal': 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string>;
  /** Safe details for logs only (never sent to clients). */
  readonly logDetails: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { headers?: Record<string, string>; logDetails?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.headers = options.headers ?? {};
    this.logDetails = options.logDetails;
  }

  toBody(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Turns anything thrown into an AppError without leaking its message. */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  // Hono's own 4xx (a body that is not JSON, say) is the client's mistake, not ours.
  if (value instanceof HTTPException && value.status < 500) {
    return new AppError('request.invalid', `Invalid request: ${value.message || 'malformed input'}.`);
  }
  // A call's timeout that fired while its body was still being read (the outbound door names a late answer itself).
  if (value instanceof DOMException && value.name === 'TimeoutError') {
    return new AppError('upstream.timeout', 'An upstream stopped sending before its answer was complete.', { cause: value });
  }
  return new AppError('internal', 'The service failed to handle this request.', { cause: value });
}
