import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startYouTubeUpstream } from '../servers/youtube-upstream';
import { startMockAdminApi } from './mock-admin-api';
import { startRealApi } from './support/api-server';
import { cacheSeedSql } from './support/cache-seed';
import { chartState, DESKTOP, drawnChart, eventually, launchChromium, openPage, PHONE, screenshot, signIn } from './support/browser';
import { serveDashboard } from './support/static-server';

/**
 * The admin dashboard in a real browser against the real API Worker (`wrangler dev`,
 * fresh local state) — or, with E2E_MOCK=1, against test/e2e/mock-admin-api.ts.
 * The steps run in order and share one signed-in page, as an operator would.
 */
const MOCK = process.env.E2E_MOCK === '1';
const ADMIN_KEY = `e2e-admin-${randomUUID()}`;
const VIDEO = 'M4gD1WSo5mA';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let apiUrl = '';
let youtubeUrl = '';
let apiOutput: () => string = () => '';
const cleanups: Array<() => Promise<void>> = [];
let browser: Browser;
let context: BrowserContext;
let page: Page;
let crashes: string[] = [];
let dashboardUrl = '';
let uiKey = { id: '', secret: '' };
let trafficKeyId = '';

async function resolveWith(key: string | null): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${apiUrl}/v1/resolve?query=${VIDEO}`, { headers: key === null ? {} : { 'X-API-Key': key } });
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code };
}

/** Steers the YouTube stand-in (test/servers/youtube-upstream.ts). */
async function youtubeControl(path: string, body: unknown): Promise<void> {
  await fetch(`${youtubeUrl}/__control/${path}`, { method: 'POST', body: JSON.stringify(body) });
}

/** A video of the test's own that the stand-in answers with a recording; `botCheckFor` is bot-checked on that client. */
async function freshVideo(botCheckFor?: string): Promise<string> {
  const id = `e2e${randomUUID().replace(/-/g, '')}`.slice(0, 11);
  await youtubeControl('alias', { videoId: id, recordedId: VIDEO });
  if (botCheckFor) await youtubeControl('scenario', { videoId: id, mode: 'bot_check', client: botCheckFor });
  return id;
}

/** VISIONOS, the first-choice client, fails five times in a row (the mock is simply told so). */
async function failFirstClient(): Promise<void> {
  if (MOCK) {
    await fetch(`${apiUrl}/__mock/youtube-client`, { method: 'POST', body: JSON.stringify({ name: 'VISIONOS', state: 'cooling_off', code: 'youtube.bot_check' }) });
    return;
  }
  for (let i = 0; i < 5; i += 1) {
    const response = await fetch(`${apiUrl}/v1/resolve?query=${await freshVideo('VISIONOS')}`, { headers: { 'X-API-Key': ADMIN_KEY } });
    expect(response.status).toBe(200); // ANDROID_VR answers
  }
}

/** Past the cool-off (3 s here), one resolve tries VISIONOS again, and it answers. */
async function bringFirstClientBack(): Promise<void> {
  if (MOCK) {
    await fetch(`${apiUrl}/__mock/youtube-client`, { method: 'POST', body: JSON.stringify({ name: 'VISIONOS', state: 'ok' }) });
    return;
  }
  await new Promise((done) => setTimeout(done, 3_500));
  const response = await fetch(`${apiUrl}/v1/resolve?query=${await freshVideo()}`, { headers: { 'X-API-Key': ADMIN_KEY } });
  expect(response.status).toBe(200);
}

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${apiUrl}${path}`, {
    method, headers: { 'X-API-Key': ADMIN_KEY, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    const build = spawnSync(process.execPath, [resolve('node_modules/vite/bin/vite.js'), 'build', '--config', 'dashboard/vite.config.ts', '--logLevel', 'warn'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`dashboard build failed:\n${build.stdout}\n${build.stderr}`);
  }
  const dashboard = await serveDashboard('dashboard/dist', () => apiUrl);
  cleanups.push(dashboard.close);
  dashboardUrl = dashboard.url;

  if (MOCK) {
    const mock = await startMockAdminApi({ adminKey: ADMIN_KEY, allowedOrigin: dashboardUrl });
    cleanups.push(mock.close);
    apiUrl = mock.url;
  } else {
    const youtube = await startYouTubeUpstream();
    cleanups.push(youtube.close);
    youtubeUrl = youtube.url;
    const hosts = ['www.youtube.com', 'm.youtube.com', 'music.youtube.com', 'youtubei.googleapis.com', '*.googlevideo.com', '*.ytimg.com'];
    const api = await startRealApi({
      ADMIN_API_KEY: ADMIN_KEY,
      DASHBOARD_ORIGIN: dashboardUrl,
      STREAM_SIGNING_KEY: 'e2e-signing-key-0123456789abcdef',
      UPSTREAM_ORIGINS: JSON.stringify(Object.fromEntries(hosts.map((host) => [host, youtube.url]))),
      RATE_LIMIT_PER_MINUTE: '0', // the dashboard's own calls all come from 127.0.0.1
      KEY_RATE_LIMIT_PER_MINUTE: '0',
      CLIENT_COOL_OFF_SECONDS: '3', // short, so the YouTube clients step sees a client come back
      // The chain the clients step's recordings and wording are written for (the default chain has since changed).
      YOUTUBE_CLIENTS: 'VISIONOS,ANDROID_VR,IOS',
      LOG_LEVEL: 'warn',
    }, { seedSql: cacheSeedSql(Date.now()) });
    cleanups.push(api.close);
    apiUrl = api.url;
    apiOutput = api.output;
  }
  browser = await launchChromium();
  cleanups.push(() => browser.close());
  context = await browser.newContext(DESKTOP);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dashboardUrl });
  ({ page, crashes } = await openPage(context, dashboardUrl));
});

