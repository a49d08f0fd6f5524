import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../scripts/openapi-document';
import { DESKTOP, launchChromium, openPage } from './support/browser';
import { serveDashboard } from './support/static-server';

/** The dashboard site's API reference page, built from the OpenAPI document, in Chromium. */
let browser: Browser;
let site: { url: string; close(): Promise<void> };
let operations: string[] = [];

beforeAll(async () => {
  const document = await openApiDocument();
  operations = Object.entries(document.paths ?? {}).flatMap(([path, ops]) => Object.keys(ops ?? {}).map((method) => `${method} ${path}`));
  writeFileSync('dashboard/public/openapi.json', JSON.stringify(document));
  const build = spawnSync(process.execPath, [resolve('node_modules/vite/bin/vite.js'), 'build', '--config', 'dashboard/vite.config.ts', '--logLevel', 'warn'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`dashboard build failed:\n${build.stdout}\n${build.stderr}`);
  site = await serveDashboard('dashboard/dist', () => 'http://127.0.0.1:9');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('API reference page', () => {
  it('lists every operation of the OpenAPI document, with its parameters, and loads nothing from elsewhere', async () => {
    const context = await browser.newContext(DESKTOP);
    const foreign: string[] = [];
    context.on('request', (request) => {
      if (!request.url().startsWith(site.url)) foreign.push(request.url());
    });
    const { page, crashes } = await openPage(context, `${site.url}/api-reference.html`);
    await page.locator('[data-operation="get /v1/resolve"]').waitFor();
    const shown = await page.locator('[data-operation]').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-operation')));
    expect(shown.sort()).toEqual([...operations].sort());
    const resolveCard = page.locator('[data-operation="get /v1/resolve"]');
    expect(await resolveCard.textContent()).toContain('query');
    expect(crashes).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });
});
