import type { Hono } from 'hono';
import { openAPIRouteHandler } from 'hono-openapi';
import { STATUS_BY_CODE } from '../../../core/src/errors';
import type { AppEnv } from '../env';

/**
 * `GET /openapi.json`: an OpenAPI 3.1 description generated from the routes themselves
 * (hono-openapi reads the zod schemas that `validate` applies and each route's
 * `describeRoute`), so it cannot drift from what the service checks.
 */
export const OPENAPI_OPTIONS = {
  documentation: {
    openapi: '3.1.0',
    info: {
      title: 'YouTube music API',
      version: '0.1.0',
      description:
        'Resolve a YouTube link, id or search to metadata and a playable stream link; the compatibility routes serve the music bots\' own API shapes. ' +
        `Errors are {"error":{"code","message"}} with a dotted code: ${Object.keys(STATUS_BY_CODE).join(', ')}.`,
    },
    components: {
      securitySchemes: {
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key from POST /admin/keys.' },
        bearer: { type: 'http', scheme: 'bearer', description: 'The same API key as a bearer token.' },
        apiKeyQuery: { type: 'apiKey', in: 'query', name: 'api_key', description: 'The key as ?api_key= (also ?api= and ?key=).' },
        adminKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'ADMIN_API_KEY or an admin-tier key (also Authorization: Bearer).' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(STATUS_BY_CODE) },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
  exclude: ['/openapi.json'],
} satisfies Parameters<typeof openAPIRouteHandler>[1];

export function openApiDocument(app: Hono<AppEnv>) {
  return openAPIRouteHandler(app, OPENAPI_OPTIONS);
}
