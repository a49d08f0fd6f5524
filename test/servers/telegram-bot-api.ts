import { buffer } from 'node:stream/consumers';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundaryOf, MultipartError, parseMultipart, type FormPart } from './multipart';

/**
 * A test stand-in for the Telegram Bot API, as strict as the real one:
 * `/bot<token>/<method>` with query, JSON, urlencoded or multipart parameters,
 * `{ok, result}` / `{ok:false, error_code, description[, parameters]}` answers,
 * 401 for an unknown token, sendAudio / sendVideo / sendDocument taking an
 * uploaded part (directly or as `attach://<name>`), getChat, getFile, and
 * `/file/bot<token>/<file_path>` downloads with Range. Telegram's limits
 * (uploads ≤ 50 MB → 413, getFile ≤ 20 MB → 400 "file is too big") hold
 * unless started in local-server mode, which also answers absolute file paths.
 *
 * Control (no token): POST /__control/bot {token} registers a bot;
 * /__control/fault {token, status: 429|500|400|403, times?, retry_after?,
 * method?, description?}; /__control/forget {file_id} (a deleted message);
 * GET /__control/calls?token= (the call log, tokens left out);
 * /__control/pace {token, bytesPerSecond} (that bot's downloads sent that slowly; 0 = at once);
 * GET /__control/file?file_id= (the stored bytes);
 * GET /__control/post?channel=<username>&message_id= (a public channel's post, as a user
 * client such as Pyrogram reads it from a t.me link: the file's bytes, or 404).
 */
const MiB = 1024 * 1024;
export const UPLOAD_LIMIT = 50 * MiB;
export const DOWNLOAD_LIMIT = 20 * MiB;
const MEDIA_FIELD: Record<string, string> = { sendAudio: 'audio', sendVideo: 'video', sendDocument: 'document' };
const FOLDER: Record<string, string> = { audio: 'music', video: 'videos', document: 'documents' };
const MIME: Record<string, string> = { m4a: 'audio/mp4', mp3: 'audio/mpeg', ogg: 'audio/ogg', webm: 'video/webm', mp4: 'video/mp4', ts: 'video/mp2t' };

interface Chat { id: number; type: 'channel'; title: string; username?: string; member: boolean }
interface StoredFile { file_id: string; file_unique_id: string; bytes: Buffer; file_path: string; bot: number; mime_type: string; file_name: string }
interface Fault { status: number; remaining: number; retry_after?: number; method?: string; description?: string }
export interface TelegramCall {
  bot: number | null;
  method: string;
  status: number;
  contentType: string;
  fields: Record<string, string>;
  files: Record<string, { filename: string | null; size: number; contentType: string | null }>;
}

class BotApiError extends Error {
  constructor(readonly status: number, readonly description: string, readonly parameters?: Record<string, unknown>) {
    super(description);
  }
}

