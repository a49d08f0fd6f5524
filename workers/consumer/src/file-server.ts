import { GrammyError } from 'grammy';
import { AppError, toAppError } from '../../core/src/errors';
import { redact } from '../../core/src/logging/logger';
import { forwardedRange, passThroughResponse, planRange, withLength } from '../../core/src/stream/range';
import type { CacheServiceStatus } from '../../core/src/contracts/cache-job';
import { createRuntime, secretValues, type ConsumerEnv, type ConsumerRuntime } from './runtime';
import { fileDownloadUrl, isFileGone } from './telegram-client';

/**
 * The consumer's internal HTTP surface for the API Worker (service binding
 * TELEGRAM_CACHE; the Worker has no public route):
 *   GET /status             → whether caching is on, and the file limit
 *   GET|HEAD /files/<id>    → the cached file's bytes, one Range honoured
 * A file Telegram no longer has answers 410 `telegram.file_gone`, so the API
 * marks the entry stale and re-caches it. The bot token is in the download
 * URL only; it never leaves this Worker.
 */
export async function handleCacheServiceRequest(request: Request, env: ConsumerEnv): Promise<Response> {
  let runtime: ConsumerRuntime | undefined;
  try {
    runtime = createRuntime(env);
    const url = new URL(request.url);
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new AppError('route.not_found', `No route ${request.method} ${url.pathname}.`);
    if (url.pathname === '/status') return Response.json(await status(runtime));
    const fileId = /^\/files\/([A-Za-z0-9_-]+)$/.exec(url.pathname)?.[1];
    if (fileId) return await serveFile(fileId, request, runtime);
    throw new AppError('route.not_found', `No route ${request.method} ${url.pathname}.`);
  } catch (error) {
    const appError = toAppError(error);
    if (!runtime) console.error(JSON.stringify({ level: 'error', event: 'cache.config_invalid', message: redact(appError.message, secretValues(env)) }));
    // A missing token or a lost file is an answer the API Worker acts on, not a fault of this Worker.
    if (appError.code === 'internal' || appError.code === 'config.invalid') runtime?.logger.error('cache.file_failed', { code: appError.code, cause: appError.cause });
    else if (appError.code === 'telegram.unavailable') runtime?.logger.warn('cache.file_failed', { code: appError.code, cause: appError.cause });
    const body = JSON.stringify(appError.toBody());
    return new Response(redact(body, runtime?.secrets ?? secretValues(env)), {
      status: appError.status,
      headers: { ...appError.headers, 'Content-Type': 'application/json', 'X-Error-Code': appError.code },
    });
  }
}

async function status(runtime: ConsumerRuntime): Promise<CacheServiceStatus> {
  return {
    enabled: runtime.telegram !== null,
    local_api: runtime.limits.localApi,
    max_file_bytes: runtime.limits.maxFileBytes,
    channel_public: await channelIsPublic(runtime),
  };
}

/** A channel given by its number may still have a public @name: Telegram is asked once an hour per isolate. */
const CHANNEL_CHECK_TTL_MS = 3600_000;
const channelChecks = new Map<string, { isPublic: boolean; until: number }>();

async function channelIsPublic(runtime: ConsumerRuntime): Promise<boolean | null> {
  const telegram = runtime.telegram;
  if (!telegram) return null;
  if (telegram.channel.startsWith('@')) return true;
  const key = `${telegram.token.split(':')[0]}:${telegram.channel}`;
  const known = channelChecks.get(key);
  if (known && known.until > Date.now()) return known.isPublic;
  try {
    const chat = (await telegram.api.getChat(telegram.channel)) as { username?: string };
    const isPublic = typeof chat.username === 'string' && chat.username !== '';
    channelChecks.set(key, { isPublic, until: Date.now() + CHANNEL_CHECK_TTL_MS });
    return isPublic;
  } catch (error) {
    runtime.logger.warn('cache.channel_check_failed', { error });
    return null;
  }
}

interface FileInfo {
  path: string;
  size: number | null;
  /** Telegram promises a download link lives at least an hour. */
  until: number;
}

const FILE_INFO_TTL_MS = 50 * 60_000;
const FILE_INFO_MAX = 1000;
const fileInfos = new Map<string, FileInfo>();

async function lookupFile(fileId: string, runtime: ConsumerRuntime, fresh: boolean): Promise<FileInfo & { cached: boolean }> {
  const telegram = runtime.telegram!;
  const key = `${telegram.token.split(':')[0]}:${fileId}`;
  const known = fileInfos.get(key);
  if (known && !fresh && known.until > Date.now()) return { ...known, cached: true };
  let file;
  try {
    file = await telegram.api.getFile(fileId);
  } catch (error) {
    fileInfos.delete(key);
    throw telegramFileError(error);
  }
  if (!file.file_path) throw new AppError('telegram.file_gone', 'Telegram has no download path for this file.');
  const info = { path: file.file_path, size: file.file_size ?? null, until: Date.now() + FILE_INFO_TTL_MS };
  fileInfos.delete(key);
  fileInfos.set(key, info);
  if (fileInfos.size > FILE_INFO_MAX) fileInfos.delete(fileInfos.keys().next().value!);
  return { ...info, cached: false };
}

