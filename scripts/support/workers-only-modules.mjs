// What the API Worker's module graph imports that only workerd provides: `cloudflare:workers`
// and compiled `.wasm` modules. Node-side tools that only read the routes (the OpenAPI document)
// load the graph with these stand-ins; nothing they stand in for runs there.
export const CLOUDFLARE_WORKERS_STUB =
  'export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }\n' +
  'export class WorkerEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }\n' +
  'export const env = {};\n';
export const WASM_STUB = 'export default null;\n';

/** Node module hooks (module.register) for scripts run with tsx. */
export async function resolve(specifier, context, next) {
  if (specifier === 'cloudflare:workers') {
    return { url: `data:text/javascript,${encodeURIComponent(CLOUDFLARE_WORKERS_STUB)}`, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.endsWith('.wasm')) return { format: 'module', source: WASM_STUB, shortCircuit: true };
  return next(url, context);
}

/** The same as a Vite plugin, for vitest's Node projects. */
export function workersOnlyModules() {
  return {
    name: 'workers-only-modules',
    enforce: 'pre',
    resolveId(id) {
      return id === 'cloudflare:workers' ? '\0cloudflare-workers-stub' : null;
    },
    load(id) {
      if (id === '\0cloudflare-workers-stub') return CLOUDFLARE_WORKERS_STUB;
      if (id.endsWith('.wasm')) return WASM_STUB;
      return null;
    },
  };
}
