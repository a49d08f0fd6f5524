// The deploy's last step: the API answers /health, then a keyed /v1/resolve of
// a known video plays. Any failure fails the deploy.

const RETRIES = 5;

export async function smokeTest({ apiUrl, apiKey, videoId, log = console.log, retryDelayMs = 3_000 }) {
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
  return { health: health.body, resolved: resolved.body, skipped: [] };
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
