import { describeRoute, resolver } from 'hono-openapi';
import type { ZodType } from 'zod';
import { STATUS_BY_CODE, type ErrorCode } from '../../../core/src/errors';

/**
 * One route's entry in /openapi.json: what it does, who may call it, and the
 * dotted error codes it can answer with (grouped by their HTTP status).
 */
export type RouteAuth = 'key' | 'admin' | 'public' | 'link';

const SECURITY: Record<RouteAuth, Record<string, string[]>[]> = {
  key: [{ apiKeyHeader: [] }, { bearer: [] }, { apiKeyQuery: [] }],
  admin: [{ adminKey: [] }, { bearer: [] }],
  public: [],
  // A stream link is signed: it carries its key, so it needs no credential of its own.
  link: [],
};

const KEY_ERRORS: ErrorCode[] = ['key.missing', 'key.invalid', 'key.expired', 'key.revoked', 'quota.exceeded', 'rate.limited'];
const ADMIN_ERRORS: ErrorCode[] = ['key.missing', 'key.invalid', 'key.forbidden', 'rate.limited'];

export interface RouteDescription {
  summary: string;
  tag: 'resolve' | 'stream' | 'compat' | 'admin' | 'meta';
  auth: RouteAuth;
  description?: string;
  /** What a success answers, by status; `application/json` unless `media` says otherwise. */
  success?: { status?: number; description: string; media?: string };
  errors?: ErrorCode[];
  /** A JSON body the route parses itself (routes using `validate('json')` are described by it). */
  body?: ZodType;
}

export function describe(route: RouteDescription) {
  const errors = [...(route.auth === 'key' ? KEY_ERRORS : route.auth === 'admin' ? ADMIN_ERRORS : []), ...(route.errors ?? [])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errors) byStatus.set(STATUS_BY_CODE[code], [...(byStatus.get(STATUS_BY_CODE[code]) ?? []), code]);
  const success = route.success ?? { description: 'OK' };
  const responses: Record<string, { description: string; content: Record<string, object> }> = {
    [String(success.status ?? 200)]: { description: success.description, content: { [success.media ?? 'application/json']: {} } },
  };
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: codes.join(', '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return describeRoute({
    summary: route.summary,
    description: route.description,
    tags: [route.tag],
    security: SECURITY[route.auth],
    responses,
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: resolver(route.body) } } } } : {}),
  });
}