export async function startTelegramBotApi(options: { local?: boolean } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const local = options.local ?? false;
  const bots = new Map<string, number>();
  const chats = new Map<string, Chat>();
  const addChat = (chat: Chat) => {
    chats.set(String(chat.id), chat);
    if (chat.username) chats.set(`@${chat.username}`.toLowerCase(), chat);
  };
  addChat({ id: -1001000000001, type: 'channel', title: 'YT music cache', username: 'ytmusiccache', member: true });
  addChat({ id: -1001000000002, type: 'channel', title: 'Private cache', member: true });
  addChat({ id: -1001000000003, type: 'channel', title: 'Not ours', username: 'notourchannel', member: false });
  const files = new Map<string, StoredFile>();
  const faults = new Map<number, Fault[]>();
  // Bots whose file downloads answer every Range with the whole file (200), as some file servers do.
  const wholeFileBots = new Set<number>();
  // bot → bytes a second its file downloads are sent at: a slow file host
  const pacedBots = new Map<number, number>();
  const calls: TelegramCall[] = [];
  const messageIds = new Map<number, number>();
  // `<chat id>:<message id>` → the file the post carries
  const posts = new Map<string, string>();
  let counter = 0;

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://telegram.test');
      const body = await buffer(req);
      if (url.pathname.startsWith('/__control/')) return control(url, body, res);
      if (url.pathname.startsWith('/file/bot')) return download(req, url, res);
      const match = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
      if (!match) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return call(req, url, body, decodeURIComponent(match[1]!), match[2]!, res);
    } catch (error) {
      json(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
    }
  });

  function call(req: IncomingMessage, url: URL, body: Buffer, token: string, method: string, res: ServerResponse) {
    const record: TelegramCall = { bot: bots.get(token) ?? null, method, status: 200, contentType: req.headers['content-type'] ?? '', fields: {}, files: {} };
    calls.push(record);
    const answer = (status: number, value: unknown) => {
      record.status = status;
      json(res, status, value);
    };
    try {
      if (record.bot === null) throw new BotApiError(401, 'Unauthorized');
      const parts = readParameters(req, url, body);
      for (const part of parts) {
        if (part.filename !== undefined || part.data.length > 4096) {
          record.files[part.name] = { filename: part.filename ?? null, size: part.data.length, contentType: part.contentType ?? null };
        } else record.fields[part.name] = part.data.toString('utf8');
      }
      takeFault(record.bot, method);
      answer(200, { ok: true, result: run(record.bot, token, method, record.fields, parts) });
    } catch (error) {
      if (!(error instanceof BotApiError)) throw error;
      answer(error.status, { ok: false, error_code: error.status, description: error.description, ...(error.parameters ? { parameters: error.parameters } : {}) });
    }
  }

  function takeFault(bot: number, method: string) {
    const fault = (faults.get(bot) ?? []).find((candidate) => candidate.remaining > 0 && (!candidate.method || candidate.method === method));
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.status === 429) throw new BotApiError(429, `Too Many Requests: retry after ${fault.retry_after ?? 3}`, { retry_after: fault.retry_after ?? 3 });
    const defaults: Record<number, string> = { 400: 'Bad Request: injected', 403: 'Forbidden: injected', 500: 'Internal Server Error' };
    throw new BotApiError(fault.status, fault.description ?? defaults[fault.status] ?? 'Injected');
  }

  function run(bot: number, token: string, method: string, fields: Record<string, string>, parts: FormPart[]): unknown {
    if (method === 'getMe') return { id: bot, is_bot: true, first_name: 'Cache bot', username: `cache${bot}_bot` };
    if (method === 'getFile') return getFile(bot, token, fields.file_id);
    if (method === 'getChat') {
      const chat = chats.get((fields.chat_id ?? '').toLowerCase());
      if (!chat || !chat.member) throw new BotApiError(400, 'Bad Request: chat not found');
      const { member: _member, ...view } = chat;
      return view;
    }
    const kind = MEDIA_FIELD[method];
    if (!kind) throw new BotApiError(404, 'Not Found');
    if (!fields.chat_id) throw new BotApiError(400, 'Bad Request: chat_id is empty');
    const chat = chats.get(fields.chat_id.toLowerCase());
    if (!chat) throw new BotApiError(400, 'Bad Request: chat not found');
    if (!chat.member) throw new BotApiError(403, 'Forbidden: bot is not a member of the channel chat');
    const media = attachment(fields[kind], parts, kind);
    if (!media) throw new BotApiError(400, `Bad Request: there is no ${kind} in the request`);
    if (media.data.length === 0) throw new BotApiError(400, 'Bad Request: file must be non-empty');
    if (!local && media.data.length > UPLOAD_LIMIT) throw new BotApiError(413, 'Request Entity Too Large');
    if (fields.thumbnail !== undefined && !attachment(fields.thumbnail, parts, 'thumbnail')) throw new BotApiError(400, 'Bad Request: wrong thumbnail');
    if ((fields.caption ?? '').length > 1024) throw new BotApiError(400, 'Bad Request: message caption is too long');
    for (const name of ['duration', 'width', 'height']) {
      if (fields[name] !== undefined && !/^\d+$/.test(fields[name]!)) throw new BotApiError(400, `Bad Request: invalid ${name} specified`);
    }
    const extension = /\.([a-z0-9]+)$/i.exec(media.filename ?? '')?.[1]?.toLowerCase() ?? 'dat';
    counter += 1;
    const relative = `${FOLDER[kind]}/file_${counter}.${extension}`;
    const file: StoredFile = {
      file_id: `CQACAgIAAxkBAAI${randomBytes(24).toString('base64url')}`,
      file_unique_id: `AgAD${randomBytes(8).toString('base64url')}`,
      bytes: Buffer.from(media.data),
      file_path: local ? `/var/lib/telegram-bot-api/${token}/${relative}` : relative,
      bot,
      mime_type: MIME[extension] ?? 'application/octet-stream',
      file_name: media.filename ?? `${kind}.${extension}`,
    };
    files.set(file.file_id, file);
    const messageId = (messageIds.get(chat.id) ?? 0) + 1;
    messageIds.set(chat.id, messageId);
    posts.set(`${chat.id}:${messageId}`, file.file_id);
    const described = { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length, mime_type: file.mime_type, file_name: file.file_name };
    const duration = fields.duration ? Number(fields.duration) : 0;
    const { member: _member, ...chatView } = chat;
    return {
      message_id: messageId,
      sender_chat: chatView,
      chat: chatView,
      date: Math.floor(Date.now() / 1000),
      ...(fields.caption ? { caption: fields.caption } : {}),
      [kind]:
        kind === 'audio'
          ? { ...described, duration, ...(fields.title ? { title: fields.title } : {}), ...(fields.performer ? { performer: fields.performer } : {}) }
          : kind === 'video'
            ? { ...described, duration, width: Number(fields.width ?? 640), height: Number(fields.height ?? 360) }
            : described,
    };
  }

  function attachment(value: string | undefined, parts: FormPart[], field: string): FormPart | undefined {
    const direct = parts.find((part) => part.name === field && part.filename !== undefined);
    if (direct) return direct;
    if (value?.startsWith('attach://')) {
      const part = parts.find((candidate) => candidate.name === value.slice('attach://'.length));
      if (!part) throw new BotApiError(400, `Bad Request: wrong HTTP URL specified`);
      return part;
    }
    if (value && files.has(value)) return { name: field, filename: files.get(value)!.file_name, data: files.get(value)!.bytes };
    if (value) throw new BotApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
    return undefined;
  }

  function getFile(bot: number, _token: string, fileId: string | undefined) {
    if (!fileId) throw new BotApiError(400, 'Bad Request: file_id is empty');
    const file = files.get(fileId);
    if (!file || file.bot !== bot) throw new BotApiError(400, 'Bad Request: wrong file_id or the file is temporarily unavailable');
    if (!local && file.bytes.length > DOWNLOAD_LIMIT) throw new BotApiError(400, 'Bad Request: file is too big');
    return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length, file_path: file.file_path };
  }

  function download(req: IncomingMessage, url: URL, res: ServerResponse) {
    const match = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    const bot = match ? bots.get(decodeURIComponent(match[1]!)) : undefined;
    const record: TelegramCall = { bot: bot ?? null, method: 'file', status: 200, contentType: '', fields: { range: req.headers.range ?? '' }, files: {} };
    calls.push(record);
    const fail = (status: number, description: string) => {
      record.status = status;
      json(res, status, { ok: false, error_code: status, description });
    };
    if (bot === undefined) return fail(401, 'Unauthorized');
    try {
      takeFault(bot, 'file');
    } catch (error) {
      return fail((error as BotApiError).status, (error as BotApiError).description);
    }
    const path = decodeURIComponent(match![2]!).replace(/^\/+/, '');
    const file = [...files.values()].find((candidate) => candidate.bot === bot && candidate.file_path.replace(/^\/+/, '') === path);
    if (!file) return fail(404, 'Not Found');
    const size = file.bytes.length;
    let start = 0;
    let end = size - 1;
    const range = wholeFileBots.has(bot) ? null : /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        record.status = 416;
        return res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      }
    }
    record.status = range ? 206 : 200;
    res.writeHead(record.status, {
      'content-type': 'application/octet-stream',
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    const bytes = file.bytes.subarray(start, end + 1);
    const pace = pacedBots.get(bot);
    if (req.method === 'HEAD' || !pace) return void res.end(req.method === 'HEAD' ? undefined : bytes);
    // A tenth of a second's worth at a time.
    const piece = Math.max(1, Math.floor(pace / 10));
    const send = (from: number) => {
      if (from >= bytes.length) return void res.end();
      res.write(bytes.subarray(from, from + piece));
      setTimeout(() => send(from + piece), 100);
    };
    send(0);
  }

  function control(url: URL, body: Buffer, res: ServerResponse) {
    const input = body.length ? JSON.parse(body.toString()) : {};
    const path = url.pathname.slice('/__control/'.length);
    if (path === 'bot') {
      if (!bots.has(input.token)) bots.set(input.token, Number(String(input.token).split(':')[0]));
      return json(res, 200, { ok: true, id: bots.get(input.token) });
    }
    if (path === 'fault') {
      const bot = bots.get(input.token);
      if (bot === undefined) return json(res, 400, { error: 'unknown bot' });
      faults.set(bot, [...(faults.get(bot) ?? []), { status: input.status, remaining: input.times ?? 1, retry_after: input.retry_after, method: input.method, description: input.description }]);
      return json(res, 200, { ok: true });
    }
    if (path === 'whole-file') {
      const bot = bots.get(input.token);
      if (bot === undefined) return json(res, 400, { error: 'unknown bot' });
      if (input.on === false) wholeFileBots.delete(bot);
      else wholeFileBots.add(bot);
      return json(res, 200, { ok: true });
    }
    if (path === 'pace') {
      const bot = bots.get(input.token);
      if (bot === undefined) return json(res, 400, { error: 'unknown bot' });
      pacedBots.set(bot, Number(input.bytesPerSecond) || 0);
      return json(res, 200, { ok: true });
    }
    if (path === 'forget') return json(res, 200, { ok: files.delete(input.file_id) });
    if (path === 'calls') {
      const bot = bots.get(url.searchParams.get('token') ?? '');
      return json(res, 200, calls.filter((entry) => bot !== undefined && entry.bot === bot));
    }
    if (path === 'file') {
      const file = files.get(url.searchParams.get('file_id') ?? '');
      if (!file) return json(res, 404, { error: 'no such file' });
      return res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.length) }).end(file.bytes);
    }
    if (path === 'post') {
      // Only public channels are reachable by their name; a private one has none.
      const chat = chats.get(`@${url.searchParams.get('channel') ?? ''}`.toLowerCase());
      const file = chat?.username ? files.get(posts.get(`${chat.id}:${url.searchParams.get('message_id')}`) ?? '') : undefined;
      if (!file) return json(res, 404, { error: 'no such post' });
      return res
        .writeHead(200, { 'content-type': file.mime_type, 'content-length': String(file.bytes.length), 'x-file-name': file.file_name })
        .end(file.bytes);
    }
    return json(res, 404, { error: 'unknown control' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Bot API parameters from the query string and the body (JSON, urlencoded or multipart), as parts. */
function readParameters(req: IncomingMessage, url: URL, body: Buffer): FormPart[] {
  const parts: FormPart[] = [...url.searchParams].map(([name, value]) => ({ name, data: Buffer.from(value) }));
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (body.length === 0) return parts;
  if (type.startsWith('application/json')) {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BotApiError(400, "Bad Request: can't parse JSON object");
    }
    for (const [name, field] of Object.entries(value)) parts.push({ name, data: Buffer.from(typeof field === 'string' ? field : JSON.stringify(field)) });
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) parts.push({ name, data: Buffer.from(value) });
  } else if (type.startsWith('multipart/form-data')) {
    try {
      parts.push(...parseMultipart(body, boundaryOf(req.headers['content-type']!)));
    } catch (error) {
      if (error instanceof MultipartError) throw new BotApiError(400, `Bad Request: ${error.message}`);
      throw error;
    }
  } else throw new BotApiError(400, 'Bad Request: unsupported content type');
  return parts;
}


function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
