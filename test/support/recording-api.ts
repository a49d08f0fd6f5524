import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../workers/api/src/app';
import type { LogMessage } from '../../workers/api/src/logging/request-log-message';

/**
 * The API Worker with its LOG_QUEUE recorded, to see every request-log record
 * it ships. Each call comes from a random client IP, so the per-IP limiter
 * never answers for it.
 */
export function recordingApi(extraEnv: Record<string, unknown> = {}) {
  const shipped: LogMessage[] = [];
  const apiEnv = { ...env, LOG_QUEUE: { send: async (body: { records: LogMessage[] }) => void shipped.push(...body.records) }, ...extraEnv };
  const app = createApp();
  const call = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', `10.77.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`);
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(`http://api.test${path}`, { ...init, headers }), apiEnv, ctx);
    const body = await response.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { shipped, call };
}
