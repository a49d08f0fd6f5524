import { expect } from 'vitest';
import { api, apiJson, upstream, withKey } from './api';

/** The bytes `/stream/<token>` serves for this track (resolved with the admin key). */
export async function streamBytesOf(query: string, type: 'audio' | 'video' = 'audio'): Promise<{ bytes: Uint8Array; mime: string }> {
  const { body } = await apiJson(`/v1/resolve?query=${encodeURIComponent(query)}&type=${type}`);
  const response = await api(new URL(body.stream.url).pathname);
  expect(response.status).toBe(200);
  return { bytes: new Uint8Array(await response.arrayBuffer()), mime: body.stream.mime };
}

export function expectSameBytes(actual: Uint8Array, expected: Uint8Array) {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
}

/** How many requests the key has left today (this probe spends one of them). */
export async function remainingAfterProbe(key: string): Promise<number> {
  const response = await api('/v1/resolve?query=M4gD1WSo5mA', withKey(key));
  expect(response.status).toBe(200);
  return Number(response.headers.get('RateLimit-Remaining'));
}

/** Polling without waiting: the delays a client asked for are recorded, not slept. */
export function recordingSleep(): { sleep: (seconds: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { sleep: async (seconds) => void delays.push(seconds), delays };
}

/** Search text whose top result plays: the recorded search's first song is served as a recorded video. */
export async function playableSearch(text: string, type: 'audio' | 'video' = 'audio'): Promise<string> {
  const listed = await apiJson(`/v1/search?query=${encodeURIComponent(text)}&limit=1&type=${type}`);
  const id = listed.body.results[0].id as string;
  await upstream.alias(id, 'An8vtD1FDqs');
  return id;
}
