// The OpenAPI document of the API Worker, generated in Node from the same routes the Worker
// serves at /openapi.json (the dashboard's API reference page is built from it).
import { generateSpecs } from 'hono-openapi';
import { createApp } from '../workers/api/src/app';
import { OPENAPI_OPTIONS } from '../workers/api/src/routes/openapi';

export function openApiDocument() {
  return generateSpecs(createApp() as never, OPENAPI_OPTIONS);
}

/** `METHOD /path/{param}` of every route the app serves (Hono's `:param` in OpenAPI's form). */
export function servedOperations(): string[] {
  const operations = createApp()
    .routes.filter((route) => route.method !== 'ALL')
    .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:([A-Za-z0-9_]+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, '{$1}')}`);
  return [...new Set(operations)].sort();
}
