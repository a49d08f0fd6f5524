// The deploy's last step: the API answers /health, then a keyed /v1/resolve of
// a known video plays, then (when the key may read /health?deep=true) whether
// the Cache API keeps what it is given there: it must on a custom domain.
// Any failure fails the deploy.

const RETRIES = 5;

export async function smokeTest({ apiUrl, apiKey, videoId, customDomain, log = console.log, retryDelayMs = 3_000 }) {
  const base = apiUrl.replace(/\/+$/, '');
  // A fresh deploy can take a few seconds to answer everywhere.
  const health = await retry(() => getJson(`${base}/health`), retryDelayMs);
  if (health.body?.status !== 'ok') throw new Error(`GET /health answered ${health.status} ${JSON.stringify(health.body)}`);
  log(`smoke: /health ok (version ${health.body.version})`);
  if (!apiKey) {
    // In GitHub Actions the warning is an annotation on the run.
    const prefix = process.env.GITHUB_ACTIONS === 'true' ? '::warning::' : '';
    log(`${prefix}smoke: SMOKE_API_KEY is not set, so the keyed /v1/resolve check is skipped; create a key and set it to check resolves too.`);
    return { health: health.body, resolved: null, skipped: ['resolve'] };
  }
  const resolved = await getJson(`${base}/v1/resolve?query=${encodeURIComponent(videoId)}`, { 'X-API-Key': apiKey });
  if (resolved.status !== 200 || !resolved.body?.stream?.url) {
    throw new Error(`GET /v1/resolve?query=${videoId} answered ${resolved.status} ${resolved.body?.error?.code ?? ''}`.trim());
  }
  log(`smoke: /v1/resolve ${videoId} ok ("${resolved.body.title}")`);
  const cacheApi = await checkCacheApi(base, apiKey, customDomain, log);
  return { health: health.body, resolved: resolved.body, cacheApi, skipped: cacheApi === null ? ['cache_api'] : [] };
}

/**
 * /health?deep=true's `cache_api` (how the Worker found the Cache API: "off" where it keeps
 * nothing). On a custom domain "off" fails the deploy; on workers.dev it is what to expect.
 * Null when it could not be read (the key is not an admin key, or the field is not there).
 */
async function checkCacheApi(base, apiKey, customDomain, log) {
  const deep = await getJson(`${base}/health?deep=true`, { 'X-API-Key': apiKey });
  if (deep.status !== 200) {
    log(`smoke: the Cache API check needs an admin-tier SMOKE_API_KEY (/health?deep=true answered ${deep.status}); skipped`);
    return null;
  }
  const field = deep.body?.cache_api ?? deep.body?.caches?.cache_api;
  const state = typeof field === 'object' && field !== null ? (field.state ?? field.status) : field;
  if (state === undefined) {
    log('smoke: /health?deep=true does not report cache_api; the Cache API check is skipped');
    return null;
  }
  const off = state === 'off' || state === false;
  if (customDomain && off) {
    throw new Error(`the Cache API keeps nothing on ${customDomain} (/health?deep=true: cache_api ${JSON.stringify(state)}): is the custom domain routed to this Worker?`);
  }
  if (off) log('smoke: cache_api is off, as on any workers.dev address: caches fall back to isolate memory and Durable Objects (set API_DOMAIN to change that)');
  else log(`smoke: cache_api ${JSON.stringify(state)}${customDomain ? ` on ${customDomain}` : ''}`);
  return String(state);
}

async function getJson(url, headers = {}) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: reported by the callers' checks through body = null.
  }
  return { status: response.status, body };
}

async function retry(attempt, delayMs) {
  for (let tries = 1; ; tries++) {
    try {
      const result = await attempt();
      if (result.status < 500 || tries >= RETRIES) return result;
    } catch (error) {
      if (tries >= RETRIES) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