// The steps build on each other: after one fails, skip the rest instead of piling up timeouts.
let failedStep: string | null = null;
beforeEach((context) => {
  if (failedStep) context.skip(`an earlier step failed: ${failedStep}`);
  context.onTestFailed(async () => {
    failedStep ??= context.task.name;
    if (!MOCK) console.error(`wrangler dev output (last 4000 characters):\n${apiOutput().slice(-4000)}`);
    await page?.screenshot({ path: `test-results/dashboard-failed-${context.task.name.replace(/\W+/g, '-')}.png`, fullPage: true }).catch(() => {});
  });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(error));
});

describe(`admin dashboard (${MOCK ? 'mock admin API' : 'real API Worker'})`, () => {
  it('shows the sign-in form and explains a wrong key and an unreachable API', async () => {
    await page.locator('[data-testid=sign-in-form]').waitFor();
    expect(await page.locator('#api-base').inputValue()).toBe(apiUrl);
    await screenshot(page, 'sign-in');

    await page.locator('#admin-key').fill('not-the-admin-key-0000000000');
    await page.locator('[data-testid=sign-in-form] button[type=submit]').click();
    await expect.poll(() => page.locator('[data-testid=sign-in-form] .alert').textContent()).toMatch(/rejected|key/i);

    await page.locator('#api-base').fill('http://127.0.0.1:9');
    await page.locator('[data-testid=sign-in-form] button[type=submit]').click();
    await expect.poll(() => page.locator('[data-testid=sign-in-form] .alert').textContent()).toMatch(/Cannot reach the API/);
    await page.locator('#api-base').fill(apiUrl);
  });

  it('signs in and draws the overview (an empty state on a new install)', async () => {
    await signIn(page, ADMIN_KEY);
    expect(await page.evaluate(() => sessionStorage.getItem('dashboard.adminKey'))).toBe(ADMIN_KEY);
    await eventually(async () => (await chartState(page, 'requests')) !== 'loading', { what: 'the overview to load' });
    expect(await page.locator('[data-stat]').count()).toBe(8);
    if (MOCK) {
      // The mock logs no admin calls, so it is a new install until the test sends traffic.
      await page.locator('[data-testid=welcome]').waitFor();
      expect(await chartState(page, 'requests')).toBe('empty');
      expect(await page.locator('[data-chart=requests] canvas').isVisible()).toBe(false);
      await screenshot(page, 'overview-empty');
    }
  });

  it('fills the charts from requests the test makes', async () => {
    const created = await admin<{ key: string; record: { id: string } }>('POST', '/admin/keys', { name: 'e2e-traffic', tier: 'user' });
    trafficKeyId = created.record.id;
    for (let i = 0; i < 5; i += 1) expect((await resolveWith(created.key)).status).toBe(200);
    expect(await resolveWith('00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 401, code: 'key.invalid' });
    expect(await resolveWith(null)).toMatchObject({ status: 401, code: 'key.missing' });

    // Request logs travel through a queue: allow the consumer its batch timeout.
    for (const chart of ['requests', 'statuses', 'endpoints', 'top-keys', 'cache', 'latency']) {
      await eventually(async () => (await chartState(page, chart)) === 'filled', { page, what: `the ${chart} chart to fill`, timeoutMs: 90_000 });
      expect(await page.locator(`[data-chart="${chart}"] canvas`).isVisible()).toBe(true);
    }
    await page.locator('[data-testid=welcome]').waitFor({ state: 'detached' }); // the empty state goes once the overview's data lands, which may follow the charts by a refresh
    expect(Number((await page.locator('[data-stat=requests_today] .stat-value').textContent())!.replace(/\D/g, ''))).toBeGreaterThanOrEqual(7);
    const shot = await screenshot(page, 'overview');
    // The README's picture changes only when asked for (or missing): a test run leaves the tree clean.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1' || !existsSync('docs/dashboard.png')) {
      mkdirSync('docs', { recursive: true });
      copyFileSync(shot, 'docs/dashboard.png');
    }

    await page.locator('[data-range="30d"]').click();
    await eventually(async () => (await page.locator('[data-range="30d"]').getAttribute('aria-pressed')) === 'true' && (await chartState(page, 'requests')) === 'filled', { what: 'the daily view' });
    await page.locator('[data-range="24h"]').click();
    await page.locator('[data-action=toggle-refresh]').click();
    expect(await page.locator('[data-action=toggle-refresh]').getAttribute('data-paused')).toBe('true');
    await page.locator('[data-action=toggle-refresh]').click();
    expect(await page.locator('[data-action=toggle-refresh]').getAttribute('data-paused')).toBe('false');
  });

  it('draws what the API holds: each series at the hour it happened, bars of real length, the cache ratio', async () => {
    type Bucket = Record<'total' | 'status_2xx' | 'status_3xx' | 'status_4xx' | 'status_5xx' | 'cache_hits' | 'cache_misses', number> & { start: string; p50: number | null; p95: number | null };
    const HOUR = 3_600_000;
    const iso = (time: number) => new Date(time).toISOString();
    // A few more resolves of one track: its metadata comes from the cache after the first.
    const resolveAFew = async () => {
      for (let i = 0; i < 3; i += 1) expect((await resolveWith(ADMIN_KEY)).status).toBe(200);
      return Math.floor(Date.now() / HOUR);
    };
    let hourOfRequests = await resolveAFew();
    const viewerZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    await eventually(async () => {
      // Past the hour since: this hour's bucket gets requests of its own again.
      if (Math.floor(Date.now() / HOUR) !== hourOfRequests) hourOfRequests = await resolveAFew();
      const now = Date.now();
      const { buckets } = await admin<{ buckets: Bucket[] }>('GET', `/admin/stats/timeseries?granularity=hour&from=${iso(now - 48 * HOUR)}&to=${iso(now)}`);
      const byStart = new Map(buckets.map((bucket) => [Date.parse(bucket.start), bucket]));
      const expectSeries = async (chart: string, fields: Array<keyof Bucket>) => {
        const drawn = (await drawnChart(page, chart))!;
        expect(drawn, chart).not.toBeNull();
        expect(drawn.labels.length).toBeGreaterThanOrEqual(24);
        fields.forEach((field, index) => {
          const expected = drawn.labels.map((label) => byStart.get(Date.parse(label))?.[field] ?? (field === 'p50' || field === 'p95' ? null : 0));
          expect(drawn.datasets[index]!.data, `${chart} ${field}`).toEqual(expected);
        });
        // Placed at the time it happened: the last point is this hour's bucket, drawn inside the plot.
        if (!MOCK) expect(Date.parse(drawn.labels.at(-1)!), `${chart}: the last point is this hour`).toBe(Math.floor(now / HOUR) * HOUR);
        expect(drawn.inPlot[0]!.at(-1)).toBe(true);
        expect(drawn.xTitle).toContain(viewerZone);
        return drawn;
      };
      const requests = await expectSeries('requests', ['total']);
      // This hour's and the one before together: a run that crosses the hour splits its requests between them.
      const [before, last] = requests.datasets[0]!.data.slice(-2) as [number, number];
      expect(before + last).toBeGreaterThanOrEqual(10);
      const statuses = await expectSeries('statuses', ['status_2xx', 'status_3xx', 'status_4xx', 'status_5xx']);
      expect(statuses.barLengths[0]!.at(-1)).toBeGreaterThan(0);
      const cache = await expectSeries('cache', ['cache_hits', 'cache_misses']);
      // One track resolved again and again: its metadata cache hits, and the chart draws them.
      expect(cache.datasets[0]!.data.at(-1)).toBeGreaterThan(0);
      expect(cache.barLengths[0]!.at(-1)).toBeGreaterThan(0);
      await expectSeries('latency', ['p50', 'p95']);
      expect(await page.locator('[data-stat=cache_hit_ratio] .stat-value').textContent()).toMatch(/\d+(\.\d)?%/);

      const from = iso(now - 24 * HOUR);
      const endpoints = await admin<{ items: Array<{ endpoint: string; total: number }> }>('GET', `/admin/stats/endpoints?from=${from}&to=${iso(now)}`);
      const drawnEndpoints = (await drawnChart(page, 'endpoints'))!;
      const expectedEndpoints = [...endpoints.items].sort((a, b) => b.total - a.total).slice(0, 12);
      expect(drawnEndpoints.labels).toEqual(expectedEndpoints.map((item) => item.endpoint));
      drawnEndpoints.labels.forEach((label, i) => {
        const sum = drawnEndpoints.datasets.reduce((total, dataset) => total + (dataset.data[i] ?? 0), 0);
        expect(sum, label).toBe(expectedEndpoints[i]!.total);
        const drawnLength = drawnEndpoints.barLengths.reduce((total, lengths) => total + (lengths[i] ?? 0), 0);
        expect(drawnLength, `${label}'s bar`).toBeGreaterThan(10);
      });
      const topKeys = await admin<{ items: Array<{ key_id: string | null; total: number }> }>('GET', `/admin/stats/top-keys?from=${from}&to=${iso(now)}&limit=10`);
      const drawnKeys = (await drawnChart(page, 'top-keys'))!;
      expect(drawnKeys.datasets[0]!.data).toEqual(topKeys.items.map((item) => item.total));
      for (const length of drawnKeys.barLengths[0]!) expect(length).toBeGreaterThan(10);
      return true;
    }, { page, what: 'the charts to draw the API\'s numbers', timeoutMs: 90_000 });
    await screenshot(page, 'overview-checked');

    // The daily view: IST days, and the axis says so.
    await page.locator('[data-range="30d"]').click();
    await eventually(async () => {
      const daily = await drawnChart(page, 'requests');
      if (!daily || daily.labels.length < 30) return false;
      expect(daily.xTitle).toMatch(/India|IST/);
      // An IST day starts at 18:30 UTC.
      for (const label of daily.labels) expect(Date.parse(label) % 86_400_000).toBe(18.5 * 3_600_000);
      expect(daily.datasets[0]!.data.at(-1)).toBeGreaterThanOrEqual(10);
      return true;
    }, { page, what: 'the daily view in IST days' });
    await page.locator('[data-range="24h"]').click();
  });

  it('creates a key, shows it once, and the key works', async () => {
    await page.locator('[data-nav=keys]').click();
    await page.locator('[data-testid=keys-table]').waitFor();
    await screenshot(page, 'keys');
    await page.locator('[data-action=new-key]').click();
    const modal = page.locator('[data-testid=create-key-modal]');
    await modal.locator('input[name=name]').fill('e2e-ui-key');
    await modal.locator('input[name=daily_limit]').fill('50');
    await modal.locator('[data-action=create]').click();
    const secret = await modal.locator('[data-testid=new-key]').inputValue();
    expect(secret).toMatch(UUID_V4);
    await modal.locator('[data-action=copy]').click();
    await expect.poll(() => modal.locator('[data-action=copy]').textContent()).toContain('Copied');
    await modal.locator('.modal-footer button').click();
    await modal.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret); // gone with the dialog

    const row = page.locator('tr', { hasText: 'e2e-ui-key' });
    uiKey = { id: (await row.getAttribute('data-key-id'))!, secret };
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('active');
    expect(await resolveWith(secret)).toMatchObject({ status: 200 });

    await page.locator('[data-testid=key-search]').fill('E2E-UI');
    await expect.poll(() => page.locator('[data-testid=keys-table] tbody tr').count()).toBe(1);
    await page.locator('[data-testid=key-search]').fill('');
    await expect.poll(() => page.locator('[data-testid=keys-table] tbody tr').count()).toBe(2);
  });

  it("shows a key's own page with its daily usage, and edits it", async () => {
    await page.locator('tr', { hasText: 'e2e-ui-key' }).locator('a').first().click();
    await page.locator('[data-page=key-detail] [data-testid=key-record]').waitFor();
    await eventually(async () => (await chartState(page, 'key-usage')) === 'filled', { page, what: "the key's usage chart" });
    await screenshot(page, 'key-detail');

    await page.locator('[data-page=key-detail] [data-action=edit]').click();
    const modal = page.locator('[data-testid=edit-key-modal]');
    await modal.locator('input[name=daily_limit]').fill('5');
    await modal.locator('input[name=name]').fill('e2e-ui-key-renamed');
    await modal.locator('[data-action=save]').click();
    await modal.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-page=key-detail] h1').textContent()).toBe('e2e-ui-key-renamed');
    expect(await page.locator('[data-testid=key-record]').textContent()).toContain('Daily limit5');
  });

  it('deactivates the key in the UI and the API refuses it; reactivates it', async () => {
    await page.locator('[data-page=key-detail] [data-action=deactivate]').click();
    await page.locator('[data-page=key-detail] h1 + [data-status=revoked], [data-page=key-detail] [data-status=revoked]').first().waitFor();
    expect(await resolveWith(uiKey.secret)).toMatchObject({ status: 403, code: 'key.revoked' });
    await page.locator('[data-page=key-detail] [data-action=reactivate]').click();
    await page.locator('[data-page=key-detail] [data-status=active]').waitFor();
    expect(await resolveWith(uiKey.secret)).toMatchObject({ status: 200 });
    await page.locator('[data-page=key-detail] [data-action=deactivate]').click();
    await page.locator('[data-page=key-detail] [data-status=revoked]').waitFor();
    expect(await resolveWith(uiKey.secret)).toMatchObject({ status: 403, code: 'key.revoked' });
  });

  it('filters the request log by key and by status class', async () => {
    await page.locator('[data-page=key-detail] a', { hasText: 'Requests with this key' }).click();
    expect(await page.locator('input[name=key_id]').inputValue()).toBe(uiKey.id);
    // Its two accepted requests at least (the real API logs refused ones without a key id).
    await eventually(async () => (await page.locator('[data-testid=logs-table] tbody tr').count()) >= 2, { page, what: "the key's log rows" });
    await page.locator('input[name=key_id]').fill('');
    await page.locator('input[name=status]').fill('4xx');
    await page.locator('[data-testid=log-filters] button[type=submit]').click();
    await eventually(async () => {
      const statuses = await page.locator('[data-testid=logs-table] tbody tr td:nth-child(3) .badge').allTextContents();
      return statuses.length > 0 && statuses.every((status) => status.startsWith('4')) && statuses.includes('401');
    }, { page, what: '4xx log rows' });
    await screenshot(page, 'logs');
  });

  it('lists the track cache with statuses (escaping API text)', async () => {
    await page.locator('[data-nav=cache]').click();
    // Both the mock and the seeded store hold a ready, a pending and a failed track.
    const failed = page.locator('tr[data-video-id=iuevw6218F0]');
    await failed.waitFor();
    expect(await failed.locator('[data-field=failure_reason]').textContent()).toBe('telegram: file is too big');
    expect(await failed.locator('.cache-title').textContent()).toBe('<b>Not markup</b>');
    expect(await failed.locator('.cache-title b').count()).toBe(0);
    expect(await page.locator('tr[data-video-id=M4gD1WSo5mA] [data-status=ready]').textContent()).toBe('hit / ready');
    expect(await page.locator('tr[data-video-id=dQw4w9WgXcQ] [data-status=pending]').count()).toBe(1);
    await screenshot(page, 'cache');
  });

  it('shows the YouTube clients, warns on the overview while the first-choice client fails, and clears when it is back', async () => {
    await page.locator('[data-nav=health]').click();
    const visionos = page.locator('[data-testid=clients-table] tr[data-client=VISIONOS]');
    await visionos.waitFor();
    expect(await visionos.getAttribute('data-state')).toBe('ok'); // the earlier resolves went through it
    expect(await page.locator('[data-testid=clients-table] tbody tr[data-client]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-client'))))
      .toEqual(['VISIONOS', 'ANDROID_VR', 'IOS']);
    expect(await page.locator('[data-service=store] .fa-circle-check').count()).toBe(1);
    if (!MOCK) expect(await page.locator('[data-service=store]').textContent()).toMatch(/d1 · .* MB of D1's 10 GB/);
    expect(await page.locator('[data-service=relay]').textContent()).toContain('not configured');

    await failFirstClient();
    await page.locator('[data-nav=overview]').click();
    const warning = page.locator('[data-page=overview] [data-testid=client-warning]');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/VISIONOS is set aside.*youtube\.bot_check.*through ANDROID_VR/);
    await screenshot(page, 'overview-client-warning');
    await warning.locator('a', { hasText: 'See the YouTube clients' }).click();
    await eventually(async () => (await visionos.getAttribute('data-state')) === 'cooling_off', { page, what: 'VISIONOS cooling off' });
    expect(await visionos.locator('[data-field=failure_code]').textContent()).toBe('youtube.bot_check');
    expect(await visionos.locator('[data-field=consecutive_failures]').textContent()).toBe('5');
    expect(await page.locator('[data-testid=clients-table] tr[data-client=ANDROID_VR]').getAttribute('data-state')).toBe('ok');
    await screenshot(page, 'youtube-clients');

    await bringFirstClientBack();
    await page.locator('[data-nav=overview]').click();
    await eventually(async () => (await chartState(page, 'requests')) === 'filled' && (await page.locator('[data-testid=client-warning]').count()) === 0, { page, what: 'the warning to clear' });
  });

  it('deletes a key after confirmation', async () => {
    await page.locator('[data-nav=keys]').click();
    const row = page.locator(`tr[data-key-id="${trafficKeyId}"]`);
    await row.locator('[data-action=delete]').click();
    await page.locator('[data-testid=delete-key-modal] [data-action=confirm-delete]').click();
    await row.waitFor({ state: 'detached' });
    await expect.poll(() => admin('GET', `/admin/keys/${trafficKeyId}`).then(() => 'found', (error: Error) => error.message)).toMatch(/404/);
  });

  it('explains a store outage and a lost connection, and recovers', async () => {
    await page.locator('[data-nav=overview]').click();
    await eventually(async () => (await chartState(page, 'requests')) === 'filled', { what: 'the overview' });
    const alerts = page.locator('[data-page=overview] .alert');
    const storeDown = JSON.stringify({ error: { code: 'store.unavailable', message: 'The metadata store is unavailable.' } });
    await page.route(`${apiUrl}/admin/**`, (route) => route.fulfill({
      status: 503, body: storeDown, headers: { 'content-type': 'application/json', 'access-control-allow-origin': dashboardUrl },
    }));
    await page.locator('[data-action=refresh-now]').click();
    await expect.poll(() => alerts.first().textContent().catch(() => '')).toMatch(/Store unavailable.*data store is unavailable/);
    expect(await alerts.count()).toBe(1); // five failed calls, one message
    await screenshot(page, 'store-down');

    await page.unroute(`${apiUrl}/admin/**`);
    await page.route(`${apiUrl}/admin/**`, (route) => route.abort('connectionrefused'));
    await page.locator('[data-action=refresh-now]').click();
    await expect.poll(() => alerts.first().textContent().catch(() => '')).toMatch(/API unreachable/);

    await page.unroute(`${apiUrl}/admin/**`);
    await page.locator('[data-action=refresh-now]').click();
    await expect.poll(() => alerts.count()).toBe(0);
    expect(await chartState(page, 'requests')).toBe('filled');
  });

  it('says the figures are estimates while the request log is sampled (LOG_SAMPLE_ONE_IN)', async () => {
    await page.locator('[data-nav=overview]').click();
    const notice = page.locator('[data-page=overview] [data-testid=log-sampling]');
    expect(await notice.count()).toBe(0);
    // The API's own overview, as a service with LOG_SAMPLE_ONE_IN=100 answers it.
    await page.route(`${apiUrl}/admin/stats/overview`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), logging: { sample_one_in: 100 } } });
    });
    await page.locator('[data-action=refresh-now]').click();
    await notice.waitFor();
    expect(await notice.textContent()).toContain('one request in 100 is logged');
    await page.unroute(`${apiUrl}/admin/stats/overview`);
    await page.locator('[data-action=refresh-now]').click();
    await expect.poll(() => notice.count()).toBe(0);

    // In the request log, a sampled record says how many requests it stands for.
    await page.route(`${apiUrl}/admin/logs?**`, async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      await route.fulfill({ response, json: { ...body, items: body.items.map((item: object, index: number) => (index === 0 ? { ...item, weight: 100 } : item)) } });
    });
    await page.locator('[data-nav=logs]').click();
    const weights = page.locator('[data-testid=logs-table] [data-field=weight]');
    await weights.first().waitFor();
    expect(await weights.allTextContents()).toEqual(['×100']);
    await page.unroute(`${apiUrl}/admin/logs?**`);
  });

  it('works on a phone-sized screen', async () => {
    const phone = await browser.newContext(PHONE);
    try {
      const { page: small, crashes: phoneCrashes } = await openPage(phone, dashboardUrl);
      await signIn(small, ADMIN_KEY);
      await eventually(async () => (await chartState(small, 'requests')) === 'filled', { page: small, what: 'the phone overview' });
      expect(await small.locator('.navbar-toggler').isVisible()).toBe(true);
      expect(await small.locator('[data-nav=keys]').isVisible()).toBe(false);
      expect(await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      await screenshot(small, 'overview-phone');
      await small.locator('.navbar-toggler').click();
      await small.locator('[data-nav=keys]').click();
      await small.locator('[data-page=keys] [data-testid=keys-table]').waitFor();

      // An admin key that stops working sends the operator back to sign-in with a message.
      await small.evaluate(() => sessionStorage.setItem('dashboard.adminKey', 'no-longer-a-valid-admin-key'));
      await small.evaluate(() => { location.hash = '#/overview'; });
      await small.locator('[data-testid=sign-in-form] .alert').waitFor();
      expect(await small.evaluate(() => sessionStorage.length)).toBe(0);
      expect(phoneCrashes).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('signs out: the key leaves sessionStorage and the sign-in form returns', async () => {
    await page.locator('[data-action=sign-out]').click();
    await page.locator('[data-testid=sign-in-form]').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await page.locator('[data-testid=sign-in-form]').waitFor();
    expect(crashes).toEqual([]);
  });
});

