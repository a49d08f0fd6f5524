// The OpenAPI document of the API Worker, generated in Node from the same routes the Worker
// serves at /openapi.json (the dashboard's API reference page is built from it).
import { generateSpecs } from 'hono-openapi';

// The Worker's modules are typed against workers-types (tsconfig.json checks them); this Node
// tool only needs the app's route table, so it loads them by a specifier tsc does not follow.
interface RoutedApp {
  routes: { method: string; path: string }[];
}
const APP_MODULE = '../workers/api/src/app';
const OPENAPI_MODULE = '../workers/api/src/routes/openapi';

async function createApp(): Promise<RoutedApp> {
  const { createApp } = (await import(APP_MODULE)) as { createApp(): RoutedApp };
  return createApp();
}

export async function openApiDocument() {
  const { OPENAPI_OPTIONS } = (await import(OPENAPI_MODULE)) as { OPENAPI_OPTIONS: Parameters<typeof generateSpecs>[1] };
  return generateSpecs((await createApp()) as never, OPENAPI_OPTIONS);
}

/** `METHOD /path/{param}` of every route the app serves (Hono's `:param` in OpenAPI's form). */
export async function servedOperations(): Promise<string[]> {
  const operations = (await createApp()).routes.filter((route) => route.method !== 'ALL')
    .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:([A-Za-z0-9_]+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, '{$1}')}`);
  return [...new Set(operations)].sort();
}
