// The admin API client: one place that adds the key, reads the error envelope
// and turns every failure (HTTP, store down, network, CORS) into an ApiError
// with a sentence an operator can act on.
import { apiBase } from './config';
import { adminKey } from './session';
import type {
  CachePage, CreateKeyBody, DeepHealth, EndpointStat, Granularity, KeyDetail, KeyView, LogEntry, LogFilter,
  Overview, Paged, Timeseries, TopKey, UpdateKeyBody, ClientTableView } from './types';

export type ApiErrorKind = 'auth' | 'unavailable' | 'network' | 'not_found' | 'http';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | undefined | null>;

/** Called when the API rejects the admin key; main.ts sends the operator back to sign-in. */
let onAuthFailure: (error: ApiError) => void = () => {};
export function setAuthFailureHandler(handler: (error: ApiError) => void): void {
  onAuthFailure = handler;
}

async function request<T>(method: string, path: string, options: { query?: Query; body?: unknown; key?: string } = {}): Promise<T> {
  const base = apiBase();
  if (!base) throw new ApiError('No API address is configured. Enter it on the sign-in form.', 'network', 0, 'config.missing');
  const url = new URL(base + path);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { 'X-API-Key': options.key ?? adminKey() ?? '' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch {
    // The browser hides the reason (refused, DNS, CORS); name the likely ones.
    throw new ApiError(
      `Cannot reach the API at ${base}. Check that it is running and that its DASHBOARD_ORIGIN setting allows ${location.origin}.`,
      'network', 0, 'network',
    );
  }
  const payload = await readJson(response);
  if (response.ok) return payload as T;

  const error = toApiError(response.status, payload);
  if (error.kind === 'auth' && options.key === undefined) onAuthFailure(error);
  throw error;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toApiError(status: number, payload: unknown): ApiError {
  const envelope = (payload as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof envelope?.code === 'string' ? envelope.code : `http.${status}`;
  const detail = typeof envelope?.message === 'string' ? envelope.message : '';
  if (status === 401 || (status === 403 && code.startsWith('key.'))) {
    return new ApiError(authMessage(code, detail), 'auth', status, code);
  }
  if (status === 503) {
    return new ApiError(`The API's data store is unavailable right now${detail ? ` (${detail.replace(/\.$/, '')})` : ''}. Try again in a moment.`, 'unavailable', status, code);
  }
  if (status === 404) return new ApiError(detail || 'Not found.', 'not_found', status, code);
  return new ApiError(detail ? `${detail} (${code})` : `The API answered ${status} (${code}).`, 'http', status, code);
}

function authMessage(code: string, detail: string): string {
  switch (code) {
    case 'key.expired': return 'Your admin key has expired. Sign in with a valid admin key.';
    case 'key.revoked': return 'Your admin key was deactivated. Sign in with another admin key.';
    case 'key.forbidden': return 'This key is not an admin key. Sign in with an admin-tier key or ADMIN_API_KEY.';
    case 'key.missing': return 'Sign in with an admin key.';
    default: return detail ? `The API rejected the admin key: ${detail}` : 'The API rejected the admin key.';
  }
}

export const api = {
  /** Checks a key before it is stored: any admin route will do; this one is cheap. */
  verifyKey: (key: string) => request<Paged<KeyView>>('GET', '/admin/keys', { query: { page: 1, page_size: 1 }, key }),

  listKeys: (query: { page: number; page_size: number; search?: string; status?: string }) =>
    request<Paged<KeyView>>('GET', '/admin/keys', { query }),
  getKey: (id: string) => request<KeyDetail>('GET', `/admin/keys/${encodeURIComponent(id)}`),
  createKey: (body: CreateKeyBody) => request<{ key: string; record: KeyView }>('POST', '/admin/keys', { body }),
  updateKey: (id: string, body: UpdateKeyBody) => request<KeyView>('PATCH', `/admin/keys/${encodeURIComponent(id)}`, { body }),
  deleteKey: (id: string) => request<{ deleted: boolean }>('DELETE', `/admin/keys/${encodeURIComponent(id)}`),

  overview: () => request<Overview>('GET', '/admin/stats/overview'),
  timeseries: (granularity: Granularity, from: Date, to: Date) =>
    request<Timeseries>('GET', '/admin/stats/timeseries', { query: { granularity, from: from.toISOString(), to: to.toISOString() } }),
  endpoints: (from: Date, to: Date) =>
    request<{ items: EndpointStat[] }>('GET', '/admin/stats/endpoints', { query: { from: from.toISOString(), to: to.toISOString() } }),
  topKeys: (from: Date, to: Date, limit = 10) =>
    request<{ items: TopKey[] }>('GET', '/admin/stats/top-keys', { query: { from: from.toISOString(), to: to.toISOString(), limit } }),

  logs: (page: number, pageSize: number, filter: LogFilter) =>
    request<Paged<LogEntry>>('GET', '/admin/logs', { query: { page, page_size: pageSize, ...filter } }),
  cache: (page: number, pageSize: number, status?: string) =>
    request<CachePage>('GET', '/admin/cache', { query: { page, page_size: pageSize, status } }),

  deepHealth: () => request<DeepHealth>('GET', '/health', { query: { deep: 'true' } }),
  youtubeClients: () => request<ClientTableView>('GET', '/admin/youtube/clients'),
};
