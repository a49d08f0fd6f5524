import { REDACTED, redactUrlPath } from '../../../core/src/logging/redact-url';

/**
 * The names requests are logged under: the route patterns the app serves
 * (`/stream/:token`, never the token), so the endpoint stats hold the app's
 * routes and nothing a client chose. A path no route serves is logged as
 * UNMATCHED_ENDPOINT, whatever it was. createApp registers its routes here.
 */
export const UNMATCHED_ENDPOINT = '(unmatched)';

interface Pattern {
  path: string;
  matcher: RegExp;
  /** The pattern with each parameter masked: what a refused request with a credential in the path logs. */
  masked: string;
}

let routePaths: string[] = [];
let patterns: Pattern[] | undefined;

/** Hono's path patterns (`/song/:id`, `/stream/:id{[A-Za-z0-9_-]{11}}`, `/download/:type{audio|video}`) as regular expressions. */
function patternOf(path: string): Pattern {
  const parts = path.split('/').map((part) => {
    if (part === '*') return '.*';
    const param = /^:[A-Za-z0-9_]+(?:\{(.+)\})?(\?)?$/.exec(part);
    if (param) return `(?:${param[1] ?? '[^/]+'})`;
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  const masked = path
    .split('/')
    .map((part) => (part.startsWith(':') ? REDACTED : part))
    .join('/');
  return { path, matcher: new RegExp(`^${parts.join('/')}/?$`), masked };
}

export function registerRoutes(routes: ReadonlyArray<{ path: string; method: string }>): void {
  routePaths = [...new Set(routes.filter((route) => route.method !== 'ALL' && !route.path.includes('*')).map((route) => route.path))];
  patterns = undefined;
}

// Built at first use, not in registerRoutes: createApp runs at startup, and turning every route
// into a pattern there cost each cold isolate milliseconds (issue 22) that only a request without
// a matched route, or the endpoint stats, ever needs.
function routePatterns(): Pattern[] {
  return (patterns ??= routePaths.map(patternOf));
}

/**
 * The endpoint of a request: its route's pattern, or for a request refused by a
 * middleware before its route ran, the pattern its path would have taken (its
 * path with the credential masked when that is all the parameter held).
 */
export function endpointOf(routePath: string | undefined, path: string): string {
  if (routePath && !routePath.includes('*')) return routePath;
  const pattern = routePatterns().find((candidate) => candidate.matcher.test(path));
  if (!pattern) return UNMATCHED_ENDPOINT;
  return redactUrlPath(path) === pattern.masked ? pattern.masked : pattern.path;
}

/** Whether a logged endpoint names something the app serves (the stats show only these). */
export function isAppEndpoint(endpoint: string): boolean {
  return endpoint === UNMATCHED_ENDPOINT || routePatterns().some((pattern) => pattern.path === endpoint || pattern.masked === endpoint);
}
