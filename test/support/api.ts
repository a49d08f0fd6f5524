import { env, exports } from 'cloudflare:workers';
import { MetadataCache } from '../../workers/core/src/youtube/metadata-cache';

export const TEST_ADMIN_KEY = (env as unknown as { ADMIN_API_KEY: string }).ADMIN_API_KEY;

/**
 * Calls the API Worker under test, as a client would. Unless the test sends
 * its own key (or `X-API-Key: none`), the call carries the bootstrap admin key.
 */
export function api(path: string, init: RequestInit = {}): Promise<Response> {
  const worker = (exports as unknown as { default: Fetcher }).default;
  const headers = new Headers(init.headers);
  if (!headers.has('X-API-Key') && !headers.has('Authorization') && !/[?&]api(_key)?=/.test(path)) headers.set('X-API-Key', TEST_ADMIN_KEY);
  if (headers.get('X-API-Key') === 'none') headers.delete('X-API-Key');
  // A fresh client address per call keeps the per-IP limit out of tests that are not about it.
  if (!headers.has('CF-Connecting-IP')) headers.set('CF-Connecting-IP', `10.${rand()}.${rand()}.${rand()}`);
  return worker.fetch(new Request(`http://api.test${path}`, { ...init, headers }));
}

export async function apiJson<T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await api(path, init);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** Steers the test YouTube upstream (test/servers/youtube-upstream.ts). */
export const upstream = {
  async control(path: string, body?: unknown): Promise<any> {
    const base = (env as unknown as { TEST_UPSTREAM: string }).TEST_UPSTREAM;
    const response = await fetch(`${base}/__control/${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) });
    return response.json();
  },
  calls(): Promise<Array<{ host: string; path: string; videoId?: string; client?: string; query?: string; range?: string; bytes?: number; clen?: number; sig?: string; n?: string; via?: string; sts?: number; poToken?: 'valid' | 'invalid'; refused?: string; visitorData?: string; userAgent?: string; signedIn?: boolean; clientVersion?: string }>> {
    return this.control('calls');
  },
  scenario(videoId: string, mode: string, client?: string) {
    return this.control('scenario', { videoId, mode, client });
  },
  /** The googlevideo format of this content length answers 403 the next `times` requests. */
  expireStream(contentLength: number, times = 1) {
    return this.control('expire-stream', { clen: contentLength, times });
  },
  /** googlevideo sends this (aliased) video's media at `bytesPerSecond`, a slow media host. */
  pace(videoId: string, bytesPerSecond: number) {
    return this.control('pace', { videoId, bytesPerSecond });
  },
  /** googlevideo refuses (403) every URL this client mints for this video, however well formed. */
  refuseClient(videoId: string, client: string) {
    return this.control('refuse-client', { videoId, client });
  },
  /**
   * googlevideo refuses (403) this client's HLS stream of this video from `step` on: its manifest,
   * variant playlists, every segment, or only the segments after the first (bytes already went out).
   */
  refuseClientHls(videoId: string, client: string, step: 'manifest' | 'variant' | 'segment' | 'later-segment') {
    return this.control('refuse-client-hls', { videoId, client, step });
  },
  /** A hostile answer for matching requests (test/servers/hostile-upstream.ts). */
  hostile(rule: { match: string; times?: number; redirect?: string; status?: number; contentType?: string; body?: string; playlistBytes?: number; stall?: boolean }) {
    return this.control('hostile', rule);
  },
  /** Paths under /__internal/ (an address inside the network) the upstream was asked for. */
  internalHits(): Promise<string[]> {
    return this.control('internal-hits');
  },
  /** The upstream itself, as an address inside the network: `${internalUrl}/__internal/…`. */
  get internalUrl(): string {
    return (env as unknown as { TEST_UPSTREAM: string }).TEST_UPSTREAM;
  },
  /**
   * The player iframe_api names (a fixture in test/fixtures/youtube/player-js), whose values cipher
   * TV / WEB_EMBEDDED answers. A request with an earlier recorded player's signatureTimestamp is still
   * ciphered for that one, as YouTube does, unless `retireOthers`: then only this player's sts is valid.
   */
  player(playerId: string, options: { retireOthers?: boolean } = {}) {
    return this.control('player', { playerId, ...options });
  },
  /** Marks a video "made for kids": VISIONOS and ANDROID_VR refuse it, the other clients play it. */
  madeForKids(videoId: string) {
    return this.control('made-for-kids', { videoId });
  },
  /**
   * Serves a script without signature / n functions as player `playerId` (a structural change of the
   * player the extraction cannot read); with `current`, iframe_api names it until the next player().
   */
  brokenPlayer(playerId: string, options: { current?: boolean } = {}) {
    return this.control('broken-player', { playerId, ...options });
  },
  /** Serves the recording of `recordedId` under the test's own `videoId`. */
  alias(videoId: string, recordedId: string) {
    return this.control('alias', { videoId, recordedId });
  },
};

export async function forgetVideo(videoId: string): Promise<void> {
  await new MetadataCache(60).forgetVideo(videoId);
}

/** Creates a key through the admin API and returns the key and its record. */
export async function createKey(body: Record<string, unknown> = {}): Promise<{ key: string; record: any }> {
  const response = await api('/admin/keys', {
    method: 'POST',
    headers: { 'X-API-Key': TEST_ADMIN_KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'bot owner', tier: 'user', ...body }),
  });
  if (response.status !== 201) throw new Error(`createKey: ${response.status} ${await response.text()}`);
  return response.json();
}

export function withKey(key: string, init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('X-API-Key', key);
  return { ...init, headers };
}

function rand(): number {
  return Math.floor(Math.random() * 256);
}

/**
 * The local Rate Limiting emulation counts in windows aligned to the wall
 * clock (one a minute here). A test that needs N requests inside one window
 * starts them in a fresh window when fewer than `budgetMs` of this one are left.
 */
export async function inOneRateWindow(budgetMs: number, periodMs = 60_000): Promise<void> {
  const left = periodMs - (Date.now() % periodMs);
  if (left < budgetMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

