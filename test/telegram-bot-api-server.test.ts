import { describe, expect, it } from 'vitest';
import { telegram } from './support/telegram-cache';

/**
 * The test Bot API server must refuse what Telegram refuses, or the consumer's
 * tests would prove nothing: checked here against its own answers.
 */
const MiB = 1024 * 1024;

async function call(server: string, token: string, method: string, body?: FormData | Record<string, unknown>) {
  const init: RequestInit =
    body instanceof FormData
      ? { method: 'POST', body }
      : body
        ? { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
        : {};
  const response = await fetch(`${server}/bot${token}/${method}`, init);
  return { status: response.status, body: await response.json<any>() };
}

function audioForm(chatId: string, size: number, extra: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.set('chat_id', chatId);
  for (const [name, value] of Object.entries(extra)) form.set(name, value);
  form.set('audio', new File([new Uint8Array(size).fill(7)], 'song.m4a'));
  return form;
}

describe('test Telegram Bot API server', () => {
  it('answers an unknown token with 401 Unauthorized', async () => {
    const answer = await call(telegram.official, '123:not-registered', 'getMe');
    expect(answer).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
  });

  it('takes sendAudio as multipart and answers a Message with the audio', async () => {
    const token = await telegram.newBot();
    const answer = await call(telegram.official, token, 'sendAudio', audioForm('@ytmusiccache', 1000, { title: 'T', performer: 'P', duration: '9' }));
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(true);
    expect(answer.body.result).toMatchObject({
      chat: { id: -1001000000001, type: 'channel', username: 'ytmusiccache' },
      audio: { duration: 9, title: 'T', performer: 'P', mime_type: 'audio/mp4', file_size: 1000 },
    });
  });

  it('refuses what Telegram refuses: unknown chat, no file, a bad duration', async () => {
    const token = await telegram.newBot();
    expect((await call(telegram.official, token, 'sendAudio', audioForm('@nosuchchannel', 10))).body).toMatchObject({
      error_code: 400,
      description: 'Bad Request: chat not found',
    });
    expect((await call(telegram.official, token, 'sendAudio', { chat_id: '@ytmusiccache' })).body.description).toBe('Bad Request: there is no audio in the request');
    expect((await call(telegram.official, token, 'sendAudio', audioForm('@ytmusiccache', 10, { duration: 'long' }))).status).toBe(400);
  });

  it('holds the 50 MB upload and 20 MB getFile limits, and a local server lifts both', async () => {
    const token = await telegram.newBot();
    expect((await call(telegram.official, token, 'sendAudio', audioForm('@ytmusiccache', 50 * MiB + 1))).body).toMatchObject({
      error_code: 413,
      description: 'Request Entity Too Large',
    });
    const sent = await call(telegram.official, token, 'sendAudio', audioForm('@ytmusiccache', 20 * MiB + 1));
    const fileId = sent.body.result.audio.file_id;
    expect((await call(telegram.official, token, 'getFile', { file_id: fileId })).body.description).toBe('Bad Request: file is too big');

    const localToken = await telegram.newBot(telegram.local);
    const big = await call(telegram.local, localToken, 'sendAudio', audioForm('@ytmusiccache', 50 * MiB + 1));
    expect(big.status).toBe(200);
    const file = await call(telegram.local, localToken, 'getFile', { file_id: big.body.result.audio.file_id });
    expect(file.body.result).toMatchObject({ file_size: 50 * MiB + 1 });
    expect(file.body.result.file_path).toMatch(/^\/var\/lib\/telegram-bot-api\//);
  });

  it('serves a file with Range, and forgets it like a deleted message', async () => {
    const token = await telegram.newBot();
    const sent = await call(telegram.official, token, 'sendAudio', audioForm('@ytmusiccache', 5000));
    const fileId = sent.body.result.audio.file_id;
    const { body } = await call(telegram.official, token, 'getFile', { file_id: fileId });
    const url = `${telegram.official}/file/bot${token}/${body.result.file_path}`;
    const part = await fetch(url, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe('bytes 10-19/5000');
    expect((await part.arrayBuffer()).byteLength).toBe(10);
    expect((await fetch(url, { headers: { Range: 'bytes=5000-' } })).status).toBe(416);
    await telegram.forget(fileId);
    expect((await call(telegram.official, token, 'getFile', { file_id: fileId })).body.description).toMatch(/wrong file_id/);
    expect((await fetch(url)).status).toBe(404);
  });

  it('injects a 429 with retry_after', async () => {
    const token = await telegram.newBot();
    await telegram.fault(token, { status: 429, retry_after: 12 });
    expect((await call(telegram.official, token, 'getMe')).body).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 12',
      parameters: { retry_after: 12 },
    });
    expect((await call(telegram.official, token, 'getMe')).status).toBe(200);
  });
});
