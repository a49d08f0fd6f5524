import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core, flags as CI runs it (as root, no sandbox). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// Reduced motion: Chart.js and Bootstrap skip animations, so screenshots show finished charts.
export const DESKTOP = { viewport: { width: 1440, height: 960 }, reducedMotion: 'reduce' as const };
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, reducedMotion: 'reduce' as const };

/** A page that remembers uncaught errors, so a test can assert the app never crashed. */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; crashes: string[] }> {
  const page = await context.newPage();
  const crashes: string[] = [];
  page.on('pageerror', (error) => crashes.push(error.message));
  await page.goto(url);
  return { page, crashes };
}

export async function signIn(page: Page, adminKey: string): Promise<void> {
  await page.locator('#admin-key').fill(adminKey);
  await page.locator('[data-testid=sign-in-form] button[type=submit]').click();
  await page.locator('[data-page=overview]').waitFor();
}

export const RESULTS_DIR = 'test-results';

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}/dashboard-${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Retries a check (clicking the dashboard's "refresh now" between tries) until it holds. */
export async function eventually<T>(check: () => Promise<T | false | null | undefined>, options: { page?: Page; timeoutMs?: number; what: string }): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result) return result;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what}${last ? `: ${String(last)}` : ''}`);
    if (options.page) await refreshNow(options.page);
    await new Promise((done) => setTimeout(done, 1_000));
  }
}

/** The navbar's refresh button; on a phone it sits in the folded menu, so re-render the route instead. */
async function refreshNow(page: Page): Promise<void> {
  const button = page.locator('[data-action=refresh-now]');
  if (await button.isVisible().catch(() => false)) await button.click().catch(() => {});
  else await page.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange'))).catch(() => {});
}

export function chartState(page: Page, chart: string): Promise<string | null> {
  return page.locator(`[data-chart="${chart}"]`).getAttribute('data-state');
}

export interface DrawnChart {
  labels: string[];
  datasets: Array<{ label: string; data: Array<number | null> }>;
  /** Per dataset, per point: the drawn length of a bar (pixels along its value axis), or 0 for a line's point. */
  barLengths: number[][];
  /** Per dataset, per point: whether Chart.js placed the point inside the plot area. */
  inPlot: boolean[][];
  xTitle: string | null;
}

/** What a chart on the page holds and draws, read from Chart.js itself (the dashboard exposes window.Chart). */
export function drawnChart(page: Page, chart: string): Promise<DrawnChart | null> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-chart="${id}"] canvas`) as HTMLCanvasElement | null;
    const Chart = (window as unknown as { Chart?: { getChart(canvas: HTMLCanvasElement): any } }).Chart;
    const instance = canvas && Chart ? Chart.getChart(canvas) : null;
    if (!instance) return null;
    const horizontal = instance.options.indexAxis === 'y';
    const area = instance.chartArea;
    return {
      labels: (instance.data.labels ?? []).map(String),
      datasets: instance.data.datasets.map((dataset: any) => ({ label: dataset.label, data: dataset.data })),
      barLengths: instance.data.datasets.map((_: unknown, index: number) => instance.getDatasetMeta(index).data.map((element: any) =>
        instance.config.type === 'bar' ? Math.abs(horizontal ? element.x - element.base : element.y - element.base) : 0)),
      inPlot: instance.data.datasets.map((_: unknown, index: number) => instance.getDatasetMeta(index).data.map((element: any) =>
        element.x >= area.left - 1 && element.x <= area.right + 1 && element.y >= area.top - 1 && element.y <= area.bottom + 1)),
      xTitle: instance.options.scales?.x?.title?.display ? instance.options.scales.x.title.text : null,
    };
  }, chart);
}
