import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../workers/api/src/app';
import { TEST_ADMIN_KEY } from './api';

/**
 * Calls the API Worker with some settings changed (YOUTUBE_CLIENTS, PO_TOKEN_PROVIDER_URL, …),
 * as an operator's deployment with those settings would answer.
 */
export function apiWith(settings: Record<string, string | undefined>) {
  const app = createApp();
  const changed = { ...env, ...settings };
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (!headers.has('X-API-Key')) headers.set('X-API-Key', TEST_ADMIN_KEY);
    if (!headers.has('CF-Connecting-IP')) headers.set('CF-Connecting-IP', `10.9.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`);
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`http://api.test${path}`, { ...init, headers }), changed, ctx);
    const body = await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return {
    call,
    async json<T = any>(path: string): Promise<{ status: number; body: T; text: string }> {
      const response = await call(path);
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text) as T, text };
    },
  };
}

export const TEST_PO_TOKEN_PROVIDER = (env as unknown as { TEST_PO_TOKEN_PROVIDER: string }).TEST_PO_TOKEN_PROVIDER;

/** Steers the test PO token provider (test/servers/po-token-provider.ts). */
export const poTokenProvider = {
  async control(path: string, body?: unknown): Promise<any> {
    return (await fetch(`${TEST_PO_TOKEN_PROVIDER}/__control/${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) })).json();
  },
  calls(): Promise<{ path: string; contentBinding?: string }[]> {
    return this.control('calls');
  },
  /** The token the provider mints for a video, asked as a client would. */
  async tokenFor(videoId: string): Promise<string> {
    const response = await fetch(`${TEST_PO_TOKEN_PROVIDER}/get_pot`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content_binding: videoId }) });
    return ((await response.json()) as { poToken: string }).poToken;
  },
};