function telegramFileError(error: unknown): AppError {
  if (isFileGone(error)) return new AppError('telegram.file_gone', 'Telegram no longer serves this file.');
  if (error instanceof GrammyError && error.error_code === 429) {
    const retryAfter = String(error.parameters.retry_after ?? 5);
    return new AppError('telegram.rate_limited', 'Telegram asks to slow down; try again shortly.', { headers: { 'Retry-After': retryAfter } });
  }
  if (error instanceof GrammyError) return new AppError('telegram.unavailable', `Telegram answered ${error.error_code} to getFile.`);
  return new AppError('telegram.unavailable', 'Telegram could not be reached.', { cause: error });
}

async function serveFile(fileId: string, request: Request, runtime: ConsumerRuntime): Promise<Response> {
  if (!runtime.telegram) throw new AppError('telegram.disabled', 'The Telegram cache is off: no bot token is configured.');
  let info = await lookupFile(fileId, runtime, false);
  const rangeHeader = request.headers.get('Range');
  if (info.size === null) return passThrough(info, rangeHeader, request.method, runtime);

  const { start, end, length, status: statusCode, headers } = planRange(rangeHeader, info.size, 'file');
  headers.set('Content-Type', 'application/octet-stream');
  if (request.method === 'HEAD' || length === 0) return new Response(null, { status: statusCode, headers });

  let upstream = await download(info, `bytes=${start}-${end}`, runtime);
  // A remembered path may have outlived its link: ask getFile once more before calling the file gone.
  if ((upstream.status === 404 || upstream.status === 410) && info.cached) {
    info = await lookupFile(fileId, runtime, true);
    upstream = await download(info, `bytes=${start}-${end}`, runtime);
  }
  const type = upstream.headers.get('content-type');
  if (type && !type.startsWith('application/json')) headers.set('Content-Type', type);
  if (upstream.status === 206) {
    if (!upstream.headers.get('content-range')?.startsWith(`bytes ${start}-${end}/`)) {
      await upstream.body?.cancel();
      throw new AppError('telegram.unavailable', 'Telegram answered a different range than asked.');
    }
    return new Response(withLength(upstream.body!, length), { status: statusCode, headers });
  }
  // Telegram may answer a ranged read with the whole file: the slice is cut here, and keeps its length.
  if (upstream.status === 200) return new Response(withLength(slice(upstream.body!, start, length), length), { status: statusCode, headers });
  await upstream.body?.cancel();
  if (upstream.status === 404 || upstream.status === 410) throw new AppError('telegram.file_gone', 'Telegram no longer serves this file.');
  throw new AppError('telegram.unavailable', `Telegram's file download answered HTTP ${upstream.status}.`);
}

function download(info: FileInfo, range: string, runtime: ConsumerRuntime): Promise<Response> {
  const url = fileDownloadUrl(runtime.config, runtime.telegram!.token, info.path);
  // Read at the client's pace (a player in real time): the timeout bounds Telegram's answer, not the body.
  return runtime.outbound(url, { label: 'telegram.file', headers: { Range: range }, streamsBody: true });
}

/** Without a known size, the client's Range goes upstream as is and the answer comes back as is. */
async function passThrough(info: FileInfo, rangeHeader: string | null, method: string, runtime: ConsumerRuntime): Promise<Response> {
  const url = fileDownloadUrl(runtime.config, runtime.telegram!.token, info.path);
  const upstream = await runtime.outbound(url, { method, label: 'telegram.file', headers: forwardedRange(rangeHeader), streamsBody: true });
  if (upstream.status === 404 || upstream.status === 410) throw new AppError('telegram.file_gone', 'Telegram no longer serves this file.');
  if (upstream.status === 416) throw new AppError('stream.range_not_satisfiable', 'The range is outside this file.');
  if (!upstream.ok) throw new AppError('telegram.unavailable', `Telegram's file download answered HTTP ${upstream.status}.`);
  return passThroughResponse(upstream, method, upstream.headers.get('content-type') ?? 'application/octet-stream');
}

/** Bytes [start, start + length) of a body that ignored the Range header. */
function slice(body: ReadableStream<Uint8Array>, start: number, length: number): ReadableStream<Uint8Array> {
  let skipped = 0;
  let sent = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        let piece = chunk;
        if (skipped < start) {
          const skip = Math.min(start - skipped, piece.byteLength);
          skipped += skip;
          piece = piece.subarray(skip);
        }
        if (piece.byteLength === 0 || sent >= length) return;
        const take = piece.subarray(0, length - sent);
        sent += take.byteLength;
        controller.enqueue(take);
        if (sent >= length) controller.terminate();
      },
    }),
  );
}
